"""Foundation: organisation, users, tokens, audit log, the version counter.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "squads",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("area_type", sa.String(10), nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "property_companies",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(40)),
    )
    op.create_table(
        "communities",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("squad_id", sa.String(40), sa.ForeignKey("squads.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("address_keywords", sa.Text, nullable=False, server_default=""),
        sa.Column("card_liaison_name", sa.String(50)),
        sa.Column("card_phone", sa.String(40)),
        sa.Column("card_wechat_sha256", sa.String(64)),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_communities_squad_id", "communities", ["squad_id"])
    op.create_table(
        "community_property_companies",
        sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"),
                  primary_key=True),
        sa.Column("property_company_id", sa.String(40), sa.ForeignKey("property_companies.id"),
                  primary_key=True),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("squad_id", sa.String(40), sa.ForeignKey("squads.id")),
        sa.Column("phone", sa.String(40)),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "assignments",
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"),
                  primary_key=True),
        sa.Column("assigned_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("device_name", sa.String(100)),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("expires_ms", sa.BigInteger, nullable=False),
        sa.Column("revoked_ms", sa.BigInteger),
    )
    op.create_index("ix_tokens_user_id", "tokens", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at_ms"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(64)),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("target", sa.String(200)),
        sa.Column("detail", Json),
        sa.Column("source", sa.String(100)),
    )
    op.create_index("ix_audit_log_at_ms", "audit_log", ["at_ms"])
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("max_hlc", sa.String(100), nullable=False),
    )
    op.execute("INSERT INTO sync_state (id, version, max_hlc) "
               "VALUES (1, 0, '0000000000000:00000:server')")
    op.create_table(
        "scope_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("community_id", sa.String(40), nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_scope_events_user_version", "scope_events", ["user_id", "version"])


def downgrade() -> None:
    for table in ("scope_events", "sync_state", "audit_log", "login_attempts", "tokens",
                  "assignments", "users", "community_property_companies", "communities",
                  "property_companies", "squads"):
        op.drop_table(table)
