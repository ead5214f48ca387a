"""Lever job boards: ``GET {LEVER_API_URL}/{site}?mode=json&skip=S&limit=L``, paged."""

from __future__ import annotations

import json
from urllib.parse import quote

import scrapy

from skillenai.core.dates import lenient_datetime
from skillenai.core.record import Document
from skillenai.crawler.ats import salary_fields_from_text, stated_workplace
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.spiders.base import SeededSpider


class LeverSpider(SeededSpider):
    name = "lever"
    # Each page of a paged API is one level deeper than the last (DEPTH_LIMIT 6 would stop
    # a board after six pages); the API's own paging bounds it (until a page comes back short).
    custom_settings = {"DEPTH_LIMIT": 1000}

    def requests_for(self, seed):
        yield self.page_request(seed, 0)

    def page_request(self, seed, skip: int) -> scrapy.Request:
        base = self.settings.get("LEVER_API_URL").rstrip("/")
        limit = self.settings.getint("LEVER_PAGE_SIZE", 100)
        return scrapy.Request(
            f"{base}/{quote(seed.target)}?mode=json&skip={skip}&limit={limit}",
            callback=self.parse_page,
            errback=self.request_failed,
            cb_kwargs={"seed": seed, "skip": skip, "limit": limit},
        )

    def parse_page(self, response, seed, skip, limit):
        """One page of a site's postings, and the request for the next page when this one is full.

        @seed
        @returns items 1
        @fields url kind title text company source date_posted
        """
        postings = self.json_body(response, f"lever site {seed.target!r}")
        if postings is None:
            return
        if not isinstance(postings, list):
            report_skipped(self, response.url, "unexpected_api_shape", "expected a JSON array of postings")
            return
        for index, posting in enumerate(postings):
            if isinstance(posting, dict):
                yield self.posting_item(posting, seed)
            else:
                report_skipped(self, response.url, "unexpected_api_shape", f"posting {skip + index} is not an object")
        if len(postings) >= limit:
            yield self.page_request(seed, skip + len(postings))

    def posting_item(self, posting: dict, seed) -> Document:
        categories = posting.get("categories") if isinstance(posting.get("categories"), dict) else {}
        sections = [html_to_text(posting.get("description") or "") or (posting.get("descriptionPlain") or "")]
        for block in posting.get("lists") or []:
            if isinstance(block, dict):
                sections.append(block.get("text") or "")
                sections.append(html_to_text(block.get("content") or ""))
        sections.append(html_to_text(posting.get("additional") or "") or (posting.get("additionalPlain") or ""))
        text = "\n".join(s for s in sections if s and s.strip())
        location = categories.get("location")
        all_locations = categories.get("allLocations") or ([location] if location else [])
        salary = posting.get("salaryRange") if isinstance(posting.get("salaryRange"), dict) else None
        created = lenient_datetime(posting.get("createdAt"))
        item = Document(
            url=posting.get("hostedUrl") or "",
            kind="posting",
            spider=self.name,
            source=seed.source,
            title=posting.get("text"),
            text=text,
            raw=json.dumps(posting, ensure_ascii=False),
            raw_type="json",
            extraction="ats",
            external_id=posting.get("id"),
            company=seed.source,
            location_raw=location or "; ".join(all_locations) or None,
            locations=[{"name": name, "country": posting.get("country")} for name in all_locations] or None,
            employment_type=categories.get("commitment"),
            stated_workplace=stated_workplace(posting.get("workplaceType")),
            date_posted=created,
            published_at=created,
            department=categories.get("team") or categories.get("department"),
        )
        if salary:
            item.salary_min = salary.get("min")
            item.salary_max = salary.get("max")
            item.salary_currency = salary.get("currency")
            item.salary_period = {"per-year-salary": "year", "per-month-salary": "month",
                                  "per-hour-wage": "hour", "per-week-wage": "week",
                                  "per-day-wage": "day"}.get(salary.get("interval"), salary.get("interval"))
        else:
            for key, value in salary_fields_from_text(text, item.location_raw).items():
                setattr(item, key, value)
        return item
