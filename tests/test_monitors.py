"""Monitors after a crawl: items per source, error and drop rates, field coverage."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from scrapy.settings import Settings

from skillenai.core.record import normalize_record
from skillenai.crawler.monitors import report, run_monitors
from skillenai.pipeline.demo import sample_web_settings
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer
from skillenai.store.db import open_db
from skillenai.store.documents import upsert_documents
from skillenai.store.runs import finish_run, start_run


def posting(n: int, source: str, **fields) -> dict:
    record = {"url": f"https://jobs.example.com/{source}/{n}", "kind": "posting", "spider": "greenhouse",
              "source": source, "title": f"Engineer {n}", "text": f"Build data pipelines with Python and Postgres for job number {n}.",
              "location_raw": "Berlin, Germany", "date_posted": "2026-05-01"}
    record.update(fields)
    return normalize_record(record)


@pytest.fixture
def store(tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("spider,source,target\ngreenhouse,Acme,acme\ngreenhouse,Quiet,quiet\n", encoding="utf-8")
    db = open_db(":memory:")
    run_id = start_run(db, "greenhouse", {})
    records = [posting(n, "Acme") for n in range(8)] + [posting(n, "Acme", location_raw=None) for n in range(8, 10)]
    counts = upsert_documents(db, records, run_id=run_id)
    stats = {"downloader/request_count": 10, "skillenai/skipped/fetch_failed": 3, "skillenai/items/posting": 10}
    finish_run(db, run_id, outcome="finished", counts=counts, dropped=1, stats=stats)
    return db, run_id, seeds


def settings(seeds, **values) -> Settings:
    return Settings({"SKILLENAI_SEEDS": str(seeds), "SKILLENAI_MONITOR_MIN_ITEMS": 1,
                     "SKILLENAI_MONITOR_MAX_ERROR_RATE": 0.5, "SKILLENAI_MONITOR_MAX_DROP_RATE": 0.5,
                     "SKILLENAI_MONITOR_MIN_FIELD_COVERAGE": {"location": 0.5, "date": 0.5}, **values})


def failed(checks):
    return {(c.monitor, c.source) for c in checks if not c.passed}


def test_a_source_that_yielded_nothing_fails_min_items(store):
    db, run_id, seeds = store
    checks = run_monitors(db, [run_id], settings(seeds))
    assert failed(checks) == {("min_items", "Quiet")}
    quiet = next(c for c in checks if c.source == "Quiet")
    assert "greenhouse source 'Quiet'" in quiet.message() and "SKILLENAI_MONITOR_MIN_ITEMS" in quiet.message()
    acme = next(c for c in checks if c.source == "Acme")
    assert acme.passed and acme.actual == 10


def test_error_drop_and_coverage_thresholds(store):
    db, run_id, seeds = store
    checks = run_monitors(db, [run_id], settings(
        seeds, SKILLENAI_MONITOR_MIN_ITEMS=0, SKILLENAI_MONITOR_MAX_ERROR_RATE=0.25,
        SKILLENAI_MONITOR_MAX_DROP_RATE=0.05, SKILLENAI_MONITOR_MIN_FIELD_COVERAGE={"location": 0.9, "date": 1.0}))
    assert failed(checks) == {("max_error_rate", None), ("max_drop_rate", None), ("min_field_coverage", None)}
    by_setting = {c.setting: c for c in checks}
    assert by_setting["SKILLENAI_MONITOR_MAX_ERROR_RATE"].actual == pytest.approx(0.3)
    assert by_setting["SKILLENAI_MONITOR_MAX_DROP_RATE"].actual == pytest.approx(1 / 11)
    location = by_setting["SKILLENAI_MONITOR_MIN_FIELD_COVERAGE[location]"]
    assert location.actual == pytest.approx(0.8) and not location.passed
    assert "0.800, must be >= 0.900" in location.message()
    assert by_setting["SKILLENAI_MONITOR_MIN_FIELD_COVERAGE[date]"].passed


def test_report_prints_only_failures_and_a_verdict(store, capsys):
    db, run_id, seeds = store
    assert report(run_monitors(db, [run_id], settings(seeds)), sys.stdout) is False
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("monitor FAILED: greenhouse source 'Quiet': documents 0, must be >= 1")
    assert out[-1].startswith("monitors: ") and len(out) == 2


def test_an_unknown_coverage_field_is_refused(store):
    db, run_id, seeds = store
    with pytest.raises(ValueError, match="unknown field.*salary"):
        run_monitors(db, [run_id], settings(seeds, SKILLENAI_MONITOR_MIN_FIELD_COVERAGE={"salary": 0.5}))


def test_crawl_exits_non_zero_naming_the_source_and_threshold(tmp_path):
    web_dir = tmp_path / "web"
    generate(web_dir, postings=60, seed=3, as_of=dt.date(2026, 5, 9))
    db = tmp_path / "store.db"
    with SampleWebServer(web_dir) as web:
        values = sample_web_settings(web, web_dir, str(db))
        command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db), "--spider", "ashby",
                   "--seeds", values.pop("SKILLENAI_SEEDS")]
        values.pop("SKILLENAI_DB")
        values["SKILLENAI_MONITOR_MIN_ITEMS"] = 1000
        for key, value in values.items():
            command += ["--set", f"{key}={json.dumps(value)}"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr[-2000:]
    sources = [line for line in result.stderr.splitlines() if line.startswith("monitor FAILED: ashby source ")]
    assert sources and all("must be >= 1000 (SKILLENAI_MONITOR_MIN_ITEMS)" in line for line in sources)
