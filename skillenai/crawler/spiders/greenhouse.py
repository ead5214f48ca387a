"""Greenhouse job boards: ``GET {GREENHOUSE_API_URL}/{token}/jobs?content=true&pay_transparency=true``.

With ``pay_transparency=true`` a board that publishes pay ranges gives each job's
``pay_input_ranges`` (``min_cents``, ``max_cents``, ``currency_type``, ``title``,
``blurb``): the first range is the posting's salary. Without one, the salary is read from
the description (the pay box Greenhouse renders into ``content``).
"""

from __future__ import annotations

import json
from urllib.parse import quote

import scrapy

from skillenai.core.dates import lenient_date, lenient_datetime
from skillenai.core.record import Document
from skillenai.crawler.ats import salary_fields_from_text
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.spiders.base import SeededSpider


class GreenhouseSpider(SeededSpider):
    name = "greenhouse"

    def requests_for(self, seed):
        base = self.settings.get("GREENHOUSE_API_URL").rstrip("/")
        yield scrapy.Request(
            f"{base}/{quote(seed.target)}/jobs?content=true&pay_transparency=true",
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
        data = self.json_body(response, f"greenhouse board {seed.target!r}")
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            if data is not None:
                self.report_bad_board(response, "no 'jobs' list in the board response")
            return
        for index, job in enumerate(jobs):
            if not isinstance(job, dict):
                self.report_bad_board(response, f"jobs[{index}] is not an object")
                continue
            yield self.job_item(job, seed)

    def report_bad_board(self, response, detail):
        report_skipped(self, response.url, "unexpected_api_shape", detail)

    def job_item(self, job: dict, seed) -> Document:
        text = html_to_text(job.get("content") or "")
        location = (job.get("location") or {}).get("name") if isinstance(job.get("location"), dict) else None
        departments = job.get("departments") or []
        offices = job.get("offices") or []
        item = Document(
            url=job.get("absolute_url") or "",
            kind="posting",
            spider=self.name,
            source=seed.source,
            title=job.get("title"),
            text=text,
            raw=json.dumps(job, ensure_ascii=False),
            raw_type="json",
            extraction="ats",
            external_id=str(job.get("id")) if job.get("id") is not None else None,
            requisition_id=_requisition(job),
            company=job.get("company_name") or seed.source,
            location_raw=location,
            locations=[o.get("location") or o.get("name") for o in offices if isinstance(o, dict)] or None,
            date_posted=lenient_date(job.get("first_published") or job.get("updated_at")),
            published_at=lenient_datetime(job.get("first_published") or job.get("updated_at")),
            department=(departments[0] or {}).get("name") if departments and isinstance(departments[0], dict) else None,
            employment_type=_metadata(job, ("employment type", "job type", "commitment")),
        )
        item.__dict__.update(pay_range(job.get("pay_input_ranges")) or salary_fields_from_text(text, location))
        return item


def pay_range(ranges) -> dict:
    """Salary fields from a job's first usable ``pay_input_ranges`` entry (amounts in cents).
    Greenhouse gives no period: the range's title or blurb may name one ("Hourly pay
    range"); else a top under 1,000 a unit is per hour, and the rest per year.

    >>> pay_range([{"min_cents": 15000000, "max_cents": 19000000, "currency_type": "USD", "title": "US"}])
    {'salary_min': 150000.0, 'salary_max': 190000.0, 'salary_currency': 'USD', 'salary_period': 'year'}
    """
    for entry in ranges if isinstance(ranges, list) else []:
        if not isinstance(entry, dict):
            continue
        low, high = _cents(entry.get("min_cents")), _cents(entry.get("max_cents"))
        if low is None and high is None:
            continue
        words = f"{entry.get('title') or ''} {entry.get('blurb') or ''}".lower()
        period = next((p for p, word in _PERIOD_WORDS if word in words), None)
        if period is None:
            period = "hour" if max(v for v in (low, high) if v is not None) < 1000 else "year"
        currency = entry.get("currency_type")
        return {"salary_min": low, "salary_max": high,
                "salary_currency": currency.strip().upper() if isinstance(currency, str) and currency.strip() else None,
                "salary_period": period}
    return {}


_PERIOD_WORDS = (("hour", "hour"), ("day", "daily"), ("week", "week"), ("month", "month"), ("year", "annual"),
                 ("year", "year"))


def _cents(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number / 100 if number > 0 else None


def _metadata(job: dict, names: tuple) -> str | None:
    """The value of the job's first custom field (``metadata``) with one of ``names``."""
    for field in job.get("metadata") or []:
        if isinstance(field, dict) and str(field.get("name") or "").strip().lower() in names:
            value = field.get("value")
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _requisition(job: dict) -> str | None:
    """Greenhouse's internal job id (the job its posts belong to), else the employer's
    requisition id."""
    for key in ("internal_job_id", "requisition_id"):
        value = job.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None
