"""Workday career sites in the shape of the CXS API: the search (``POST
/wday/cxs/{tenant}/{site}/jobs``) and each job's detail (``GET /wday/cxs/{tenant}/{site}/job/...``).

A board is written as ``sites/workday/boards/{tenant}/{site}.json``: ``{"jobs": [...]}``,
each job its detail record (``jobPostingInfo``, ``hiringOrganization``), its search entry
(``listed``), its facet values (``facets``) and its public ``url``. The server answers
searches from it as Workday does: 20 jobs a page at most, ``total`` on the first page only
(0 on the others), nothing past the result cap (2,000, or the server's
``workday_result_cap``), facets with counts, and ``appliedFacets`` filtering (values of one
facet OR-ed, facets AND-ed).
"""

import datetime as dt
import hashlib
import re

from .ats import ASHBY_STYLE, _dept_name
from .hosted import job_page
from .text import render_html, render_plain

TIME_TYPE = {"PART_TIME": "Part time"}  # the rest are full time
REMOTE_TYPE = {"remote": "Remote", "hybrid": "Hybrid"}
PAGE_LIMIT = 20
RESULT_CAP = 2000


def board_site(company) -> tuple:
    """(tenant, site) of a company's Workday career site."""
    tenant, site = company.board.split("/", 1)
    return tenant, site


def seed_target(company) -> str:
    tenant, site = board_site(company)
    return f"http://workday.sample.test/recruiting/{tenant}/{site}"


def external_path(doc) -> str:
    place = doc.spec.cities[0].name if doc.spec.cities else "Remote"
    slug = lambda text: re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")  # noqa: E731
    return f"/job/{slug(place)}/{slug(doc.title.text)}_{doc.doc_id}"


def public_url(company, path: str) -> str:
    tenant, site = board_site(company)
    return f"http://workday.sample.test/en-US/recruiting/{tenant}/{site}{path}"


def _facet_id(kind: str, value: str) -> str:
    return hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=16).hexdigest()


def workday_job(doc, seed) -> tuple:
    """(board record, plain description lines) of one job on a Workday career site."""
    job, company = doc.job, doc.job.company
    path = external_path(doc)
    lines = render_plain(doc.blocks, ASHBY_STYLE)
    time_type = TIME_TYPE.get(job.employment, "Full time")
    family = _dept_name(job)
    country = doc.spec.cities[0].country_name if doc.spec.cities else None
    info = {
        "id": hashlib.blake2b(str(doc.doc_id).encode(), digest_size=16).hexdigest(),
        "title": doc.title.text,
        "jobDescription": render_html(doc.blocks, ASHBY_STYLE),
        "location": doc.location_raw,
        "additionalLocations": [],
        "postedOn": "",  # filled in by the server, relative to the day it answers
        "startDate": doc.posted.date().isoformat(),
        "timeType": time_type,
        "jobReqId": doc.doc_id,
        "jobPostingId": path.rsplit("/", 1)[1],
        "jobPostingSiteId": board_site(company)[1],
        "country": {"descriptor": country, "id": _facet_id("country", country)} if country else None,
        "canApply": True,
        "posted": True,
        "includeResumeParsing": True,
        "externalUrl": public_url(company, path),
        "questionnaireId": _facet_id("questionnaire", company.slug),
    }
    if doc.spec.workplace in REMOTE_TYPE:
        info["remoteType"] = REMOTE_TYPE[doc.spec.workplace]
    record = {
        "url": info["externalUrl"],
        "listed": {"title": doc.title.text, "externalPath": path, "locationsText": doc.location_raw,
                   "postedOn": "", "bulletFields": [doc.doc_id]},
        "facets": {"locations": [[_facet_id("location", doc.location_raw), doc.location_raw]],
                   "jobFamilyGroup": [[_facet_id("family", family), family]],
                   "timeType": [[_facet_id("time", time_type), time_type]]},
        "jobPostingInfo": info,
        "hiringOrganization": {"name": company.name, "url": ""},
    }
    return record, lines


def posted_on(start: str, as_of) -> str:
    """Workday's relative date for a job that started on ``start`` (ISO), seen on ``as_of``."""
    days = (as_of - dt.date.fromisoformat(start)).days
    if days <= 0:
        return "Posted Today"
    if days == 1:
        return "Posted Yesterday"
    return "Posted 30+ Days Ago" if days > 30 else f"Posted {days} Days Ago"


def search(jobs: list, body: dict, as_of, cap: int = RESULT_CAP) -> tuple:
    """(status, response) of a CXS search over a board's ``jobs``."""
    try:
        limit, offset = int(body.get("limit", PAGE_LIMIT)), int(body.get("offset", 0))
        applied = body.get("appliedFacets") or {}
        if not isinstance(applied, dict):
            raise ValueError
    except (TypeError, ValueError, AttributeError):
        return 400, {"errorCode": "S22", "httpStatus": 400, "message": "Invalid request"}
    if not 1 <= limit <= PAGE_LIMIT or offset < 0:
        return 400, {"errorCode": "S22", "httpStatus": 400, "message": f"limit must be 1-{PAGE_LIMIT}"}
    chosen = [j for j in jobs if all(set(values or []) & {v[0] for v in j["facets"].get(param, [])}
                                     for param, values in applied.items())]
    page = chosen[offset:min(offset + limit, cap)] if offset < cap else []
    postings = []
    for j in page:
        entry = dict(j["listed"], postedOn=posted_on(j["jobPostingInfo"]["startDate"], as_of))
        postings.append(entry)
    response = {"total": len(chosen) if offset == 0 else 0, "jobPostings": postings,
                "facets": _facets(chosen) if offset == 0 else [], "userAuthenticated": False}
    return 200, response


def _facets(jobs: list) -> list:
    counts: dict = {}
    for j in jobs:
        for param, values in j["facets"].items():
            for value_id, name in values:
                entry = counts.setdefault(param, {}).setdefault(value_id, [name, 0])
                entry[1] += 1
    values = {param: [{"descriptor": name, "id": value_id, "count": n} for value_id, (name, n) in sorted(ids.items())]
              for param, ids in counts.items()}
    out = []
    if "locations" in values:
        out.append({"facetParameter": "locationMainGroup", "values": [
            {"facetParameter": "locations", "descriptor": "Locations", "values": values["locations"]}]})
    for param, name in (("jobFamilyGroup", "Job Category"), ("timeType", "Time Type")):
        if param in values:
            out.append({"facetParameter": param, "descriptor": name, "values": values[param]})
    return out


def detail(jobs: list, path: str, as_of) -> tuple:
    """(status, response) of one job's detail, ``path`` being its ``/job/...`` part."""
    for j in jobs:
        if j["listed"]["externalPath"] == path:
            info = dict(j["jobPostingInfo"], postedOn=posted_on(j["jobPostingInfo"]["startDate"], as_of))
            return 200, {"jobPostingInfo": info, "hiringOrganization": j["hiringOrganization"],
                         "similarJobs": [], "userAuthenticated": False}
    return 404, {"errorCode": "HTTP_404", "httpStatus": 404, "message": "The page you are looking for doesn't exist."}


def page(jobs: list, path: str):
    """The hosted page of the job at ``path`` (``/job/...``), or None."""
    for j in jobs:
        if j["listed"]["externalPath"] == path:
            info = j["jobPostingInfo"]
            return job_page(info["title"], info["externalUrl"], info["location"], info["jobDescription"], "wd-job")
    return None
