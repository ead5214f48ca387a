"""`skillenai demo` end to end on a small sample web: the newcomer's first command."""

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_demo_crawls_everything_and_prints_a_summary(tmp_path):
    db = tmp_path / "demo.db"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = subprocess.run([sys.executable, "-m", "skillenai.cli", "demo", "--db", str(db), "--postings", "60",
                             "--as-of", "2026-05-09"], capture_output=True, text=True, cwd=tmp_path, timeout=600,
                            env={**os.environ, "TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "postings      60 of     60 found (100.0%)" in out
    assert "Top skills:" in out and "Top metros:" in out
    conn = sqlite3.connect(db)
    spiders = {row[0] for row in conn.execute("SELECT DISTINCT spider FROM documents")}
    assert spiders == {"greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable", "jobpostings",
                       "articles", "papers"}
    assert re.search(r"^  papers +(\d+) of +\1 found \(100\.0%\)", out, re.MULTILINE), out
    assert conn.execute("SELECT COUNT(*) FROM documents WHERE classified_at IS NULL").fetchone()[0] == 0
    # Every document has a language, postings from ATS APIs and JSON-LD too; the summary says so.
    assert conn.execute("SELECT COUNT(*) FROM documents WHERE lang IS NULL").fetchone()[0] == 0
    total = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    english = conn.execute("SELECT COUNT(*) FROM documents WHERE lang = 'en'").fetchone()[0]
    assert f"Documents by language: en {english}" in out and english >= total - 2
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert list(scratch.iterdir()) == [], "the temporary sample web was not removed"
    assert re.search(r"^CPU time: generate [\d.]+ s, crawl [\d.]+ s, dedupe [\d.]+ s, classify [\d.]+ s, "
                     r"metrics [\d.]+ s; total [\d.]+ s", out, re.MULTILINE), out[-2000:]


def test_sigterm_to_the_demo_stops_its_crawl_and_exits_143(tmp_path):
    """The crawl runs in a child process of its own group: a signal sent to the demo alone
    (``kill PID``) reaches it through the demo, and nothing is left running."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "skillenai.cli", "demo", "--db", str(tmp_path / "demo.db"),
                                "--postings", "400", "--as-of", "2026-05-09"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path, env={**os.environ, "TMPDIR": str(scratch)})
    for line in process.stdout:
        if line.startswith("Serving it on"):
            break
    children: set[int] = set()
    started = time.monotonic()
    while time.monotonic() - started < 120:  # until a spider has opened (its run is recorded)
        children |= _children(process.pid)
        if children and _crawl_outcomes(tmp_path / "demo.db"):
            break
        time.sleep(0.05)
    assert children and _crawl_outcomes(tmp_path / "demo.db"), "the demo's crawl did not start"
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 143, err[-3000:]
    assert "interrupted by SIGTERM" in err and "Traceback" not in err
    assert "Index:" not in out  # no batch after a stopped crawl
    outcomes = _crawl_outcomes(tmp_path / "demo.db")
    assert outcomes and set(outcomes) != {"finished"}, outcomes  # the signal reached the spiders
    assert not any(Path(f"/proc/{pid}").exists() for pid in children), "a child of the demo is still running"
    assert list(scratch.iterdir()) == [], "the temporary sample web was not removed"


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:  # not a process, or ended meanwhile
            continue
        if int(stat[stat.rfind(b")") + 2:].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _crawl_outcomes(db: Path) -> list[str]:
    """The outcome of each crawl run recorded in ``db`` (none while the store is being made)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return [row[0] for row in conn.execute("SELECT outcome FROM crawl_runs")]
    except sqlite3.Error:
        return []
