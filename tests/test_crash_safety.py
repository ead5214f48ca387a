"""Crash safety of the store: crawls killed with SIGKILL, and two writers at once.

The kill trials are ``benchmarks/crash_trials.py`` (three here; the script runs twenty or
more), against a sample web served on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from skillenai.crawler.seeds import SPIDERS
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("crash_trials", ROOT / "benchmarks" / "crash_trials.py")
crash_trials = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(crash_trials)

POSTINGS = 80


@pytest.fixture(scope="module")
def web_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("web")
    generate(directory, postings=POSTINGS, seed=31, as_of=dt.date(2026, 5, 9))
    return directory


@pytest.fixture(scope="module")
def web(web_dir):
    with SampleWebServer(web_dir) as server:
        yield server


def test_kill_9_then_rerun_loses_and_duplicates_nothing(web, web_dir, tmp_path):
    db = tmp_path / "store.db"
    report = crash_trials.run_trials(web, web_dir, db, trials=3, seed=2)
    for trial in report["trials"]:
        assert trial["problems"] == [], trial
    assert report["final_returncode"] == 0, report["final_stderr"]
    assert report["final_problems"] == []
    assert report["missing_count"] == 0, report["missing"]
    assert report["duplicated"] == 0
    runs = report["runs_by_outcome"]
    assert "running" not in runs, runs
    killed = [t for t in report["trials"] if not t["finished_before_kill"]]
    assert len(killed) == 3, report["trials"]
    conn = sqlite3.connect(db)
    # Every run a kill cut short says so (a kill after the spiders finished cuts none);
    # the last crawl's runs, one a spider, finished.
    last = conn.execute("SELECT outcome FROM crawl_runs ORDER BY id DESC LIMIT ?", [len(SPIDERS)]).fetchall()
    assert [r[0] for r in last] == ["finished"] * len(SPIDERS)
    interrupted = conn.execute("SELECT COUNT(*) FROM crawl_runs WHERE outcome = 'interrupted'").fetchone()[0]
    assert interrupted == runs.get("interrupted", 0) == report["runs_cut_short"]


def test_a_run_of_a_dead_process_is_marked_interrupted(tmp_path):
    from skillenai.store.db import open_db
    from skillenai.store.runs import start_run

    db = open_db(tmp_path / "runs.db")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = start_run(db, "lever", pid=dead.pid)
    live = start_run(db, "ashby")  # this process: alive
    outcomes = dict(db.execute("SELECT id, outcome FROM crawl_runs").fetchall())
    assert outcomes == {stale: "interrupted", live: "running"}


def _jsonl(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({
                "url": f"https://feed.example.org/jobs/{i}", "kind": "posting", "source": "feed",
                "title": f"Data Engineer {i}", "company": f"Company {i % 97}", "location_raw": "Berlin, Germany",
                "text": f"Posting {i}: build batch and streaming pipelines in Python, SQL and Spark; "
                        "own data quality and on-call for the ingestion platform. " * 4,
            }) + "\n")


def test_crawl_and_ingest_write_one_store_at_once(web, web_dir, tmp_path):
    db = tmp_path / "shared.db"
    feed = tmp_path / "feed.jsonl"
    lines = 6000
    _jsonl(feed, lines)
    # Create the store first so both writers start from the same schema.
    subprocess.run([sys.executable, "-m", "skillenai.cli", "ingest", "--db", str(db), "-"], input="",
                   text=True, check=True, timeout=120)
    crawl = subprocess.Popen(crawl_trials_command(web, web_dir, db), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    ingest = subprocess.Popen([sys.executable, "-m", "skillenai.cli", "ingest", "--db", str(db), str(feed)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ingest_out, ingest_err = ingest.communicate(timeout=600)
    crawl_out, crawl_err = crawl.communicate(timeout=600)
    assert ingest.returncode == 0, ingest_err[-2000:]
    assert crawl.returncode == 0, crawl_err[-2000:]
    assert f"ingested {lines} documents ({lines} new" in ingest_err
    conn = sqlite3.connect(db)
    feed_docs = conn.execute("SELECT COUNT(*) FROM documents WHERE source = 'feed'").fetchone()[0]
    assert feed_docs == lines
    stored = {r[0] for r in conn.execute("SELECT url FROM documents")}
    assert crash_trials.truth_urls(web_dir) <= stored
    assert conn.execute("SELECT outcome FROM crawl_runs").fetchall() == [("finished",)] * 5
    assert crash_trials.check_store(db) == []


def crawl_trials_command(web, web_dir, db):
    return crash_trials.crawl_command(web, web_dir, db, batch=200)
