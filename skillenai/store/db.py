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
from urllib.parse import quote

import sqlite_utils

from skillenai.store.schema import migrations

logger = logging.getLogger(__name__)

DEFAULT_DB = "skillenai.db"
BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The store cannot be opened or used; the message names the file and the cause."""


class NotAStore(StoreError):
    """The file is not a store (another SQLite database, an empty file, not SQLite at all):
    trying again will not change that."""


def read_only_uri(path: str | Path) -> str:
    """The URI that opens the file at ``path`` read-only, its name escaped: a ``#``, ``?``
    or ``%`` in it would otherwise end the path or be read as an escape ('a#b.db' opened
    'a')."""
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro"


def check_store(path: str | Path, *, empty_ok: bool = False) -> None:
    """Raise :class:`NotAStore` unless the file at ``path`` is a store (an SQLite file
    with the store's migrations), or, with ``empty_ok``, a file with no tables yet (an
    empty file) that a store may be made in, or one another connection is making a store
    in right now (sqlite-utils' empty migrations table, the first migration not yet
    committed: several spiders of one crawl open a new store at once). Looked at
    read-only: nothing is written to a file that is not a store."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open store {str(path)!r}: {exc}") from None
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        ours = "_sqlite_migrations" in tables and conn.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", [migrations.name]).fetchone()
        being_made = tables == {"_sqlite_migrations"} and not conn.execute(
            "SELECT 1 FROM _sqlite_migrations LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:  # "file is not a database"
        raise NotAStore(f"{str(path)!r} is not a store: {exc}") from None
    finally:
        conn.close()
    if ours or (empty_ok and (not tables or being_made)):
        return
    shown = ", ".join(sorted(tables)[:3]) + (", …" if len(tables) > 3 else "")
    what = "an empty file" if not tables else f"an SQLite database of another kind: tables {shown}"
    raise NotAStore(f"{str(path)!r} is not a store ({what}); nothing was written to it")


def open_db(path: str | Path = DEFAULT_DB, *, migrate: bool = True, readonly: bool = False,
            existing: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the store at ``path`` and bring its schema up to date.

    ``":memory:"`` gives a private in-memory store, for tests. A file that holds tables
    but is not a store is refused (:class:`StoreError`) before anything is written to it.
    With ``existing=True`` (the commands that read a store) the file must be a store
    already; with ``readonly=True`` too, and it is opened through a read-only URI, with no
    migration applied.
    """
    path = str(path)
    try:
        if path != ":memory:" and (readonly or existing or Path(path).exists()):
            if not Path(path).exists():
                raise StoreError(f"store {path!r} does not exist")
            check_store(path, empty_ok=not (readonly or existing))
        if readonly:
            conn = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
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
