"""Custody proof: hash form 2 over stable keys and the custody ledger

Revision ID: 0006
Revises: 0005

Appends, never rewrites. Every existing event keeps its form-1 hash untouched; the new
columns place it in its site's custody ledger (in the order events were recorded, i.e. row
order) and each exhibit gets one more event, "Record upgraded", in form 2. That event follows
the exhibit's form-1 head (so every hash printed before the upgrade, on a continuity record,
still verifies as the start of the chain), records the row ids form 1 hashed (so a copy with
renumbered rows still verifies) and restates the header, hold and referral links as they
stand, so from then on they are inside the chain.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

from cipco.config import current_actor
from cipco.migrations import append_only
from cipco.services.chain import (
    FORM,
    GENESIS,
    ROW_FIELDS,
    canonical_json,
    event_hash,
    header_details,
    parse_details,
    utc_text,
)
from cipco.services.ledger import entry_key, link

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_MESSAGE = "exhibit movements are append-only: record a correction instead"
# header keys form-1 seizures hashed: their hashed value wins over the exhibit row's
FORM1_HEADER = (
    "reference",
    "type",
    "description",
    "system",
    "camera_id",
    "officer",
    "clip_start",
    "clip_end",
    "export_medium",
    "file_sha256",
    "quantity",
    "weight",
    "where_found",
    "found_on",
    "list_class",
)


def append_only_update_trigger(table: str) -> str:
    """Refuse every UPDATE of ``table`` except stamping an unassigned site once (as 0005)."""
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


class _Row:
    """An exhibit row with the attribute names ``header_details`` reads."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def upgrade() -> None:
    op.add_column(
        "exhibit_event", sa.Column("form", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column(
        "exhibit_event",
        sa.Column("hash_site", sa.String(length=8), nullable=False, server_default=""),
    )
    op.add_column("exhibit_event", sa.Column("ledger_seq", sa.Integer(), nullable=True))
    op.add_column(
        "exhibit_event",
        sa.Column("ledger_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    )
    op.add_column(
        "exhibit_event",
        sa.Column("ledger_prev", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    )
    op.create_index(
        "uq_exhibit_event_site_ledger", "exhibit_event", ["site", "ledger_seq"], unique=True
    )
    server = append_only.on_server()
    if server:
        append_only.drop("exhibit_event", "update")
    else:
        op.execute("DROP TRIGGER IF EXISTS exhibit_event_no_update")
    bind = op.get_bind()
    ledgers = _number_existing_events(bind)
    _append_upgrade_events(bind, ledgers)
    if server:
        append_only.refuse_updates("exhibit_event", APPEND_ONLY_MESSAGE, stamp=True)
    else:
        op.execute(append_only_update_trigger("exhibit_event"))


def _hash_references(bind: Any) -> dict[int, tuple[str, str]]:
    """Each exhibit's (row reference, reference its events were hashed with)."""
    found: dict[int, tuple[str, str]] = {}
    for exhibit_id, reference, details in bind.execute(
        sa.text(
            "SELECT x.id, x.reference, e.details FROM exhibit x LEFT JOIN exhibit_event e "
            "ON e.exhibit_id = x.id AND e.seq = 1 AND e.kind = 'seizure'"
        )
    ):
        recorded = parse_details(details)
        hashed = recorded.get("reference") if isinstance(recorded, dict) else None
        found[exhibit_id] = (reference, hashed if isinstance(hashed, str) else reference)
    return found


def _number_existing_events(bind: Any) -> dict[str, tuple[int, str, str | None]]:
    """Give every existing event its ledger place, in row order, per site.

    Returns each site's ledger head: (position, digest, key of the last entry).
    """
    references = _hash_references(bind)
    heads: dict[str, tuple[int, str, str | None]] = {}
    updates: list[dict[str, Any]] = []
    rows = bind.execute(
        sa.text("SELECT id, site, exhibit_id, seq, hash FROM exhibit_event ORDER BY site, id")
    ).fetchall()
    for event_id, site, exhibit_id, seq, event_hash_value in rows:
        position, digest, prev_key = heads.get(site, (0, GENESIS, None))
        row_ref, hashed_ref = references.get(exhibit_id, (f"exhibit id {exhibit_id}",) * 2)
        digest = link(digest, hashed_ref, seq, event_hash_value)
        updates.append(
            {"id": event_id, "position": position + 1, "digest": digest, "prev": prev_key}
        )
        heads[site] = (position + 1, digest, entry_key(row_ref, seq))
    if updates:
        bind.execute(
            sa.text(
                "UPDATE exhibit_event SET ledger_seq = :position, ledger_hash = :digest, "
                "ledger_prev = :prev WHERE id = :id"
            ),
            updates,
        )
    return heads


def _append_upgrade_events(bind: Any, heads: dict[str, tuple[int, str, str | None]]) -> None:
    references = _hash_references(bind)
    events: dict[int, list[tuple[int, int, str]]] = {}
    for event_id, exhibit_id, seq, event_hash_value in bind.execute(
        sa.text("SELECT id, exhibit_id, seq, hash FROM exhibit_event ORDER BY exhibit_id, seq, id")
    ):
        events.setdefault(exhibit_id, []).append((event_id, seq, event_hash_value))
    links: dict[int, list[str]] = {}
    for exhibit_id, reference in bind.execute(
        sa.text(
            "SELECT l.exhibit_id, r.reference FROM exhibit_referral l "
            "JOIN referral r ON r.id = l.referral_id"
        )
    ):
        links.setdefault(exhibit_id, []).append(reference)
    seizures = {
        exhibit_id: parse_details(details)
        for exhibit_id, details in bind.execute(
            sa.text(
                "SELECT exhibit_id, details FROM exhibit_event WHERE seq = 1 AND kind = 'seizure'"
            )
        )
    }
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    actor = current_actor()
    exhibits = bind.execute(
        sa.text(
            "SELECT x.*, p.reference AS parent_ref, pr.nomis_number AS nomis, "
            "pr.name AS prisoner_name FROM exhibit x "
            "LEFT JOIN exhibit p ON p.id = x.parent_id "
            "LEFT JOIN prisoner pr ON pr.id = x.found_on_prisoner_id ORDER BY x.id"
        )
    ).mappings()
    inserts: list[dict[str, Any]] = []
    exhibit_updates: list[dict[str, Any]] = []
    for exhibit in exhibits:
        exhibit_id = exhibit["id"]
        site = exhibit["site"] or ""
        chain = events.get(exhibit_id, [])
        row_ref, hashed_ref = references[exhibit_id]
        header = header_details(
            _Row(dict(exhibit)),
            parent=exhibit["parent_ref"],
            found_on=exhibit["nomis"],
            found_on_name=exhibit["prisoner_name"] or None,
            referrals=links.get(exhibit_id, []),
        )
        header["hold"] = bool(exhibit["hold"])
        recorded = seizures.get(exhibit_id)
        if isinstance(recorded, dict):
            for key in FORM1_HEADER:
                if key in recorded:
                    value = recorded[key]
                    header[key] = utc_text(value) if key.startswith("clip_") else value
        details = {
            "header": header,
            "upgrade": {
                "from_form": 1,
                "exhibit_id": exhibit_id,
                "event_ids": [[seq, event_id] for event_id, seq, _hash in chain],
            },
        }
        seq = (max(s for _id, s, _h in chain) if chain else 0) + 1
        prev = chain[-1][2] if chain else GENESIS
        event = dict.fromkeys(ROW_FIELDS)
        event.update(
            exhibit_id=exhibit_id,
            seq=seq,
            form=FORM,
            hash_site=site,
            prev_hash=prev,
            kind="upgrade",
            happened_at=now,
            recorded_at=now,
            recorded_by=actor,
            details=canonical_json(details),
        )
        event["hash"] = event_hash([event[name] for name in ROW_FIELDS], hashed_ref, None, prev)
        position, digest, prev_key = heads.get(site, (0, GENESIS, None))
        digest = link(digest, hashed_ref, seq, event["hash"])
        heads[site] = (position + 1, digest, entry_key(row_ref, seq))
        del event["id"]
        event.update(site=site, ledger_seq=position + 1, ledger_hash=digest, ledger_prev=prev_key)
        inserts.append(event)
        exhibit_updates.append({"id": exhibit_id, "count": len(chain) + 1, "head": event["hash"]})
    if inserts:
        names = list(inserts[0])
        bind.execute(
            sa.text(
                f"INSERT INTO exhibit_event ({', '.join(names)}) "
                f"VALUES ({', '.join(':' + n for n in names)})"
            ),
            inserts,
        )
        bind.execute(
            sa.text(
                "UPDATE exhibit SET event_count = :count, head_hash = :head, "
                "version = version + 1 WHERE id = :id"
            ),
            exhibit_updates,
        )


def downgrade() -> None:
    raise RuntimeError(
        "the custody ledger cannot be taken back to form 1 without rewriting history; "
        "restore the backup cipco took before the upgrade instead"
    )
