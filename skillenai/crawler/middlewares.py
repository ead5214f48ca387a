"""Downloader middlewares: polite retries that slow down when a server asks us to, redirect
loops ended with a reason, meta refreshes found without decoding every page, redirects
that send no Referer, and the gzip stream of a page kept as it came.

``BackoffRetryMiddleware`` replaces Scrapy's retry middleware. On a retryable status it
raises the delay of that server's download slot before retrying: to the ``Retry-After``
the server sent (seconds or an HTTP date, capped by ``RETRY_AFTER_MAX``), else
exponentially (``RETRY_BACKOFF_BASE`` × 2^attempt, capped by ``RETRY_BACKOFF_MAX``). The
slot keeps its configured delay again after the next success.
"""

from __future__ import annotations

import email.utils
import logging
import time
from urllib.parse import urldefrag, urljoin

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, or ``None`` when unusable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.slowed: dict[str, tuple[float, float]] = {}  # slot key → its (delay, jitter) before

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.retry_http_codes:
            attempt = request.meta.get("retry_times", 0)
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is None:
                wait = min(self.backoff_max, self.backoff_base * (2 ** attempt))
            else:
                wait = min(wait, self.retry_after_max)
                self.crawler.stats.inc_value("retry/retry_after_honoured")
            self._slow_down(request, wait)
            return self._retry(request, response_status_message(response.status)) or response
        self._recover(request)
        return response

    def _slot(self, request):
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        if downloader is None:
            return None, None
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def _slow_down(self, request, wait: float) -> None:
        key, slot = self._slot(request)
        if slot is not None and wait > slot.delay:
            logger.info("slowing down %s: %.1f s between requests", key, wait)
            self.slowed.setdefault(key, (slot.delay, slot.jitter))
            # No random jitter while slowed down: the server's wait is a minimum.
            slot.delay, slot.jitter = wait, 0.0

    def _recover(self, request) -> None:
        if not self.slowed:
            return
        key, slot = self._slot(request)
        if key in self.slowed and slot is not None:
            slot.delay, slot.jitter = self.slowed.pop(key)


class RedirectLoopMiddleware:
    """Ends redirect loops with a reason the request's errback reports.

    Scrapy's redirect middleware schedules each hop as a new request, and the duplicate
    filter silently drops a hop back to a URL already requested (``A`` → ``B`` → ``A``), so
    the page would be lost without a trace. Seen before the redirect middleware, a
    ``Location`` that leads back into the request's own chain raises ``IgnoreRequest``.
    """

    REDIRECTS = frozenset({301, 302, 303, 307, 308})

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        location = response.headers.get(b"Location")
        if response.status not in self.REDIRECTS or not location or request.meta.get("dont_redirect"):
            return response
        target = urldefrag(urljoin(request.url, location.decode("latin-1")))[0]
        chain = [urldefrag(url)[0] for url in (*request.meta.get("redirect_urls", ()), request.url)]
        if target in chain:
            self.crawler.stats.inc_value("skillenai/redirect_loops")
            hops = " → ".join(chain[chain.index(target):] + [target])
            raise IgnoreRequest(f"redirect loop: {hops}")
        return response


class _NoReferer:
    """Redirects without a Referer header, as every request of the crawl (``REFERER_ENABLED``
    is off: the referer spider middleware cost the crawl's thread 4%, BENCHMARKS.md).

    Scrapy's redirect middlewares hand the header to that middleware and, when it is off,
    warn at every start that the header will be removed; removing it is what the project
    wants, so it is done here and the warning (given by ``_engine_started``, its only task)
    is left out.
    """

    def handle_referer(self, request, response):
        request.headers.pop("Referer", None)

    def _engine_started(self):
        pass


class NoRefererRedirectMiddleware(_NoReferer, RedirectMiddleware):
    """Scrapy's 3xx redirects, without a Referer."""


class QuickMetaRefreshMiddleware(_NoReferer, MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding the pages that cannot have one.

    Scrapy's middleware decodes every HTML body (``response.text``, encoding sniffing
    included) to look for ``<meta http-equiv="refresh">`` in its first 4,096 characters;
    the crawl's thread never needs the text otherwise (pages are parsed in the parsing
    process from their bytes), and the decoding was 4% of that thread's work. The
    word ``refresh`` is ASCII in every ASCII-compatible encoding, so a body whose first
    16 KiB (4,096 characters of UTF-8 at most) lack it has no refresh to follow. A body with
    NUL bytes there (UTF-16 or UTF-32) is checked by Scrapy as before.
    """

    _HEAD = 4 * 4096

    def process_response(self, request, response, spider=None):
        if isinstance(response, HtmlResponse):
            # lower() and a substring test: a sixth of the time of a case-blind regex,
            # which is tried at every byte and cost more than Scrapy's decoding.
            head = response.body[:self._HEAD]
            if b"\x00" not in head and b"refresh" not in head.lower():
                return response
        return super().process_response(request, response)


GZIP_STREAM = "skillenai_gzip_stream"


class KeepGzipStreamMiddleware:
    """Keeps a page's body as the server compressed it (``response.meta[GZIP_STREAM]``)
    before Scrapy's decompression middleware (590) decodes it, for the requests that ask
    (``meta["keep_gzip"]``: pages whose body the store keeps). The store can then keep those
    bytes instead of compressing the page again: on real-sized career pages (100-300 KB)
    that compression was the crawl thread's largest cost per page."""

    def process_response(self, request, response, spider=None):
        if request.meta.get("keep_gzip") and response.status == 200 and \
                response.headers.get(b"Content-Encoding", b"").strip().lower() == b"gzip":
            request.meta[GZIP_STREAM] = response.body
        return response
