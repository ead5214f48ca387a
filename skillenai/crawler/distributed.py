"""Distributed crawling through Redis (scrapy-redis): several processes, one crawl.

Setting ``SKILLENAI_REDIS_URL`` (or ``skillenai crawl --redis URL``) switches a crawl to
distributed mode through the :class:`RedisMode` add-on:

- requests go through a Redis queue and duplicate filter shared by every worker running
  the same spider (keys ``{SKILLENAI_REDIS_KEY}:{spider}:requests`` and ``…:dupefilter``),
  so a page is fetched by one worker only, start requests included;
- normalised items are pushed to the list ``{SKILLENAI_REDIS_KEY}:items`` as JSON Lines
  ingest accepts, and crawl runs and skipped input to ``{SKILLENAI_REDIS_KEY}:events``,
  instead of being written to SQLite; one ``skillenai ingest --redis URL`` drains both
  into the store (:func:`drain`).

- politeness is shared (:class:`SharedPoliteness`): a site's download delay and its
  concurrency hold for all workers together, not for each, and the delay AutoThrottle
  sets from one worker's responses is the one every worker waits.

A worker stops when the shared queue is empty *and* no other worker is busy: a request
another worker is downloading may still add pages to the queue. Workers announce
themselves in a hash with a heartbeat; the last one to leave clears the queue and the
duplicate filter, so the next crawl fetches everything again. A crawl whose workers all
died is not resumed but started afresh by the next worker: requests the dead ones had
taken from the queue are marked seen, and resuming would lose those pages.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

try:  # the `redis` extra; only distributed mode needs it
    from scrapy_redis.scheduler import Scheduler
except ImportError:
    Scheduler = None

from skillenai.core.record import FIELDS, decompress_raw
from skillenai.crawler import signals as our_signals
from skillenai.store.db import utc_now
from skillenai.store.documents import UpsertCounts
from skillenai.store.ingest import IngestReport, ingest_lines
from skillenai.store.runs import crawl_run_of_redis_run, finish_run, record_issues, start_run

logger = logging.getLogger(__name__)

DEFAULT_KEY = "skillenai"
_QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
# A worker beats from a thread of its own (a busy reactor cannot delay it), with Redis's
# clock (workers' clocks may differ); one silent for STALE_AFTER seconds is taken for dead.
BEAT_SECONDS = 0.5
STALE_AFTER = 5.0
_NOW = "local t = redis.call('TIME')\nlocal now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

_BEAT = _NOW + "redis.call('HSET', KEYS[1], ARGV[1], string.format('%.6f', now))"

# Whether another live worker is busy (its engine has requests in flight or queued).
_OTHERS_BUSY = _NOW + """
for _, worker in ipairs(redis.call('HKEYS', KEYS[2])) do
  if worker ~= ARGV[1] then
    local beat = redis.call('HGET', KEYS[1], worker)
    if beat and now - tonumber(beat) < tonumber(ARGV[2]) then return 1 end
  end
end
return 0
"""

# Registers a worker. With no live worker the previous crawl is over, or its workers
# died: its queue and duplicate filter are cleared and this crawl starts afresh. (A dead
# worker's in-flight requests had left the queue and were marked seen: resuming would
# lose those pages.)
_JOIN = _NOW + """
local live = 0
local beats = redis.call('HGETALL', KEYS[1])
for i = 1, #beats, 2 do
  if now - tonumber(beats[i + 1]) < tonumber(ARGV[2]) then live = live + 1
  else redis.call('HDEL', KEYS[1], beats[i]) end
end
local fresh = 0
if live == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
  fresh = 1
end
redis.call('HSET', KEYS[1], ARGV[1], string.format('%.6f', now))
return fresh
"""

# Unregisters a worker; the last one out clears the crawl's keys.
_LEAVE = _NOW + """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
local live = 0
local beats = redis.call('HGETALL', KEYS[1])
for i = 1, #beats, 2 do
  if now - tonumber(beats[i + 1]) < tonumber(ARGV[2]) then live = live + 1 end
