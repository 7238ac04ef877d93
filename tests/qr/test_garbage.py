"""Whatever a phone or a robot sends to the residents' pages, the answer is a page with a
4xx or a redirect — never a 5xx, never JSON, never a traceback."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from sync.clock import ManualClock
from sync.db.engine import make_engine
from sync.http.app import create_app
from sync.qr.registry import QrRegistry
from sync.settings import Settings
from tests.databases import START_MS
from tests.qr.helpers import csrf_of

text = st.text(max_size=300) | st.sampled_from(["乱堆物", "13812345678", "", "<script>"])
forms = st.fixed_dictionaries({}, optional={
    "category": text, "description": text, "location": text, "phone": text, "website": text,
    "outcome": text, "satisfaction": text, "comment": text})
paths = st.sampled_from(["/r/{code}", "/r/t/{token}/feedback", "/r/t/x/feedback", "/r/zz"])


def _new_code(settings: Settings) -> str:
    async def work() -> str:
        engine = make_engine(settings.database_url)
        try:
            return (await QrRegistry(engine, ManualClock(START_MS)).create(
                "c-hy-01", "居委会", by=None)).code
        finally:
            await engine.dispose()

    return asyncio.run(work())


def test_garbage_forms_get_pages_not_errors(seeded: Settings) -> None:
    code = _new_code(seeded)
    app = create_app(seeded, clock=ManualClock(START_MS))
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        csrf = csrf_of(client.get(f"/r/{code}").text)
        first = client.post(f"/r/{code}", data={"_csrf_token": csrf, "category": "乱堆物",
                                                "description": "x"}, follow_redirects=False)
        token = first.headers["location"].split("/")[3].split("?")[0]

        @settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(path=paths, form=forms, with_csrf=st.booleans())
        def check(path: str, form: dict[str, str], with_csrf: bool) -> None:
            data = {**form, **({"_csrf_token": csrf} if with_csrf else {})}
            response = client.post(path.format(code=code, token=token), data=data,
                                   follow_redirects=False)
            assert response.status_code in (303, 400, 403, 404, 409, 410, 429), response.text
            if response.status_code != 303:
                assert response.headers["content-type"].startswith("text/html")
                assert "Traceback" not in response.text

        check()
