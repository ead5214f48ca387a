"""Log lines that name the document, not its whole body.

Scrapy's default formatter prints every scraped or dropped item in full; ours carry the
raw page, so one dropped item would flood the log. These lines give the URL and reason.
"""

from __future__ import annotations

import logging

from scrapy import logformatter


def _url(item) -> str:
    if isinstance(item, dict):
        return str(item.get("url"))
    return str(getattr(item, "url", item.__class__.__name__))


class SkillenaiLogFormatter(logformatter.LogFormatter):
    def scraped(self, item, response, spider):
        return {"level": logging.DEBUG, "msg": "stored %(url)s",
                "args": {"url": _url(item)}}

    def dropped(self, item, exception, response, spider):
        return {"level": logging.WARNING, "msg": "dropped %(url)s: %(reason)s",
                "args": {"url": _url(item), "reason": exception}}

    def item_error(self, item, exception, response, spider):
        return {"level": logging.ERROR, "msg": "error processing %(url)s",
                "args": {"url": _url(item)}}
