"""`skillenai daily` over two consecutive days of a sample web that changes from day to day."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from skillenai.pipeline.daily import DailyLocked, daily_lock
from skillenai.sampleweb.generate import generate

POSTINGS = 100
DAY1, DAY2 = "2026-05-10", "2026-05-11"


def daily(db: Path, date: str, web: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "skillenai.cli", "daily", "--db", str(db), "--date", date,
               "--sample-web", str(web), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def truth_urls(web: Path, spider: str | None = None) -> set[str]:
    """The URLs of the postings the sample web lists (only ``spider``'s when given)."""
    lines = (web / "truth" / "postings.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return {row["url"] for row in rows if spider is None or row["spider"] == spider}


def snapshot(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {
            "documents": conn.execute("SELECT id, seq, content_hash, classified_at FROM documents ORDER BY id").fetchall(),
            "postings": conn.execute("SELECT document_id, closed_at FROM postings ORDER BY 1").fetchall(),
            "skills": conn.execute("SELECT COUNT(*) FROM document_skills").fetchone()[0],
            "pairs": conn.execute("SELECT COUNT(*) FROM duplicate_pairs").fetchone()[0],
            "daily_runs": conn.execute("SELECT COUNT(*) FROM daily_runs").fetchone()[0],
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    root = tmp_path_factory.mktemp("daily")
    webs = {}
    for day, date in ((1, DAY1), (2, DAY2)):
        webs[date] = root / f"web-day{day}"
        generate(webs[date], postings=POSTINGS, seed=9, as_of=dt.date(2026, 5, 9), day=day)
    db = root / "store.db"
    first = daily(db, DAY1, webs[DAY1])
    assert first.returncode == 0, first.stderr[-3000:]
    second = daily(db, DAY2, webs[DAY2])
    assert second.returncode == 0, second.stderr[-3000:]
    return {"db": db, "webs": webs, "first": json.loads(first.stdout), "second": json.loads(second.stdout),
            "second_stderr": second.stderr}


def test_first_day_stores_every_listed_posting(two_days):
    record = two_days["first"]
    assert record["date"] == DAY1 and record["outcome"] == "ok"
    assert set(record["stages"]) == {"crawl", "monitors", "dedupe", "classify", "metrics"}
    conn = sqlite3.connect(two_days["db"])
    day2_started = two_days["second"]["crawl_since"]
    stored = {url for (url,) in conn.execute(
        "SELECT url FROM documents WHERE kind = 'posting' AND first_seen < ?", [day2_started])}
    assert stored == truth_urls(two_days["webs"][DAY1])
    assert record["stages"]["crawl"]["closed"] == 0
    assert record["stages"]["classify"]["documents"] == conn.execute(
        "SELECT COUNT(*) FROM documents WHERE first_seen < ?", [day2_started]).fetchone()[0]


def test_second_day_reports_unchanged_closed_and_new(two_days):
    changes = json.loads((two_days["webs"][DAY2] / "truth" / "changes.json").read_text())
    assert changes["opened"] and changes["closed"], "the generator's change set should not be empty"
    crawl = two_days["second"]["stages"]["crawl"]
    assert crawl["new"] == len(changes["opened"])
    assert crawl["closed"] == len(changes["closed"])
    assert crawl["changed"] == 0
    assert crawl["not_modified"] > 0 and crawl["unchanged"] > 0
    conn = sqlite3.connect(two_days["db"])
    closed = {url for (url,) in conn.execute(
        "SELECT d.url FROM documents d JOIN postings p ON p.document_id = d.id WHERE p.closed_at = ?", [DAY2])}
    assert closed == set(changes["closed"])
    # Only what is new was deduplicated and tagged again.
    assert two_days["second"]["stages"]["classify"]["documents"] == len(changes["opened"])
    assert two_days["second"]["stages"]["dedupe"]["analysed"] == len(changes["opened"])
    # Active on day 2 (the view the metrics count from): every listed canonical posting is open.
    open_ids = {doc for (doc,) in conn.execute(
        "SELECT a.document_id FROM active_postings a WHERE a.closed_at IS NULL OR a.closed_at > ?", [DAY2])}
    listed = {doc for (doc,) in conn.execute(
        "SELECT id FROM documents WHERE kind = 'posting' AND is_canonical = 1 AND url IN (%s)"
        % ",".join("?" * len(truth_urls(two_days["webs"][DAY2]))), sorted(truth_urls(two_days["webs"][DAY2])))}
    assert open_ids == listed


def test_rerunning_a_date_changes_nothing(two_days):
    before = snapshot(two_days["db"])
    again = daily(two_days["db"], DAY2, two_days["webs"][DAY2])
    assert again.returncode == 0, again.stderr[-3000:]
    record = json.loads(again.stdout)
    assert record["attempts"] == 2
    assert record["stages"]["crawl"]["new"] == 0 and record["stages"]["crawl"]["closed"] == 0
    assert record["stages"]["classify"]["documents"] == 0
    assert snapshot(two_days["db"]) == before


def test_a_second_run_is_refused_while_one_holds_the_lock(two_days, tmp_path):
    db = tmp_path / "locked.db"
    with daily_lock(str(db)) as lock:
        result = daily(db, DAY1, two_days["webs"][DAY1])
    assert result.returncode == 3
    assert str(lock) in result.stderr and f"pid {os.getpid()}" in result.stderr
    assert not db.exists()  # refused before touching the store


def test_a_symlink_to_the_store_takes_the_same_lock(tmp_path):
    db = tmp_path / "store.db"
    db.write_bytes(b"")
    (tmp_path / "elsewhere").mkdir()
    link = tmp_path / "elsewhere" / "link.db"
    link.symlink_to(db)
    with daily_lock(str(db)):
        with pytest.raises(DailyLocked):
            with daily_lock(str(link)):
                pass
        # The same file named through another directory is the same store too.
        with pytest.raises(DailyLocked):
            with daily_lock(str(tmp_path / "elsewhere" / ".." / "store.db")):
                pass
    with daily_lock(str(link)) as lock:  # free again, and named after the store itself
        assert lock == db.resolve().parent / "store.db.daily.lock"


def test_a_hard_link_to_the_store_takes_the_same_lock(tmp_path):
    db = tmp_path / "store.db"
    db.write_bytes(b"")
    (tmp_path / "elsewhere").mkdir()
    link = tmp_path / "elsewhere" / "hard.db"
    os.link(db, link)
    with daily_lock(str(db)):
        with pytest.raises(DailyLocked, match=r"skillenai-daily-\d+-\d+\.lock is locked by pid"):
            with daily_lock(str(link)):
                pass
    with daily_lock(str(link)):  # free again
        pass
    with daily_lock(str(tmp_path / "new.db")):  # a store not made yet: its path alone
        pass


def test_a_failing_monitor_fails_the_run_and_is_recorded(two_days, tmp_path):
    db = tmp_path / "monitored.db"
    result = daily(db, DAY1, two_days["webs"][DAY1], "--spider", "ashby",
                   "--set", "SKILLENAI_MONITOR_MIN_ITEMS=500")
    assert result.returncode == 1
    assert "SKILLENAI_MONITOR_MIN_ITEMS" in result.stderr and "ashby source" in result.stderr
    record = json.loads(result.stdout)
    assert record["outcome"] == "monitors_failed"
    failed = record["stages"]["monitors"]["failed"]
    assert failed and all(f["setting"] == "SKILLENAI_MONITOR_MIN_ITEMS" and f["limit"] == 500 for f in failed)
    # The later stages still ran: a failed monitor flags the data, it does not discard it.
    assert record["stages"]["classify"]["status"] == "ok"


def test_a_killed_run_is_crawled_again_and_leaves_the_store_consistent(two_days, tmp_path):
    web = two_days["webs"][DAY1]
    db = tmp_path / "killed.db"
    slow = ["--spider", "jobpostings", "--set", "DOWNLOAD_DELAY=0.3", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "--set", "SKILLENAI_STORE_BATCH=1"]
    command = [sys.executable, "-m", "skillenai.cli", "daily", "--db", str(db), "--date", DAY1, "--sample-web", str(web)]
    process = subprocess.Popen(command + slow, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while stored < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        try:
            with sqlite3.connect(db) as conn:
                stored = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError:
            stored = 0  # not created yet
    assert process.poll() is None, "the run ended before it could be killed"
    process.kill()
    process.wait(timeout=30)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT outcome, finished FROM daily_runs").fetchone() == ("running", None)
    conn.close()
    assert Path(f"{db}.jobs", DAY1, "jobpostings").exists()

    again = daily(db, DAY1, web, "--spider", "jobpostings")
    assert again.returncode == 0, again.stderr[-3000:]
    record = json.loads(again.stdout)
    assert record["attempts"] == 2 and record["outcome"] == "ok"
    conn = sqlite3.connect(db)
    postings = {url for (url,) in conn.execute("SELECT url FROM documents WHERE kind = 'posting'")}
    assert postings == truth_urls(web, "jobpostings")
    assert conn.execute("SELECT COUNT(*) FROM postings WHERE closed_at IS NOT NULL").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM documents WHERE classified_at IS NULL").fetchone()[0] == 0
    assert not Path(f"{db}.jobs", DAY1).exists()
