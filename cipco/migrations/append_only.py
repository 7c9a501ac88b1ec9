"""Append-only tables on PostgreSQL: what the SQLite migrations' ``RAISE(ABORT, …)`` triggers
do, as one PL/pgSQL trigger function raising an exception.

The SQLite statements stay in the migrations as they were written (a file upgraded from an
old version runs exactly what it always ran); a migration asks :func:`on_server` and, on
PostgreSQL, uses these instead. The exception's SQLSTATE is ``restrict_violation`` (class
23, a constraint), so the user reads the same sentence as on SQLite.
"""

from __future__ import annotations

from alembic import op

FUNCTION = "cipco_append_only"

_CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- TG_ARGV[0]: the sentence; TG_ARGV[1] = 'stamp': an unassigned site may be stamped once
    IF TG_OP = 'UPDATE' AND TG_NARGS > 1 AND TG_ARGV[1] = 'stamp'
        AND OLD.site = '' AND NEW.site <> ''
        AND (to_jsonb(NEW) - 'site') = (to_jsonb(OLD) - 'site') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation';
END
$fn$
"""


def on_server() -> bool:
    """True when this migration runs on PostgreSQL."""
    return bool(op.get_bind().dialect.name == "postgresql")


def _quoted(message: str) -> str:
    return "'" + message.replace("'", "''") + "'"


def refuse_updates(table: str, message: str, *, stamp: bool) -> None:
    """Refuse every UPDATE of ``table`` (``stamp``: except stamping an unassigned site once)."""
    op.execute(_CREATE_FUNCTION)
    drop(table, "update")
    arguments = _quoted(message) + (", 'stamp'" if stamp else "")
    op.execute(
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}({arguments})"
    )


def refuse_deletes(table: str, message: str) -> None:
    op.execute(_CREATE_FUNCTION)
    drop(table, "delete")
    op.execute(
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}({_quoted(message)})"
    )


def drop(table: str, kind: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{kind} ON {table}")
