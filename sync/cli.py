"""The ``workroom`` command: serve, migrate, seed-demo, user and assignment administration,
and the organisation's import.

Command-line flags override the environment (sync/settings.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sync import settings as settings_module
from sync.clock import SystemClock
from sync.db.engine import make_engine
from sync.db.migrate import upgrade
from sync.domain.roles import Role
from sync.errors import DomainError
from sync.i18n import t
from sync.services.auth import AuthService
from sync.settings import Settings, SettingsError

T = TypeVar("T")
CLI = "cli"


def _settings(args: argparse.Namespace) -> Settings:
    base = settings_module.from_environment()
    return base.with_overrides(
        database_url=getattr(args, "db", None),
        data_dir=Path(args.data_dir) if getattr(args, "data_dir", None) else None,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def _run_with_auth(settings: Settings, work: Callable[[AuthService], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = make_engine(settings.database_url)
        try:
            return await work(AuthService(engine, SystemClock(),
                                          token_ttl_days=settings.token_ttl_days))
        finally:
            await engine.dispose()

    return asyncio.run(main())


# --- commands ---------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.http.app import create_app

    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}"
    print(f"Workroom 社区工作室 is running: open {url}/app/ (liaisons) "
          f"or {url}/console/ (supervisors); API docs at {url}/api/schema", flush=True)
    # The code and settings loaded so far live as long as the process: take them out of
    # the collector's reach, and collect less often. A push or a pull page allocates tens
    # of thousands of short-lived objects, and every full collection used to walk the
    # whole import graph again (ops/bench/RESULTS.md).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                access_log=False, proxy_headers=True,
                forwarded_allow_ips=settings.trusted_proxies)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    upgrade(settings.database_url)
    print(f"database is up to date: {settings.database_url}")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from sync.demo import DEFAULT_PASSWORD, seed_demo

    settings = _settings(args)
    upgrade(settings.database_url)
    password = args.password or DEFAULT_PASSWORD

    async def work(auth: AuthService) -> int:
        return await seed_demo(auth.engine, auth.clock, password=password)

    changed = _run_with_auth(settings, work)
    if changed:
        print(f"demo organisation created ({changed} changes); users admin, bureau01, "
              f"leader01, liaison01, liaison02, liaison03, ...; password: {password}")
    else:
        print("demo organisation already present; nothing changed")
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("password: ")


def cmd_user(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def work(auth: AuthService) -> str:
        if args.user_command == "add":
            role = Role(args.role)
            squad = args.squad
            actor = await auth.add_user(username=args.username, name=args.name or args.username,
                                        role=role, squad_id=squad, phone=args.phone,
                                        password=_password(args), by=CLI, source=CLI)
            return f"user {actor.username} added ({actor.role.value}), id {actor.id}"
        if args.user_command == "passwd":
            await auth.set_password(args.username, _password(args), by=CLI, source=CLI)
            return f"password of {args.username} changed; its sessions were ended"
        if args.user_command in ("disable", "enable"):
            disabled = args.user_command == "disable"
            await auth.set_disabled(args.username, disabled=disabled, by=CLI, source=CLI)
            return f"user {args.username} {args.user_command}d"
        if args.user_command == "role":
            await auth.set_role(args.username, role=Role(args.role), squad_id=args.squad,
                                by=CLI, source=CLI)
            return f"user {args.username} is now {args.role}"
        if args.user_command == "unlock":
            await auth.unlock(args.username, by=CLI, source=CLI)
            return f"user {args.username} may log in again"
        count = await auth.revoke_tokens(args.username, by=CLI, source=CLI)
        return f"{count} token(s) and console session(s) of {args.username} revoked"

    print(_run_with_auth(settings, work))
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    settings = _settings(args)
    assigned = args.command == "assign"

    async def work(auth: AuthService) -> bool:
        return await auth.assign(args.username, args.community_id, assigned=assigned, by=CLI,
                                 source=CLI)

    changed = _run_with_auth(settings, work)
    verb = "assigned to" if assigned else "unassigned from"
    print(f"{args.username} {verb} {args.community_id}" if changed else "nothing to change")
    return 0


def _import_sheet(args: argparse.Namespace,
                  work: Callable[[AuthService, bytes, str], Awaitable[T]]) -> T:
    """Run an import of the sheet ``args.file`` against the migrated database."""
    settings = _settings(args)
    path = Path(args.file)
    data = path.read_bytes()
    upgrade(settings.database_url)
    return _run_with_auth(settings, lambda auth: work(auth, data, path.name))


def _refused(problems: list[Any]) -> int:
    """Print the refused rows; the exit code (1 when there were any)."""
    for problem in problems:
        print("  " + t("org_import.problem_row", row=problem.row, reason=problem.reason))
    return 1 if problems else 0


def cmd_user_import(args: argparse.Namespace) -> int:
    from sync.console.excel import Sheet, workbook
    from sync.services.user_import import HEADERS, ROLE_LABELS, import_people

    result = _import_sheet(args, lambda auth, data, name: import_people(
        auth, data, file_name=name, by=CLI, source=CLI))
    if result.added:
        # The passwords go to the file only, never to the terminal or a log.
        Path(args.out).write_bytes(workbook([Sheet(
            title=t("user_import.sheet"),
            headers=[HEADERS["username"][0], HEADERS["name"][0], HEADERS["role"][0],
                     t("user_import.password")],
            rows=[[u.username, u.name, ROLE_LABELS[u.role], u.password]
                  for u in result.added])]))
        print(t("user_import.written", out=args.out))
    print(t("user_import.summary", added=len(result.added), assigned=result.assigned,
            problems=len(result.problems)))
    return _refused(result.problems)


def cmd_org_import(args: argparse.Namespace) -> int:
    from sync.services.org_import import import_org

    result = _import_sheet(args, lambda auth, data, name: import_org(
        auth.engine, data, file_name=name, by=CLI, source=CLI, now_ms=auth.clock.now_ms()))
    print(t("org_import.summary", rows=result.rows, squads=result.squads,
            communities=result.communities, companies=result.companies, links=result.links,
            problems=len(result.problems)))
    return _refused(result.problems)


# --- parser -----------------------------------------------------------------------------

def _db_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (sqlite+aiosqlite:///FILE or "
                                     "postgresql+asyncpg://USER@HOST:PORT/DB)")
    parser.add_argument("--data-dir", help="data directory (SQLite file, blobs, secret key)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workroom", description="Workroom 社区工作室")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate the database and run the server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    _db_flags(serve)
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    _db_flags(migrate)
    migrate.set_defaults(func=cmd_migrate)

    seed = commands.add_parser("seed-demo", help="create the demo organisation and users")
    _db_flags(seed)
    seed.add_argument("--password", help="password for every demo user")
    seed.set_defaults(func=cmd_seed_demo)

    user = commands.add_parser("user", help="add, change, disable users; revoke their tokens")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser("add", help="add a user (password from --password or stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name")
    add.add_argument("--squad", help="squad id, e.g. sq-hy")
    add.add_argument("--phone")
    add.add_argument("--password")
    passwd = user_commands.add_parser("passwd", help="set a password; ends the user's sessions")
    passwd.add_argument("username")
    passwd.add_argument("--password")
    role = user_commands.add_parser("role", help="change a user's role and squad")
    role.add_argument("username")
    role.add_argument("--role", required=True, choices=[r.value for r in Role])
    role.add_argument("--squad")
    for action, text in (("disable", "disable a user and revoke all their tokens"),
                         ("enable", "enable a disabled user"),
                         ("revoke", "revoke all of a user's tokens and console sessions "
                                    "(e.g. a lost phone)"),
                         ("unlock", "lift a user's login lockout (5 failed logins)")):
        sub = user_commands.add_parser(action, help=text)
        sub.add_argument("username")
    people = user_commands.add_parser(
        "import", help="add users and their communities from an Excel (.xlsx) or CSV sheet; "
                       "new users' initial passwords go to --out")
    people.add_argument("file")
    people.add_argument("--out", required=True, help="the .xlsx to write initial passwords to")
    people.set_defaults(func=cmd_user_import)
    for sub in (add, passwd, role, people, *[user_commands.choices[a]
                                             for a in ("disable", "enable", "revoke",
                                                       "unlock")]):
        _db_flags(sub)
    user.set_defaults(func=cmd_user)

    for name, text in (("assign", "assign a liaison to a community"),
                       ("unassign", "remove a liaison from a community")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("username")
        sub.add_argument("community_id")
        _db_flags(sub)
        sub.set_defaults(func=cmd_assign)

    organisation = commands.add_parser("org", help="the organisation: squads, communities, "
                                                   "property companies")
    org_commands = organisation.add_subparsers(dest="org_command", required=True,
                                               metavar="ACTION")
    org_import = org_commands.add_parser(
        "import", help="create or update squads, communities and their property companies "
                       "from an Excel (.xlsx) or CSV sheet")
    org_import.add_argument("file")
    _db_flags(org_import)
    org_import.set_defaults(func=cmd_org_import)

    from sync.evaluation.cli import register as register_evaluation

    register_evaluation(commands)

    from sync.qr.cli import register as register_qr

    register_qr(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args: Any = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