end
if live == 0 then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  return 1
end
return 0
"""


# Politeness shared by every worker (SharedPoliteness). KEYS[1] is a download slot's hash
# (``delay``: the delay every worker keeps between two requests to it, ``next``: when the
# next may start), KEYS[2] its leases (a sorted set: lease -> when it lapses). A request
# reserves the next start time and a lease at once, so requests of all workers start at
# least ``delay`` apart in the order they asked, and at most ARGV[2] hold a lease (are
# waiting for their start or downloading). Returns {seconds to wait, delay}, or
# {-1, delay} when every lease is taken (ask again).
_RESERVE = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local delay = tonumber(redis.call('HGET', KEYS[1], 'delay') or ARGV[1])
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  return {'-1', tostring(delay)}
end
local start = math.max(now, tonumber(redis.call('HGET', KEYS[1], 'next') or 0))
redis.call('HSET', KEYS[1], 'next', string.format('%.6f', start + delay))
redis.call('ZADD', KEYS[2], start + tonumber(ARGV[3]), ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return {string.format('%.6f', start - now), tostring(delay)}
"""


def redis_keys(prefix: str) -> dict[str, str]:
    """Redis keys of one crawl namespace (``%(spider)s`` is filled in per spider)."""
    return {
        "requests": f"{prefix}:%(spider)s:requests",
        "dupefilter": f"{prefix}:%(spider)s:dupefilter",
        "workers": f"{prefix}:%(spider)s:workers",
        "busy": f"{prefix}:%(spider)s:busy",
        "politeness": f"{prefix}:politeness:%(slot)s",
        "leases": f"{prefix}:politeness:%(slot)s:leases",
        "items": f"{prefix}:items",
        "events": f"{prefix}:events",
    }


def connect(url: str):
    """A Redis client for ``url``; ``ValueError`` naming the URL when it is malformed."""
    import redis

    try:
        return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)
    except ValueError as exc:
        raise ValueError(f"bad Redis URL {url!r}: {exc}") from None


def check_reachable(url: str) -> None:
    """``ValueError`` saying why the Redis at ``url`` cannot be used (bad URL, no answer)."""
    import redis

    try:
        connect(url).ping()
    except redis.RedisError as exc:
        raise ValueError(f"cannot reach Redis at {url}: {exc}") from None


class RedisMode:
    """Scrapy add-on (``ADDONS``): with ``SKILLENAI_REDIS_URL`` set, share the scheduler
    and duplicate filter through Redis and push items there instead of into SQLite."""

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def update_settings(self, settings) -> None:
        url = settings.get("SKILLENAI_REDIS_URL")
        if not url:
            return
        if Scheduler is None:
            raise RuntimeError("SKILLENAI_REDIS_URL is set but scrapy-redis is not installed "
                               "(pip install -e '.[redis]')")
        keys = redis_keys(settings.get("SKILLENAI_REDIS_KEY") or DEFAULT_KEY)
        for name, value in {
            "REDIS_URL": url,
            "SCHEDULER": "skillenai.crawler.distributed.SharedScheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_CLASS": _QUEUE_CLASS,
            "SCHEDULER_QUEUE_KEY": keys["requests"],
            "SCHEDULER_DUPEFILTER_KEY": keys["dupefilter"],
            # SharedScheduler decides when the shared keys go (the last worker out).
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
        }.items():
            settings.set(name, value, priority="addon")
        if settings.getbool("SKILLENAI_REDIS_SHARED_POLITENESS", True):
            middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
            middlewares["skillenai.crawler.distributed.SharedPoliteness"] = 950
            settings.set("DOWNLOADER_MIDDLEWARES", middlewares,
                         priority=settings.getpriority("DOWNLOADER_MIDDLEWARES") or "addon")
            # The shared start times space the requests; a random local delay on top would
            # only bunch them up again.
            settings.set("DOWNLOAD_DELAY_JITTER", 0, priority="addon")
        pipelines = dict(settings.getdict("ITEM_PIPELINES"))
        order = pipelines.pop("skillenai.crawler.pipelines.StorePipeline", 800)
        pipelines["skillenai.crawler.distributed.RedisItemPipeline"] = order
        settings.set("ITEM_PIPELINES", pipelines, priority=settings.getpriority("ITEM_PIPELINES") or "addon")


