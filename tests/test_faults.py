"""A crawl of the faulty sample web stores every recoverable document and reports the rest.

The same web is crawled twice, clean and under a fault profile; the faulty crawl must
store the clean crawl's documents minus exactly those the profile loses by design, each
of those reported once with its reason, and cut the crawler traps by rule.
"""

from __future__ import annotations

import http.client
import json
import resource
import socket
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from skillenai.crawler.seeds import CORE_SPIDERS
from skillenai.pipeline.demo import sample_web_settings
from skillenai.sampleweb.faults import FAULTS, PERMANENT, TRANSIENT, FaultProfile, fault_truth
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer

# Seed 10 at this rate puts every kind of page fault on a document the clean crawl stores,
# and an XML bomb in a sitemap (checked below, so a generator change cannot hide it).
PROFILE = dict(seed=10, rate=0.4, slow_seconds=4.0, oversize_bytes=1_500_000, retry_after=1)
FAST = {"DOWNLOAD_TIMEOUT": 3, "RETRY_BACKOFF_BASE": 0.1, "RETRY_BACKOFF_MAX": 0.5, "RETRY_AFTER_MAX": 1,
        "DOWNLOAD_MAXSIZE": 1_000_000, "DOWNLOAD_WARNSIZE": 500_000}
PAGE_FAULTS = set(TRANSIENT) | set(PERMANENT) | {"wrong_charset", "no_charset", "invalid_utf8", "jsonld_bomb"}


