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

from sync.db.tables import blob_refs, blobs
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
    if not hashes:
        return set()
    rows = await conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256.in_(hashes)))
    return {r.sha256 for r in rows}


async def add(conn: AsyncConnection, *, sha256: str, media_type: str, size: int,
              uploaded_by: str, now_ms: int) -> None:
    await insert_missing(conn, blobs, [{"sha256": sha256, "media_type": media_type,
                                        "size": size, "uploaded_by": uploaded_by,
                                        "created_ms": now_ms}])


async def media_type_if_readable(conn: AsyncConnection, sha256: str,
                                 communities: list[str] | None) -> str | None:
    """The blob's type when a record in ``communities`` (None: any) refers to it."""
    query = (sa.select(blobs.c.media_type)
             .join(blob_refs, blob_refs.c.sha256 == blobs.c.sha256)
             .where(blobs.c.sha256 == sha256).limit(1))
    if communities is not None:
        query = query.where(blob_refs.c.community_id.in_(communities))
    row = (await conn.execute(query)).first()
    return row.media_type if row else None
