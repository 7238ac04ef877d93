"""Versions without a global lock: each writing transaction claims its versions.

Until now every write of records held the row lock of ``sync_state`` from drawing its
versions to commit, so versions were handed out in commit order — and every push waited
for every other (83 % of the sync benchmark's push phase, ops/bench/RESULTS.md).

From here on (store/versions.py): versions come from the sequence ``record_versions``
without a lock, and the transaction that draws them records the claim — its
transaction id, its first and last version, its greatest HLC — in ``version_claims``,
in the same transaction. A pull delivers up to the greatest committed claim and carries
the transactions still in progress in its cursor; the next pull delivers the versions
those claimed once they have committed. Concurrent writes of one record wait for each
other on its row lock instead (``SELECT … FOR UPDATE``).

SQLite has one writer at a time: it hands out versions after the greatest claim, with
the database's write lock held, and leaves ``xid`` empty.

``sync_state`` is dropped: the greatest claim is the version, the greatest claimed HLC
the server's clock floor. Downgrading rebuilds it from the claims.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# HLCs compare as bytes (sync/domain/hlc.py): on PostgreSQL the column sorts by "C".
HLC = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")

_CLAIM_FUNCTION = """
CREATE FUNCTION claim_versions(count integer, hlc text,
                               OUT versions bigint[], OUT max_hlc text) AS $$
DECLARE
    -- The transaction id before the versions: a pull that reads a greater version than
    -- any of these finds this transaction in progress in its snapshot (store/versions.py).
    claimer bigint := pg_current_xact_id()::text::bigint;
BEGIN
    SELECT array_agg(v ORDER BY v) INTO versions
      FROM (SELECT nextval('record_versions') AS v FROM generate_series(1, count)) drawn;
    INSERT INTO version_claims (xid, first_version, last_version, max_hlc)
    VALUES (claimer, versions[1], versions[count], hlc);
    SELECT max(c.max_hlc) INTO max_hlc FROM version_claims c;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "version_claims",
        sa.Column("xid", sa.BigInteger),
        sa.Column("first_version", sa.BigInteger, nullable=False),
        sa.Column("last_version", sa.BigInteger, nullable=False),
        sa.Column("max_hlc", HLC, nullable=False),
    )
    op.create_index("ix_version_claims_xid", "version_claims", ["xid"])
    op.create_index("ix_version_claims_last_version", "version_claims", ["last_version"])
    op.create_index("ix_version_claims_max_hlc", "version_claims", ["max_hlc"])
    op.execute("INSERT INTO version_claims (first_version, last_version, max_hlc) "
               "SELECT version, version, max_hlc FROM sync_state")
    if postgres:
        op.execute("CREATE SEQUENCE record_versions")
        op.execute("SELECT setval('record_versions', version + 1, false) FROM sync_state")
        op.execute(_CLAIM_FUNCTION)
    op.drop_table("sync_state")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("max_hlc", sa.String(100), nullable=False),
    )
    op.execute("INSERT INTO sync_state (id, version, max_hlc) SELECT 1, max(last_version),"
               " max(max_hlc) FROM version_claims")
    if postgres:
        op.execute("DROP FUNCTION claim_versions(integer, text)")
        op.execute("DROP SEQUENCE record_versions")
    op.drop_table("version_claims")
