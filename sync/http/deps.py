"""Dependencies shared by handlers: the services and the bearer-token session."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import Clock
from sync.errors import DomainError
from sync.services.auth import Authenticated, AuthService
from sync.services.blobs import BlobService
from sync.services.review import ReviewService
from sync.services.sync import SyncService
from sync.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    clock: Clock
    auth: AuthService
    sync: SyncService
    review: ReviewService
    blobs: BlobService


def services(state: State) -> Services:
    return state.services


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise DomainError("unauthorized")
    return token.strip()


async def require_session(request: Request) -> Authenticated:
    return await services(request.app.state).auth.authenticate(bearer_token(request))
