"""What the evaluation reads and what it answers with: plain values, no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class Rec(msgspec.Struct, frozen=True):
    """A merged record as the evaluation sees it."""

    id: str
    kind: str
    community_id: str
    fields: dict[str, Any]
    created_by: str
    created_ms: int
    updated_ms: int

    @property
    def voided(self) -> bool:
        return bool(self.fields.get("voided"))

    def time_ms(self, name: str) -> int | None:
        """A time field in Unix ms; None when missing or unreadable."""
        value = self.fields.get(name)
        if not isinstance(value, str):
            return None
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
        except ValueError:
            return None

    def text(self, name: str) -> str:
        value = self.fields.get(name)
        return value.strip() if isinstance(value, str) else ""


class Workroom(msgspec.Struct, frozen=True):
    """A community's workroom with its squad, public card and liaisons."""

    community_id: str
    name: str
    squad_id: str
    squad_name: str
    card_name: str | None = None
    card_phone: str | None = None
    card_wechat: str | None = None
    # Its liaisons and when each covered it: (user id, from ms, to ms or None while it
    # lasts).
    liaison_spans: tuple[tuple[str, int, int | None], ...] = ()
    # Where the community's QR codes are posted and not revoked (R3).
    qr_placements: frozenset[str] = frozenset()

    @property
    def liaison_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(user_id for user_id, _, _ in self.liaison_spans))


class Evidence(msgspec.Struct, frozen=True):
    """One fact behind a number: the record (when there is one) and whether it counted."""

    note: str
    counted: bool
    record_id: str | None = None
    kind: str | None = None


class Measure(msgspec.Struct, frozen=True):
    """A formula's result: ``value`` in 0..1 of the criterion's weight, and why."""

    value: float
    detail: str
    evidence: tuple[Evidence, ...] = ()


class ManualScore(msgspec.Struct, frozen=True):
    """A reviewer's score for a reviewer-scored criterion; the latest one counts."""

    id: str
    period: str
    community_id: str
    criterion_id: str
    points: float
    note: str
    by_user: str
    by_name: str
    at_ms: int
    contested_by: str | None = None
    contest_reason: str | None = None
    contested_ms: int | None = None
