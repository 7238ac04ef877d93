"""The printable A4 poster / liaison card (R1): HTML with print CSS, one sheet per code.

Rendered outside a request too (the CLI writes it to a file), so it has its own Jinja
environment over the same templates, escaping on like the server's.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from sync.domain.images import sniff_image
from sync.i18n import t
from sync.qr import images
from sync.qr.registry import PosterPage
from sync.store.blobs import BlobFolder

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True)


def _title(pages: list[PosterPage]) -> str:
    """What the printed sheets are of, by name: one community, else its squad."""
    communities = {p.card.community.id: p.card.community for p in pages}
    if len(communities) == 1:
        return next(iter(communities.values())).name
    squads = {c.squad_name for c in communities.values()}
    return squads.pop() if len(squads) == 1 else ""


def render(pages: list[PosterPage], *, base_url: str, folder: BlobFolder | None) -> str:
    sheets = []
    for page in pages:
        url = images.public_url(base_url, page.code.code)
        sheets.append({
            "code": page.code.code, "placement": page.code.placement, "url": url,
            "community_name": page.card.community.name,
            "liaison_name": page.card.liaison_name, "phone": page.card.phone,
            "wechat_src": _wechat_src(folder, page.card.wechat_sha256),
            # Our own SVG, built from the matrix: nothing in it comes from a user.
            "svg": Markup(images.svg(url, title=page.card.community.name)),
        })
    return _environment().get_template("qr/poster.html").render(
        pages=sheets, title=_title(pages), t=t)


def _wechat_src(folder: BlobFolder | None, sha256: str | None) -> str | None:
    """The liaison's WeChat card image, inlined so the poster file stands alone."""
    if folder is None or not sha256:
        return None
    data = folder.read(sha256)
    media_type = sniff_image(data) if data else None
    if data is None or media_type is None:
        return None
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"
