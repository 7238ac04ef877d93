"""Tables of the supervisors' console (issue 6).

``console_visits`` holds each visit's times as numbers, kept by database triggers on
``records`` (migration 0004): the weekly compliance matrix reads a quarter of a
district's visits from it without opening every visit's JSON. Nothing in Python writes
it, so no write path — device push, server write, import — can forget to.
"""

from __future__ import annotations

import sqlalchemy as sa

from sync.db.tables import metadata

console_visits = sa.Table(
    "console_visits", metadata,
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("community_id", sa.String(40), nullable=False),
    sa.Column("liaison_id", sa.String(40), nullable=False),
    # Unix ms; NULL when the device sent a time the database could not read.
    sa.Column("start_ms", sa.BigInteger),
    sa.Column("end_ms", sa.BigInteger),
    sa.Column("voided", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_console_visits_start", "start_ms", "community_id"),
)

# Each case's ledger columns, kept by triggers on ``records`` like ``console_visits``: the
# ledger filters, counts and pages here and opens only the page's 50 records.
console_cases = sa.Table(
    "console_cases", metadata,
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("community_id", sa.String(40), nullable=False),
    sa.Column("received_ms", sa.BigInteger, nullable=False),
    sa.Column("source", sa.String(40)),
    sa.Column("category", sa.String(40)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Index("ix_console_cases_community_received", "community_id", "received_ms"),
    sa.Index("ix_console_cases_received", "received_ms"),
)

# A supervisor's note that a rejected mutation has been dealt with (the device resent it
# corrected, or it needs nothing): the rejected store itself is never changed.
console_rejected_handled = sa.Table(
    "console_rejected_handled", metadata,
    sa.Column("mutation_id", sa.String(64), primary_key=True),
    sa.Column("handled_ms", sa.BigInteger, nullable=False),
    sa.Column("handled_by", sa.String(40), nullable=False),
    sa.Column("note", sa.Text),
)
