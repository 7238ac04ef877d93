"""What is recorded: each record kind's fields and form, and the data the bureau edits.

The record kinds are msgspec Structs (``kinds.py``) — the one definition the server
validates with, the PWA builds its forms from (``export.py``), and OpenAPI shows. The
lists the bureau changes without a programmer are TOML beside this file.
"""
