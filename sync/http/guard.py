"""The gate every request passes: its path, query and form hold only what user text may.

A NUL in a path, a query or a form field reached PostgreSQL and failed there with a 5xx
(issue 15); a C0 control reached an Excel export. Checking here, once, before any
handler runs, answers every route alike: ``invalid_request`` naming the part, raised as
a ``DomainError`` so each router shows it its own way (JSON for the API, a Chinese page
on the console and the resident pages).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType

from sync.domain import text
from sync.errors import DomainError
from sync.i18n import t

_FORMS = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)
# A resident's report and answer: the intake strips what user text may not hold
# (qr/rules.clean_text) rather than refusing a 70-year-old's paste.
_RESIDENT_FORMS = "/r/"


async def check_request(request: Request[Any, Any, Any]) -> None:
    """The before-request hook: refuse a request carrying a forbidden character."""
    _check("path", request.scope["path"])
    for name, value in request.query_params.multi_items():
        _check(name, name)
        _check(name, value)
    if request.method in ("POST", "PUT", "PATCH") and request.content_type[0] in _FORMS and (
            not request.scope["path"].startswith(_RESIDENT_FORMS)):
        form = await request.form()
        for name, value in form.multi_items():
            _check(name, name)
            _check(name, value.filename if isinstance(value, UploadFile) else value)


def _check(field: str, value: object) -> None:
    if not isinstance(value, str):
        return
    if text.first_forbidden(value) is not None:
        raise DomainError("invalid_request", field=text.strip(field)[:64] or None,
                          detail=t("detail.forbidden_char"))
