"""Every table module, imported so that ``metadata`` knows every table.

The migration test compares the migrated database with this: a table module missing
here, or a table without a migration, fails it.
"""

from sync.db import tables

metadata = tables.metadata
