"""Ashby job boards: ``GET {ASHBY_API_URL}/{board}?includeCompensation=true``."""

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

_EMPLOYMENT = {"fulltime": "full_time", "parttime": "part_time", "intern": "intern",
               "contract": "contract", "temporary": "temporary"}


class AshbySpider(SeededSpider):
    name = "ashby"

    def requests_for(self, seed):
        base = self.settings.get("ASHBY_API_URL").rstrip("/")
        yield scrapy.Request(
            f"{base}/{quote(seed.target)}?includeCompensation=true",
            callback=self.parse_board,
            errback=self.request_failed,
            cb_kwargs={"seed": seed},
            meta={"incremental": "board"},  # one response lists every posting: skillenai/crawler/incremental.py
        )

    def parse_board(self, response, seed):
        """Every job of one board, each a posting.

        @seed
        @returns items 1
        @returns requests 0 0
        @fields url kind title text company source date_posted
        """
        data = self.json_body(response, f"ashby board {seed.target!r}")
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            if data is not None:
                report_skipped(self, response.url, "unexpected_api_shape", "no 'jobs' list in the board response")
            return
        for index, job in enumerate(jobs):
            if not isinstance(job, dict):
                report_skipped(self, response.url, "unexpected_api_shape", f"jobs[{index}] is not an object")
            elif job.get("isListed", True) is not False:
                yield self.job_item(job, seed)

    def job_item(self, job: dict, seed) -> Document:
        text = html_to_text(job.get("descriptionHtml") or "")
        plain = job.get("descriptionPlain") if isinstance(job.get("descriptionPlain"), str) else ""
        if len(plain.strip()) > 2 * len(text):  # the HTML cut short where the plain text is whole
            text = plain.strip()
        names = [job.get("location")] + [
            s.get("location") for s in job.get("secondaryLocations") or [] if isinstance(s, dict)
        ]
        names = [n for n in names if isinstance(n, str) and n.strip()]
        addresses = [_postal(job.get("address"))] + [
            _postal(s.get("address")) for s in job.get("secondaryLocations") or [] if isinstance(s, dict)
        ]
        locations = [a or {"name": n} for a, n in zip(addresses, names)] or None
        workplace = stated_workplace(job.get("workplaceType"))
        if workplace is None and job.get("isRemote"):
            workplace = "remote"
        published = lenient_datetime(job.get("publishedAt"))
        item = Document(
            url=job.get("jobUrl") or "",
            kind="posting",
            spider=self.name,
            source=seed.source,
            title=job.get("title"),
            text=text,
            raw=json.dumps(job, ensure_ascii=False),
            raw_type="json",
            extraction="ats",
            external_id=job.get("id"),
            company=seed.source,
            location_raw="; ".join(names) or None,
            locations=locations,
            employment_type=_EMPLOYMENT.get(str(job.get("employmentType") or "").lower(), job.get("employmentType")),
            stated_workplace=workplace,
            date_posted=published,
            published_at=published,
            department=job.get("department") or job.get("team"),
        )
        item.__dict__.update(_compensation(job.get("compensation")) or salary_fields_from_text(text, item.location_raw))
        return item


def _postal(address) -> dict | None:
    if not isinstance(address, dict):
        return None
    postal = address.get("postalAddress", address)
    if not isinstance(postal, dict):
        return None
    parts = {"locality": postal.get("addressLocality"), "region": postal.get("addressRegion"),
             "country": postal.get("addressCountry")}
    parts = {k: v for k, v in parts.items() if isinstance(v, str) and v.strip()}
    return parts or None


def _compensation(compensation) -> dict:
    if not isinstance(compensation, dict):
        return {}
    components = compensation.get("summaryComponents") or []
    for component in components:
        if not isinstance(component, dict):
            continue
        if str(component.get("compensationType", "")).lower() not in ("salary", "hourly", "base"):
            continue
        interval = str(component.get("interval") or "").lower()
        period = next((p for p in ("hour", "day", "week", "month", "year") if p in interval), None)
        return {"salary_min": component.get("minValue"), "salary_max": component.get("maxValue"),
                "salary_currency": component.get("currencyCode"), "salary_period": period}
    return {}
