"""PostgreSQL: the mutation log's ``fields`` and a record's ``field_meta`` become text.

No SQL looks inside either column: the server writes them and reads them back whole.
As jsonb, PostgreSQL parsed every mutation's fields and every written record's
field_meta into its binary form on the way in, and printed field_meta back to text on
every read of a record: about 5 µs per row on the sync benchmark's VM
(ops/bench/RESULTS.md). Text keeps exactly the JSON the server encoded. Record
``fields`` stay jsonb: the console's queries and indexes read inside them.

SQLite already stores JSON as text: nothing changes there. The ALTERs rewrite both
tables once.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = (("records", "field_meta"), ("mutations", "fields"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text USING {column}::text")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE jsonb USING {column}::jsonb")