class SharedScheduler(Scheduler or object):
    """scrapy-redis's scheduler, with start requests filtered and a coordinated stop.

    Every worker generates the same start requests; some are ``dont_filter`` (robots.txt
    fetched as a seed), so without filtering each worker would fetch them. Retries are
    never filtered. A worker reports itself busy while its engine has work; an idle
    worker stays open while the queue holds requests or another worker is busy, and
    closes once that has lasted ``SKILLENAI_REDIS_IDLE_GRACE`` seconds.
    """

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.grace = max(0.0, crawler.settings.getfloat("SKILLENAI_REDIS_IDLE_GRACE", 2.0))
        instance.prefix = crawler.settings.get("SKILLENAI_REDIS_KEY") or DEFAULT_KEY
        crawler.signals.connect(instance.spider_idle, signal=signals.spider_idle)
        return instance

    def open(self, spider):
        result = super().open(spider)
        keys = redis_keys(self.prefix)
        self.workers_key, self.busy_key = (keys[k] % {"spider": spider.name} for k in ("workers", "busy"))
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.quiet_since: float | None = None
        fresh = self.server.eval(_JOIN, 4, self.workers_key, self.queue.key, self.df.key, self.busy_key,
                                 self.worker, STALE_AFTER)
        self._stop_beating = threading.Event()
        self._beater = threading.Thread(target=self._keep_alive, name=f"redis-beat-{spider.name}", daemon=True)
        self._beater.start()
        if fresh:
            logger.info("distributed crawl of %s: a new crawl (no live worker)", spider.name)
        else:
            logger.info("distributed crawl of %s: joining (%d requests queued)", spider.name, len(self.queue))
        from twisted.internet import task

        self._beat = task.LoopingCall(self._check_busy)
        self._beat.start(BEAT_SECONDS, now=False)
        return result

    def enqueue_request(self, request):
        filtered = not request.dont_filter or (
            request.meta.get("is_start_request") and not request.meta.get("retry_times"))
        if filtered and self.df.request_seen(request):
            self.df.log(request, self.spider)
            if self.stats:
                self.stats.inc_value("dupefilter/filtered")
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _busy(self) -> bool:
        engine = self.crawler.engine
        try:
            return engine is not None and not engine.spider_is_idle()
        except (RuntimeError, AttributeError):  # still opening, or closing
            return False

    def _keep_alive(self) -> None:
        while not self._stop_beating.is_set():
            try:
                self.server.eval(_BEAT, 1, self.workers_key, self.worker)
            except Exception as exc:  # a Redis hiccup must not kill the crawl; the next beat retries
                logger.warning("distributed crawl heartbeat failed: %s", exc)
            self._stop_beating.wait(BEAT_SECONDS)

    def _check_busy(self) -> None:
        try:
            if self._busy():
                self.server.hset(self.busy_key, self.worker, 1)
            else:
                self.server.hdel(self.busy_key, self.worker)
                # An idle engine looks at the queue (pages another worker queued) and at its
                # idle condition only every 5 s by itself: wake it now.
                slot = getattr(self.crawler.engine, "_slot", None)
                if slot is not None:
                    slot.nextcall.schedule()
        except Exception as exc:  # a Redis hiccup must not kill the crawl; the next check retries
            logger.warning("distributed crawl busy check failed: %s", exc)

    def _others_busy(self) -> bool:
        return bool(self.server.eval(_OTHERS_BUSY, 2, self.workers_key, self.busy_key, self.worker, STALE_AFTER))

    def spider_idle(self, spider):
        if len(self.queue) or self._others_busy():
            self.quiet_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.quiet_since is None:
            self.quiet_since = now
        if now - self.quiet_since < self.grace:
            raise DontCloseSpider

    def close(self, reason):
        beat = getattr(self, "_beat", None)
        if beat is not None and beat.running:
            beat.stop()
        if getattr(self, "_beater", None) is not None:
            self._stop_beating.set()
            self._beater.join(timeout=5)
        cleared = self.server.eval(_LEAVE, 4, self.workers_key, self.queue.key, self.df.key, self.busy_key,
                                   self.worker, STALE_AFTER)
        if cleared:
            logger.info("distributed crawl of %s over (%s): its shared keys are cleared", self.spider.name, reason)


