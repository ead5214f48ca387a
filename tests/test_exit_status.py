"""Exit statuses a scheduler can trust, signals, arguments checked before anything is
opened (README.md, "Exit status")."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from skillenai.cli.main import main
from skillenai.crawler.seeds import SPIDERS
from skillenai.sampleweb.generate import generate

DAY = "2026-05-10"


def cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "skillenai.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for_line(process: subprocess.Popen, start: str) -> list[str]:
    """Read stderr until a line starting with ``start``; the lines read."""
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith(start):
            return lines
    raise AssertionError(f"no line starting with {start!r}: {''.join(lines)[-3000:]}")


class WriteLock:
    """The store's write lock held by the test: the command under test waits for it at its
    next write transaction, so a signal sent meanwhile is sure to arrive mid-stage."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=60)

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.conn.execute("ROLLBACK")
        self.conn.close()


# Mistakes on the command line: exit 2, one line, nothing created ----------------------------

@pytest.mark.parametrize("argv, expected", [
    (["classify", "--db", "{tmp}/typo/store.db"], "store '{tmp}/typo/store.db' does not exist (create one with "
                                                  "'skillenai crawl --db {tmp}/typo/store.db'"),
    (["dedupe", "--db", "{tmp}/typo.db"], "store '{tmp}/typo.db' does not exist"),
    (["extract", "--db", "{tmp}/typo.db"], "store '{tmp}/typo.db' does not exist"),
    (["export", "--db", "{tmp}/typo.db"], "store '{tmp}/typo.db' does not exist"),
    (["metrics", "refresh", "--db", "{tmp}/typo.db"], "store '{tmp}/typo.db' does not exist"),
    (["ingest", "--db", "{tmp}/typo/store.db", "-"], "cannot create store '{tmp}/typo/store.db': "
                                                     "directory '{tmp}/typo' does not exist"),
    (["crawl", "--db", "{tmp}/new.db", "--spider", "nosuch"],
     f"argument --spider: unknown spider 'nosuch' (expected one of {', '.join(SPIDERS)})"),
    (["crawl", "--db", "{tmp}/new.db", "--seeds", "{tmp}/missing.csv"],
     "cannot read sources file '{tmp}/missing.csv': No such file or directory"),
    (["daily", "--db", "{tmp}/new.db", "--seeds", "{tmp}/missing.csv"],
     "cannot read sources file '{tmp}/missing.csv'"),
    (["crawl", "--db", "{tmp}/new.db", "--seeds", "{tmp}/bad.csv"],
     f"sources file '{{tmp}}/bad.csv' has no usable row for {', '.join(SPIDERS)} "
     "(2 bad rows; the first bad one: {tmp}/bad.csv:2: unknown spider 'nosuch'"),
    (["crawl", "--db", "{tmp}/new.db", "--seeds", "{tmp}/bad.csv", "--spider", "lever"],
     "has no usable row for lever"),
    (["demo", "--db", "{tmp}/new.db", "--postings", "10"],
     "argument --postings: expected a whole number from 50 to 100000, got '10'"),
    (["daily", "--db", "{tmp}/new.db", "--date", "2026-13-01"], "argument --date: expected a date YYYY-MM-DD, got '2026-13-01'"),
    (["dedupe", "--db", "{tmp}/new.db", "--date", "May 10"], "argument --date: expected a date YYYY-MM-DD, got 'May 10'"),
    (["demo", "--db", "{tmp}/new.db", "--as-of", "2026-02-30"], "argument --as-of: expected a date YYYY-MM-DD"),
    (["metrics", "top-skills", "--db", "{tmp}/new.db", "--as-of", "x"], "argument --as-of: expected a date YYYY-MM-DD"),
    (["classify", "--db", "{tmp}/new.db", "--workers", "0"], "argument --workers: expected a whole number of at least 1, got '0'"),
    (["dedupe", "--db", "{tmp}/new.db", "--threshold", "1.5"], "argument --threshold: expected a number above 0 and at most 1"),
    (["export", "--db", "{tmp}/new.db", "--since", "-1"], "argument --since: expected a whole number of at least 0"),
])
def test_a_mistake_is_one_line_and_exit_2_before_anything_is_opened(tmp_path, capsys, argv, expected):
    (tmp_path / "bad.csv").write_text("spider,source,target\nnosuch,A,a\ngreenhouse,B,not a token!\n")
    try:
        status = main([arg.format(tmp=tmp_path) for arg in argv])
    except SystemExit as exc:  # argparse's own checks end there, with the same line
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("skillenai: error: "), err
    assert expected.format(tmp=tmp_path) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]  # no store, no directory, no lock file


