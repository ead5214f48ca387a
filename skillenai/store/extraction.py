"""The pages kept in the store (``documents.raw``) for re-extraction, and the text it
writes back.

A changed text gets a new ``content_hash`` and ``seq`` and its ``classified_at`` cleared,
as a re-crawl that found new text would, so ``export --since`` and the classify stage
pick it up.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from skillenai.core.record import content_hash
from skillenai.store.db import write_transaction

# The document fields re-extraction may change.
EXTRACTED_FIELDS = ("title", "text", "lang", "author", "published_at", "extraction")


def stored_page_rowids(db: sqlite_utils.Database, *, all_documents: bool = False,
                       kinds: tuple[str, ...] | None = None) -> list[int]:
    """Rowids of the documents with a kept HTML page, in rowid order: those whose text
    came through trafilatura, or every one with ``all_documents``; of ``kinds`` only,
    when given."""
    where = ["raw IS NOT NULL", "COALESCE(raw_type, 'html') = 'html'"]
    params: list[Any] = []
    if not all_documents:
        where.append("extraction = 'trafilatura'")
    if kinds:
        where.append(f"kind IN ({', '.join('?' * len(kinds))})")
        params.extend(kinds)
    return [row[0] for row in db.execute(f"SELECT rowid FROM documents WHERE {' AND '.join(where)} ORDER BY rowid",
                                         params)]


def stored_pages(db: sqlite_utils.Database, rowids: list[int]) -> list[tuple[str, str, bytes, bool, str, str | None]]:
    """(id, url, raw, structured, kind, spider) of the documents ``rowids``, in rowid order;
    ``raw`` compressed as stored, ``structured`` when the text came from structured data."""
    return [(doc_id, url, raw, bool(structured), kind, spider)
            for doc_id, url, raw, structured, kind, spider in db.execute(
                "SELECT id, url, raw, COALESCE(extraction, '') != 'trafilatura', kind, spider FROM documents "
                f"WHERE rowid IN ({', '.join('?' * len(rowids))}) ORDER BY rowid", rowids)]


def extracted_fields(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The :data:`EXTRACTED_FIELDS` stored for the documents ``ids`` (those that exist)."""
    stored: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for row in db.execute(f"SELECT id, {', '.join(EXTRACTED_FIELDS)} FROM documents "
                              f"WHERE id IN ({', '.join('?' * len(part))})", part):
            stored[row[0]] = dict(zip(EXTRACTED_FIELDS, row[1:]))
    return stored


def update_extracted(db: sqlite_utils.Database, changes: list[tuple[str, dict[str, Any]]]) -> None:
    """Store re-extracted fields ((id, every one of :data:`EXTRACTED_FIELDS`) each), in one
    transaction: each document gets a new ``seq`` and content hash and is to be tagged again."""
    if not changes:
        return
    with write_transaction(db):
        conn = db.conn
        next_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM documents").fetchone()[0] + 1
        for doc_id, fields in changes:
            conn.execute(
                "UPDATE documents SET title = ?, text = ?, lang = ?, author = ?, published_at = ?, extraction = ?, "
                "content_hash = ?, seq = ?, classified_at = NULL WHERE id = ?",
                [fields[k] for k in EXTRACTED_FIELDS] + [content_hash(fields["text"]) if fields["text"] else None,
                                                         next_seq, doc_id],
            )
            next_seq += 1
