"""Workday career sites through their CXS API.

A source's target is the career site's URL as candidates see it:
``https://{tenant}.wd5.myworkdayjobs.com/[en-US/]{site}`` or
``https://wd5.myworkdaysite.com/[en-US/]recruiting/{tenant}/{site}``. The spider asks

- ``POST {api}/wday/cxs/{tenant}/{site}/jobs`` with ``{"appliedFacets": {...}, "limit": 20,
  "offset": N, "searchText": ""}`` for the listing, 20 jobs a page. Workday stops at
  ``WORKDAY_RESULT_CAP`` (2,000) results per query and gives the query's ``total`` on its
  first page only; a query with more is split by the facets it offers (locations, job
  families, ...), each value queried alone, and further split while still over the cap;
- ``GET {api}/wday/cxs/{tenant}/{site}{externalPath}`` for each job's detail JSON
  (``jobPostingInfo``: description, places, ``startDate``, ``timeType``, ``jobReqId``).

``{api}`` is the target's own origin, or ``WORKDAY_API_URL`` when that is set (a mirror,
the sample web). A job listed under several facet values is fetched once. The listing's
fields fill what the detail lacks (the requisition id in ``bulletFields`` or at the end of
``externalPath``, ``postedOn``); a job whose detail cannot be fetched is reported
(``fetch_failed``) and not stored: without its description it has no text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

import scrapy

from skillenai.core.dates import lenient_date
from skillenai.core.record import Document
from skillenai.crawler.ats import ats_posting, json_post, stated_workplace
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.seeds import workday_site
from skillenai.crawler.spiders.base import SeededSpider

PAGE_SIZE = 20  # the most the CXS API returns per request
_RELATIVE = re.compile(r"posted\s+(today|yesterday|(\d+)\+?\s+days?\s+ago)", re.IGNORECASE)
_REQ_ID = re.compile(r"_((?:[A-Z]{1,5}-?)?\d{3,})(?:-\d+)?$")


def posted_on(text: str | None, today: dt.date) -> str | None:
    """The day a listing's ``postedOn`` ("Posted Today", "Posted 3 Days Ago") names, counted
    back from ``today``; ``None`` for "Posted 30+ Days Ago" (no day is known) and the unknown.

    >>> posted_on("Posted 3 Days Ago", dt.date(2026, 5, 9)), posted_on("Posted 30+ Days Ago", dt.date(2026, 5, 9))
    ('2026-05-06', None)
    """
    match = _RELATIVE.search(text or "")
    if not match or "+" in match.group(0):
        return None
    word = match.group(1).lower()
    days = 0 if word == "today" else 1 if word == "yesterday" else int(match.group(2))
    return (today - dt.timedelta(days=days)).isoformat()


class WorkdaySpider(SeededSpider):
    name = "workday"
    # Each page of a paged API is one level deeper than the last (DEPTH_LIMIT 6 would stop
    # a board after six pages); the API's own paging bounds it (until the search's total).
    custom_settings = {"DEPTH_LIMIT": 1000}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._seen_jobs: dict = {}  # seed -> externalPaths asked for (facet values overlap)

    def requests_for(self, seed):
        site = workday_site(seed.target)
        if site is None:  # the sources file checks this; a -a target= may still be wrong
            report_skipped(self, seed.target, "bad_seed_row", "not a Workday career site URL "
                           "(https://TENANT.wdN.myworkdayjobs.com/SITE or https://wdN.myworkdaysite.com/recruiting/TENANT/SITE)")
            return
        yield self.search_request(seed, {}, 0)

    # listing ---------------------------------------------------------------------------------

    def api_base(self, seed) -> str:
        origin, tenant, site = workday_site(seed.target)
        base = (self.settings.get("WORKDAY_API_URL") or origin).rstrip("/")
        return f"{base}/wday/cxs/{quote(tenant)}/{quote(site)}"

    def search_request(self, seed, facets: dict, offset: int) -> scrapy.Request:
        return json_post(f"{self.api_base(seed)}/jobs",
                         {"appliedFacets": facets, "limit": PAGE_SIZE, "offset": offset, "searchText": ""},
                         callback=self.parse_search, errback=self.request_failed,
                         cb_kwargs={"seed": seed, "facets": facets, "offset": offset})

    def parse_search(self, response, seed, facets, offset):
        """One page of a search: a detail request per job not seen yet; on the first page,
        the other pages, or (over the result cap) one search per value of a facet.

        @seed
        @returns requests 1
        """
        found = self.json_list(response, f"workday search of {seed.target!r}", "jobPostings")
        if found is None:
            return
        data, postings = found
        if offset == 0:
            total = data.get("total")
            total = total if isinstance(total, int) and total >= 0 else len(postings)
            cap = self.settings.getint("WORKDAY_RESULT_CAP", 2000)
            if total > cap:
                split = _split_facet(data.get("facets"), facets)
                if split is not None:
                    param, values = split
                    self.crawler.stats.inc_value("skillenai/workday/facet_splits")
                    for value in values:
                        yield self.search_request(seed, {**facets, param: [value]}, 0)
                    return
                report_skipped(self, response.url, "result_cap",
                               f"{total} jobs match {json.dumps(facets, sort_keys=True)} and no facet is left to split "
                               f"them by: only the first {cap} are read")
            for next_offset in range(PAGE_SIZE, min(total, cap), PAGE_SIZE):
                yield self.search_request(seed, facets, next_offset)
        seen = self._seen_jobs.setdefault(seed, set())
        for index, job in enumerate(postings):
            path = job.get("externalPath") if isinstance(job, dict) else None
            if not isinstance(path, str) or not path.startswith("/"):
                report_skipped(self, response.url, "unexpected_api_shape",
                               f"jobPostings[{index}] has no externalPath")
                continue
            if path in seen:
                continue
            seen.add(path)
            yield scrapy.Request(
                self.api_base(seed) + quote(path, safe="/%:@!$&'()*+,;=-._~"),
                callback=self.parse_job,
                errback=self.request_failed,
                cb_kwargs={"seed": seed, "listed": job},
            )

    # one job -----------------------------------------------------------------------------------

    def parse_job(self, response, seed, listed):
        """One job's detail JSON, a posting."""
        data = self.json_body(response, f"workday job {listed.get('externalPath')!r}")
        info = data.get("jobPostingInfo") if isinstance(data, dict) else None
        if not isinstance(info, dict):
            if data is not None:
                report_skipped(self, response.url, "unexpected_api_shape", "no 'jobPostingInfo' object in the job response")
            return
        organization = data.get("hiringOrganization") if isinstance(data.get("hiringOrganization"), dict) else {}
        yield self.job_item(seed, listed, info, organization)

    def job_item(self, seed, listed: dict, info: dict, organization: dict) -> Document:
        origin, _tenant, site = workday_site(seed.target)
        path = listed.get("externalPath") or ""
        url = info.get("externalUrl") or f"{origin}/{site}{path}"
        text = html_to_text(info.get("jobDescription") or "")
        names = [info.get("location")] + list(info.get("additionalLocations") or [])
        names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
        if not names and isinstance(listed.get("locationsText"), str) and not re.match(r"\d+ Locations?$",
                                                                                       listed["locationsText"]):
            names = [listed["locationsText"].strip()]
        country = info.get("country") if isinstance(info.get("country"), dict) else {}
        started = lenient_date(info.get("startDate")) or posted_on(info.get("postedOn") or listed.get("postedOn"),
                                                                   self.run_date())
        bullets = [b for b in listed.get("bulletFields") or [] if isinstance(b, str)]
        requisition = info.get("jobReqId") or _requisition(path, bullets)
        return ats_posting(
            self, seed, {"listed": listed, "jobPostingInfo": info, "hiringOrganization": organization},
            url=url,
            title=info.get("title") or listed.get("title"),
            text=text,
            external_id=str(info.get("jobPostingId") or info.get("id") or path) or None,
            requisition_id=str(requisition) if requisition else None,
            company=organization.get("name") or seed.source,
            location_raw="; ".join(names) or None,
            locations=[{"name": n, **({"country": country["descriptor"]} if country.get("descriptor") else {})}
                       for n in names] or None,
            employment_type=info.get("timeType"),
            stated_workplace=stated_workplace(info.get("remoteType")),
            date_posted=started,
            published_at=started,
        )

    def run_date(self) -> dt.date:
        """The day relative dates ("Posted 3 Days Ago") count from: SKILLENAI_RUN_DATE, else today (UTC)."""
        value = self.settings.get("SKILLENAI_RUN_DATE")
        return dt.date.fromisoformat(value) if value else dt.datetime.now(dt.timezone.utc).date()


def _requisition(path: str, bullets: list[str]) -> str | None:
    """The requisition id a listing shows (``bulletFields``, or the end of its path: ``..._JR354232``)."""
    for bullet in bullets:
        if _REQ_ID.search("_" + bullet.strip()):
            return bullet.strip()
    match = _REQ_ID.search(path)
    return match.group(1) if match else None


def _split_facet(facets, applied: dict) -> tuple[str, list[str]] | None:
    """The first facet not applied yet that divides the results (two values or more):
    ``(parameter, [value id, ...])``. Workday nests some facets in groups
    (``locationMainGroup`` holds ``locations``)."""
    for facet in _flat_facets(facets):
        param = facet.get("facetParameter")
        if not isinstance(param, str) or param in applied:
            continue
        ids = [v.get("id") for v in facet.get("values") or [] if isinstance(v, dict) and isinstance(v.get("id"), str)]
        if len(ids) >= 2:
            return param, ids
    return None


def _flat_facets(facets):
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict):
            continue
        values = facet.get("values") or []
        if values and all(isinstance(v, dict) and "facetParameter" in v for v in values):
            yield from _flat_facets(values)
        else:
            yield facet