def crawl(web, web_dir: Path, db: Path, extra: dict) -> tuple[subprocess.CompletedProcess, int]:
    """One `skillenai crawl` of every spider; returns the process and its peak RSS in KiB."""
    settings = sample_web_settings(web, web_dir, str(db))
    command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db), "--seeds", settings.pop("SKILLENAI_SEEDS")]
    settings.pop("SKILLENAI_DB")
    settings.update(extra)
    for key, value in settings.items():
        command += ["--set", f"{key}={json.dumps(value)}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # The timeout is the "terminates" bound: the faulty crawl takes well under a minute.
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    return result, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


@pytest.fixture(scope="module")
def web_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("faultweb")
    generate(directory, postings=150, seed=11)
    return directory


@pytest.fixture(scope="module")
def crawls(web_dir, tmp_path_factory):
    store = tmp_path_factory.mktemp("faultstores")
    with SampleWebServer(web_dir) as web:
        clean, _ = crawl(web, web_dir, store / "clean.db", FAST)
    assert clean.returncode == 0, clean.stderr[-3000:]
    profile = FaultProfile(**PROFILE)
    with SampleWebServer(web_dir, faults=profile) as web:
        faulty, peak_kib = crawl(web, web_dir, store / "faulty.db", FAST)
        requests = list(web.requests)
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    clean_db, faulty_db = sqlite3.connect(store / "clean.db"), sqlite3.connect(store / "faulty.db")
    clean_db.row_factory = faulty_db.row_factory = sqlite3.Row
    return {"clean": clean_db, "faulty": faulty_db, "profile": profile, "requests": requests,
            "truth": fault_truth(web_dir, profile), "peak_kib": peak_kib, "log": faulty.stderr}


def documents(conn) -> dict[str, sqlite3.Row]:
    return {row["id"]: row for row in conn.execute("SELECT id, canonical_url, url, title, text FROM documents")}


def test_the_profile_exercises_every_fault(crawls):
    clean_urls = {row["url"] for row in documents(crawls["clean"]).values()}
    on_stored = {f["fault"] for f in crawls["truth"] if f["url"] in clean_urls}
    assert PAGE_FAULTS <= on_stored
    statuses = Counter(status for *_, status in crawls["requests"])
    for status in (429, 500, 503, 302, 301, 307, "reset", "truncated"):
        assert statuses[status] > 0, status
    bombs = [(site, path) for site, _m, path, _s in crawls["requests"]
             if path.endswith(".xml") and crawls["profile"].fault_for(site, path) == "xml_bomb"]
    assert bombs


def test_xml_bombs_are_read_without_their_dtd_and_what_was_cut_is_reported(crawls):
    details = [row[0] for row in crawls["faulty"].execute("SELECT detail FROM crawl_issues WHERE reason = 'xml_cut'")]
    assert details and all("document type declaration ignored" in detail for detail in details)
    assert not crawls["clean"].execute("SELECT 1 FROM crawl_issues WHERE reason = 'xml_cut'").fetchall()


def test_faulty_crawl_stores_the_clean_documents_minus_those_lost_by_design(crawls):
    clean, faulty = documents(crawls["clean"]), documents(crawls["faulty"])
    lost_urls = {f["url"] for f in crawls["truth"] if f["outcome"] == "lost"}
    lost = {doc_id for doc_id, row in clean.items() if row["url"] in lost_urls}
    assert lost, "the profile loses nothing"
    assert set(faulty) == set(clean) - lost
    # Recovered documents are the same documents: charsets, stray bytes and JSON-LD bombs
    # must not garble their title or text.
    for doc_id, row in faulty.items():
        assert (row["title"], row["text"]) == (clean[doc_id]["title"], clean[doc_id]["text"]), row["url"]


def test_each_lost_document_is_reported_once_with_its_reason(crawls):
    clean_urls = {row["url"] for row in documents(crawls["clean"]).values()}
    lost = {f["url"]: f["fault"] for f in crawls["truth"] if f["outcome"] == "lost" and f["url"] in clean_urls}
    issues = crawls["faulty"].execute("SELECT url, reason, detail FROM crawl_issues").fetchall()
    by_url = Counter(row["url"] for row in issues if row["url"] in lost)
    assert by_url == Counter(set(lost))  # every lost URL exactly once
    reasons = {row["url"]: (row["reason"], row["detail"] or "") for row in issues if row["url"] in lost}
    expected = {"always_error": ("fetch_failed", "HTTP 500"), "redirect_loop": ("fetch_failed", "redirect loop"),
                "always_slow": ("fetch_failed", "took longer than"), "oversize": ("fetch_failed", "max size"),
                "not_html": ("not_html", "application/pdf")}
    for url, fault in lost.items():
        reason, detail = reasons[url]
        assert reason == expected[fault][0] and expected[fault][1] in detail, (url, fault, reason, detail)


def test_broken_json_ld_bombs_are_reported_and_the_page_kept(crawls):
    bombed = {f["url"] for f in crawls["truth"] if f["fault"] == "jsonld_bomb"}
    details = [row["detail"] for row in crawls["faulty"].execute(
        "SELECT url, detail FROM crawl_issues WHERE reason = 'malformed_json_ld'") if row["url"] in bombed]
    assert details and all("nested too deeply" in d for d in details)


def test_crawler_traps_are_cut_by_rule(crawls):
    paths = [path for _site, _m, path, _s in crawls["requests"]]
    assert not [p for p in paths if "sessionid=" in p]
    assert not [p for p in paths if p.startswith("/jobs/calendar/")]
    traps = crawls["faulty"].execute("SELECT url FROM crawl_issues WHERE reason = 'crawler_trap'").fetchall()
    assert traps and all("/jobs/calendar/" in row["url"] for row in traps)
    assert len({row["url"] for row in traps}) == len(traps)  # once each


def test_faulty_crawl_retries_and_stays_bounded(crawls):
    runs = crawls["faulty"].execute("SELECT spider, outcome, stats FROM crawl_runs").fetchall()
    assert {r["spider"] for r in runs} == set(CORE_SPIDERS)  # those the sample web has sources for
    assert all(r["outcome"] in ("finished", "finished_with_errors") for r in runs)
    retries = sum(json.loads(r["stats"]).get("retry/count", 0) for r in runs)
    assert retries > 0
    assert "Traceback" not in crawls["log"]
    assert crawls["peak_kib"] < 1024 * 1024  # a generous bound; benchmarks/bench_faults.py measures it


# The profile itself ------------------------------------------------------------------------

def test_profile_is_deterministic_and_validated(web_dir):
    a, b = FaultProfile(seed=4, rate=0.5), FaultProfile(seed=4, rate=0.5)
    targets = [f"/jobs/{n}-role/" for n in range(300)]
    assert [a.fault_for("acme", t) for t in targets] == [b.fault_for("acme", t) for t in targets]
    assert [a.fault_for("acme", t) for t in targets] != [FaultProfile(seed=5, rate=0.5).fault_for("acme", t)
                                                          for t in targets]
    assert FaultProfile(seed=4, rate=0).fault_for("acme", "/jobs/1/") is None
    assert a.fault_for("acme", "/robots.txt") is None
    assert all(FaultProfile(seed=s, rate=1).fault_for("greenhouse", "/v1/boards/acme/jobs?content=true")
               in ("error_burst", "rate_limited", "reset", "truncated") for s in range(50))
    assert fault_truth(web_dir, a) == fault_truth(web_dir, b)
    with pytest.raises(ValueError, match="rate"):
        FaultProfile(rate=1.5)
    with pytest.raises(ValueError, match="unknown fault"):
        FaultProfile(kinds=["gremlins"])
    assert set(FAULTS) == set(TRANSIENT) | set(PERMANENT) | {"wrong_charset", "no_charset", "invalid_utf8",
                                                               "jsonld_bomb", "xml_bomb"}


def _job_page(web_dir: Path) -> tuple[str, str]:
    truth = [json.loads(line) for line in (web_dir / "truth" / "postings.jsonl").read_text().splitlines()]
    url = next(t["url"] for t in truth if t["spider"] == "jobpostings")
    host, path = url.split("://", 1)[1].split("/", 1)
    return host.split(".", 1)[0], "/" + path


def _get(web, site: str, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", int(web.origin(site).rsplit(":", 1)[1]), timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_transient_faults_clear_and_permanent_ones_do_not(web_dir):
    site, path = _job_page(web_dir)
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["rate_limited"])) as web:
        first, second = _get(web, site, path), _get(web, site, path)
        assert (first.status, first.getheader("Retry-After")) == (429, "1")
        assert second.status == 200 and b"</html>" in second.body
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["error_burst"])) as web:
        assert [_get(web, site, path).status for _ in range(3)] == [503, 500, 200]
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["always_error"])) as web:
        assert {_get(web, site, path).status for _ in range(5)} == {500}
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["redirect_chain"])) as web:
        hops, location = [], path
        for _ in range(4):
            response = _get(web, site, location)
            if response.status == 200:
                break
            hops.append(response.status)
            location = response.getheader("Location").split(web.origin(site), 1)[1]
        assert hops == [302, 301, 307] and response.status == 200 and "utm_source=" in location
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["reset"])) as web:
        with pytest.raises((ConnectionError, http.client.HTTPException, socket.error)):
            _get(web, site, path)
        assert _get(web, site, path).status == 200
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["truncated"])) as web:
        with pytest.raises(http.client.IncompleteRead):
            _get(web, site, path)
        assert _get(web, site, path).status == 200


