"""Content-addressed photo storage: a folder of files named by SHA-256, and their rows.

Files are written to a temporary name and renamed into place, so a killed upload never
leaves a half-written blob under a real hash.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import blob_holders, blob_refs, blobs, communities
from sync.store.upsert import insert_missing


class BlobFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def write(self, sha256: str, data: bytes) -> None:
        target = self.path(sha256)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, sha256: str) -> bytes | None:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None


async def known(conn: AsyncConnection, hashes: list[str]) -> set[str]:
    """The hashes whose bytes are stored, whoever sent them."""
    if not hashes:
        return set()
    rows = await conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(hashes)))
    return {r.sha256 for r in rows}


async def held_by(conn: AsyncConnection, user_id: str, hashes: list[str]) -> set[str]:
    """The hashes whose bytes ``user_id`` has sent."""
    if not hashes:
        return set()
    rows = await conn.execute(sa.select(blob_holders.c.sha256).where(
        blob_holders.c.user_id == user_id, blob_holders.c.sha256.in_(hashes)))
    return {r.sha256 for r in rows}


async def add(conn: AsyncConnection, *, sha256: str, media_type: str, size: int,
              uploaded_by: str, now_ms: int) -> None:
    """The blob's row, if it is new, and ``uploaded_by`` as one of its holders."""
    await insert_missing(conn, blobs, [{"sha256": sha256, "media_type": media_type,
                                        "size": size, "uploaded_by": uploaded_by,
                                        "created_ms": now_ms}])
    await hold(conn, sha256=sha256, user_id=uploaded_by, now_ms=now_ms)


async def hold(conn: AsyncConnection, *, sha256: str, user_id: str, now_ms: int) -> None:
    await insert_missing(conn, blob_holders, [{"sha256": sha256, "user_id": user_id,
                                               "created_ms": now_ms}])


class PhotoFacts(NamedTuple):
    """What the access policy decides a photo's reading by (``access.may_read_photo``)."""

    media_type: str
    holds: bool  # the reader has sent the bytes
    # (community id, squad id) of each record referring to the photo by a reference
    # whose writer holds the bytes; squad None for a community that is gone.
    referred_from: list[tuple[str, str | None]]


async def photo_facts(conn: AsyncConnection, sha256: str, *, reader: str) -> PhotoFacts | None:
    """The stored photo's type, whether ``reader`` holds it and where holders refer to
    it; None when no bytes are stored under the hash."""
    reader_holds = sa.exists().where(blob_holders.c.sha256 == sha256,
                                     blob_holders.c.user_id == reader)
    row = (await conn.execute(sa.select(blobs.c.media_type, reader_holds.label("holds"))
                              .where(blobs.c.sha256 == sha256))).first()
    if row is None:
        return None
    referrer_holds = sa.exists().where(blob_holders.c.sha256 == blob_refs.c.sha256,
                                       blob_holders.c.user_id == blob_refs.c.referred_by)
    refs = await conn.execute(
        sa.select(blob_refs.c.community_id, communities.c.squad_id).distinct()
        .join(communities, communities.c.id == blob_refs.c.community_id, isouter=True)
        .where(blob_refs.c.sha256 == sha256, referrer_holds))
    return PhotoFacts(media_type=row.media_type, holds=bool(row.holds),
                      referred_from=[(r.community_id, r.squad_id) for r in refs])
