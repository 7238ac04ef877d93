"""Tables of the evaluation: imported 12345 work orders and their import errors,
reviewers' manual scores (append-only: the history is the audit) and "50 佳" nominations.
"""

from __future__ import annotations

import sqlalchemy as sa

from sync.db.tables import Json, metadata

work_order_imports = sa.Table(
    "work_order_imports", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("file_name", sa.String(300), nullable=False),
    sa.Column("imported_ms", sa.BigInteger, nullable=False, index=True),
    sa.Column("imported_by", sa.String(64), nullable=False),
    sa.Column("imported_count", sa.Integer, nullable=False),
    sa.Column("duplicate_count", sa.Integer, nullable=False),
    sa.Column("rejected_count", sa.Integer, nullable=False),
)

work_orders = sa.Table(
    "work_orders", metadata,
    sa.Column("order_no", sa.String(64), primary_key=True),
    sa.Column("import_id", sa.String(40), sa.ForeignKey("work_order_imports.id"),
              nullable=False),
    sa.Column("received_ms", sa.BigInteger, nullable=False, index=True),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("street", sa.String(100), nullable=False, server_default=""),
    sa.Column("hotline_category", sa.String(200), nullable=False, server_default=""),
    sa.Column("category", sa.String(50), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False, server_default=""),
    sa.Column("content", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(40), nullable=False, server_default=""),
    sa.Column("satisfaction", sa.String(40), nullable=False, server_default=""),
    # Null until an address keyword or a person places the order in a community.
    sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"), index=True),
    sa.Column("mapped_by", sa.String(64)),  # "keyword", or the username who fixed it
    sa.Column("mapped_ms", sa.BigInteger),
)

work_order_import_errors = sa.Table(
    "work_order_import_errors", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.String(40), sa.ForeignKey("work_order_imports.id"),
              nullable=False, index=True),
    sa.Column("row_number", sa.Integer, nullable=False),
    sa.Column("order_no", sa.String(64), nullable=False, server_default=""),
    sa.Column("problem", sa.String(12), nullable=False),  # rejected | duplicate
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("raw", Json, nullable=False),
)

assessment_scores = sa.Table(
    "assessment_scores", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("period", sa.String(10), nullable=False),
    sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("criterion_id", sa.String(64), nullable=False),
    sa.Column("points", sa.Float, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("by_user", sa.String(40), nullable=False),
    sa.Column("by_name", sa.String(100), nullable=False),
    sa.Column("at_ms", sa.BigInteger, nullable=False),
    sa.Column("contested_by", sa.String(100)),
    sa.Column("contest_reason", sa.Text),
    sa.Column("contested_ms", sa.BigInteger),
    sa.Index("ix_assessment_scores_period_community", "period", "community_id"),
)

nominations = sa.Table(
    "nominations", metadata,
    sa.Column("period", sa.String(10), primary_key=True),
    sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"),
              primary_key=True),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("total", sa.Float, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # nominated | awarded | withdrawn
    sa.Column("nominated_by", sa.String(100), nullable=False),
    sa.Column("nominated_ms", sa.BigInteger, nullable=False),
    sa.Column("decided_by", sa.String(100)),
    sa.Column("decided_ms", sa.BigInteger),
    sa.Column("note", sa.Text),
)
