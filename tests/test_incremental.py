"""Incremental re-crawls: validators, 304s, closed and reopened postings, resumable crawls."""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from skillenai.pipeline.demo import sample_web_settings
from skillenai.sampleweb.evolve import lifecycle
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer

SEED, POSTINGS = 11, 100
ATS = ("greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable")


def read_truth(web: Path) -> dict[str, dict]:
    lines = (web / "truth" / "postings.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["url"]: row for row in map(json.loads, filter(str.strip, lines))}


@pytest.fixture(scope="module")
def webs(tmp_path_factory):
    root = tmp_path_factory.mktemp("evolving")
    out = {}
    for day in (1, 2):
        out[day] = root / f"day{day}"
        generate(out[day], postings=POSTINGS, seed=SEED, as_of=dt.date(2026, 5, 9), day=day)
    return out


def crawl_command(web, web_dir: Path, db: Path, *, spiders=(), settings=None, jobdir=None) -> list[str]:
    values = {**sample_web_settings(web, web_dir, str(db)), **(settings or {})}
    command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db), "--seeds", values.pop("SKILLENAI_SEEDS")]
    values.pop("SKILLENAI_DB")
    for key, value in values.items():
        command += ["--set", f"{key}={json.dumps(value)}"]
    for spider in spiders:
        command += ["--spider", spider]
    if jobdir:
        command += ["--jobdir", str(jobdir)]
    return command


def crawl(web_dir: Path, db: Path, **kwargs) -> subprocess.CompletedProcess:
    with SampleWebServer(web_dir) as web:
        return subprocess.run(crawl_command(web, web_dir, db, **kwargs), capture_output=True, text=True, timeout=600)


def closed_urls(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT d.url, p.closed_at FROM documents d JOIN postings p ON p.document_id = d.id "
                                 "WHERE p.closed_at IS NOT NULL"))
    finally:
        conn.close()


