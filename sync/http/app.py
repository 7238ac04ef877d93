"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from sync.clock import Clock, SystemClock
from sync.console import router as console_router
from sync.db.engine import make_engine
from sync.domain import text
from sync.errors import DomainError
from sync.http import auth_api, blobs_api, health, pwa, review_api, schema_api, sync_api
from sync.http.deps import build_services, services
from sync.http.errors import on_domain_error, on_http_exception, on_unexpected
from sync.http.guard import check_request
from sync.http.openapi import COMPONENTS, RawJSONPlugin
from sync.qr import handlers as qr_handlers
from sync.settings import Settings, load_secret_key

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def _print_only_user_text(engine: JinjaTemplateEngine) -> None:
    """Whatever a page prints holds only what user text may (the gate's rule): text
    stored before the gate — a bidi override, a control character — cannot reorder or
    break a supervisor's or a resident's page."""
    engine.engine.finalize = _printable


def _printable(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return text.strip(value)
    return value


def create_app(settings: Settings, *, clock: Clock | None = None) -> Litestar:
    clock = clock or SystemClock()
    secret_key = load_secret_key(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.services = build_services(settings, engine=engine, clock=clock,
                                             secret_key=secret_key)
        try:
            yield
        finally:
            await engine.dispose()

    return Litestar(
        route_handlers=[*auth_api.handlers, *health.handlers, *sync_api.handlers,
                        *review_api.handlers, *blobs_api.handlers, *schema_api.handlers,
                        *qr_handlers.handlers, *pwa.handlers(settings),
                        *console_router.handlers()],
        lifespan=[lifespan],
        dependencies={"svc": Provide(services, sync_to_thread=False)},
        before_request=check_request,
        exception_handlers={
            DomainError: on_domain_error,
            HTTPException: on_http_exception,
            Exception: on_unexpected,
        },
        request_max_body_size=settings.max_request_bytes,
        # HTML forms (console, resident pages) carry a CSRF token; the JSON API uses bearer
        # tokens, which a foreign page cannot send, so it is exempt.
        csrf_config=CSRFConfig(secret=secret_key, cookie_httponly=True, cookie_samesite="lax",
                               exclude=["^/api/", "^/healthz"]),
        template_config=TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine,
                                       engine_callback=_print_only_user_text),
        openapi_config=OpenAPIConfig(
            title="Workroom 社区工作室", version="1.0.0", path="/api/schema",
            render_plugins=[SwaggerRenderPlugin()], components=COMPONENTS,
        ),
        plugins=[RawJSONPlugin()],
        debug=False,
    )
