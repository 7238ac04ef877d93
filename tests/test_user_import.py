"""People from a spreadsheet: rows checked one by one, new users with random initial
passwords that work, existing users only gaining communities, from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.db.engine import read_transaction
from sync.domain.passwords import check_policy
from sync.domain.roles import Role
from sync.errors import DomainError
from sync.services.auth import AuthService
from sync.services.user_import import import_people, initial_password, parse_people
from sync.store import org
from tests.test_cli import db_url, workroom  # noqa: F401  (db_url: a fixture)

SHEET = [
    ["用户名", "姓名", "角色", "中队编号", "电话", "负责社区"],
    ["hy-li", "李新", "联络员", "sq-hy", "13900000001", "c-hy-02、c-hy-03"],
    ["hy-lead", "王队", "中队长", "sq-hy", "", ""],
    ["liaison01", "张伟", "联络员", "sq-hy", "", "c-hy-03"],  # exists: gains c-hy-03
    ["bad name!", "某某", "联络员", "sq-hy", "", ""],
    ["hy-li", "李新", "联络员", "sq-hy", "", ""],
    ["hy-x", "某某", "科长", "sq-hy", "", ""],
    ["hy-y", "某某", "联络员", "", "", ""],
    ["hy-z", "某某", "区局", "", "", "c-hy-01"],
    ["hy-w", "某某", "联络员", "sq-nowhere", "", ""],
    ["hy-v", "某某", "联络员", "sq-hy", "", "c-hy-99"],
    ["leader01", "某某", "联络员", "sq-hy", "", "c-hy-01"],
]


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode()


def test_each_row_is_checked_before_anything_is_written() -> None:
    good, problems = parse_people(SHEET)
    assert [(p.username, p.role, p.communities) for p in good] == [
        ("hy-li", Role.LIAISON, ("c-hy-02", "c-hy-03")), ("hy-lead", Role.SQUAD_LEADER, ()),
        ("liaison01", Role.LIAISON, ("c-hy-03",)), ("hy-w", Role.LIAISON, ()),
        ("hy-v", Role.LIAISON, ("c-hy-99",)), ("leader01", Role.LIAISON, ("c-hy-01",))]
    reasons = {p.row: p.reason for p in problems}
    assert sorted(reasons) == [5, 6, 7, 8, 9]
    assert "用户名" in reasons[5] and "重复" in reasons[6] and "科长" in reasons[7]
    assert "中队编号" in reasons[8] and "联络员" in reasons[9]
    with pytest.raises(DomainError) as missing:
        parse_people([["用户名", "姓名"], ["a1", "某"]])
    assert missing.value.code == "import_missing_column" and "角色" in missing.value.message


def test_initial_passwords_meet_the_policy_and_differ() -> None:
    passwords = {initial_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        check_policy(password)


async def test_new_users_log_in_with_their_initial_password_and_existing_ones_gain_communities(
        engine: AsyncEngine, clock: ManualClock, demo_client: AsyncTestClient[Any]) -> None:
    auth = AuthService(engine, clock, token_ttl_days=30)
    result = await import_people(auth, _csv(SHEET), file_name="people.csv", by="admin",
                                 source="test")
    assert [(u.username, u.role) for u in result.added] == [
        ("hy-li", Role.LIAISON), ("hy-lead", Role.SQUAD_LEADER)]
    assert result.assigned == 3  # hy-li's two, and c-hy-03 for liaison01
    reasons = {p.row: p.reason for p in result.problems}
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert "sq-nowhere" in reasons[10] and "c-hy-99" in reasons[11]
    assert "leader01" in reasons[12] and "角色" in reasons[12]
    password = result.added[0].password
    login = await demo_client.post("/api/v1/auth/login", json={
        "username": "hy-li", "password": password, "device_id": "d-1"})
    assert login.status_code == 200
    me = (await demo_client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {login.json()['token']}"})).json()
    assert sorted(c["id"] for c in me["communities"]) == ["c-hy-02", "c-hy-03"]
    async with read_transaction(engine) as conn:
        zhang = await org.get_user(conn, "liaison01")
        assert "c-hy-03" in await org.assigned_community_ids(conn, zhang.id)
    again = await import_people(auth, _csv(SHEET[:4]), file_name="people.csv", by="admin",
                                source="test")
    assert (again.added, again.assigned, again.problems) == ([], 0, [])


def test_the_command_writes_the_passwords_to_the_file_only(
        db_url: str, tmp_path: Path) -> None:  # noqa: F811
    sheet = tmp_path / "人员.csv"
    sheet.write_bytes(_csv(SHEET[:3]))
    out = tmp_path / "初始密码.xlsx"
    done = workroom("user", "import", str(sheet), "--out", str(out), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "新增用户 2 个" in done.stdout
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("用户名", "姓名", "角色", "初始密码")
    assert [(r[0], r[2]) for r in rows[1:]] == [("hy-li", "联络员"), ("hy-lead", "中队长")]
    assert all(r[3] not in done.stdout for r in rows[1:])
    sheet.write_bytes(_csv(SHEET))
    partly = workroom("user", "import", str(sheet), "--out", str(out), "--db", db_url)
    assert partly.returncode == 1 and "第 5 行" in partly.stdout


def test_a_name_that_looks_like_a_formula_reaches_the_password_file_as_text(
        db_url: str, tmp_path: Path) -> None:  # noqa: F811
    sheet = tmp_path / "人员.csv"
    sheet.write_bytes(_csv([SHEET[0], ["hy-f", "=cmd|' /C calc'!A0", "联络员", "sq-hy", "", ""]]))
    out = tmp_path / "初始密码.xlsx"
    done = workroom("user", "import", str(sheet), "--out", str(out), "--db", db_url)
    assert done.returncode == 0, done.stderr
    [_, added] = load_workbook(out).worksheets[0].iter_rows()
    assert (added[1].value, added[1].data_type) == ("=cmd|' /C calc'!A0", "s")
