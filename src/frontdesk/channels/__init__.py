"""Channel adapters: glue between a wire protocol and the contact pipeline."""
