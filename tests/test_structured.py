import json

from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.parsing.pages import documents_from_page, labelled_location, strip_furniture

POSTING = {
    "@context": "https://schema.org", "@type": "JobPosting", "title": "Data Engineer",
    "description": "<p>Build pipelines.</p><ul><li>Python 3</li><li>Airflow &amp; dbt</li></ul>",
    "datePosted": "2026-04-02", "validThrough": "2026-06-01T00:00",
    "employmentType": ["FULL_TIME"],
    "hiringOrganization": {"@type": "Organization", "name": "Globex"},
    "jobLocation": [
        {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE"}},
        {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "London",
                                       "addressCountry": {"@type": "Country", "name": "GB"}}},
    ],
    "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
                   "value": {"@type": "QuantitativeValue", "minValue": 60000, "maxValue": 75000, "unitText": "YEAR"}},
}


def page(*blocks, body="<h1>Data Engineer</h1><p>Some page text.</p>"):
    scripts = "".join(f'<script type="application/ld+json">{b}</script>' for b in blocks)
    return f"<html><head><title>Jobs</title>{scripts}</head><body>{body}</body></html>"


def test_plain_json_ld_posting():
    found = documents_from_page(page(json.dumps(POSTING)), "https://globex.example/jobs/1")
    assert found.extraction == "jsonld"
    [fields] = found.postings
    assert fields["title"] == "Data Engineer"
    assert fields["text"] == "Build pipelines.\nPython 3\nAirflow & dbt"
    assert fields["company"] == "Globex"
    assert fields["location_raw"] == "Berlin, DE; London, GB"
    assert (fields["salary_min"], fields["salary_max"], fields["salary_currency"], fields["salary_period"]) == (60000, 75000, "EUR", "YEAR")


