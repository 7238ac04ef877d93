"""The residents' side: scanning a code, reporting, tracking, and saying if it was solved.

A report becomes a ``case`` (source ``qr``) and its photos ``attachment`` records through
the same merge as any device's push (services/server_writes.py), so it reaches the
community's liaisons on their next pull and appears in the ledger.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.lists import categories, sla_for
from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain.images import MAX_PIXELS
from sync.domain.org import Card
from sync.domain.shanghai import wire_iso
from sync.errors import DomainError
from sync.qr import rules
from sync.qr.photos import MAX_PHOTOS, Photo, PhotoRefused, reencode_in_turn
from sync.qr.tracking import TrackingView, tracking_view
from sync.services.server_writes import QR_DEVICE, RESIDENT_INTAKE, ServerWrite, write_records
from sync.store import blobs, locks, org
from sync.store import qr as store
from sync.store.blobs import BlobFolder
from sync.store.qr import QrCode

MAX_DESCRIPTION = 2000
MAX_LOCATION = 200
OUTCOMES = ("solved", "partly_solved", "not_solved")


class ReportForm(msgspec.Struct, frozen=True):
    """What the resident typed, as received (validated by ``check_report``)."""

    category: str = ""
    description: str = ""
    location: str = ""
    phone: str = ""
    honeypot: str = ""


class Submitted(msgspec.Struct, frozen=True):
    token: str
    tracking_number: str
    case_id: str


def open_categories() -> list[str]:
    return [c.value for c in categories() if not c.retired]


def check_report(form: ReportForm, *, photo_count: int) -> str:
    """The normalised phone ('' when none), or raise the first field error. Pure."""
    if form.honeypot:
        # Only a robot fills a field that no person can see.
        raise DomainError("qr_honeypot")
    if form.category not in open_categories():
        raise DomainError("qr_invalid_category", field="category")
    if not form.description.strip():
        raise DomainError("qr_missing_description", field="description")
    if len(form.description) > MAX_DESCRIPTION:
        raise DomainError("qr_description_too_long", field="description", limit=MAX_DESCRIPTION)
    if len(form.location) > MAX_LOCATION:
        raise DomainError("qr_location_too_long", field="location", limit=MAX_LOCATION)
    phone = rules.normalise_phone(form.phone)
    if phone is None:
        raise DomainError("qr_invalid_phone", field="phone")
    if photo_count > MAX_PHOTOS:
        raise DomainError("qr_too_many_photos", field="photos", limit=MAX_PHOTOS)
    return phone


class InFlight:
    """Reports of this process accepted for decoding and not yet stored or refused."""

    def __init__(self) -> None:
        self.by_client: Counter[str] = Counter()
        self.by_code: Counter[str] = Counter()

    @contextmanager
    def count(self, client_key: str, code: str) -> Iterator[None]:
        self.by_client[client_key] += 1
        self.by_code[code] += 1
        try:
            yield
        finally:
            # Subtracting a Counter drops the keys that reach zero.
            self.by_client -= Counter({client_key: 1})
            self.by_code -= Counter({code: 1})


async def _reencoded(raw: bytes) -> Photo:
    try:
        return await reencode_in_turn(raw)
    except PhotoRefused as refused:
        if refused.code == "qr_photo_too_many_pixels":
            raise DomainError(refused.code, field="photos", limit=MAX_PIXELS // 10_000) from None
        raise DomainError(refused.code, field="photos") from None


class QrIntake:
    def __init__(self, engine: AsyncEngine, clock: Clock, folder: BlobFolder, *,
                 secret: str, limits: rules.Limits | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.folder = folder
        self.secret = secret
        self.limits = limits or rules.Limits()
        self._in_flight = InFlight()

    async def scan(self, code: str, *, address: str | None) -> tuple[QrCode, Card | None]:
        """The code a resident opened, counted as a scan; raise when it cannot take reports."""
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            found = await _usable(conn, code)
            await store.record_scan(conn, found, client_key=self._key(address), now_ms=now)
            return found, await org.card(conn, found.community_id)

    async def find_usable(self, code: str) -> tuple[QrCode, Card | None]:
        async with read_transaction(self.engine) as conn:
            found = await _usable(conn, code)
            return found, await org.card(conn, found.community_id)

    async def submit(self, code: str, form: ReportForm, photos: list[bytes], *,
                     address: str | None) -> Submitted:
        phone = check_report(form, photo_count=len(photos))
        key = self._key(address)
        # A first, unlocked look: a revoked code or a flood is refused before any photo
        # is decoded or written. Reports still being decoded count against the flood
        # limit too, or eight sent at once would all pass it.
        async with read_transaction(self.engine) as conn:
            found = await _usable(conn, code)
            by_client, by_code = await self._recent(conn, found, key)
        # The check and the count with no await between them, so reports arriving
        # together each see the others already counted. Counted until stored or refused:
        # a report whose photos are decoded but not yet committed still counts.
        self._refuse_a_flood(by_client + self._in_flight.by_client[key],
                             by_code + self._in_flight.by_code[found.code])
        with self._in_flight.count(key, found.code):
            kept = [await _reencoded(raw) for raw in photos]
            return await self._store(code, form, phone, kept, key=key)

    async def _store(self, code: str, form: ReportForm, phone: str, kept: list[Photo], *,
                     key: str) -> Submitted:
        for photo in kept:
            # File first, then the row: a row never points at a missing file.
            self.folder.write(photo.sha256, photo.data)
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            # One report at a time, so two at once cannot both squeeze under a limit.
            await locks.hold(conn, "qr-intake")
            found = await _usable(conn, code)
            self._refuse_a_flood(*await self._recent(conn, found, key))
            case_id = str(uuid.uuid4())
            token = rules.new_tracking_token()
            number = await self._free_number(conn, now)
            for photo in kept:
                await blobs.add(conn, sha256=photo.sha256, media_type=photo.media_type,
                                size=len(photo.data), uploaded_by=RESIDENT_INTAKE.id,
                                now_ms=now)
            writes = [ServerWrite(kind="case", record_id=case_id,
                                  community_id=found.community_id,
                                  fields=_case_fields(form, phone, found, number, now))]
            writes += [ServerWrite(kind="attachment", record_id=str(uuid.uuid4()),
                                   community_id=found.community_id, fields={
                                       "parent_kind": "case", "parent_id": case_id,
                                       "sha256": p.sha256, "media_type": p.media_type})
                       for p in kept]
            await write_records(conn, writes, author=RESIDENT_INTAKE, device_id=QR_DEVICE,
                                now_ms=now)
            await store.add_report(conn, token_sha256=rules.token_hash(token),
                                   tracking_number=number, case_id=case_id, found=found,
                                   now_ms=now)
            await store.record_report_event(conn, found, client_key=key, now_ms=now)
        return Submitted(token=token, tracking_number=number, case_id=case_id)

    async def track(self, token: str) -> TrackingView:
        async with read_transaction(self.engine) as conn:
            report = await _report(conn, token)
            fields = await store.case_fields(conn, report.case_id) or {}
            steps = await store.case_steps(conn, case_id=report.case_id,
                                           community_id=report.community_id)
            card = await org.card(conn, report.community_id)
        return tracking_view(report, fields, steps, card)

    async def give_feedback(self, token: str, *, outcome: str, satisfaction: str,
                            comment: str) -> None:
        """The resident's answer once the case is dealt with; it lands on the case."""
        if outcome not in OUTCOMES:
            raise DomainError("qr_feedback_incomplete", field="outcome")
        if satisfaction not in ("1", "2", "3", "4", "5"):
            raise DomainError("qr_feedback_incomplete", field="satisfaction")
        if len(comment) > 500:
            raise DomainError("qr_description_too_long", field="comment", limit=500)
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            report = await _report(conn, token)
            view = tracking_view(report, await store.case_fields(conn, report.case_id) or {},
                                 [], None)
            if not view.may_give_feedback:
                raise DomainError("qr_feedback_closed")
            fields: dict[str, object] = {"resident_outcome": outcome,
                                         "resident_satisfaction": int(satisfaction)}
            if comment.strip():
                fields["resident_comment"] = comment.strip()
            await write_records(conn, [ServerWrite(
                kind="case", record_id=report.case_id, community_id=report.community_id,
                fields=fields)], author=RESIDENT_INTAKE, device_id=QR_DEVICE, now_ms=now)
            await store.mark_feedback(conn, rules.token_hash(token), now_ms=now)

    @staticmethod
    async def _free_number(conn: AsyncConnection, now_ms: int) -> str:
        # Six letters a day are plenty, but not unique: draw again on a clash (safe, as
        # the write lock is held).
        while True:
            number = rules.tracking_number(now_ms)
            if not await store.tracking_number_taken(conn, number):
                return number

    async def _recent(self, conn: AsyncConnection, found: QrCode, key: str) -> tuple[int, int]:
        """Reports stored in the window: from this client, and on this code."""
        since = self.clock.now_ms() - self.limits.window_ms
        return await store.recent_reports(conn, client_key=key, code=found.code,
                                          since_ms=since)

    def _refuse_a_flood(self, by_client: int, by_code: int) -> None:
        too_many = rules.refusal(reports_from_client=by_client, reports_on_code=by_code,
                                 limits=self.limits)
        if too_many is not None:
            raise DomainError(too_many)

    def _key(self, address: str | None) -> str:
        return rules.client_key(address, secret=self.secret)


