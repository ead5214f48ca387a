"""A document's sightings and a posting's open/closed state.

Storing a document (:func:`skillenai.store.documents.upsert_documents`) records when it
was first and last seen; an incremental re-crawl that finds a page or a board unchanged
moves ``last_seen`` of the documents it gave without storing them again. A posting
missing from its source's listing fetched in full is closed (``postings.closed_at`` =
the run's date); seen again, stored or re-seen unchanged, it is reopened. This module
is the only writer of ``closed_at``.
"""

from __future__ import annotations

from typing import Iterable

import sqlite_utils

from skillenai.store.db import write_transaction


def reopen_postings(db: sqlite_utils.Database, document_ids: Iterable[str]) -> int:
    """The postings ``document_ids`` are listed again: clear their ``closed_at``.
    Returns how many were closed."""
    with write_transaction(db):
        return db.conn.executemany(
            "UPDATE postings SET closed_at = NULL WHERE closed_at IS NOT NULL AND document_id = ?",
            [(doc_id,) for doc_id in document_ids]).rowcount


def mark_source_seen(db: sqlite_utils.Database, spider: str, source: str, now: str, run_id: int | None) -> int:
    """A board that lists every posting of ``source`` came back unchanged: each open posting
    of the source not seen since ``now`` is seen at ``now`` (by run ``run_id``, when given).
    Returns how many were."""
    with write_transaction(db):
        return db.conn.execute(
            "UPDATE documents SET last_seen = ?, crawl_run_id = COALESCE(?, crawl_run_id) "
            "WHERE spider = ? AND source = ? AND kind = 'posting' AND last_seen < ? AND id IN "
            "(SELECT document_id FROM postings WHERE closed_at IS NULL)",
            (now, run_id, spider, source, now)).rowcount


def mark_pages_seen(db: sqlite_utils.Database, spider: str, urls: Iterable[str], now: str,
                    run_id: int | None) -> int:
    """Pages at ``urls`` came back unchanged: the documents ``spider`` stored from them are
    seen at ``now`` (by run ``run_id``, when given) and their postings reopened (a page back
    after a 404 may be byte-identical to the last one fetched). Returns how many documents."""
    pages = [(url, spider) for url in urls]
    with write_transaction(db):
        conn = db.conn
        seen = conn.executemany(
            "UPDATE documents SET last_seen = ?, crawl_run_id = COALESCE(?, crawl_run_id) "
            "WHERE url = ? AND spider = ?", [(now, run_id, *page) for page in pages]).rowcount
        conn.executemany("UPDATE postings SET closed_at = NULL WHERE closed_at IS NOT NULL AND document_id "
                         "IN (SELECT id FROM documents WHERE url = ? AND spider = ?)", pages)
    return seen


def close_missing_postings(db: sqlite_utils.Database, spider: str, source: str, since: str, run_date: str) -> int:
    """``source`` was fetched in full by ``spider``: its open postings not seen since
    ``since`` (the crawl's start) are closed on ``run_date``. Returns how many."""
    with write_transaction(db):
        return db.conn.execute(
            "UPDATE postings SET closed_at = ? WHERE closed_at IS NULL AND document_id IN "
            "(SELECT id FROM documents WHERE spider = ? AND source = ? AND kind = 'posting' AND last_seen < ?)",
            (run_date, spider, source, since)).rowcount
