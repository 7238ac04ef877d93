"""Who holds a blob's bytes (issue 15): knowing a hash is no longer a read capability.

A photo was readable by anyone whose scope held a record referring to its hash, so a
liaison who learnt a hash could point an attachment of their own community at it and
read another community's photo. ``blob_holders`` says who has sent the bytes (the
uploader, or the QR intake for residents' photos); ``blob_refs.referred_by`` says who
wrote the attachment's ``sha256``. A reference opens a photo to its readers only when
its writer holds the bytes. Today's uploaders become holders, and a reference's writer
is taken to be the attachment's creator (attachments are written once by their device).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_holders",
        sa.Column("sha256", sa.String(64), primary_key=True),
        # Not a foreign key: the QR intake's pseudo-user holds residents' photos.
        sa.Column("user_id", sa.String(40), primary_key=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO blob_holders (sha256, user_id, created_ms) "
               "SELECT sha256, uploaded_by, created_ms FROM blobs "
               "WHERE uploaded_by IS NOT NULL")
    op.add_column("blob_refs", sa.Column("referred_by", sa.String(40)))
    op.execute("UPDATE blob_refs SET referred_by = (SELECT records.created_by FROM records "
               "WHERE records.id = blob_refs.record_id)")


def downgrade() -> None:
    op.drop_column("blob_refs", "referred_by")
    op.drop_table("blob_holders")
