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
    from classify.kind import _model

    import crawler.pages  # noqa: F401

    _model()


def _discard() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


@atexit.register
def _shutdown() -> None:
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)


def parse_page(body: bytes, url: str, content_type: str) -> tuple[Any, str | None]:
    """A fetched HTML page's documents (:func:`crawler.pages.documents_from_page`) and,
    when it holds no structured posting, the kind its main text reads as."""
    from crawler.kinds import guess_kind
    from crawler.pages import documents_from_page

    found = documents_from_page(body, url, content_type)
    page = found.unstructured
    kind = guess_kind(page["title"], page["text"], url) if page is not None and not found.postings else None
    return found, kind
