"""People and papers around a referral

Revision ID: 0009
Revises: 0008

Victims and witnesses (``referral_party``) gain contact preferences and details, a
"do not share" marking, support services, dates they cannot attend court, the R8 review and
a version; new tables hold the contact log, statements (MG11) and statement meetings,
medical disclaimers, the CPS action log, correspondence, case documents and their bytes, and
the referral gains other systems' references (NIMU, IRS, PNOMIS, Mercury/IMS).

Existing data moves sensibly, nothing is guessed:

- each victim on a referral with "enhanced rights" ticked gets enhanced rights;
- a referral's "victim last updated" date becomes one contact with each of its victims
  ("recorded before the contact log"); a referral with that date but no victim named gets a
  victim "Staff victim (name not recorded)" (or "Victim (name not recorded)") to hold it;
- one audit event says what was moved.

Case documents, their bytes and correspondence are never changed or deleted: triggers refuse
any UPDATE (except stamping an unassigned site once, as 0005) and any DELETE.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import cipco.models.types
from cipco.config import current_actor
from cipco.migrations import append_only

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = {
    "case_document": "case documents are never changed: attach a new version instead",
    "document_chunk": "case documents are never changed: attach a new version instead",
    "correspondence": "correspondence is kept as sent",
}
MIGRATED_SAID = (
    "Told of the police decision (recorded before the contact log, as the referral's "
    "'victim last updated' date)"
)
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how UTCDateTime stores an instant in SQLite


def no_update_trigger(table: str, message: str) -> str:
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
        SELECT RAISE(ABORT, '{message}');
    END
    """


def no_delete_trigger(table: str, message: str) -> str:
    return f"""
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    BEGIN
        SELECT RAISE(ABORT, '{message}');
    END
    """


