"""Pure analytics: flat contact records in, contact-center metrics out."""
