"""Workable accounts on ``apply.workable.com`` (``WORKABLE_API_URL``).

- ``POST {api}/api/v3/accounts/{account}/jobs`` lists the published jobs, a page at a
  time; each answer's ``nextPage`` token, sent back as ``token``, asks for the next;
- ``GET {api}/api/v2/accounts/{account}/jobs/{shortcode}`` gives each job's description,
  requirements and benefits (HTML);
- when the v3 listing cannot be read (an account without it, an error), the v1 widget
  ``GET {api}/api/v1/widget/accounts/{account}?details=true`` serves instead: one
  response with every job and its description, one entry per job and place (entries
  sharing a shortcode are one job in several places).

Job pages are ``{api}/{account}/j/{shortcode}/`` (v3) or the widget's ``url``.
"""

from __future__ import annotations

from urllib.parse import quote

import scrapy

from skillenai.core.dates import lenient_date, lenient_datetime
from skillenai.core.record import Document
from skillenai.crawler.ats import ats_posting, json_post, stated_workplace
from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.spiders.base import SeededSpider

_QUERY = {"query": "", "location": [], "department": [], "worktype": [], "remote": [], "workplace": []}
_TEXT_PARTS = ("description", "requirements", "benefits")
_PART_TITLES = {"requirements": "Requirements", "benefits": "Benefits"}


