"""Log lines that name the document, not its whole body.

Scrapy's default formatter prints every scraped or dropped item in full; ours carry the
raw page, so one dropped item would flood the log. These lines give the URL and reason.

The DEBUG lines for every fetched page and stored item are not even built when
``LOG_LEVEL`` is above DEBUG: Scrapy hands each to the logging module, which makes a
record only for its handler to discard it (a few percent of a crawl's thread).
"""

from __future__ import annotations

import logging

from scrapy import logformatter


def _url(item) -> str:
    if isinstance(item, dict):
        return str(item.get("url"))
    return str(getattr(item, "url", item.__class__.__name__))


def _debug_logged(settings) -> bool:
    if not settings.getbool("LOG_ENABLED", True):
        return False
    level = settings.get("LOG_LEVEL", "DEBUG")
    if isinstance(level, str):
        level = logging.getLevelName(level.strip().upper())
    return not isinstance(level, int) or level <= logging.DEBUG


class SkillenaiLogFormatter(logformatter.LogFormatter):
    def __init__(self, debug: bool = True):
        super().__init__()
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler):
        return cls(debug=_debug_logged(crawler.settings))

    def crawled(self, request, response, spider):
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(self, item, response, spider):
        if not self.debug:
            return None
        return {"level": logging.DEBUG, "msg": "stored %(url)s",
                "args": {"url": _url(item)}}

    def dropped(self, item, exception, response, spider):
        return {"level": logging.WARNING, "msg": "dropped %(url)s: %(reason)s",
                "args": {"url": _url(item), "reason": exception}}

    def item_error(self, item, exception, response, spider):
        return {"level": logging.ERROR, "msg": "error processing %(url)s",
                "args": {"url": _url(item)}}
