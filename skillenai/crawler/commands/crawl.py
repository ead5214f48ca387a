"""``scrapy crawl``, with an exit status a scheduler can trust.

Scrapy's own command exits 0 whenever the spider could be started. This one is the same
command (every option, ``-a``, ``-s``, ``-o``) and exits with status 1 when the spider's
run failed a monitor (:class:`skillenai.crawler.monitors.MonitorExtension`) or did not
finish (closed early: an unreadable sources file, a ``CLOSESPIDER_*`` limit). Stopped by
SIGINT or SIGTERM, it exits as Scrapy's does. Scrapyd runs its jobs through it too.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl


class Command(ScrapyCrawl):
    def _create_crawler(self, spidercls):
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args, opts):
        super().run(args, opts)
        crawler = getattr(self, "crawler", None)
        if self.exitcode or crawler is None:
            return
        stats = crawler.stats
        reason = stats.get_value("finish_reason")
        failed = stats.get_value("skillenai/monitors/failed", 0)
        if failed:
            print(f"skillenai: {crawler.spider.name if crawler.spider else args[0]}: {failed} monitor "
                  f"check(s) failed (see the log; kept in crawl_runs.monitors)", file=sys.stderr)
            self.exitcode = 1
        elif reason not in ("finished", "shutdown", None):
            print(f"skillenai: {args[0]}: the spider did not finish ({reason})", file=sys.stderr)
            self.exitcode = 1
