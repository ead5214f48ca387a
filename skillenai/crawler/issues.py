"""Reporting input a spider skips: logged once, counted in the stats, kept in the store."""

from __future__ import annotations

import re

from skillenai.crawler import signals

_REASON = re.compile(r"[^a-z0-9_]+")


def report_skipped(spider, url: str | None, reason: str, detail: str | None = None) -> None:
    """Log and count one piece of skipped input; the store pipeline records it."""
    reason = _REASON.sub("_", reason.lower()).strip("_") or "unknown"
    spider.logger.warning("skipped %s (%s)%s", url or "input", reason, f": {detail}" if detail else "")
    crawler = getattr(spider, "crawler", None)
    if crawler is None:
        return
    crawler.stats.inc_value(f"skillenai/skipped/{reason}")
    crawler.signals.send_catch_log(signals.input_skipped, spider=spider, url=url, reason=reason, detail=detail)
