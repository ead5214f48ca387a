"""What the last fetch of a URL returned (``http_validators``), so a re-crawl can ask
only for what changed: ``ETag``, ``Last-Modified`` and the hash of the body."""

from __future__ import annotations

import sqlite_utils

from skillenai.store.db import write_transaction

# url -> (etag, last_modified, content_hash)
Validators = dict[str, tuple[str | None, str | None, str]]


def load_validators(db: sqlite_utils.Database, spider: str) -> Validators:
    """The validators of every URL ``spider`` fetched."""
    rows = db.execute("SELECT url, etag, last_modified, content_hash FROM http_validators WHERE spider = ?", [spider])
    return {url: (etag, modified, digest) for url, etag, modified, digest in rows}


def save_validators(db: sqlite_utils.Database, spider: str,
                    fetched: dict[str, tuple[str | None, str | None, str | None, str]],
                    checked: list[str], now: str) -> None:
    """Record what ``spider`` fetched at ``now`` (url -> (source, etag, last_modified,
    content_hash)) and which known URLs it found unchanged (``checked``)."""
    with write_transaction(db):
        conn = db.conn
        conn.executemany(
            "INSERT INTO http_validators (url, spider, source, etag, last_modified, content_hash, "
            "fetched_at, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "spider = excluded.spider, source = excluded.source, etag = excluded.etag, "
            "last_modified = excluded.last_modified, content_hash = excluded.content_hash, "
            "fetched_at = excluded.fetched_at, checked_at = excluded.checked_at",
            [(url, spider, source, etag, modified, digest, now, now)
             for url, (source, etag, modified, digest) in fetched.items()])
        conn.executemany("UPDATE http_validators SET checked_at = ? WHERE url = ?", [(now, url) for url in checked])
