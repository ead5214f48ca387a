"""Checks after every crawl: did each source yield, and is what it yielded usable?

Run over crawl runs just finished (their Scrapy stats in ``crawl_runs`` and the documents
they stored or re-saw): by :class:`MonitorExtension` as each spider of a ``scrapy crawl``
or Scrapyd job closes, and by ``skillenai crawl`` and ``skillenai daily`` over all their
spiders' runs at once (they switch the extension off, ``SKILLENAI_MONITOR_ON_CLOSE``), with
thresholds from the settings:

- ``SKILLENAI_MONITOR_MIN_ITEMS``: documents per source of the seeds file;
- ``SKILLENAI_MONITOR_MAX_ERROR_RATE``: failed fetches per request, per spider;
- ``SKILLENAI_MONITOR_MAX_DROP_RATE``: dropped items per item, per spider;
- ``SKILLENAI_MONITOR_MIN_FIELD_COVERAGE``: share of a spider's postings with a location,
  a date, a description (``{"location": 0.5, ...}``; a field left out is not checked);
- ``SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS``: unusable rows of the sources file the crawl
  skipped (default 0: a sources file with a bad row fails, so its author hears of it).

A failed check names the spider, the source where it applies, the setting, the actual
value and the limit. What the checks found is kept with each run (``crawl_runs.monitors``),
and when one fails a JSON notification is POSTed to ``SKILLENAI_MONITOR_WEBHOOK``
(:mod:`skillenai.crawler.webhook`).
"""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from skillenai.crawler import signals as our_signals
from skillenai.crawler import webhook
from skillenai.crawler.seeds import SeedFileError, read_seeds
from skillenai.store.report import COVERAGE_FIELDS, run_documents, run_postings
from skillenai.store.runs import bad_seed_rows, crawl_runs, record_monitors

logger = logging.getLogger(__name__)


@dataclass
class Check:
    # min_items | max_error_rate | max_drop_rate | min_field_coverage | max_bad_seed_rows | finished | settings
    monitor: str
    spider: str
    source: str | None
    setting: str
    actual: float
    limit: float
    passed: bool
    detail: str = ""
    run_id: int | None = None  # the crawl run checked; None for the sources file, which every run read

    def message(self) -> str:
        where = f"{self.spider} source {self.source!r}" if self.source else self.spider
        verdict = "ok" if self.passed else "FAILED"
        if self.monitor == "finished":
            return f"monitor {verdict}: {where}: the run ended {self.detail!r}, must end 'finished'"
        if self.monitor == "settings":
            return f"monitor {verdict}: {where}: the monitors could not run: {self.detail}"
        op = ">=" if self.monitor.startswith("min") else "<="
        fmt = "{:g}" if self.monitor in ("min_items", "max_bad_seed_rows") else "{:.3f}"
        return (f"monitor {verdict}: {where}: {self.detail or self.monitor} {fmt.format(self.actual)}, "
                f"must be {op} {fmt.format(self.limit)} ({self.setting})")


def run_monitors(db, run_ids: list[int], settings) -> list[Check]:
    """Every check over the crawl runs ``run_ids``; see :attr:`Check.passed`."""
    if not run_ids:
        return []
    runs = crawl_runs(db, run_ids)
    min_items, max_errors, max_drops, coverage = thresholds(settings)
    checks: list[Check] = []
    for run in runs:
        run_id, spider, dropped = run["id"], run["spider"], run["items_dropped"]
        stats = json.loads(run["stats"] or "{}")
        for source in _expected_sources(spider, json.loads(run["args"] or "{}"), settings):
            items = run_documents(db, run_id, spider, source)
            checks.append(Check("min_items", spider, source, "SKILLENAI_MONITOR_MIN_ITEMS", items, min_items,
                                items >= min_items, "documents", run_id))
        requests = stats.get("downloader/request_count", 0)
        failed = stats.get("skillenai/skipped/fetch_failed", 0)
        if requests:
            rate = failed / requests
            checks.append(Check("max_error_rate", spider, None, "SKILLENAI_MONITOR_MAX_ERROR_RATE", rate, max_errors,
                                rate <= max_errors, f"failed fetches {failed} of {requests} requests, rate", run_id))
        seen = stats.get("skillenai/items/posting", 0) + stats.get("skillenai/items/article", 0) + \
            stats.get("skillenai/items/other", 0) + stats.get("skillenai/incremental/unchanged_documents", 0)
        if seen + dropped:
            rate = dropped / (seen + dropped)
            checks.append(Check("max_drop_rate", spider, None, "SKILLENAI_MONITOR_MAX_DROP_RATE", rate, max_drops,
                                rate <= max_drops, f"dropped items {dropped} of {seen + dropped}, rate", run_id))
        postings = run_postings(db, run_id)
        for field, limit in sorted(coverage.items()):
            if not postings:
                break
            having = run_postings(db, run_id, having=field)
            share = having / postings
            checks.append(Check("min_field_coverage", spider, None, f"SKILLENAI_MONITOR_MIN_FIELD_COVERAGE[{field}]",
                                share, limit, share >= limit, f"postings with a {field} {having} of {postings}, share",
                                run_id))
    bad_rows = bad_seed_rows(db, run_ids)
    max_bad = settings.getint("SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS", 0)
    first = f" (the first: {bad_rows[0]})" if bad_rows else ""
    checks.append(Check("max_bad_seed_rows", "sources file", None, "SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS",
                        len(bad_rows), max_bad, len(bad_rows) <= max_bad, f"unusable rows skipped{first}"))
    return checks


