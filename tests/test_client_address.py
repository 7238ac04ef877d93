"""Behind the reverse proxy, the login throttle counts the client's address, not the
proxy's: a real ``workroom serve`` trusts X-Forwarded-For from its configured proxies
only (``WORKROOM_TRUSTED_PROXIES``)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from sync.domain.lockout import MAX_ADDRESS_FAILURES
from tests.databases import DEMO_PASSWORD, Databases
from tests.live_server import live_server

SPRAYER, NEIGHBOUR = "203.0.113.7", "203.0.113.8"  # documentation addresses: header text


def spray(client: httpx.Client, address: str) -> None:
    """Wrong passwords from one address over many usernames, never five for one."""
    names = [f"liaison{n:02d}" for n in range(1, 14)] + [f"leader{n:02d}" for n in range(1, 12)]
    for attempt in range(MAX_ADDRESS_FAILURES):
        response = client.post("/api/v1/auth/login", headers={"X-Forwarded-For": address},
                               json={"username": names[attempt % len(names)],
                                     "password": "wrong-password-1", "device_id": "d"})
        assert response.status_code == 401, response.text


def log_in(client: httpx.Client, address: str) -> int:
    return client.post("/api/v1/auth/login", headers={"X-Forwarded-For": address}, json={
        "username": "bureau01", "password": DEMO_PASSWORD, "device_id": "d"}).status_code


@pytest.mark.parametrize(("trusted", "neighbour_status"), [("127.0.0.1", 200),
                                                           ("192.0.2.1", 429)])
def test_the_login_throttle_counts_the_address_the_trusted_proxy_names(
        databases: Databases, tmp_path: Path, trusted: str, neighbour_status: int) -> None:
    env = {**os.environ, "WORKROOM_TRUSTED_PROXIES": trusted}
    with live_server(databases.seeded("sqlite"), tmp_path / "data", env=env) as url, \
            httpx.Client(base_url=url, timeout=30) as client:
        spray(client, SPRAYER)
        assert log_in(client, SPRAYER) == 429
        # Trusted, the proxy's header names another client, who may log in; untrusted,
        # it is ignored and everyone behind it shares the sprayer's address.
        assert log_in(client, NEIGHBOUR) == neighbour_status
