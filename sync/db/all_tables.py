"""Every table module, imported so that ``metadata`` knows every table.

The migration test compares the migrated database with this: a table module missing
here, or a table without a migration, fails it.
"""

import sync.db.tables_console  # noqa: F401  (supervisors' console, issue 6)
import sync.db.tables_evaluation  # noqa: F401  (evaluation, issue 7)
import sync.db.tables_qr  # noqa: F401  (QR intake, issue 5)
from sync.db import tables

metadata = tables.metadata
