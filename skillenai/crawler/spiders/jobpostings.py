"""Career sites: robots.txt → sitemaps → pages carrying schema.org JobPosting.

A source's target is a site root (sitemaps found through robots.txt), a robots.txt, a
sitemap or sitemap index, or a job listing page. Sites that publish no sitemap are
crawled from their listing pages, following pagination and the links below the listing.
Pages without structured data are kept when the document-kind classifier says they are
postings.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import scrapy

from skillenai.core.dates import lenient_datetime
from skillenai.core.record import FIELDS, Document, canonicalize_url, gzip_stream_of
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.middlewares import GZIP_STREAM
from skillenai.crawler.parsing.discovery import (
    in_chrome,
    is_below,
    is_pagination_link,
    same_site,
    sitemap_entries,
    sitemaps_in_robots,
    xml_root_name,
)
from skillenai.crawler.parsing.pages import METADATA_KINDS, parse_html
from skillenai.crawler.parsing.parsepool import parse_page, run_parse
from skillenai.crawler.spiders.base import SeededSpider

# Posting pages are fetched conditionally and skipped when unchanged (skillenai/crawler/incremental.py);
# a page sent gzip-compressed is kept in the store as it came (KeepGzipStreamMiddleware).
_PAGE = {"incremental": "page", "keep_gzip": True}


class JobPostingsSpider(SeededSpider):
    name = "jobpostings"
    parses_pages = True
    # Each listing page is one level deeper than the last: a site with 50 pages of
    # openings needs depth 50. Listing crawls are bounded by SKILLENAI_MAX_LISTING_PAGES.
    custom_settings = {"DEPTH_LIMIT": 1000}

    def requests_for(self, seed):
        target = seed.target
        path = urlsplit(target).path.lower()
        if path.endswith("robots.txt"):
            yield self._robots_request(seed, target)
        elif path.endswith((".xml", ".xml.gz")) or "sitemap" in path:
            yield scrapy.Request(target, callback=self.parse_sitemap, errback=self.request_failed,
                                 cb_kwargs={"seed": seed})
        elif path in ("", "/"):
            yield self._robots_request(seed, urljoin(target, "/robots.txt"))
        else:
            yield self._listing_request(seed, target, target)

    def _robots_request(self, seed, url):
        return scrapy.Request(url, callback=self.parse_robots, errback=self.robots_failed,
                              cb_kwargs={"seed": seed}, dont_filter=True)

    def _listing_request(self, seed, url, listing_root):
        return scrapy.Request(url, callback=self.parse_listing, errback=self.request_failed,
                              cb_kwargs={"seed": seed, "listing_root": listing_root})

    def robots_failed(self, failure):
        seed = failure.request.cb_kwargs["seed"]
        self.logger.info("no robots.txt for %s; crawling its listing", seed.target)
        yield from self._fallback_listing(seed)

    def _fallback_listing(self, seed):
        root = seed.target if urlsplit(seed.target).path not in ("", "/") else urljoin(seed.target, "/jobs/")
        yield self._listing_request(seed, root, root)

    def parse_robots(self, response, seed):
        """The sitemaps a career site's robots.txt lists (its listing pages when none).

        @seed
        @returns requests 1
        @returns items 0 0
        """
        sitemaps = sitemaps_in_robots(response.body, response.url)
        if not sitemaps:
            self.logger.info("%s lists no sitemap; crawling its listing pages", response.url)
            yield from self._fallback_listing(seed)
            return
        for url in self.source_links(sitemaps, seed, response.url, "sitemaps"):
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.request_failed,
                                 cb_kwargs={"seed": seed})

    def parse_sitemap(self, response, seed):
        if xml_root_name(response.body) not in ("urlset", "sitemapindex"):
            report_skipped(self, response.url, "not_a_sitemap", "expected <urlset> or <sitemapindex>")
            return
        try:
            kind, entries, cuts = sitemap_entries(response.body)
        except ValueError as exc:
            report_skipped(self, response.url, "unparseable_sitemap", str(exc))
            return
        if cuts:
            report_skipped(self, response.url, "xml_cut", str(cuts))
        urls = [entry["loc"] for entry in entries if urlsplit(entry["loc"]).scheme in ("http", "https")]
        for url in self.source_links(urls, seed, response.url, "sitemap entries"):
            if kind == "sitemapindex":
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.request_failed,
                                     cb_kwargs={"seed": seed})
            else:
                yield scrapy.Request(url, callback=self.parse_page, errback=self.request_failed,
                                     cb_kwargs={"seed": seed}, meta=_PAGE)

    def parse_listing(self, response, seed, listing_root):
        if not self.is_html(response):
            return
        tree = parse_html(response.body)
        if tree is None:
            report_skipped(self, response.url, "unparseable_html")
            return
        tree.make_links_absolute(response.url, handle_failures="discard")
        # Links inside navigation and footers lead elsewhere on the site.
        anchors = tree.xpath("//a[@href]")
        for anchor in anchors:
            url = anchor.get("href").split("#", 1)[0]
            if not url or not same_site(url, listing_root):
                continue
            url = self.listing_link(url, listing_root)
            if url is None:
                continue
            if is_pagination_link(anchor, listing_root):
                if self.allow_listing_page(seed, url):
                    yield self._listing_request(seed, url, listing_root)
            elif is_below(url, listing_root) and "?" not in url and not in_chrome(anchor):
                yield scrapy.Request(url, callback=self.parse_page, errback=self.request_failed,
                                     cb_kwargs={"seed": seed}, meta=_PAGE)

    async def parse_page(self, response, seed):
        if not self.is_html(response):
            return []
        # Author and publication date are read for articles only (METADATA_KINDS).
        found, kind = await run_parse(self.settings.getint("SKILLENAI_PARSE_WORKERS"), parse_page, response.body,
                                      response.url, response.headers.get(b"Content-Type", b"").decode("latin-1"),
                                      METADATA_KINDS[self.name])
        # A list, not an async generator: Scrapy passes a coroutine's list through its spider
        # middlewares as a plain iterable, which costs the crawl's thread less per item.
        return list(self._page_items(response, seed, found, kind))

    def _page_items(self, response, seed, found, kind):
        raw = gzip_stream_of(response.meta.get(GZIP_STREAM), response.body) or response.body
        for error in found.broken_blocks:
            report_skipped(self, response.url, "malformed_json_ld", str(error))
        postings = found.postings
        cap = self.settings.getint("SKILLENAI_MAX_POSTINGS_PER_PAGE", 100)
        if len(postings) > cap:
            report_skipped(self, response.url, "too_many_postings",
                           f"{len(postings)} postings on one page; the first {cap} kept (SKILLENAI_MAX_POSTINGS_PER_PAGE)")
            postings = postings[:cap]
        page_canonical = None
        if postings:
            page_canonical = self.own_url(found.canonical_url, response, seed, "<link rel=canonical>")
        named: set[str] = set()
        for fields in postings:
            # A page names only documents of its own site (or its source's domains): a foreign
            # JSON-LD url is a reference, not the id of what is stored.
            given_url = fields.get("canonical_url")
            canonical = page_canonical if given_url == found.canonical_url else (
                self.own_url(given_url, response, seed, "JSON-LD url") or page_canonical)
            # The stored spelling: the store's normalisation finds it already canonical.
            name = canonicalize_url(self.public_url(canonical or response.url))
            if name in named:
                report_skipped(self, response.url, "duplicate_on_page",
                               f"another posting of this page is stored as {name[:300]}; {fields.get('title')!r} is not")
                continue
            named.add(name)
            # What the page's structured data gave, under the record's own field names; where
            # the page was fetched from and how it was read are the crawl's to say.
            given = {key: value for key, value in fields.items() if key in FIELDS and value is not None}
            item = Document(**{**given, "url": response.url, "kind": "posting", "spider": self.name,
                               "source": seed.source, "raw": raw, "raw_type": "html", "extraction": found.extraction,
                               "canonical_url": name})
            item.company = item.company or seed.source
            item.published_at = item.date_posted
            yield item
            raw = None  # one copy of the page is enough when it holds several postings
        if found.postings or found.unstructured is None:
            if not found.postings:
                report_skipped(self, response.url, "no_main_text")
            return
        page = found.unstructured
        item = Document(url=response.url, kind=kind, spider=self.name, source=seed.source,
                        canonical_url=self.own_url(page["canonical_url"], response, seed, "<link rel=canonical>"),
                        title=page["title"], text=page["text"],
                        lang=page["lang"], raw=raw, raw_type="html", extraction=found.extraction)
        if kind == "posting":
            item.company = page["company"] or seed.source
            item.location_raw = page["location_raw"]
            item.date_posted = lenient_datetime(page["date_posted"])
            item.published_at = item.date_posted
            item.__dict__.update(page["salary"])
        else:
            item.author = page["author"]
            item.published_at = page["published_at"]
        yield item
