"""SmartRecruiters companies in the shape of its public postings API: the list
(``GET /v1/companies/{id}/postings?limit=&offset=``) and each posting's detail
(``GET /v1/companies/{id}/postings/{postingId}``) with its job ad.

A company is written as ``sites/smartrecruiters/companies/{id}.json``: ``{"jobs": [...]}``,
each job the detail record; the list gives each without ``jobAd``, ``postingUrl`` and
``applyUrl``, as the real list does.
"""

import datetime as dt
import re

from .ats import ASHBY_STYLE, COMMITMENT, _dept_name
from .hosted import job_page
from .rand import rng, uuid4
from .text import render_html, render_plain

DETAIL_ONLY = ("jobAd", "postingUrl", "applyUrl")
MAX_LIMIT = 100
SECTIONS = (("companyDescription", "Company Description"), ("jobDescription", "Job Description"),
            ("qualifications", "Qualifications"), ("additionalInformation", "Additional Information"))
EMPLOYMENT_ID = {"FULL_TIME": "permanent", "PART_TIME": "part-time", "CONTRACTOR": "contract",
                 "INTERN": "intern", "TEMPORARY": "temporary"}


def identifier(company) -> str:
    return company.board


def public_url(company, posting_id: str, title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f"http://smartrecruiters.sample.test/{identifier(company)}/{posting_id}-{slug}"


def smartrecruiters_posting(doc, seed) -> tuple:
    """(detail record, plain description lines) of one SmartRecruiters posting: the
    company intro, the job and the equal-opportunity statement in their own sections."""
    job, company = doc.job, doc.job.company
    r = rng(seed, "smartrecruiters", doc.doc_id)
    blocks = list(doc.blocks)
    intro, outro = [], []
    while blocks and blocks[0].section == "about_us":
        intro.append(blocks.pop(0))
    while blocks and blocks[-1].section == "eeo":
        outro.insert(0, blocks.pop())
    parts = {"companyDescription": intro, "jobDescription": blocks, "qualifications": [],
             "additionalInformation": outro}
    sections, lines = {}, []
    for key, title in SECTIONS:
        sections[key] = {"title": title, "text": render_html(parts[key], ASHBY_STYLE) if parts[key] else ""}
        if parts[key]:
            lines += [title, *render_plain(parts[key], ASHBY_STYLE)]
    city = doc.spec.cities[0] if doc.spec.cities else None
    location = {"city": city.name if city else "", "region": (city.state or city.admin1 or "") if city else "",
                "country": (city.country if city else "us").lower(), "remote": doc.spec.workplace == "remote",
                "hybrid": doc.spec.workplace == "hybrid", "fullLocation": doc.location_raw}
    name = company.name
    record = {
        "id": str(doc.doc_id),
        "name": doc.title.text,
        "uuid": uuid4(r),
        "jobAdId": uuid4(r),
        "defaultJobAd": True,
        "refNumber": doc.extra["ref"],
        "company": {"identifier": identifier(company), "name": name},
        "releasedDate": doc.posted.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "location": location,
        "industry": {"id": "it_and_services", "label": "Information Technology And Services"},
        "department": {"id": str(sum(map(ord, _dept_name(job)))), "label": _dept_name(job)},
        "function": {"id": "other", "label": "Other"},
        "typeOfEmployment": {"id": EMPLOYMENT_ID[job.employment], "label": COMMITMENT[job.employment]},
        "experienceLevel": {"id": "mid_senior_level", "label": "Mid-Senior Level"},
        "customField": [],
        "visibility": "PUBLIC",
        "ref": f"http://smartrecruiters.sample.test/v1/companies/{identifier(company)}/postings/{doc.doc_id}",
        "language": {"code": "en", "label": "English", "labelNative": "English (US)"},
        "postingUrl": doc.url,
        "applyUrl": doc.url + "?oga=true",
        "jobAd": {"sections": sections},
    }
    return record, lines


def postings(jobs: list, query: dict) -> tuple:
    """(status, response) of one page of a company's postings."""
    try:
        limit = int(query.get("limit", ["10"])[0])
        offset = int(query.get("offset", ["0"])[0])
    except ValueError:
        return 400, {"message": "limit and offset must be numbers"}
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        return 400, {"message": f"limit must be 1-{MAX_LIMIT}, offset at least 0"}
    page = [{k: v for k, v in j.items() if k not in DETAIL_ONLY} for j in jobs[offset:offset + limit]]
    return 200, {"offset": offset, "limit": limit, "totalFound": len(jobs), "content": page}


def posting(jobs: list, posting_id: str) -> tuple:
    for j in jobs:
        if j["id"] == posting_id:
            return 200, j
    return 404, {"message": f"Posting with id {posting_id} not found"}


def page(jobs: list, posting_id: str):
    """The hosted page of posting ``posting_id``, or None."""
    for j in jobs:
        if j["id"] == posting_id:
            sections = "".join(f"<h2>{s['title']}</h2>{s['text']}" for s in j["jobAd"]["sections"].values() if s["text"])
            return job_page(j["name"], j["postingUrl"], j["location"]["fullLocation"], sections, "sr-job")
    return None
