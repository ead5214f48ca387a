"""SmartRecruiters companies: ``GET {SMARTRECRUITERS_API_URL}/{company}/postings?limit=100&offset=N``,
paged by ``totalFound``, then each posting's detail ``GET .../postings/{id}`` for its job ad
(``jobAd.sections``: company description, job description, qualifications, additional
information, as HTML) and its public ``postingUrl``.

The listing's fields and the detail's are merged (the detail wins). A posting whose detail
cannot be fetched is reported (``fetch_failed``) and not stored: without its job ad it has
no text.
"""

from __future__ import annotations

from urllib.parse import quote

import scrapy

from skillenai.core.dates import lenient_date, lenient_datetime
from skillenai.core.record import Document
from skillenai.crawler.ats import ats_posting
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.spiders.base import SeededSpider

PAGE_SIZE = 100  # the most the postings API returns per request
_SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")
_PUBLIC_URL = "https://jobs.smartrecruiters.com"


class SmartRecruitersSpider(SeededSpider):
    name = "smartrecruiters"
    # Each page of a paged API is one level deeper than the last (DEPTH_LIMIT 6 would stop
    # a board after six pages); the API's own paging bounds it (until totalFound).
    custom_settings = {"DEPTH_LIMIT": 1000}

    def requests_for(self, seed):
        yield self.page_request(seed, 0)

    def api_base(self, seed) -> str:
        return f"{self.settings.get('SMARTRECRUITERS_API_URL').rstrip('/')}/{quote(seed.target)}/postings"

    def page_request(self, seed, offset: int) -> scrapy.Request:
        return scrapy.Request(
            f"{self.api_base(seed)}?limit={PAGE_SIZE}&offset={offset}",
            callback=self.parse_page,
            errback=self.request_failed,
            cb_kwargs={"seed": seed, "offset": offset},
        )

    def parse_page(self, response, seed, offset):
        """One page of a company's postings: a detail request for each, and the next page
        while ``totalFound`` says there are more.

        @seed
        @returns requests 1
        """
        found = self.json_list(response, f"smartrecruiters postings of {seed.target!r}", "content")
        if found is None:
            return
        data, content = found
        for index, posting in enumerate(content):
            if not isinstance(posting, dict) or posting.get("id") in (None, ""):
                report_skipped(self, response.url, "unexpected_api_shape", f"content[{index}] is not a posting with an id")
                continue
            yield scrapy.Request(
                f"{self.api_base(seed)}/{quote(str(posting['id']))}",
                callback=self.parse_posting,
                errback=self.request_failed,
                cb_kwargs={"seed": seed, "listed": posting},
            )
        total = data.get("totalFound")
        if content and isinstance(total, int) and offset + len(content) < total:
            yield self.page_request(seed, offset + len(content))

    def parse_posting(self, response, seed, listed):
        """One posting's detail, a posting."""
        detail = self.json_body(response, f"smartrecruiters posting {listed.get('id')!r}")
        if detail is not None and not isinstance(detail, dict):
            report_skipped(self, response.url, "unexpected_api_shape", "the posting response is not an object")
            detail = None
        yield self.posting_item(seed, {**listed, **(detail or {})})


    def posting_item(self, seed, posting: dict) -> Document:
        company = posting.get("company") if isinstance(posting.get("company"), dict) else {}
        location = posting.get("location") if isinstance(posting.get("location"), dict) else {}
        sections = ((posting.get("jobAd") or {}).get("sections") or {}) if isinstance(posting.get("jobAd"), dict) else {}
        lines = []
        for key in _SECTIONS:
            section = sections.get(key) if isinstance(sections, dict) else None
            if isinstance(section, dict):
                body = html_to_text(section.get("text") or "")
                if body:
                    lines += [section.get("title") or "", body]
        text = "\n".join(line for line in lines if line)
        place = location.get("fullLocation") or ", ".join(
            str(location[k]) for k in ("city", "region", "country") if location.get(k)) or None
        identifier = company.get("identifier") or seed.target
        url = posting.get("postingUrl") or f"{_PUBLIC_URL}/{quote(str(identifier))}/{quote(str(posting.get('id')))}"
        employment = posting.get("typeOfEmployment") if isinstance(posting.get("typeOfEmployment"), dict) else {}
        function = posting.get("function") if isinstance(posting.get("function"), dict) else {}
        department = posting.get("department") if isinstance(posting.get("department"), dict) else {}
        workplace = "remote" if location.get("remote") else "hybrid" if location.get("hybrid") else (
            "onsite" if location.get("remote") is False else None)
        return ats_posting(
            self, seed, posting,
            url=url,
            title=posting.get("name"),
            text=text,
            external_id=str(posting.get("id")),
            requisition_id=posting.get("refNumber") or None,
            company=company.get("name") or seed.source,
            location_raw=place,
            locations=[{k: v for k, v in {"locality": location.get("city"), "region": location.get("region"),
                                          "country": (location.get("country") or "").upper() or None,
                                          "name": place}.items() if v}] if place else None,
            employment_type=employment.get("label") or employment.get("id"),
            stated_workplace=workplace,
            date_posted=lenient_date(posting.get("releasedDate")),
            published_at=lenient_datetime(posting.get("releasedDate")),
            department=department.get("label") or function.get("label"),
        )
