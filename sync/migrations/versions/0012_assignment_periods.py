"""Assignment periods: who covered which community when.

``assignments`` holds who covers a community now; removing one deleted the fact. An
appraisal of last quarter then judged a liaison by the communities they have today.
``assignment_periods`` keeps every assignment's span (``to_ms`` empty while it lasts),
kept by the organisation store alongside ``assignments``; the evaluation reads the
liaisons whose spans overlap the period it evaluates. Today's assignments become open
periods from the time they were made.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignment_periods",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"),
                  nullable=False),
        sa.Column("from_ms", sa.BigInteger, nullable=False),
        sa.Column("to_ms", sa.BigInteger),
    )
    op.create_index("ix_assignment_periods_community_id", "assignment_periods",
                    ["community_id"])
    op.execute("INSERT INTO assignment_periods (user_id, community_id, from_ms) "
               "SELECT user_id, community_id, assigned_ms FROM assignments")


def downgrade() -> None:
    op.drop_table("assignment_periods")
