"""Every field name the server reads out of a record is a field of the kind it reads.

A record's fields live in JSON, so a renamed or mistyped field name fails nowhere: a
trigger keeps a projection column NULL, a query matches nothing, a page shows a blank.
These tests collect the names from where they are written — the triggers and indexes of
a migrated database (the latest definitions), the migrations' SQL, the server's Python
(``field_text(…, "name")``, ``fields.get("name")``, ``fields["name"]``, a server write's
``fields={…}``, ``parent_key(…, "name")``, ``time_ms("name")``, and attribute reads on
records typed as their kind), the templates and the PWA's sources — and check each
against schema/kinds.py.

Where the code names the kind (a trigger's ``kind = 'case'``, a server write's
``kind=``, a typed record) the name must be that kind's field. A dict read names no kind
itself, so it must be a field of a kind its function names (by ``"case"``,
``Case.KIND``, ``kind_is("case")``, ``Case``, a projection table of cases), else of one
its module names, else of some kind.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from schema.kinds import KINDS, PARENT_FIELDS, RecordKind
from sync.db.engine import make_engine

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {kind: frozenset(cls.__struct_fields__) for kind, cls in KINDS.items()}
ANY_FIELD = frozenset().union(*FIELDS.values())
# The console's projections (sync/db/tables_console.py): which kind feeds each.
PROJECTIONS = {"console_visits": "visit", "console_cases": "case"}


@dataclass(frozen=True)
class Read:
    where: str
    name: str
    kinds: frozenset[str]  # the kinds it may be read from; empty: any
    exact: bool = False  # the code names the one kind (typed, or a write's kind=)

    def ok(self) -> bool:
        if self.exact or self.kinds:
            return any(self.name in FIELDS[k] for k in self.kinds)
        return self.name in ANY_FIELD


def _bad(reads: list[Read]) -> list[str]:
    return [f"{r.where}: {r.name!r} is no field of {sorted(r.kinds) or 'any kind'}"
            for r in reads if not r.ok()]


# --- SQL: triggers, indexes and the functions behind them ------------------------------------

_JSON_FIELD = re.compile(r"""->>?\s*'(\w+)'|'\$\.(\w+)'""")
# kind = 'case', NEW.kind = 'case', or as PostgreSQL prints it: (kind)::text = 'case'::text
_KIND = re.compile(r"""\bkind\)?(?:::\w+)?\s*=\s*'(\w+)'""")
# A trigger function may keep several projections: each INSERT is its own kind's.
_SEGMENT = re.compile(r"(?=\bINSERT\s+INTO\b)", re.IGNORECASE)


def sql_reads(where: str, sql: str) -> list[Read]:
    reads = []
    for number, segment in enumerate(_SEGMENT.split(sql)):
        names = [a or b for a, b in _JSON_FIELD.findall(segment)]
        if not names:
            continue
        kinds = frozenset(_KIND.findall(segment)) or frozenset(
            kind for table, kind in PROJECTIONS.items() if table in segment)
        reads += [Read(f"{where} (part {number})", n, kinds, exact=True) for n in names]
    return reads


async def _definitions(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                rows = await conn.execute(sa.text(
                    "SELECT name, sql FROM sqlite_master "
                    "WHERE type IN ('trigger', 'index') AND sql IS NOT NULL"))
            else:
                rows = await conn.execute(sa.text(
                    "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
                    "JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = 'public' AND p.prokind = 'f' "
                    "UNION ALL SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                    "WHERE NOT tgisinternal "
                    "UNION ALL SELECT indexname, indexdef FROM pg_indexes "
                    "WHERE schemaname = 'public'"))
            return [(str(name), str(sql)) for name, sql in rows]
    finally:
        await engine.dispose()


async def test_the_databases_triggers_and_indexes_read_only_fields_of_their_kind(
        database_url: str) -> None:
    reads = [r for name, sql in await _definitions(database_url)
             for r in sql_reads(name, sql)]
    fed = {(k, r.name) for r in reads for k in r.kinds}
    # The walk sees the projections' feeds (else it proves nothing).
    assert {("visit", "started_at"), ("visit", "ended_at"), ("case", "source"),
            ("case", "status"), ("case_step", "case_id")} <= fed
    assert all(r.kinds for r in reads), [r for r in reads if not r.kinds]
    assert _bad(reads) == []


def test_the_migrations_sql_reads_only_fields_of_their_kind() -> None:
    reads = []
    for path in sorted((ROOT / "sync/migrations/versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                reads += sql_reads(f"{path.name}:{node.lineno}", node.value)
    assert {r.name for r in reads if "console" in r.where} >= {"started_at", "source"}
    # A string holding half a statement may not name its kind: it must still name fields.
    assert [f"{r.where}: {r.name!r}" for r in reads
            if r.name not in (ANY_FIELD if not r.kinds else
                              frozenset().union(*(FIELDS[k] for k in r.kinds)))] == []


# --- Python: the server's reads -----------------------------------------------------------

_KIND_CLASSES = {cls.__name__: cls for cls in KINDS.values()}
_DICT_METHODS = {"get", "pop", "setdefault"}
_NAME_ARG_CALLS = {"field_text": 1, "parent_key": 1, "time_ms": 0}


class _Module:
    """Names a module binds to the kinds' classes and to the projection tables."""

    def __init__(self, tree: ast.Module) -> None:
        self.classes: dict[str, type[RecordKind]] = {}
        self.tables: dict[str, str] = {}
        # Functions whose result holds records of one kind: ``-> list[Rec[Case]]``.
        self.returns: dict[str, type[RecordKind]] = {}
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            for alias in node.names:
                bound = alias.asname or alias.name
                if node.module == "schema.kinds" and alias.name in _KIND_CLASSES:
                    self.classes[bound] = _KIND_CLASSES[alias.name]
                if alias.name in PROJECTIONS:
                    self.tables[bound] = PROJECTIONS[alias.name]
        self.returns = {node.name: kind for node in ast.walk(tree)
                        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                        and (kind := self.kind_of(node.returns))}

    def kinds_named(self, node: ast.AST) -> frozenset[str]:
        found = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and sub.value in KINDS:
                found.add(sub.value)
            elif isinstance(sub, ast.Name) and sub.id in self.classes:
                found.add(self.classes[sub.id].KIND)
            elif isinstance(sub, ast.Name) and sub.id in self.tables:
                found.add(self.tables[sub.id])
        return frozenset(found)

    def kind_of(self, node: ast.AST | None) -> type[RecordKind] | None:
        """The kind class an expression or annotation names: ``Case``, ``Rec[Case]``."""
        if isinstance(node, ast.Name):
            return self.classes.get(node.id)
        if isinstance(node, ast.Subscript):
            return self.kind_of(node.slice)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return self.kind_of(ast.parse(node.value, mode="eval").body)
        return None


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_fields(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "fields") or (
        isinstance(node, ast.Attribute) and node.attr == "fields")


