"""Writing documents into the store: batched upserts that keep first/last-seen history.

A document is inserted once (``first_seen``); every later sighting moves ``last_seen``;
a change of title or text replaces the content, gives the document a new ``seq`` (so
``export --since`` hands it out again) and clears ``classified_at`` (so the classify
stage tags it again). Unchanged re-crawls add no rows. A posting stored is listed again:
it is reopened if it was closed (:mod:`skillenai.store.lifecycle`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Iterable

import sqlite_utils

from skillenai.core.record import DOCUMENT_FIELDS, POSTING_FIELDS
from skillenai.store.db import utc_now, write_transaction
from skillenai.store.lifecycle import reopen_postings

# Every field of the record (skillenai.core.record.Document) is a column: of documents, or
# for posting fields of postings; under its own name but for these.
STORED_AS = {"locations": "locations_json"}  # JSON text
# The columns the store fills itself, from no field of the record, and who fills them.
STORE_COLUMNS = {
    "documents": {
        "id": "normalize_record: from canonical_url",
        "content_hash": "normalize_record: from the text",
        "first_seen": "upsert_documents", "last_seen": "upsert_documents and skillenai.store.lifecycle",
        "crawl_run_id": "upsert_documents and skillenai.store.lifecycle", "seq": "upsert_documents",
        "cluster_id": "dedupe", "is_canonical": "dedupe", "job_group": "dedupe", "classified_at": "the classify stage",
    },
    "postings": {
        "document_id": "upsert_documents", "closed_at": "skillenai.store.lifecycle",
        "workplace": "the classify stage, from stated_workplace, the location and the text",
        "remote_scope": "the classify stage",
    },
}
_DOCUMENT_COLUMNS = ("id", *DOCUMENT_FIELDS, "content_hash")
_POSTING_COLUMNS = tuple(STORED_AS.get(name, name) for name in POSTING_FIELDS)
# A job's identity, kept when a later copy of the same URL does not give it (an
# aggregator's copy of an employer's posting carries its job id but not its requisition
# id): dedupe links the postings of one requisition through it.
_KEPT_IDS = frozenset({"external_id", "requisition_id"})


@dataclass
class UpsertCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def add(self, other: "UpsertCounts") -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged


def upsert_documents(
    db: sqlite_utils.Database,
    records: Iterable[dict[str, Any]],
    *,
    run_id: int | None = None,
    now: str | None = None,
) -> UpsertCounts:
    """Store normalised records (see :func:`skillenai.core.record.normalize_record`) in one transaction."""
    now = now or utc_now()
    records = list(records)
    counts = UpsertCounts()
    if not records:
        return counts
    with write_transaction(db):
        conn = db.conn
        # The last record wins when one batch holds the same document twice.
        by_id = {r["id"]: r for r in _with_kept_ids(conn, records)}
        existing = _existing(conn, list(by_id))
        next_seq = (conn.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0]) + 1
        for doc_id, record in by_id.items():
            before = existing.get(doc_id)
            if before is None:
                _insert(conn, record, run_id, now, next_seq)
                next_seq += 1
                counts.new += 1
            elif before != (record["content_hash"], record["title"], record["kind"]):
                _replace(conn, record, run_id, now, next_seq)
                next_seq += 1
                counts.changed += 1
            else:
                conn.execute(
                    "UPDATE documents SET last_seen = ?, crawl_run_id = ?, "
                    "raw = COALESCE(?, raw) WHERE id = ?",
                    (now, run_id, record["raw"], doc_id),
                )
                counts.unchanged += 1
            if record["kind"] == "posting":
                _upsert_posting(conn, record)
        # A posting stored or re-seen is listed again.
        reopen_postings(db, [doc_id for doc_id, record in by_id.items() if record["kind"] == "posting"])
    return counts


def _with_kept_ids(conn: sqlite3.Connection, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records, those whose canonical URL names a document stored under another id
    (``document_ids``: stored before URLs were spelt by w3lib, migration m019) given that id."""
    kept = dict(_rows_in(conn, "SELECT canonical_url, id FROM document_ids WHERE canonical_url IN ({marks})",
                         [r["canonical_url"] for r in records]))
    if not kept:
        return records
    return [dict(r, id=kept[r["canonical_url"]]) if r["canonical_url"] in kept else r for r in records]


def _existing(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple]:
    rows = _rows_in(conn, "SELECT id, content_hash, title, kind FROM documents WHERE id IN ({marks})", ids)
    return {row[0]: tuple(row[1:]) for row in rows}


def _rows_in(conn: sqlite3.Connection, sql: str, values: list) -> Iterable[tuple]:
    """The rows of ``sql``, whose ``{marks}`` is an ``IN`` list, for all ``values``, 500 at a time."""
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        yield from conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)


def _insert(conn: sqlite3.Connection, record: dict, run_id: int | None, now: str, seq: int) -> None:
    columns = _DOCUMENT_COLUMNS + ("first_seen", "last_seen", "crawl_run_id", "seq")
    values = [record[c] for c in _DOCUMENT_COLUMNS] + [now, now, run_id, seq]
    conn.execute(
        f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        values,
    )


def _replace(conn: sqlite3.Connection, record: dict, run_id: int | None, now: str, seq: int) -> None:
    updated = [c for c in _DOCUMENT_COLUMNS if c != "id"]
    assignments = ", ".join(f"{c} = ?" for c in updated)
    conn.execute(
        f"UPDATE documents SET {assignments}, last_seen = ?, crawl_run_id = ?, seq = ?, "
        "classified_at = NULL WHERE id = ?",
        [record[c] for c in updated] + [now, run_id, seq, record["id"]],
    )


def _upsert_posting(conn: sqlite3.Connection, record: dict) -> None:
    row = dict(record)
    locations = row.get("locations")
    row["locations_json"] = json.dumps(locations, ensure_ascii=False, sort_keys=True) if locations else None
    columns = ("document_id",) + _POSTING_COLUMNS
    values = [record["id"]] + [row.get(c) for c in _POSTING_COLUMNS]
    updates = ", ".join(f"{c} = COALESCE(excluded.{c}, {c})" if c in _KEPT_IDS else f"{c} = excluded.{c}"
                        for c in _POSTING_COLUMNS)
    conn.execute(
        f"INSERT INTO postings ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT (document_id) DO UPDATE SET {updates}",
        values,
    )
