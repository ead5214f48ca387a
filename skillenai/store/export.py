"""``skillenai export``: the corpus as JSON Lines, resumable with a cursor.

Every document carries ``seq``, a number that grows whenever a document is added or its
content changes. ``export --since N`` writes the documents with ``seq > N`` in ``seq``
order; the last line's ``seq`` is the cursor for the next call, so a downstream reader
gets only what is new or changed.
"""

from __future__ import annotations

import base64
import json
from typing import IO, Iterator

import sqlite_utils

from skillenai.core import interrupt
from skillenai.core.record import decompress_raw

_COLUMNS = (
    "d.id, d.seq, d.url, d.canonical_url, d.source, d.spider, d.kind, d.title, d.text, d.lang, "
    "d.author, d.published_at, d.first_seen, d.last_seen, d.content_hash, d.extraction, "
    "COALESCE(d.cluster_id, d.id) AS canonical_id, d.is_canonical, "
    "p.external_id, p.requisition_id, p.company, p.location_raw, p.locations_json, p.employment_type, p.stated_workplace, "
    "p.workplace, p.remote_scope, "
    "p.salary_min, p.salary_max, p.salary_currency, p.salary_period, p.date_posted, "
    "p.valid_through, p.department, p.closed_at"
)


def iter_export(db: sqlite_utils.Database, since: int = 0, *, kinds: tuple[str, ...] | None = None,
                include_raw: bool = False, batch: int = 1000) -> Iterator[dict]:
    """Documents with ``seq > since``, oldest change first, as JSON-ready dicts."""
    cursor = since
    kind_filter = ""
    params: list = []
    if kinds:
        kind_filter = f" AND d.kind IN ({','.join('?' * len(kinds))})"
        params = list(kinds)
    columns = _COLUMNS + (", d.raw" if include_raw else "")
    while True:
        rows = list(db.query(
            f"SELECT {columns} FROM documents d LEFT JOIN postings p ON p.document_id = d.id "
            f"WHERE d.seq > ?{kind_filter} ORDER BY d.seq LIMIT ?",
            [cursor, *params, batch],
        ))
        if not rows:
            return
        for row in rows:
            cursor = row["seq"]
            yield _document(row, include_raw)


def _document(row: dict, include_raw: bool) -> dict:
    doc = {k: v for k, v in row.items() if v is not None and k not in ("locations_json", "raw")}
    doc["is_canonical"] = bool(row["is_canonical"])
    if row.get("locations_json"):
        doc["locations"] = json.loads(row["locations_json"])
    if include_raw and row.get("raw"):
        doc["raw"] = "base64:" + base64.b64encode(decompress_raw(row["raw"])).decode("ascii")
    return doc


def write_export(db: sqlite_utils.Database, out: IO[str], since: int = 0, **options) -> tuple[int, int]:
    """Write the export to ``out``; returns (documents written, next cursor). A SIGINT or
    SIGTERM noted by :mod:`skillenai.core.interrupt` ends it early, at a whole document:
    the cursor returned is where the next export goes on."""
    count, cursor = 0, since
    for doc in iter_export(db, since, **options):
        out.write(json.dumps(doc, ensure_ascii=False, sort_keys=True))
        out.write("\n")
        count += 1
        cursor = doc["seq"]
        if interrupt.received() is not None:
            break
    return count, cursor
