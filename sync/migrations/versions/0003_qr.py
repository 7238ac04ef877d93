"""QR intake: the registry of posted codes, residents' reports, scan and report events.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qr_codes",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"),
                  nullable=False),
        sa.Column("placement", sa.String(50), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("posted_ms", sa.BigInteger, nullable=False),
        sa.Column("revoked_ms", sa.BigInteger),
        sa.Column("replaced_by", sa.String(32)),
        sa.Column("last_scan_ms", sa.BigInteger),
    )
    op.create_index("ix_qr_codes_community_id", "qr_codes", ["community_id"])
    op.create_table(
        "qr_reports",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("tracking_number", sa.String(20), nullable=False, unique=True),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("community_id", sa.String(40), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("feedback_ms", sa.BigInteger),
    )
    op.create_index("ix_qr_reports_case_id", "qr_reports", ["case_id"])
    op.create_table(
        "qr_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event", sa.String(10), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("community_id", sa.String(40), nullable=False),
        sa.Column("client_key", sa.String(32)),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_qr_events_client_at", "qr_events", ["event", "client_key", "at_ms"])
    op.create_index("ix_qr_events_code_at", "qr_events", ["event", "code", "at_ms"])
    op.create_index("ix_qr_events_community_at", "qr_events", ["community_id", "at_ms"])


def downgrade() -> None:
    for table in ("qr_events", "qr_reports", "qr_codes"):
        op.drop_table(table)
