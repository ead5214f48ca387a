"""BambooHR career sites: ``GET {BAMBOOHR_URL}/careers/list`` for the open jobs, then
``GET {BAMBOOHR_URL}/careers/{id}/detail`` for each (its description, date and pay). When
the list cannot be read, the jobs are taken from the embed widget
(``{BAMBOOHR_URL}/jobs/embed2.php``) instead; a job's page is ``{BAMBOOHR_URL}/careers/{id}``."""

from __future__ import annotations

import re

import scrapy

from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.parsing.pages import parse_html
from skillenai.crawler.spiders.boards import BoardSpider, join_places, text_salary

_JOB_LINK = re.compile(r"/careers/(\d+)/?(?:[?#].*)?$")
# locationType: "0" at the location, "1" remote, "2" hybrid.
_LOCATION_TYPES = {"0": "onsite", "1": "remote", "2": "hybrid"}


class BambooHRSpider(BoardSpider):
    name = "bamboohr"
    url_setting = "BAMBOOHR_URL"
    listing_path = "/careers/list"
    jobs_key, listing_name = "result", "careers list"

    def requests_for(self, seed):
        yield self.listing_request(seed, self.base_url(seed) + self.listing_path, errback=self.list_failed)

    def list_failed(self, failure):
        from skillenai.crawler.incremental import NotModified

        self.request_failed(failure)
        if not failure.check(NotModified):  # unchanged since the last crawl: nothing to read
            yield self.embed_request(failure.request.cb_kwargs["seed"])

    def embed_request(self, seed) -> scrapy.Request:
        return scrapy.Request(self.base_url(seed) + "/jobs/embed2.php", callback=self.parse_embed,
                              errback=self.request_failed, cb_kwargs={"seed": seed})

    def no_jobs(self, seed):
        yield self.embed_request(seed)

    def parse_embed(self, response, seed):
        """The jobs the embed widget links to, each a request for its detail."""
        tree = parse_html(response.body)
        if tree is None:
            self.bad_shape(response, "unparseable embed widget")
            return
        ids = [m.group(1) for m in map(_JOB_LINK.search, tree.xpath("//a/@href")) if m]
        if not ids:
            self.bad_shape(response, "no job links in the embed widget")
        for job_id in dict.fromkeys(ids):
            yield from self.job_results({"id": job_id}, seed, response)

    def job_results(self, job, seed, response):
        if job.get("id") in (None, ""):
            self.bad_shape(response, f"a job without an id ({job.get('jobOpeningName')!r})")
            return
        yield self.detail_request(f"{self.base_url(seed)}/careers/{job['id']}/detail", seed, job)

    def listed_posting(self, job, seed):
        if job.get("jobOpeningName"):
            yield self.opening_posting(job, job, seed)

    def parse_detail(self, response, seed, listed):
        data = self.json_body(response, "bamboohr job detail")
        if data is None:
            return
        result = data.get("result") if isinstance(data, dict) else None
        opening = result.get("jobOpening") if isinstance(result, dict) else None
        if not isinstance(opening, dict):
            self.bad_shape(response, "no result.jobOpening in the job detail")
            return
        yield self.opening_posting({**listed, **opening}, opening, seed)

    def opening_posting(self, job: dict, raw: dict, seed):
        location = _location(job.get("location")) or _location(job.get("atsLocation"))
        remote = job.get("isRemote")
        return self.posting(
            seed, raw, url=job.get("jobOpeningShareUrl") or f"{self.base_url(seed)}/careers/{job['id']}",
            title=job.get("jobOpeningName"), text=html_to_text(job.get("description")), date=job.get("datePosted"),
            external_id=str(job["id"]), location_raw=location,
            employment_type=job.get("employmentStatusLabel"),
            stated_workplace="remote" if remote is True else _LOCATION_TYPES.get(str(job.get("locationType"))),
            department=(job.get("departmentLabel") or "").strip() or None,
            **text_salary(job.get("compensation"), location))


def _location(place) -> str | None:
    if not isinstance(place, dict):
        return None
    return join_places([", ".join(p for p in (place.get("city"), place.get("state") or place.get("province"),
                                              place.get("country") or place.get("addressCountry")) if isinstance(p, str) and p.strip())])
