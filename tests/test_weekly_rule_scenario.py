"""One data set, every view of the weekly rule: they agree with sync/domain/weekly.py.

Three weeks of 华阳路 (2026-W49 … W51, "now" Thursday 2026-12-17 15:00, the chase day),
pushed through the sync API by the liaisons' devices, each visit on its own day:

- 华三居民区 (c-hy-01) has two liaisons. W49: 张伟 2.5 h, 李娜 only 1 h — the community
  is NOT met although somebody visited for 2 h. W50: both ≥ 2 h (张伟 exactly 2 h). W51:
  张伟 50 min, 李娜 nothing.
- 大西别墅居民区 (c-hy-02), 张伟 alone: a visit from Sunday 23:00 into Monday 01:30 is
  W49's (the week it started); nothing else in W50; W51 a visit still open.
- 西镇居民区 (c-hy-03) changes hands on Tuesday of W50 (刘洋 → 李娜): W49 刘洋's 3 h visit
  is voided and his 1 h 40 visit is short; his W50 Monday visit, before the handover,
  counts for nobody (李娜 holds the community on Thursday noon); 李娜 meets W50 and W51.

The phone's module (client-pwa/src/weekly.ts, run under node on the pulled records), the
compliance matrix, its drill-down and workbook, the duty-log flags and the evaluation's
weekly_visits are each compared, cell by cell, with the pure module on the same records.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.console.compliance import colour_label
from sync.db.engine import read_transaction
from sync.domain import shanghai, weekly
from sync.domain.weekly import RULE, Visit
from sync.evaluation.period import parse_period
from sync.evaluation.service import EvaluationService
from sync.store.org import liaison_assignments
from tests.console.conftest import console_login, post_form
from tests.databases import DEMO_PASSWORD
from tests.reference_client import Device

ROOT = Path(__file__).resolve().parent.parent
PWA = ROOT / "client-pwa"
HY01, HY02, HY03 = "c-hy-01", "c-hy-02", "c-hy-03"
COMMUNITIES = [HY01, HY02, HY03]
W49, W50, W51 = date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)
WEEKS = [W49, W50, W51]
NOW = shanghai.to_ms(datetime(2026, 12, 17, 15, 0))


def local(day: date, hhmm: str) -> int:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return shanghai.to_ms(datetime(day.year, day.month, day.day, hour, minute))


def iso(ms: int) -> str:
    return shanghai.to_local(ms).isoformat(timespec="seconds")


class Story:
    """The devices, moved through the days on the test clock."""

    def __init__(self, http: AsyncTestClient[Any], clock: ManualClock) -> None:
        self.http, self.clock = http, clock
        self.devices: dict[str, Device] = {}
        self.visits: dict[str, str] = {}  # label -> record id

    async def login(self, username: str) -> Device:
        device = Device(http=self.http, device_id=f"phone-{username}",
                        wall_clock=self.clock.now_ms)
        await device.login(username, DEMO_PASSWORD)
        self.devices[username] = device
        return device

    def at(self, ms: int) -> None:
        assert ms >= self.clock.now_ms(), "the story runs forwards"
        self.clock.ms = ms

    async def push(self, username: str) -> None:
        device = self.devices[username]
        for body in await device.push():
            assert {r["status"] for r in body["results"]} <= {"applied"}, body["results"]

    async def visit(self, label: str, username: str, community: str, start_ms: int,
                    end_ms: int | None) -> None:
        """Signed in at the start, signed out at the end, each pushed when it happens."""
        device = self.devices[username]
        self.at(start_ms)
        written = device.write("visit", community, {"started_at": iso(start_ms),
                                                    "purpose": "周例行走访"})
        self.visits[label] = written["record_id"]
        await self.push(username)
        if end_ms is not None:
            self.at(end_ms)
            device.write("visit", community, {"ended_at": iso(end_ms), "summary": "巡查"},
                         record_id=written["record_id"])
            await self.push(username)

    async def void(self, label: str, username: str, community: str, at_ms: int) -> None:
        self.at(at_ms)
        self.devices[username].write("visit", community, {"voided": True, "void_reason": "误建"},
                                     record_id=self.visits[label])
        await self.push(username)


async def tell(story: Story) -> None:
    for username in ("liaison01", "liaison02", "liaison04"):
        await story.login(username)
    # W49
    await story.visit("zw-hy01-w49", "liaison01", HY01, local(W49, "09:00"),
                      local(W49, "11:30"))
    await story.visit("ln-hy01-w49", "liaison02", HY01, local(W49 + timedelta(2), "14:00"),
                      local(W49 + timedelta(2), "15:00"))
    await story.visit("ly-hy03-voided", "liaison04", HY03, local(W49 + timedelta(3), "09:00"),
                      local(W49 + timedelta(3), "12:00"))
    await story.void("ly-hy03-voided", "liaison04", HY03, local(W49 + timedelta(4), "08:00"))
    await story.visit("ly-hy03-short", "liaison04", HY03, local(W49 + timedelta(4), "10:00"),
                      local(W49 + timedelta(4), "11:40"))
    await story.visit("zw-hy02-midnight", "liaison01", HY02, local(W49 + timedelta(6), "23:00"),
                      local(W50, "01:30"))
    # W50: 刘洋's last visit, then the handover on Tuesday morning.
    await story.visit("ly-hy03-before-handover", "liaison04", HY03, local(W50, "09:00"),
                      local(W50, "11:30"))
    story.at(local(W50 + timedelta(1), "10:00"))
    await console_login(story.http, "admin")
    for username, action in (("liaison04", "unassign"), ("liaison02", "assign")):
        response = await post_form(story.http, f"/console/admin/users/{username}",
                                   {"action": action, "community_id": HY03},
                                   page_url="/console/admin/users")
        assert response.status_code == 303, response.text
    await story.devices["liaison02"].pull()
    await story.visit("zw-hy01-w50", "liaison01", HY01, local(W50 + timedelta(2), "09:00"),
                      local(W50 + timedelta(2), "11:00"))
    await story.visit("ln-hy03-w50", "liaison02", HY03, local(W50 + timedelta(3), "09:00"),
                      local(W50 + timedelta(3), "11:15"))
    await story.visit("ln-hy01-w50", "liaison02", HY01, local(W50 + timedelta(4), "13:00"),
                      local(W50 + timedelta(4), "15:30"))
    # W51, up to Thursday afternoon; the tokens of W49 have run out by then.
    story.at(local(W51, "08:00"))
    for username, device in story.devices.items():
        await device.login(username, DEMO_PASSWORD)
    await story.visit("zw-hy02-open", "liaison01", HY02, local(W51, "09:00"), None)
    await story.visit("zw-hy01-w51", "liaison01", HY01, local(W51 + timedelta(1), "09:00"),
                      local(W51 + timedelta(1), "09:50"))
    await story.visit("ln-hy03-w51", "liaison02", HY03, local(W51 + timedelta(2), "10:00"),
                      local(W51 + timedelta(2), "13:00"))
    story.at(NOW)
    for device in story.devices.values():
        await device.pull()


# --- the pure module, on the pulled records ------------------------------------------------

def pulled_visits(story: Story) -> list[Visit]:
    records = {r["id"]: r for d in story.devices.values() for r in d.records.values()
               if r["kind"] == "visit"}
    found = []
    for r in records.values():
        start = shanghai.parse_time(r["fields"].get("started_at"))
        assert start is not None
        found.append(Visit(id=r["id"], community_id=r["community_id"],
                           liaison_id=r["created_by"], start_ms=start,
                           end_ms=shanghai.parse_time(r["fields"].get("ended_at")),
                           voided=r["fields"].get("voided") is True))
    return found


# --- the phone ------------------------------------------------------------------------------

RUNNER = """
import { readFileSync } from 'node:fs';
import { liaisonWeek, weekStartMs } from './weekly.mjs';
const input = JSON.parse(readFileSync(0, 'utf8'));
const out = input.cases.map((c) => liaisonWeek(c.records, {
  liaisonId: c.liaisonId, communityId: c.communityId,
  weekStartMs: weekStartMs(c.inWeekMs, input.rule), nowMs: input.nowMs }, input.rule));
