"""Property tests of the pure merge engine (sync/domain): order-free and nothing lost.

Devices write concurrently (none has pulled the others' writes); the same set of
mutations is delivered in any order, batching and with any duplicates, and must give
the same merged state — which is also what a reference model says: per field the value
of the greatest HLC, per case the greatest (reopen_count, stage).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schema.kinds import CASE_STAGES
from sync.domain.batch import merge_batch, screen, to_log
from sync.domain.merge import Conflict, RecordState
from sync.domain.refs import Place, batch_places, referenced_ids
from sync.domain.roles import Actor, Role
from sync.protocol import Mutation

NOW = 1_795_827_600_000
COMMUNITY = "c-hy-01"
RECORDS = ["r0", "r1", "r2"]
DEVICES = ["d0", "d1", "d2", "d3"]
ACTORS = {d: Actor(id=f"u-{d}", username=d, name=d, role=Role.SQUAD_LEADER, squad_id="sq-hy")
          for d in DEVICES}
FACTS_SCOPE = frozenset({COMMUNITY})

titles = st.sampled_from(["楼道堆物", "占道", "群租", "乱张贴"])
field_updates = st.fixed_dictionaries({}, optional={
    "title": titles,
    "description": st.sampled_from(["a", "b", None]),
    "location": st.sampled_from(["1号楼", "2号楼"]),
    "status": st.tuples(st.integers(0, 2), st.sampled_from(CASE_STAGES)),
    "bogus": st.just(1),  # an unknown field: always rejected, in any order
})


@st.composite
def device_histories(draw: Any) -> list[Mutation]:
    """Each device writes in its own HLC order; every write could create its record."""
    mutations = []
    for device in DEVICES:
        ms, counter = NOW - draw(st.integers(0, 50)), 0
        for seq in range(1, draw(st.integers(0, 6)) + 1):
            # A device's HLC always moves forward: a later ms, or the same ms and a
            # higher counter. Different devices may still share an (ms, counter).
            step = draw(st.integers(0, 3))
            ms, counter = (ms + step, draw(st.integers(0, 2))) if step else (ms, counter + 1)
            update = draw(field_updates)
            fields: dict[str, Any] = {"title": draw(titles), "category": "乱堆物",
                                      "source": "patrol"}
            fields.update({k: v for k, v in update.items() if k != "status"})
            if "status" in update:
                fields["reopen_count"], fields["status"] = update["status"]
            mutations.append(Mutation(
                id=f"{device}-{seq}", seq=seq, hlc=f"{ms:013d}:{counter:05d}:{device}",
                kind="case", record_id=draw(st.sampled_from(RECORDS)), community_id=COMMUNITY,
                base_version=0, fields=fields))
    return mutations


class Server:
    """The store, in memory: what sync/store keeps between pushes."""

    def __init__(self) -> None:
        self.records: dict[str, RecordState] = {}
        self.received: set[str] = set()
        self.seqs: dict[str, dict[int, str]] = {d: {} for d in DEVICES}
        self.conflicts: list[Conflict] = []
        self.rejected: set[str] = set()
        self.version = 0
        self.max_hlc = ""

    def push(self, device: str, batch: list[Mutation]) -> None:
        """What SyncService.push does, with the store's reads and writes in memory."""
        screened = screen(batch, actor=ACTORS[device], device_id=device, now_ms=NOW,
                          seq_owners=self.seqs[device], writable=FACTS_SCOPE)
        fresh = set()
        for logged in to_log(screened):  # the log skips ids it holds
            if logged.mutation.id not in self.received:
                self.received.add(logged.mutation.id)
                self.seqs[device].setdefault(logged.mutation.seq, logged.mutation.id)
                fresh.add(logged.mutation.id)
        out = merge_batch(batch, screened, fresh=fresh,
                          records={m.record_id: self.records[m.record_id] for m in batch
                                   if m.record_id in self.records},
                          places=batch_places(batch, {
                              r.id: Place(r.kind, r.community_id)
                              for r in self.records.values()},
                              named=referenced_ids(batch, self.records)),
                          actor=ACTORS[device], device_id=device, now_ms=NOW,
                          versions=range(self.version + 1, self.version + len(batch) + 1),
                          max_hlc=self.max_hlc, clock_suspect=False)
        self.records.update(out.records)
        self.conflicts.extend(out.conflicts)
        self.rejected.update(mid for mid, status, _ in out.results if status == "rejected")
        self.version = max((r.version for r in out.records.values()), default=self.version)
        self.max_hlc = out.max_hlc

    def state(self) -> dict[str, dict[str, Any]]:
        return {rid: r.fields for rid, r in self.records.items()}


