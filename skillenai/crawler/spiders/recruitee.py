"""Recruitee career sites: ``GET {RECRUITEE_URL}/api/offers/``, every published offer at once."""

from __future__ import annotations

import re

from skillenai.crawler.issues import report_skipped
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.spiders.boards import BoardSpider, join_places, pay_range

# Below this a yearly amount is no salary: Recruitee boards give "75.00"-"95.00" a year
# where the employer meant thousands, and nothing says so.
_LEAST_YEARLY = 1000


class RecruiteeSpider(BoardSpider):
    name = "recruitee"
    url_setting = "RECRUITEE_URL"
    listing_path = "/api/offers/"
    jobs_key, listing_name = "offers", "offers response"

    def job_results(self, job, seed, response):
        if job.get("status") not in (None, "published"):
            return
        text = "\n".join(t for t in (html_to_text(job.get("description")), html_to_text(job.get("requirements"))) if t)
        places = [_place(p) for p in job.get("locations") or [] if isinstance(p, dict)]
        location = join_places(p["name"] for p in places if p.get("name")) or job.get("location")
        salary = _salary(job.get("salary"))
        if salary and salary["salary_period"] == "year" and (salary["salary_max"] or salary["salary_min"]) < _LEAST_YEARLY:
            report_skipped(self, job.get("careers_url") or response.url, "implausible_salary",
                           f"{salary['salary_min']}-{salary['salary_max']} {salary['salary_currency']} a year; left out")
            salary = {}
        yield self.posting(
            seed, job, url=job.get("careers_url") or job.get("url"), title=job.get("title"), text=text,
            date=_utc(job.get("published_at") or job.get("created_at")),
            external_id=str(job["id"]) if job.get("id") is not None else None,
            company=job.get("company_name") or seed.source,
            location_raw=location, locations=places or None,
            employment_type=_employment(job.get("employment_type_code")),
            stated_workplace="remote" if job.get("remote") else "hybrid" if job.get("hybrid") else
            "onsite" if job.get("on_site") else None,
            department=job.get("department"), **salary)


def _utc(value):
    """Recruitee's "2026-08-11 20:45:29 UTC" as an ISO time with its offset."""
    return re.sub(r"\s*UTC$", "+00:00", value.strip()) if isinstance(value, str) else value


def _place(location: dict) -> dict:
    """One of an offer's locations: "City, State, Country" as Recruitee writes ``location``."""
    parts = [location.get(k) for k in ("city", "state", "country")]
    name = ", ".join(dict.fromkeys(p.strip() for p in parts if isinstance(p, str) and p.strip()))
    place = {"name": name or location.get("name"), "locality": location.get("city"), "region": location.get("state"),
             "country": location.get("country_code") or location.get("country")}
    return {k: v for k, v in place.items() if v}


def _salary(salary) -> dict:
    if not isinstance(salary, dict):
        return {}
    return pay_range(salary.get("min"), salary.get("max"), salary.get("currency"), salary.get("period"))


def _employment(code):
    """Recruitee's employment_type_code: "fulltime_permanent", "parttime_fixed_term",
    "freelance", "internship", "traineeship"…; a fixed term is temporary work."""
    if not isinstance(code, str):
        return None
    if code.endswith("fixed_term"):
        return "temporary"
    return {"traineeship": "intern"}.get(code, code)
