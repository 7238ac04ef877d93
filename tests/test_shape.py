"""The tree has one shape (README, "Layout"): every SQL statement is in ``sync/store/``,
the tables and the engine in ``sync/db/``, the migrations in ``sync/migrations/``; every
service is built once, in the composition root (``sync/http/deps.build_services``), or by
a command-line entry point for its own run; handlers and pages open no transaction of
their own.

Read from the source, not imported: a statement hidden behind an alias still shows as a
call of SQLAlchemy's statement builders or of ``execute``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYNC = ROOT / "sync"
SQL_HOMES = ("store", "db", "migrations")
# SQLAlchemy's statement builders and the ways to run a statement.
BUILDERS = {"select", "insert", "update", "delete", "text", "union", "union_all", "exists"}
RUNNERS = {"execute", "exec_driver_sql", "scalar", "scalars", "stream", "stream_scalars"}
SERVICES = {"AuthService", "SyncService", "ReviewService", "BlobService", "QrIntake",
            "QrRegistry", "EvaluationService", "WorkOrderService", "Diversion", "DutyLogs",
            "Compliance", "Ledger", "RecordBook", "PropertySupervision", "Charts", "Rejected",
            "Administration"}
COMPOSITION_ROOTS = {"sync/http/deps.py", "sync/cli.py", "sync/qr/cli.py",
                     "sync/evaluation/cli.py"}


def _modules_outside(homes: tuple[str, ...]) -> list[Path]:
    return [path for path in sorted(SYNC.rglob("*.py"))
            if path.relative_to(SYNC).parts[0] not in homes]


def _sqlalchemy_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names this module gave SQLAlchemy (``sa``) and its statement builders."""
    modules, builders = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "sqlalchemy"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            builders |= {a.asname or a.name for a in node.names if a.name in BUILDERS}
    return modules, builders


def sql_outside_the_store() -> list[str]:
    found = []
    for path in _modules_outside(SQL_HOMES):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules, builders = _sqlalchemy_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            built = (isinstance(func, ast.Attribute) and func.attr in BUILDERS
                     and isinstance(func.value, ast.Name) and func.value.id in modules) or (
                isinstance(func, ast.Name) and func.id in builders)
            run = isinstance(func, ast.Attribute) and func.attr in RUNNERS and not (
                isinstance(func.value, ast.Name) and func.value.id in {"re", "self"})
            if built or run:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def services_built_elsewhere() -> list[str]:
    found = []
    for path in sorted(SYNC.rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in COMPOSITION_ROOTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in SERVICES):
                found.append(f"{name}:{node.lineno} {node.func.id}")
    return found


# The handlers and pages: they decode, authorise, call a service and encode.
HANDLERS = [*sorted((SYNC / "console" / "pages").glob("*.py")),
            SYNC / "evaluation" / "pages.py", SYNC / "qr" / "console.py",
            SYNC / "qr" / "api.py", SYNC / "qr" / "pages.py",
            *(path for path in sorted((SYNC / "http").glob("*_api.py")))]
TRANSACTIONS = {"read_transaction", "write_transaction", "connect", "begin"}


def transactions_in_handlers() -> list[str]:
    found = []
    for path in HANDLERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else "")
                if name in TRANSACTIONS:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    return found


def test_handlers_reach_the_database_only_through_services() -> None:
    assert len(HANDLERS) > 10
    assert transactions_in_handlers() == []


def test_the_check_sees_a_statement_and_its_run() -> None:
    tree = ast.parse("import sqlalchemy as sa\nasync def f(conn):\n"
                     "    await conn.execute(sa.select(1))\n")
    modules, _ = _sqlalchemy_names(tree)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert modules == {"sa"}
    assert {c.func.attr for c in calls if isinstance(c.func, ast.Attribute)} == {
        "execute", "select"}


def test_every_sql_statement_is_in_the_store() -> None:
    assert sql_outside_the_store() == []


def test_every_service_is_built_in_the_composition_root() -> None:
    assert services_built_elsewhere() == []
