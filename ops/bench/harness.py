"""The benchmark's surroundings: a scratch PostgreSQL database, the organisation, the server.

Everything is made fresh per run and removed at the end, so a run never touches a real
database and two runs never see each other's data.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from sync.clock import SystemClock
from sync.db.engine import make_engine, write_transaction
from sync.db.migrate import upgrade
from sync.demo import DEFAULT_PASSWORD, SQUADS, seed_demo
from sync.domain.passwords import hash_password
from sync.domain.roles import Role
from sync.store import org, tokens

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class BenchUser:
    username: str
    community_id: str
    device_id: str
    token: str


def communities() -> list[tuple[str, str]]:
    """(community id, squad id) of the demo organisation, in squad order."""
    return [(f"c-{squad}-{suffix}", f"sq-{squad}")
            for squad, _, _, places in SQUADS for suffix, _, _ in places]


@asynccontextmanager
async def scratch_database(label: str = "") -> AsyncIterator[tuple[str, str]]:
    """A new database: yields (SQLAlchemy URL, asyncpg DSN); dropped afterwards."""
    name = f"wr_bench_{label}{os.getpid()}"
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    base = ADMIN_DSN.rsplit("/", 1)[0]
    try:
        yield base.replace("postgresql://", "postgresql+asyncpg://") + f"/{name}", f"{base}/{name}"
    finally:
        admin = await asyncpg.connect(ADMIN_DSN)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()


async def prepare(url: str, *, devices: int, code: Path | None = None) -> list[BenchUser]:
    """Migrate, seed the demo organisation and add one liaison per benchmark device.

    ``code``: another checkout of Workroom, whose own code makes the schema and seeds it
    (its store writes what its schema holds), in a subprocess.
    """
    if code is not None:
        script = ("import asyncio, dataclasses, json, sys; sys.path.insert(0, 'ops/bench');"
                  " from harness import prepare;"
                  f" users = asyncio.run(prepare({url!r}, devices={devices}));"
                  " print(json.dumps([dataclasses.astuple(u) for u in users]))")
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", script],
                                       check=True, cwd=code, env=_running(code),
                                       capture_output=True, text=True)
        return [BenchUser(*row) for row in json.loads(done.stdout.splitlines()[-1])]
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    clock = SystemClock()
    try:
        await seed_demo(engine, clock, password=DEFAULT_PASSWORD)
        # One argon2 hash for all of them: hashing is deliberately slow.
        password_hash = hash_password(DEFAULT_PASSWORD)
        # About three devices per community, so their edits of shared cases collide.
        places = communities()[:max(1, min(len(communities()), devices // 3))]
        squad_of = dict(places)
        users = []
        async with write_transaction(engine) as conn:
            for n in range(devices):
                username, community_id = f"bench{n:03d}", places[n % len(places)][0]
                record = await org.add_user(
                    conn, username=username, name=f"压测联络员{n:03d}", role=Role.LIAISON,
                    squad_id=squad_of[community_id], phone=None, password_hash=password_hash,
                    now_ms=clock.now_ms())
                await org.assign(conn, record, community_id, now_ms=clock.now_ms())
                # A session per phone straight from the store: a hundred argon2 checks
                # through /auth/login would be most of a --quick run on a busy machine.
                token, _ = await tokens.issue(conn, user_id=record.id, device_id=f"dev-{username}",
                                              device_name="bench", now_ms=clock.now_ms(),
                                              ttl_ms=24 * 3600 * 1000)
                users.append(BenchUser(username, community_id, f"dev-{username}", token))
    finally:
        await engine.dispose()
    return users


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mib(self) -> float:
        """VmHWM: the resident set's high-water mark since the process started."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024


@asynccontextmanager
async def running_server(url: str, *, wrap: list[str] | None = None,
                         code: Path | None = None) -> AsyncIterator[Server]:
    """``workroom serve`` as a user starts it; ``wrap`` prefixes the command (a profiler).
    ``code``: run another checkout of Workroom instead of this one."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="wr-bench-") as data_dir:
        log = Path(data_dir) / "server.log"
        workroom = str(Path(sys.executable).with_name("workroom"))
        command = [*(wrap or []), workroom, "serve", "--db", url, "--port", str(port),
                   "--data-dir", data_dir]
        env = None if code is None else _running(code)
        server = Server(_spawn(command, log, cwd=code or ROOT, env=env),
                        f"http://127.0.0.1:{port}", log)
        try:
            await _wait_healthy(server)
            yield server
        finally:
            await asyncio.to_thread(_stop, server)


@asynccontextmanager
async def running_bare_endpoint(dsn: str) -> AsyncIterator[Server]:
    """bare_endpoint.py under uvicorn, as ``workroom serve`` runs (uvloop, httptools)."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="wr-bare-") as log_dir:
        log = Path(log_dir) / "bare.log"
        command = [sys.executable, "-m", "uvicorn", "bare_endpoint:app", "--port", str(port),
                   "--log-level", "warning", "--no-access-log"]
        process = _spawn(command, log, cwd=Path(__file__).parent,
                         env={**os.environ, "WR_BARE_DSN": dsn})
        server = Server(process, f"http://127.0.0.1:{port}", log)
        try:
            await _wait_healthy(server)
            yield server
        finally:
            await asyncio.to_thread(_stop, server)


def _running(code: Path) -> dict[str, str]:
    """The environment that makes Python import ``sync`` from the checkout ``code``."""
    return {**os.environ, "PYTHONPATH": str(code)}


def _spawn(command: list[str], log: Path, *, cwd: Path = ROOT,
           env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env)


def _stop(server: Server) -> None:
    process = server.process
    process.send_signal(2)  # SIGINT: lets a wrapping profiler write its report
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.returncode not in (0, -2, 130):
        sys.stderr.write(server.log.read_text(errors="replace")[-4000:])


async def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=server.url) as http:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError("server exited:\n" + server.log.read_text(errors="replace"))
            try:
                if (await http.get("/healthz", timeout=1)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("server not healthy after 60 s")


def postgres_cpu_seconds(database: str) -> float:
    """CPU time of the PostgreSQL backends serving ``database`` (those alive now)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            if command.startswith("postgres:") and f" {database} " in command:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total / os.sysconf("SC_CLK_TCK")
