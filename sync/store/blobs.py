"""Content-addressed photo storage: a folder of files named by SHA-256, and their rows.

Files are written to a temporary name and renamed into place, so a killed upload never
leaves a half-written blob under a real hash.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from sync.db.tables import blob_holders, blob_refs, blobs
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


async def media_type_if_readable(conn: AsyncConnection, sha256: str, *, reader: str,
                                 communities: list[str] | None) -> str | None:
    """The blob's type when ``reader`` holds it, or when a record in ``communities``
    (None: any) refers to it by a reference whose writer holds it.

    The second condition is what makes a hash no capability: pointing an attachment
    at a hash one has never sent opens nothing."""
    referrer_holds = sa.exists().where(blob_holders.c.sha256 == blob_refs.c.sha256,
                                       blob_holders.c.user_id == blob_refs.c.referred_by)
    referred = sa.select(blob_refs.c.sha256).where(blob_refs.c.sha256 == sha256,
                                                   referrer_holds)
    if communities is not None:
        referred = referred.where(blob_refs.c.community_id.in_(communities))
    reader_holds = sa.exists().where(blob_holders.c.sha256 == sha256,
                                     blob_holders.c.user_id == reader)
    query = sa.select(blobs.c.media_type).where(
        blobs.c.sha256 == sha256, sa.or_(reader_holds, sa.exists(referred)))
    row = (await conn.execute(query)).first()
    return row.media_type if row else None
