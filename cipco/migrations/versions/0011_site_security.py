"""Sites on a server: what move-to copied; row-level security (FORCE) on PostgreSQL

Revision ID: 0011
Revises: 0010

``moved_row`` records each record ``cipco move-to`` copied from a prison's file (its key
there, its id on the server, a digest of its values). On PostgreSQL every site-owned table
then gets row-level security: each login sees and writes only the rows of the sites whose
roles it is a member of; a regional role reads the sites granted to it and writes nothing
(``cipco.pg_security``). A SQLite file holds one site and its access is the file's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cipco.models.types
from cipco.pg_security import secure_tables

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moved_row",
        sa.Column("site", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("source_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("row_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("moved_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moved_row", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moved_row_site"), ["site"], unique=False)
        batch_op.create_index(
            "uq_moved_row_site_table_key", ["site", "table_name", "source_key"], unique=True
        )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        secure_tables(bind)


def downgrade() -> None:
    with op.batch_alter_table("moved_row", schema=None) as batch_op:
        batch_op.drop_index("uq_moved_row_site_table_key")
        batch_op.drop_index(batch_op.f("ix_moved_row_site"))
    op.drop_table("moved_row")
