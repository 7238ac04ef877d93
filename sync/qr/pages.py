"""The residents' pages: /r/{code} (report), /r/t/{token} (tracking and feedback).

Server-rendered, no JavaScript, one request per page. Every failure is a friendly
Chinese page (the Router's own exception handlers), never the API's JSON and never a
traceback; field mistakes re-show the form with what the resident typed.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response, Router, get, post
from litestar.datastructures import ResponseHeader, UploadFile
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template

from sync.domain.org import Card
from sync.errors import DomainError
from sync.http.body import client_address
from sync.http.deps import Services
from sync.http.errors import from_http_exception, retry_headers, unexpected
from sync.i18n import t
from sync.qr import intake as intake_module
from sync.qr import rules
from sync.qr.intake import OUTCOMES, ReportForm
from sync.qr.photos import MAX_PHOTOS, MAX_UPLOAD_BYTES

# Three photos at the cap, plus the text: a body over this is cut off early.
REPORT_BODY_LIMIT = MAX_PHOTOS * MAX_UPLOAD_BYTES + 2 * 1024 * 1024
FEEDBACK_BODY_LIMIT = 64 * 1024


def _report_page(code: str, found_name: str, card: Card | None, *, form: ReportForm,
                 error: str | None = None, status: int = 200) -> Template:
    return Template("qr/report.html", status_code=status, context={
        "t": t, "code": code, "community_name": found_name, "card": card, "form": form,
        "error": error, "categories": intake_module.open_categories(),
        "max_photos": MAX_PHOTOS, "max_description": intake_module.MAX_DESCRIPTION,
        "max_location": intake_module.MAX_LOCATION})


@get("/{code:str}")
async def report_form(request: Request[Any, Any, Any], svc: Services, code: str) -> Template:
    found, card = await svc.qr_intake.scan(code, address=client_address(request))
    return _report_page(code, found.community_name, card, form=ReportForm())


@post("/{code:str}", request_max_body_size=REPORT_BODY_LIMIT)
async def submit_report(request: Request[Any, Any, Any], svc: Services,
                        code: str) -> Template | Redirect:
    intake = svc.qr_intake
    data = await request.form()
    form = ReportForm(category=_text(data.get("category")),
                      description=_text(data.get("description")),
                      location=_text(data.get("location")), phone=_text(data.get("phone")),
                      honeypot=_text(data.get("website")))
    photos = [await f.read() for f in data.getall("photo", [])
              if isinstance(f, UploadFile) and f.filename]
    photos = [p for p in photos if p]
    try:
        done = await intake.submit(code, form, photos, address=client_address(request))
    except DomainError as error:
        if error.field is None:
            raise
        found, card = await intake.find_usable(code)
        return _report_page(code, found.community_name, card, form=form, error=error.message,
                            status=error.http_status)
    return Redirect(f"/r/t/{done.token}?new=1", status_code=303)


@get("/t/{token:str}")
async def tracking(request: Request[Any, Any, Any], svc: Services, token: str) -> Template:
    return await _tracking_page(request, svc, token)


@post("/t/{token:str}/feedback", request_max_body_size=FEEDBACK_BODY_LIMIT)
async def feedback(request: Request[Any, Any, Any], svc: Services,
                   token: str) -> Template | Redirect:
    data = await request.form()
    try:
        await svc.qr_intake.give_feedback(
            token, outcome=_text(data.get("outcome")),
            satisfaction=_text(data.get("satisfaction")), comment=_text(data.get("comment")))
    except DomainError as error:
        if error.field is None:
            raise
        return await _tracking_page(request, svc, token, error=error.message, status=400)
    return Redirect(f"/r/t/{token}?thanks=1", status_code=303)


async def _tracking_page(request: Request[Any, Any, Any], svc: Services, token: str, *,
                         error: str | None = None, status: int = 200) -> Template:
    view = await svc.qr_intake.track(token)
    link = str(request.url.with_replacements(query=""))
    if link.endswith("/feedback"):
        link = link.removesuffix("/feedback")
    return Template("qr/tracking.html", status_code=status, context={
        "t": t, "view": view, "token": token, "link": link, "outcomes": OUTCOMES,
        "community_name": view.community_name,
        "card": {"liaison_name": view.liaison_name, "phone": view.liaison_phone},
        "error": error, "just_submitted": request.query_params.get("new") == "1",
        "thanks": request.query_params.get("thanks") == "1"})


def _text(value: object) -> str:
    return rules.clean_text(value) if isinstance(value, str) else ""


# --- every failure is a page --------------------------------------------------------------

def _error_page(request: Request[Any, Any, Any], error: DomainError, *,
                status: int) -> Response[str]:
    back = None
    if request.method == "POST" and status in (400, 403, 413, 415):
        back = str(request.url.path).removesuffix("/feedback")
    engine = request.app.template_engine
    assert engine is not None  # the app is built with Jinja templates (http/app.py)
    html = engine.get_template("qr/error.html").render(t=t, code=error.code,
                                                       message=error.message, back=back)
    return Response(html, status_code=status, media_type=MediaType.HTML,
                    headers={"Cache-Control": "no-store", **retry_headers(error)})


# The framework's refusals told for a resident: a CSRF failure is a page left open too
# long; any other refusal is the apology.
_FOR_RESIDENTS = {"too_large": "qr_request_too_large", "forbidden": "qr_csrf",
                  "not_found": "qr_not_found", "unavailable": "unavailable"}


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[str]:
    return _error_page(request, exc, status=exc.http_status)


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[str]:
    error, status = from_http_exception(request, exc)
    return _error_page(request, DomainError(_FOR_RESIDENTS.get(error.code, "qr_internal")),
                       status=status)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[str]:
    error = unexpected(request, exc)
    return _error_page(request, DomainError(_FOR_RESIDENTS.get(error.code, "qr_internal")),
                       status=error.http_status)


router = Router(
    path="/r", route_handlers=[report_form, submit_report, tracking, feedback],
    include_in_schema=False,
    exception_handlers={DomainError: on_domain_error, HTTPException: on_http_exception,
                        Exception: on_unexpected},
    response_headers=[
        # The tracking token is in the URL: never leak it to another site.
        ResponseHeader(name="Referrer-Policy", value="no-referrer"),
        ResponseHeader(name="X-Frame-Options", value="DENY"),
        ResponseHeader(name="Content-Security-Policy", value=(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'")),
        ResponseHeader(name="Cache-Control", value="no-store"),
    ],
)
