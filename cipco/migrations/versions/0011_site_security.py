"""Site security on PostgreSQL: row-level security (FORCE) on every site-owned table

Revision ID: 0011
Revises: 0010

Each login sees and writes only the rows of the sites whose roles it is a member of; a
regional role reads the sites granted to it and writes nothing (``cipco.pg_security``).
Nothing to do on SQLite: a file holds one site and its access is the file's.
"""

from collections.abc import Sequence

from alembic import op

from cipco.pg_security import secure_tables

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        secure_tables(bind)


def downgrade() -> None:
    pass
