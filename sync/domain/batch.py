"""A push batch, merged in memory: validate each mutation, merge the accepted ones. Pure.

The store loads the facts (records touched, ids and seqs already received, the user's
writable communities) in a few queries, calls ``merge_batch``, and writes the outcome in
a few bulk statements — never a query per mutation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import msgspec

from sync.domain import merge
from sync.domain.roles import Actor
from sync.domain.validate import check
from sync.errors import DomainError
from sync.i18n import t
from sync.protocol import Mutation


@dataclass(frozen=True)
class Facts:
    received_ids: frozenset[str]
    seq_owners: dict[int, str]
    records: dict[str, merge.RecordState]
    writable: frozenset[str]


class Logged(NamedTuple):
    """One received mutation for the mutation log (applied or rejected)."""

    mutation: Mutation
    error: DomainError | None
    applied_version: int | None


@dataclass
class BatchOutcome:
    results: list[tuple[str, str, DomainError | None]] = field(default_factory=list)
    records: dict[str, merge.RecordState] = field(default_factory=dict)
    logged: list[Logged] = field(default_factory=list)
    conflicts: list[merge.Conflict] = field(default_factory=list)
    version: int = 0
    max_hlc: str = ""


def merge_batch(mutations: list[Mutation], facts: Facts, *, actor: Actor, device_id: str,
                now_ms: int, version: int, max_hlc: str,
                clock_suspect: bool) -> BatchOutcome:
    out = BatchOutcome(version=version, max_hlc=max_hlc)
    seen = set(facts.received_ids)
    seq_owners = dict(facts.seq_owners)
    for mutation in mutations:
        if mutation.id in seen:
            out.results.append((mutation.id, "duplicate", None))
            continue
        seen.add(mutation.id)
        stored = out.records.get(mutation.record_id) or facts.records.get(mutation.record_id)
        if _has_nul(mutation):
            # PostgreSQL text cannot hold NUL: keep a readable copy in the rejected store
            # rather than failing the whole push with a 5xx.
            error: DomainError | None = DomainError("invalid_field", detail=t("detail.nul"))
            out.results.append((mutation.id, "rejected", error))
            out.logged.append(Logged(_without_nul(mutation), error, None))
            continue
        error = check(mutation, actor=actor, device_id=device_id, now_ms=now_ms, stored=stored,
                      seq_owner=seq_owners.get(mutation.seq), writable=facts.writable)
        seq_owners.setdefault(mutation.seq, mutation.id)
        if error is not None:
            out.results.append((mutation.id, "rejected", error))
            out.logged.append(Logged(mutation, error, None))
            continue
        out.version += 1
        write = merge.Write(id=mutation.id, user_id=actor.id, device_id=device_id,
                            hlc=mutation.hlc, kind=mutation.kind, record_id=mutation.record_id,
                            community_id=mutation.community_id,
                            base_version=mutation.base_version, fields=mutation.fields)
        if stored is None:
            record = merge.create(write, version=out.version, now_ms=now_ms,
                                  clock_suspect=clock_suspect)
        else:
            record, conflicts = merge.apply(stored, write, version=out.version, now_ms=now_ms,
                                            clock_suspect=clock_suspect)
            out.conflicts.extend(conflicts)
        out.records[record.id] = record
        out.max_hlc = max(out.max_hlc, mutation.hlc)
        out.results.append((mutation.id, "applied", None))
        out.logged.append(Logged(mutation, None, out.version))
    return out


def advance_acked(acked: int, received_seqs: set[int]) -> int:
    """The highest seq such that 1..seq have all been received."""
    while acked + 1 in received_seqs:
        acked += 1
    return acked


_encode = msgspec.json.Encoder().encode


def _has_nul(mutation: Mutation) -> bool:
    return b"\\u0000" in _encode(mutation)


def _without_nul(mutation: Mutation) -> Mutation:
    text = _encode(mutation).replace(b"\\u0000", "\ufffd".encode("unicode_escape"))
    return msgspec.json.decode(text, type=Mutation)