process.stdout.write(JSON.stringify(out));
"""


def run_phone(tmp_path: Path, rule: dict[str, Any], cases: list[dict[str, Any]]) -> list[Any]:
    esbuild = PWA / "node_modules" / ".bin" / "esbuild"
    node = shutil.which("node")
    if node is None or not esbuild.exists():
        pytest.skip("node and client-pwa/node_modules are needed to run the PWA's module")
    subprocess.run([str(esbuild), str(PWA / "src" / "weekly.ts"), "--bundle", "--format=esm",
                    "--platform=node", f"--outfile={tmp_path / 'weekly.mjs'}",
                    "--log-level=warning"], check=True)
    (tmp_path / "run.mjs").write_text(RUNNER)
    done = subprocess.run([node, str(tmp_path / "run.mjs")], check=True, capture_output=True,
                          input=json.dumps({"rule": rule, "nowMs": NOW, "cases": cases}),
                          text=True)
    return list(json.loads(done.stdout))


# --- reading the console's pages --------------------------------------------------------------

def matrix_colours(html: str) -> dict[tuple[str, date], str]:
    found = {}
    for community in COMMUNITIES:
        row = html[html.index(f'<tr data-community="{community}">'):]
        row = row[:row.index("</tr>")]
        for week, colour in re.findall(r'data-week="([\d-]+)" data-colour="(\w+)"', row):
            found[(community, date.fromisoformat(week))] = colour
    return found


def drill_down(html: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The week's colour, each owing liaison's colour, each visit's verdict."""
    result = re.search(r'data-testid="week-result"><span class="cell \w+" '
                       r'data-colour="(\w+)"', html)
    assert result is not None
    liaisons = dict(re.findall(r'<tr data-liaison="([^"]+)" data-colour="(\w+)">', html))
    verdicts = dict(re.findall(r'data-id="([^"]+)" data-verdict="(\w+)"', html))
    return result.group(1), liaisons, verdicts


