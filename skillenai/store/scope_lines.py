"""Which documents of a boilerplate scope carry each line not yet learned as boilerplate.

``scope_lines`` holds one row per (scope, unit hash, ``minhashes`` row) for every unit of
a document's ``minhashes.lines`` that is not its scope's boilerplate
(``boilerplate_lines`` of that scope), with the document's title key and number of
units. Dedupe keeps it as it writes ``minhashes`` rows, so learning a day's boilerplate
reads the rows of the day's lines only, and finding the documents a newly learned line
takes a large share of reads the rows of the learned lines only, instead of every
document of each scope the day touches. Scopes and title keys are stored once each
(``boilerplate_scopes``, ``title_keys``) and referred to by number.

:func:`fill` builds the table from ``minhashes`` (migration m026, stores written without
it).
"""

from __future__ import annotations

import sqlite3
from typing import Iterable, Sequence

import numpy as np

LINES_DTYPE = np.dtype("<u8")
# Documents whose rows are built in memory at once while filling (a few KB each).
FILL_DOCUMENTS = 40_000
_INSERT_ROWS = 100_000
_CHUNK = 500

# Which table holds the numbers of which keys.
KEY_TABLES = {"scope": "boilerplate_scopes", "title_key": "title_keys"}


def key_ids(conn: sqlite3.Connection, column: str, values: Iterable[str]) -> dict[str, int]:
    """The numbers of ``values`` (scopes or title keys, ``column``), new ones numbered."""
    table = KEY_TABLES[column]
    wanted = sorted(set(values))
    out: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        conn.executemany(f"INSERT OR IGNORE INTO {table} ({column}) VALUES (?)", [(v,) for v in chunk])
        out.update(conn.execute(f"SELECT {column}, id FROM {table} WHERE {column} IN "
                                f"({','.join('?' * len(chunk))})", chunk).fetchall())
    return out


def add(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, int, int, int]]) -> None:
    """Rows ``(scope_id, line_hash, minhash_id, title_id, line_count)``, the hash signed."""
    conn.executemany("INSERT OR REPLACE INTO scope_lines (scope_id, line_hash, minhash_id, title_id, line_count) "
                     "VALUES (?, ?, ?, ?, ?)", rows)


def remove(conn: sqlite3.Connection, keys: Iterable[tuple[int, int, int]]) -> None:
    """Rows by ``(scope_id, line_hash, minhash_id)``."""
    conn.executemany("DELETE FROM scope_lines WHERE scope_id = ? AND line_hash = ? AND minhash_id = ?", keys)


def remove_lines(conn: sqlite3.Connection, scope_id: int, line_hashes: Sequence[int]) -> None:
    """Every row of these lines of one scope (learned: nobody asks for them again)."""
    conn.executemany("DELETE FROM scope_lines WHERE scope_id = ? AND line_hash = ?",
                     [(scope_id, h) for h in line_hashes])


def signed(hashes: np.ndarray) -> np.ndarray:
    """Unsigned 64-bit hashes as SQLite stores them (signed INTEGER)."""
    return hashes.astype(LINES_DTYPE).view("<i8")


def fill(conn: sqlite3.Connection, log=None) -> int:
    """(Re)build ``scope_lines`` and its key tables from every ``minhashes`` row; returns
    the rows written. Scopes are read a group at a time, in key order, so memory holds
    one group and rows are appended to the table in its order."""
    conn.execute("DELETE FROM scope_lines")
    sizes = conn.execute("SELECT scope, COUNT(*) FROM minhashes GROUP BY scope ORDER BY scope").fetchall()
    if not sizes:
        return 0
    scope_ids = key_ids(conn, "scope", [s for s, _ in sizes])
    title_ids = key_ids(conn, "title_key", [t for (t,) in conn.execute("SELECT DISTINCT title_key FROM minhashes")])
    learned: dict[int, list[int]] = {}
    for scope, h in conn.execute("SELECT scope, line_hash FROM boilerplate_lines WHERE scope <> '*'"):
        if scope in scope_ids:
            learned.setdefault(scope_ids[scope], []).append(h)
    # Scope ids follow the sorted scopes only in a fresh table: group in id order.
    sizes.sort(key=lambda r: scope_ids[r[0]])
    written = 0
    group: list[str] = []
    held = 0
    for position, (scope, documents) in enumerate(sizes):
        group.append(scope)
        held += documents
        if held < FILL_DOCUMENTS and position + 1 < len(sizes):
            continue
        written += _fill_group(conn, group, scope_ids, title_ids, learned)
        if log:
            log(f"scope_lines: {position + 1:,} of {len(sizes):,} scopes, {written:,} rows")
        group, held = [], 0
    return written


def _pairs(scope_ids: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """(scope id, line) pairs as single comparable values."""
    pairs = np.empty(len(lines), dtype=[("scope", "<i8"), ("line", "<i8")])
    pairs["scope"], pairs["line"] = scope_ids, lines
    return pairs.view("V16")


def _fill_group(conn: sqlite3.Connection, scopes: list[str], scope_ids: dict[str, int], title_ids: dict[str, int],
                learned: dict[int, list[int]]) -> int:
    blobs, meta = [], []
    for start in range(0, len(scopes), _CHUNK):
        chunk = scopes[start:start + _CHUNK]
        for minhash_id, scope, title_key, blob in conn.execute(
                f"SELECT id, scope, title_key, lines FROM minhashes WHERE scope IN ({','.join('?' * len(chunk))})",
                chunk):
            if blob:
                blobs.append(blob)
                meta.append((scope_ids[scope], minhash_id, title_ids[title_key], len(blob) // LINES_DTYPE.itemsize))
    if not blobs:
        return 0
    lines = np.frombuffer(b"".join(blobs), dtype=LINES_DTYPE).view("<i8")
    del blobs
    counts = np.array([m[3] for m in meta])
    sid, mid, tid = (np.repeat(np.array([m[i] for m in meta], dtype=np.int64), counts) for i in range(3))
    n_lines = np.repeat(counts, counts)
    own = sorted({s for s, *_ in meta} & learned.keys())
    if own:
        known = np.concatenate([np.array(learned[s], dtype="<i8") for s in own])
        known_sid = np.repeat(np.array(own, dtype=np.int64), [len(learned[s]) for s in own])
        keep = ~np.isin(_pairs(sid, lines), _pairs(known_sid, known))
        sid, lines, mid, tid, n_lines = sid[keep], lines[keep], mid[keep], tid[keep], n_lines[keep]
    columns = [sid, lines, mid, tid, n_lines]
    order = np.lexsort((mid, lines, sid))
    for start in range(0, len(order), _INSERT_ROWS):
        at = order[start:start + _INSERT_ROWS]
        add(conn, zip(*(c[at].tolist() for c in columns)))
    return len(order)
