"""What the job-board spiders with one listing per board share.

Recruitee, Personio, BambooHR, Teamtailor, Pinpoint, Rippling and Breezy each publish a
company's open jobs in one response (JSON or XML) at a URL made from the board token, some
with a detail response per job for what the listing leaves out. A subclass names its
setting (a URL template with ``{board}``, so tests and the demo point the same spider at a
local server), the path of its listing, how to find the jobs in the listing, and how one
job becomes a posting; :class:`BoardSpider` does the requests, the reporting of unusable
input and the fields every posting shares.
"""

from __future__ import annotations

import json
from typing import Any, Iterable
from urllib.parse import quote

import lxml.etree
import scrapy
from scrapy.exceptions import CloseSpider

from skillenai.core.dates import lenient_date, lenient_datetime
from skillenai.core.record import Document
from skillenai.crawler.ats import salary_fields_from_text
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.discovery import xml_document
from skillenai.crawler.spiders.base import SeededSpider


def board_url(template: str, board: str) -> str:
    """The setting's URL template with the board token in place of ``{board}``.

    >>> board_url("https://{board}.recruitee.com", "acme")
    'https://acme.recruitee.com'
    """
    if "{board}" not in template:
        raise ValueError(f"board URL template {template!r} has no {{board}} placeholder")
    return template.replace("{board}", quote(board, safe="")).rstrip("/")


def text_salary(text: Any, location: str | None = None) -> dict:
    """Salary fields from a pay string a source gives in a field of its own
    ("$60,000 - $75,000"); ``location`` says which dollar a bare "$" is."""
    if not isinstance(text, str) or not text.strip():
        return {}
    return salary_fields_from_text(f"Salary: {text.strip()}", location)


def pay_range(low: Any, high: Any, currency: Any, period: Any) -> dict:
    """Salary fields from a source's own pay fields (numbers or numeric strings); one bound
    stands for both when the other is missing; nothing when neither is a number."""
    numbers = []
    for value in (low, high):
        try:
            numbers.append(float(value) if value not in (None, "") else None)
        except (TypeError, ValueError):
            numbers.append(None)
    low, high = numbers
    if low is None and high is None:
        return {}
    return {"salary_min": low if low is not None else high, "salary_max": high if high is not None else low,
            "salary_currency": currency or None, "salary_period": period or None}


def join_places(names: Iterable[Any]) -> str | None:
    """Place names, each once, joined with "; " (the way location_raw lists several)."""
    kept = list(dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip()))
    return "; ".join(kept) or None


