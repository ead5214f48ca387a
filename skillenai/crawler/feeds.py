"""Feed exporters for Scrapy's ``-o`` / ``FEEDS``: the records the store gets, as feeds.

The crawl's items reach the feed as the store pipeline's records (every field of
:class:`skillenai.core.record.Document`, with ``id`` and ``content_hash``), whose ``raw``
body is compressed bytes that neither JSON nor CSV can hold. ``SKILLENAI_FEED_RAW``
decides what a feed gets instead: ``omit`` (the default) leaves the body out, ``base64``
writes it as fetched, as ``"base64:…"``, the form ``skillenai ingest`` reads, so a feed
line can be ingested as it is. CSV gets the same columns for every row (a posting's fields
stay empty on an article), with lists and objects (``locations``) as JSON.
"""

from __future__ import annotations

import base64
import json
import logging

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter, XmlItemExporter

from skillenai.core.record import FIELDS, decompress_raw

logger = logging.getLogger(__name__)

RAW_CHOICES = ("omit", "base64")
# A record's fields in the order a CSV feed writes them.
RECORD_FIELDS = ("id", *FIELDS, "content_hash")


def feed_record(record: dict, raw: str) -> dict:
    """``record`` as a feed writes it: the compressed body left out or as ``base64:…``.

    >>> from skillenai.core.record import normalize_raw
    >>> feed_record({"url": "https://x.example/", "raw": normalize_raw("<p>hi</p>")}, "base64")["raw"]
    'base64:PHA+aGk8L3A+'
    """
    out = dict(record)
    body = out.pop("raw", None)
    if raw == "base64":
        out["raw"] = "base64:" + base64.b64encode(decompress_raw(body)).decode("ascii") if body else None
    return out


class _RecordFeed:
    """What every exporter here adds to Scrapy's: the ``raw`` rule of ``SKILLENAI_FEED_RAW``."""

    raw = "omit"

    @classmethod
    def from_crawler(cls, crawler, file, *args, **kwargs):
        raw = crawler.settings.get("SKILLENAI_FEED_RAW", "omit")
        if raw not in RAW_CHOICES:
            logger.error("SKILLENAI_FEED_RAW: expected one of %s, got %r; leaving the raw body out of the feed",
                         ", ".join(RAW_CHOICES), raw)
            raw = "omit"
        exporter = cls(file, *args, **cls._options(raw, kwargs))
        exporter.raw = raw
        return exporter

    @classmethod
    def _options(cls, raw: str, kwargs: dict) -> dict:
        return kwargs

    def export_item(self, item):
        if isinstance(item, dict):
            item = feed_record(item, self.raw)
        return super().export_item(item)


class JsonLinesExporter(_RecordFeed, JsonLinesItemExporter):
    pass


class JsonExporter(_RecordFeed, JsonItemExporter):
    pass


class XmlExporter(_RecordFeed, XmlItemExporter):
    pass


class CsvExporter(_RecordFeed, CsvItemExporter):
    @classmethod
    def _options(cls, raw: str, kwargs: dict) -> dict:
        if not kwargs.get("fields_to_export"):
            # Scrapy would take the first item's fields: an article first would cost every
            # posting its posting fields.
            kwargs = {**kwargs, "fields_to_export": [f for f in RECORD_FIELDS if f != "raw" or raw != "omit"]}
        return kwargs

    def serialize_field(self, field, name, value):
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)
