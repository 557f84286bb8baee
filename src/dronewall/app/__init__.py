"""Application edge: configuration and the command line."""
