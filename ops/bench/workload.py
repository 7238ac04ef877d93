"""The benchmark's offline day: what 100 liaisons' phones queue before they sync.

Each device works in one community. Its outbox mixes new records, updates of records it
created earlier that day, and edits of the community's shared cases — the cases every
liaison of the community pulled in the morning and now edits with that stale
``base_version``, so pushes from different phones collide (field conflicts, the status
lattice). Generated before the clock starts: the phones were offline, the burst is the
sync.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tests.reference_client import Device, uuid7

SHARED_SHARE = 0.20  # edits of shared cases (the "20% concurrent edits")
NEW_SHARE = 0.45  # new records; the remaining 35% update the device's own records
CATEGORIES = ("违法搭建", "占道经营", "乱堆物", "乱张贴", "垃圾分类", "群租", "其他")
STAGES = ("received", "accepted", "in_progress", "resolved", "feedback_given")
LANES = ("淞虹路674弄", "哈密路609弄", "长宁路1000弄", "虹桥路737弄", "延安西路503弄")


@dataclass
class Plan:
    """Counts of what was queued, to check the server's answers against."""

    new: int = 0
    own_updates: int = 0
    shared_edits: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.new + self.own_updates + self.shared_edits


def _iso(ms: int) -> str:
    return f"2026-11-28T{(ms // 3_600_000) % 24:02d}:{(ms // 60_000) % 60:02d}:00+08:00"


def new_record(rng: random.Random, n: int,
               own: list[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
    """A new record's (kind, fields): visits, cases, findings, steps and the rest."""
    visit = next((rid for kind, rid in reversed(own[-20:]) if kind == "visit"), None)
    case = next((rid for kind, rid in reversed(own[-20:]) if kind == "case"), None)
    roll = rng.random()
    lane = rng.choice(LANES)
    if roll < 0.22 or visit is None:
        return "visit", {"started_at": _iso(n * 60_000), "purpose": f"走访 {lane}",
                         "gps_in": {"lat": 31.2 + rng.random() / 100,
                                    "lon": 121.4 + rng.random() / 100, "accuracy_m": 12.0}}
    if roll < 0.45:
        return "case", {"title": f"{lane} 楼道堆物 #{n}", "category": rng.choice(CATEGORIES),
                        "source": "patrol", "location": lane, "visit_id": visit,
                        "description": "居民反映楼道内长期堆放纸箱、旧家具，影响消防通道。"}
    if roll < 0.62:
        return "patrol_finding", {"category": rng.choice(CATEGORIES), "visit_id": visit,
                                  "description": f"{lane} 沿街发现占道经营摊位 {n}",
                                  "location": lane, "handled_on_spot": rng.random() < 0.5}
    if roll < 0.80 and case is not None:
        return "case_step", {"case_id": case, "action": rng.choice(("accept", "note", "contact",
                                                                    "site_visit")),
                             "note": f"已电话联系物业，约定次日清理 ({n})", "at": _iso(n * 60_000)}
    if roll < 0.88:
        return "publicity_event", {"form": "topical", "topic": "垃圾分类宣传", "visit_id": visit,
                                   "audience_count": rng.randint(5, 80)}
    if roll < 0.94:
        return "suggestion", {"content": f"建议在{lane}增设非机动车停放点", "visit_id": visit}
    return "participation", {"type": "joint_duty", "partners": ["居委会", "物业"],
                             "note": "联勤联动：清理乱张贴", "visit_id": visit}


def own_update(rng: random.Random, n: int, kind: str) -> dict[str, Any]:
    """A later edit, by the same phone, of a record it created earlier."""
    if kind == "visit":
        return {"ended_at": _iso(n * 60_000 + 1_800_000), "summary": f"走访小结 {n}",
                "elapsed_s": rng.randint(600, 5400)}
    if kind == "case":
        return {"status": rng.choice(STAGES), "reopen_count": 0}
    if kind == "patrol_finding":
        return {"handled_on_spot": True, "location": rng.choice(LANES)}
    if kind == "case_step":
        return {"note": f"补充说明 {n}"}
    if kind == "publicity_event":
        return {"audience_count": rng.randint(5, 80), "materials": "宣传册 50 份"}
    if kind == "suggestion":
        return {"response": f"已转街道城运中心研究 {n}"}
    return {"outcome": f"已处置 {n}"}


def shared_edit(rng: random.Random, n: int, device_id: str) -> dict[str, Any]:
    """An edit of a shared case: free text (LWW, conflicts) or its status (the lattice)."""
    roll = rng.random()
    if roll < 0.5:
        return {"description": f"{device_id} 现场复核：{n}", "location": rng.choice(LANES)}
    if roll < 0.8:
        return {"status": rng.choice(STAGES), "reopen_count": 0}
    return {"disposition": rng.choice(("handled", "transferred")), "reporter_phone": "13900000000"}


def fill_outbox(device: Device, *, community_id: str, count: int, shared: list[str],
                rng: random.Random, plan: Plan) -> None:
    """Queue ``count`` mutations on ``device``; ``shared`` are case ids it has pulled."""
    own: list[tuple[str, str]] = []
    for n in range(count):
        roll = rng.random()
        if roll < SHARED_SHARE and shared:
            record_id = rng.choice(shared)
            device.write("case", community_id, shared_edit(rng, n, device.device_id),
                         record_id=record_id)
            plan.shared_edits += 1
        elif own and roll >= SHARED_SHARE + NEW_SHARE:
            kind, record_id = rng.choice(own)
            device.write(kind, community_id, own_update(rng, n, kind), record_id=record_id)
            plan.own_updates += 1
        else:
            kind, fields = new_record(rng, n, own)
            record_id = uuid7(device.wall_clock())
            device.write(kind, community_id, fields, record_id=record_id)
            own.append((kind, record_id))
            plan.new += 1
            plan.by_kind[kind] = plan.by_kind.get(kind, 0) + 1
