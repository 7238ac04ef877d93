"""Administration pages (admin): users and roles, assignments, communities and cards, and
the organisation's import from a spreadsheet."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from sync.console.excel import Sheet, download
from sync.console.pages.common import page
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.http.deps import Services
from sync.i18n import t
from sync.services.org_import import HEADERS, TEMPLATE_ROWS, import_org

SOURCE = "console"


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise DomainError("invalid_choice", field="role", label=t("console.admin.role")) from None


@get("/admin/users")
async def users(request: Request[Any, Any, Any], svc: Services, admin: Actor) -> Template:
    found = await svc.administration.overview()
    return page("admin_users", actor=admin, roles=[r.value for r in Role], **found)


@post("/admin/users")
async def add_user(request: Request[Any, Any, Any], svc: Services, admin: Actor) -> Redirect:
    form = await request.form()
    username = str(form.get("username", "")).strip()
    await svc.auth.add_user(
        username=username, name=str(form.get("name", "")).strip() or username,
        role=_role(str(form.get("role", ""))), squad_id=str(form.get("squad_id", "")) or None,
        phone=str(form.get("phone", "")) or None, password=str(form.get("password", "")),
        by=admin.username, source=SOURCE)
    return Redirect("/console/admin/users", status_code=303)


@post("/admin/users/{username:str}")
async def change_user(request: Request[Any, Any, Any], svc: Services, admin: Actor,
                      username: str) -> Redirect:
    form = await request.form()
    auth = svc.auth
    action = str(form.get("action", ""))
    if action in ("disable", "enable"):
        await auth.set_disabled(username, disabled=action == "disable", by=admin.username,
                                source=SOURCE)
    elif action == "role":
        await auth.set_role(username, role=_role(str(form.get("role", ""))),
                            squad_id=str(form.get("squad_id", "")) or None, by=admin.username,
                            source=SOURCE)
    elif action in ("assign", "unassign"):
        await auth.assign(username, str(form.get("community_id", "")),
                          assigned=action == "assign", by=admin.username, source=SOURCE)
    elif action == "password":
        await auth.set_password(username, str(form.get("password", "")), by=admin.username,
                                source=SOURCE)
    elif action == "unlock":
        await auth.unlock(username, by=admin.username, source=SOURCE)
    else:
        raise DomainError("invalid_choice", field="action", label=t("label.user_action"))
    return Redirect("/console/admin/users", status_code=303)


@get("/admin/communities")
async def communities(request: Request[Any, Any, Any], svc: Services, admin: Actor) -> Template:
    found = await svc.administration.overview()
    return page("admin_communities", actor=admin, **found)


@post("/admin/communities/{community_id:str}/card")
async def set_card(request: Request[Any, Any, Any], svc: Services, admin: Actor,
                   community_id: str) -> Redirect:
    form = await request.form()
    await svc.administration.set_card(community_id,
                                      liaison_name=str(form.get("liaison_name", "")),
                                      phone=str(form.get("phone", "")), by=admin.username,
                                      now_ms=svc.clock.now_ms())
    return Redirect("/console/admin/communities", status_code=303)


@post("/admin/companies/{company_id:str}/unlink")
async def unlink_company(request: Request[Any, Any, Any], svc: Services, admin: Actor,
                         company_id: str) -> Redirect:
    form = await request.form()
    await svc.administration.unlink_company(str(form.get("community_id", "")), company_id,
                                            by=admin.username, now_ms=svc.clock.now_ms())
    return Redirect("/console/admin/communities", status_code=303)


@post("/admin/communities/import")
async def import_organisation(request: Request[Any, Any, Any], svc: Services,
                              admin: Actor) -> Template:
    """The organisation from a spreadsheet; the page again, with what was done and the
    rows refused."""
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise DomainError("import_empty")
    result = await import_org(svc.engine, await upload.read(),
                              file_name=upload.filename or "organisation", by=admin.username,
                              source=SOURCE, now_ms=svc.clock.now_ms())
    found = await svc.administration.overview()
    return page("admin_communities", actor=admin, imported=result, **found)


@get("/admin/communities/template")
async def organisation_template(admin: Actor) -> Response[bytes]:
    """The import's columns on an empty first sheet (the one imported), and two example
    rows on a second: a template uploaded as downloaded changes nothing."""
    headers = [names[0] for names in HEADERS.values()]
    return download([Sheet(title=t("console.admin.org_sheet"), headers=headers, rows=[]),
                     Sheet(title=t("console.admin.org_examples"), headers=headers,
                           rows=TEMPLATE_ROWS)],
                    filename=f"{t('console.admin.org_sheet')}.xlsx")


@get("/admin/communities/{community_id:str}/card")
async def card(request: Request[Any, Any, Any], svc: Services,
               admin: Actor, community_id: str) -> Template:
    place = await svc.administration.card(community_id)
    return page("admin_card", actor=admin, place=place)


handlers = [users, add_user, change_user, communities, set_card, import_organisation,
            organisation_template, unlink_company, card]
