"""Failures seen crawling real pages and feeds (issue 17, part 4), each from real-looking input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from skillenai.classify import kind as kind_module
from skillenai.classify.kind import classify_kind, classify_kinds
from skillenai.core.record import normalize_record
from skillenai.crawler.parsing.discovery import feed_entries
from skillenai.crawler.parsing.pages import documents_from_page
from skillenai.crawler.parsing.structured import posting_fields

ROOT = Path(__file__).parent.parent

# -- feeds -----------------------------------------------------------------------------------

# A job board's RSS as .NET's SyndicationFeed writes it: items dated only by <a10:updated>.
DOTNET_RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0"><channel><title>Careers at Northwind</title><link>https://careers.northwind.example/</link><description>Open positions</description><item><guid isPermaLink="false">4711</guid><link>https://careers.northwind.example/jobs/4711?src=rss&amp;lang=en</link><title>Payroll Specialist</title><description>Process payroll for 2,000 staff.</description><a10:updated>2026-04-30T09:15:00+02:00</a10:updated></item></channel></rss>"""


def test_a10_updated_dates_an_rss_item():
    [entry], cuts = feed_entries(DOTNET_RSS, "https://careers.northwind.example/feed")
    assert entry.published == "2026-04-30T09:15:00+02:00"
    assert entry.url == "https://careers.northwind.example/jobs/4711?src=rss&lang=en" and not cuts


def test_one_bad_character_reference_keeps_every_later_ampersand():
    feed = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Jobs</title>'
            b"<item><title>Forklift Driver &#x1A; Night Shift</title>"
            b"<link>https://jobs.example/view?id=1&amp;ref=rss</link></item>"
            b"<item><title>Sales &amp; Marketing Lead</title>"
            b"<link>https://jobs.example/view?id=2&amp;ref=rss</link></item>"
            b"<item><title>R&amp;D Chemist &#8211; Lab</title>"
            b"<link>https://jobs.example/view?id=3&amp;ref=rss</link></item></channel></rss>")
    entries, cuts = feed_entries(feed, "https://jobs.example/rss")
    assert [e.url for e in entries] == [f"https://jobs.example/view?id={i}&ref=rss" for i in (1, 2, 3)]
    assert [" ".join(e.title.split()) for e in entries] == ["Forklift Driver Night Shift", "Sales & Marketing Lead", "R&D Chemist – Lab"]


def test_a_latin1_feed_without_a_declaration_reads_its_accents():
    feed = ('<rss version="2.0"><channel><title>Offres d\'emploi</title>'
            "<item><title>Ingénieur d\u2019études – Sûreté</title><link>https://emploi.example/o/12</link>"
            "<pubDate>Thu, 30 Apr 2026 08:00:00 +0200</pubDate></item></channel></rss>").encode("cp1252")
    [entry], cuts = feed_entries(feed, "https://emploi.example/rss")
    assert entry.title == "Ingénieur d\u2019études – Sûreté" and not cuts
    # A declared encoding is the feed's own word, and UTF-8 stays UTF-8.
    declared = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + feed.replace(b"\x92", b"'").replace(b"\x96", b"-")
    assert feed_entries(declared, "https://emploi.example/rss")[0][0].title == "Ingénieur d'études - Sûreté"
    utf8 = feed.decode("cp1252").encode("utf-8")
    assert feed_entries(utf8, "https://emploi.example/rss")[0][0].title == "Ingénieur d\u2019études – Sûreté"


# -- career pages ----------------------------------------------------------------------------

def _page(head: str, body: str, posting: dict | None = None) -> bytes:
    ld = f'<script type="application/ld+json">{json.dumps(posting)}</script>' if posting else ""
    return f"<!doctype html><html><head>{head}</head><body>{body}{ld}</body></html>".encode()


AD = ("<p>We build data pipelines in Python and SQL for the analytics platform team in our Toronto office. "
      "You will own ingestion, modelling and the quality checks around them.</p>")


def test_a_relative_canonical_link_is_resolved_against_the_page():
    url = "https://careers.northwind.example/jobs/42-senior-data-engineer?src=linkedin"
    found = documents_from_page(_page('<title>Senior Data Engineer</title><link rel="canonical" href="/jobs/42/">',
                                      "<main><h1>Senior Data Engineer</h1>" + AD + "</main>",
                                      {"@type": "JobPosting", "title": "Senior Data Engineer", "description": AD,
                                       "url": "42/?ref=ld"}), url)
    assert found.canonical_url == "https://careers.northwind.example/jobs/42/"
    fields = found.postings[0]
    assert fields["canonical_url"] == "https://careers.northwind.example/jobs/42/?ref=ld"
    record = normalize_record({"url": url, "kind": "posting", "title": fields["title"], "text": fields["text"],
                               "canonical_url": fields["canonical_url"]})
    assert record["canonical_url"] == "https://careers.northwind.example/jobs/42/"  # ref: a tracking parameter


