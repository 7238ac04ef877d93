"""Console: indexes for the supervisors' queries, and trigger-kept visit and case columns.

Case references live in the records' JSON, so their index is on an expression, spelled
per dialect exactly as sync/console/store/jsonq.py queries it (an expression index is
only used when the query repeats the expression verbatim). ``console_visits`` and
``console_cases`` (sync/db/tables_console.py) are kept by triggers on ``records``, so
every write path keeps them; a time the database cannot parse becomes NULL rather than
failing the device's push.

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

_INDEXES_PG = [
    "CREATE INDEX ix_console_step_case ON records ((fields ->> 'case_id')) "
    "WHERE kind = 'case_step'",
]
_INDEXES_SQLITE = [
    "CREATE INDEX ix_console_step_case ON records (json_extract(fields, '$.case_id')) "
    "WHERE kind = 'case_step'",
]
_INDEXES_BOTH = [
    "CREATE INDEX ix_console_records_kind_created ON records (kind, created_ms)",
    "CREATE INDEX ix_console_mutations_user_hlc ON mutations (user_id, hlc)",
    "CREATE INDEX ix_console_mutations_community_hlc ON mutations (community_id, hlc)",
]
_INDEX_NAMES = ["ix_console_step_case",
                "ix_console_records_kind_created", "ix_console_mutations_user_hlc",
                "ix_console_mutations_community_hlc"]

_PG_FUNCTIONS = [
    """CREATE FUNCTION console_ms(value text) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF value IS NULL THEN RETURN NULL; END IF;
    RETURN round(extract(epoch FROM value::timestamptz) * 1000)::bigint;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$""",
    """CREATE FUNCTION console_keep_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO console_visits (record_id, community_id, liaison_id, start_ms, end_ms, voided)
    VALUES (NEW.id, NEW.community_id, NEW.created_by, console_ms(NEW.fields ->> 'started_at'),
            console_ms(NEW.fields ->> 'ended_at'), coalesce(NEW.fields ->> 'voided', '') = 'true')
    ON CONFLICT (record_id) DO UPDATE SET start_ms = EXCLUDED.start_ms,
        end_ms = EXCLUDED.end_ms, voided = EXCLUDED.voided;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER console_keep_visit AFTER INSERT OR UPDATE ON records FOR EACH ROW "
    "WHEN (NEW.kind = 'visit') EXECUTE FUNCTION console_keep_visit()",
    "INSERT INTO console_visits SELECT id, community_id, created_by, "
    "console_ms(fields ->> 'started_at'), console_ms(fields ->> 'ended_at'), "
    "coalesce(fields ->> 'voided', '') = 'true' FROM records WHERE kind = 'visit'",
    """CREATE FUNCTION console_keep_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO console_cases (record_id, community_id, received_ms, source, category, status)
    VALUES (NEW.id, NEW.community_id, NEW.created_ms, left(NEW.fields ->> 'source', 40),
            left(NEW.fields ->> 'category', 40),
            left(coalesce(NEW.fields ->> 'status', 'received'), 20))
    ON CONFLICT (record_id) DO UPDATE SET source = EXCLUDED.source,
        category = EXCLUDED.category, status = EXCLUDED.status;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER console_keep_case AFTER INSERT OR UPDATE ON records FOR EACH ROW "
    "WHEN (NEW.kind = 'case') EXECUTE FUNCTION console_keep_case()",
    "INSERT INTO console_cases SELECT id, community_id, created_ms, "
    "left(fields ->> 'source', 40), left(fields ->> 'category', 40), "
    "left(coalesce(fields ->> 'status', 'received'), 20) FROM records WHERE kind = 'case'",
]

# julianday() reads ISO 8601 with "Z" or "+08:00" and yields NULL for what it cannot read.
_SQLITE_MS = "CAST(round((julianday(json_extract({row}.fields, '$.{name}')) - 2440587.5) " \
             "* 86400000) AS INTEGER)"
_SQLITE_VALUES = (f"{{row}}.id, {{row}}.community_id, {{row}}.created_by, "
                  f"{_SQLITE_MS.replace('{name}', 'started_at')}, "
                  f"{_SQLITE_MS.replace('{name}', 'ended_at')}, "
                  "coalesce(json_extract({row}.fields, '$.voided'), 0) = 1")
_SQLITE_UPSERT = ("INSERT INTO console_visits (record_id, community_id, liaison_id, start_ms, "
                  "end_ms, voided) VALUES ({values}) ON CONFLICT (record_id) DO UPDATE SET "
                  "start_ms = excluded.start_ms, end_ms = excluded.end_ms, "
                  "voided = excluded.voided;")
_SQLITE_CASE_VALUES = ("{row}.id, {row}.community_id, {row}.created_ms, "
                       "json_extract({row}.fields, '$.source'), "
                       "json_extract({row}.fields, '$.category'), "
                       "coalesce(json_extract({row}.fields, '$.status'), 'received')")
_SQLITE_CASE_UPSERT = ("INSERT INTO console_cases (record_id, community_id, received_ms, source, "
                       "category, status) VALUES ({values}) ON CONFLICT (record_id) DO UPDATE "
                       "SET source = excluded.source, category = excluded.category, "
                       "status = excluded.status;")
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER console_keep_visit_{event.lower()} AFTER {event} ON records "
    f"WHEN NEW.kind = 'visit' BEGIN "
    f"{_SQLITE_UPSERT.format(values=_SQLITE_VALUES.format(row='NEW'))} END"
    for event in ("INSERT", "UPDATE")
] + [
    f"CREATE TRIGGER console_keep_case_{event.lower()} AFTER {event} ON records "
    f"WHEN NEW.kind = 'case' BEGIN "
    f"{_SQLITE_CASE_UPSERT.format(values=_SQLITE_CASE_VALUES.format(row='NEW'))} END"
    for event in ("INSERT", "UPDATE")
] + [
    f"INSERT INTO console_visits SELECT {_SQLITE_VALUES.format(row='records')} FROM records "
    "WHERE kind = 'visit'",
    f"INSERT INTO console_cases SELECT {_SQLITE_CASE_VALUES.format(row='records')} "
    "FROM records WHERE kind = 'case'",
]


def upgrade() -> None:
    op.create_table(
        "console_visits",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("community_id", sa.String(40), nullable=False),
        sa.Column("liaison_id", sa.String(40), nullable=False),
        sa.Column("start_ms", sa.BigInteger),
        sa.Column("end_ms", sa.BigInteger),
        sa.Column("voided", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_console_visits_start", "console_visits", ["start_ms", "community_id"])
    op.create_table(
        "console_cases",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("community_id", sa.String(40), nullable=False),
        sa.Column("received_ms", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(40)),
        sa.Column("category", sa.String(40)),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_index("ix_console_cases_community_received", "console_cases",
                    ["community_id", "received_ms"])
    op.create_index("ix_console_cases_received", "console_cases", ["received_ms"])
    op.create_table(
        "console_rejected_handled",
        sa.Column("mutation_id", sa.String(64), primary_key=True),
        sa.Column("handled_ms", sa.BigInteger, nullable=False),
        sa.Column("handled_by", sa.String(40), nullable=False),
        sa.Column("note", sa.Text),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in (_INDEXES_PG if postgres else _INDEXES_SQLITE) + _INDEXES_BOTH:
        op.execute(statement)
    for statement in _PG_FUNCTIONS if postgres else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS console_keep_visit ON records")
        op.execute("DROP FUNCTION IF EXISTS console_keep_visit()")
        op.execute("DROP TRIGGER IF EXISTS console_keep_case ON records")
        op.execute("DROP FUNCTION IF EXISTS console_keep_case()")
        op.execute("DROP FUNCTION IF EXISTS console_ms(text)")
    else:
        op.execute("DROP TRIGGER IF EXISTS console_keep_visit_insert")
        op.execute("DROP TRIGGER IF EXISTS console_keep_visit_update")
        op.execute("DROP TRIGGER IF EXISTS console_keep_case_insert")
        op.execute("DROP TRIGGER IF EXISTS console_keep_case_update")
    for name in _INDEX_NAMES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_table("console_rejected_handled")
    op.drop_table("console_cases")
    op.drop_table("console_visits")
