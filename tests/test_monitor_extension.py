"""The monitors as a Scrapy extension: `scrapy crawl` (and so Scrapyd) runs them as the
spider closes, keeps their result with the run, exits 1 and notifies a webhook when one
fails. The webhook is a real HTTP server on 127.0.0.1 (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from skillenai.pipeline.demo import sample_web_settings
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def web_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("web")
    generate(directory, postings=60, seed=3, as_of=dt.date(2026, 5, 9))
    return directory


@pytest.fixture(scope="module")
def web(web_dir):
    with SampleWebServer(web_dir) as server:
        yield server


def scrapy_crawl(spider: str, web, web_dir: Path, db: Path, **settings) -> subprocess.CompletedProcess:
    """``scrapy crawl SPIDER`` from the repository root, pointed at the sample web."""
    values = {**sample_web_settings(web, web_dir, str(db)), **settings}
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in values.items():
        command += ["-s", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)


def monitors_of_runs(db: Path) -> list[dict | None]:
    with sqlite3.connect(db) as conn:
        return [json.loads(m) if m else None for (m,) in conn.execute("SELECT monitors FROM crawl_runs ORDER BY id")]


def test_a_failed_monitor_exits_1_is_recorded_and_posts_to_the_webhook(web, web_dir, tmp_path, webhook):
    db = tmp_path / "store.db"
    result = scrapy_crawl("ashby", web, web_dir, db, SKILLENAI_MONITOR_MIN_ITEMS=1000,
                          SKILLENAI_MONITOR_WEBHOOK=webhook.url)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    failures = [line for line in result.stderr.splitlines() if "monitor FAILED: ashby source " in line]
    assert failures and all("must be >= 1000 (SKILLENAI_MONITOR_MIN_ITEMS)" in line for line in failures)
    assert "skillenai: ashby: " in result.stderr.splitlines()[-1]

    [post] = webhook.received
    assert post["path"] == "/hooks/crawl" and post["content_type"].startswith("application/json")
    body = post["json"]
    assert body["event"] == "monitors_failed" and body["spiders"] == ["ashby"] and body["store"] == str(db)
    assert {(f["monitor"], f["setting"], f["limit"]) for f in body["failed"]} == {
        ("min_items", "SKILLENAI_MONITOR_MIN_ITEMS", 1000)}
    assert len(body["failed"]) == len(failures)
    assert body["text"].splitlines()[1:] == [line.split("ERROR: ", 1)[1] for line in failures]

    [recorded] = monitors_of_runs(db)
    assert recorded["checks"] == body["checks"] and recorded["failed"] == body["failed"]


def test_a_clean_crawl_exits_0_records_its_checks_and_notifies_nobody(web, web_dir, tmp_path, webhook):
    db = tmp_path / "store.db"
    result = scrapy_crawl("greenhouse", web, web_dir, db, SKILLENAI_MONITOR_WEBHOOK=webhook.url)
    assert result.returncode == 0, result.stderr[-3000:]
    assert webhook.received == []
    [recorded] = monitors_of_runs(db)
    assert recorded["failed"] == [] and recorded["checks"] >= 5
    assert f"monitors: {recorded['checks']} of {recorded['checks']} checks passed" in result.stderr


def test_a_spider_that_could_not_start_fails_and_an_unreachable_webhook_is_one_line(tmp_path, webhook):
    webhook.close()  # nothing listens there any more
    db = tmp_path / "store.db"
    command = [sys.executable, "-m", "scrapy", "crawl", "jobpostings", "-s", f"SKILLENAI_DB={db}",
               "-s", f"SKILLENAI_SEEDS={tmp_path / 'nosuch.csv'}", "-s", f"SKILLENAI_MONITOR_WEBHOOK={webhook.url}"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "monitor FAILED: jobpostings: the run ended \"cannot read sources file" in result.stderr
    assert [line for line in result.stderr.splitlines() if f"could not notify {webhook.url}: " in line]
    [recorded] = monitors_of_runs(db)
    assert [f["monitor"] for f in recorded["failed"]] == ["finished"]


def test_skillenai_crawl_checks_all_its_spiders_once_and_posts_once(web, web_dir, tmp_path, webhook):
    from skillenai.pipeline.demo import sample_web_crawl_command

    db = tmp_path / "store.db"
    command = sample_web_crawl_command(web, web_dir, db, "--spider", "ashby", "--spider", "lever",
                                       "--set", "SKILLENAI_MONITOR_MIN_ITEMS=1000",
                                       "--set", f"SKILLENAI_MONITOR_WEBHOOK={webhook.url}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr[-3000:]
    [post] = webhook.received
    assert post["json"]["spiders"] == ["ashby", "lever"] and len(post["json"]["runs"]) == 2
    printed = [line for line in result.stderr.splitlines() if line.startswith("monitor FAILED: ")]
    assert post["json"]["text"].splitlines()[1:] == printed
    recorded = monitors_of_runs(db)
    assert len(recorded) == 2 and all(r["failed"] for r in recorded)
    assert {f["spider"] for r in recorded for f in r["failed"]} == {"ashby", "lever"}


@pytest.mark.parametrize("setting, message", [
    ("SKILLENAI_MONITOR_WEBHOOK=hooks.example.com/x", "SKILLENAI_MONITOR_WEBHOOK: expected an http(s) URL"),
    ("SKILLENAI_MONITOR_MAX_ERROR_RATE=lots", "a SKILLENAI_MONITOR_* setting is not a number"),
])
def test_skillenai_crawl_refuses_unusable_monitor_settings_before_opening_anything(tmp_path, setting, message):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("spider,source,target\ngreenhouse,Acme,acme\n", encoding="utf-8")
    db = tmp_path / "store.db"
    result = subprocess.run([sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db), "--seeds", str(seeds),
                             "--set", setting], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith(f"skillenai: error: {message}") and len(result.stderr.splitlines()) == 1
    assert not db.exists()
