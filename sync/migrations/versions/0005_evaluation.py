"""Evaluation: 12345 work orders and import errors, manual scores, "50 佳" nominations.

Revision ID: 0005
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "work_order_imports",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("imported_ms", sa.BigInteger, nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.Column("imported_count", sa.Integer, nullable=False),
        sa.Column("duplicate_count", sa.Integer, nullable=False),
        sa.Column("rejected_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_work_order_imports_imported_ms", "work_order_imports", ["imported_ms"])
    op.create_table(
        "work_orders",
        sa.Column("order_no", sa.String(64), primary_key=True),
        sa.Column("import_id", sa.String(40), sa.ForeignKey("work_order_imports.id"),
                  nullable=False),
        sa.Column("received_ms", sa.BigInteger, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("street", sa.String(100), nullable=False, server_default=""),
        sa.Column("hotline_category", sa.String(200), nullable=False, server_default=""),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False, server_default=""),
        sa.Column("content", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(40), nullable=False, server_default=""),
        sa.Column("satisfaction", sa.String(40), nullable=False, server_default=""),
        sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id")),
        sa.Column("mapped_by", sa.String(64)),
        sa.Column("mapped_ms", sa.BigInteger),
    )
    op.create_index("ix_work_orders_received_ms", "work_orders", ["received_ms"])
    op.create_index("ix_work_orders_community_id", "work_orders", ["community_id"])
    op.create_table(
        "work_order_import_errors",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("import_id", sa.String(40), sa.ForeignKey("work_order_imports.id"),
                  nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("order_no", sa.String(64), nullable=False, server_default=""),
        sa.Column("problem", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", Json, nullable=False),
    )
    op.create_index("ix_work_order_import_errors_import_id", "work_order_import_errors",
                    ["import_id"])
    op.create_table(
        "assessment_scores",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"),
                  nullable=False),
        sa.Column("criterion_id", sa.String(64), nullable=False),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("by_user", sa.String(40), nullable=False),
        sa.Column("by_name", sa.String(100), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("contested_by", sa.String(100)),
        sa.Column("contest_reason", sa.Text),
        sa.Column("contested_ms", sa.BigInteger),
    )
    op.create_index("ix_assessment_scores_period_community", "assessment_scores",
                    ["period", "community_id"])
    op.create_table(
        "nominations",
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"),
                  primary_key=True),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("nominated_by", sa.String(100), nullable=False),
        sa.Column("nominated_ms", sa.BigInteger, nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_ms", sa.BigInteger),
        sa.Column("note", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("nominations")
    op.drop_table("assessment_scores")
    op.drop_table("work_order_import_errors")
    op.drop_table("work_orders")
    op.drop_table("work_order_imports")
