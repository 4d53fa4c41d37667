"""Frontdesk: an open-source contact center with a built-in CRM."""

__version__ = "0.1.0"
