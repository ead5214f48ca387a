"""A spider whose store cannot be opened does not pass for a run: it waits within a bound
(``SKILLENAI_STORE_OPEN_WAIT``), then the crawl says so and exits 1, and where the store
lets it, a ``failed_to_start`` run is recorded, which fails the monitors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy.settings import Settings

from skillenai.crawler.monitors import run_monitors
from skillenai.pipeline.demo import sample_web_settings
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer
from skillenai.store.db import open_db
from skillenai.store.runs import crawl_runs_after, record_unstarted_run


@pytest.fixture(scope="module")
def web_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("lockweb")
    generate(directory, postings=50, seed=3)
    return directory


def crawl_while_locked(web_dir: Path, db: Path, hold: float | None, wait: float) -> subprocess.CompletedProcess:
    """``skillenai crawl --spider ashby`` while another connection holds the store's write
    lock, for ``hold`` seconds (``None``: until the crawl ends)."""
    open_db(db).close()
    with SampleWebServer(web_dir) as web:
        settings = sample_web_settings(web, web_dir, str(db))
        command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db),
                   "--seeds", settings.pop("SKILLENAI_SEEDS"), "--spider", "ashby"]
        settings.pop("SKILLENAI_DB")
        settings["SKILLENAI_STORE_OPEN_WAIT"] = wait
        for key, value in settings.items():
            command += ["--set", f"{key}={json.dumps(value)}"]
        lock = sqlite3.connect(db, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")
        try:
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if hold is not None:
                time.sleep(hold)
                lock.execute("COMMIT")
            out, err = proc.communicate(timeout=300)
        finally:
            if lock.in_transaction:
                lock.execute("COMMIT")
            lock.close()
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def test_a_spider_that_cannot_open_its_store_fails_the_crawl(web_dir, tmp_path):
    db = tmp_path / "locked.db"
    started = time.monotonic()
    result = crawl_while_locked(web_dir, db, hold=None, wait=2)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "skillenai: ashby did not run:" in result.stderr and "SKILLENAI_STORE_OPEN_WAIT" in result.stderr
    assert time.monotonic() - started < 60  # bounded by the setting, not by a busy timeout per try
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0


def test_a_lock_released_within_the_wait_lets_the_spider_run(web_dir, tmp_path):
    db = tmp_path / "briefly.db"
    result = crawl_while_locked(web_dir, db, hold=1.5, wait=60)
    assert result.returncode == 0, result.stderr[-2000:]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT spider, outcome FROM crawl_runs").fetchall() == [("ashby", "finished")]
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] > 0


def test_a_run_that_did_not_start_fails_the_monitors(tmp_path):
    seeds = tmp_path / "sources.csv"
    seeds.write_text("spider,source,target\nashby,Acme,acme\n")
    db = open_db(tmp_path / "s.db")
    run_id = record_unstarted_run(db, "ashby", "the store could not be opened")
    [run] = crawl_runs_after(db, 0)
    assert run["outcome"] == "failed_to_start" and json.loads(run["stats"])["error"] == "the store could not be opened"
    checks = run_monitors(db, [run_id], Settings({"SKILLENAI_SEEDS": str(seeds)}))
    assert [c.source for c in checks if not c.passed and c.monitor == "min_items"] == ["Acme"]
