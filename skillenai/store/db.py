"""Opening the SQLite store: connection settings, schema migrations, write transactions.

Every entry point opens the store through :func:`open_db`, so a store is always at the
latest schema, in WAL mode (readers never block the writer) and waits for a busy writer
instead of failing at once. Every store module writes inside :func:`write_transaction`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
from pathlib import Path
from typing import Iterator

import sqlite_utils

from skillenai.store.schema import migrations

logger = logging.getLogger(__name__)

DEFAULT_DB = "skillenai.db"
BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The store cannot be opened or used; the message names the file and the cause."""


def open_db(path: str | Path = DEFAULT_DB, *, migrate: bool = True, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the store at ``path`` and bring its schema up to date.

    ``":memory:"`` gives a private in-memory store, for tests. With ``readonly=True`` the
    file must exist and is opened through a read-only URI; no migration is applied.
    """
    path = str(path)
    try:
        if readonly:
            if not Path(path).exists():
                raise StoreError(f"store {path!r} does not exist")
            conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, check_same_thread=False)
        else:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = sqlite_utils.Database(conn)
        if not readonly:
            if path != ":memory:":
                db.enable_wal()
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            if migrate:
                migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot open store {path!r}: {exc}") from exc
    return db


def set_busy_timeout(db: sqlite_utils.Database, seconds: float | None = None) -> None:
    """How long ``db`` waits for another connection's lock before "database is locked"
    (``None``: the default, ``BUSY_TIMEOUT_MS``)."""
    ms = BUSY_TIMEOUT_MS if seconds is None else max(1, int(seconds * 1000))
    db.conn.execute(f"PRAGMA busy_timeout = {ms}")


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taking the write lock up front.

    ``BEGIN IMMEDIATE`` makes a second writer wait (busy timeout) at the start instead
    of failing when it tries to upgrade a read lock half-way through.
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.execute("COMMIT")