class SharedPoliteness:
    """Downloader middleware (distributed mode): a site's politeness kept by all workers
    together through Redis, so N workers do not give it N times the polite rate.

    Just before a request is downloaded it reserves, in Redis, the next start time of its
    download slot (the site, as Scrapy's downloader keys it) and a lease: starts of all
    workers' requests to one slot are at least the slot's delay apart, and at most
    ``CONCURRENT_REQUESTS_PER_DOMAIN`` requests hold a lease at once. The request waits
    (without blocking the reactor) until its start time; the lease is given back when
    the response or the failure arrives, and lapses by itself after
    ``DOWNLOAD_TIMEOUT`` (a worker that died keeps nothing).

    The slot's delay is ``DOWNLOAD_DELAY``, or with AutoThrottle the delay it last set from
    any worker's response: each response's worker writes its slot's delay to Redis and
    every worker's slot takes it up before its next request, so AutoThrottle goes on from
    the shared value.
    """

    def __init__(self, crawler):
        settings = crawler.settings
        url = settings.get("SKILLENAI_REDIS_URL")
        if not url or not settings.getbool("SKILLENAI_REDIS_SHARED_POLITENESS", True):
            raise NotConfigured("politeness is shared only in distributed mode")
        import redis.asyncio

        self.crawler = crawler
        self.client = redis.asyncio.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        self.reserve = self.client.register_script(_RESERVE)
        keys = redis_keys(settings.get("SKILLENAI_REDIS_KEY") or DEFAULT_KEY)
        self.state_key, self.leases_key = keys["politeness"], keys["leases"]
        self.concurrency = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        delay = settings.getfloat("DOWNLOAD_DELAY")
        if settings.getbool("AUTOTHROTTLE_ENABLED"):
            delay = max(delay, settings.getfloat("AUTOTHROTTLE_START_DELAY"))
        self.start_delay = delay  # a slot's delay before any worker has set one
        self.lease_seconds = settings.getfloat("DOWNLOAD_TIMEOUT") + 10
        # A slot's shared state lapses as its last lease would: a later crawl starts afresh.
        self.keep_seconds = int(self.lease_seconds) + 1

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _keys(self, request) -> tuple[str, str, str]:
        slot = self.crawler.engine.downloader.get_slot_key(request)
        return slot, self.state_key % {"slot": slot}, self.leases_key % {"slot": slot}

    async def process_request(self, request, spider=None):
        slot, state, leases = self._keys(request)
        lease = uuid.uuid4().hex
        waited = 0.0
        while True:
            wait, delay = (float(x) for x in await self.reserve(
                keys=[state, leases],
                args=[self.start_delay, self.concurrency, self.lease_seconds, lease, self.keep_seconds]))
            if wait >= 0:
                break
            await asyncio.sleep(min(max(delay, 0.01), 0.1))  # every lease is taken: ask again soon
            waited += min(max(delay, 0.01), 0.1)
        request.meta["skillenai_lease"] = (leases, lease)
        local = self.crawler.engine.downloader.slots.get(slot)
        if local is not None:
            local.delay = delay  # the shared delay, for AutoThrottle to go on from
        if wait > 0:
            await asyncio.sleep(wait)
        waited += wait
        if waited:
            self.crawler.stats.inc_value("skillenai/politeness/waited_ms", int(waited * 1000))
        return None

    async def process_response(self, request, response, spider=None):
        await self._release(request, publish=True)
        return response

    async def process_exception(self, request, exception, spider=None):
        await self._release(request, publish=False)
        return None

    async def _release(self, request, *, publish: bool) -> None:
        held = request.meta.pop("skillenai_lease", None)
        if held is None:
            return
        leases, lease = held
        pipe = self.client.pipeline(transaction=False)
        pipe.zrem(leases, lease)
        slot = self.crawler.engine.downloader.slots.get(request.meta.get("download_slot"))
        if publish and slot is not None and self.crawler.settings.getbool("AUTOTHROTTLE_ENABLED"):
            # AutoThrottle has set the slot's delay from this response (response_downloaded
            # comes before the middlewares see it): every worker's next request waits it.
            pipe.hset(self.state_key % {"slot": request.meta["download_slot"]}, "delay", f"{slot.delay:.6f}")
        await pipe.execute()


