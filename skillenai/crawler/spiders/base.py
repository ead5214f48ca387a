"""What every Skillenai spider shares: sources from the seeds file, and failure reporting.

A spider crawls the rows of the sources file that name it (``SKILLENAI_SEEDS``, or
``-a seeds=PATH``), or one source given on the command line
(``scrapy crawl greenhouse -a source=acme -a target=acme``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import TextResponse

from skillenai.core.record import apply_origin_map
from skillenai.core.sites import registrable_domain, registrable_host
from skillenai.crawler.addresses import InternalAddress
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.discovery import calendar_trap, without_session
from skillenai.crawler.seeds import Seed, SeedFileError, check_row, read_seeds


class SeededSpider(scrapy.Spider):
    """Base class: subclasses implement :meth:`requests_for` for one source."""

    # Spiders that parse HTML pages through skillenai.crawler.parsing.parsepool start its workers early.
    parses_pages = False

    def __init__(self, *args: Any, seeds: str | None = None, source: str | None = None,
                 target: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.seeds_path = seeds
        self.one_source = (source, target) if (source or target) else None
        self.run_args = {k: v for k, v in {"seeds": seeds, "source": source, "target": target}.items() if v}
        self.crawl_run_id = None
        self._listing_pages: dict[str, set[str]] = {}
        self._traps_seen: set[str] = set()
        self._source_domains: dict[Seed, frozenset[str]] = {}
        self._origin_map: dict[str, str] | None = None

    def load_seeds(self) -> list[Seed]:
        if self.one_source:
            source, target = self.one_source
            target = target or source
            source = source or target
            problem = check_row(self.name, source, target)
            if problem:
                raise CloseSpider(f"bad source on the command line: {problem}")
            return [Seed(self.name, source, target, "command line")]
        path = self.seeds_path or self.settings.get("SKILLENAI_SEEDS")
        try:
            seeds, problems = read_seeds(Path(path), spider=self.name)
        except SeedFileError as exc:
            self.logger.error("%s", exc)
            raise CloseSpider(str(exc)) from None
        for problem in problems:
            report_skipped(self, problem.where, "bad_seed_row", problem.message)
        if not seeds:
            self.logger.warning("no %s sources in %s", self.name, path)
        return seeds

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.parses_pages:
            # Started with the spider, not when it starts crawling: spawning the parsing
            # processes and importing trafilatura there takes ~0.6 s, which then overlaps
            # Scrapy's own start instead of holding up the first pages (BENCHMARKS.md).
            from skillenai.crawler.parsing.parsepool import warm_up

            warm_up(crawler.settings.getint("SKILLENAI_PARSE_WORKERS"))
        return spider

    async def start(self):
        for seed in self.load_seeds():
            for request in self.requests_for(seed):
                yield request

    def requests_for(self, seed: Seed) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    # Helpers for subclasses ------------------------------------------------------------

    def json_body(self, response, what: str) -> Any:
        """The response's JSON, or ``None`` after reporting why it is unusable."""
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            report_skipped(self, response.url, "invalid_json", f"{what}: {exc}")
            return None

    def json_list(self, response, what: str, key: str) -> tuple[dict, list] | None:
        """The response's JSON object and the list under its ``key``, or ``None`` after
        reporting why there is none (invalid JSON, another shape)."""
        data = self.json_body(response, what)
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list):
            if data is not None:
                report_skipped(self, response.url, "unexpected_api_shape", f"{what}: no {key!r} list in the response")
            return None
        return data, items

    def allow_listing_page(self, seed: Seed, url: str) -> bool:
        """Whether listing page ``url`` of ``seed`` may be followed (SKILLENAI_MAX_LISTING_PAGES)."""
        seen = self._listing_pages.setdefault(seed.target, set())
        if url in seen:
            return False  # already followed (pages link to each other many times)
        if len(seen) >= self.settings.getint("SKILLENAI_MAX_LISTING_PAGES", 200):
            self.crawler.stats.inc_value("skillenai/listing_pages_cut")
            return False
        seen.add(url)
        return True

    def listing_link(self, url: str, listing_root: str) -> str | None:
        """The URL to follow for a link found on a listing page, or ``None`` for a crawler
        trap: session ids are dropped (the same page under a new id is the same page), and
        links into a calendar are refused, each reported once."""
        url = without_session(url)
        if calendar_trap(url, listing_root):
            if url not in self._traps_seen:
                self._traps_seen.add(url)
                report_skipped(self, url, "crawler_trap", f"calendar link on listing {listing_root}")
            return None
        return url

    # Where a source's pages may lead and speak for ------------------------------------------

    def public_url(self, url: str) -> str:
        """``url`` as it is stored (``SKILLENAI_ORIGIN_MAP`` applied): sites are compared so."""
        if self._origin_map is None:
            self._origin_map = dict(self.settings.getdict("SKILLENAI_ORIGIN_MAP"))
        return apply_origin_map(url, self._origin_map)

    def source_domains(self, seed: Seed) -> frozenset[str]:
        """The registrable domains of ``seed``: its target's, and those declared for its
        source in ``SKILLENAI_SOURCE_DOMAINS`` (names or URLs)."""
        domains = self._source_domains.get(seed)
        if domains is None:
            declared = self.settings.getdict("SKILLENAI_SOURCE_DOMAINS").get(seed.source) or []
            if isinstance(declared, str):
                declared = [declared]
            names = {registrable_domain(d) if "://" in d else registrable_host(d) for d in map(str, declared)}
            if "://" in seed.target:
                names.add(registrable_domain(self.public_url(seed.target)))
            domains = self._source_domains[seed] = frozenset(names - {None, ""})
        return domains

    def on_source_sites(self, url: str, seed: Seed) -> bool:
        return registrable_domain(self.public_url(url)) in self.source_domains(seed)

    def source_links(self, urls: Iterable[str], seed: Seed, where: str, what: str) -> list[str]:
        """The ``urls`` a sitemap (or robots.txt) at ``where`` lists that lie on the
        source's domains; the others are reported once, counted, with an example."""
        kept, off = [], []
        for url in urls:
            (kept if self.on_source_sites(url, seed) else off).append(url)
        if off:
            report_skipped(self, where, "off_site_link",
                           f"{len(off)} {what} not on the source's domains ({', '.join(sorted(self.source_domains(seed)))}; "
                           f"SKILLENAI_SOURCE_DOMAINS adds more), e.g. {off[0][:300]}")
        return kept

    def own_url(self, value: Any, response, seed: Seed, what: str) -> str | None:
        """A URL a page gives for itself (JSON-LD ``url``, ``<link rel=canonical>``),
        resolved against the page, when it lies on the page's own site or the source's
        domains: only then may it name the stored document. A foreign one is recorded as
        a reference (``foreign_canonical``, with the URL) and ``None`` returned, so the
        document is stored under the page's own URL."""
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            url = urljoin(response.url, value.strip())
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.port == 0:
                return None
        except ValueError:  # a malformed host ("http://[::1/x") or port: the page's own URL serves
            return None
        domain = registrable_domain(self.public_url(url))
        if domain is not None and (domain == registrable_domain(self.public_url(response.url))
                                   or domain in self.source_domains(seed)):
            return url
        report_skipped(self, response.url, "foreign_canonical",
                       f"{what} {url[:500]} is not on this page's site; stored under the page's own URL")
        return None

    def is_html(self, response) -> bool:
        """Whether a page response is HTML; otherwise it is reported as ``not_html``."""
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        # isinstance, not hasattr(response, "text"): that property decodes the whole body.
        if isinstance(response, TextResponse) and ("html" in ctype or (not ctype and response.body.lstrip()[:1] == b"<")):
            return True
        report_skipped(self, response.url, "not_html", f"Content-Type {ctype or 'missing'}")
        return False

    def request_failed(self, failure):
        from skillenai.crawler.incremental import NotModified

        if failure.check(NotModified):
            return  # unchanged since the last crawl: its documents were re-seen, not re-parsed
        if failure.check(InternalAddress):
            return  # reported when it was refused
        request = failure.request
        response = getattr(failure.value, "response", None)
        status = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        # A request that was redirected is reported under the URL it started from.
        report_skipped(self, (request.meta.get("redirect_urls") or [request.url])[0], "fetch_failed", status)
