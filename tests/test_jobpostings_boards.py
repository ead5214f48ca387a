"""iCIMS, Jobvite and JazzHR boards through the `jobpostings` spider: the listing page is the
source's target, each posting page's JSON-LD gives the posting. The iCIMS and Jobvite
listings are real saved pages (tests/data/ats/listing, served as a mirror serves them:
their own host made the local server's); the posting pages and the JazzHR listing are
written here in those boards' shapes (no licensed real ones were found)."""

from __future__ import annotations

import json
import sqlite3

from evaluation import boards

LISTINGS = boards.REAL / "listing"


def posting_page(title: str, company: str, city: str, region: str, posted: str, job_id: str, kind: str) -> bytes:
    """A posting page as these boards serve it: page chrome around the job, JSON-LD in the head."""
    data = {"@context": "http://schema.org", "@type": "JobPosting", "title": title, "datePosted": posted,
            "description": f"<p>{company} is hiring a {title}.</p><ul><li>Prepare filings and reconciliations "
                           "with Excel and our payroll systems.</li><li>Work with clients across the region.</li></ul>",
            "identifier": {"@type": "PropertyValue", "name": company, "value": job_id},
            "hiringOrganization": {"@type": "Organization", "name": company},
            "employmentType": kind,
            "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": city,
                                                            "addressRegion": region, "addressCountry": "US"}}}
    return (f'<!DOCTYPE html><html><head><title>{title} | {company}</title><script type="application/ld+json">'
            f'{json.dumps(data)}</script></head><body><header><nav><a href="/">Careers home</a></nav></header>'
            f'<main><h1>{title}</h1><div class="job-description">{data["description"]}</div>'
            '<a class="apply" href="apply">Apply</a></main><footer>Privacy</footer></body></html>').encode()


JAZZHR_LISTING = """<!DOCTYPE html><html><head><title>Careers at Acme Dental</title></head><body>
<div id="resumator-jobs"><ul class="list-group">
<li class="list-group-item"><h4 class="list-group-item-heading">
<a href="https://acmedental.applytojob.com/apply/Xk4bTq9LmA/Dental-Hygienist">Dental Hygienist</a></h4>
<ul class="list-inline list-group-item-text"><li><i class="fa fa-map-marker"></i>Denver, CO</li>
<li><i class="fa fa-sitemap"></i>Clinical</li></ul></li>
<li class="list-group-item"><h4 class="list-group-item-heading">
<a href="https://acmedental.applytojob.com/apply/Qw7cRz2NpB/Office-Manager">Office Manager</a></h4>
<ul class="list-inline list-group-item-text"><li><i class="fa fa-map-marker"></i>Aurora, CO</li></ul></li>
</ul></div><footer><a href="https://www.jazzhr.com">Powered by JazzHR</a></footer></body></html>"""


def html(body: bytes) -> tuple[str, bytes]:
    return "text/html; charset=utf-8", body


def test_icims_jobvite_and_jazzhr_listings_lead_to_their_postings(tmp_path):
    icims = boards.RouteServer({
        "/jobs/8214/payroll-tax-specialist/job": html(posting_page(
            "Payroll Tax Specialist", "Wipfli", "Milwaukee", "WI", "2026-04-28", "2026-8214", "FULL_TIME")),
        "/jobs/8212/payroll-support-specialist/job": html(posting_page(
            "Payroll Support Specialist", "Wipfli", "Eau Claire", "WI", "2026-04-27", "2026-8212", "FULL_TIME"))})
    jobvite = boards.RouteServer({
        "/feedingamerica/search": html((LISTINGS / "jobvite__feedingamerica_search.html").read_bytes()),
        "/feedingamerica/job/octxAfww": html(posting_page(
            "Manager, Development (Chicago/Hybrid)", "Feeding America", "Chicago", "IL", "2026-05-01", "octxAfww",
            "FULL_TIME")),
        "/feedingamerica/job/ohAzAfwK": html(posting_page(
            "Manager, Technology Vendor Management (Chicago/Hybrid)", "Feeding America", "Chicago", "IL",
            "2026-05-02", "ohAzAfwK", "FULL_TIME"))})
    jazz = boards.RouteServer({
        "/apply/Xk4bTq9LmA/Dental-Hygienist": html(posting_page(
            "Dental Hygienist", "Acme Dental", "Denver", "CO", "2026-05-03", "Xk4bTq9LmA", "PART_TIME")),
        "/apply/Qw7cRz2NpB/Office-Manager": html(posting_page(
            "Office Manager", "Acme Dental", "Aurora", "CO", "2026-05-04", "Qw7cRz2NpB", "FULL_TIME"))})
    with icims, jobvite, jazz:
        icims.routes["/jobs/search"] = html((LISTINGS / "icims__wipfli_search.html").read_bytes().replace(
            b"https://careers-wipfli.icims.com", icims.origin.encode()))
        jazz.routes["/apply/"] = html(JAZZHR_LISTING.encode().replace(
            b"https://acmedental.applytojob.com", jazz.origin.encode()))
        seeds = tmp_path / "seeds.csv"
        seeds.write_text("spider,source,target\n"
                         f"jobpostings,Wipfli,{icims.origin}/jobs/search\n"
                         f"jobpostings,Feeding America,{jobvite.origin}/feedingamerica/search\n"
                         f"jobpostings,Acme Dental,{jazz.origin}/apply/\n", encoding="utf-8")
        boards.crawl({"SKILLENAI_SEEDS": str(seeds), "SKILLENAI_ALLOWED_NETWORKS": ["127.0.0.1"],
                      "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}, ["jobpostings"], tmp_path / "sites.db")
        # iCIMS links each posting with ?in_iframe=1: fetched once, without it (in either
        # order: the two are downloaded at once).
        assert sorted(p for p in icims.requests if "/job" in p and "search" not in p) == [
            "/jobs/8212/payroll-support-specialist/job", "/jobs/8214/payroll-tax-specialist/job"]
        origins = {icims.origin: "icims", jobvite.origin: "jobvite", jazz.origin: "jazzhr"}
    with sqlite3.connect(tmp_path / "sites.db") as conn:
        rows = conn.execute("SELECT d.url, d.title, d.source, p.company, p.location_raw, p.date_posted, "
                            "p.employment_type, d.extraction FROM documents d JOIN postings p ON p.document_id = d.id "
                            "WHERE d.kind = 'posting' ORDER BY d.title").fetchall()
    got = [(origins[url.split("/", 3)[0] + "//" + url.split("/", 3)[2]], *rest) for url, *rest in rows]
    assert got == [
        ("jazzhr", "Dental Hygienist", "Acme Dental", "Acme Dental", "Denver, CO, US", "2026-05-03", "part_time", "jsonld"),
        ("jobvite", "Manager, Development (Chicago/Hybrid)", "Feeding America", "Feeding America", "Chicago, IL, US",
         "2026-05-01", "full_time", "jsonld"),
        ("jobvite", "Manager, Technology Vendor Management (Chicago/Hybrid)", "Feeding America", "Feeding America",
         "Chicago, IL, US", "2026-05-02", "full_time", "jsonld"),
        ("jazzhr", "Office Manager", "Acme Dental", "Acme Dental", "Aurora, CO, US", "2026-05-04", "full_time", "jsonld"),
        ("icims", "Payroll Support Specialist", "Wipfli", "Wipfli", "Eau Claire, WI, US", "2026-04-27", "full_time", "jsonld"),
        ("icims", "Payroll Tax Specialist", "Wipfli", "Wipfli", "Milwaukee, WI, US", "2026-04-28", "full_time", "jsonld"),
    ]
