"""Research papers from arXiv, stored as kind ``paper``.

A source's target is a search query for the arXiv API
(``GET {ARXIV_API_URL}?search_query=Q&start=S&max_results=N&sortBy=submittedDate``,
an Atom feed paged by ``start``/``max_results`` up to ``ARXIV_MAX_RESULTS`` a query), or
``oai:SET`` for bulk harvesting through OAI-PMH
(``GET {ARXIV_OAI_URL}?verb=ListRecords&metadataPrefix=arXiv&set=SET``, then each
``resumptionToken`` until the last page; ``ARXIV_OAI_FROM`` limits it to records changed
since a date). arXiv asks for one request every 3 seconds on one connection: every
request goes through one download slot with that delay (``ARXIV_DOWNLOAD_DELAY``), which
AutoThrottle leaves alone.

Each paper is stored with its title, its abstract as text, its authors (``author``,
comma-separated), its categories (the primary first), its first version's date and the
URL of its abstract page (``https://arxiv.org/abs/ID``, the same from either API).
"""

from __future__ import annotations

from urllib.parse import urlencode

import lxml.etree
import scrapy

from skillenai.core.dates import lenient_datetime
from skillenai.core.record import Document
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.arxiv import Paper, PaperPage, atom_papers, oai_papers
from skillenai.crawler.spiders.base import SeededSpider

SLOT = "arxiv"  # the download slot every arXiv request shares


class PapersSpider(SeededSpider):
    name = "papers"
    # Each page of a paged API is one level deeper than the last (DEPTH_LIMIT 6 would stop
    # a board after six pages); the API's own paging bounds it (up to ARXIV_MAX_RESULTS, or until no resumption token).
    custom_settings = {"DEPTH_LIMIT": 1000}

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        slots.setdefault(SLOT, {"delay": settings.getfloat("ARXIV_DOWNLOAD_DELAY", 3.0), "concurrency": 1,
                                "jitter": 0})
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    def requests_for(self, seed):
        if seed.target.startswith("oai:"):
            params = {"verb": "ListRecords", "metadataPrefix": "arXiv"}
            if seed.target[4:]:
                params["set"] = seed.target[4:]
            if self.settings.get("ARXIV_OAI_FROM"):
                params["from"] = self.settings.get("ARXIV_OAI_FROM")
            yield self.oai_request(seed, params)
        else:
            yield self.query_request(seed, 0)

    def _request(self, url: str, callback, **kwargs) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.request_failed, cb_kwargs=kwargs,
                              meta={"download_slot": SLOT, "autothrottle_dont_adjust_delay": True})

    def query_request(self, seed, start: int) -> scrapy.Request:
        size = max(1, min(self.settings.getint("ARXIV_PAGE_SIZE", 100), 2000))
        query = urlencode({"search_query": seed.target, "start": start, "max_results": size,
                           "sortBy": "submittedDate", "sortOrder": "descending"})
        return self._request(f"{self.settings.get('ARXIV_API_URL')}?{query}", self.parse_query,
                             seed=seed, start=start)

    def oai_request(self, seed, params: dict) -> scrapy.Request:
        return self._request(f"{self.settings.get('ARXIV_OAI_URL')}?{urlencode(params)}", self.parse_oai, seed=seed)

    def parse_query(self, response, seed, start):
        """One page of a search: its papers, and the next page while there are more.

        @seed
        @returns items 1
        @fields url kind title text author categories published_at
        """
        page = self._page(response, atom_papers, "unparseable_arxiv_feed")
        if page is None:
            return
        if page.error:
            report_skipped(self, response.url, "arxiv_error", page.error)
            return
        for paper in page.papers:
            yield self.paper_item(paper, seed)
        limit = self.settings.getint("ARXIV_MAX_RESULTS", 1000)
        following = start + len(page.papers) + len(page.problems)
        # An empty page ends the search whatever the total says (the API sometimes
        # answers a page of a large result with no entries).
        if page.papers and page.total is not None and following < min(page.total, limit):
            yield self.query_request(seed, following)

    def parse_oai(self, response, seed):
        """One page of an OAI-PMH harvest, and the request for the next while a resumption token is given.

        @seed
        @returns items 1
        @fields url kind title text author categories published_at
        """
        page = self._page(response, oai_papers, "unparseable_oai")
        if page is None:
            return
        if page.error:
            if not page.error.startswith("noRecordsMatch"):
                report_skipped(self, response.url, "oai_error", page.error)
            return
        for paper in page.papers:
            yield self.paper_item(paper, seed)
        if page.token:
            yield self.oai_request(seed, {"verb": "ListRecords", "resumptionToken": page.token})

    def _page(self, response, parse, reason: str) -> PaperPage | None:
        try:
            page = parse(response.body)
        except ValueError as exc:
            report_skipped(self, response.url, reason, str(exc))
            return None
        if page.cuts:
            report_skipped(self, response.url, "xml_cut", str(page.cuts))
        for problem in page.problems:
            report_skipped(self, response.url, "unusable_paper", problem)
        return page

    def paper_item(self, paper: Paper, seed) -> Document:
        return Document(
            url=paper.url,
            kind="paper",
            spider=self.name,
            source=seed.source,
            title=paper.title,
            text=paper.abstract,
            author=", ".join(paper.authors) or None,
            published_at=lenient_datetime(paper.published),
            categories=paper.categories or None,
            raw=lxml.etree.tostring(paper.element, encoding="utf-8") if paper.element is not None else None,
            raw_type="xml",
            extraction="arxiv",
        )