def item_line(record: dict[str, Any]) -> str:
    """A normalised record as an ingest line (raw body as ``base64:``)."""
    line = {k: record[k] for k in FIELDS if record.get(k) is not None}
    if record.get("raw"):
        line["raw"] = "base64:" + base64.b64encode(decompress_raw(record["raw"])).decode("ascii")
    return json.dumps(line, ensure_ascii=False, sort_keys=True)


class RedisItemPipeline:
    """Pushes normalised items to Redis and records the run and skipped input as events.

    Items are pushed in batches of ``SKILLENAI_STORE_BATCH`` (and at close), like the
    SQLite pipeline writes them.
    """

    def __init__(self, crawler):
        settings = crawler.settings
        url = settings.get("SKILLENAI_REDIS_URL")
        if not url:
            raise NotConfigured("SKILLENAI_REDIS_URL is empty")
        self.crawler = crawler
        self.client = connect(url)
        keys = redis_keys(settings.get("SKILLENAI_REDIS_KEY") or DEFAULT_KEY)
        self.items_key, self.events_key = keys["items"], keys["events"]
        self.batch_size = max(1, settings.getint("SKILLENAI_STORE_BATCH", 200))
        self.run = uuid.uuid4().hex
        self.buffer: list[str] = []
        self.events: list[str] = []
        self.pushed = 0
        self.dropped = 0
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.input_skipped, signal=our_signals.input_skipped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.spider_name = spider.name
        self._event("run_started", started=utc_now(), host=socket.gethostname(), pid=os.getpid(),
                    args=getattr(spider, "run_args", None) or {})
        self.flush()

    def process_item(self, item, spider=None):
        self.buffer.append(item_line(item))
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self):
        pipe = self.client.pipeline(transaction=False)
        if self.buffer:
            pipe.rpush(self.items_key, *self.buffer)
            self.pushed += len(self.buffer)
            self.crawler.stats.inc_value("skillenai/redis/items_pushed", len(self.buffer))
        if self.events:
            pipe.rpush(self.events_key, *self.events)
        pipe.execute()
        self.buffer, self.events = [], []

    def _event(self, kind: str, **fields) -> None:
        self.events.append(json.dumps({"event": kind, "run": self.run, "spider": self.spider_name, **fields},
                                      ensure_ascii=False, sort_keys=True, default=str))

    def item_dropped(self, item, response, exception, spider=None):
        self.dropped += 1
        url = ItemAdapter(item).get("url") if ItemAdapter.is_item(item) else None
        self._event("issue", url=self._public(url), reason="dropped_item", detail=str(exception), at=utc_now())

    def input_skipped(self, spider, url, reason, detail):
        self._event("issue", url=self._public(url), reason=reason, detail=detail, at=utc_now())

    def _public(self, url):
        from skillenai.core.record import apply_origin_map

        origin_map = dict(self.crawler.settings.getdict("SKILLENAI_ORIGIN_MAP"))
        return apply_origin_map(url, origin_map) if isinstance(url, str) else url

    def close_spider(self, spider=None):
        self.flush()

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats.get_stats()
        errors = sum(v for k, v in stats.items() if k.startswith("log_count/ERROR"))
        outcome = reason if reason != "finished" or not errors else "finished_with_errors"
        self._event("run_finished", finished=utc_now(), outcome=outcome, items=self.pushed,
                    dropped=self.dropped, stats=stats)
        self.flush()


# Draining Redis into the store ---------------------------------------------------------------

@dataclass
class DrainReport:
    items: IngestReport = field(default_factory=IngestReport)
    runs_started: int = 0
    runs_finished: int = 0
    issues: int = 0
    bad_events: int = 0
    errors: list[str] = field(default_factory=list)


