"""The Workday, SmartRecruiters and Workable spiders and Greenhouse's pay ranges: crawls of
real saved responses (evaluation/ats_real.py) and of the sample web
(evaluation/ats_sampleweb.py), both served on 127.0.0.1, held to evaluation/ats_floors.json;
and what each spider does with the odd input real sources give."""

import datetime as dt
import json
import logging
import sqlite3
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.http import Request, TextResponse

from evaluation import ats_real, ats_sampleweb
from skillenai.crawler.seeds import check_row, workday_site
from skillenai.crawler.spiders.greenhouse import GreenhouseSpider, pay_range
from skillenai.crawler.spiders.smartrecruiters import SmartRecruitersSpider
from skillenai.crawler.spiders.workable import WorkableSpider
from skillenai.crawler.spiders.workday import _split_facet, posted_on
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer

SEED = SimpleNamespace(source="Acme", target="acme")


def below(figures: dict, floors: dict) -> dict:
    return {(spider, field): (figures[spider][field], floor) for spider, wanted in floors.items()
            for field, floor in wanted.items() if figures[spider][field] < floor}


# real saved responses --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    with tempfile.TemporaryDirectory() as tmp, ats_real.SavedResponses() as server:
        db = Path(tmp) / "ats.db"
        result = ats_real.crawl(db, server)
        assert result.returncode == 0, result.stderr[-3000:]
        figures = ats_real.score(ats_real.read_expected(), ats_real.yielded(db))
        conn = sqlite3.connect(db)
        stats = {spider: json.loads(stats) for spider, stats in conn.execute("SELECT spider, stats FROM crawl_runs")}
        conn.close()
        yield {"figures": figures, "requests": list(server.requests), "stats": stats}


def test_real_responses_stay_above_their_floors(real):
    figures = real["figures"]
    assert not below(figures, ats_real.floors()["real"]), {s: figures[s]["errors"] for s in ats_real.SPIDERS}
    assert all(not figures[s]["extra"] for s in ats_real.SPIDERS), {s: figures[s]["extra"] for s in ats_real.SPIDERS}
    # The postings with text were stored; those the captures left without any were dropped for it.
    assert [figures[s]["stored"] for s in ats_real.SPIDERS] == [0, 1, 2, 8]


def test_real_requests_follow_each_api(real):
    asked = {(method, path.split("?")[0]) for method, path, _status in real["requests"]}
    # Workday: the search is a POST, then each listed job's detail by its externalPath.
    assert ("POST", "/wday/cxs/salesforce/External_Career_Site/jobs") in asked
    details = [p for m, p in asked if p.startswith("/wday/cxs/salesforce/External_Career_Site/job/")]
    assert sorted(p.rsplit("_", 1)[1] for p in details) == ["JR332446", "JR354232"]
    # SmartRecruiters: totalFound 4 after 3 → the next page at offset 3; each posting's detail once
    # (page 1 repeats a posting of page 0).
    paths = [p for _m, p, _s in real["requests"]]
    assert "/v1/companies/AutomationAnywhere1/postings?limit=100&offset=3" in paths
    assert paths.count("/v1/companies/AutomationAnywhere1/postings/743999706414750") == 1
    # Workable: the v3 search answers 404 for these accounts, the v1 widget serves, and the source
    # is not counted as failed.
    assert ("POST", "/api/v3/accounts/vasion/jobs") in asked and ("GET", "/api/v1/widget/accounts/vasion") in asked
    assert real["stats"]["workable"].get("skillenai/workable/widget_fallback") == 2
    assert "skillenai/skipped/fetch_failed" not in real["stats"]["workable"]
    # Greenhouse asks for the pay ranges.
    assert any(p.startswith("/v1/boards/amplitude/jobs?") and "pay_transparency=true" in p for p in paths)


# the sample web --------------------------------------------------------------------------------

# At 600 postings one Workable account lists 84 jobs: nine pages of its v3 search, past
# the six levels of depth the crawl allows link-following spiders.
@pytest.mark.parametrize("postings, options", [(300, {"workday_cap": 5}), (300, {"widget_only": True}), (600, {})],
                         ids=["facet-splits", "widget", "past-six-pages"])
