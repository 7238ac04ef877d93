"""A leaner push: drop what every push wrote and nothing read.

- ``mutations.applied_version``: the log is written before the merge now
  (services/sync.py); the record's own ``version`` is the one that matters.
- ``ix_records_version``: pulls read per-community ranges of
  ``ix_records_community_version`` (store/records.py ``changed``).
- ``ix_records_kind_community``: the console's kind queries use
  ``ix_console_records_kind_created`` or the console tables.
- ``ix_mutations_record``: no query looks mutations up by record.

Each index costs every push an insert per row (ops/bench/RESULTS.md).

Revision ID: 0006
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_records_version", table_name="records")
    op.drop_index("ix_records_kind_community", table_name="records")
    op.drop_index("ix_mutations_record", table_name="mutations")
    op.drop_column("mutations", "applied_version")


def downgrade() -> None:
    op.add_column("mutations", sa.Column("applied_version", sa.BigInteger))
    op.create_index("ix_mutations_record", "mutations", ["record_id"])
    op.create_index("ix_records_kind_community", "records", ["kind", "community_id"])
    op.create_index("ix_records_version", "records", ["version"])