def duty_log_flags(html: str) -> dict[str, list[str]]:
    found = {}
    for visit_id, row in re.findall(r'<tr class="visit" data-id="([^"]+)">(.*?)</tr>', html,
                                    flags=re.S):
        found[visit_id] = re.findall(r'data-flag="(\w+)"', row)
    return found


async def test_the_phone_the_matrix_the_duty_log_and_the_evaluation_agree_with_the_rule(
        demo_client: AsyncTestClient[Any], clock: ManualClock, engine: AsyncEngine,
        tmp_path: Path) -> None:
    story = Story(demo_client, clock)
    await tell(story)
    ids = {u: d.user["id"] for u, d in story.devices.items()}
    names = {ids["liaison01"]: "张伟", ids["liaison02"]: "李娜", ids["liaison04"]: "刘洋"}
    visits = pulled_visits(story)
    assert len(visits) == len(story.visits) == 12
    async with read_transaction(engine) as conn:
        assigned = await liaison_assignments(
            conn, COMMUNITIES, during=(shanghai.day_start_ms(date(2026, 9, 28)), NOW))
    today = shanghai.today(NOW)
    expected = weekly.matrix(weekly.tally(visits), assignments=assigned,
                             community_ids=COMMUNITIES, weeks=WEEKS, today=today)

    # The data set says what it was built to say.
    owed = {(c, w): [names[lw.liaison_id] for lw in expected[(c, w)].liaisons]
            for c in COMMUNITIES for w in WEEKS}
    assert owed[(HY01, W49)] == ["张伟", "李娜"] and owed[(HY02, W50)] == ["张伟"]
    assert [owed[(HY03, w)] for w in WEEKS] == [["刘洋"], ["李娜"], ["李娜"]]
    assert {(c, w): expected[(c, w)].colour for c in COMMUNITIES for w in WEEKS} == {
        (HY01, W49): weekly.AMBER, (HY01, W50): weekly.GREEN, (HY01, W51): weekly.RED,
        (HY02, W49): weekly.GREEN, (HY02, W50): weekly.RED, (HY02, W51): weekly.AMBER,
        (HY03, W49): weekly.AMBER, (HY03, W50): weekly.GREEN, (HY03, W51): weekly.GREEN}
    v = story.visits
    assert weekly.verdict(next(x for x in visits if x.id == v["ly-hy03-before-handover"]),
                          owed_by=[ids["liaison02"]]) == weekly.NOT_OWED

    # The console's matrix, cell by cell, and each week's drill-down, liaison by liaison.
    await console_login(demo_client, "leader01")
    html = (await demo_client.get("/console/compliance?squad=sq-hy&first=2026-11-30"
                                  "&last=2026-12-17")).text
    assert "第49周 11月30日–12月6日" in html
    shown = matrix_colours(html)
    assert shown == {key: cell.colour for key, cell in expected.items()}
    for (community, monday), cell in expected.items():
        page = (await demo_client.get(f"/console/compliance/visits?community={community}"
                                      f"&week={monday.isoformat()}")).text
        colour, liaisons, verdicts = drill_down(page)
        assert colour == cell.colour
        assert liaisons == {lw.liaison_id: lw.colour for lw in cell.liaisons}
        owing = [lw.liaison_id for lw in cell.liaisons]
        assert verdicts == {x.id: weekly.verdict(x, owed_by=owing) for x in visits
                            if x.community_id == community and x.monday == monday}

    # The workbook's per-liaison sheet.
    book = load_workbook(io.BytesIO((await demo_client.get(
        "/console/compliance/export?squad=sq-hy&first=2026-11-30&last=2026-12-17")).content))
    sheet = list(book["联络员周达标"].iter_rows(values_only=True))[1:]
    places = {HY01: "华三居民区", HY02: "大西别墅居民区", HY03: "西镇居民区"}
    assert {(r[1], r[2], r[3]): r[7] for r in sheet if r[1] in places.values()} == {
        (places[c], shanghai.week_title(w), names[lw.liaison_id]): colour_label(lw.colour)
        for (c, w), cell in expected.items() for lw in cell.liaisons}

    # The duty logs: a visit is flagged short exactly when it ended without counting.
    checked = 0
    for x in visits:
        if x.voided:
            continue
        page = (await demo_client.get(
            f"/console/duty-log/{x.liaison_id}/{shanghai.today(x.start_ms).isoformat()}")).text
        flags = duty_log_flags(page)[x.id]
        assert ("short_visit" in flags) == (x.end_ms is not None and not weekly.counts(x)), x
        checked += 1
    assert checked == 11

    # The phone: each liaison's own cells, from the records their device pulled.
    rule = msgspec.to_builtins((await demo_client.get("/api/v1/schema")).json()["weekly_rule"])
    assert rule == msgspec.to_builtins(RULE)
    cases, wanted = [], []
    for username, device in story.devices.items():
        records = [r for r in device.records.values() if r["kind"] == "visit"]
        me = (await demo_client.get("/api/v1/me", headers=device.headers)).json()
        shows = {c["id"] for c in me["communities"]}  # the phone's Today lists these
        for (community, monday), cell in expected.items():
            for lw in cell.liaisons:
                if lw.liaison_id != ids[username] or community not in shows:
                    continue
                cases.append({"records": records, "liaisonId": lw.liaison_id,
                              "communityId": community,
                              "inWeekMs": shanghai.day_start_ms(monday) + 36 * 3_600_000})
                wanted.append(lw)
    phone = run_phone(tmp_path, rule, cases)
    assert len(phone) == 11  # every owed liaison-week but 刘洋's: his phone lost c-hy-03
    for got, lw in zip(phone, wanted, strict=True):
        assert (got["colour"], got["visits"], got["qualifying"], got["longestMs"]) == (
            lw.colour, lw.visits, lw.qualifying, lw.longest_ms)

    # The evaluation: every liaison-week due in 2026-Q4, in its evidence order.
    assessment = await EvaluationService(engine, clock).assess("2026-Q4", actor=None)
    period = parse_period("2026-Q4")
    due = period.weeks_due(NOW)
    assert due[-1].monday == W50
    all_tallies = weekly.tally(visits)
    rooms = [s for s in assessment.scores if s.workroom.community_id in COMMUNITIES]
    assert len(rooms) == 3
    for score in rooms:
        room = score.workroom
        item = score.item("weekly_visits")
        assert item is not None
        want = []
        for liaison_id in room.liaison_ids:
            spans = [(a.from_ms, a.to_ms) for a in assigned
                     if a.community_id == room.community_id and a.liaison_id == liaison_id]
            for week in due:
                if weekly.owes(spans, monday=week.monday):
                    lw = weekly.liaison_week(
                        all_tallies.get((room.community_id, liaison_id, week.monday)),
                        liaison_id=liaison_id, monday=week.monday, today=today)
                    want.append((lw.met, lw.longest_id if lw.visits else None))
        assert [(e.counted, e.record_id) for e in item.evidence] == want, room.community_id
    hy01 = next(s for s in assessment.scores if s.workroom.community_id == HY01)
    item = hy01.item("weekly_visits")
    assert item is not None and sum(e.counted for e in item.evidence) == 3  # W49 张伟, W50 both
