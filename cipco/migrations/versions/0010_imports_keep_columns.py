"""Imports keep every column and remember mappings; any ancillary order may start on release

Revision ID: 0010
Revises: 0009

- ``original_columns`` on referrals, exhibits, MG4D papers, persons of interest and clinic
  actions: the cells of an imported row's columns that map to no field ([header, value]
  pairs), shown on the record and exported;
- ``import_mapping``: a column mapping confirmed once, kept under the header layout of the
  spreadsheet (site, log, fingerprint unique), so the next copy imports with no options;
- every order type may start on release (the court decides; the seeded list said no for
  SCPOs and others).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cipco.models.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEEPING_TABLES = ("referral", "exhibit", "charge_papers", "person_of_interest", "clinic_action")


def upgrade() -> None:
    for table in KEEPING_TABLES:
        # ADD COLUMN without a table rebuild
        op.add_column(table, sa.Column("original_columns", sa.JSON(), nullable=True))
    op.create_table(
        "import_mapping",
        sa.Column("site", sa.String(length=8), nullable=False, server_default=""),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("saved_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("saved_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_mapping_site", "import_mapping", ["site"], unique=False)
    op.create_index(
        "uq_import_mapping_site_log_layout",
        "import_mapping",
        ["site", "log", "fingerprint"],
        unique=True,
    )
    # a bound True: 1 on SQLite, true on PostgreSQL
    op.get_bind().execute(
        sa.text("UPDATE order_type SET may_start_on_release = :yes"), {"yes": True}
    )


def downgrade() -> None:
    op.drop_index("uq_import_mapping_site_log_layout", table_name="import_mapping")
    op.drop_index("ix_import_mapping_site", table_name="import_mapping")
    op.drop_table("import_mapping")
    for table in KEEPING_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("original_columns")
