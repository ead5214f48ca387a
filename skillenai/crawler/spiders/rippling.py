"""Rippling job boards: ``GET {RIPPLING_URL}/jobs`` lists the board's jobs (one entry per job
and work location), then ``GET {RIPPLING_URL}/jobs/{uuid}`` gives each job's description,
locations, employment type, date and pay range."""

from __future__ import annotations

from skillenai.crawler.ats import stated_workplace
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.spiders.boards import BoardSpider, join_places, pay_range


class RipplingSpider(BoardSpider):
    name = "rippling"
    url_setting = "RIPPLING_URL"
    listing_path = "/jobs"

    def jobs(self, response, seed):
        jobs = super().jobs(response, seed)
        if jobs is None:
            return None
        # The board lists a job once per work location: one detail request each job.
        merged: dict[str, dict] = {}
        for job in jobs:
            if isinstance(job, dict) and job.get("uuid"):
                entry = merged.setdefault(str(job["uuid"]), {**job, "places": []})
                label = (job.get("workLocation") or {}).get("label") if isinstance(job.get("workLocation"), dict) else None
                entry["places"].append(label)
            else:
                merged[f"#{len(merged)}"] = job
        return list(merged.values())

    def job_results(self, job, seed, response):
        if not job.get("uuid"):
            self.bad_shape(response, f"a job without a uuid ({job.get('name')!r})")
            return
        yield self.detail_request(f"{self.base_url(seed)}/jobs/{job['uuid']}", seed, job)

    def listed_posting(self, job, seed):
        if job.get("name"):
            yield self.job_posting({}, job, seed)

    def parse_detail(self, response, seed, listed):
        job = self.json_body(response, "rippling job detail")
        if job is None:
            return
        if not isinstance(job, dict):
            self.bad_shape(response, "the job detail is not an object")
            return
        yield self.job_posting(job, listed, seed)

    def job_posting(self, job: dict, listed: dict, seed):
        """The posting of a job from its detail (``{}`` when there is none) and its listing."""
        description = job.get("description")
        parts = description.values() if isinstance(description, dict) else [description]
        places = [p.get("label") if isinstance(p, dict) else p for p in job.get("workLocations") or []]
        location = join_places(places) or join_places(listed.get("places") or [])
        employment = job.get("employmentType")
        department = job.get("department") or listed.get("department")
        return self.posting(
            seed, job or listed, url=job.get("url") or listed.get("url"), title=job.get("name") or listed.get("name"),
            text="\n".join(t for t in map(html_to_text, parts) if t), date=job.get("createdOn"),
            external_id=str(listed["uuid"]), location_raw=location,
            locations=[{"name": p} for p in (location or "").split("; ") if p] or None,
            employment_type=(employment.get("label") or employment.get("id")) if isinstance(employment, dict) else employment,
            stated_workplace=stated_workplace(job.get("workplaceType")) or ("remote" if location and location.lower().startswith("remote") else None),
            department=department.get("label") if isinstance(department, dict) else department,
            **_pay(job.get("payRangeDetails")))


def _pay(ranges) -> dict:
    """The first pay range: ``{rangeStart, rangeEnd, currency, frequency}``."""
    for pay in ranges if isinstance(ranges, list) else []:
        found = pay_range(pay.get("rangeStart"), pay.get("rangeEnd"), pay.get("currency"), pay.get("frequency")) \
            if isinstance(pay, dict) else {}
        if found:
            return found
    return {}