def _callee(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else None)


def _typed_names(module: _Module, scope: ast.AST) -> dict[str, tuple[type[RecordKind], bool]]:
    """Names bound to a typed record in ``scope``: (its kind, whether it is a ``Rec`` whose
    ``.record`` is the Struct) — from annotations, ``read(Kind, …)``, and loops over
    ``….of(Kind)`` / ``….authored(Kind)``."""
    typed: dict[str, tuple[type[RecordKind], bool]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.arg) and (kind := module.kind_of(node.annotation)):
            rec = isinstance(node.annotation, ast.Subscript) or (
                isinstance(node.annotation, ast.Constant) and "[" in str(node.annotation.value))
            typed[node.arg] = (kind, rec)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                _callee(node.value) == "read" and node.value.args and \
                (kind := module.kind_of(node.value.args[0])):
            typed.update({t.id: (kind, False) for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.For | ast.comprehension) and \
                isinstance(node.iter, ast.Call) and isinstance(node.target, ast.Name) and \
                (kind := _loop_kind(module, node.iter)):
            typed[node.target.id] = (kind, True)
    return typed


def _loop_kind(module: _Module, loop: ast.Call) -> type[RecordKind] | None:
    """The kind of the ``Rec``s a loop runs over: ``scope.of(Case)``, ``_cases(scope)``."""
    callee = _callee(loop)
    if callee in ("of", "authored") and loop.args:
        return module.kind_of(loop.args[0])
    return module.returns.get(callee or "")


def python_reads(path: Path) -> Iterator[Read]:
    tree = ast.parse(path.read_text())
    module = _Module(tree)
    module_kinds = module.kinds_named(tree)
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name
    scopes: list[ast.AST] = [n for n in ast.walk(tree)
                             if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    seen: set[int] = set()
    for scope in [*scopes, tree]:
        kinds = module.kinds_named(scope) or module_kinds
        typed = _typed_names(module, scope)
        for node in ast.walk(scope):
            if id(node) in seen:
                continue
            seen.add(id(node))
            at = f"{where}:{getattr(node, 'lineno', '?')}"
            yield from _reads_at(node, at, kinds, typed, module)


def _named_by_call(node: ast.Call) -> str | None:
    """The field name a call reads: ``fields.get("x")``, ``field_text(conn, "x")``, …"""
    callee = _callee(node)
    if callee in _DICT_METHODS and isinstance(node.func, ast.Attribute) and \
            _is_fields(node.func.value) and node.args:
        return _constant(node.args[0])
    if callee in _NAME_ARG_CALLS and len(node.args) > _NAME_ARG_CALLS[callee]:
        return _constant(node.args[_NAME_ARG_CALLS[callee]])
    return None


def _typed_struct(node: ast.Attribute,
                  typed: dict[str, tuple[type[RecordKind], bool]]) -> type[RecordKind] | None:
    """The kind of ``case`` in ``case.title`` (a Struct), or of ``c`` in
    ``c.record.title`` (a ``Rec``)."""
    base = node.value
    if isinstance(base, ast.Name) and base.id in typed and not typed[base.id][1]:
        return typed[base.id][0]
    if isinstance(base, ast.Attribute) and base.attr == "record" and \
            isinstance(base.value, ast.Name) and typed.get(base.value.id, (None, False))[1]:
        return typed[base.value.id][0]
    return None


def _reads_at(node: ast.AST, at: str, kinds: frozenset[str],
              typed: dict[str, tuple[type[RecordKind], bool]],
              module: _Module) -> Iterator[Read]:
    if isinstance(node, ast.Subscript) and _is_fields(node.value) and \
            (name := _constant(node.slice)):
        yield Read(at, name, kinds)
    elif isinstance(node, ast.Call):
        if name := _named_by_call(node):
            yield Read(at, name, kinds)
        for keyword in node.keywords:
            if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
                written = {_constant(k) for k in keyword.value.keys if k is not None} - {None}
                kind = next((module.kinds_named(k.value) for k in node.keywords
                             if k.arg == "kind"), frozenset())
                yield from (Read(at, str(n), kind or kinds, exact=bool(kind)) for n in written)
    elif isinstance(node, ast.Attribute) and not node.attr.isupper() and \
            (struct := _typed_struct(node, typed)) is not None and (
                not hasattr(struct, node.attr) or node.attr in struct.__struct_fields__):
        yield Read(at, node.attr, frozenset({struct.KIND}), exact=True)


def _server_reads() -> list[Read]:
    return [r for path in sorted((ROOT / "sync").rglob("*.py"))
            if "migrations" not in path.parts for r in python_reads(path)]


def test_the_walk_finds_the_servers_reads_of_every_kind_it_should() -> None:
    reads = _server_reads()
    found = {(r.where.split(":")[0], r.name) for r in reads}
    assert {("sync/store/ledger.py", "case_id"), ("sync/store/property.py", "inspection_id"),
            ("sync/console/ledger.py", "title"), ("sync/evaluation/metrics.py", "started_at"),
            ("sync/console/duty_log.py", "state"), ("sync/qr/tracking.py", "status"),
            ("sync/evaluation/metrics.py", "resident_satisfaction")} <= found
    # Typed reads are checked against their kind alone.
    assert any(r.exact and r.name == "reopen_count" for r in reads)


def test_every_field_the_server_reads_is_a_field_of_its_kind() -> None:
    assert _bad(_server_reads()) == []


def test_a_misnamed_field_is_caught(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from schema.kinds import Case\n"
        "from schema.stored import read\n"
        "def page(row, conn):\n"
        "    case = read(Case, row.fields)\n"
        "    field_text(conn, 'due')\n"
        "    return case.titel, row.fields.get('titel'), row.fields['status']\n")
    reads = list(python_reads(source))
    assert [r.name for r in reads if not r.ok()] == ["due", "titel", "titel"]
    assert sql_reads("t", "INSERT INTO console_cases SELECT fields ->> 'sorce' "
                          "FROM written WHERE kind = 'case'")[0].ok() is False


# --- templates and the PWA --------------------------------------------------------------------

_TEMPLATE_FIELD = re.compile(
    r"""\bfields\.(?!items\b|keys\b|values\b|get\b)(\w+)|\bfields\[['"](\w+)['"]\]"""
    r"""|\bfields\.get\(['"](\w+)['"]""")
_PWA_FIELD = re.compile(r"""\bfields\.(\w+)|\bfields\[['"](\w+)['"]\]""")
# What a FieldSpec list, not a record's fields, is asked.
_ARRAY = {"find", "map", "filter", "some", "every", "length", "forEach", "findIndex",
          "includes", "reduce", "flatMap", "slice"}


def _matches(pattern: re.Pattern[str], paths: list[Path]) -> list[Read]:
    return [Read(f"{p.relative_to(ROOT)}", next(g for g in m.groups() if g), frozenset())
            for p in paths for m in pattern.finditer(p.read_text())]


def test_every_field_a_template_reads_is_a_field_of_some_kind() -> None:
    reads = _matches(_TEMPLATE_FIELD, sorted((ROOT / "sync/templates").rglob("*.html")))
    assert _bad(reads) == []


def test_every_field_the_pwa_reads_is_a_field_of_some_kind() -> None:
    sources = sorted(p for p in (ROOT / "client-pwa/src").rglob("*.ts*")
                     if not p.name.endswith(".gen.ts"))
    reads = [r for r in _matches(_PWA_FIELD, sources) if r.name not in _ARRAY]
    assert {"started_at", "case_id", "state"} <= {r.name for r in reads}
    assert _bad(reads) == []


def test_the_pwas_parent_links_are_the_kinds() -> None:
    """db.ts indexes a child by its parent without the schema download (a contract of
    the protocol's kind table): its table must be the kinds' own."""
    text = (ROOT / "client-pwa/src/db.ts").read_text()
    table = re.search(r"PARENT_FIELD[^=]*=\s*\{(.*?)\}", text, re.S)
    default = re.search(r"PARENT_FIELD\[kind\]\s*\?\?\s*'(\w+)'", text)
    assert table and default
    pwa = dict(re.findall(r"(\w+):\s*'(\w+)'", table.group(1)))
    assert {k: pwa.get(k, default.group(1)) for k in PARENT_FIELDS} == PARENT_FIELDS
    assert set(pwa) <= set(PARENT_FIELDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_kinds_title_and_time_are_its_fields(kind: str) -> None:
    cls = KINDS[kind]
    assert set(cls.TITLE) <= FIELDS[kind] and (cls.TIME is None or cls.TIME in FIELDS[kind])
