"""Store each record's field_meta packed: every writer once, fields point at theirs.

Before: ``{"title": [hlc, device, user, version, mutation], "category": [the same], …}``.
After: ``[[[hlc, device, user, version, mutation], …], {"title": 0, "category": 0, …}]``
(sync/domain/merge.py ``StoredMeta``). A mutation writes several fields with one stamp,
so the stamps were two thirds of a record's bytes and of the database's work per push.

The rows are rewritten in batches, in id order, on both back ends.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 1000
_records = sa.table("records", sa.column("id", sa.String),
                    sa.column("field_meta", sa.JSON().with_variant(postgresql.JSONB(),
                                                                   "postgresql")))


def _packed(meta: dict[str, list[Any]]) -> list[Any]:
    writers: dict[tuple[Any, ...], int] = {}
    fields = {name: writers.setdefault(tuple(write), len(writers))
              for name, write in meta.items()}
    return [[list(w) for w in writers], fields]


def _unpacked(meta: list[Any]) -> dict[str, list[Any]]:
    writers, fields = meta
    return {name: list(writers[i]) for name, i in fields.items()}


def _rewrite(convert: Callable[[Any], Any], is_old: Callable[[Any], bool]) -> None:
    bind = op.get_bind()
    after = ""
    while True:
        rows = bind.execute(sa.select(_records.c.id, _records.c.field_meta)
                            .where(_records.c.id > after).order_by(_records.c.id)
                            .limit(BATCH)).all()
        if not rows:
            return
        changed = [{"row_id": r.id, "meta": convert(r.field_meta)} for r in rows
                   if is_old(r.field_meta)]
        if changed:
            bind.execute(_records.update().where(_records.c.id == sa.bindparam("row_id"))
                         .values(field_meta=sa.bindparam("meta")), changed)
        after = rows[-1].id


def upgrade() -> None:
    _rewrite(_packed, lambda meta: isinstance(meta, dict))


def downgrade() -> None:
    _rewrite(_unpacked, lambda meta: isinstance(meta, list))