class WorkableSpider(SeededSpider):
    name = "workable"
    # Each page of a paged API is one level deeper than the last (DEPTH_LIMIT 6 would stop
    # a board after six pages); the API's own paging bounds it (until no nextPage token).
    custom_settings = {"DEPTH_LIMIT": 1000}

    def requests_for(self, seed):
        yield self.list_request(seed, None)

    def api(self) -> str:
        return self.settings.get("WORKABLE_API_URL").rstrip("/")

    def list_request(self, seed, token: str | None) -> scrapy.Request:
        return json_post(
            f"{self.api()}/api/v3/accounts/{quote(seed.target)}/jobs",
            dict(_QUERY, **({"token": token} if token else {})),
            callback=self.parse_list,
            errback=self.list_failed,
            cb_kwargs={"seed": seed, "token": token},
            # An account without the v3 listing answers 404: the widget serves, nothing failed.
            meta={"handle_httpstatus_list": [404], "has_fallback": token is None},
        )

    def widget_request(self, seed) -> scrapy.Request:
        return scrapy.Request(
            f"{self.api()}/api/v1/widget/accounts/{quote(seed.target)}?details=true",
            callback=self.parse_widget,
            errback=self.request_failed,
            cb_kwargs={"seed": seed},
            meta={"incremental": "board"},  # one response lists every job: skillenai/crawler/incremental.py
        )

    # v3 ----------------------------------------------------------------------------------------

    def parse_list(self, response, seed, token):
        """One page of an account's jobs (v3): a detail request for each, and the next page.

        @seed
        @returns requests 1
        """
        if response.status == 404:
            self.logger.info("workable account %r has no v3 listing (404): reading its v1 widget", seed.target)
            self.crawler.stats.inc_value("skillenai/workable/widget_fallback")
            if token is None:
                yield self.widget_request(seed)
            else:
                report_skipped(self, response.url, "fetch_failed", "HTTP 404 on a later page of the v3 listing")
            return
        found = self.json_list(response, f"workable v3 jobs of {seed.target!r}", "results")
        if found is None:
            if token is None:  # nothing read yet: the widget lists the same jobs
                yield self.widget_request(seed)
            return
        data, results = found
        for index, job in enumerate(results):
            shortcode = job.get("shortcode") if isinstance(job, dict) else None
            if not isinstance(shortcode, str) or not shortcode.strip():
                report_skipped(self, response.url, "unexpected_api_shape", f"results[{index}] has no shortcode")
                continue
            yield scrapy.Request(
                f"{self.api()}/api/v2/accounts/{quote(seed.target)}/jobs/{quote(shortcode)}",
                callback=self.parse_job,
                errback=self.request_failed,
                cb_kwargs={"seed": seed, "listed": job},
            )
        next_token = data.get("nextPage")
        if results and isinstance(next_token, str) and next_token and next_token != token:
            yield self.list_request(seed, next_token)

    def list_failed(self, failure):
        """The v3 listing failed: on its first page, the v1 widget is asked instead."""
        self.request_failed(failure)
        kwargs = failure.request.cb_kwargs
        if kwargs["token"] is None:
            return [self.widget_request(kwargs["seed"])]
        return []

    def parse_job(self, response, seed, listed):
        """One job's detail (v2), a posting."""
        detail = self.json_body(response, f"workable job {listed.get('shortcode')!r}")
        if detail is not None and not isinstance(detail, dict):
            report_skipped(self, response.url, "unexpected_api_shape", "the job response is not an object")
            detail = None
        yield self.v3_item(seed, {**listed, **(detail or {})})


    def v3_item(self, seed, job: dict) -> Document:
        places = [p for p in (job.get("locations") or [job.get("location")]) if isinstance(p, dict)]
        workplace = job.get("workplace") or ("remote" if job.get("remote") else None)
        department = job.get("department")
        return self._item(
            seed, job,
            url=job.get("url") or f"{self.api()}/{quote(seed.target)}/j/{quote(job['shortcode'])}/",
            company=seed.source,
            places=places,
            employment=job.get("type") or job.get("employment_type"),
            workplace=workplace,
            published=job.get("published") or job.get("published_on") or job.get("created_at"),
            department=department[0] if isinstance(department, list) and department else department,
        )

    # v1 widget ---------------------------------------------------------------------------------

    def parse_widget(self, response, seed):
        """Every job of an account (the v1 widget), each a posting; entries that share a
        shortcode (one per place) make one posting with all their places."""
        found = self.json_list(response, f"workable widget {seed.target!r}", "jobs")
        if found is None:
            return
        data, jobs = found
        merged: dict[str, dict] = {}
        for index, job in enumerate(jobs):
            if not isinstance(job, dict) or not (job.get("shortcode") or job.get("url")):
                report_skipped(self, response.url, "unexpected_api_shape", f"jobs[{index}] is not a job with a shortcode")
                continue
            key = job.get("shortcode") or job.get("url")
            if key in merged:
                merged[key]["locations"] = _places(merged[key]) + [p for p in _places(job) if p not in _places(merged[key])]
            else:
                merged[key] = dict(job, locations=_places(job))
        name = data.get("name") if isinstance(data.get("name"), str) and data["name"].strip() else seed.source
        for job in merged.values():
            yield self._item(
                seed, job,
                url=job.get("url") or job.get("shortlink") or f"{self.api()}/{quote(seed.target)}/j/{quote(job['shortcode'])}/",
                company=name,
                places=job["locations"],
                employment=job.get("employment_type"),
                workplace="remote" if job.get("telecommuting") else None,
                published=job.get("published_on") or job.get("created_at"),
                department=job.get("department"),
            )

    # both ----------------------------------------------------------------------------------------

    def _item(self, seed, job: dict, *, url, company, places, employment, workplace, published, department) -> Document:
        parts = []
        for key in _TEXT_PARTS:
            body = html_to_text(job.get(key) or "") if isinstance(job.get(key), str) else ""
            if body:
                parts += [_PART_TITLES[key], body] if key in _PART_TITLES else [body]
        text = "\n".join(parts)
        names = [_place_name(p) for p in places]
        names = list(dict.fromkeys(n for n in names if n))
        return ats_posting(
            self, seed, job,
            url=url,
            title=job.get("title"),
            text=text,
            external_id=str(job.get("shortcode") or job.get("id") or "") or None,
            requisition_id=_code(job),
            company=company,
            location_raw="; ".join(names) or None,
            locations=[{k: v for k, v in {"locality": p.get("city"), "region": p.get("region"),
                                          "country": p.get("countryCode") or p.get("country")}.items() if v}
                       for p in places] or None,
            employment_type=employment,
            stated_workplace=stated_workplace(workplace),
            date_posted=lenient_date(published),
            published_at=lenient_datetime(published),
            department=department if isinstance(department, str) and department.strip() else None,
        )


def _code(job: dict) -> str | None:
    """The employer's own job code (its requisition), when the job has one."""
    code = job.get("code")
    return code.strip() if isinstance(code, str) and code.strip() else None


def _places(job: dict) -> list[dict]:
    """A widget entry's places: its ``locations``, else its own country, state and city."""
    places = [p for p in job.get("locations") or [] if isinstance(p, dict) and not p.get("hidden")]
    if not places and any(job.get(k) for k in ("city", "state", "country")):
        places = [{"city": job.get("city"), "region": job.get("state"), "country": job.get("country")}]
    return places


def _place_name(place: dict) -> str:
    """"London, England, United Kingdom": the place's parts that are given, once each."""
    parts = [place.get("city"), place.get("region"), place.get("country")]
    return ", ".join(dict.fromkeys(p.strip() for p in parts if isinstance(p, str) and p.strip()))