def test_sample_web_stays_above_its_floors(postings, options):
    figures = ats_sampleweb.evaluate(postings=postings, seed=11, **options)
    floors = ats_real.floors()["sampleweb"]
    assert not below(figures, floors), {s: figures[s]["errors"][:5] for s in floors}
    assert all(figures[s]["extra"] == 0 for s in floors)


def test_workday_splits_a_search_over_the_cap_by_facets(tmp_path):
    web_dir = tmp_path / "web"
    generate(web_dir, postings=150, seed=11, as_of=dt.date(2026, 5, 9))
    truth = [json.loads(line) for line in (web_dir / "truth" / "postings.jsonl").read_text().splitlines()]
    wanted = {t["url"] for t in truth if t["spider"] == "workday"}
    with SampleWebServer(web_dir) as web:
        web.workday_result_cap = 4
        result = ats_sampleweb.crawl(web, web_dir, tmp_path / "a.db", spiders=("workday",))
        searches = [r for r in web.requests if r[0] == "workday" and r[1] == "POST"]
    assert result.returncode == 0, result.stderr[-3000:]
    found = {url for url, row in ats_sampleweb.stored(tmp_path / "a.db").items() if row["spider"] == "workday"}
    assert len(wanted) > 4 and found == wanted
    conn = sqlite3.connect(tmp_path / "a.db")
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs WHERE spider = 'workday'").fetchone()[0])
    assert stats["skillenai/workday/facet_splits"] >= 1
    assert len(searches) > 2
    # Each job's detail was asked once, though facet values overlap.
    assert stats["downloader/request_method_count/GET"] - stats.get("robotstxt/request_count", 1) == len(wanted)


# units on real-looking input ----------------------------------------------------------------------

def test_workday_site_urls_and_seed_rows():
    assert workday_site("https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite") == (
        "https://nvidia.wd5.myworkdayjobs.com", "nvidia", "NVIDIAExternalCareerSite")
    assert workday_site("https://adobe.wd5.myworkdayjobs.com/en-US/external_experienced/job/x") == (
        "https://adobe.wd5.myworkdayjobs.com", "adobe", "external_experienced")
    assert workday_site("https://wd1.myworkdaysite.com/en-US/recruiting/acme/Jobs") == (
        "https://wd1.myworkdaysite.com", "acme", "Jobs")
    assert workday_site("https://example.com/careers") is None
    assert check_row("workday", "Acme", "https://example.com/careers").startswith("workday needs a Workday career site")
    assert check_row("workday", "Acme", "acme") == "workday needs an http(s) URL as target, got 'acme'"
    assert check_row("smartrecruiters", "Visa", "visa") is None
    assert check_row("workable", "Bad", "not a token!").startswith("bad workable board token")


def test_workday_relative_dates():
    today = dt.date(2026, 8, 8)
    assert posted_on("Posted Today", today) == "2026-08-08"
    assert posted_on("Posted Yesterday", today) == "2026-08-07"
    assert posted_on("Posted 8 Days Ago", today) == "2026-07-31"
    assert posted_on("Posted 30+ Days Ago", today) is None
    assert posted_on("", today) is None


def test_workday_facets_nested_in_groups_and_already_applied():
    facets = [{"facetParameter": "locationMainGroup", "values": [
                  {"facetParameter": "locations", "descriptor": "Locations",
                   "values": [{"descriptor": "Chicago", "id": "a1", "count": 1200},
                              {"descriptor": "Dublin", "id": "b2", "count": 1300}]}]},
              {"facetParameter": "timeType", "values": [{"descriptor": "Full time", "id": "t1", "count": 2500}]},
              {"facetParameter": "jobFamilyGroup", "values": [{"descriptor": "Sales", "id": "f1", "count": 1500},
                                                               {"descriptor": "Legal", "id": "f2", "count": 1000}]}]
    assert _split_facet(facets, {}) == ("locations", ["a1", "b2"])
    # One value divides nothing (timeType); an applied facet is not split again.
    assert _split_facet(facets, {"locations": ["a1"]}) == ("jobFamilyGroup", ["f1", "f2"])
    assert _split_facet(facets, {"locations": ["a1"], "jobFamilyGroup": ["f1"]}) is None


