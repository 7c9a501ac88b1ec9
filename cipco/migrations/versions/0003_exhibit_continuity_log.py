"""exhibit continuity log: exhibits and append-only movements

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cipco.models.types
from cipco.migrations import append_only

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Movements are append-only. The triggers refuse casual edits; ``cipco verify`` (the hash
# chain) still catches anyone who drops them and edits the file directly.
APPEND_ONLY_TRIGGERS = (
    """
    CREATE TRIGGER exhibit_event_no_update BEFORE UPDATE ON exhibit_event
    BEGIN
        SELECT RAISE(ABORT, 'exhibit movements are append-only: record a correction instead');
    END
    """,
    """
    CREATE TRIGGER exhibit_event_no_delete BEFORE DELETE ON exhibit_event
    BEGIN
        SELECT RAISE(ABORT, 'exhibit movements are append-only: record a correction instead');
    END
    """,
)


def upgrade() -> None:
    op.create_table(
        "exhibit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("exhibit_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("system", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("camera_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("officer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("clip_start", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("clip_end", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("export_medium", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("quantity", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("weight", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("where_found", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("found_on_prisoner_id", sa.Integer(), nullable=True),
        sa.Column("list_class", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("seized_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seized_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("hold", sa.Boolean(), nullable=False),
        sa.Column("hold_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("collection_requested_on", sa.Date(), nullable=True),
        sa.Column("seal_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("storage_location", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("holder_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_movement_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("review_due_on", sa.Date(), nullable=True),
        sa.Column("discrepancy_count", sa.Integer(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("head_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["found_on_prisoner_id"], ["prisoner.id"]),
        sa.ForeignKeyConstraint(["parent_id"], ["exhibit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exhibit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exhibit_exhibit_type"), ["exhibit_type"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exhibit_found_on_prisoner_id"), ["found_on_prisoner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exhibit_last_movement_at"), ["last_movement_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exhibit_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exhibit_reference"), ["reference"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_exhibit_review_due_on"), ["review_due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exhibit_state"), ["state"], unique=False)

    op.create_table(
        "exhibit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("from_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("from_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("to_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("to_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("to_collar", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("to_force", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("to_org", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("happened_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("seal_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("seal_intact", sa.Boolean(), nullable=True),
        sa.Column("new_seal_number", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("discrepancy", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("corrected_happened_at", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("corrects_event_id", sa.Integer(), nullable=True),
        sa.Column("authority", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("witness", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("details", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["corrects_event_id"], ["exhibit_event.id"]),
        sa.ForeignKeyConstraint(["exhibit_id"], ["exhibit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exhibit_event", schema=None) as batch_op:
        batch_op.create_index("ix_exhibit_event_exhibit_seq", ["exhibit_id", "seq"], unique=True)

    op.create_table(
        "exhibit_referral",
        sa.Column("exhibit_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["exhibit_id"], ["exhibit.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("exhibit_id", "referral_id"),
    )
    with op.batch_alter_table("exhibit_referral", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exhibit_referral_referral_id"), ["referral_id"], unique=False
        )

    if append_only.on_server():
        message = "exhibit movements are append-only: record a correction instead"
        append_only.refuse_updates("exhibit_event", message, stamp=False)
        append_only.refuse_deletes("exhibit_event", message)
        return
    for trigger in APPEND_ONLY_TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    if append_only.on_server():
        append_only.drop("exhibit_event", "delete")
        append_only.drop("exhibit_event", "update")
    else:
        op.execute("DROP TRIGGER IF EXISTS exhibit_event_no_delete")
        op.execute("DROP TRIGGER IF EXISTS exhibit_event_no_update")
    with op.batch_alter_table("exhibit_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exhibit_referral_referral_id"))
    op.drop_table("exhibit_referral")
    with op.batch_alter_table("exhibit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_exhibit_event_exhibit_seq")
    op.drop_table("exhibit_event")
    with op.batch_alter_table("exhibit", schema=None) as batch_op:
        for name in (
            "ix_exhibit_state",
            "ix_exhibit_review_due_on",
            "ix_exhibit_reference",
            "ix_exhibit_parent_id",
            "ix_exhibit_last_movement_at",
            "ix_exhibit_found_on_prisoner_id",
            "ix_exhibit_exhibit_type",
        ):
            batch_op.drop_index(batch_op.f(name))
    op.drop_table("exhibit")
