"""Workable accounts in the shape of ``apply.workable.com``: the v3 job search (``POST
/api/v3/accounts/{account}/jobs``, a page at a time, ``nextPage`` token), the v2 job detail
(``GET /api/v2/accounts/{account}/jobs/{shortcode}``) and the v1 widget (``GET
/api/v1/widget/accounts/{account}?details=true``).

An account is written as ``sites/workable/accounts/{account}.json``: ``{"name", "jobs"}``,
each job the v2 detail record and its public ``url``. The accounts in the server's
``workable_widget_only`` answer the v3 search with a 404, as accounts without it do, so the
widget serves.
"""

import base64
import json

from . import datafiles
from .ats import ASHBY_STYLE, _dept_name
from .hosted import job_page
from .rand import rng
from .text import render_html, render_plain

TYPE = {"FULL_TIME": "full", "PART_TIME": "part", "CONTRACTOR": "contract", "INTERN": "internship",
        "TEMPORARY": "temporary"}
WIDGET_TYPE = {"FULL_TIME": "Full-time", "PART_TIME": "Part-time", "CONTRACTOR": "Contract", "INTERN": "Internship",
               "TEMPORARY": "Temporary"}
WORKPLACE = {"onsite": "on_site", "hybrid": "hybrid", "remote": "remote"}
PAGE_SIZE = 10
V3_ONLY = ("id", "shortcode", "title", "remote", "location", "locations", "state", "isInternal", "code",
           "published", "type", "language", "department", "accountUid", "approvalStatus", "workplace")


def public_url(account: str, shortcode: str) -> str:
    return f"http://workable.sample.test/{account}/j/{shortcode}/"


def _place(p) -> dict:
    return {"country": p.country_name, "countryCode": p.country, "city": p.name,
            "region": p.state or p.admin1 or "", "hidden": False}


def places(doc) -> list:
    """The job's places as Workable gives them: its cities, else its remote scope's countries."""
    countries = datafiles.load("places")["countries"]
    if doc.spec.cities:
        return [_place(p) for p in doc.spec.cities]
    codes = (doc.spec.scope or {}).get("countries") or []
    return [{"country": countries[c]["name"], "countryCode": c, "city": "", "region": "", "hidden": False}
            for c in codes if c in countries]


def location_text(places_: list) -> str | None:
    """The location string the crawler builds from the places (city, region, country)."""
    names = [", ".join(dict.fromkeys(x for x in (p["city"], p["region"], p["country"]) if x)) for p in places_]
    return "; ".join(dict.fromkeys(n for n in names if n)) or None


def workable_job(doc, seed) -> tuple:
    """(v2 detail record, plain description lines) of one Workable job."""
    job, company = doc.job, doc.job.company
    r = rng(seed, "workable", doc.doc_id)
    where = places(doc)
    record = {
        "id": r.randint(1_000_000, 9_999_999),
        "shortcode": doc.doc_id,
        "title": doc.title.text,
        "remote": doc.spec.workplace == "remote",
        "location": where[0] if where else {"country": "", "countryCode": "", "city": "", "region": ""},
        "locations": where,
        "state": "published",
        "isInternal": False,
        "code": "",
        "published": doc.posted.date().isoformat() + "T00:00:00.000Z",
        "type": TYPE[job.employment],
        "language": "en",
        "department": [_dept_name(job)],
        "accountUid": company.slug,
        "approvalStatus": "approved",
        "workplace": WORKPLACE[doc.spec.workplace],
        "description": render_html(doc.blocks, ASHBY_STYLE),
        "requirements": "",
        "benefits": "",
        "url": doc.url,
        "employment_type": WIDGET_TYPE[job.employment],
    }
    return record, render_plain(doc.blocks, ASHBY_STYLE)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def _offset(token) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))["offset"])
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"bad token {token!r}") from None


def search(board: dict, body: dict) -> tuple:
    """(status, response) of one page of the v3 job search."""
    try:
        offset = _offset(body["token"]) if body.get("token") else 0
    except ValueError as exc:
        return 400, {"error": str(exc)}
    jobs = board["jobs"]
    page = [{k: j[k] for k in V3_ONLY} for j in jobs[offset:offset + PAGE_SIZE]]
    response = {"total": len(jobs), "results": page}
    if offset + PAGE_SIZE < len(jobs):
        response["nextPage"] = _token(offset + PAGE_SIZE)
    return 200, response


def job(board: dict, shortcode: str) -> tuple:
    for j in board["jobs"]:
        if j["shortcode"] == shortcode:
            return 200, {k: v for k, v in j.items() if k not in ("url", "employment_type")}
    return 404, {"error": "Not found"}


def widget(board: dict) -> tuple:
    """The v1 widget: every job, one entry per place, with its description."""
    entries = []
    for j in board["jobs"]:
        for place in j["locations"] or [{"country": "", "countryCode": "", "city": "", "region": ""}]:
            entries.append({
                "title": j["title"], "shortcode": j["shortcode"], "code": j["code"],
                "employment_type": j["employment_type"], "telecommuting": j["remote"],
                "department": j["department"][0] if j["department"] else "", "url": j["url"],
                "shortlink": j["url"], "application_url": j["url"] + "apply/",
                "published_on": j["published"][:10], "created_at": j["published"][:10],
                "country": place["country"], "city": place["city"], "state": place["region"],
                "locations": [place], "description": j["description"]})
    return 200, {"name": board["name"], "description": "", "jobs": entries}


def page(board: dict, shortcode: str):
    """The hosted page of job ``shortcode``, or None."""
    for j in board["jobs"]:
        if j["shortcode"] == shortcode:
            return job_page(j["title"], j["url"], location_text(j["locations"]) or "", j["description"], "wk-job")
    return None
