"""The duty log reads the mutation log through one index on ``hlc`` (applied mutations
only) instead of two on ``(user_id, hlc)`` and ``(community_id, hlc)``.

Every logged mutation paid for both: on the sync benchmark's VM they were the costliest
part of appending to the log after its primary key (a microbenchmark of 500-row
batches: 17.1 → 13.2 µs per row; ops/bench/RESULTS.md). The duty log asks for one day's
applied mutations of some users or communities; a district logs a few thousand a day,
so reading the day's range and filtering by user or community is cheap, and rejected
mutations stay out of the index.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX ix_console_mutations_user_hlc")
    op.execute("DROP INDEX ix_console_mutations_community_hlc")
    op.execute("CREATE INDEX ix_console_mutations_applied_hlc ON mutations (hlc)"
               " WHERE status = 'applied'")


def downgrade() -> None:
    op.execute("DROP INDEX ix_console_mutations_applied_hlc")
    op.execute("CREATE INDEX ix_console_mutations_user_hlc ON mutations (user_id, hlc)")
    op.execute("CREATE INDEX ix_console_mutations_community_hlc ON mutations (community_id, hlc)")
