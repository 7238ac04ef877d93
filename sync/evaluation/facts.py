"""What the evaluation reads and what it answers with: plain values, no I/O."""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

import msgspec
from msgspec.structs import force_setattr

from schema import stored
from schema.kinds import RecordKind
from sync.domain.org import Card, Community

K = TypeVar("K", bound=RecordKind)


class Rec(msgspec.Struct, Generic[K], frozen=True):
    """A merged record as the evaluation sees it.

    ``record`` is ``fields`` read as its kind (schema/stored.py), done once here: what the
    formulas read (``Scope.of(Case)`` gives ``Rec[Case]``). ``fields`` stays as stored,
    for the references (sync/domain/refs.py) and the record page, which shows it all.
    """

    id: str
    kind: str
    community_id: str
    fields: dict[str, Any]
    created_by: str
    created_ms: int
    updated_ms: int
    record: K = cast(Any, None)  # set from ``fields`` on construction

    def __post_init__(self) -> None:
        force_setattr(self, "record", stored.read(self.kind, self.fields))

    @property
    def voided(self) -> bool:
        return bool(self.record.voided)

    def time_ms(self, name: str) -> int | None:
        """A time field in Unix ms; None when missing or unreadable."""
        return stored.time_ms(getattr(self.record, name, None))


class Workroom(msgspec.Struct, frozen=True):
    """A community's workroom as the evaluation sees it: the community and its public
    card (sync/domain/org.py), with its liaisons and its posted QR codes."""

    card: Card
    # Its liaisons and when each covered it: (user id, from ms, to ms or None while it
    # lasts).
    liaison_spans: tuple[tuple[str, int, int | None], ...] = ()
    # Where the community's QR codes are posted and not revoked (R3).
    qr_placements: frozenset[str] = frozenset()

    @property
    def community(self) -> Community:
        return self.card.community

    @property
    def community_id(self) -> str:
        return self.card.community.id

    @property
    def name(self) -> str:
        return self.card.community.name

    @property
    def squad_id(self) -> str:
        return self.card.community.squad_id

    @property
    def squad_name(self) -> str:
        return self.card.community.squad_name

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
