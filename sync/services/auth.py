"""Login, logout, token authentication, and the user administration the CLI and console use."""

from __future__ import annotations

import re

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain.hlc import SERVER_DEVICES
from sync.domain.lockout import is_locked
from sync.domain.passwords import hash_password, verify_password
from sync.domain.roles import Actor, Role
from sync.errors import DomainError
from sync.i18n import t
from sync.store import audit, org, tokens

DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class Session(msgspec.Struct, frozen=True):
    token: str
    expires_ms: int
    actor: Actor


class Authenticated(msgspec.Struct, frozen=True):
    actor: Actor
    device_id: str


class AuthService:
    def __init__(self, engine: AsyncEngine, clock: Clock, *, token_ttl_days: int) -> None:
        self.engine = engine
        self.clock = clock
        self.token_ttl_ms = token_ttl_days * 24 * 3600 * 1000

    async def login(self, *, username: str, password: str, device_id: str,
                    device_name: str | None, source: str | None) -> Session:
        if not DEVICE_ID.match(device_id) or device_id in SERVER_DEVICES:
            raise DomainError("invalid_body", field="device_id",
                              detail=t("detail.device_id"))
        now = self.clock.now_ms()
        # Failures are written and committed before the error is raised: the attempt
        # must count towards the lockout even though the request fails.
        async with write_transaction(self.engine) as conn:
            outcome = await self._check_credentials(conn, username=username, password=password,
                                                    device_id=device_id, now=now, source=source)
            if not isinstance(outcome, DomainError):
                token, expires_ms = await tokens.issue(
                    conn, user_id=outcome.id, device_id=device_id, device_name=device_name,
                    now_ms=now, ttl_ms=self.token_ttl_ms)
                await audit.record(conn, at_ms=now, actor=username, action="login",
                                   detail={"device_id": device_id, "device_name": device_name},
                                   source=source)
                return Session(token=token, expires_ms=expires_ms, actor=outcome.as_actor())
        raise outcome

    async def _check_credentials(self, conn: AsyncConnection, *, username: str, password: str,
                                 device_id: str, now: int,
                                 source: str | None) -> org.UserRecord | DomainError:
        if is_locked(await tokens.recent_attempts(conn, username, now_ms=now), now_ms=now):
            await audit.record(conn, at_ms=now, actor=username, action="login_locked",
                               source=source)
            return DomainError("locked")
        user = await org.find_user(conn, username)
        ok = user is not None and not user.disabled and verify_password(
            user.password_hash, password)
        await tokens.note_attempt(conn, username, ok=ok, now_ms=now)
        if ok and user is not None:
            return user
        await audit.record(conn, at_ms=now, actor=username, action="login_failed",
                           detail={"device_id": device_id}, source=source)
        if is_locked(await tokens.recent_attempts(conn, username, now_ms=now), now_ms=now):
            await audit.record(conn, at_ms=now, actor=username, action="lockout", source=source)
        return DomainError("invalid_credentials")

    async def authenticate(self, token: str) -> Authenticated:
        async with read_transaction(self.engine) as conn:
            row = await tokens.lookup(conn, token, now_ms=self.clock.now_ms())
        if row is None:
            raise DomainError("unauthorized")
        actor = Actor(id=row.id, username=row.username, name=row.name, role=Role(row.role),
                      squad_id=row.squad_id)
        return Authenticated(actor=actor, device_id=row.device_id)

    async def logout(self, token: str, *, actor: Actor, source: str | None) -> None:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            await tokens.revoke(conn, token, now_ms=now)
            await audit.record(conn, at_ms=now, actor=actor.username, action="logout",
                               source=source)

    async def me(self, actor: Actor) -> list[tuple[org.Community, list[tuple[str, str]]]]:
        """The communities ``actor`` may write to, each with its property companies."""
        async with read_transaction(self.engine) as conn:
            communities = await org.scope(conn, actor)
            companies = await org.property_companies_of(conn, [c.id for c in communities])
        return [(c, companies[c.id]) for c in communities]

    # --- administration (CLI and console) ---------------------------------------------

    async def add_user(self, *, username: str, name: str, role: Role, squad_id: str | None,
                       phone: str | None, password: str, by: str, source: str) -> Actor:
        password_hash = hash_password(password)
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.add_user(conn, username=username, name=name, role=role,
                                      squad_id=squad_id, phone=phone,
                                      password_hash=password_hash, now_ms=now)
            await audit.record(conn, at_ms=now, actor=by, action="user_added", target=username,
                               detail={"role": role.value, "squad_id": squad_id}, source=source)
            return user.as_actor()

    async def set_password(self, username: str, password: str, *, by: str, source: str) -> None:
        password_hash = hash_password(password)
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            await org.update_user(conn, user, now_ms=now, password_hash=password_hash)
            # A changed password ends every session: a lost phone stops syncing.
            count = await tokens.revoke_all(conn, user.id, now_ms=now)
            await audit.record(conn, at_ms=now, actor=by, action="password_changed",
                               target=username, detail={"tokens_revoked": count}, source=source)

    async def set_disabled(self, username: str, *, disabled: bool, by: str,
                           source: str) -> None:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            await org.update_user(conn, user, now_ms=now, disabled=disabled)
            count = await tokens.revoke_all(conn, user.id, now_ms=now) if disabled else 0
            await audit.record(conn, at_ms=now, actor=by,
                               action="user_disabled" if disabled else "user_enabled",
                               target=username, detail={"tokens_revoked": count}, source=source)

    async def set_role(self, username: str, *, role: Role, squad_id: str | None, by: str,
                       source: str) -> None:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            await org.update_user(conn, user, now_ms=now, role=role.value, squad_id=squad_id)
            await audit.record(conn, at_ms=now, actor=by, action="role_changed",
                               target=username,
                               detail={"from": user.role.value, "to": role.value,
                                       "squad_id": squad_id}, source=source)

    async def revoke_tokens(self, username: str, *, by: str, source: str) -> int:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            count = await tokens.revoke_all(conn, user.id, now_ms=now)
            await audit.record(conn, at_ms=now, actor=by, action="tokens_revoked",
                               target=username, detail={"count": count}, source=source)
            return count

    async def assign(self, username: str, community_id: str, *, assigned: bool, by: str,
                     source: str) -> bool:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            if assigned:
                changed = await org.assign(conn, user, community_id, now_ms=now)
            else:
                changed = await org.unassign(conn, user, community_id, now_ms=now)
            if changed:
                await audit.record(conn, at_ms=now, actor=by,
                                   action="assigned" if assigned else "unassigned",
                                   target=username, detail={"community_id": community_id},
                                   source=source)
            return changed
