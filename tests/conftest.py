from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from sync.clock import ManualClock
from sync.domain import passwords
from sync.http.app import create_app
from sync.services.auth import AuthService
from sync.settings import Settings
from tests.databases import DEMO_PASSWORD, START_MS, Databases

__all__ = ["DEMO_PASSWORD", "START_MS", "login"]

BACKENDS = ["sqlite", "postgresql"]


# The suite seeds argon2id hashes at the lowest cost (tests/databases.py). An unknown
# username is verified against a dummy hash of the stored hashes' cost, in the server as
# here: otherwise every unknown username would cost the suite a full-price argon2 run.
_CHEAP_DUMMY_HASH = PasswordHasher(time_cost=1, memory_cost=1024,
                                   parallelism=1).hash("dummy-password-0")


@pytest.fixture(autouse=True)
def _cheap_dummy_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _CHEAP_DUMMY_HASH)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(databases: Databases, backend: str) -> str:
    return databases.migrated(backend)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START_MS)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url,
                    secret_key="test-secret-key")


@pytest.fixture
async def client(settings: Settings, clock: ManualClock) -> AsyncIterator[AsyncTestClient]:
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def seeded(databases: Databases, backend: str, tmp_path: Path) -> Settings:
    """Settings for a database holding the demo organisation."""
    return Settings(data_dir=tmp_path / "data", database_url=databases.seeded(backend),
                    secret_key="test-secret-key")


@pytest.fixture
async def demo_client(seeded: Settings, clock: ManualClock) -> AsyncIterator[AsyncTestClient]:
    app = create_app(seeded, clock=clock)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1") as test_client:
        yield test_client


async def login(client: AsyncTestClient, username: str, *, device_id: str = "dev-1",
                password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Log in and return the Authorization header."""
    response = await client.post("/api/v1/auth/login", json={
        "username": username, "password": password, "device_id": device_id})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
async def engine(seeded: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on the test database in the test's own event loop.

    The test client runs the app in another loop, so tests never reach into the app's
    services; they build their own on this engine.
    """
    from sync.db.engine import make_engine

    test_engine = make_engine(seeded.database_url)
    yield test_engine
    await test_engine.dispose()


@pytest.fixture
def auth_service(engine: AsyncEngine, clock: ManualClock) -> AuthService:
    return AuthService(engine, clock, token_ttl_days=14)