def test_graph_and_broken_block_are_separate():
    graph = json.dumps({"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, POSTING]})
    broken = '{"@type": "BreadcrumbList", "itemListElement": [ {"a": 1}, '
    found = documents_from_page(page(broken, graph), "https://globex.example/jobs/1")
    assert [p["title"] for p in found.postings] == ["Data Engineer"]
    assert found.extraction == "jsonld_graph"
    assert len(found.broken_blocks) == 1 and "block 1" in str(found.broken_blocks[0])


def test_trailing_comma_is_repaired():
    text = json.dumps(POSTING)[:-1] + ",}"
    assert [p["title"] for p in documents_from_page(page(text), "https://x.example/").postings] == ["Data Engineer"]


def test_deeply_nested_block_is_rejected_not_crashing():
    deep = "[" * 5000 + "]" * 5000
    found = documents_from_page(page(deep, json.dumps(POSTING)), "https://x.example/")
    assert len(found.postings) == 1 and len(found.broken_blocks) == 1


def test_remote_posting_with_requirements():
    remote = dict(POSTING, jobLocation=None, jobLocationType="TELECOMMUTE",
                  applicantLocationRequirements={"@type": "Country", "name": "US"})
    [fields] = documents_from_page(page(json.dumps(remote)), "https://x.example/").postings
    assert fields["stated_workplace"] == "remote" and fields["location_raw"] == "Remote - US"


def test_microdata_posting():
    body = """<div itemscope itemtype="https://schema.org/JobPosting">
      <h1 itemprop="title">QA Engineer</h1>
      <meta itemprop="datePosted" content="2026-03-03">
      <div itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization"><span itemprop="name">Initech</span></div>
      <div itemprop="jobLocation" itemscope itemtype="https://schema.org/Place">
        <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
          <span itemprop="addressLocality">Austin</span>, <span itemprop="addressRegion">TX</span></div></div>
      <div itemprop="description"><p>Test things.</p><ul><li>Selenium</li><li>Cypress</li></ul></div>
    </div>"""
    found = documents_from_page(page(body=body), "https://initech.example/jobs/2")
    assert found.extraction == "microdata"
    [fields] = found.postings
    assert (fields["title"], fields["company"], fields["location_raw"]) == ("QA Engineer", "Initech", "Austin, TX")
    assert fields["text"] == "Test things.\nSelenium\nCypress"
    assert fields["date_posted"] == "2026-03-03"


def test_html_to_text_unescapes_greenhouse_content():
    escaped = "&lt;h2&gt;About&lt;/h2&gt;&lt;p&gt;We &amp;amp; you&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Go&lt;/li&gt;&lt;/ul&gt;"
    assert html_to_text(escaped) == "About\nWe & you\nGo"


def test_labelled_location():
    assert labelled_location("Team: Data\nLocation: Hybrid (Berlin)\nApply") == "Hybrid (Berlin)"


def test_the_location_badge_says_hybrid_or_remote_when_json_ld_does_not():
    def with_badge(badge: str) -> dict:
        html = (f'<html><head><script type="application/ld+json">{json.dumps(POSTING)}</script></head><body><main>'
                f'<h1>Data Engineer</h1><span class="job-location">{badge}</span></main></body></html>')
        return documents_from_page(html, "https://globex.example/jobs/1").postings[0]

    assert with_badge("Hybrid (Berlin)")["stated_workplace"] == "hybrid"
    assert with_badge("Remote - EU")["stated_workplace"] == "remote"
    assert with_badge("Remote - EU")["location_raw"] != "Remote - EU"  # jobLocation still names the places
    assert not with_badge("Berlin, Germany").get("stated_workplace")


def test_blocks_as_templates_print_them():
    # Entities escaped once too often, two objects in one block, a script comment first.
    escaped = json.dumps(dict(POSTING, title="Research &amp; Development Engineer",
                              hiringOrganization={"@type": "Organization", "name": "Smith &amp;amp; Sons"}))
    [fields] = documents_from_page(page(escaped), "https://x.example/").postings
    assert (fields["title"], fields["company"]) == ("Research & Development Engineer", "Smith & Sons")
    organization = json.dumps({"@type": "Organization", "name": "Globex"})
    for block in (organization + json.dumps(POSTING), f"{json.dumps(POSTING)};",
                  f"/* JobPosting */ {json.dumps(POSTING)}", f"// schema.org\n{json.dumps(POSTING)}"):
        found = documents_from_page(page(block), "https://x.example/")
        assert [p["title"] for p in found.postings] == ["Data Engineer"], block[:40]
        assert found.broken_blocks == []
    # Still broken: a cut-off block, or garbage after the object.
    for block in (json.dumps(POSTING)[:-20], json.dumps(POSTING) + " oops"):
        found = documents_from_page(page(block), "https://x.example/")
        assert found.postings == [] and len(found.broken_blocks) == 1


def test_base_salary_as_a_plain_number_or_text_beside_salary_currency():
    from skillenai.crawler.parsing.structured import posting_fields

    base = {"title": "Data Engineer", "description": "<p>" + "Build pipelines in Python. " * 5 + "</p>",
            "salaryCurrency": "EUR"}
    plain = posting_fields({**base, "baseSalary": 65000})
    assert (plain["salary_min"], plain["salary_max"], plain["salary_currency"]) == (65000.0, 65000.0, "EUR")
    text = posting_fields({**base, "baseSalary": "60,000 - 70,000 per year"})
    assert (text["salary_min"], text["salary_max"], text["salary_currency"], text["salary_period"]) == (
        60000.0, 70000.0, "EUR", "year")


def test_date_posted_keeps_the_day_the_employer_wrote():
    from skillenai.core.record import normalize_record
    from skillenai.crawler.parsing.structured import posting_fields

    fields = posting_fields({"title": "Data Engineer", "description": "<p>" + "Build pipelines. " * 5 + "</p>",
                             "datePosted": "2026-05-01T00:30:00+01:00", "validThrough": "2026-06-01T00:00:00+02:00"})
    assert (fields["date_posted"], fields["valid_through"]) == ("2026-05-01", "2026-06-01")
    record = normalize_record({"url": "https://jobs.example.com/1", "kind": "posting", "title": "Data Engineer",
                               "text": "Build pipelines in Python for our analytics team, every day.",
                               "date_posted": "2026-05-01T00:30:00+01:00"})
    assert record["date_posted"] == "2026-05-01"


def test_country_names_as_lists_literal_line_breaks_and_fixed_term():
    from skillenai.core.record import normalize_employment_type
    from skillenai.crawler.parsing.structured import posting_fields

    fields = posting_fields({
        "title": "Data Engineer",
        "description": "Build pipelines in Python.\\nWork with analysts on the warehouse.\\nShip every week.",
        "jobLocation": {"address": {"addressLocality": "Lyon", "addressCountry": {"name": ["FR", "France"]}}},
    })
    assert fields["location_raw"] == "Lyon, FR"
    assert "[" not in fields["location_raw"]
    assert fields["text"].splitlines()[:2] == ["Build pipelines in Python.", "Work with analysts on the warehouse."]
    assert normalize_employment_type("Fixed Term") == "temporary"


def test_furniture_is_stripped_but_json_ld_and_text_stay():
    page = ('<html><head><SCRIPT src="/app.js"></script><style>.a{color:red}</style>'
            '<script type="application/LD+JSON">{"@type": "JobPosting", "title": "Data Engineer", '
            '"description": "<p>Build pipelines in Python.</p>"}</script></head>'
            '<body><svg><symbol><path d="M0 0"/></symbol></svg><h1>Data Engineer</h1>'
            '<script>var s = "<div>not text</div>";</script><p>Build pipelines.</p>'
            '<script id="__APP_STATE__" type="application/json">{"x": 1}')  # never closed
    stripped = strip_furniture(page)
    assert stripped == ('<html><head><script type="application/LD+JSON">{"@type": "JobPosting", '
                        '"title": "Data Engineer", "description": "<p>Build pipelines in Python.</p>"}</script>'
                        '</head><body><h1>Data Engineer</h1><p>Build pipelines.</p>')
    assert strip_furniture("<p>no furniture</p>") == "<p>no furniture</p>"
    # the parser reads the same posting from the page with its furniture as without
    (posting,) = documents_from_page(page, "https://x.test/jobs/1").postings
    assert posting["title"] == "Data Engineer" and "Python" in posting["text"]