def thresholds(settings) -> tuple[int, float, float, dict[str, float]]:
    """The monitors' thresholds from ``settings``; :class:`ValueError` naming the setting
    that is unusable."""
    try:
        min_items = settings.getint("SKILLENAI_MONITOR_MIN_ITEMS", 1)
        max_errors = settings.getfloat("SKILLENAI_MONITOR_MAX_ERROR_RATE", 0.2)
        max_drops = settings.getfloat("SKILLENAI_MONITOR_MAX_DROP_RATE", 0.1)
        settings.getint("SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS", 0)
    except ValueError as exc:
        raise ValueError(f"a SKILLENAI_MONITOR_* setting is not a number: {exc}") from None
    try:
        coverage = {k: float(v) for k, v in settings.getdict("SKILLENAI_MONITOR_MIN_FIELD_COVERAGE").items()}
    except (TypeError, ValueError):
        raise ValueError("SKILLENAI_MONITOR_MIN_FIELD_COVERAGE: expected an object of field: share, "
                         f"got {settings.get('SKILLENAI_MONITOR_MIN_FIELD_COVERAGE')!r}") from None
    unknown = sorted(set(coverage) - set(COVERAGE_FIELDS))
    if unknown:
        raise ValueError(f"SKILLENAI_MONITOR_MIN_FIELD_COVERAGE: unknown field(s) {', '.join(unknown)}; "
                         f"known: {', '.join(COVERAGE_FIELDS)}")
    return min_items, max_errors, max_drops, coverage


def _expected_sources(spider: str, args: dict, settings) -> list[str]:
    """The sources a run was asked to crawl: one from the command line, else the seeds file's."""
    if args.get("source") or args.get("target"):
        return [args.get("source") or args.get("target")]
    path = args.get("seeds") or settings.get("SKILLENAI_SEEDS")
    try:
        seeds, _problems = read_seeds(Path(path), spider=spider)
    except SeedFileError:
        return []  # the crawl itself reported the unusable file
    return list(dict.fromkeys(seed.source for seed in seeds))


def report(checks: list[Check], out) -> bool:
    """Print the failed checks (all of them with a verdict line); True when all passed."""
    failed = [c for c in checks if not c.passed]
    for check in failed:
        print(check.message(), file=out)
    print(f"monitors: {len(checks) - len(failed)} of {len(checks)} checks passed", file=out)
    return not failed


def as_json(checks: list[Check]) -> dict:
    return {"checks": len(checks), "failed": [asdict(c) for c in checks if not c.passed]}


def finished_check(spider: str, run_id: int | None, reason: str) -> Check:
    """The run ended as a run should (Scrapy's close reason ``finished``): a spider closed
    early, by an unreadable sources file or a ``CLOSESPIDER_*`` limit, fails."""
    ok = reason == "finished"
    return Check("finished", spider, None, "", float(ok), 1.0, ok, reason, run_id)


def settings_check(spider: str, run_id: int | None, problem: str) -> Check:
    """A failed check for monitors that could not run: their settings are unusable."""
    return Check("settings", spider, None, "SKILLENAI_MONITOR_*", 0.0, 1.0, False, problem, run_id)