def _site() -> sa.Column:
    return sa.Column("site", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=nullable)


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in (*columns, "site"):
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _create_tables() -> None:
    op.create_table(
        "case_document",
        _site(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        _text("kind"),
        _text("title"),
        _text("filename"),
        _text("media_type"),
        sa.Column("size", sa.Integer(), nullable=False),
        _text("sha256"),
        sa.Column("added_at", cipco.models.types.UTCDateTime(), nullable=False),
        _text("added_by"),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.ForeignKeyConstraint(["supersedes_id"], ["case_document.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("case_document", "referral_id", "sha256")
    op.create_table(
        "document_chunk",
        _site(),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["case_document.id"]),
        sa.PrimaryKeyConstraint("document_id", "seq"),
    )
    _indexes("document_chunk")
    op.create_table(
        "cps_action",
        _site(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        _text("action"),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        _text("owner"),
        sa.Column("done_on", sa.Date(), nullable=True),
        _text("notes"),
        *_stamps(),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("cps_action", "done_on", "due_on", "referral_id")
    op.create_table(
        "correspondence",
        _site(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        _text("recipient"),
        _text("channel"),
        _text("template"),
        _text("subject"),
        _text("body"),
        sa.Column("sent_at", cipco.models.types.UTCDateTime(), nullable=False),
        _text("actor"),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", cipco.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["case_document.id"]),
        sa.ForeignKeyConstraint(["party_id"], ["referral_party.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("correspondence", "party_id", "referral_id")
    op.create_table(
        "medical_disclaimer",
        _site(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("declined", sa.Boolean(), nullable=False),
        _text("notes"),
        *_stamps(),
        sa.ForeignKeyConstraint(["party_id"], ["referral_party.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("medical_disclaimer", "issued_on", "party_id", "referral_id")
    op.create_table(
        "party_contact",
        _site(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("happened_at", cipco.models.types.UTCDateTime(), nullable=False),
        _text("method"),
        _text("said"),
        _text("by"),
        sa.Column("recorded_at", cipco.models.types.UTCDateTime(), nullable=False),
        _text("actor"),
        sa.ForeignKeyConstraint(["party_id"], ["referral_party.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("party_contact", "party_id", "referral_id")
    op.create_table(
        "statement",
        _site(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        _text("state"),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        _text("checked_by", nullable=True),
        sa.Column("problems", sa.JSON(), nullable=True),
        _text("qa_note"),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        _text("notes"),
        *_stamps(),
        sa.ForeignKeyConstraint(["party_id"], ["referral_party.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("statement", "due_on", "party_id", "referral_id", "state")
    op.create_table(
        "statement_meeting",
        _site(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("meets_at", cipco.models.types.UTCDateTime(), nullable=False),
        _text("place"),
        _text("officer"),
        sa.Column("release_requested_on", sa.Date(), nullable=True),
        sa.Column("release_confirmed_on", sa.Date(), nullable=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        _text("notes"),
        *_stamps(),
        sa.ForeignKeyConstraint(["party_id"], ["referral_party.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _indexes("statement_meeting", "meets_at", "party_id", "referral_id")


OTHER_SYSTEMS = ("nimu_ref", "irs_ref", "pnomis_ref", "mercury_ref")


def _party_columns() -> tuple[sa.Column, ...]:
    return (
        sa.Column("contact_preference", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""),
        sa.Column("do_not_share", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("support", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("support_on", sa.Date(), nullable=True),
        sa.Column(
            "support_note", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
        ),
        sa.Column("unavailable", sa.JSON(), nullable=True),
        sa.Column("review_requested_on", sa.Date(), nullable=True),
        sa.Column("review_outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("review_outcome_on", sa.Date(), nullable=True),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""),
        sa.Column("created_at", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("updated_at", cipco.models.types.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )


def _move_victim_dates() -> None:
    """Enhanced rights to each victim; "victim last updated" to a contact with each victim."""
    bind = op.get_bind()
    if append_only.on_server():
        # PostgreSQL support began at schema 0010: a server passing through this step was
        # created empty by this history, so there is nothing to move (its SQL is SQLite's).
        if bind.exec_driver_sql("SELECT count(*) FROM referral").scalar():
            raise RuntimeError("a server database below schema 0009 cannot hold referrals")
        return
    now = datetime.now(UTC).strftime(STAMP)
    actor = current_actor()
    bind.exec_driver_sql(
        "UPDATE referral_party SET created_at = (SELECT created_at FROM referral "
        "WHERE referral.id = referral_party.referral_id), updated_at = (SELECT updated_at "
        "FROM referral WHERE referral.id = referral_party.referral_id), unavailable = '[]'"
    )
    bind.exec_driver_sql(
        "UPDATE referral_party SET enhanced_rights = 1 WHERE role = 'victim' AND referral_id IN "
        "(SELECT id FROM referral WHERE enhanced_victim)"
    )
    placeholders = bind.exec_driver_sql(
        "INSERT INTO referral_party (site, referral_id, role, kind, name, statement_taken, "
        "enhanced_rights, address, do_not_share, support_note, unavailable, notes, created_at, "
        "updated_at, version) "
        "SELECT r.site, r.id, 'victim', CASE WHEN r.staff_victim THEN 'staff' ELSE 'other' END, "
        "CASE WHEN r.staff_victim THEN 'Staff victim (name not recorded)' "
        "ELSE 'Victim (name not recorded)' END, 0, r.enhanced_victim, '', 0, '', '[]', "
        "'Added when the contact log began, to hold the date this victim was last updated.', "
        "r.created_at, r.updated_at, 1 FROM referral r WHERE r.victim_updated_at IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM referral_party p WHERE p.referral_id = r.id "
        "AND p.role = 'victim')"
    ).rowcount
    contacts = bind.exec_driver_sql(
        "INSERT INTO party_contact (site, referral_id, party_id, happened_at, method, said, by, "
        "recorded_at, actor) SELECT p.site, p.referral_id, p.id, r.victim_updated_at, 'other', "
        "?, 'not recorded', ?, ? FROM referral_party p JOIN referral r ON r.id = p.referral_id "
        "WHERE p.role = 'victim' AND r.victim_updated_at IS NOT NULL",
        (MIGRATED_SAID, now, actor),
    ).rowcount
    if contacts or placeholders:
        site = bind.exec_driver_sql("SELECT coalesce(max(code), '') FROM site").scalar()
        bind.exec_driver_sql(
            "INSERT INTO audit_event (site, table_name, record_id, action, field, old, new, "
            "actor, at) VALUES (?, 'party_contact', 0, 'insert', NULL, NULL, ?, ?, ?)",
            (
                site,
                f"contact log began: {contacts} contact(s) from referrals' 'victim last "
                f"updated' dates, {placeholders} victim(s) added to hold them",
                actor,
                now,
            ),
        )


def upgrade() -> None:
    _create_tables()
    with op.batch_alter_table("referral", schema=None) as batch_op:
        for name in OTHER_SYSTEMS:
            batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        for name in OTHER_SYSTEMS:
            batch_op.create_index(batch_op.f(f"ix_referral_{name}"), [name], unique=False)
    for column in _party_columns():  # ADD COLUMN: no table rebuild
        op.add_column("referral_party", column)
    _move_victim_dates()
    for table, message in IMMUTABLE.items():
        if append_only.on_server():
            append_only.refuse_updates(table, message, stamp=True)
            append_only.refuse_deletes(table, message)
            continue
        op.execute(no_update_trigger(table, message))
        op.execute(no_delete_trigger(table, message))


def downgrade() -> None:
    for table in IMMUTABLE:
        if append_only.on_server():
            append_only.drop(table, "update")
            append_only.drop(table, "delete")
            continue
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    with op.batch_alter_table("referral_party", schema=None) as batch_op:
        for column in reversed(_party_columns()):
            batch_op.drop_column(column.name)
    with op.batch_alter_table("referral", schema=None) as batch_op:
        for name in OTHER_SYSTEMS:
            batch_op.drop_index(batch_op.f(f"ix_referral_{name}"))
        for name in OTHER_SYSTEMS:
            batch_op.drop_column(name)
    for table in (
        "statement_meeting",
        "statement",
        "party_contact",
        "medical_disclaimer",
        "correspondence",
        "cps_action",
        "document_chunk",
        "case_document",
    ):
        op.drop_table(table)