def last_stats(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT spider, stats FROM crawl_runs ORDER BY id").fetchall()
    finally:
        conn.close()
    return {spider: json.loads(stats) for spider, stats in rows}


# the sample web's day-to-day change -------------------------------------------------------

def test_lifecycle_is_deterministic_and_opens_before_it_closes():
    urls = [f"http://greenhouse.sample.test/acme/jobs/{n}" for n in range(2000)]
    spans = [lifecycle(SEED, url) for url in urls]
    assert spans == [lifecycle(SEED, url) for url in urls]
    assert all(opens < closes for opens, closes in spans)
    pending = sum(1 for opens, _ in spans if opens > 0) / len(spans)
    assert 0.10 < pending < 0.20


def test_change_set_matches_the_truth_and_the_rest_is_byte_identical(webs):
    day1, day2 = read_truth(webs[1]), read_truth(webs[2])
    changes = json.loads((webs[2] / "truth" / "changes.json").read_text())
    assert set(changes["opened"]) == set(day2) - set(day1)
    assert set(changes["closed"]) == set(day1) - set(day2)
    assert changes["listed"] == len(day2)
    # Files of boards and sites that neither lost nor gained a posting are the same bytes.
    touched = {row["site"] for url in changes["opened"] + changes["closed"] for row in [day1.get(url) or day2[url]]}
    compared = 0
    for site_dir in (webs[1] / "sites").iterdir():
        if site_dir.name in ATS or site_dir.name in touched:
            continue
        for path in site_dir.rglob("*"):
            if path.is_file():
                compared += 1
                assert filecmp.cmp(path, webs[2] / "sites" / site_dir.name / path.relative_to(site_dir), shallow=False)
    assert compared > 0


def test_an_unchanged_board_keeps_its_etag_across_days_and_answers_304(webs):
    token_files = sorted((webs[1] / "sites" / "greenhouse" / "v1" / "boards").glob("*/jobs.json"))
    same = [p for p in token_files if filecmp.cmp(p, webs[2] / p.relative_to(webs[1]), shallow=False)]
    changed = [p for p in token_files if p not in same]
    tags = {}
    for day in (1, 2):
        with SampleWebServer(webs[day]) as web:
            for path in token_files:
                url = f"{web.origin('greenhouse')}/v1/boards/{path.parent.name}/jobs?content=true"
                with urllib.request.urlopen(url) as response:
                    tags[day, path.parent.name] = response.headers["ETag"]
            if day == 2:
                for path in same:
                    url = f"{web.origin('greenhouse')}/v1/boards/{path.parent.name}/jobs?content=true"
                    request = urllib.request.Request(url, headers={"If-None-Match": tags[1, path.parent.name]})
                    with pytest.raises(urllib.error.HTTPError) as caught:
                        urllib.request.urlopen(request)
                    assert caught.value.code == 304
    assert all(tags[1, p.parent.name] == tags[2, p.parent.name] for p in same)
    assert all(tags[1, p.parent.name] != tags[2, p.parent.name] for p in changed)


# crawling day after day -------------------------------------------------------------------

@pytest.fixture(scope="module")
def day1_store(webs, tmp_path_factory):
    db = tmp_path_factory.mktemp("incremental") / "store.db"
    result = crawl(webs[1], db, spiders=(*ATS, "jobpostings"), settings={"SKILLENAI_RUN_DATE": "2026-05-10"})
    assert result.returncode == 0, result.stderr[-3000:]
    return db


@pytest.fixture(scope="module")
def day1_career_sites(day1_store):  # taken before the tests below crawl into the store
    """What one uninterrupted crawl of the day-1 career sites stored (before later tests add to it)."""
    return store_contents(day1_store, "jobpostings")


def test_a_failed_listing_fetch_closes_nothing(webs, day1_store, day1_career_sites, tmp_path):
    db = tmp_path / "copy.db"
    with sqlite3.connect(day1_store) as source, sqlite3.connect(db) as target:
        source.backup(target)
    dead = "http://127.0.0.1:9"  # nothing listens on the discard port: connection refused
    result = crawl(webs[2], db, spiders=ATS, settings={
        "SKILLENAI_RUN_DATE": "2026-05-11", "RETRY_TIMES": 0, "SKILLENAI_MONITOR_MIN_ITEMS": 0,
        "SKILLENAI_MONITOR_MAX_ERROR_RATE": 1.0,
        "GREENHOUSE_API_URL": dead + "/v1/boards", "LEVER_API_URL": dead + "/v0/postings",
        "ASHBY_API_URL": dead + "/posting-api/job-board", "WORKDAY_API_URL": dead,
        "SMARTRECRUITERS_API_URL": dead + "/v1/companies", "WORKABLE_API_URL": dead})
    assert result.returncode == 0, result.stderr[-3000:]
    assert closed_urls(db) == {}
    stats = last_stats(db)
    assert all(stats[s]["skillenai/incremental/sources_incomplete"] > 0 for s in ATS)


def test_second_day_skips_unchanged_closes_missing_and_reopens_returning(webs, day1_store):
    changes = json.loads((webs[2] / "truth" / "changes.json").read_text())
    # A board whose every posting closed lists none on day 2: its closing is the point here, so
    # the monitor that wants a document from every source is not asked.
    result = crawl(webs[2], day1_store, spiders=(*ATS, "jobpostings"),
                   settings={"SKILLENAI_RUN_DATE": "2026-05-11", "SKILLENAI_MONITOR_MIN_ITEMS": 0})
    assert result.returncode == 0, result.stderr[-3000:]
    assert closed_urls(day1_store) == {url: "2026-05-11" for url in changes["closed"]}
    stats = last_stats(day1_store)
    # Unchanged boards and pages were answered 304 and not parsed again.
    assert stats["jobpostings"]["skillenai/incremental/not_modified"] > 10
    assert stats["jobpostings"].get("skillenai/items/posting", 0) <= len(changes["opened"])
    conn = sqlite3.connect(day1_store)
    stored = {url for (url,) in conn.execute("SELECT url FROM documents WHERE kind = 'posting'")}
    assert set(changes["opened"]) <= stored
    conn.close()
    # Back to the day-1 web: the closed postings are listed again and reopen.
    again = crawl(webs[1], day1_store, spiders=(*ATS, "jobpostings"), settings={"SKILLENAI_RUN_DATE": "2026-05-12"})
    assert again.returncode == 0, again.stderr[-3000:]
    assert set(closed_urls(day1_store)) == set(changes["opened"])


# resuming a stopped crawl -----------------------------------------------------------------

def store_contents(db: Path, spider: str) -> set[tuple]:
    conn = sqlite3.connect(db)
    try:
        return set(conn.execute("SELECT id, url, content_hash, kind FROM documents WHERE spider = ?", [spider]))
    finally:
        conn.close()


def test_a_stopped_crawl_resumes_from_its_jobdir_to_the_same_store(webs, day1_career_sites, tmp_path):
    slow = {"DOWNLOAD_DELAY": 0.3, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY_JITTER": 0,
            "SKILLENAI_STORE_BATCH": 1}  # written as they come, so the test sees the crawl going
    db, jobdir = tmp_path / "resumed.db", tmp_path / "jobs"
    with SampleWebServer(webs[1]) as web:
        process = subprocess.Popen(crawl_command(web, webs[1], db, spiders=("jobpostings",), settings=slow,
                                                 jobdir=jobdir), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        stored = 0
        while stored < 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            if db.exists():
                try:
                    with sqlite3.connect(db) as conn:
                        stored = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0  # the schema is still being created
        assert process.poll() is None, "the crawl ended before it could be stopped"
        process.send_signal(signal.SIGINT)  # once: Scrapy stops gracefully and keeps the queue
        _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err[-3000:]  # interrupted, and the scheduler is told so
    first_part = store_contents(db, "jobpostings")
    assert 0 < len(first_part) < len(day1_career_sites)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT outcome FROM crawl_runs").fetchone()[0] == "interrupted"
    conn.close()
    assert closed_urls(db) == {}  # a stopped crawl closes nothing

    resumed = crawl(webs[1], db, spiders=("jobpostings",), jobdir=jobdir)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert store_contents(db, "jobpostings") == day1_career_sites
    assert closed_urls(db) == {}
    assert not (jobdir / "jobpostings").exists()  # a finished job's queue is not left to filter the next crawl
