"""A synced day of two liaisons, recorded through the reference client
(tests/reference_client.py).

liaison01 (张伟) works on two devices: in 华三居民区 (c-hy-01) on the phone from 09:00 to
11:30 with a patrol finding and a publicity event; in 大西别墅居民区 (c-hy-02) on the
tablet from 13:00 to 14:00 (too short), where a resident's complaint becomes a case.
liaison02 (李娜) visits 华三居民区 from 10:00 to 12:15 and collects a suggestion.
All times are 2026-11-28, Asia/Shanghai; the test clock starts at 09:00 that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync.clock import ManualClock
from tests.databases import DEMO_PASSWORD
from tests.reference_client import Device

DAY = "2026-11-28"


def at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00+08:00"


@dataclass
class Day:
    phone: Device
    tablet: Device
    li_na: Device
    visit_hy01: str
    visit_hy02: str
    case_id: str
    ids: dict[str, str]


async def synced_day(http: Any, clock: ManualClock) -> Day:
    def wall() -> int:
        return clock.now_ms()

    phone = Device(http=http, device_id="phone-zw", wall_clock=wall)
    tablet = Device(http=http, device_id="tablet-zw", wall_clock=wall)
    li_na = Device(http=http, device_id="phone-ln", wall_clock=wall)
    await phone.login("liaison01", DEMO_PASSWORD)
    await tablet.login("liaison01", DEMO_PASSWORD)
    await li_na.login("liaison02", DEMO_PASSWORD)

    visit1 = phone.write("visit", "c-hy-01", {"started_at": at("09:00"), "purpose": "周例行走访",
                                              "gps_in": {"lat": 31.2201, "lon": 121.4211}})
    clock.advance(minutes=30)
    finding = phone.write("patrol_finding", "c-hy-01", {
        "category": "乱堆物", "description": "3号楼楼道堆放纸箱",
        "visit_id": visit1["record_id"], "handled_on_spot": True})
    publicity = phone.write("publicity_event", "c-hy-01", {
        "form": "case_explanation", "topic": "楼道堆物的危害", "audience_count": 12,
        "visit_id": visit1["record_id"]})
    clock.advance(minutes=60)
    suggestion = li_na.write("suggestion", "c-hy-01", {"content": "希望增加非机动车充电桩"})
    li_na_visit = li_na.write("visit", "c-hy-01", {"started_at": at("10:00"),
                                                   "ended_at": at("12:15")})
    clock.advance(minutes=60)
    phone.write("visit", "c-hy-01", {"ended_at": at("11:30")}, record_id=visit1["record_id"])
    await phone.sync()
    await li_na.sync()

    clock.advance(minutes=90)  # 13:00
    visit2 = tablet.write("visit", "c-hy-02", {"started_at": at("13:00"), "purpose": "处理投诉"})
    case = tablet.write("case", "c-hy-02", {
        "title": "小区门口占道经营", "category": "占道经营", "source": "resident_in_person",
        "visit_id": visit2["record_id"], "status": "received", "reopen_count": 0})
    tablet.write("case_step", "c-hy-02", {"case_id": case["record_id"], "action": "accept",
                                          "at": at("13:10")})
    clock.advance(minutes=60)
    tablet.write("visit", "c-hy-02", {"ended_at": at("14:00")}, record_id=visit2["record_id"])
    await tablet.sync()
    await phone.pull()
    return Day(phone=phone, tablet=tablet, li_na=li_na, visit_hy01=visit1["record_id"],
               visit_hy02=visit2["record_id"], case_id=case["record_id"],
               ids={"finding": finding["record_id"], "publicity": publicity["record_id"],
                    "suggestion": suggestion["record_id"],
                    "li_na_visit": li_na_visit["record_id"]})