def test_hostile_documents(web_dir):
    site, path = _job_page(web_dir)
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["wrong_charset"])) as web:
        response = _get(web, site, path)
        assert response.getheader("Content-Type") == "text/html; charset=windows-1252"
        assert b"<meta charset" not in response.body
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["invalid_utf8"])) as web:
        with pytest.raises(UnicodeDecodeError):
            _get(web, site, path).body.decode("utf-8")
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["xml_bomb"])) as web:
        feed = _get(web, "blog", "/feed.xml").body
        assert b"<!ENTITY lol9" in feed and b"&lol9;" in feed
    with SampleWebServer(web_dir, faults=FaultProfile(rate=1, kinds=["oversize"], oversize_bytes=300_000)) as web:
        assert len(_get(web, site, path).body) >= 300_000


# What the crawler does about them ---------------------------------------------------------------

@pytest.mark.parametrize("body,content_type,text", [
    ("<p>Kraków, Zürich</p>".encode(), "text/html; charset=windows-1252", "<p>Kraków, Zürich</p>"),  # label lies
    ("<p>Kraków</p>".encode("iso-8859-2"), "text/html; charset=iso-8859-2", "<p>Kraków</p>"),
    ("<p>Zürich</p>".encode("cp1252"), None, "<p>Zürich</p>"),                                # no label at all
    (b'<meta charset="utf-8"><p>Krak\xc3\xb3w \xff</p>', None, '<meta charset="utf-8"><p>Kraków \ufffd</p>'),
    (b"\xef\xbb\xbf<p>x</p>", "text/html; charset=iso-8859-1", "<p>x</p>"),
])
def test_page_text_survives_wrong_charsets(body, content_type, text):
    from skillenai.crawler.parsing.pages import decode_html

    assert decode_html(body, content_type) == text


def test_trap_url_rules():
    from skillenai.crawler.parsing.discovery import calendar_trap, without_session

    assert without_session("http://a.test/jobs/?page=2&sessionid=9f2c") == "http://a.test/jobs/?page=2"
    assert without_session("http://a.test/jobs/;jsessionid=AB12?page=2") == "http://a.test/jobs/?page=2"
    assert without_session("http://a.test/jobs/?page=2&team=data") == "http://a.test/jobs/?page=2&team=data"
    assert calendar_trap("http://a.test/jobs/calendar/2026/06/", "http://a.test/jobs/")
    assert calendar_trap("http://a.test/events/?month=2026-07", "http://a.test/jobs/")
    assert calendar_trap("http://a.test/blog/2026/05/", "http://a.test/blog/")
    assert not calendar_trap("http://a.test/2026/05/08/hiring-rebounds/", "http://a.test/blog/")  # a dated story
    assert not calendar_trap("http://a.test/jobs/?page=3", "http://a.test/jobs/")
