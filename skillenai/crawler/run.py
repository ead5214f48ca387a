"""Running spiders in this process and summarising what they stored.

Used by ``skillenai crawl``, ``daily`` and ``demo``: every chosen spider runs at once in
one Scrapy process (one reactor), each with its own crawl-run record in the store.

SIGINT and SIGTERM stop the crawl as Scrapy does (the first gracefully: the pages in
flight are finished and stored, a ``JOBDIR`` keeps the queue; the second at once), and
are noted through :mod:`skillenai.core.interrupt`, so the command that runs the crawl
exits with 130 or 143 and runs no further stage.
"""

from __future__ import annotations

import logging
import shutil
import signal
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.project import get_project_settings

from skillenai.core import interrupt
from skillenai.crawler.incremental import killed_job
from skillenai.crawler.parsing import parsepool
from skillenai.crawler.seeds import SPIDERS, default_spiders
from skillenai.store.db import StoreError, open_db, set_busy_timeout
from skillenai.store.runs import record_unstarted_run

logger = logging.getLogger(__name__)


@dataclass
class CrawlResult:
    seconds: float
    stats: dict[str, dict[str, Any]]  # spider name → Scrapy stats
    stopped_by: int | None = None     # SIGINT or SIGTERM when the crawl was stopped by one
    # spider name → why it did not run (its store could not be opened, say)
    not_run: dict[str, str] = field(default_factory=dict)


