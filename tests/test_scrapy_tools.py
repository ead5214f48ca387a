"""Scrapy's own tools on the project: feeds with -o, scrapy check's contracts, a clean crawl
without warnings, and the command `python -m skillenai.sampleweb serve` prints."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shlex
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from skillenai.core.record import FIELDS
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


def scrapy(*args: str, web, db: Path | None = None, cwd: Path = ROOT, **settings) -> subprocess.CompletedProcess:
    """``scrapy ARGS…`` from the repository root, pointed at the sample web."""
    values = {**web.crawl_settings(), **settings}
    if db is not None:
        values["SKILLENAI_DB"] = str(db)
    command = [sys.executable, "-m", "scrapy", *args]
    for key, value in values.items():
        command += ["-s", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)


def scraped(stderr: str) -> int:
    return int(stderr.split("'item_scraped_count': ", 1)[1].split(",", 1)[0])


def assert_clean(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "] WARNING: " in line or "] ERROR: " in line]
    assert warnings == []


def test_json_lines_and_csv_feeds_hold_every_item_without_the_raw_body(web, tmp_path):
    jsonl = scrapy("crawl", "greenhouse", "-o", str(tmp_path / "out.jsonl"), web=web, db=tmp_path / "a.db")
    assert_clean(jsonl)
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == scraped(jsonl.stderr) > 0
    assert all("raw" not in line and line["kind"] == "posting" and line["title"] and line["id"] for line in lines)

    # A store of its own: in the first one every board is unchanged, and nothing would be parsed.
    result = scrapy("crawl", "greenhouse", "-o", str(tmp_path / "out.csv"), web=web, db=tmp_path / "b.db")
    assert_clean(result)
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["id", *(f for f in FIELDS if f != "raw"), "content_hash"]
    assert sorted(row["id"] for row in rows) == sorted(line["id"] for line in lines)  # boards answer in any order
    located = [row for row in rows if row["locations"]]
    assert located and all(isinstance(json.loads(row["locations"]), list) for row in located)


def test_a_base64_feed_can_be_ingested_into_the_same_documents(web, tmp_path):
    crawl_db, ingest_db, feed = tmp_path / "crawl.db", tmp_path / "ingest.db", tmp_path / "pages.jsonl"
    result = scrapy("crawl", "jobpostings", "-o", str(feed), web=web, db=crawl_db, SKILLENAI_FEED_RAW="base64")
    assert_clean(result)
    lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert lines and all(line["raw"].startswith("base64:") for line in lines)
    ingest = subprocess.run([sys.executable, "-m", "skillenai.cli", "ingest", "--db", str(ingest_db), str(feed)],
                            capture_output=True, text=True, timeout=300)
    assert ingest.returncode == 0, ingest.stderr

    def documents(db):
        with sqlite3.connect(db) as conn:
            return {i: (url, kind, title, text, zlib.decompress(raw)) for i, url, kind, title, text, raw in conn.execute(
                "SELECT id, url, kind, title, text, raw FROM documents")}

    assert documents(ingest_db) == documents(crawl_db)


def test_an_unknown_feed_raw_setting_is_one_line_and_the_body_is_left_out(web, tmp_path):
    result = scrapy("crawl", "ashby", "-o", str(tmp_path / "out.jsonl"), web=web, db=tmp_path / "a.db",
                    SKILLENAI_FEED_RAW="zip")
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "] ERROR: " in line]
    assert len(errors) == 1 and "SKILLENAI_FEED_RAW: expected one of omit, base64, got 'zip'" in errors[0]
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines and all("raw" not in json.loads(line) for line in lines)


def test_scrapy_check_runs_every_spiders_contracts_against_the_sample_web(web, web_dir, tmp_path):
    result = scrapy("check", web=web, db=tmp_path / "check.db")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.splitlines()[-1] == "OK"
    ran = int(result.stderr.split("Ran ", 1)[1].split(" contracts", 1)[0])
    assert ran >= 12
    listed = subprocess.run([sys.executable, "-m", "scrapy", "check", "--list"], capture_output=True, text=True,
                            cwd=ROOT, timeout=120).stdout
    assert {line for line in listed.splitlines() if not line.startswith(" ")} == {
        "articles", "ashby", "greenhouse", "jobpostings", "lever", "papers", "smartrecruiters", "workable", "workday"}
    assert not (tmp_path / "check.db").exists()  # contracts store nothing


def test_scrapy_check_fails_when_a_source_yields_nothing(web, web_dir, tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("spider,source,target\ngreenhouse,Gone,no-such-board\n", encoding="utf-8")
    result = scrapy("check", "greenhouse", web=web, SKILLENAI_SEEDS=str(seeds))
    assert result.returncode == 1
    assert "ERROR: [greenhouse] parse_board" in result.stderr and "FAILED (errors=1)" in result.stderr  # HTTP 404


def test_sampleweb_serve_prints_a_scrapy_crawl_command_that_works_as_printed(web_dir, tmp_path):
    server = subprocess.Popen([sys.executable, "-m", "skillenai.sampleweb", "serve", str(web_dir)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        printed = []
        for line in server.stdout:
            printed.append(line.rstrip("\n"))
            if line.startswith("serving"):
                break
        [command] = [line.strip() for line in printed if line.startswith("  scrapy crawl ")]
        assert any("seeds.local.csv" in line for line in printed)
        args = shlex.split(command)
        assert args[:3] == ["scrapy", "crawl", "jobpostings"]
        db = Path(dict(a.split("=", 1) for a in args[4::2])["SKILLENAI_DB"])
        result = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert_clean(result)
    with sqlite3.connect(db) as conn:
        postings = conn.execute("SELECT COUNT(*) FROM documents WHERE kind = 'posting'").fetchone()[0]
        urls = [u for (u,) in conn.execute("SELECT url FROM documents")]
    assert postings > 0 and all(".sample.test/" in url for url in urls)
