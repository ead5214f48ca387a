"""Market-insight articles and news: RSS/Atom feeds, sitemaps and listing pages.

Feed entries and sitemap URLs lead to article pages; trafilatura extracts the main text,
title, author and date, with the feed entry's metadata as fallback. A source's target is
a feed, a sitemap (or index), or a blog listing page whose pagination is followed.
"""

from __future__ import annotations

import scrapy
from scrapy.http import TextResponse

from skillenai.core.dates import lenient_datetime
from skillenai.core.record import Document
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.discovery import (
    FeedEntry,
    feed_entries,
    in_chrome,
    is_below,
    is_pagination_link,
    same_site,
    sitemap_entries,
    xml_root_name,
)
from skillenai.crawler.parsing.pages import METADATA_KINDS, parse_html
from skillenai.crawler.parsing.parsepool import parse_page, run_parse
from skillenai.crawler.spiders.base import SeededSpider


class ArticlesSpider(SeededSpider):
    name = "articles"
    parses_pages = True
    # Each listing page is one level deeper than the last: a site with 50 pages of
    # openings needs depth 50. Listing crawls are bounded by SKILLENAI_MAX_LISTING_PAGES.
    custom_settings = {"DEPTH_LIMIT": 1000}

    def requests_for(self, seed):
        yield scrapy.Request(seed.target, callback=self.parse_source, errback=self.request_failed,
                             cb_kwargs={"seed": seed, "listing_root": seed.target})

    def parse_source(self, response, seed, listing_root):
        """A feed, a sitemap or a listing page: decided by what the body is.

        @seed
        @returns requests 1
        @returns items 0 0
        """
        root = xml_root_name(response.body)
        if root in ("rss", "feed", "rdf"):
            yield from self.parse_feed(response, seed)
        elif root in ("urlset", "sitemapindex"):
            yield from self.parse_sitemap(response, seed)
        elif isinstance(response, TextResponse):
            yield from self.parse_listing(response, seed, listing_root)
        else:
            report_skipped(self, response.url, "unknown_source_format", "not a feed, sitemap or HTML page")

    def parse_feed(self, response, seed):
        try:
            entries, cuts = feed_entries(response.body, response.url)
        except ValueError as exc:
            report_skipped(self, response.url, "unparseable_feed", str(exc))
            return
        if cuts:
            report_skipped(self, response.url, "xml_cut", str(cuts))
        for entry in entries:
            yield self.article_request(entry.url, seed, entry)

    def parse_sitemap(self, response, seed):
        try:
            kind, entries, cuts = sitemap_entries(response.body)
        except ValueError as exc:
            report_skipped(self, response.url, "unparseable_sitemap", str(exc))
            return
        if cuts:
            report_skipped(self, response.url, "xml_cut", str(cuts))
        kept = set(self.source_links([entry["loc"] for entry in entries], seed, response.url, "sitemap entries"))
        for entry in entries:
            if entry["loc"] not in kept:
                continue
            if kind == "sitemapindex":
                yield scrapy.Request(entry["loc"], callback=self.parse_source, errback=self.request_failed,
                                     cb_kwargs={"seed": seed, "listing_root": entry["loc"]})
            else:
                yield self.article_request(entry["loc"], seed, FeedEntry(entry["loc"], published=entry.get("lastmod")))

    def parse_listing(self, response, seed, listing_root):
        tree = parse_html(response.body)
        if tree is None:
            report_skipped(self, response.url, "unparseable_html")
            return
        tree.make_links_absolute(response.url, handle_failures="discard")
        for anchor in tree.xpath("//a[@href]"):
            url = anchor.get("href").split("#", 1)[0]
            if not url or not same_site(url, listing_root):
                continue
            url = self.listing_link(url, listing_root)
            if url is None:
                continue
            if is_pagination_link(anchor, listing_root):
                if self.allow_listing_page(seed, url):
                    yield scrapy.Request(url, callback=self.parse_listing, errback=self.request_failed,
                                         cb_kwargs={"seed": seed, "listing_root": listing_root})
            elif is_below(url, listing_root) and "?" not in url and not in_chrome(anchor):
                yield self.article_request(url, seed, FeedEntry(url))

    def article_request(self, url: str, seed, entry: FeedEntry) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_article, errback=self.request_failed,
                              cb_kwargs={"seed": seed, "entry": entry})

    async def parse_article(self, response, seed, entry: FeedEntry):
        if not self.is_html(response):
            return
        # Every page's author and date are read (METADATA_KINDS).
        found, guessed = await run_parse(self.settings.getint("SKILLENAI_PARSE_WORKERS"), parse_page, response.body,
                                         response.url, response.headers.get(b"Content-Type", b"").decode("latin-1"),
                                         METADATA_KINDS[self.name])
        page = found.unstructured
        if page is None:
            if not found.postings:
                report_skipped(self, response.url, "no_main_text", "trafilatura found no main text")
            return
        # A feed lists articles; a sitemap or listing may also hold about and index pages.
        from_feed = entry.title is not None
        kind = "article" if from_feed or page["og_type"] == "article" else guessed
        yield Document(
            url=response.url,
            kind=kind,
            spider=self.name,
            source=seed.source,
            canonical_url=self.own_url(page["canonical_url"], response, seed, "<link rel=canonical>"),
            title=page["title"] or entry.title,
            text=page["text"],
            lang=page["lang"],
            author=page["author"] or entry.author,
            published_at=lenient_datetime(page["published_at"]) or lenient_datetime(entry.published),
            raw=response.body,
            raw_type="html",
            extraction="trafilatura",
        )
