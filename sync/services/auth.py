"""Login, logout, token and console-session authentication, and the user administration
the CLI and console use.

A login is throttled twice (sync/domain/lockout.py): per username and per address. Every
attempt that gets past the throttles costs one argon2 verification, whether the username
exists or not, so the answer's timing does not tell which usernames exist.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from sync.clock import Clock
from sync.db.engine import read_transaction, write_transaction
from sync.domain import access, text
from sync.domain import console_sessions as session_rules
from sync.domain.access import Action, Subject
from sync.domain.hlc import SERVER_DEVICES
from sync.domain.lockout import is_address_throttled, is_locked
from sync.domain.org import Community
from sync.domain.passwords import hash_password, verify_password
from sync.domain.roles import Actor, Role
from sync.domain.usernames import check_username
from sync.errors import DomainError
from sync.i18n import t
from sync.store import audit, console_sessions, org, tokens

DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CONSOLE_DEVICE = "console"
# What the login_attempts columns hold; longer input, or a character user text may not
# hold (text.FORBIDDEN), cannot be anyone's username and is noted under this name
# instead (for the address throttle).
_UNSTORABLE_NAME = "-"


class Session(msgspec.Struct, frozen=True):
    token: str
    expires_ms: int
    actor: Actor


class Authenticated(msgspec.Struct, frozen=True):
    actor: Actor
    device_id: str


class ConsoleSession(msgspec.Struct, frozen=True):
    session_id: str
    actor: Actor


def _actor(row: Any) -> Actor:
    """The actor of a users row (joined with a token or a console session)."""
    return Actor(id=row.id, username=row.username, name=row.name, role=Role(row.role),
                 squad_id=row.squad_id)


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

    async def console_login(self, *, username: str, password: str,
                            source: str | None) -> ConsoleSession:
        """A console session for a supervisor or admin; liaisons use the PWA."""
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            outcome = await self._check_credentials(conn, username=username, password=password,
                                                    device_id=CONSOLE_DEVICE, now=now,
                                                    source=source)
            if isinstance(outcome, DomainError):
                error = outcome
            elif not access.may_open_console(outcome.as_actor()):
                error = DomainError("console_liaison")
            else:
                session_id = await console_sessions.open_session(conn, user_id=outcome.id,
                                                                 now_ms=now)
                await audit.record(conn, at_ms=now, actor=username, action="login",
                                   detail={"device_id": CONSOLE_DEVICE}, source=source)
                return ConsoleSession(session_id=session_id, actor=outcome.as_actor())
        raise error

    async def _check_credentials(self, conn: AsyncConnection, *, username: str, password: str,
                                 device_id: str, now: int,
                                 source: str | None) -> org.UserRecord | DomainError:
        name = username if 0 < len(username) <= 64 and text.first_forbidden(
            username) is None else _UNSTORABLE_NAME
        address = source[:64] if source else None
        if address is not None and is_address_throttled(
                await tokens.failures_from(conn, address, now_ms=now)):
            await audit.record(conn, at_ms=now, actor=name, action="login_throttled",
                               source=source)
            return DomainError("rate_limited")
        if is_locked(await tokens.recent_attempts(conn, name, now_ms=now), now_ms=now):
            await audit.record(conn, at_ms=now, actor=name, action="login_locked",
                               source=source)
            return DomainError("locked")
        user = await org.find_user(conn, name) if name != _UNSTORABLE_NAME else None
        # Always one verification: an unknown or disabled user costs what a wrong
        # password costs (verify_password checks a dummy hash when there is none).
        matches = verify_password(user.password_hash if user else None, password)
        ok = matches and user is not None and not user.disabled
        await tokens.note_attempt(conn, name, ok=ok, now_ms=now, address=address)
        if ok and user is not None:
            return user
        await audit.record(conn, at_ms=now, actor=name, action="login_failed",
                           detail={"device_id": device_id}, source=source)
        if is_locked(await tokens.recent_attempts(conn, name, now_ms=now), now_ms=now):
            await audit.record(conn, at_ms=now, actor=name, action="lockout", source=source)
        return DomainError("invalid_credentials")

    async def authenticate(self, token: str) -> Authenticated:
        async with read_transaction(self.engine) as conn:
            row = await tokens.lookup(conn, token, now_ms=self.clock.now_ms())
        if row is None:
            raise DomainError("unauthorized")
        return Authenticated(actor=_actor(row), device_id=row.device_id)

    async def console_actor(self, session_id: str) -> Actor:
        """Who holds the live console session ``session_id``; noting its use."""
        now = self.clock.now_ms()
        async with read_transaction(self.engine) as conn:
            row = await console_sessions.lookup(conn, session_id, now_ms=now)
        if row is None:
            raise DomainError("unauthorized")
        if session_rules.is_due_for_touch(seen_ms=row.seen_ms, now_ms=now):
            async with write_transaction(self.engine) as conn:
                await console_sessions.touch(conn, session_id, now_ms=now)
        return _actor(row)

    async def console_logout(self, session_id: str, *, source: str | None) -> None:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            row = await console_sessions.lookup(conn, session_id, now_ms=now)
            await console_sessions.end(conn, session_id, now_ms=now)
            if row is not None:
                await audit.record(conn, at_ms=now, actor=row.username, action="logout",
                                   detail={"device_id": CONSOLE_DEVICE}, source=source)

    async def logout(self, token: str, *, actor: Actor, source: str | None) -> None:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            await tokens.revoke(conn, token, now_ms=now)
            await audit.record(conn, at_ms=now, actor=actor.username, action="logout",
                               source=source)

    async def me(self, actor: Actor) -> list[tuple[Community, list[tuple[str, str]]]]:
        """The communities ``actor`` may write to, each with its property companies."""
        async with read_transaction(self.engine) as conn:
            communities = await org.communities_of(conn, await org.scope_of(
                conn, actor, Subject.RECORDS, Action.WRITE))
            companies = await org.property_companies_of(conn, [c.id for c in communities])
        return [(c, companies[c.id]) for c in communities]

    # --- administration (CLI and console) ---------------------------------------------

    async def add_user(self, *, username: str, name: str, role: Role, squad_id: str | None,
                       phone: str | None, password: str, by: str, source: str) -> Actor:
        check_username(username)
        password_hash = hash_password(password, user_inputs=(username, name))
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            await _check_squad(conn, squad_id)
            user = await org.add_user(conn, username=username, name=name, role=role,
                                      squad_id=squad_id, phone=phone,
                                      password_hash=password_hash, now_ms=now)
            await audit.record(conn, at_ms=now, actor=by, action="user_added", target=username,
                               detail={"role": role.value, "squad_id": squad_id}, source=source)
            return user.as_actor()

    async def set_password(self, username: str, password: str, *, by: str, source: str) -> None:
        now = self.clock.now_ms()
        async with read_transaction(self.engine) as conn:
            found = await org.get_user(conn, username)
        password_hash = hash_password(password, user_inputs=(found.username, found.name))
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            await org.update_user(conn, user, now_ms=now, password_hash=password_hash)
            # A changed password ends every session: a lost phone stops syncing.
            ended = await _end_sessions(conn, user.id, now_ms=now)
            await audit.record(conn, at_ms=now, actor=by, action="password_changed",
                               target=username, detail=ended, source=source)

    async def set_disabled(self, username: str, *, disabled: bool, by: str,
                           source: str) -> None:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            await org.update_user(conn, user, now_ms=now, disabled=disabled)
            ended = await _end_sessions(conn, user.id, now_ms=now) if disabled else {}
            await audit.record(conn, at_ms=now, actor=by,
                               action="user_disabled" if disabled else "user_enabled",
                               target=username, detail=ended, source=source)

    async def set_role(self, username: str, *, role: Role, squad_id: str | None, by: str,
                       source: str) -> None:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            await _check_squad(conn, squad_id)
            await org.update_user(conn, user, now_ms=now, role=role.value, squad_id=squad_id)
            # The console pages were opened under the old role: the next one asks again.
            # Bearer tokens read the role live, so a phone keeps syncing with the new one.
            ended = await console_sessions.end_all(conn, user.id, now_ms=now)
            await audit.record(conn, at_ms=now, actor=by, action="role_changed",
                               target=username,
                               detail={"from": user.role.value, "to": role.value,
                                       "squad_id": squad_id, "sessions_ended": ended},
                               source=source)

    async def revoke_tokens(self, username: str, *, by: str, source: str) -> int:
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            ended = await _end_sessions(conn, user.id, now_ms=now)
            await audit.record(conn, at_ms=now, actor=by, action="tokens_revoked",
                               target=username, detail=ended, source=source)
            return ended["tokens_revoked"] + ended["sessions_ended"]

    async def unlock(self, username: str, *, by: str, source: str) -> None:
        """Lift a username's lockout before its window passes (a supervisor locked out
        by a colleague's typos, or by someone guessing)."""
        now = self.clock.now_ms()
        async with write_transaction(self.engine) as conn:
            user = await org.get_user(conn, username)
            # The lockout counts failures after the last success (sync/domain/lockout.py).
            await tokens.note_attempt(conn, user.username, ok=True, now_ms=now, address=None)
            await audit.record(conn, at_ms=now, actor=by, action="user_unlocked",
                               target=username, source=source)

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


async def _check_squad(conn: AsyncConnection, squad_id: str | None) -> None:
    if squad_id is not None and squad_id not in await org.squad_orders(conn):
        raise DomainError("unknown_squad", field="squad_id", squad_id=squad_id)


async def _end_sessions(conn: AsyncConnection, user_id: str, *, now_ms: int) -> dict[str, int]:
    """Revoke every bearer token and end every console session of one user."""
    return {"tokens_revoked": await tokens.revoke_all(conn, user_id, now_ms=now_ms),
            "sessions_ended": await console_sessions.end_all(conn, user_id, now_ms=now_ms)}
