"""``skillenai ingest``: documents from JSON Lines into the store.

Each line is one JSON object with the fields of a crawler item (``skillenai.core.record.FIELDS``);
lines written by ``skillenai export`` are accepted as they are (their store-managed fields
are ignored). A bad line is reported with its line number and skipped; the rest is kept.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import IO, Callable, Iterable

import sqlite_utils

from skillenai.core import interrupt
from skillenai.core.record import InvalidRecord, normalize_record
from skillenai.store.documents import UpsertCounts, upsert_documents

logger = logging.getLogger(__name__)

# Fields export writes that the store manages itself.
EXPORT_ONLY_FIELDS = frozenset({
    "id", "seq", "first_seen", "last_seen", "content_hash", "cluster_id", "is_canonical",
    "canonical_id", "classified_at", "crawl_run_id", "closed_at", "skills", "metros", "role",
    "remote", "hybrid", "workplace", "remote_scope",
})


@dataclass
class IngestReport:
    lines: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    skipped: int = 0
    errors: list[str] = field(default_factory=list)  # the first messages, for the summary


def ingest_lines(
    db: sqlite_utils.Database,
    lines: Iterable[str | bytes],
    *,
    name: str = "-",
    batch_size: int = 500,
    max_errors_kept: int = 1000,
    first_line: int = 1,
    progress: Callable[[int, int | None], None] | None = None,
) -> IngestReport:
    """Validate and store every good line; collect ``name:line: message`` for the bad ones.

    ``first_line`` numbers the first line, for input read in parts. ``progress(lines,
    None)`` is called after each batch is stored. A SIGINT or SIGTERM noted by
    :mod:`skillenai.core.interrupt` stops the ingest after the batch being written.
    """
    report = IngestReport()
    batch: list[dict] = []
    for number, line in enumerate(lines, start=first_line):
        report.lines += 1
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                _error(report, f"{name}:{number}: not UTF-8 ({exc.reason} at byte {exc.start})", max_errors_kept)
                continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            _error(report, f"{name}:{number}: invalid JSON ({exc})", max_errors_kept)
            continue
        except RecursionError:  # json gives up on arrays or objects nested about 1,000 deep
            _error(report, f"{name}:{number}: invalid JSON (nested too deeply)", max_errors_kept)
            continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in EXPORT_ONLY_FIELDS}
        try:
            batch.append(normalize_record(value))
        except InvalidRecord as exc:
            _error(report, f"{name}:{number}: {exc}", max_errors_kept)
            continue
        if len(batch) >= batch_size:
            report.counts.add(upsert_documents(db, batch))
            batch = []
            if progress:
                progress(report.lines, None)
            interrupt.check()
    if batch:
        report.counts.add(upsert_documents(db, batch))
    if progress:
        progress(report.lines, report.lines)
    return report


def _error(report: IngestReport, message: str, limit: int) -> None:
    logger.warning("%s", message)
    report.skipped += 1
    if len(report.errors) < limit:
        report.errors.append(message)


def ingest_file(db: sqlite_utils.Database, handle: IO[bytes], name: str) -> IngestReport:
    return ingest_lines(db, handle, name=name)
