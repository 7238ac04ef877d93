"""One catalogue of problems (sync/errors.py): every code the server raises is registered
with its status and its details, every registered code has its zh-CN message, and no
page or body shows a raw key, a field name or the framework's English."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from string import Formatter
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.exceptions import HTTPException
from litestar.testing import AsyncTestClient, TestClient

from sync.errors import PROBLEMS, DomainError
from sync.http import errors as http_errors
from sync.i18n import catalogue
from sync.qr import pages as qr_pages
from sync.qr import photos, rules
from tests.console.conftest import console_login, post_form

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "sync").rglob("*.py"))

# design/sync-protocol.md: the codes it names, with their statuses (rejections travel in
# a 200 push response, and are 400 when a server write is refused alone).
CONTRACT = {
    "malformed_json": 400, "invalid_body": 400, "unauthorized": 401, "forbidden": 403,
    "not_found": 404, "too_large": 413, "rate_limited": 429, "locked": 429,
    "invalid_credentials": 401, "invalid_cursor": 400, "hash_mismatch": 400,
    "unsupported_type": 415, "unknown_kind": 400, "unknown_field": 400,
    "invalid_field": 400, "missing_field": 400, "immutable_field": 400, "clock_ahead": 400,
    "invalid_hlc": 400, "seq_reused": 400,
}
# Raises whose code is a variable: test_the_codes_raised_by_variable_are_registered
# covers where each comes from.
INDIRECT = {"refused.code", "too_many", "code", "_FOR_RESIDENTS.get(error.code, 'qr_internal')"}


def _raises() -> list[tuple[str, ast.Call]]:
    """Every ``DomainError(...)`` call in sync/, with where it is."""
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "DomainError"):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


RAISES = _raises()


def _english(value: ast.expr) -> bool:
    """A literal holding a word in Latin letters (a formatted number is no word)."""
    parts = value.values if isinstance(value, ast.JoinedStr) else [value]
    return any(isinstance(part, ast.Constant) and isinstance(part.value, str)
               and re.search("[A-Za-z]{2}", part.value) is not None for part in parts)


def _named(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def test_the_walk_finds_the_raises() -> None:
    codes = {call.args[0].value for _, call in RAISES if isinstance(call.args[0], ast.Constant)}
    assert {"invalid_hlc", "qr_unknown_code", "invalid_period", "no_community"} <= codes


@pytest.mark.parametrize("code", sorted(PROBLEMS))
def test_every_code_has_its_chinese_message_with_exactly_its_details(code: str) -> None:
    problem = PROBLEMS[code]
    template = catalogue("zh-CN").get(problem.key)
    assert template, f"{problem.key} missing from sync/locale/zh-CN/errors.toml"
    assert _named(template) == set(problem.details)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in template), template


def test_every_catalogued_error_message_is_a_registered_code() -> None:
    keys = {key.removeprefix("error.") for key in catalogue() if key.startswith("error.")}
    assert keys - set(PROBLEMS) == set()


def test_the_wire_contract_keeps_its_codes_and_statuses() -> None:
    assert {code: PROBLEMS[code].status for code in CONTRACT if code in PROBLEMS} == CONTRACT


@pytest.mark.parametrize(("where", "call"), RAISES, ids=[where for where, _ in RAISES])
def test_every_raise_names_a_registered_code_with_its_details(where: str,
                                                              call: ast.Call) -> None:
    first = call.args[0]
    if not isinstance(first, ast.Constant):
        assert ast.unparse(first) in INDIRECT, f"{where}: a code by variable; cover it below"
        return
    problem = PROBLEMS.get(first.value)
    assert problem is not None, f"{where}: {first.value!r} is not in sync/errors.py PROBLEMS"
    names = {k.arg for k in call.keywords} - {"field", "message"}
    if None in names:  # **params: checked when raised
        return
    if any(k.arg == "message" for k in call.keywords):
        assert names <= set(problem.details), where
    else:
        assert names == set(problem.details), where
    for keyword in call.keywords:
        if keyword.arg not in (None, "field"):
            # What a person reads comes from the catalogue, not an English literal.
            assert not _english(keyword.value), f"{where}: {ast.unparse(keyword)}"


def test_the_codes_raised_by_variable_are_registered() -> None:
    refusals = {*photos._REFUSALS.values(), "qr_photo_not_image", "qr_internal",
                *http_errors._FOR_STATUS.values(), *qr_pages._FOR_RESIDENTS.values()}
    limits = rules.Limits()
    refusals |= {rules.refusal(reports_from_client=limits.per_client_per_hour,
                               reports_on_code=0, limits=limits),
                 rules.refusal(reports_from_client=0, reports_on_code=limits.per_code_per_hour,
                               limits=limits)}
    assert refusals - set(PROBLEMS) == set()


def test_an_unregistered_code_or_a_wrong_detail_fails_at_once() -> None:
    with pytest.raises(LookupError):
        DomainError("no_such_code")
    with pytest.raises(TypeError):
        DomainError("unknown_user")  # its message names the user
    with pytest.raises(TypeError):
        DomainError("not_found", detail="x")
    assert DomainError("unknown_user", username="zhang").message == "找不到用户：zhang"


def test_the_http_error_mapping_imports_no_console_module() -> None:
    probe = ("import sys, sync.http.errors; "
             "print(sorted(m for m in sys.modules if m.startswith('sync.console')))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"


@get("/typed")
async def _typed(limit: int) -> str:
    return str(limit)


@pytest.mark.parametrize(("query", "field", "words"), [
    ("?limit=abc", "limit", "应为整数"),
    ("", "limit", "缺少字段 limit"),
])
def test_a_framework_refusal_is_told_in_chinese_naming_the_parameter(
        query: str, field: str, words: str) -> None:
    app = Litestar([_typed], exception_handlers={
        HTTPException: http_errors.on_http_exception, Exception: http_errors.on_unexpected})
    with TestClient(app=app) as client:
        response = client.get("/typed" + query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_body" and error["field"] == field
    assert words in error["message"] and "Validation" not in error["message"]


async def test_a_console_form_choice_is_named_by_its_label(
        demo_client: AsyncTestClient[Any]) -> None:
    await console_login(demo_client, "leader01")
    response = await post_form(demo_client, "/console/ledger/any-case/reopen",
                               {"stage": "bogus"}, page_url="/console/ledger")
    assert response.status_code == 400
    assert 'data-code="invalid_choice"' in response.text
    assert "“办理状态”的选择无效" in response.text
    await console_login(demo_client, "admin")
    response = await post_form(demo_client, "/console/admin/users/liaison04",
                               {"action": "bogus"}, page_url="/console/admin/users")
    assert response.status_code == 400
    assert "“对账号的操作”的选择无效" in response.text


async def test_a_bug_behind_a_console_page_is_a_chinese_page(
        demo_client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.console.admin import Administration

    async def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    await console_login(demo_client, "admin")
    monkeypatch.setattr(Administration, "overview", broken)
    response = await demo_client.get("/console/admin/users")
    assert response.status_code == 500
    assert "text/html" in response.headers["content-type"]
    assert "服务器内部错误" in response.text and "a bug" not in response.text
