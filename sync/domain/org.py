"""The organisation as every part of the product reads it: a community and its card.

One row type for a community (居民区) — the console's tables, the QR intake, the sync
scope and the evaluation all read this one, from one store function
(``sync.store.org.communities``) — and the community's public liaison card (R1), which
is the community plus what its notice board shows. The evaluation's workroom
(``sync.evaluation.facts.Workroom``) is a card plus its evaluation facts. Pure.
"""

from __future__ import annotations

import msgspec


class Community(msgspec.Struct, frozen=True):
    """A residential community, in its squad (中队)."""

    id: str
    name: str
    squad_id: str
    squad_name: str


class Card(msgspec.Struct, frozen=True):
    """A community's public liaison card (联络员名片, R1): the liaison's name and phone,
    and the photo of their WeChat card (a blob's SHA-256), as the notice board, the
    QR poster and the residents' pages show them."""

    community: Community
    liaison_name: str | None = None
    phone: str | None = None
    wechat_sha256: str | None = None
