"""Photos: upload (hash-checked, type-sniffed, size- and pixel-capped, metadata
stripped), what the uploader has not sent yet, reads by holders and by the readers of
records whose reference a holder made."""

from __future__ import annotations

import asyncio
import hashlib
import re

from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain import access
from sync.domain.images import MAX_PIXELS, ImageRefused, inspect
from sync.domain.metadata import strip_metadata
from sync.domain.roles import Actor
from sync.errors import DomainError
from sync.i18n import t
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
        """Keep the bytes, without their metadata, under the hash the client computed
        over them, and make ``actor`` one of their holders; True (201) when ``actor``
        did not hold them yet, False (200) when they send them again.

        Whether someone else sent them first is not told, by the status or by the work
        done: a second sender's bytes are checked like the first's."""
        _check_hash(sha256)
        if len(data) > self.max_bytes:
            raise DomainError("too_large")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise DomainError("hash_mismatch")
        async with read_transaction(self.engine) as conn:
            if await blobs.held_by(conn, actor.id, [sha256]):
                return False
            stored = await blobs.known(conn, [sha256])
        # Parsing a 10 MiB container takes a moment: off the event loop.
        kept, media_type = await asyncio.to_thread(_without_metadata, data)
        if not stored:
            # File first, then the row: a row never points at a missing file.
            self.folder.write(sha256, kept)
        async with write_transaction(self.engine) as conn:
            await blobs.add(conn, sha256=sha256, media_type=media_type, size=len(kept),
                            uploaded_by=actor.id, now_ms=self.clock.now_ms())
        return True

    async def missing(self, actor: Actor, hashes: list[str]) -> list[str]:
        """The hashes ``actor`` has not sent: whether anyone else has stays unsaid."""
        for index, value in enumerate(hashes):
            if not SHA256.match(value):
                raise DomainError("invalid_body", field=f"hashes[{index}]",
                                  detail=t("detail.sha256"))
        async with read_transaction(self.engine) as conn:
            held = await blobs.held_by(conn, actor.id, sorted(set(hashes)))
        return [h for h in dict.fromkeys(hashes) if h not in held]

    async def get(self, actor: Actor, sha256: str) -> tuple[bytes, str]:
        _check_hash(sha256)
        async with read_transaction(self.engine) as conn:
            scope = await org.record_scope(conn, actor)
            facts = await blobs.photo_facts(conn, sha256, reader=actor.id)
        readable = facts is not None and access.may_read_photo(
            scope, holds=facts.holds, referred_from=facts.referred_from)
        data = self.folder.read(sha256) if facts is not None and readable else None
        # Out of scope and absent look the same: a hash reveals nothing.
        if facts is None or data is None:
            raise DomainError("not_found")
        return data, facts.media_type


def _without_metadata(data: bytes) -> tuple[bytes, str]:
    try:
        facts = inspect(data)
        return strip_metadata(data, facts.media_type,
                              orientation=facts.orientation), facts.media_type
    except ImageRefused as refused:
        if refused.reason == "too_many_pixels":
            raise DomainError("too_large", message=t("detail.too_many_pixels",
                                                     limit=MAX_PIXELS // 10_000)) from None
        if refused.reason == "too_large":
            raise DomainError("too_large") from None
        raise DomainError("unsupported_type") from None


def _check_hash(sha256: str) -> None:
    if not SHA256.match(sha256):
        raise DomainError("invalid_request", field="sha256", detail=t("detail.sha256"))
