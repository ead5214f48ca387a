"""Incremental re-crawls: conditional requests, unchanged content skipped, closed postings.

``IncrementalMiddleware`` (a downloader middleware) works on the requests a spider marks
with ``meta["incremental"]``: ``"board"`` for an ATS board that lists every posting of a
source in one response, ``"page"`` for a career-site posting page.

- It sends the validators the last fetch of the URL returned (``If-None-Match``,
  ``If-Modified-Since``; table ``http_validators``). A 304, or a 200 whose body hashes to
  what was fetched before, is not parsed again: the documents it gave last time keep
  their content and only their ``last_seen`` moves (for a board: every open posting of
  the source). The request ends in :class:`NotModified`, which spiders' errbacks ignore.
- It notes, per source, whether every request of the source succeeded (a posting page
  answering 404 or 410 is a taken-down posting, not a failure). When the spider finishes
  (not when it is stopped), the open postings of each fully fetched source that were not
  seen since the crawl started get ``closed_at`` = the run's date
  (``SKILLENAI_RUN_DATE``, default today). A posting seen again is reopened by the store.

With ``JOBDIR``, the crawl's start and the sources' state live in the spider's state, so
a crawl stopped gracefully and resumed closes against the start of the first attempt. A
killed job saved no state, and its seen requests are filtered on resume: such a run
closes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from skillenai.core.record import apply_origin_map
from skillenai.crawler import signals as our_signals
from skillenai.store.db import open_db, utc_now, write_transaction
from skillenai.store.http_validators import load_validators, save_validators
from skillenai.store.lifecycle import close_missing_postings, mark_pages_seen, mark_source_seen

logger = logging.getLogger(__name__)

_TAKEN_DOWN = (404, 410)


class NotModified(IgnoreRequest):
    """The resource has not changed since the last crawl; its documents were re-seen."""


class IncrementalMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("SKILLENAI_INCREMENTAL", True):
            raise NotConfigured("SKILLENAI_INCREMENTAL is off")
        if settings.get("SKILLENAI_REDIS_URL"):
            raise NotConfigured("distributed mode: workers keep no store")
        if os.environ.get("SCRAPY_CHECK"):
            # `scrapy check` discards what callbacks return: nothing was stored, so nothing is
            # seen, remembered or closed.
            raise NotConfigured("scrapy check: contracts store nothing")
        self.db_path = settings.get("SKILLENAI_DB")
        if not self.db_path:
            raise NotConfigured("SKILLENAI_DB is empty: no store to keep validators in")
        self.crawler = crawler
        self.origin_map = dict(settings.getdict("SKILLENAI_ORIGIN_MAP"))
        # A mirror writes its own origin into bodies: hash them with the public one.
        # One pass over a body for all origins (a replace per origin was a scan per site
        # of the sample web, each page); the longest first, so no origin is cut short.
        self.body_origins = {local.encode(): public.encode() for local, public in self.origin_map.items()}
        self.body_origin_pattern = re.compile(b"|".join(
            re.escape(local) for local in sorted(self.body_origins, key=len, reverse=True))) if self.body_origins else None
        self.run_date = settings.get("SKILLENAI_RUN_DATE") or dt.datetime.now(dt.timezone.utc).date().isoformat()
        dt.date.fromisoformat(self.run_date)  # a bad date fails here, before any request
        self.validators: dict[str, tuple] = {}
        self.fetched: dict[str, tuple] = {}
        self.checked: list[str] = []
        self.seen_boards: set[tuple[str, str]] = set()
        self.seen_pages: set[str] = set()
        self.state: dict = {}
        self.opened = False
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.documents_lost, signal=our_signals.documents_lost)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # lifecycle ------------------------------------------------------------------------------

    def spider_opened(self, spider):
        self.opened = True
        # spider.state exists with JOBDIR (Scrapy's SpiderState), and survives a restart.
        persisted = getattr(spider, "state", None)
        self.state = persisted.setdefault("incremental", {}) if isinstance(persisted, dict) else {}
        if killed_job(self.crawler.settings.get("JOBDIR")):
            # The job ran on after its state was last saved: it was killed, its queue is
            # lost and the requests it made are filtered as seen, so missing postings prove nothing.
            logger.warning("%s resumes a killed job (%s): no posting is closed in this run",
                           spider.name, self.crawler.settings.get("JOBDIR"))
            self.state["killed"] = True
        self.state.setdefault("since", utc_now())
        self.state.setdefault("sources", set())
        self.state.setdefault("failed", set())
        db = open_db(self.db_path)
        try:
            self.validators = load_validators(db, spider.name)
        finally:
            db.close()

    def spider_closed(self, spider, reason):
        if not self.opened:  # the spider never ran (its store could not be opened): nothing to record
            return
        now = utc_now()
        stats = self.crawler.stats
        db = open_db(self.db_path)
        try:
            # One transaction: sightings, validators and closed postings land together or not at all.
            with write_transaction(db):
                run_id = getattr(spider, "crawl_run_id", None)
                bumped = sum(mark_source_seen(db, spider_name, source, now, run_id)
                             for spider_name, source in sorted(self.seen_boards))
                bumped += mark_pages_seen(db, spider.name, sorted(self.seen_pages), now, run_id)
                stats.inc_value("skillenai/incremental/unchanged_documents", bumped)
                save_validators(db, spider.name, self.fetched, self.checked, now)
                if reason == "finished" and not self.state.get("killed"):
                    self._close_missing(db, spider.name)
                else:
                    logger.info("%s stopped (%s): no posting is closed", spider.name, reason)
        finally:
            db.close()

    def documents_lost(self, spider, records):
        """Forget what was fetched to make documents the store would not take: their page
        (by URL), or where no page has their URL (a board's postings), every response of
        their source; the next crawl fetches and parses them again."""
        urls = set()
        for r in records:
            urls.update(u for u in (r.get("url"), r.get("canonical_url")) if u)
        sources = {r.get("source") for r in records if r.get("url") not in self.fetched} - {None}
        forgotten = [url for url, (source, *_rest) in self.fetched.items() if url in urls or source in sources]
        for url in forgotten:
            del self.fetched[url]
        self.checked = [url for url in self.checked if url not in urls]
        self.crawler.stats.inc_value("skillenai/incremental/forgotten", len(forgotten))

    def _close_missing(self, db, spider_name: str) -> None:
        sources, failed = self.state["sources"], self.state["failed"]
        closed = sum(close_missing_postings(db, spider_name, source, self.state["since"], self.run_date)
                     for source in sorted(sources - failed))
        for source in sorted(failed & sources):
            logger.warning("%s source %r was not fetched in full: none of its postings is closed",
                           spider_name, source)
        stats = self.crawler.stats
        stats.set_value("skillenai/incremental/closed", closed)
        stats.set_value("skillenai/incremental/sources_complete", len(sources - failed))
        stats.set_value("skillenai/incremental/sources_incomplete", len(sources & failed))

    # requests ------------------------------------------------------------------------------

    def _public(self, url: str) -> str:
        return apply_origin_map(url, self.origin_map)

    def process_request(self, request, spider=None):
        seed = request.cb_kwargs.get("seed")
        if seed is not None:
            self.state["sources"].add(seed.source)
        if request.meta.get("incremental"):
            known = self.validators.get(self._public(request.url))
            if known is not None:
                etag, modified, _digest = known
                if etag and b"If-None-Match" not in request.headers:
                    request.headers[b"If-None-Match"] = etag
                if modified and b"If-Modified-Since" not in request.headers:
                    request.headers[b"If-Modified-Since"] = modified
        return None

    def process_response(self, request, response, spider=None):
        kind = request.meta.get("incremental")
        seed = request.cb_kwargs.get("seed")
        status = response.status
        if kind and status == 304:
            self._unchanged(request, kind, seed, "not_modified")
        # meta["has_fallback"]: a request whose failure another request makes good (Workable's
        # v3 listing, which the v1 widget replaces), so the source is still fetched in full.
        if (status >= 400 and seed is not None and not (kind == "page" and status in _TAKEN_DOWN)
                and not request.meta.get("has_fallback")):
            self.state["failed"].add(seed.source)
        if kind and status == 200:
            public = self._public(request.url)
            body = response.body
            if self.body_origin_pattern is not None:
                body = self.body_origin_pattern.sub(lambda match: self.body_origins[match.group(0)], body)
            digest = hashlib.sha1(body).hexdigest()
            known = self.validators.get(public)
            if known is not None and known[2] == digest:
                self._unchanged(request, kind, seed, "same_content")
            header = response.headers.get
            self.fetched[public] = (
                getattr(seed, "source", None),
                (header(b"ETag") or b"").decode("latin-1") or None,
                (header(b"Last-Modified") or b"").decode("latin-1") or None,
                digest,
            )
        return response

    def process_exception(self, request, exception, spider=None):
        seed = request.cb_kwargs.get("seed")
        if seed is not None and not isinstance(exception, IgnoreRequest):
            self.state["failed"].add(seed.source)
        return None

    def _unchanged(self, request, kind: str, seed, how: str):
        public = self._public(request.url)
        if kind == "board" and seed is not None:
            self.seen_boards.add((self.crawler.spider.name, seed.source))
        else:
            self.seen_pages.add(public)
        self.checked.append(public)
        self.crawler.stats.inc_value(f"skillenai/incremental/{how}")
        raise NotModified(f"{how}: {public}")


def killed_job(jobdir: str | None) -> bool:
    """A job directory whose seen requests are newer than its saved spider state.

    A graceful stop closes the request filter, then saves the state (Scrapy's SpiderState,
    on spider_closed); a kill leaves requests seen after the last save, or no state at all.
    """
    if not jobdir:
        return False
    seen, state = Path(jobdir) / "requests.seen", Path(jobdir) / "spider.state"
    if not seen.exists() or seen.stat().st_size == 0:
        return False
    return not state.exists() or seen.stat().st_mtime_ns > state.stat().st_mtime_ns
