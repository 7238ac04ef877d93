"""Photos: upload (hash-checked, type-sniffed, size-capped), what is missing, scoped reads."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain.images import sniff_image
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.store import blobs, org
from sync.store.blobs import BlobFolder

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobService:
    def __init__(self, engine: AsyncEngine, clock: Clock, folder: BlobFolder, *,
                 max_bytes: int) -> None:
        self.engine = engine
        self.clock = clock
        self.folder = folder
        self.max_bytes = max_bytes

    async def put(self, actor: Actor, sha256: str, data: bytes) -> bool:
        """Store the bytes; True when they were new."""
        _check_hash(sha256)
        if len(data) > self.max_bytes:
            raise DomainError("too_large")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DomainError("hash_mismatch")
        media_type = sniff_image(data)
        if media_type is None:
            raise DomainError("unsupported_type")
        async with read_transaction(self.engine) as conn:
            if await blobs.known(conn, [sha256]):
                return False
        # File first, then the row: a row never points at a missing file.
        self.folder.write(sha256, data)
        async with write_transaction(self.engine) as conn:
            await blobs.add(conn, sha256=sha256, media_type=media_type, size=len(data),
                            uploaded_by=actor.id, now_ms=self.clock.now_ms())
        return True

    async def missing(self, hashes: list[str]) -> list[str]:
        for index, value in enumerate(hashes):
            if not SHA256.match(value):
                raise DomainError("invalid_body", field=f"hashes[{index}]", detail="sha256")
        async with read_transaction(self.engine) as conn:
            known = await blobs.known(conn, sorted(set(hashes)))
        return [h for h in dict.fromkeys(hashes) if h not in known]

    async def get(self, actor: Actor, sha256: str) -> tuple[bytes, str]:
        _check_hash(sha256)
        async with read_transaction(self.engine) as conn:
            scope = None if actor.role is Role.BUREAU else [
                c.id for c in await org.scope(conn, actor)]
            media_type = await blobs.media_type_if_readable(conn, sha256, scope)
        data = self.folder.read(sha256) if media_type else None
        # Out of scope and absent look the same: a hash reveals nothing.
        if media_type is None or data is None:
            raise DomainError("not_found")
        return data, media_type


def _check_hash(sha256: str) -> None:
    if not SHA256.match(sha256):
        raise DomainError("invalid_request", field="sha256", detail="sha256")
