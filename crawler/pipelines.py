"""Item pipelines: validate and normalise, then store in batches.

``NormalizePipeline`` turns a :class:`~crawler.items.DocumentItem` into a store record
(:func:`store.records.normalize_record`), dropping what cannot be stored with the reason
counted in the crawl stats. ``StorePipeline`` writes records to SQLite in batches inside
one crawl run, whose record (counts, Scrapy stats, outcome) it keeps up to date.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from crawler import signals as our_signals
from crawler.items import DocumentItem
from store.db import open_db
from store.documents import UpsertCounts, finish_run, record_issues, start_run, upsert_documents
from store.records import InvalidRecord, apply_origin_map, normalize_record

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
        # The spiders' own item is flat: its fields as they are, without ItemAdapter's deep
        # copy of every value (a tenth of the crawl's item cost, and the page body is bytes).
        fields = dict(vars(item)) if type(item) is DocumentItem else ItemAdapter(item).asdict()
        if not self.keep_raw:
            fields["raw"] = None
        try:
            record = normalize_record(fields, origin_map=self.origin_map)
        except InvalidRecord as exc:
            self.crawler.stats.inc_value(f"skillenai/dropped/{exc.field}")
            raise DropItem(f"invalid {exc}") from None
        self.crawler.stats.inc_value(f"skillenai/items/{record['kind']}")
        return record


class StorePipeline:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.db_path = settings.get("SKILLENAI_DB")
        if not self.db_path:
            raise NotConfigured("SKILLENAI_DB is empty: no store to write to")
        self.batch_size = max(1, settings.getint("SKILLENAI_STORE_BATCH", 200))
        self.db = None
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

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.db = open_db(self.db_path)
        self.run_id = start_run(self.db, spider.name, getattr(spider, "run_args", None))
        spider.crawl_run_id = self.run_id

    def process_item(self, item, spider=None):
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self):
        if self.buffer:
            batch, self.buffer = self.buffer, []
            counts = upsert_documents(self.db, batch, run_id=self.run_id)
            self.counts.add(counts)
            stats = self.crawler.stats
            stats.inc_value("skillenai/stored/new", counts.new)
            stats.inc_value("skillenai/stored/changed", counts.changed)
            stats.inc_value("skillenai/stored/unchanged", counts.unchanged)
        if self.issues:
            issues, self.issues = self.issues, []
            record_issues(self.db, issues)

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
            self.flush()

    def spider_closed(self, spider, reason):
        if self.db is None:
            return
        self.flush()
        stats = self.crawler.stats.get_stats()
        errors = sum(v for k, v in stats.items() if k.startswith("log_count/ERROR"))
        outcome = reason if reason != "finished" or not errors else "finished_with_errors"
        finish_run(self.db, self.run_id, outcome=outcome, counts=self.counts, dropped=self.dropped, stats=stats)
        self.db.close()
        self.db = None
