"""References between records (schema/kinds.py ``REFS``): a child names its parent by id.

A reference must name a record of the right kind in the child's own community (which
the writer may write: ``check_alone`` saw to the child's) — the access policy's
``may_refer``. A push checks what it can
see — the records stored and those its own batch creates, earlier or later in it — and
rejects a mutation whose reference names one of another kind or community
``forbidden``, on creation and on any later change of the reference.

A reference to a record that does not exist yet is accepted: offline, a child may reach
the server before its parent (another device's, or this device's next push). Should
that parent then turn out to live in another community, the child is still never
joined to it, because every reader finds a child's parent by (community, id) —
``parent_key`` against ``key``, or ``belongs`` — never by id alone. Pure.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any, NamedTuple, Protocol

from schema.kinds import REFS, Ref
from sync.domain.access import may_refer
from sync.domain.merge import RecordState
from sync.errors import DomainError
from sync.protocol import Mutation


class Place(NamedTuple):
    """What a reference is checked against: a record's kind and community."""

    kind: str
    community_id: str


def _named(kind: str, fields: Mapping[str, Any],
           stored: Mapping[str, Any]) -> Iterator[tuple[Ref, str, str | None]]:
    """(reference, id, kind it must name) for each reference a mutation sets: its id or
    the field naming its kind is sent; the other half may be the stored record's."""
    for ref in REFS.get(kind, ()):
        if ref.field not in fields and (ref.kind_field is None or ref.kind_field not in fields):
            continue
        target = fields[ref.field] if ref.field in fields else stored.get(ref.field)
        if not isinstance(target, str):
            continue  # cleared; or not an id, which invalid_field reports
        wanted = ref.kind
        if ref.kind_field is not None:
            named = fields.get(ref.kind_field, stored.get(ref.kind_field))
            wanted = named if isinstance(named, str) else None
        yield ref, target, wanted


def referenced_ids(mutations: Iterable[Mutation],
                   stored: Mapping[str, RecordState]) -> set[str]:
    """The ids these mutations' references name (``stored``: the records they touch)."""
    found: set[str] = set()
    for m in mutations:
        record = stored.get(m.record_id)
        found.update(target for _, target, _ in _named(
            m.kind, m.fields, record.fields if record is not None else {}))
    return found


def batch_places(mutations: Iterable[Mutation], known: Mapping[str, Place], *,
                 named: Collection[str]) -> dict[str, Place]:
    """Where each ``named`` record is: as ``known`` (stored), else as the first of the
    batch's mutations that writes it says; unknown records are left out."""
    places = {i: known[i] for i in named if i in known}
    if len(places) < len(named):
        for m in mutations:
            if m.record_id in named:
                places.setdefault(m.record_id, Place(m.kind, m.community_id))
    return places


def check_refs(mutation: Mutation, stored: RecordState | None, *,
               places: Mapping[str, Place]) -> DomainError | None:
    """``forbidden`` if a reference the mutation sets names a record known (``places``)
    to be of another kind or in another community than the mutation's."""
    if not places:
        return None  # nothing named is known: the usual push of new records
    for ref, target, wanted in _named(mutation.kind, mutation.fields,
                                      stored.fields if stored is not None else {}):
        place = places.get(target)
        if place is None:
            continue  # not here yet: its parent may come later (offline order)
        if not may_refer(child_community_id=mutation.community_id, parent_kind=place.kind,
                         parent_community_id=place.community_id, wanted_kind=wanted):
            sent = ref.field if ref.field in mutation.fields else ref.kind_field
            return DomainError("forbidden", field=sent)
    return None


# --- for readers -------------------------------------------------------------------------

class Placed(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def community_id(self) -> str: ...
    @property
    def fields(self) -> dict[str, Any]: ...


def key(record: Placed) -> tuple[str, str]:
    """A parent as readers find it: by community and id."""
    return (record.community_id, record.id)


def parent_key(child: Placed, field: str) -> tuple[str, Any]:
    """The ``key`` of the parent ``child`` names in ``field``: in the child's community,
    so a child naming another community's record is nobody's child."""
    return (child.community_id, child.fields.get(field))


def belongs(child: Placed, parent: Placed) -> bool:
    """Whether ``child`` may be shown as ``parent``'s: it may name it, whatever its kind."""
    return may_refer(child_community_id=child.community_id,
                     parent_community_id=parent.community_id)
