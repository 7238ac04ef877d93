"""A push batch, in two pure steps either side of reading the stored records.

1. ``screen`` (before they are read): repeats of an id within the batch are dropped and
   every check that needs no stored record runs. The store then logs every screened
   mutation in one statement that skips ids the log already holds: those are duplicates.
2. ``merge_batch`` (with the touched records read and row-locked, the records their
   references name placed, and versions claimed): the checks against the stored records
   and the merge, for the mutations the log did not hold before.

The store loads what each step needs (the device's seqs, the user's writable
communities, the touched records, the kind and community of the other records named)
in a few queries and writes the outcome in a few bulk statements — never a query per
mutation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import msgspec

from sync.domain import merge, text
from sync.domain.refs import Place
from sync.domain.roles import Actor
from sync.domain.validate import check_alone, check_stored
from sync.errors import DomainError
from sync.i18n import t
from sync.protocol import Mutation


class Logged(NamedTuple):
    """One received mutation for the mutation log: applied (no error) or rejected."""

    mutation: Mutation
    error: DomainError | None


class Screened(NamedTuple):
    """A mutation after the checks that need no stored record."""

    mutation: Mutation  # as logged: NUL characters replaced
    error: DomainError | None  # None: to apply, unless the stored record objects
    final: bool  # the error comes before every check against a stored record


def screen(mutations: list[Mutation], *, actor: Actor, device_id: str, now_ms: int,
           seq_owners: Mapping[int, str], writable: frozenset[str],
           may_hold_forbidden: bool = True) -> list[Screened | None]:
    """One entry per mutation, in batch order: None for a repeat of an earlier id.

    ``seq_owners`` maps this device's logged seqs to their mutation ids. Pass
    ``may_hold_forbidden=False`` when ``text.may_hold_forbidden`` found nothing in the
    raw body, which saves looking through every string of every mutation.

    A rejected mutation is logged as ``text.for_log`` leaves it (its strings cleaned, its
    depth and size bounded), so the rejected-mutation store holds nothing its readers
    cannot take.
    """
    if may_hold_forbidden:
        _check_ids(mutations)
    owners = dict(seq_owners)
    seen: set[str] = set()
    screened: list[Screened | None] = []
    for mutation in mutations:
        if mutation.id in seen:
            screened.append(None)
            continue
        seen.add(mutation.id)
        refused = _forbidden_text(mutation) if may_hold_forbidden else None
        if refused is not None:
            # Keep a readable copy in the rejected store (PostgreSQL cannot hold NUL, an
            # export no C0 control) rather than failing the whole push.
            screened.append(Screened(_for_log(mutation), refused, True))
            continue
        error, final = check_alone(mutation, actor=actor, device_id=device_id, now_ms=now_ms,
                                   seq_owner=owners.get(mutation.seq), writable=writable)
        owners.setdefault(mutation.seq, mutation.id)
        screened.append(Screened(mutation if error is None else _for_log(mutation),
                                 error, final))
    return screened


def to_log(screened: list[Screened | None]) -> list[Logged]:
    """The mutation-log rows of a screened batch, as screening found them."""
    return [Logged(s.mutation, s.error) for s in screened if s is not None]


@dataclass
class BatchOutcome:
    results: list[tuple[str, str, DomainError | None]] = field(default_factory=list)
    records: dict[str, merge.RecordState] = field(default_factory=dict)
    # Mutations the stored records rejected after they were logged: their log rows change.
    relogged: list[Logged] = field(default_factory=list)
    conflicts: list[merge.Conflict] = field(default_factory=list)
    max_hlc: str = ""


def merge_batch(mutations: list[Mutation], screened: list[Screened | None], *,
                fresh: Collection[str], records: Mapping[str, merge.RecordState],
                places: Mapping[str, Place], actor: Actor, device_id: str, now_ms: int,
                versions: Sequence[int], max_hlc: str, clock_suspect: bool) -> BatchOutcome:
    """Merge a screened batch into the stored ``records``.

    ``fresh`` are the ids the mutation log did not hold before this batch; every other
    mutation is a duplicate. ``places``: what the batch's references name
    (``refs.batch_places``). Each applied mutation takes the next of ``versions``
    (ascending; at least one per mutation that may apply). Returns a result per
    mutation, in batch order.
    """
    out = BatchOutcome(max_hlc=max_hlc)
    unused = iter(versions)
    for mutation, entry in zip(mutations, screened, strict=True):
        # The log holds the screened copy (its id, too, without NUL characters).
        if entry is None or entry.mutation.id not in fresh:
            out.results.append((mutation.id, "duplicate", None))
            continue
        if entry.final:
            out.results.append((mutation.id, "rejected", entry.error))
            continue
        stored = out.records.get(mutation.record_id) or records.get(mutation.record_id)
        error = check_stored(mutation, stored, actor=actor, alone=entry.error,
                             places=places)
        if error is not None:
            out.results.append((mutation.id, "rejected", error))
            if error is not entry.error:
                out.relogged.append(Logged(mutation, error))
            continue
        version = next(unused)
        write = merge.Write(id=mutation.id, user_id=actor.id, device_id=device_id,
                            hlc=mutation.hlc, kind=mutation.kind, record_id=mutation.record_id,
                            community_id=mutation.community_id,
                            base_version=mutation.base_version, fields=mutation.fields)
        if stored is None:
            record = merge.create(write, version=version, now_ms=now_ms,
                                  clock_suspect=clock_suspect)
        else:
            record, conflicts = merge.apply(stored, write, version=version, now_ms=now_ms,
                                            clock_suspect=clock_suspect)
            out.conflicts.extend(conflicts)
        out.records[record.id] = record
        out.max_hlc = max(out.max_hlc, mutation.hlc)
        out.results.append((mutation.id, "applied", None))
    return out


def advance_acked(acked: int, received_seqs: set[int]) -> int:
    """The highest seq such that 1..seq have all been received."""
    while acked + 1 in received_seqs:
        acked += 1
    return acked


# The id is not among them: the wire struct refuses a forbidden character in it, since
# cleaning could make two ids one.
_ENVELOPE = ("hlc", "kind", "record_id", "community_id")


def _check_ids(mutations: list[Mutation]) -> None:
    """A mutation id is the log's key: one holding a forbidden character fails the whole
    request, as a malformed one does (cleaning it could make it another's)."""
    for index, mutation in enumerate(mutations):
        if text.first_forbidden(mutation.id) is not None:
            raise DomainError("invalid_body", field=f"mutations[{index}].id",
                              detail=t("detail.forbidden_char"))


def _forbidden_text(mutation: Mutation) -> DomainError | None:
    """``invalid_field`` naming the first part of ``mutation`` that holds a character
    user text may not (``text.FORBIDDEN``) or a value nested too deep to decode."""
    for name in _ENVELOPE:
        if text.first_forbidden(getattr(mutation, name)) is not None:
            return _refused(name, "forbidden_char")
    for name, value in mutation.fields.items():
        reason = text.problem(name) or text.problem(value)
        if reason is not None:
            return _refused(name, reason)
    return None


def _refused(name: str, reason: str) -> DomainError:
    detail = (t("detail.too_deep", limit=text.MAX_VALUE_DEPTH) if reason == "too_deep"
              else t("detail.forbidden_char"))
    return DomainError("invalid_field", field=text.clean(name)[:64], detail=detail)


def _for_log(mutation: Mutation) -> Mutation:
    """What the mutation log keeps of a rejected mutation (``text.for_log``)."""
    fields = text.for_log(mutation.fields, omitted=t("detail.omitted"))
    return msgspec.structs.replace(
        mutation, fields=fields, **{name: text.clean(getattr(mutation, name))
                                    for name in _ENVELOPE})
