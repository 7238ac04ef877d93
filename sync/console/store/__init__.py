"""Every SQL statement of the console: one module per page family."""