class BoardSpider(SeededSpider):
    """A spider reading one listing per board; subclasses set :attr:`url_setting`,
    :attr:`listing_path` and (for a JSON listing) :attr:`jobs_key`, implement
    :meth:`job_results`, and :meth:`jobs` when the listing is not a JSON list of objects."""

    url_setting = ""      # the setting holding the board URL template
    listing_path = ""     # appended to the board URL
    jobs_key: str | None = None          # where a JSON listing keeps its jobs (None: the body is the list)
    listing_name = "board response"      # what the listing is called in reports
    # The whole board in one response: conditional requests, postings missing from a fully
    # fetched board closed (skillenai/crawler/incremental.py).
    incremental = "board"

    async def start(self):
        template = self.settings.get(self.url_setting) or ""
        if "{board}" not in template:
            message = f"setting {self.url_setting} must be a URL template with {{board}}, got {template!r}"
            self.logger.error("%s", message)
            raise CloseSpider(message)
        async for request in super().start():
            yield request

    def requests_for(self, seed):
        yield self.listing_request(seed, self.base_url(seed) + self.listing_path)

    def base_url(self, seed) -> str:
        return board_url(self.settings.get(self.url_setting), seed.target)

    def listing_request(self, seed, url: str, callback=None, errback=None) -> scrapy.Request:
        return scrapy.Request(url, callback=callback or self.parse_board, errback=errback or self.request_failed,
                              cb_kwargs={"seed": seed}, meta={"incremental": self.incremental})

    def parse_board(self, response, seed):
        """Every job of one board: a posting each, or the request for its detail."""
        jobs = self.jobs(response, seed)
        if jobs is None:
            yield from self.no_jobs(seed)
            return
        for index, job in enumerate(jobs):
            if not isinstance(job, dict):
                self.bad_shape(response, f"job {index} is not an object")
                continue
            yield from self.job_results(job, seed, response)

    def jobs(self, response, seed) -> list | None:
        """The board's jobs (objects), or ``None`` after reporting why there are none; by
        default the JSON listing's :attr:`jobs_key` list."""
        return self.json_list(response, self.jobs_key, self.listing_name)

    def detail_request(self, url: str, seed, job: dict) -> scrapy.Request:
        """The request for a listed job's detail, answered by the subclass's ``parse_detail``."""
        return scrapy.Request(url, callback=self.parse_detail, errback=self.detail_failed,
                              cb_kwargs={"seed": seed, "listed": job})

    def detail_failed(self, failure):
        """A job's detail could not be fetched: reported, and the job kept as its listing
        gives it (with no description the store refuses it, and says so)."""
        self.request_failed(failure)
        request = failure.request
        yield from self.listed_posting(request.cb_kwargs["listed"], request.cb_kwargs["seed"])

    def listed_posting(self, job: dict, seed) -> Iterable[Any]:
        """The posting of a job as only its listing gives it (for :meth:`detail_failed`)."""
        return ()

    def no_jobs(self, seed) -> Iterable[Any]:
        """What to request when the listing gave no usable jobs (nothing by default)."""
        return ()

    def job_results(self, job: dict, seed, response) -> Iterable[Any]:
        """What one listed job gives: its posting, or a request for its detail."""
        raise NotImplementedError

    # Helpers for subclasses --------------------------------------------------------------

    def bad_shape(self, response, detail: str) -> None:
        report_skipped(self, response.url, "unexpected_api_shape", detail)

    def json_list(self, response, key: str | None, what: str) -> list | None:
        """The JSON body's list of jobs (the body itself when ``key`` is ``None``)."""
        data = self.json_body(response, f"{self.name} {what}")
        if data is None:
            return None
        jobs = data.get(key) if key is not None and isinstance(data, dict) else data
        if not isinstance(jobs, list):
            self.bad_shape(response, f"no {key!r} list in the {what}" if key else f"expected a JSON array in the {what}")
            return None
        return jobs

    def xml_elements(self, response, name: str, what: str) -> list | None:
        """The elements called ``name`` (any namespace) of an XML body, or ``None`` after
        reporting why the body is unusable; what the parser had to leave out is reported."""
        try:
            root, cuts = xml_document(response.body, f"{self.name} {what}")
        except ValueError as exc:
            report_skipped(self, response.url, "unparseable_xml", str(exc))
            return None
        if cuts:
            report_skipped(self, response.url, "xml_cut", str(cuts))
        return [e for e in root.iter() if isinstance(e.tag, str) and lxml.etree.QName(e).localname == name]

    def posting(self, seed, job: Any, *, url: str | None, title: Any, text: str, date: Any = None,
                raw_type: str = "json", **fields: Any) -> Document:
        """A posting of ``seed``'s board from ``job`` (kept as its raw record). ``date`` is
        the source's publication time: its calendar day as written is the posting's date.
        Without salary fields, the salary is read from the text."""
        item = Document(
            url=url or "", kind="posting", spider=self.name, source=seed.source,
            title=title.strip() if isinstance(title, str) else title, text=text,
            raw=job if isinstance(job, (bytes, str)) else json.dumps(job, ensure_ascii=False),
            raw_type=raw_type, extraction="ats",
            date_posted=lenient_date(date), published_at=lenient_datetime(date),
        )
        fields.setdefault("company", seed.source)
        if fields.get("salary_min") is None and fields.get("salary_max") is None:
            fields.update(salary_fields_from_text(text, fields.get("location_raw")))
        for key, value in fields.items():
            if value not in (None, "", [], {}):
                setattr(item, key, value)
        return item
