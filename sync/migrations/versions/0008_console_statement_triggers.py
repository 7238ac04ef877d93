"""PostgreSQL: keep ``console_visits`` and ``console_cases`` with one statement per write
of ``records`` instead of one PL/pgSQL call and one upsert per row.

A push writes its records in one ``INSERT … ON CONFLICT DO UPDATE``; the row triggers
made every visit and case row of it run a function and a single-row upsert, about a
fifth of the statement's time (ops/bench/RESULTS.md). Statement triggers with a
transition table do the same upserts set-wise: PostgreSQL fires the INSERT trigger with
the inserted rows and the UPDATE trigger with the updated ones. The columns written are
those of 0004; SQLite keeps its row triggers.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_KEEP = """CREATE FUNCTION console_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO console_visits (record_id, community_id, liaison_id, start_ms, end_ms, voided)
    SELECT id, community_id, created_by, console_ms(fields ->> 'started_at'),
           console_ms(fields ->> 'ended_at'), coalesce(fields ->> 'voided', '') = 'true'
    FROM written WHERE kind = 'visit'
    ON CONFLICT (record_id) DO UPDATE SET start_ms = EXCLUDED.start_ms,
        end_ms = EXCLUDED.end_ms, voided = EXCLUDED.voided;
    INSERT INTO console_cases (record_id, community_id, received_ms, source, category, status)
    SELECT id, community_id, created_ms, left(fields ->> 'source', 40),
           left(fields ->> 'category', 40), left(coalesce(fields ->> 'status', 'received'), 20)
    FROM written WHERE kind = 'case'
    ON CONFLICT (record_id) DO UPDATE SET source = EXCLUDED.source,
        category = EXCLUDED.category, status = EXCLUDED.status;
    RETURN NULL;
END $$"""

# 0004's row triggers, as they were (for downgrade).
_ROW_TRIGGERS = [
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
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER console_keep_visit ON records")
    op.execute("DROP FUNCTION console_keep_visit()")
    op.execute("DROP TRIGGER console_keep_case ON records")
    op.execute("DROP FUNCTION console_keep_case()")
    op.execute(_KEEP)
    # A trigger with a transition table serves one event, so there are two.
    for name, event in (("console_keep_inserted", "INSERT"), ("console_keep_updated", "UPDATE")):
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON records "
                   "REFERENCING NEW TABLE AS written FOR EACH STATEMENT "
                   "EXECUTE FUNCTION console_keep()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER console_keep_inserted ON records")
    op.execute("DROP TRIGGER console_keep_updated ON records")
    op.execute("DROP FUNCTION console_keep()")
    for statement in _ROW_TRIGGERS:
        op.execute(statement)
