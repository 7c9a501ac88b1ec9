"""Sites: every record belongs to an establishment; references unique per site

Revision ID: 0005
Revises: 0004

Existing rows get site "" (unassigned) until the file's prison is chosen
(``cipco site CODE`` or the Settings screen), which stamps every row once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cipco.models.types
from cipco.migrations import append_only

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SITE_TABLES = (
    "audit_event",
    "prisoner",
    "referral",
    "referral_party",
    "status_change",
    "follow_up",
    "clinic",
    "clinic_action",
    "agenda_item",
    "attendance",
    "exhibit",
    "exhibit_referral",
    "exhibit_event",
    "charge_papers",
    "service_event",
    "person_of_interest",
    "ancillary_order",
    "association",
    "custody_event",
)

# (table, old unique index on the reference, column, new unique index over site + column)
PER_SITE_UNIQUE = (
    ("referral", "ix_referral_reference", "reference", "uq_referral_site_reference"),
    ("exhibit", "ix_exhibit_reference", "reference", "uq_exhibit_site_reference"),
    ("prisoner", "ix_prisoner_nomis_number", "nomis_number", "uq_prisoner_site_nomis"),
    ("clinic", "ix_clinic_held_on", "held_on", "uq_clinic_site_held_on"),
)


APPEND_ONLY_MESSAGE = "exhibit movements are append-only: record a correction instead"


def append_only_update_trigger(table: str) -> str:
    """Refuse every UPDATE of ``table`` except stamping an unassigned site once."""
    columns = [
        column["name"]
        for column in sa.inspect(op.get_bind()).get_columns(table)
        if column["name"] != "site"
    ]
    unchanged = " AND ".join(f"NEW.{name} IS OLD.{name}" for name in columns)
    return f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    WHEN NOT (OLD.site = '' AND NEW.site <> '' AND {unchanged})
    BEGIN
        SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}');
    END
    """


def upgrade() -> None:
    op.create_table(
        "site",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("assigned_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    for table in SITE_TABLES:
        # ADD COLUMN with a default: no table rebuild, so append-only triggers stay in place.
        op.add_column(
            table,
            sa.Column("site", sa.String(length=8), nullable=False, server_default=""),
        )
        op.create_index(f"ix_{table}_site", table, ["site"], unique=False)
    for table, old_index, column, new_index in PER_SITE_UNIQUE:
        op.drop_index(old_index, table_name=table)
        op.create_index(old_index, table, [column], unique=False)
        op.create_index(new_index, table, ["site", column], unique=True)
    if append_only.on_server():
        append_only.refuse_updates("exhibit_event", APPEND_ONLY_MESSAGE, stamp=True)
    else:
        op.execute("DROP TRIGGER IF EXISTS exhibit_event_no_update")
        op.execute(append_only_update_trigger("exhibit_event"))
    # setting: primary key (site, key)
    op.create_table(
        "setting_new",
        sa.Column("site", sa.String(length=8), nullable=False, server_default=""),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("site", "key"),
    )
    op.execute("INSERT INTO setting_new (site, key, value) SELECT '', key, value FROM setting")
    op.drop_table("setting")
    op.rename_table("setting_new", "setting")


def downgrade() -> None:
    if append_only.on_server():
        append_only.refuse_updates("exhibit_event", APPEND_ONLY_MESSAGE, stamp=False)
    else:
        op.execute("DROP TRIGGER IF EXISTS exhibit_event_no_update")
        op.execute(
            "CREATE TRIGGER exhibit_event_no_update BEFORE UPDATE ON exhibit_event "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )
    op.create_table(
        "setting_old",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.execute("INSERT INTO setting_old (key, value) SELECT key, value FROM setting")
    op.drop_table("setting")
    op.rename_table("setting_old", "setting")
    for table, old_index, column, new_index in PER_SITE_UNIQUE:
        op.drop_index(new_index, table_name=table)
        op.drop_index(old_index, table_name=table)
        op.create_index(old_index, table, [column], unique=True)
    for table in SITE_TABLES:
        op.drop_index(f"ix_{table}_site", table_name=table)
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("site")
    op.drop_table("site")
