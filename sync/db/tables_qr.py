"""Tables of the residents' QR intake (issue 5): posted codes, reports, and use events.

Times are Unix milliseconds like every other table. Residents are not users: what
identifies a report to its resident is a random tracking token, stored only hashed.
"""

from __future__ import annotations

import sqlalchemy as sa

from sync.db.tables import metadata

# The registry of posted codes. A code is random and never reused; replacing one
# revokes it and points at its successor, so a scan of an old poster can say so.
qr_codes = sa.Table(
    "qr_codes", metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("community_id", sa.String(40), sa.ForeignKey("communities.id"), nullable=False,
              index=True),
    sa.Column("placement", sa.String(50), nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("posted_ms", sa.BigInteger, nullable=False),
    sa.Column("revoked_ms", sa.BigInteger),
    sa.Column("replaced_by", sa.String(32)),
    sa.Column("last_scan_ms", sa.BigInteger),
)

# One row per resident report: how the tracking page finds its case.
qr_reports = sa.Table(
    "qr_reports", metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("tracking_number", sa.String(20), nullable=False, unique=True),
    sa.Column("case_id", sa.String(64), nullable=False, index=True),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("community_id", sa.String(40), nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("feedback_ms", sa.BigInteger),
)

# Scans (page views) and accepted reports: the use figures of R7 and the rate limits.
# ``client_key`` is a keyed hash of the address, never the address itself (PIPL).
qr_events = sa.Table(
    "qr_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event", sa.String(10), nullable=False),  # scan | report
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("community_id", sa.String(40), nullable=False),
    sa.Column("client_key", sa.String(32)),
    sa.Column("at_ms", sa.BigInteger, nullable=False),
    sa.Index("ix_qr_events_client_at", "event", "client_key", "at_ms"),
    sa.Index("ix_qr_events_code_at", "event", "code", "at_ms"),
    sa.Index("ix_qr_events_community_at", "community_id", "at_ms"),
)
