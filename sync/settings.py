"""Settings, read from the environment once; command-line flags override them.

Nothing else in the code base reads ``os.environ``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

SQLITE_PREFIX = "sqlite+aiosqlite:///"
POSTGRES_PREFIX = "postgresql+asyncpg://"


class SettingsError(ValueError):
    """A setting that cannot work; raised at start-up, never at request time."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    # Tokens must outlive a week in the field without signal, with margin.
    token_ttl_days: int = 14
    max_request_bytes: int = 8 * 1024 * 1024
    max_blob_bytes: int = 10 * 1024 * 1024
    secret_key: str = ""
    pwa_dir: Path | None = None
    # The address residents' phones reach (behind the reverse proxy), printed in QR codes.
    public_url: str = ""
    # Whose X-Forwarded-For names the client (the reverse proxy's addresses): the login
    # throttle and the QR flood limits count per client address, and without this every
    # request behind a proxy on another host would share the proxy's.
    trusted_proxies: str = "127.0.0.1"

    def __post_init__(self) -> None:
        if not self.database_url.startswith((SQLITE_PREFIX, POSTGRES_PREFIX)):
            raise SettingsError(
                f"database URL must start with {SQLITE_PREFIX} or {POSTGRES_PREFIX}: "
                f"{self.database_url!r}"
            )
        if not 0 < self.port < 65536:
            raise SettingsError(f"port out of range: {self.port}")

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the non-None values in ``changes`` applied (for CLI flags)."""
        given = {k: v for k, v in changes.items() if v is not None}
        if "data_dir" in given and "database_url" not in given and self._url_is_default:
            data_dir = Path(str(given["data_dir"]))
            given["database_url"] = default_database_url(data_dir)
        return replace(self, **given)  # type: ignore[arg-type]

    @property
    def _url_is_default(self) -> bool:
        return self.database_url == default_database_url(self.data_dir)


def default_database_url(data_dir: Path) -> str:
    return f"{SQLITE_PREFIX}{(data_dir / 'workroom.db').resolve()}"


def load_secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key)
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return key


def from_environment(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("WORKROOM_DATA_DIR", "data"))
    pwa_dir = env.get("WORKROOM_PWA_DIR")
    return Settings(
        data_dir=data_dir,
        database_url=env.get("WORKROOM_DATABASE_URL") or default_database_url(data_dir),
        host=env.get("WORKROOM_HOST", "127.0.0.1"),
        port=int(env.get("WORKROOM_PORT", "8000")),
        token_ttl_days=int(env.get("WORKROOM_TOKEN_TTL_DAYS", "14")),
        secret_key=env.get("WORKROOM_SECRET_KEY", ""),
        pwa_dir=Path(pwa_dir) if pwa_dir else None,
        public_url=env.get("WORKROOM_PUBLIC_URL", "").rstrip("/"),
        trusted_proxies=env.get("WORKROOM_TRUSTED_PROXIES", "127.0.0.1"),
    )