def test_a_bare_dollar_range_of_a_canadian_posting_is_canadian():
    posting = {"@type": "JobPosting", "title": "Data Engineer", "description": AD,
               "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Toronto",
                                                              "addressRegion": "ON", "addressCountry": "CA"}},
               "baseSalary": "$120,000 - $150,000 a year"}
    fields = posting_fields(posting)
    assert (fields["salary_min"], fields["salary_max"], fields["salary_currency"]) == (120000, 150000, "CAD")
    posting["jobLocation"]["address"].update(addressLocality="Austin", addressRegion="TX", addressCountry="US")
    assert posting_fields(posting)["salary_currency"] == "USD"
    posting["baseSalary"] = "CA$120,000 - CA$150,000"
    assert posting_fields(posting)["salary_currency"] == "CAD"


def test_the_skills_property_is_read():
    posting = {"@type": "JobPosting", "title": "Data Engineer", "description": AD,
               "skills": ["Apache Airflow, dbt", {"@type": "DefinedTerm", "name": "Snowflake"}, "Python"]}
    text = posting_fields(posting)["text"]
    assert text.endswith("\nSkills: Apache Airflow, dbt, Snowflake, Python")
    posting["skills"] = "Python; SQL"  # both in the description already: nothing added
    assert posting_fields(posting)["text"] == posting_fields({**posting, "skills": None})["text"]


def test_a_title_only_in_an_h2():
    body = ('<header><nav><a href="/">Home</a></nav></header><main><h2>Senior Data Engineer</h2>' + AD
            + "<h2>Benefits</h2><p>Dental.</p></main>")
    posting = {"@type": "JobPosting", "description": AD, "hiringOrganization": {"name": "Northwind"}}
    found = documents_from_page(_page('<title>Northwind Careers</title><meta property="og:site_name" '
                                      'content="Northwind Careers">', body, posting), "https://northwind.example/j/42")
    assert found.postings[0]["title"] == "Senior Data Engineer"
    # A <title> that names the job wins over an <h2>.
    found = documents_from_page(_page("<title>Payroll Specialist | Northwind</title>", body, posting),
                                "https://northwind.example/j/43")
    assert found.postings[0]["title"] == "Payroll Specialist | Northwind"


def test_a_job_boards_own_name_is_no_employer():
    posting = {"@type": "JobPosting", "title": "Data Engineer", "description": AD,
               "hiringOrganization": {"@type": "Organization", "name": "Indeed"}}
    head = '<title>Data Engineer</title><meta property="og:site_name" content="Jobvite">'
    assert documents_from_page(_page(head, "<main>" + AD + "</main>", posting), "https://x.example/j/1"
                               ).postings[0]["company"] is None
    head = '<title>Data Engineer</title><meta property="og:site_name" content="Northwind Careers">'
    assert documents_from_page(_page(head, "<main>" + AD + "</main>", posting), "https://x.example/j/1"
                               ).postings[0]["company"] == "Northwind"
    posting["hiringOrganization"]["name"] = "Northwind Traders"
    assert documents_from_page(_page(head, "<main>" + AD + "</main>", posting), "https://x.example/j/1"
                               ).postings[0]["company"] == "Northwind Traders"


def test_a_home_page_is_no_posting():
    home = ("Northwind — careers\nJoin our team! We are looking for people who love shipping. "
            "Benefits: remote work, learning budget. Apply now to one of our open roles.")
    assert kind_module._overruled("posting", home, "https://northwind.example/") == "other"
    assert kind_module._overruled("posting", home, "https://northwind.example/en-us/") == "other"
    assert kind_module._overruled("posting", home, "https://northwind.example/jobs/42") == "posting"
    assert classify_kind("Northwind", home, "https://northwind.example/") == "other"


def test_real_postings_are_not_called_other():
    rows = [json.loads(line) for line in gzip.open(ROOT / "evaluation" / "data" / "dedupe" / "postings.jsonl.gz", "rt")]
    kinds = classify_kinds([(r["title"], r["text"], r["url"]) for r in rows])
    # 61 of 1,216 real postings were "other" before long job ads were recognised; 24 now.
    assert kinds.count("other") <= 24, kinds.count("other")
    assert kinds.count("posting") >= 1190
