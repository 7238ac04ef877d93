"""Records written by the server itself — a conflict resolved in the console, a resident's
QR report, a supervisor's reopen — go through the same merge as any device's push.

They come from a pseudo-device per source, with their own seq per author, so the
mutation log, exactly-once and the pull feed treat them like every other write.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.domain.batch import BatchOutcome
from sync.domain.hlc import CONSOLE_DEVICE, QR_DEVICE, next_after, server_hlc
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.protocol import Mutation
from sync.services.sync import merge_received, receive
from sync.store import outboxes, records, versions

__all__ = ["CONSOLE_DEVICE", "QR_DEVICE", "RESIDENT_INTAKE", "ServerWrite", "write_records"]


# Residents are not users: their reports are written by this author, whose scope (the
# bureau's) covers every community.
RESIDENT_INTAKE = Actor(id="system-qr", username="system-qr", name="扫码上报",
                        role=Role.BUREAU, squad_id=None)


class ServerWrite(msgspec.Struct, frozen=True):
    kind: str
    record_id: str
    community_id: str
    fields: dict[str, Any]


async def write_records(conn: AsyncConnection, writes: list[ServerWrite], *, author: Actor,
                        device_id: str, now_ms: int) -> BatchOutcome:
    """Apply ``writes`` as one batch in the caller's write transaction.

    Any rejection raises (and so rolls the caller's transaction back): a server-made
    write that the schema refuses is a bug or bad input to report, not to keep.
    """
    stored = await records.load(conn, [w.record_id for w in writes])
    seq = await outboxes.acked_seq(conn, user_id=author.id, device_id=device_id)
    latest = server_hlc(now_ms=now_ms, max_applied=(await versions.horizon(conn)).max_hlc)
    mutations = []
    for write in writes:
        seq += 1
        latest = next_after(latest, now_ms=now_ms, device_id=device_id)
        known = stored.get(write.record_id)
        mutations.append(Mutation(
            id=str(uuid.uuid4()), seq=seq, hlc=latest, kind=write.kind,
            record_id=write.record_id, community_id=write.community_id,
            base_version=known.version if known else 0, fields=write.fields))
    # The records are locked before the outbox here, the other way round in a push: no
    # phone pushes under a server device's name (sync/domain/hlc.py), so the two orders
    # never meet.
    received = await receive(conn, actor=author, device_id=device_id, mutations=mutations,
                             now_ms=now_ms, device_offset_ms=None, app_version=None)
    out = await merge_received(conn, received, actor=author, device_id=device_id,
                               now_ms=now_ms)
    for _, status, error in out.results:
        if error is not None:
            raise DomainError("invalid_body", field=error.field, detail=error.message)
        assert status == "applied"
    return out