# Bad rows among good ones: the crawl runs and a monitor fails (exit 1) ------------------------

def test_bad_seed_rows_fail_a_monitor_and_the_daily_record_says_so(tmp_path):
    web = tmp_path / "web"
    generate(web, postings=50, seed=3, as_of=dt.date(2026, 5, 9))
    with (web / "seeds.csv").open("a", encoding="utf-8") as seeds:
        seeds.write("nosuch,Nobody,nobody\ngreenhouse,Broken,not a token!\n")
    db = tmp_path / "store.db"
    result = subprocess.run([sys.executable, "-m", "skillenai.cli", "daily", "--db", str(db), "--date", DAY,
                             "--sample-web", str(web)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "monitor FAILED: sources file: unusable rows skipped (the first: " in result.stderr
    assert "must be <= 0 (SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS)" in result.stderr
    record = json.loads(result.stdout)
    assert record["outcome"] == "monitors_failed"
    failed = record["stages"]["monitors"]["failed"]
    assert [(c["monitor"], c["actual"]) for c in failed] == [("max_bad_seed_rows", 2)]
    assert record["stages"]["classify"]["status"] == "ok"  # the batch still ran on what was crawled


# Signals: finish the transaction, record `interrupted`, exit 128 + signal ---------------------

def test_sigterm_during_dedupe_keeps_whole_batches_and_the_next_run_finishes(make_sample_store):
    store = make_sample_store()
    with WriteLock(store):
        process = cli("dedupe", "--db", str(store))
        wait_for_line(process, "dedupe: ")  # the first page is read; its transaction waits for the lock
        process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 143, err[-3000:]
    assert "skillenai: interrupted by SIGTERM" in err and "Traceback" not in err
    conn = sqlite3.connect(store)
    analysed = conn.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0]
    documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    assert analysed > 0  # the transaction in hand was finished
    assert conn.execute("SELECT COUNT(*) FROM lsh_bands").fetchone()[0] == 0  # no later stage began
    assert conn.execute("SELECT COUNT(*) FROM dedupe_runs").fetchone()[0] == 0  # the run's mark did not move
    conn.close()

    # The next run picks up where it stopped and ends where an uninterrupted run does.
    again = subprocess.run([sys.executable, "-m", "skillenai.cli", "dedupe", "--db", str(store)],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    whole = make_sample_store()
    assert main(["dedupe", "--db", str(whole)]) == 0

    def clusters(path):
        with sqlite3.connect(path) as c:
            return c.execute("SELECT id, cluster_id, is_canonical FROM documents ORDER BY id").fetchall(), \
                c.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0]

    assert clusters(store) == clusters(whole)
    assert clusters(store)[1] >= analysed and documents > 0


def test_sigterm_during_classify_in_daily_records_interrupted_and_exits_143(tmp_path):
    web = tmp_path / "web"
    generate(web, postings=60, seed=4, as_of=dt.date(2026, 5, 9))
    db = tmp_path / "store.db"
    process = cli("daily", "--db", str(db), "--date", DAY, "--sample-web", str(web))
    wait_for_line(process, f"daily {DAY}: classify")
    with WriteLock(db):
        process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 143, err[-3000:]
    assert f"daily {DAY} interrupted by SIGTERM" in err and "Traceback" not in err
    record = json.loads(out)
    assert record["outcome"] == "interrupted"
    assert record["stages"]["classify"]["status"] == "interrupted"
    assert record["stages"]["dedupe"]["status"] == "ok" and "metrics" not in record["stages"]
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT outcome FROM daily_runs WHERE date = ?", [DAY]).fetchone()[0]
        tagged = conn.execute("SELECT COUNT(*) FROM documents WHERE classified_at IS NOT NULL").fetchone()[0]
    assert stored == "interrupted"
    assert tagged > 0  # the batch being tagged was written before it stopped

    # Run again: the crawl is not repeated in full (nothing changed) and the batch completes.
    again = subprocess.run([sys.executable, "-m", "skillenai.cli", "daily", "--db", str(db), "--date", DAY,
                            "--sample-web", str(web)], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["outcome"] == "ok"


def test_sigint_during_classify_exits_130(make_sample_store):
    store = make_sample_store()
    process = cli("classify", "--all", "--workers", "1", "--db", str(store))
    wait_for_line(process, "classify: 0/")  # models loaded, the first batch is being tagged
    with WriteLock(store):
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 130, err[-3000:]
    assert "skillenai: interrupted by SIGINT" in err and "Traceback" not in err
    assert out == ""  # no report of a run that did not finish


def test_sigterm_as_the_crawl_starts_stops_daily_with_143(tmp_path):
    """Whether it lands before the spiders open or while they fetch, the run stops there."""
    web = tmp_path / "web"
    generate(web, postings=50, seed=3, as_of=dt.date(2026, 5, 9))
    process = cli("daily", "--db", str(tmp_path / "store.db"), "--date", DAY, "--sample-web", str(web))
    wait_for_line(process, f"daily {DAY}: crawl")
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 143, err[-3000:]
    assert json.loads(out)["outcome"] == "interrupted"


# An extension the crawl's process imports (from the test's directory, by PYTHONPATH): when
# its spider opens it sends the process SIGTERM, and the spider finishes opening only after
# the signal has been handled, so the stop always finds a spider still opening.
SIGTERM_ON_OPEN = """
import os
import signal

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task


class SigtermOnOpen:
    @classmethod
    def from_crawler(cls, crawler):
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    async def spider_opened(self, spider):
        os.kill(os.getpid(), signal.SIGTERM)
        await maybe_deferred_to_future(task.deferLater(reactor, 1.0, lambda: None))
"""


def test_sigterm_while_a_spider_opens_stops_the_crawl_with_143_and_keeps_its_queue(tmp_path):
    """Scrapy's own stop leaves a spider that is still opening to crawl on, and its process
    never ends (the reactor runs on after the spider closes): the crawl must stop at once."""
    from skillenai.crawler.run import project_settings
    from skillenai.pipeline.demo import sample_web_crawl_command
    from skillenai.sampleweb.server import SampleWebServer

    web_dir, db, jobs = tmp_path / "web", tmp_path / "store.db", tmp_path / "jobs"
    generate(web_dir, postings=50, seed=3, as_of=dt.date(2026, 5, 9))
    (tmp_path / "sigterm_on_open.py").write_text(SIGTERM_ON_OPEN)
    extensions = {**project_settings().getdict("EXTENSIONS"), "sigterm_on_open.SigtermOnOpen": 900}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(tmp_path)]))}
    with SampleWebServer(web_dir) as web:
        command = sample_web_crawl_command(web, web_dir, db, "--spider", "greenhouse", "--jobdir", str(jobs))
        stopped = subprocess.run([*command, "--set", f"EXTENSIONS={json.dumps(extensions)}"], env=env,
                                 capture_output=True, text=True, timeout=600)
        assert stopped.returncode == 143, stopped.stderr[-3000:]
        assert "skillenai: interrupted by SIGTERM" in stopped.stderr and "Traceback" not in stopped.stderr
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT spider, outcome FROM crawl_runs").fetchall() == [("greenhouse", "interrupted")]
            assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0  # stopped before a fetch
        assert (jobs / "greenhouse" / "requests.queue").is_dir()  # the job is kept, to resume

        # The same command without the signal resumes the job and finishes it.
        resumed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT outcome FROM crawl_runs ORDER BY id").fetchall() == [("interrupted",),
                                                                                          ("finished",)]
        assert conn.execute("SELECT COUNT(*) FROM documents WHERE spider = 'greenhouse'").fetchone()[0] > 0
    assert not (jobs / "greenhouse").exists()


def test_progress_is_plain_lines_when_stderr_is_not_a_terminal(make_sample_store):
    store = make_sample_store()
    result = subprocess.run([sys.executable, "-m", "skillenai.cli", "classify", "--all", "--workers", "1",
                             "--db", str(store)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.startswith("classify: ")]
    assert "\r" not in result.stderr
    total = json.loads(result.stdout)["documents"]
    assert lines[0].startswith(f"classify: 0/{total} docs (0%)")
    last = lines[-1]
    assert last.startswith(f"classify: {total}/{total} docs (100%), ") and "doc/s" in last and " left, " in last


@pytest.mark.parametrize("argv", [
    ["metrics", "skill", "python", "--as-of", "0001-01-01"],
    ["metrics", "skill", "python", "--as-of", "9999-12-31"],
    ["metrics", "top-skills", "--limit", str(10**25)],
    ["export", "--since", str(10**25)],
])
def test_arguments_that_overflow_are_one_line_errors(argv, tmp_path, capsys):
    from skillenai.store.db import open_db

    store = tmp_path / "store.db"
    open_db(store).close()
    try:
        status = main([*argv, "--db", str(store)])
    except SystemExit as exc:  # argparse's own checks end there, with the same line
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "expected" in err, err
