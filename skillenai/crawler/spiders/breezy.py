"""Breezy HR career sites: ``GET {BREEZY_URL}/json`` lists the published positions (title,
location, type, department, date, pay), then each position's page gives its description
(from the page's JobPosting JSON-LD, else its description block)."""

from __future__ import annotations

import scrapy

from skillenai.crawler.parsing.extract import element_text
from skillenai.crawler.parsing.pages import parse_html
from skillenai.crawler.parsing.structured import find_typed, json_ld_blocks, posting_fields
from skillenai.crawler.spiders.boards import BoardSpider, text_salary


class BreezySpider(BoardSpider):
    name = "breezy"
    url_setting = "BREEZY_URL"
    listing_path = "/json"
    listing_name = "positions response"

    def job_results(self, job, seed, response):
        url = job.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            self.bad_shape(response, f"a position without a page URL ({job.get('name')!r})")
            return
        yield scrapy.Request(response.urljoin(url), callback=self.parse_position, errback=self.request_failed,
                             cb_kwargs={"seed": seed, "listed": job})

    def parse_position(self, response, seed, listed):
        if not self.is_html(response):
            return
        tree = parse_html(response.body)
        if tree is None:
            self.bad_shape(response, "unparseable position page")
            return
        blocks, _errors = json_ld_blocks(tree)
        structured = next((posting_fields(p) for block in blocks for p in find_typed(block, "JobPosting")), {})
        text = structured.get("text") or ""
        if not text:
            found = tree.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' description ')]")
            text = element_text(found[0]) if found else ""
        place = listed.get("location") if isinstance(listed.get("location"), dict) else {}
        location = place.get("name") or structured.get("location_raw")
        kind = listed.get("type") if isinstance(listed.get("type"), dict) else {}
        company = listed.get("company") if isinstance(listed.get("company"), dict) else {}
        yield self.posting(
            seed, listed, url=listed.get("url"), title=listed.get("name") or structured.get("title"), text=text,
            date=listed.get("published_date") or structured.get("date_posted"),
            external_id=listed.get("id"), company=company.get("name") or seed.source, location_raw=location,
            locations=structured.get("locations"), employment_type=kind.get("name") or structured.get("employment_type"),
            stated_workplace="remote" if place.get("is_remote") else None, department=listed.get("department"),
            valid_through=structured.get("valid_through"),
            **(text_salary(listed.get("salary"), location) or
               {k: v for k, v in structured.items() if k.startswith("salary_")}))