async def _usable(conn: AsyncConnection, code: str) -> QrCode:
    found = await store.find_code(conn, code) if rules.looks_like_code(code) else None
    if found is None:
        raise DomainError("qr_unknown_code")
    if not found.active:
        raise DomainError("qr_revoked_code")
    return found


async def _report(conn: AsyncConnection, token: str) -> store.Report:
    report = (await store.find_report(conn, rules.token_hash(token))
              if rules.looks_like_token(token) else None)
    if report is None:
        raise DomainError("qr_unknown_tracking")
    return report


def _case_fields(form: ReportForm, phone: str, found: QrCode, number: str,
                 now_ms: int) -> dict[str, object]:
    description = form.description.strip()
    first_line = " ".join(description.split())[:40]
    due_ms = now_ms + int(timedelta(days=sla_for(category=form.category, source="qr")
                                    .resolve_days).total_seconds() * 1000)
    fields: dict[str, object] = {
        "title": f"{form.category}：{first_line}", "category": form.category, "source": "qr",
        "description": description, "status": "received", "reopen_count": 0,
        "qr_placement": found.placement, "qr_tracking_number": number, "due_at": wire_iso(due_ms)}
    if form.location.strip():
        fields["location"] = form.location.strip()
    if phone:
        fields["reporter_phone"] = phone
    return fields
