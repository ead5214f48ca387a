"""``skillenai discover``: a careers URL's source, from its address, its page, or probing
the board APIs, against the sample web and saved real pages served on 127.0.0.1."""

from __future__ import annotations

import csv
import datetime as dt
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from evaluation import discover_real
from skillenai.crawler.discover import Fetcher, candidate_tokens, discover, from_url
from skillenai.crawler.seeds import read_seeds
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer

PAGES = Path(discover_real.__file__).parent / "data" / "discover" / "pages"
# Board APIs the sample web does not serve: never probed here (they would be the real ones).
NOT_SERVED = {"SMARTRECRUITERS_API_URL": "", "WORKABLE_API_URL": "", "RECRUITEE_URL": "", "PINPOINT_URL": "",
              "BREEZY_URL": ""}


@pytest.mark.parametrize("url, row", [
    ("https://job-boards.greenhouse.io/amplitude/jobs/8636903002", "greenhouse,Amplitude,amplitude"),
    ("https://boards.greenhouse.io/embed/job_board?for=stripe&b=https://stripe.com", "greenhouse,Stripe,stripe"),
    ("https://jobs.eu.lever.co/people-ai/282276d1-9800-4567-a2f8-7eafef1c6fea/apply", "lever,People Ai,people-ai"),
    ("https://jobs.ashbyhq.com/HighlightTA/90fb3621-899e-4b59-925d-25080ec91e18", "ashby,HighlightTA,HighlightTA"),
    ("https://adobe.wd5.myworkdayjobs.com/en-US/external_experienced/job/New-York/Finance-Lead_R157099",
     "workday,Adobe,https://adobe.wd5.myworkdayjobs.com/external_experienced"),
    ("https://careers.smartrecruiters.com/BoschGroup", "smartrecruiters,BoschGroup,BoschGroup"),
    ("https://apply.workable.com/huggingface/j/15F16B8D99/", "workable,Huggingface,huggingface"),
    ("https://aikidosecurity.recruitee.com/o/office-manager-chicago", "recruitee,Aikidosecurity,aikidosecurity"),
    ("https://1komma5grad.jobs.personio.de/job/123", "personio,1komma5grad,1komma5grad"),
    ("https://10web.bamboohr.com/careers/55", "bamboohr,10web,10web"),
    ("https://career.teamtailor.com/jobs/7069633-account-executive", "teamtailor,Career,career"),
    ("https://accenture.pinpointhq.com/en/postings/1", "pinpoint,Accenture,accenture"),
    ("https://ats.rippling.com/11fs-group-ltd/jobs", "rippling,11fs Group Ltd,11fs-group-ltd"),
    ("https://1001.breezy.hr/p/abc-engineer", "breezy,1001,1001"),
    ("https://careers-wipfli.icims.com/jobs/8214/payroll-tax-specialist/job?in_iframe=1",
     "jobpostings,Wipfli,https://careers-wipfli.icims.com/jobs/search"),
    ("https://jobs.jobvite.com/feedingamerica/job/octxAfww", "jobpostings,Feedingamerica,https://jobs.jobvite.com/feedingamerica/jobs"),
    ("https://examplecompany.applytojob.com/apply/abc/Engineer", "jobpostings,Examplecompany,https://examplecompany.applytojob.com/apply/"),
])
def test_a_boards_own_address_names_its_source(url, row):
    finding = from_url(url)
    assert finding is not None and finding.row() == row and finding.how == "url"


def test_addresses_that_name_no_board():
    for url in ("https://apply.workable.com/j/DD136DD7E7", "https://www.greenhouse.io/", "https://api.lever.co/",
                "https://careers.blackrock.com/search-jobs", "https://www.bamboohr.com/pricing"):
        assert from_url(url) is None, url


def test_candidate_tokens_from_name_and_domain():
    assert candidate_tokens("https://careers.acme-robotics.com/jobs", "Acme Robotics") == [
        "acmerobotics", "acme-robotics", "AcmeRobotics", "acme"]
    assert candidate_tokens("http://127.0.0.1:8000/", None) == []


def test_real_careers_urls_meet_their_floors():
    result = discover_real.evaluate()
    assert result["urls"] >= 100
    floors = discover_real.floors()
    for key in ("accuracy", "found", "none_kept"):
        assert result[key] >= floors[key], (key, result[key], result["misses"])


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    web_dir = tmp_path_factory.mktemp("discover-web")
    generate(web_dir, postings=100, seed=11, as_of=dt.date(2026, 5, 9))
    with SampleWebServer(web_dir) as server:
        server.settings = {**server.crawl_settings(), **NOT_SERVED, "USER_AGENT": "SkillenaiBot-test"}
        yield server, web_dir


def _seeds(web_dir: Path) -> list:
    return read_seeds(web_dir / "seeds.csv")[0]


