"""Page parsing in worker processes, so the crawl's reactor thread fetches and stores.

Scrapy runs every callback on one thread of one core, and parsing a page (lxml, JSON-LD,
trafilatura, the document-kind model) costs more CPU than fetching it. With
``SKILLENAI_PARSE_WORKERS`` above 0, the page spiders hand each page to a pool of that many
processes and await the result, so a second core parses while the first fetches; 0
parses in the callback, as a plain Scrapy project would.

One pool serves every spider of the process (``skillenai demo`` runs five at once). Its
processes are spawned, not forked: a fork would copy the running reactor and its sockets.
They start on the first page and end with the process.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

logger = logging.getLogger(__name__)

_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_warmed = False


def _executor(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        _pool_size = workers
    return _pool


async def run_parse(workers: int, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in the pool (``workers`` > 0) or here; ``fn`` must be a module-level
    function whose arguments and result pickle (bytes, strings, dataclasses)."""
    if workers <= 0:
        return fn(*args)
    try:
        return await asyncio.wrap_future(_executor(workers).submit(fn, *args))
    except BrokenProcessPool:
        # A worker died (killed, out of memory): start a new pool for the next pages and
        # parse this one here rather than lose it.
        logger.warning("a page-parsing process died; restarting the pool")
        _discard()
        return fn(*args)


def warm_up(workers: int) -> None:
    """Start the pool and have it load what parsing needs (lxml, trafilatura, the kind
    model: seconds) while the spider is still fetching robots.txt and sitemaps. Returns at
    once; the pages queue behind it."""
    global _warmed
    if workers > 0 and not _warmed:
        _warmed = True
        _executor(workers).submit(_load_parsers)


def _load_parsers() -> None:
    """Import and load everything a page's parsing uses (about 1 s of CPU, py3langid's
    model most of it), so that the first pages do not wait on it."""
    import trafilatura.metadata  # noqa: F401

    from classify.kind import _model
    from crawler.extract import detect_language

    import crawler.pages  # noqa: F401

    _model()
    detect_language("Warming up the language model with a sentence long enough to classify.")


def _discard() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


@atexit.register
def _shutdown() -> None:
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)


def parse_page(body: bytes, url: str, content_type: str, posting_metadata: bool = True,
               keep_raw: bool = False) -> tuple[Any, str | None, bytes | None]:
    """A fetched HTML page's documents (:func:`crawler.pages.documents_from_page`), the
    kind its main text reads as when it holds no structured posting, and, with
    ``keep_raw``, the body compressed for the store.

    Postings without a structured salary get one read from their text (``salary_*``
    fields; an unstructured posting page's under ``"salary"``). All of this is CPU work
    done here so that the crawl's own thread only fetches and stores.
    ``posting_metadata``: see :func:`~crawler.pages.documents_from_page`.
    """
    from crawler.ats import salary_fields_from_text
    from crawler.kinds import guess_kind
    from crawler.pages import documents_from_page
    from store.records import compress_raw

    found = documents_from_page(body, url, content_type, kind_of=guess_kind, posting_metadata=posting_metadata)
    for fields in found.postings:
        if fields.get("salary_min") is None:
            fields.update(salary_fields_from_text(fields.get("text") or ""))
    kind = found.kind if found.unstructured is not None and not found.postings else None
    if kind == "posting":
        found.unstructured["salary"] = salary_fields_from_text(found.unstructured["text"])
    return found, kind, compress_raw(body) if keep_raw else None
