"""crime clinic: clinics, agenda items, actions, attendance

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cipco.models.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clinic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("agenda_at", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("started_at", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("closed_at", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clinic_held_on"), ["held_on"], unique=True)
        batch_op.create_index(batch_op.f("ix_clinic_status"), ["status"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("presence", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinic.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_clinic_id"), ["clinic_id"], unique=False)

    op.create_table(
        "clinic_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("owner_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("owner_org", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("done_at", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("dropped_at", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinic.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clinic_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clinic_action_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_clinic_action_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_clinic_action_owner_name"), ["owner_name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_clinic_action_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_clinic_action_status"), ["status"], unique=False)

    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("section", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dropped", sa.Boolean(), nullable=False),
        sa.Column("drop_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["clinic_action.id"]),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinic.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_item_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agenda_item_clinic_id"), ["clinic_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agenda_item_referral_id"), ["referral_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_referral_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_item_clinic_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_item_action_id"))
    op.drop_table("agenda_item")
    with op.batch_alter_table("clinic_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinic_action_status"))
        batch_op.drop_index(batch_op.f("ix_clinic_action_referral_id"))
        batch_op.drop_index(batch_op.f("ix_clinic_action_owner_name"))
        batch_op.drop_index(batch_op.f("ix_clinic_action_due_on"))
        batch_op.drop_index(batch_op.f("ix_clinic_action_clinic_id"))
    op.drop_table("clinic_action")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_clinic_id"))
    op.drop_table("attendance")
    with op.batch_alter_table("clinic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clinic_status"))
        batch_op.drop_index(batch_op.f("ix_clinic_held_on"))
    op.drop_table("clinic")
