"""The composition root: every service is built here once, at start-up, and handlers
receive them by injection (``svc: Services``, provided app-wide in sync/http/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import Clock
from sync.console.admin import Administration
from sync.console.dashboards import Charts
from sync.console.duty_log import DutyLogs
from sync.console.ledger import Ledger
from sync.console.property import PropertySupervision
from sync.console.record_book import RecordBook
from sync.console.rejected import Rejected
from sync.console.weekly import Compliance
from sync.errors import DomainError
from sync.evaluation.diversion_service import Diversion
from sync.evaluation.imports import WorkOrderService
from sync.evaluation.service import EvaluationService
from sync.qr.intake import QrIntake
from sync.qr.registry import QrRegistry
from sync.services.auth import Authenticated, AuthService
from sync.services.blobs import BlobService
from sync.services.review import ReviewService
from sync.services.sync import SyncService
from sync.settings import Settings
from sync.store.blobs import BlobFolder


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: AsyncEngine
    clock: Clock
    auth: AuthService
    sync: SyncService
    review: ReviewService
    blobs: BlobService
    qr_intake: QrIntake
    qr_registry: QrRegistry
    evaluation: EvaluationService
    work_orders: WorkOrderService
    diversion: Diversion
    # The console's pages
    duty_logs: DutyLogs
    compliance: Compliance
    ledger: Ledger
    record_book: RecordBook
    property_supervision: PropertySupervision
    charts: Charts
    rejected: Rejected
    administration: Administration


def build_services(settings: Settings, *, engine: AsyncEngine, clock: Clock,
                   secret_key: str) -> Services:
    folder = BlobFolder(settings.blob_dir)
    compliance = Compliance(engine)
    return Services(
        settings=settings, engine=engine, clock=clock,
        auth=AuthService(engine, clock, token_ttl_days=settings.token_ttl_days),
        sync=SyncService(engine, clock, cursor_key=secret_key.encode()),
        review=ReviewService(engine, clock),
        blobs=BlobService(engine, clock, folder, max_bytes=settings.max_blob_bytes),
        qr_intake=QrIntake(engine, clock, folder, secret=secret_key),
        qr_registry=QrRegistry(engine, clock),
        evaluation=EvaluationService(engine, clock),
        work_orders=WorkOrderService(engine, clock),
        diversion=Diversion(engine),
        duty_logs=DutyLogs(engine),
        compliance=compliance,
        ledger=Ledger(engine),
        record_book=RecordBook(engine),
        property_supervision=PropertySupervision(engine),
        charts=Charts(engine, compliance),
        rejected=Rejected(engine),
        administration=Administration(engine),
    )


def services(state: State) -> Services:
    """The ``svc`` dependency of every handler (and of the dependencies that need one)."""
    return state.services


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise DomainError("unauthorized")
    return token.strip()


async def require_session(request: Request) -> Authenticated:
    return await services(request.app.state).auth.authenticate(bearer_token(request))


def public_base_url(svc: Services, request: Request) -> str:
    """The address residents' QR codes point at. The configured public address wins:
    behind a proxy the request's own is internal."""
    return svc.settings.public_url or str(request.base_url).rstrip("/")
