"""Conflicts and rejected records: the queues of sync/services/review.py, as pages."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.response import Redirect, Template

from schema.kinds import FIELD_LABELS
from schema.stored import read
from sync.console import present
from sync.console.pages.common import page
from sync.console.viewer import Viewer
from sync.domain.shanghai import parse_time
from sync.errors import DomainError
from sync.http.deps import Services
from sync.i18n import t
from sync.protocol import ResolveConflictRequest

PAGE = 50


@get("/review")
async def queues(request: Request[Any, Any, Any], svc: Services,
                 viewer: Viewer, before: str | None = None,
                 rejected_before: str | None = None, show: str | None = None) -> Template:
    conflicts = await svc.review.conflicts(viewer.actor, before=before, limit=PAGE,
                                           unresolved_only=show != "all")
    rejected = await svc.review.rejected(viewer.actor, before=rejected_before, limit=PAGE)
    user_ids = [c.winner.user_id for c in conflicts.conflicts] + [
        c.loser.user_id for c in conflicts.conflicts] + [r.user_id for r in rejected.rejected]
    done = await svc.rejected.handled([r.id for r in rejected.rejected])
    user_ids += [h.handled_by for h in done.values()]
    names = await svc.review.names(user_ids)
    return page("review", actor=viewer.actor, viewer=viewer, conflicts=conflicts,
                rejected=rejected, names=names, show=show or "", parse_time=parse_time,
                handled=done,
                field_label=_field_label, value_text=_value_text)


def _field_label(kind: str, field: str) -> str:
    return FIELD_LABELS.get(kind, {}).get(field, field)


def _value_text(kind: str, field: str, value: Any) -> str:
    shown = present.lines(read(kind, {field: value}))
    return shown[0][1] if shown else msgspec.json.encode(value).decode()


@post("/review/conflicts/{conflict_id:str}/resolve")
async def resolve(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                  conflict_id: str) -> Redirect:
    form = await request.form()
    choice = str(form.get("choose", ""))
    if choice not in ("winner", "loser"):
        raise DomainError("invalid_choice", field="choose", label=t("label.conflict_choice"))
    await svc.review.resolve(viewer.actor, conflict_id,
                             ResolveConflictRequest(choose=choice))  # type: ignore[arg-type]
    return Redirect("/console/review", status_code=303)


@post("/review/rejected/{mutation_id:str}/handled")
async def rejected_handled(request: Request[Any, Any, Any], svc: Services, viewer: Viewer,
                           mutation_id: str) -> Redirect:
    form = await request.form()
    await svc.rejected.mark_handled(viewer, mutation_id, note=str(form.get("note", "")),
                                    now_ms=svc.clock.now_ms())
    return Redirect("/console/review", status_code=303)


handlers = [queues, resolve, rejected_handled]