def project_settings(overrides: dict[str, Any] | None = None):
    settings = get_project_settings()
    if "SPIDER_MODULES" not in settings or not settings.getlist("SPIDER_MODULES"):
        # Outside the repository root (no scrapy.cfg): use the package's settings module.
        settings.setmodule("skillenai.crawler.settings", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_spiders(spiders: list[str] | None = None, overrides: dict[str, Any] | None = None,
                spider_args: dict[str, Any] | None = None, jobdir: str | None = None,
                progress: bool = False) -> CrawlResult:
    """Run ``spiders`` to completion; returns their stats. By default: the ATS, Workday,
    career-site and article spiders, and each board spider with a row in the sources file
    (:func:`skillenai.crawler.seeds.default_spiders`).

    With ``jobdir``, each spider keeps its pending requests and state in ``jobdir/NAME``
    (Scrapy's ``JOBDIR``), so a crawl stopped with Ctrl-C (once) or SIGTERM resumes where it
    was; the directory of a spider that finished is removed. With ``progress``, a line on
    stderr counts pages, items and errors as the crawl goes
    (:func:`skillenai.crawler.progress.watch`). A signal received before the crawl starts
    raises :class:`~skillenai.core.interrupt.Interrupted`.
    """
    interrupt.check()
    unknown = [n for n in spiders or () if n not in SPIDERS]
    if unknown:
        raise ValueError(f"unknown spider(s) {', '.join(unknown)}; known: {', '.join(SPIDERS)}")
    # The commands that run spiders here check all their runs together after the crawl
    # (one report, one notification), not each spider as it closes.
    settings = project_settings({"SKILLENAI_MONITOR_ON_CLOSE": False, **(overrides or {})})
    names = spiders or default_spiders(settings.get("SKILLENAI_SEEDS"))
    process = CrawlerProcess(settings)
    stop = _GracefulStop()
    crawlers = []
    not_run: dict[str, str] = {}
    for name in names:
        crawler = process.create_crawler(name)
        if jobdir:
            # One JOBDIR per spider: their queues and states must not mix.
            own = Path(jobdir) / name
            if killed_job(str(own)):
                # A killed job saved no queue: resuming would skip every page it had seen.
                logger.warning("%s: %s belongs to a killed crawl; starting afresh", name, own)
                shutil.rmtree(own, ignore_errors=True)
            crawler.settings.set("JOBDIR", str(own), priority="cmdline")
        crawlers.append(crawler)
        stop.watch(crawler)
        process.crawl(crawler, **(spider_args or {})).addErrback(_not_run, name, not_run)
    started = time.monotonic()
    if progress:
        from skillenai.crawler.progress import watch

        watch(crawlers)
    with interrupt.forward(_stop_on_signal(stop)):
        process.start(install_signal_handlers=False)
    # The reactor has stopped and cannot run again in this process: the page parsers are done.
    parsepool.shutdown()
    if jobdir:
        # A finished job's directory would filter every request of the next crawl as seen.
        for crawler, name in zip(crawlers, names):
            if crawler.stats.get_value("finish_reason") == "finished":
                shutil.rmtree(Path(jobdir) / name, ignore_errors=True)
    for name, error in not_run.items():
        logger.error("%s did not run: %s", name, error)
    if not_run and not settings.get("SKILLENAI_REDIS_URL"):
        _record_not_run(settings, not_run, spider_args)
    return CrawlResult(time.monotonic() - started,
                       {c.spider.name if c.spider else n: c.stats.get_stats() for c, n in zip(crawlers, names)},
                       interrupt.received(), not_run)


class _GracefulStop:
    """Scrapy's graceful stop of a process's crawlers, for spiders still opening too.

    ``CrawlerProcess.stop`` stops only the engines that run: a crawler whose spider is
    still opening is marked stopped, its engine starts anyway and crawls on, and when its
    spider closes the engine is never stopped (the crawler counts as stopped already), so
    the reactor runs on after every spider is done. Here a running engine is stopped at
    once, as Scrapy does, and one still opening as soon as it starts (``engine_started``),
    before it fetches anything; its spider closes with reason ``shutdown`` either way, a
    job directory keeping its queue.
    """

    def __init__(self) -> None:
        self.requested = False
        self.crawlers: list[Crawler] = []

    def watch(self, crawler: Crawler) -> None:
        """Stop ``crawler`` too (call before its crawl starts)."""
        self.crawlers.append(crawler)

        async def engine_started() -> None:
            if self.requested and crawler.crawling:
                crawler.crawling = False
                await crawler.engine.stop_async()

        # The handler is a closure: held strongly, or it would be collected at once.
        crawler.signals.connect(engine_started, signal=signals.engine_started, weak=False)

    def __call__(self) -> None:
        self.requested = True
        for crawler in self.crawlers:
            if crawler.crawling and _engine_running(crawler):
                deferred_from_coro(crawler.stop_async())


def _engine_running(crawler: Crawler) -> bool:
    try:
        return crawler.engine.running
    except RuntimeError:  # no engine yet (Scrapy's late attribute)
        return False


def _stop_on_signal(stop: _GracefulStop):
    """What a signal does during the crawl: the first stops the spiders gracefully, the
    second stops the reactor at once (Scrapy's own behaviour, with the signal noted)."""
    from twisted.internet import reactor

    def on_signal(signum: int, count: int) -> None:
        # Called in a signal handler: no logging or printing here, only the reactor's queue.
        if count == 1:
            reactor.callFromThread(_say, f"skillenai: {signal_name(signum)} received: finishing the pages in flight "
                                         "(send it again to stop at once)")
            reactor.callFromThread(stop)
        else:
            reactor.callFromThread(_say, f"skillenai: {signal_name(signum)} received again: stopping now")
            reactor.callFromThread(_stop_reactor)

    return on_signal


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _stop_reactor() -> None:
    from twisted.internet import reactor

    if reactor.running:
        reactor.stop()



def _not_run(failure, name: str, not_run: dict[str, str]) -> None:
    """A crawler whose crawl failed before it ran (an exception opening the spider)."""
    not_run[name] = failure.getErrorMessage()


def _record_not_run(settings, not_run: dict[str, str], spider_args: dict[str, Any] | None) -> None:
    """Record each spider that did not run as a ``failed_to_start`` run, so the monitors and
    the daily record see it; the store is waited for as long as a spider waits, no longer."""
    try:
        db = open_db(settings.get("SKILLENAI_DB"))
    except (StoreError, OSError) as exc:
        logger.error("the runs that did not start are not recorded: %s", exc)
        return
    try:
        set_busy_timeout(db, settings.getfloat("SKILLENAI_STORE_OPEN_WAIT", 120.0))
        for name, error in not_run.items():
            record_unstarted_run(db, name, error, spider_args)
    except sqlite3.DatabaseError as exc:
        logger.error("the runs that did not start are not recorded: %s", exc)
    finally:
        db.close()