def test_a_career_site_whose_company_also_has_a_board_is_found_by_probing(web):
    server, web_dir = web
    seeds = _seeds(web_dir)
    boards = {s.source: s for s in seeds if s.spider in ("greenhouse", "lever", "ashby")}
    sites = [s for s in seeds if s.spider == "jobpostings" and s.source in boards]
    assert sites
    for site in sites:
        fetcher = Fetcher("SkillenaiBot-test")
        findings = discover(server.localize(site.target), server.settings, fetcher=fetcher)
        board = boards[site.source]
        assert (findings[0].spider, findings[0].target, findings[0].how) == (board.spider, board.target, "probe")
        assert findings[0].source == site.source  # the company's name, from the page
        assert all(url.startswith("http://127.0.0.1:") for url in fetcher.requests)


def test_a_career_page_with_job_postings_is_read_by_jobpostings(web):
    server, web_dir = web
    truth = [json.loads(line) for line in (web_dir / "truth" / "postings.jsonl").read_text().splitlines()]
    page = next(t for t in truth if t["spider"] == "jobpostings" and t["structured"] == "jsonld")
    url = server.localize(page["url"])
    findings = discover(url, server.settings, probing=False)
    assert [(f.spider, f.how) for f in findings] == [("jobpostings", "jsonld")]
    assert url.startswith(findings[0].target) and findings[0].source == page["company"]


def test_an_address_under_a_configured_api_base_needs_no_request(web):
    server, web_dir = web
    lever = next(s for s in _seeds(web_dir) if s.spider == "lever")
    fetcher = Fetcher("SkillenaiBot-test")
    url = f"{server.settings['LEVER_API_URL']}/{lever.target}?mode=json"
    [finding] = discover(url, server.settings, fetcher=fetcher)
    assert (finding.spider, finding.target, finding.how) == ("lever", lever.target, "url") and fetcher.requests == []


class _Pages(http.server.BaseHTTPRequestHandler):
    """Saved real career pages, an embedded board, and a redirect to a board's API."""

    routes: dict = {}

    def do_GET(self):
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pages(web):
    server, web_dir = web
    lever = next(s for s in _seeds(web_dir) if s.spider == "lever")
    html = {"Content-Type": "text/html; charset=utf-8"}
    _Pages.routes = {
        "/gildan/": (200, html, (PAGES / "stage__gildan_openpositions.html").read_bytes()),
        "/blackrock/": (200, html, (PAGES / "stage__blackrock_search.html").read_bytes()),
        "/embedded/": (200, html, b'<html><head><title>Careers | Acme</title></head><body><div id="grnhse_app"></div>'
                                  b'<script src="https://boards.greenhouse.io/embed/job_board/js?for=acmeco"></script>'
                                  b'<a href="https://jobs.lever.co/other">Old board</a>'
                                  b'<a href="https://boards.greenhouse.io/acmeco/jobs/1">Engineer</a></body></html>'),
        "/moved/": (301, {"Location": f"{server.settings['LEVER_API_URL']}/{lever.target}"}, b""),
    }
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", lever
    httpd.shutdown()


def test_a_page_names_the_board_it_embeds_or_links_most(web, pages):
    server, _ = web
    origin, _lever = pages
    [first, second] = discover(origin + "/embedded/", server.settings, probing=False)
    assert (first.spider, first.target, first.how, first.source) == ("greenhouse", "acmeco", "html", "Acme")
    assert (second.spider, second.target) == ("lever", "other")
    # A real career page that links to its iCIMS boards.
    [gildan, *_] = discover(origin + "/gildan/", server.settings, probing=False)
    assert gildan.spider == "jobpostings" and gildan.target.endswith(".icims.com/jobs/search") and gildan.how == "html"


def test_a_redirect_to_a_board_is_read_as_the_board(web, pages):
    server, _ = web
    origin, lever = pages
    [finding] = discover(origin + "/moved/", server.settings)
    assert (finding.spider, finding.target, finding.how) == ("lever", lever.target, "url")
    assert "redirected to" in finding.evidence


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "skillenai.cli", "discover", *args],
                          capture_output=True, text=True, timeout=120)


def test_the_command_prints_rows_and_appends_new_ones(web, pages, tmp_path):
    server, web_dir = web
    origin, lever = pages
    sets = [arg for key, value in server.settings.items() if key.endswith("_URL") or key.endswith("_API_URL")
            for arg in ("--set", f"{key}={value}")]
    seeds = tmp_path / "sources.csv"
    result = _run(origin + "/embedded/", origin + "/moved/", "--append", str(seeds), *sets)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert rows == ["greenhouse,Acme,acmeco", f"lever,{lever.target.title()},{lever.target}"] or \
        rows[0] == "greenhouse,Acme,acmeco" and rows[1].endswith(f",{lever.target}")
    assert [(s.spider, s.target) for s in read_seeds(seeds)[0]] == [("greenhouse", "acmeco"), ("lever", lever.target)]
    # Again: nothing new is appended; a page of no known source is exit status 1, the others still printed.
    again = _run(origin + "/embedded/", origin + "/blackrock/", "--no-probe", "--append", str(seeds), *sets)
    assert again.returncode == 1
    assert "already in" in again.stderr and "/blackrock/: no known source serves it" in again.stderr
    assert len(list(csv.reader(seeds.open()))) == 3
    bad = _run("ftp://example.com/careers")
    assert bad.returncode == 1 and "not an absolute http(s) URL" in bad.stderr