def record(db, run_ids: list[int], checks: list[Check]) -> None:
    """Keep with each run (``crawl_runs.monitors``) its own checks and the sources file's."""
    for run_id in run_ids:
        record_monitors(db, run_id, as_json([c for c in checks if c.run_id in (run_id, None)]))


def notification(checks: list[Check], run_ids: list[int], store: str | None) -> dict[str, Any] | None:
    """The webhook's JSON body when a check failed (``None`` when all passed): ``text``
    for a person, the failed checks with their settings, values and limits for a program."""
    failed = [c for c in checks if not c.passed]
    if not failed:
        return None
    spiders = sorted({c.spider for c in checks if c.spider != "sources file"})
    host = socket.gethostname()
    head = (f"Skillenai crawl of {', '.join(spiders) or 'no spider'} on {host}: "
            f"{len(failed)} of {len(checks)} monitor checks failed")
    return {"event": "monitors_failed", "text": "\n".join([head, *(c.message() for c in failed)]),
            "host": host, "store": store, "spiders": spiders, "runs": run_ids, **as_json(checks)}


def notify(settings, payload: dict[str, Any] | None) -> str | None:
    """POST ``payload`` to ``SKILLENAI_MONITOR_WEBHOOK`` when both are given (blocking:
    for the command line, or a thread). Returns a line saying what went wrong, or ``None``."""
    url = settings.get("SKILLENAI_MONITOR_WEBHOOK")
    if not payload or not url:
        return None
    try:
        webhook.check_url(url)
        webhook.post(url, payload, timeout=settings.getfloat("SKILLENAI_MONITOR_WEBHOOK_TIMEOUT", 10.0))
    except (ValueError, webhook.WebhookError) as exc:
        return str(exc)
    return None


class MonitorExtension:
    """The monitors inside Scrapy, for ``scrapy crawl`` and Scrapyd: when the store
    pipeline has recorded a spider's run (:data:`skillenai.crawler.signals.run_recorded`),
    its checks run, their result is kept with the run, each failure is logged as an error,
    the crawler's stats count them (``skillenai/monitors/checks``, ``.../failed``: the
    project's ``crawl`` command exits with status 1 when one failed) and the webhook is
    notified on a thread. A run stopped by a signal is not checked. Off with
    ``SKILLENAI_MONITOR_ON_CLOSE = False`` (``skillenai crawl`` and ``daily`` check all their
    runs together)."""

    def __init__(self, crawler):
        self.crawler = crawler
        try:
            thresholds(crawler.settings)
            if crawler.settings.get("SKILLENAI_MONITOR_WEBHOOK"):
                webhook.check_url(crawler.settings.get("SKILLENAI_MONITOR_WEBHOOK"))
        except ValueError as exc:
            # Said now, in one line, and again as a failed check when the run ends.
            logger.error("monitors: %s", exc)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("SKILLENAI_MONITOR_ON_CLOSE", True):
            raise NotConfigured("SKILLENAI_MONITOR_ON_CLOSE is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.run_recorded, signal=our_signals.run_recorded)
        return extension

    async def run_recorded(self, spider, run_id: int, reason: str, db, store: str | None = None) -> None:
        if reason == "shutdown":
            return  # stopped by SIGINT or SIGTERM: the checks would only say it was cut short
        settings = self.crawler.settings
        checks = [finished_check(spider.name, run_id, reason)]
        try:
            checks += run_monitors(db, [run_id], settings)
        except ValueError as exc:
            checks.append(settings_check(spider.name, run_id, str(exc)))
        record(db, [run_id], checks)
        failed = [c for c in checks if not c.passed]
        stats = self.crawler.stats
        stats.set_value("skillenai/monitors/checks", len(checks))
        stats.set_value("skillenai/monitors/failed", len(failed))
        for check in failed:
            logger.error("%s", check.message())
        logger.info("monitors: %d of %d checks passed", len(checks) - len(failed), len(checks))
        payload = notification(checks, [run_id], store)
        if payload is None or not settings.get("SKILLENAI_MONITOR_WEBHOOK"):
            return
        # The POST blocks: it runs on a thread, and the engine waits for it before it stops.
        problem = await maybe_deferred_to_future(deferToThread(notify, settings, payload))
        if problem:
            logger.error("monitors: %s", problem)
        else:
            self.crawler.stats.set_value("skillenai/monitors/notified", 1)
            logger.info("monitors: notified %s", self.crawler.settings.get("SKILLENAI_MONITOR_WEBHOOK"))
