"""Item pipelines: validate and normalise, then store in batches.

``NormalizePipeline`` turns a :class:`~skillenai.core.record.Document` into a store record
(:func:`skillenai.core.record.normalize_record`), dropping what cannot be stored with the reason
counted in the crawl stats. ``StorePipeline`` writes records to SQLite in batches inside
one crawl run, whose record (counts, Scrapy stats, outcome) it keeps up to date.

The batches are written on a thread of their own (:class:`StoreWriter`): SQLite lets go
of the GIL while it inserts rows and indexes their text for search, which was a tenth of
the crawl's thread, so the reactor goes on fetching and handing out pages meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from skillenai.core.record import Document, InvalidRecord, apply_origin_map, normalize_record
from skillenai.crawler import signals as our_signals
from skillenai.store.db import NotAStore, StoreError, open_db, set_busy_timeout
from skillenai.store.documents import UpsertCounts, upsert_documents
from skillenai.store.runs import finish_run, record_issues, start_run

logger = logging.getLogger(__name__)


class NormalizePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.origin_map = dict(crawler.settings.getdict("SKILLENAI_ORIGIN_MAP"))
        self.keep_raw = crawler.settings.getbool("SKILLENAI_KEEP_RAW", True)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        # The spiders' own item is read in place, without ItemAdapter's deep copy of every
        # value (a tenth of the crawl's item cost, and the page body is bytes); an item of
        # another type is read through ItemAdapter.
        document = item if isinstance(item, Document) else ItemAdapter(item).asdict()
        if not self.keep_raw:
            if isinstance(document, Document):
                document.raw = None
            else:
                document["raw"] = None
        try:
            record = normalize_record(document, origin_map=self.origin_map)
        except InvalidRecord as exc:
            self.crawler.stats.inc_value(f"skillenai/dropped/{exc.field}")
            raise DropItem(f"invalid {exc}") from None
        self.crawler.stats.inc_value(f"skillenai/items/{record['kind']}")
        return record


class StoreWriter(threading.Thread):
    """Writes batches of records and crawl issues to the store, in the order given.

    One thread per crawl run, the only user of the store's connection while it runs.
    ``written`` holds the counts of each batch stored, for the reactor's thread to add to
    the crawl stats. A batch that fails is not given up whole: while the store is locked
    or busy it is tried again (``retries`` times, ``retry_wait`` seconds apart); any other
    error splits it in halves until the documents that cannot be stored stand alone, so one
    bad document never takes its neighbours down. Those go to ``lost`` as ``(record,
    error)``, for the reactor's thread to report (and to keep their pages' validators out of
    the store, so the next crawl fetches them again).
    """

    def __init__(self, db, run_id: int | None, backlog: int = 4, retries: int = 2, retry_wait: float = 5.0):
        super().__init__(name="skillenai-store-writer", daemon=True)
        self.db = db
        self.run_id = run_id
        self.retries = max(0, retries)
        self.retry_wait = max(0.0, retry_wait)
        # Bounded: a store slower than the crawl holds the reactor back instead of memory.
        self.tasks: queue.Queue = queue.Queue(maxsize=backlog)
        self.written: queue.SimpleQueue = queue.SimpleQueue()
        self.lost: queue.SimpleQueue = queue.SimpleQueue()

    def documents(self, records: list[dict]) -> None:
        self.tasks.put(("documents", records))

    def issues(self, issues: list[tuple]) -> None:
        self.tasks.put(("issues", issues))

    def drain(self) -> None:
        """Wait until everything queued is written."""
        self.tasks.join()

    def stop(self) -> None:
        """Write what is queued, then end the thread."""
        self.tasks.put(None)
        self.join()

    def run(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                self.tasks.task_done()
                return
            what, rows = task
            try:
                if what == "documents":
                    self.written.put(self._store(rows))
                else:
                    self._retrying(record_issues, rows)
            except Exception as exc:
                # Issues are the crawl's own notes, not documents: logged and left.
                logger.error("storing %d crawl issues failed: %s: %s", len(rows), type(exc).__name__, exc)
            finally:
                self.tasks.task_done()

    def _retrying(self, write, rows):
        """``write(db, rows)``, tried again while the store is locked or busy."""
        for attempt in range(self.retries + 1):
            try:
                return write(self.db, rows)
            except sqlite3.OperationalError as exc:
                if attempt == self.retries or not _busy(exc):
                    raise
                logger.warning("the store is busy (%s); writing %d rows again in %.0f s", exc, len(rows),
                               self.retry_wait)
                time.sleep(self.retry_wait)

    def _upsert(self, db, rows):
        return upsert_documents(db, rows, run_id=self.run_id)

    def _store(self, rows: list[dict]) -> UpsertCounts:
        try:
            return self._retrying(self._upsert, rows)
        except sqlite3.OperationalError as exc:
            if _busy(exc):  # still locked: splitting would only wait longer
                for row in rows:
                    self.lost.put((row, f"{type(exc).__name__}: {exc}"))
                return UpsertCounts()
            error = exc
        except Exception as exc:
            error = exc
        if len(rows) == 1:
            self.lost.put((rows[0], f"{type(error).__name__}: {error}"))
            return UpsertCounts()
        counts = UpsertCounts()
        half = len(rows) // 2
        for part in (rows[:half], rows[half:]):
            counts.add(self._store(part))
        return counts


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class StoreUnavailable(RuntimeError):
    """The store could not be opened for a crawl run within ``SKILLENAI_STORE_OPEN_WAIT``."""


class StorePipeline:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.db_path = settings.get("SKILLENAI_DB")
        if not self.db_path:
            raise NotConfigured("SKILLENAI_DB is empty: no store to write to")
        self.batch_size = max(1, settings.getint("SKILLENAI_STORE_BATCH", 200))
        self.retries = settings.getint("SKILLENAI_STORE_RETRIES", 2)
        self.retry_wait = settings.getfloat("SKILLENAI_STORE_RETRY_WAIT", 5.0)
        self.open_wait = max(0.0, settings.getfloat("SKILLENAI_STORE_OPEN_WAIT", 120.0))
        self.lost = 0
        self.db = None
        self.writer: StoreWriter | None = None
        self.run_id = None
        self.buffer: list[dict] = []
        self.issues: list[tuple] = []
        self.counts = UpsertCounts()
        self.dropped = 0
        self.origin_map = dict(settings.getdict("SKILLENAI_ORIGIN_MAP"))
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.input_skipped, signal=our_signals.input_skipped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def open_spider(self, spider=None):
        """Open the store and record the run, trying again while the store is locked, busy
        or cannot be written (a full disk) for up to ``SKILLENAI_STORE_OPEN_WAIT`` seconds;
        then :class:`StoreUnavailable`, and the spider does not run (``skillenai crawl``
        reports it and exits 1). The tries run on a thread: the reactor goes on meanwhile."""
        spider = spider or self.crawler.spider
        deadline = time.monotonic() + self.open_wait
        while True:
            try:
                self.db, self.run_id = await asyncio.to_thread(self._open, spider, deadline)
                break
            except (StoreError, sqlite3.OperationalError, OSError) as exc:
                left = deadline - time.monotonic()
                if isinstance(exc, NotAStore):  # waiting will not make it one
                    raise StoreUnavailable(f"the store {self.db_path} cannot be used: {exc}") from None
                if left <= 0:
                    raise StoreUnavailable(
                        f"the store {self.db_path} could not be opened for writing within {self.open_wait:g} s "
                        f"(SKILLENAI_STORE_OPEN_WAIT): {exc}") from None
                logger.warning("%s: cannot open the store %s yet (%s); trying again", spider.name, self.db_path, exc)
                await asyncio.sleep(min(2.0, left))
        spider.crawl_run_id = self.run_id
        self.writer = StoreWriter(self.db, self.run_id, retries=self.retries, retry_wait=self.retry_wait)
        self.writer.start()

    def _open(self, spider, deadline: float):
        """One try at opening the store and starting the run; a lock is waited for only
        until ``deadline``."""
        db = open_db(self.db_path)
        try:
            set_busy_timeout(db, deadline - time.monotonic())
            run_id = start_run(db, spider.name, getattr(spider, "run_args", None))
            set_busy_timeout(db)
        except BaseException:
            db.close()
            raise
        return db, run_id

    def process_item(self, item, spider=None):
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self):
        """Hand the buffered records and issues to the writer; count what it has stored."""
        if self.buffer:
            batch, self.buffer = self.buffer, []
            self.writer.documents(batch)
        if self.issues:
            issues, self.issues = self.issues, []
            self.writer.issues(issues)
        self._count_written()

    def _count_written(self):
        stats = self.crawler.stats
        lost = []
        while True:
            try:
                lost.append(self.writer.lost.get_nowait())
            except queue.Empty:
                break
        if lost:
            self._report_lost(lost)
        while True:
            try:
                counts = self.writer.written.get_nowait()
            except queue.Empty:
                return
            self.counts.add(counts)
            stats.inc_value("skillenai/stored/new", counts.new)
            stats.inc_value("skillenai/stored/changed", counts.changed)
            stats.inc_value("skillenai/stored/unchanged", counts.unchanged)

    def _report_lost(self, lost: list[tuple[dict, str]]) -> None:
        """Documents the store would not take: each logged and noted as a crawl issue by
        URL, counted, and announced (:data:`skillenai.crawler.signals.documents_lost`) so
        that what their pages were fetched with is not kept as if they were stored."""
        name = getattr(self.crawler.spider, "name", None)
        for record, error in lost:
            url = self._public(record.get("url"))
            logger.error("could not store %s: %s", url, error)
            self.issues.append((self.run_id, name, url, "store_failed", error[:500]))
        self.lost += len(lost)
        self.crawler.stats.inc_value("skillenai/stored/lost", len(lost))
        self.crawler.signals.send_catch_log(our_signals.documents_lost, spider=self.crawler.spider,
                                            records=[record for record, _ in lost])

    def item_dropped(self, item, response, exception, spider=None):
        self.dropped += 1
        url = item.get("url") if isinstance(item, dict) else getattr(item, "url", None)
        name = getattr(spider or self.crawler.spider, "name", None)
        self.issues.append((self.run_id, name, self._public(url), "dropped_item", str(exception)))

    def input_skipped(self, spider, url, reason, detail):
        self.issues.append((self.run_id, spider.name, self._public(url), reason, detail))

    def _public(self, url):
        return apply_origin_map(url, self.origin_map) if isinstance(url, str) else url

    def close_spider(self, spider=None):
        if self.db is not None:
            # Stored before the spider_closed handlers run: some read what this run stored
            # (postings it did not see are closed).
            self.flush()
            self.writer.drain()
            self._count_written()

    async def spider_closed(self, spider, reason):
        if self.db is None:
            return
        self.flush()
        self.writer.stop()
        self._count_written()
        stats = self.crawler.stats.get_stats()
        errors = sum(v for k, v in stats.items() if k.startswith("log_count/ERROR"))
        if reason == "shutdown":
            outcome = "interrupted"  # stopped by SIGINT or SIGTERM (Scrapy's reason)
        else:
            outcome = reason if reason != "finished" or not errors else "finished_with_errors"
        finish_run(self.db, self.run_id, outcome=outcome, counts=self.counts, dropped=self.dropped, stats=stats)
        db, self.db = self.db, None
        try:
            # The monitors (skillenai/crawler/monitors.py) check the run just recorded.
            await self.crawler.signals.send_catch_log_async(
                our_signals.run_recorded, spider=spider, run_id=self.run_id, reason=reason, db=db,
                store=str(self.db_path))
        finally:
            db.close()
