"""Search everything, and saved views

Revision ID: 0008
Revises: 0007

Creates the search index (an FTS5 table with the trigram tokenizer, ``search_index``) and
its state table, and ``saved_view`` (a list's queue, filter and sort under a name).

The index is filled, and its triggers installed, by :func:`cipco.fts.ensure` at the end of
the same upgrade (``cipco.datafile.migrate``): the declaration of what each list indexes
(:mod:`cipco.search_docs`) may name tables of later revisions, so it is applied once every
revision has run; an existing file's records are all indexed before it is first used.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cipco.models.types
from cipco import fts

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    fts.create(connection)
    op.create_table(
        "saved_view",
        sa.Column("site", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("queue", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sort", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("descending", sa.Boolean(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_view_site"), ["site"], unique=False)
        batch_op.create_index("uq_saved_view_site_log_name", ["site", "log", "name"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("saved_view", schema=None) as batch_op:
        batch_op.drop_index("uq_saved_view_site_log_name")
        batch_op.drop_index(batch_op.f("ix_saved_view_site"))
    op.drop_table("saved_view")
    fts.drop(op.get_bind())