def test_greenhouse_pay_input_ranges_become_the_salary():
    assert pay_range([{"min_cents": 15000000, "max_cents": 19500000, "currency_type": "USD", "title": "Zone A",
                       "blurb": "<p>The annual base salary range</p>"}]) == {
        "salary_min": 150000.0, "salary_max": 195000.0, "salary_currency": "USD", "salary_period": "year"}
    assert pay_range([{"min_cents": 4500, "max_cents": 5200, "currency_type": "usd", "title": "Pay range"}])[
        "salary_period"] == "hour"
    assert pay_range([{"min_cents": 600000, "max_cents": 700000, "currency_type": "EUR",
                       "title": "Monthly pay range"}])["salary_period"] == "month"
    assert pay_range([{"min_cents": None, "max_cents": None}, "junk"]) == {}
    job = {"id": 1, "title": "Engineer", "absolute_url": "https://job-boards.greenhouse.io/acme/jobs/1",
           "content": "<p>We pay $1 - $2 per hour.</p>", "location": {"name": "Austin, TX"},
           "first_published": "2026-05-01T09:00:00-04:00",
           "pay_input_ranges": [{"min_cents": 12000000, "max_cents": 15000000, "currency_type": "USD"}],
           "metadata": [{"name": "Employment Type", "value": "Full-time", "value_type": "single_select"}]}
    item = GreenhouseSpider().job_item(job, SEED)
    assert (item.salary_min, item.salary_max, item.salary_period) == (120000.0, 150000.0, "year")
    assert item.employment_type == "Full-time"


def _response(url: str, body, method: str = "GET") -> TextResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return TextResponse(url, body=raw, encoding="utf-8", request=Request(url, method=method))


def test_a_bad_smartrecruiters_entry_is_skipped_and_the_rest_kept(caplog):
    page = json.loads((ats_real.RESPONSES / "smartrecruiters" / "AutomationAnywhere1__postings_page0.json").read_text())
    page["content"].insert(1, "not a posting")
    page["totalFound"] = 6
    spider = SmartRecruitersSpider(settings=None)
    spider.settings = SimpleNamespace(get=lambda key, default=None: "https://api.smartrecruiters.com/v1/companies")
    seed = SimpleNamespace(source="Automation Anywhere", target="AutomationAnywhere1")
    with caplog.at_level(logging.WARNING):
        out = list(spider.parse_page(_response("https://api.smartrecruiters.com/v1/companies/x/postings", page),
                                     seed, 0))
    details = [r.url for r in out if r.callback == spider.parse_posting]
    assert len(details) == 3 and all(u.startswith("https://api.smartrecruiters.com/v1/companies/") for u in details)
    # The next page starts after every entry of this one, the bad one too.
    assert [r.url for r in out if r.callback == spider.parse_page] == [
        "https://api.smartrecruiters.com/v1/companies/AutomationAnywhere1/postings?limit=100&offset=4"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["skipped https://api.smartrecruiters.com/v1/companies/x/postings (unexpected_api_shape): "
                        "content[1] is not a posting with an id"]


def test_a_workable_widget_that_is_not_json_is_one_line_and_nothing_else(caplog):
    spider = WorkableSpider()
    with caplog.at_level(logging.WARNING):
        out = list(spider.parse_widget(_response("https://apply.workable.com/api/v1/widget/accounts/x", b"<html>"),
                                       SimpleNamespace(source="X", target="x")))
    assert out == []
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 1 and "(invalid_json): workable widget 'x'" in messages[0]


def test_a_workable_job_listed_once_per_place_is_one_posting():
    widget = json.loads((ats_real.RESPONSES / "workable" / "zaelab__widget_accounts.json").read_text())
    widget["jobs"][0]["description"] = "<p>Analyse business processes for Spanish-speaking clients.</p>"
    items = list(WorkableSpider().parse_widget(_response("https://apply.workable.com/api/v1/widget/accounts/zaelab",
                                                         widget), SimpleNamespace(source="Zaelab", target="zaelab")))
    assert len(items) == 1
    assert items[0].location_raw == "Spain; Portugal" and items[0].stated_workplace == "remote"
    assert [p["country"] for p in items[0].locations] == ["ES", "PT"]
