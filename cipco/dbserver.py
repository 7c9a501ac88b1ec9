"""PostgreSQL: what :mod:`cipco.db` does for a SQLite file, done for a database server.

Part of the data layer (with :mod:`cipco.db`, which hands over to it for a ``postgresql://``
URL). The same contracts hold on both backends:

- A unit of work that writes runs in one transaction (READ COMMITTED) that first takes the
  site's write lock, ``pg_advisory_xact_lock(cipco, crc32(site))``: writers of one site queue
  as they do for SQLite's ``BEGIN IMMEDIATE`` (so the custody ledger's order is commit order,
  and "next reference" reads see every earlier commit), writers of different sites do not wait
  for each other. While it waits the :class:`cipco.db.WritePolicy` listeners are told once, and
  after the policy's limit it raises :class:`DatabaseBusy` with the same sentence as on SQLite.
- A unit of work that reads is a REPEATABLE READ, READ ONLY transaction: one snapshot.
- Every write unit of work queues ``NOTIFY cipco_changes, '<site>'``; PostgreSQL delivers it
  only if the transaction commits. The payload is the site code and nothing else (any login
  can LISTEN on any channel and notifications bypass row-level security).
  :class:`NotifyWatcher` answers the same "did anyone change it?" question as SQLite's
  ``PRAGMA data_version`` watcher, from the notifications that arrived (no table is polled).
"""

from __future__ import annotations

import time
import zlib
from typing import Any

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import QueuePool

from cipco.config import SERVER_SCHEMES, ServerDb, is_server_url
from cipco.dberrors import DatabaseBusy, DatabasePathError

__all__ = ["ServerDb", "is_server_url"]

CHANNEL = "cipco_changes"
LOCK_CLASS = 0x43495043  # "CIPC": the first key of every cipco advisory lock
DRIVER = "postgresql+psycopg"


def server_url(text: str) -> URL:
    """The SQLAlchemy URL for ``text`` with cipco's driver (psycopg 3)."""
    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabasePathError(
            "the server address is not a valid postgresql:// URL "
            "(e.g. postgresql://login@host/cipco)"
        ) from None
    if url.get_backend_name() not in SERVER_SCHEMES:
        raise DatabasePathError("the server address must start with postgresql://")
    if not url.database:
        raise DatabasePathError("the server address names no database (postgresql://…/NAME)")
    return url.set(drivername=DRIVER)


def display(url: URL | str) -> str:
    """The URL as it may be printed: the password hidden."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return "the server"
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def site_lock_key(site: str) -> int:
    """The second key of ``site``'s write lock (a signed 32-bit number)."""
    value = zlib.crc32(site.encode("utf-8"))
    return value - (1 << 32) if value >= 1 << 31 else value


def is_server(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


# ---------------------------------------------------------------- units of work


def begin_read(conn: Connection) -> None:
    conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def begin_write(conn: Connection, site: str, policy: Any) -> None:
    """Take ``site``'s write lock, waiting as ``policy`` (a :class:`cipco.db.WritePolicy`)
    says, and queue the "site changed" notification (sent only if this commits).

    Uncontended, one ``pg_try_advisory_xact_lock``. Otherwise a blocking
    ``pg_advisory_xact_lock`` (writers queue in order); a timer tells the policy's listeners
    after :data:`BUSY_STEP_SECONDS`, and at the policy's limit cancels the wait, which becomes
    :class:`DatabaseBusy` (the transaction is rolled back: nothing was written yet).
    """
    key = site_lock_key(site)
    lock = f"{LOCK_CLASS}, {key}"
    got = conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({lock})").scalar()
    if not got:
        _wait_for_lock(conn, lock, site, policy)
    conn.exec_driver_sql(
        "SELECT pg_notify(%(channel)s, %(site)s)", {"channel": CHANNEL, "site": site}
    )


def _wait_for_lock(conn: Connection, lock: str, site: str, policy: Any) -> None:
    import threading

    from cipco.db import BUSY_STEP_SECONDS, WaitEvent, busy_message

    name = _lock_name(conn, site)
    started = time.monotonic()
    told = threading.Event()
    gave_up = threading.Event()
    driver = conn.connection.driver_connection

    def tell_waiting() -> None:
        told.set()
        policy.tell(WaitEvent("waiting", name, time.monotonic() - started, policy.seconds))

    def give_up() -> None:
        gave_up.set()
        driver.cancel()  # type: ignore[union-attr]

    timers = [
        threading.Timer(min(BUSY_STEP_SECONDS, policy.seconds), tell_waiting),
        threading.Timer(policy.seconds, give_up),
    ]
    for timer in timers:
        timer.daemon = True
        timer.start()
    try:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({lock})")
    except DBAPIError:
        if gave_up.is_set():
            policy.tell(WaitEvent("gave_up", name, time.monotonic() - started, policy.seconds))
            raise DatabaseBusy(busy_message(name, policy.seconds)) from None
        raise
    finally:
        for timer in timers:
            timer.cancel()
    if told.is_set():
        policy.tell(WaitEvent("resumed", name, time.monotonic() - started, policy.seconds))


def _lock_name(conn: Connection, site: str) -> Any:
    from pathlib import Path

    database = conn.engine.url.database or "cipco"
    return Path(f"{database} (site {site})" if site else database)


def make_server_engine(url: str | URL) -> Engine:
    """An engine on the server at ``url``; the caller adds cipco's execution options."""
    target = server_url(url) if isinstance(url, str) else url
    engine = create_engine(
        target,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_pre_ping=True,  # a server restarted overnight: the next unit of work reconnects
        hide_parameters=True,
        connect_args={"application_name": "cipco", "connect_timeout": 10},
    )
    return engine


# ---------------------------------------------------------------- change notifications


class NotifyWatcher:
    """Tells whether a unit of work that writes ``sites`` (any site: None) committed since the
    last look, from the server's notifications on :data:`CHANNEL`.

    Holds one connection of its own in autocommit, LISTENing; :meth:`changed` reads the
    notifications already delivered to it without waiting (no query runs, nothing is polled
    on the server). Keep one watcher per process and call :meth:`changed` from a timer.
    """

    def __init__(self, engine: Engine, sites: frozenset[str] | None = None) -> None:
        import psycopg

        self._sites = sites
        url = engine.url.set(drivername="postgresql")
        self._conn = psycopg.connect(
            url.render_as_string(hide_password=False),
            autocommit=True,
            application_name="cipco-watch",
        )
        self._conn.execute(f"LISTEN {CHANNEL}")

    def changed(self) -> bool:
        found = False
        for note in self._conn.notifies(timeout=0, stop_after=None):
            if self._sites is None or note.payload in self._sites:
                found = True
        return found

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a change (tests and scripts, not the app)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            for note in self._conn.notifies(timeout=left, stop_after=1):
                if self._sites is None or note.payload in self._sites:
                    return True

    def close(self) -> None:
        self._conn.close()