def deliver(mutations: list[Mutation], order: list[int], sizes: list[int],
            resend: list[int]) -> Server:
    """Deliver in ``order``, batched (a batch is one device's), with re-sends mixed in."""
    sequence = [mutations[i] for i in order]
    for position, index in zip(resend, order, strict=False):
        sequence.insert(min(position, len(sequence)), mutations[index])
    server = Server()
    batch: list[Mutation] = []
    size_iter = iter(sizes)
    limit = next(size_iter, 3)
    for mutation in sequence:
        if batch and (batch[0].id.split("-")[0] != mutation.id.split("-")[0]
                      or len(batch) >= limit):
            server.push(batch[0].id.split("-")[0], batch)
            batch, limit = [], next(size_iter, 3)
        batch.append(mutation)
    if batch:
        server.push(batch[0].id.split("-")[0], batch)
    return server


def model(mutations: list[Mutation]) -> dict[str, dict[str, Any]]:
    """The merged state by definition: greatest HLC per field, greatest status pair."""
    state: dict[str, dict[str, Any]] = {}
    best: dict[tuple[str, str], tuple[str, str]] = {}
    for m in mutations:
        if "bogus" in m.fields:
            continue
        fields = state.setdefault(m.record_id, {"status": "received", "reopen_count": 0})
        for name, value in m.fields.items():
            if name in ("status", "reopen_count"):
                continue
            key = (m.record_id, name)
            if key not in best or (m.hlc, m.id) > best[key]:
                best[key] = (m.hlc, m.id)
                fields[name] = value
        if "status" in m.fields:
            pair = (m.fields["reopen_count"], CASE_STAGES.index(m.fields["status"]))
            if pair > (fields["reopen_count"], CASE_STAGES.index(fields["status"])):
                fields["status"], fields["reopen_count"] = m.fields["status"], pair[0]
    return state


orders = st.data()


@settings(max_examples=300, deadline=None)
@given(mutations=device_histories(), data=orders)
def test_any_order_batching_and_duplication_gives_the_same_state(
        mutations: list[Mutation], data: st.DataObject) -> None:
    indices = list(range(len(mutations)))
    runs = []
    for _ in range(2):
        order = data.draw(st.permutations(indices))
        sizes = data.draw(st.lists(st.integers(1, 5), max_size=20))
        resend = data.draw(st.lists(st.integers(0, max(len(indices), 1)), max_size=5))
        runs.append(deliver(mutations, order, sizes, resend))
    expected = model(mutations)
    for server in runs:
        assert server.state() == expected
        assert server.rejected == {m.id for m in mutations if "bogus" in m.fields}


@settings(max_examples=300, deadline=None)
@given(mutations=device_histories(), data=orders)
def test_every_written_value_is_current_in_the_conflict_log_or_rejected(
        mutations: list[Mutation], data: st.DataObject) -> None:
    order = data.draw(st.permutations(list(range(len(mutations)))))
    server = deliver(mutations, order, [], [])
    logged: dict[tuple[str, str], list[Any]] = {}
    for conflict in server.conflicts:
        logged.setdefault((conflict.record_id, conflict.field), []).extend(
            [conflict.winner.value, conflict.loser.value])
    applied = [m for m in mutations if m.id not in server.rejected]
    for m in applied:
        for name, value in m.fields.items():
            if name in ("status", "reopen_count", "category", "source"):
                continue  # the lattice keeps the greatest; constant fields never differ
            current = server.records[m.record_id].fields.get(name)
            # A value that its own device later replaced is history, not a conflict. When
            # two devices wrote the same value, either one's replacing it counts: the
            # value was not silently lost, its author (one of them) moved on.
            writers = [w for w in applied if w.record_id == m.record_id
                       and w.fields.get(name, object()) == value]
            superseded_by_own_device = any(
                other.record_id == m.record_id and name in other.fields
                and other.id.split("-")[0] == w.id.split("-")[0] and other.hlc > w.hlc
                for w in writers for other in applied)
            assert (current == value or value in logged.get((m.record_id, name), [])
                    or superseded_by_own_device), (m, name, value)


def test_a_device_overwriting_what_it_pulled_is_no_conflict() -> None:
    server = Server()
    create = Mutation(id="d0-1", seq=1, hlc=f"{NOW:013d}:00000:d0", kind="case",
                      record_id="r0", community_id=COMMUNITY,
                      fields={"title": "a", "category": "乱堆物", "source": "patrol"})
    server.push("d0", [create])
    pulled_version = server.records["r0"].version
    edit = Mutation(id="d1-1", seq=1, hlc=f"{NOW + 5:013d}:00000:d1", kind="case",
                    record_id="r0", community_id=COMMUNITY, base_version=pulled_version,
                    fields={"title": "b"})
    server.push("d1", [edit])
    assert server.records["r0"].fields["title"] == "b"
    assert server.conflicts == []
    stale = Mutation(id="d2-1", seq=1, hlc=f"{NOW + 1:013d}:00000:d2", kind="case",
                     record_id="r0", community_id=COMMUNITY, base_version=pulled_version,
                     fields={"title": "c"})
    server.push("d2", [stale])
    assert server.records["r0"].fields["title"] == "b"
    assert [(c.winner.value, c.loser.value) for c in server.conflicts] == [("b", "c")]