def drain(db, client, prefix: str = DEFAULT_KEY, *, batch_size: int = 500, follow: bool = False,
          poll_seconds: float = 0.5, should_stop: Callable[[], bool] = lambda: False) -> DrainReport:
    """Move items and events from Redis into the store until the lists are empty.

    With ``follow`` it keeps waiting for more until ``should_stop()`` is true. Each batch
    is read, committed to SQLite, and only then trimmed from Redis: a drain killed half way
    re-reads at most one batch, which the upsert stores once. Runs only one drain per
    store: two would read the same batch.
    """
    keys = redis_keys(prefix)
    report = DrainReport()
    done = 0
    while not should_stop():
        events = client.lrange(keys["events"], 0, batch_size - 1)
        if events:
            _apply_events(db, events, report)
            client.ltrim(keys["events"], len(events), -1)
        lines = client.lrange(keys["items"], 0, batch_size - 1)
        if lines:
            part = ingest_lines(db, lines, name=f"redis {keys['items']}", batch_size=batch_size,
                                first_line=done + 1)
            client.ltrim(keys["items"], len(lines), -1)
            done += len(lines)
            _merge(report.items, part)
        if not events and not lines:
            if not follow:
                break
            time.sleep(poll_seconds)
    # Events pushed after the last item (run_finished) are picked up by this last look.
    events = client.lrange(keys["events"], 0, -1)
    if events:
        _apply_events(db, events, report)
        client.ltrim(keys["events"], len(events), -1)
    return report


def _merge(total: IngestReport, part: IngestReport) -> None:
    total.lines += part.lines
    total.counts.add(part.counts)
    total.skipped += part.skipped
    total.errors.extend(part.errors[: max(0, 1000 - len(total.errors))])


def _apply_events(db, events: list[bytes], report: DrainReport) -> None:
    issues = []
    for raw in events:
        try:
            event = json.loads(raw)
            kind, run, spider = event["event"], event["run"], event["spider"]
        except (ValueError, KeyError, TypeError) as exc:
            report.bad_events += 1
            message = f"redis events: unusable event skipped ({type(exc).__name__}: {exc}): {raw[:200]!r}"
            logger.warning("%s", message)
            report.errors.append(message)
            continue
        if kind == "run_started":
            args = dict(event.get("args") or {}, redis_run=run)
            pid = event.get("pid")
            start_run(db, spider, args, pid=pid if isinstance(pid, int) else 0, host=event.get("host"),
                      started=event.get("started"))
            report.runs_started += 1
        elif kind == "issue":
            issues.append((crawl_run_of_redis_run(db, run), spider, event.get("url"), event.get("reason") or "unknown",
                           event.get("detail")))
            report.issues += 1
        elif kind == "run_finished":
            run_id = crawl_run_of_redis_run(db, run) or start_run(db, spider, {"redis_run": run})
            counts = UpsertCounts(new=0, changed=0, unchanged=int(event.get("items") or 0))
            finish_run(db, run_id, outcome=event.get("outcome") or "finished", counts=counts,
                       dropped=int(event.get("dropped") or 0), stats=event.get("stats") or {},
                       finished=event.get("finished"))
            report.runs_finished += 1
        else:
            report.bad_events += 1
            report.errors.append(f"redis events: unknown event {kind!r} skipped")
    record_issues(db, issues)


def print_worker_summary(stats: dict[str, dict[str, Any]], seconds: float, out=None) -> None:
    """What one worker of a distributed crawl did, per spider (the store is filled by ingest)."""
    import sys

    from skillenai.store.report import format_table

    out = out or sys.stdout
    rows = [{
        "spider": name,
        "outcome": s.get("finish_reason"),
        "requests": s.get("downloader/request_count", 0),
        "pushed": s.get("skillenai/redis/items_pushed", 0),
        "dropped": s.get("item_dropped_count", 0),
        "filtered": s.get("dupefilter/filtered", 0),
        "errors": s.get("log_count/ERROR", 0),
    } for name, s in stats.items()]
    print(f"\nWorker finished in {seconds:.1f} s; items are in Redis for `skillenai ingest --redis`", file=out)
    print(format_table(rows, ["spider", "outcome", "requests", "pushed", "dropped", "filtered", "errors"]), file=out)
