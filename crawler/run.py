"""Running spiders in this process and summarising what they stored.

Used by ``skillenai crawl`` and ``skillenai demo``: every chosen spider runs at once in
one Scrapy process (one reactor), each with its own crawl-run record in the store.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.seeds import SPIDERS

logger = logging.getLogger(__name__)


@dataclass
class CrawlResult:
    seconds: float
    stats: dict[str, dict[str, Any]]  # spider name → Scrapy stats


def project_settings(overrides: dict[str, Any] | None = None):
    settings = get_project_settings()
    if "SPIDER_MODULES" not in settings or not settings.getlist("SPIDER_MODULES"):
        # Outside the repository root (no scrapy.cfg): use the package's settings module.
        settings.setmodule("crawler.settings", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_spiders(spiders: list[str] | None = None, overrides: dict[str, Any] | None = None,
                spider_args: dict[str, Any] | None = None) -> CrawlResult:
    """Run ``spiders`` (default: all five) to completion; returns their stats."""
    names = spiders or list(SPIDERS)
    unknown = [n for n in names if n not in SPIDERS]
    if unknown:
        raise ValueError(f"unknown spider(s) {', '.join(unknown)}; known: {', '.join(SPIDERS)}")
    process = CrawlerProcess(project_settings(overrides))
    crawlers = []
    for name in names:
        crawler = process.create_crawler(name)
        crawlers.append(crawler)
        process.crawl(crawler, **(spider_args or {}))
    started = time.monotonic()
    process.start()
    return CrawlResult(time.monotonic() - started,
                       {c.spider.name if c.spider else n: c.stats.get_stats() for c, n in zip(crawlers, names)})
