"""Schema fuzzing: whatever anyone sends, the server answers as its OpenAPI document says.

schemathesis generates requests from the document at /api/schema — valid ones and ones
that break it — for every operation, sent by nobody, a liaison, a squad leader and the
bureau, to the app in process on a seeded database. Every answer must be no 5xx, have a
documented status code and media type, match the documented schema, and every 4xx must
carry the contract's error body.

Every operation runs on SQLite; those that take text (a body, a path or a query) run on
PostgreSQL too, which refuses NUL in text where SQLite does not. The run is seeded
(Hypothesis ``derandomize``): CI sends the same requests every time.
``WORKROOM_FUZZ_EXAMPLES`` sets the examples per operation, caller and mode (default 8,
about two minutes); ``WORKROOM_FUZZ_EVERYTHING_ON_POSTGRESQL=1`` runs every operation on
PostgreSQL too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from schema.kinds import KINDS
from sync.clock import SystemClock
from sync.db.engine import make_engine
from sync.http.app import create_app
from sync.services.auth import AuthService
from sync.settings import Settings
from tests.databases import DEMO_PASSWORD, Databases, run_blocking

EXAMPLES = int(os.environ.get("WORKROOM_FUZZ_EXAMPLES", "8"))
EVERYTHING_ON_POSTGRESQL = os.environ.get("WORKROOM_FUZZ_EVERYTHING_ON_POSTGRESQL") == "1"
CALLERS = ["nobody", "liaison01", "leader01", "bureau01"]
# Fewer on PostgreSQL, which is slower to fuzz: its NUL trouble is the request's, not the role's.
POSTGRESQL_CALLERS = ["nobody", "liaison01", "bureau01"]
DEVICE = "fuzz-1"
# liaison01's and leader01's community in the demo organisation.
COMMUNITY = "c-hy-01"
LOGOUT = ("POST", "/api/v1/auth/logout")
PUSH = ("POST", "/api/v1/sync/push")


def _document() -> dict[str, Any]:
    app = create_app(Settings(data_dir=Path("/nonexistent"),
                              database_url="sqlite+aiosqlite:///:memory:",
                              secret_key="collect"))
    return app.openapi_schema.to_schema()


def _operations() -> list[Any]:
    """(backend, method, path, caller) for every operation of the document, from the app."""
    found = []
    for path, item in _document()["paths"].items():
        for method, operation in item.items():
            takes_text = "requestBody" in operation or operation.get("parameters")
            backends = ["sqlite", "postgresql"] if takes_text or EVERYTHING_ON_POSTGRESQL \
                else ["sqlite"]
            found += [pytest.param(backend, method.upper(), path, caller,
                                   id=f"{backend}-{method.upper()} {path}-{caller}")
                      for backend in backends for caller in CALLERS
                      if backend == "sqlite" or caller in POSTGRESQL_CALLERS]
    return found


def test_the_document_names_every_body_error_and_kind() -> None:
    document = _document()
    # POSTs that take no body: the token or the path says it all.
    bodiless = {"/api/v1/auth/logout", "/api/v1/qr/codes/{code}/revoke",
                "/api/v1/qr/codes/{code}/replace"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put") and path not in bodiless:
                assert operation.get("requestBody", {}).get("content"), (method, path)
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert response["content"] == {"application/json": {"schema": {
                        "$ref": "#/components/schemas/ErrorBody"}}}, (method, path, status)
            assert "400" in operation["responses"], (method, path)
    push = document["paths"]["/api/v1/sync/push"]["post"]["requestBody"]["content"]
    variants = push["application/json"]["schema"]["properties"]["mutations"]["items"]["oneOf"]
    by_kind = {v["properties"]["kind"]["const"]: v["properties"]["fields"] for v in variants}
    assert set(by_kind) == set(KINDS)
    assert by_kind["case_step"]["properties"]["action"]["enum"][0] == "accept"
    assert by_kind["visit"]["additionalProperties"] is False
    blob = document["paths"]["/api/v1/blobs/{sha256}"]
    assert set(blob["put"]["requestBody"]["content"]) == {"image/jpeg", "image/png",
                                                          "image/webp"}
    assert set(blob["get"]["responses"]["200"]["content"]) == {"image/jpeg", "image/png",
                                                               "image/webp"}


def error_body_is_the_contracts(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx is JSON ``{"error": {"code", "message", "field"?}}``, none of them empty."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), \
        f"a {response.status_code} answered as {content_type!r}"
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, f"not the error body: {body!r}"
    error = body["error"]
    assert isinstance(error, dict) and {"code", "message"} <= set(error) <= {
        "code", "message", "field"}, f"not the error body: {body!r}"
    assert all(isinstance(error[key], str) and error[key] for key in error), \
        f"an empty or non-text member in {body!r}"
    return True


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, error_body_is_the_contracts]


def aimed(case: Any) -> Any:
    """A valid push pointed at the caller's own device and community.

    The document cannot know which device a token belongs to or which communities its
    user may write, so a generated push is refused before its fields are looked at.
    Aimed, its per-kind fields are validated, stored, and read back by the pulls, the
    conflicts and the rejected list fuzzed after it.
    """
    mutations = case.body.get("mutations") if isinstance(case.body, dict) else None
    now_ms = int(time.time() * 1000)
    for n, mutation in enumerate(mutations or [], start=1):
        if isinstance(mutation, dict):
            mutation["community_id"] = COMMUNITY
            mutation["hlc"] = f"{now_ms:013d}:{n:05d}:{DEVICE}"
            # JSON Schema counts 7.0 as an integer; msgspec, like the protocol, does not
            # (that whole push is a 400, as documented).
            for name in ("seq", "base_version"):
                if isinstance(mutation.get(name), float) and mutation[name].is_integer():
                    mutation[name] = int(mutation[name])
    return case


async def _session(database_url: str, username: str) -> str:
    # Straight from the service on an engine of its own, not through the login route:
    # the fuzzed logins may have throttled the test client's address by now.
    engine = make_engine(database_url)
    try:
        session = await AuthService(engine, SystemClock(), token_ttl_days=1).login(
            username=username, password=DEMO_PASSWORD, device_id=DEVICE, device_name=None,
            source="fuzz-setup")
    finally:
        await engine.dispose()
    return session.token


@dataclass
class Fuzzed:
    schema: Any
    database_url: str
    tokens: dict[str, str]

    def headers(self, caller: str, *, fresh: bool = False) -> dict[str, str]:
        if caller == "nobody":
            return {}
        token = run_blocking(_session(self.database_url, caller)) if fresh \
            else self.tokens[caller]
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def fuzzed(request: pytest.FixtureRequest, databases: Databases,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    database_url = databases.seeded(str(request.param))
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("fuzz"),
                              database_url=database_url, secret_key="fuzz-secret-key"))
    tokens = {caller: run_blocking(_session(database_url, caller))
              for caller in CALLERS if caller != "nobody"}
    try:
        yield Fuzzed(schema=schemathesis.openapi.from_asgi("/api/schema/openapi.json", app),
                     database_url=database_url, tokens=tokens)
    finally:
        # The lifespan disposes of the app's engine, so the test database can be dropped.
        asgi.shutdown_lifespans()


@pytest.mark.parametrize(("fuzzed", "method", "path", "caller"), _operations(),
                         indirect=["fuzzed"])
def test_no_request_breaks_the_server_or_the_document(fuzzed: Fuzzed, method: str, path: str,
                                                     caller: str) -> None:
    operation = fuzzed.schema[path][method]
    valid = operation.as_strategy(GenerationMode.POSITIVE)
    if (method, path) == PUSH:
        valid = valid.map(aimed)
    cases = st.one_of(valid, operation.as_strategy(GenerationMode.NEGATIVE))

    @settings(max_examples=EXAMPLES * 2, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def fuzz(case: Any) -> None:
        # A logout ends the session it is sent with: each one gets a session of its own.
        # The caller's own token wins over the one schemathesis generates for the
        # document's bearer scheme (nobody keeps those: made-up tokens are fuzzed too).
        case.headers = {**(case.headers or {}),
                        **fuzzed.headers(caller, fresh=(method, path) == LOGOUT)}
        case.call_and_validate(checks=CHECKS)

    fuzz()
