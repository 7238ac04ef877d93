"""SQLAlchemy Core tables: the store's shape. Migrations in ``sync/migrations`` create them.

Times the server stamps are integer Unix milliseconds (``*_ms``): the same on SQLite and
PostgreSQL, and cheap to compare. Record fields are JSON as the devices sent them.
"""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from sync.db.json import decode_stored

metadata = sa.MetaData()

# JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


class JsonText(sa.TypeDecorator[Any]):
    """JSON kept as text on both back ends, for columns no SQL looks inside: PostgreSQL
    stores the text as it comes instead of parsing it into jsonb on every write and
    printing it back on every read (ops/bench/RESULTS.md)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        return None if value is None else _encode(value).decode()

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        return None if value is None else decode_stored(value)


_encode = msgspec.json.Encoder().encode


squads = sa.Table(
    "squads", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("area_type", sa.String(10), nullable=False),  # street | town | park
    sa.Column("sort_order", sa.Integer, nullable=False, server_default="0"),
)

property_companies = sa.Table(
    "property_companies", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(40)),
)

communities = sa.Table(
    "communities", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("squad_id", sa.String(40), sa.ForeignKey("squads.id"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("address_keywords", sa.Text, nullable=False, server_default=""),
    # The public liaison card (R1): shown on the notice board and the QR poster.
    sa.Column("card_liaison_name", sa.String(50)),
    sa.Column("card_phone", sa.String(40)),
    sa.Column("card_wechat_sha256", sa.String(64)),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

community_property_companies = sa.Table(
    "community_property_companies", metadata,
    sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"), primary_key=True),
    sa.Column("property_company_id", sa.String(40), sa.ForeignKey("property_companies.id"),
              primary_key=True),
)

users = sa.Table(
    "users", metadata,
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

assignments = sa.Table(
    "assignments", metadata,
    sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"), primary_key=True),
    sa.Column("assigned_ms", sa.BigInteger, nullable=False),
)

# Every assignment's span, kept beside ``assignments`` (which holds only today's): who
# covered a community during a past period (the evaluation, migration 0012).
assignment_periods = sa.Table(
    "assignment_periods", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
    sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"), nullable=False,
              index=True),
    sa.Column("from_ms", sa.BigInteger, nullable=False),
    sa.Column("to_ms", sa.BigInteger),  # empty while it lasts
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("device_id", sa.String(64), nullable=False),
    sa.Column("device_name", sa.String(100)),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("expires_ms", sa.BigInteger, nullable=False),
    sa.Column("revoked_ms", sa.BigInteger),
)

login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("at_ms", sa.BigInteger, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    # The client's address, for the per-address throttle (sync/domain/lockout.py).
    sa.Column("address", sa.String(64)),
    sa.Index("ix_login_attempts_username_at", "username", "at_ms"),
    sa.Index("ix_login_attempts_address_at", "address", "at_ms"),
)

# Console sessions (sync/domain/console_sessions.py): the cookie holds a random id, this
# table its SHA-256, like tokens. Not a bearer token: the API never reads this table.
console_sessions = sa.Table(
    "console_sessions", metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("began_ms", sa.BigInteger, nullable=False),
    sa.Column("seen_ms", sa.BigInteger, nullable=False),
    sa.Column("ended_ms", sa.BigInteger),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at_ms", sa.BigInteger, nullable=False, index=True),
    sa.Column("actor", sa.String(64)),  # username, or "cli" / "system"
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("target", sa.String(200)),
    sa.Column("detail", Json),
    sa.Column("source", sa.String(100)),  # client IP, or "cli"
)

# Every transaction that stamps versions on records or scope events claims them here, in
# the same transaction: its transaction id (PostgreSQL), its first and last version, its
# greatest HLC. The greatest committed claim is as far as a pull may read; the claims of
# transactions a pull saw in progress tell the next pull what they wrote below that
# (store/versions.py, migration 0011).
version_claims = sa.Table(
    "version_claims", metadata,
    sa.Column("xid", sa.BigInteger, index=True),
    sa.Column("first_version", sa.BigInteger, nullable=False),
    sa.Column("last_version", sa.BigInteger, nullable=False, index=True),
    # HLCs compare as bytes (sync/domain/hlc.py).
    sa.Column("max_hlc", sa.String(100).with_variant(sa.String(100, collation="C"),
                                                      "postgresql"),
              nullable=False, index=True),
)

# Every change to who may read which community, stamped with a version so a pull knows
# which communities entered (backfill) or left (purge) the user's scope since its cursor.
scope_events = sa.Table(
    "scope_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.String(40), nullable=False),
    sa.Column("community_id", sa.String(40), nullable=False),
    sa.Column("granted", sa.Boolean, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Index("ix_scope_events_user_version", "user_id", "version"),
)

records = sa.Table(
    "records", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("community_id", sa.String(40), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("fields", Json, nullable=False),
    # Who wrote each field's current value — what the merge needs; packed as
    # [[writer, …], {field: writer index}] (sync/domain/merge.py StoredMeta).
    sa.Column("field_meta", JsonText, nullable=False),
    sa.Column("created_by", sa.String(40), nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("updated_ms", sa.BigInteger, nullable=False),
    # Set when any applied write came from a device whose clock was off by > 5 min.
    sa.Column("clock_suspect", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_records_community_version", "community_id", "version"),
)

# Every mutation ever received, applied or rejected: exactly-once, the record history,
# the rejected-mutation store.
mutations = sa.Table(
    "mutations", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(40), nullable=False),
    sa.Column("device_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hlc", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("record_id", sa.Text, nullable=False),
    sa.Column("community_id", sa.Text, nullable=False),
    sa.Column("base_version", sa.BigInteger, nullable=False),
    sa.Column("fields", JsonText, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # applied | rejected
    sa.Column("error_code", sa.String(40)),
    sa.Column("error_message", sa.Text),
    sa.Column("error_field", sa.Text),
    sa.Column("received_ms", sa.BigInteger, nullable=False),
    sa.Column("device_offset_ms", sa.BigInteger),
    sa.Column("app_version", sa.Text),
    sa.Index("ix_mutations_outbox_seq", "user_id", "device_id", "seq"),
    # Only the rejected-mutation store is listed by time: index just those rows, so the
    # hot path (applied mutations) pays nothing for it.
    sa.Index("ix_mutations_rejected_received", "received_ms",
             sqlite_where=sa.text("status = 'rejected'"),
             postgresql_where=sa.text("status = 'rejected'")),
)

conflicts = sa.Table(
    "conflicts", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False, index=True),
    sa.Column("community_id", sa.String(40), nullable=False, index=True),
    sa.Column("field", sa.String(64), nullable=False),
    sa.Column("winner", Json, nullable=False),
    sa.Column("loser", Json, nullable=False),
    sa.Column("detected_ms", sa.BigInteger, nullable=False, index=True),
    sa.Column("resolved_ms", sa.BigInteger),
    sa.Column("resolved_by", sa.String(40)),
    sa.Column("resolution_mutation_id", sa.String(64)),
)

# One per user per device: how far the device's seq has been received without a gap.
outboxes = sa.Table(
    "outboxes", metadata,
    sa.Column("user_id", sa.String(40), primary_key=True),
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("acked_seq", sa.BigInteger, nullable=False),
    sa.Column("clock_offset_ms", sa.BigInteger),
    sa.Column("last_push_ms", sa.BigInteger),
    sa.Column("app_version", sa.Text),
)

blobs = sa.Table(
    "blobs", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("media_type", sa.String(40), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("uploaded_by", sa.String(40)),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

# Who has sent a blob's bytes (its uploaders; the QR intake for residents' photos).
blob_holders = sa.Table(
    "blob_holders", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(40), primary_key=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

# Which records refer to which blob, and who wrote the reference, so GET /blobs/{sha}
# can check the reader's scope and that the reference was made by a holder.
blob_refs = sa.Table(
    "blob_refs", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("community_id", sa.String(40), nullable=False),
    sa.Column("referred_by", sa.String(40)),
)
