"""Sync: records, the mutation log, conflicts, outboxes, blobs.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("community_id", sa.String(40), nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("fields", Json, nullable=False),
        sa.Column("field_meta", Json, nullable=False),
        sa.Column("created_by", sa.String(40), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
        sa.Column("clock_suspect", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_records_community_version", "records", ["community_id", "version"])
    op.create_index("ix_records_version", "records", ["version"])
    op.create_index("ix_records_kind_community", "records", ["kind", "community_id"])
    op.create_table(
        "mutations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hlc", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("record_id", sa.Text, nullable=False),
        sa.Column("community_id", sa.Text, nullable=False),
        sa.Column("base_version", sa.BigInteger, nullable=False),
        sa.Column("fields", Json, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error_code", sa.String(40)),
        sa.Column("error_message", sa.Text),
        sa.Column("error_field", sa.Text),
        sa.Column("applied_version", sa.BigInteger),
        sa.Column("received_ms", sa.BigInteger, nullable=False),
        sa.Column("device_offset_ms", sa.BigInteger),
        sa.Column("app_version", sa.Text),
    )
    op.create_index("ix_mutations_outbox_seq", "mutations", ["user_id", "device_id", "seq"])
    op.create_index("ix_mutations_record", "mutations", ["record_id"])
    op.create_index("ix_mutations_rejected_received", "mutations", ["received_ms"],
                    sqlite_where=sa.text("status = 'rejected'"),
                    postgresql_where=sa.text("status = 'rejected'"))
    op.create_table(
        "conflicts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("community_id", sa.String(40), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("winner", Json, nullable=False),
        sa.Column("loser", Json, nullable=False),
        sa.Column("detected_ms", sa.BigInteger, nullable=False),
        sa.Column("resolved_ms", sa.BigInteger),
        sa.Column("resolved_by", sa.String(40)),
        sa.Column("resolution_mutation_id", sa.String(64)),
    )
    op.create_index("ix_conflicts_record_id", "conflicts", ["record_id"])
    op.create_index("ix_conflicts_community_id", "conflicts", ["community_id"])
    op.create_index("ix_conflicts_detected_ms", "conflicts", ["detected_ms"])
    op.create_table(
        "outboxes",
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("acked_seq", sa.BigInteger, nullable=False),
        sa.Column("clock_offset_ms", sa.BigInteger),
        sa.Column("last_push_ms", sa.BigInteger),
        sa.Column("app_version", sa.Text),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("uploaded_by", sa.String(40)),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "blob_refs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("community_id", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    for table in ("blob_refs", "blobs", "outboxes", "conflicts", "mutations", "records"):
        op.drop_table(table)
