"""The extraction stage run over the store: stored raw pages → main text, on every core.

Spiders extract while they crawl (:func:`skillenai.crawler.parsing.pages.documents_from_page`), one page at
a time inside Scrapy's single thread. The store keeps each fetched page (``documents.raw``,
zlib-compressed), so extraction can be re-run without re-crawling, after an extractor
upgrade or a fix, with the same function and so the same text as in the crawl, but in a
process pool: pages go to the workers compressed, in chunks; the parent writes what
changed in batches, one transaction each.

A changed text gets a new ``content_hash`` and ``seq`` and its ``classified_at`` cleared,
as a re-crawl that found new text would, so ``export --since`` and the classify stage pick
it up (:mod:`skillenai.store.extraction` reads the pages and writes the changes). A page that cannot be decompressed or yields no main text is reported and left as
it was; the pages around it are still re-extracted.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from skillenai.core import interrupt
from skillenai.core.dates import lenient_datetime
from skillenai.core.record import clean_line, clean_text
from skillenai.core.workers import map_as_completed, usable_cores
from skillenai.store.extraction import (
    EXTRACTED_FIELDS,
    extracted_fields,
    stored_page_rowids,
    stored_pages,
    update_extracted,
)

logger = logging.getLogger(__name__)

CHUNK = 32     # pages a worker gets at a time: few enough to balance, many enough to amortise pickling
BATCH = 500    # changed documents written per transaction


@dataclass
class ReextractReport:
    documents: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "changed": self.changed, "unchanged": self.unchanged,
                "failed": self.failed, "errors": self.errors[:20]}


def extract_stored(doc_id: str, url: str, raw: bytes, structured: bool, kind: str,
                   spider: str | None = None) -> dict[str, Any]:
    """One stored page → the fields the crawl would have stored, or ``{"error": ...}``.

    Pages the crawl read from structured data (``structured``) give their first posting's
    title and description; the others their trafilatura main text and metadata, which
    the spiders store as an article's author and date or a posting's date posted; the
    metadata is read for the kinds of page ``spider`` reads it for (``METADATA_KINDS``).
    """
    from skillenai.crawler.parsing.pages import METADATA_KINDS, documents_from_page

    try:
        body = zlib.decompress(raw)
    except (zlib.error, TypeError) as exc:
        return {"id": doc_id, "error": f"raw body cannot be decompressed ({exc})"}
    try:
        found = documents_from_page(body, url, with_location=False, kind_of=lambda *_: kind,
                                    metadata_kinds=METADATA_KINDS.get(spider))
    except Exception as exc:  # a hostile page must not stop the stage
        return {"id": doc_id, "error": f"extraction failed ({type(exc).__name__}: {exc})"}
    if structured and found.postings:
        fields = found.postings[0]
        return {"id": doc_id, "title": clean_line(fields.get("title")), "text": clean_text(fields.get("text") or ""),
                "extraction": found.extraction}
    page = found.unstructured
    if page is None or not page.get("text"):
        return {"id": doc_id, "error": "no main text found"}
    result = {"id": doc_id, "title": clean_line(page.get("title")), "text": clean_text(page["text"]),
              "lang": clean_line(page.get("lang")), "extraction": found.extraction}
    if kind == "posting":
        result["published_at"] = lenient_datetime(page.get("date_posted"))
    else:
        result["author"] = clean_line(page.get("author"))
        result["published_at"] = lenient_datetime(page.get("published_at"))
    return result


def _extract_chunk(chunk: list[tuple]) -> list[dict[str, Any]]:
    return [extract_stored(*row) for row in chunk]


def _rows(db, rowids: list[int], size: int) -> Iterator[list[tuple]]:
    """Chunks of (id, url, raw, structured, kind, spider) read by rowid, so writes in between
    are safe and only the pages in flight are in memory."""
    for start in range(0, len(rowids), size):
        yield stored_pages(db, rowids[start:start + size])


def _warm_up() -> None:
    """Import the extractor and read the language model once, before workers fork."""
    import trafilatura  # noqa: F401

    import skillenai.crawler.parsing.pages  # noqa: F401
    from skillenai.classify.language import detect_language

    detect_language("A sentence long enough for the language model to be loaded once.")


def reextract_store(db, *, workers: int | None = None, all_documents: bool = False,
                    kinds: tuple[str, ...] | None = None, chunk: int = CHUNK, batch: int = BATCH,
                    progress: Callable[[int, int], None] | None = None) -> ReextractReport:
    """Re-extract stored pages and write the documents whose text or metadata changed.

    By default the pages that went through trafilatura (articles, pages without structured
    data); with ``all_documents`` every stored HTML page. ``workers`` processes (default:
    the usable cores; 1 runs in this process).
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    if workers is None:
        workers = usable_cores()
    report = ReextractReport()
    rowids = stored_page_rowids(db, all_documents=all_documents, kinds=kinds)
    total = len(rowids)
    pending: list[dict[str, Any]] = []

    def take(results: list[dict[str, Any]]) -> None:
        for result in results:
            report.documents += 1
            if "error" in result:
                report.failed += 1
                message = f"{result['id']}: {result['error']}"
                report.errors.append(message)
                logger.warning("re-extraction skipped %s", message)
            else:
                pending.append(result)
        if len(pending) >= batch:
            _write(db, pending, report)
        if progress:
            progress(report.documents, total)
        if interrupt.received() is not None:
            _write(db, pending, report)  # what was extracted is kept
            interrupt.check()

    if total <= chunk:
        workers = 1
    if workers > 1:
        _warm_up()
    if progress:
        progress(0, total)
    for results in map_as_completed(_extract_chunk, _rows(db, rowids, chunk), workers):
        take(results)
    _write(db, pending, report)
    return report


def _write(db, results: list[dict[str, Any]], report: ReextractReport) -> None:
    """Store the results that differ from what is stored; keep stored values the page no
    longer yields (a feed's title or author, found only at crawl time)."""
    if not results:
        return
    stored = extracted_fields(db, [r["id"] for r in results])
    changes = []
    for result in results:
        before = stored.get(result["id"])
        if before is None:
            continue  # deleted meanwhile
        after = {k: (result.get(k) if result.get(k) is not None else before[k]) for k in EXTRACTED_FIELDS}
        if after == before:
            report.unchanged += 1
            continue
        report.changed += 1
        changes.append((result["id"], after))
    update_extracted(db, changes)
    results.clear()
