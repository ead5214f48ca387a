"""`skillenai demo` end to end on a small sample web: the newcomer's first command."""

import os
import re
import sqlite3
import subprocess
import sys
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

