"""Console sessions and login throttles (issue 15).

The console's cookie used to carry a 14-day bearer token, readable and usable on the
API. ``console_sessions`` keeps server-side sessions instead (the cookie holds a random
id, the table its SHA-256). ``login_attempts`` gains the client's address, for the
per-address throttle against password spraying beside the per-username lockout; older
attempts have none and count for their username only.

Revision ID: 0013
Revises: 0012
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("began_ms", sa.BigInteger, nullable=False),
        sa.Column("seen_ms", sa.BigInteger, nullable=False),
        sa.Column("ended_ms", sa.BigInteger),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.add_column("login_attempts", sa.Column("address", sa.String(64)))
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at_ms"])
    # Console logins used to issue bearer tokens for this pseudo-device; they end now.
    op.get_bind().execute(sa.text(
        "UPDATE tokens SET revoked_ms = :now WHERE device_id = 'console-web' "
        "AND revoked_ms IS NULL"), {"now": int(time.time() * 1000)})


def downgrade() -> None:
    op.drop_index("ix_login_attempts_address_at", table_name="login_attempts")
    op.drop_column("login_attempts", "address")
    op.drop_table("console_sessions")
