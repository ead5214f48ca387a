"""Crash safety: ``kill -9`` a crawl at random points, rerun, check the store.

Each trial starts ``skillenai crawl`` (every spider) on the sample web into one store and
SIGKILLs it at a random point: after a random share of the expected documents has been
committed, or, in some trials, at a random moment before the first write. After every kill
the store is checked (integrity, full-text index, foreign keys, no orphan rows, the
killed runs marked ``interrupted`` once the next run starts); after the last kill a rerun
completes and every ground-truth posting and article must be stored exactly once.

Usage::

    python -m benchmarks.crash_trials --trials 20          # prints a table, writes results/crash.json

``tests/test_crash_safety.py`` runs the same trials, three of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from skillenai.pipeline.demo import sample_web_settings

RESULTS = ROOT / "benchmarks" / "results" / "crash.json"


def crawl_command(web, web_dir: Path, db: Path, batch: int = 10) -> list[str]:
    """``skillenai crawl`` of the sample web; small batches give a kill many commits to land between."""
    settings = sample_web_settings(web, web_dir, str(db))
    settings["SKILLENAI_STORE_BATCH"] = batch
    command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db),
               "--seeds", settings.pop("SKILLENAI_SEEDS")]
    settings.pop("SKILLENAI_DB")
    for key, value in settings.items():
        command += ["--set", f"{key}={json.dumps(value)}"]
    return command


def truth_urls(web_dir: Path) -> set[str]:
    urls = set()
    for name in ("postings", "articles"):
        with (web_dir / "truth" / f"{name}.jsonl").open(encoding="utf-8") as handle:
            urls.update(json.loads(line)["url"] for line in handle if line.strip())
    return urls


def _query(db: Path, sql: str, *params) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute(sql, params).fetchone()[0] or 0
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or mid-migration
        return 0


def _count(db: Path) -> int:
    return _query(db, "SELECT COUNT(*) FROM documents")


def _written_since(db: Path, last_run: int) -> int:
    """Documents stored or re-seen by runs after ``last_run``: the running crawl's progress."""
    return _query(db, "SELECT COUNT(*) FROM documents WHERE crawl_run_id > ?", last_run)


def _running_since(db: Path, last_run: int) -> int:
    """Runs after ``last_run`` still marked ``running``: after a kill, the ones it cut short.

    A kill can land after every spider's run has finished (while the process prints its
    summary), so a crawl that wrote documents need not leave one.
    """
    return _query(db, "SELECT COUNT(*) FROM crawl_runs WHERE id > ? AND outcome = 'running'", last_run)


def check_store(db: Path) -> list[str]:
    """Problems found in the store (empty when it is sound)."""
    conn = sqlite3.connect(db, timeout=30)
    problems = []
    integrity = conn.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        problems.append(f"integrity_check: {integrity[:5]}")
    try:
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
    except sqlite3.DatabaseError as exc:
        problems.append(f"documents_fts integrity-check: {exc}")
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        problems.append(f"foreign_key_check: {fk[:5]}")
    for what, sql in {
        "postings without a document": "SELECT COUNT(*) FROM postings p LEFT JOIN documents d ON d.id = p.document_id "
                                       "WHERE d.id IS NULL",
        "documents with a missing run": "SELECT COUNT(*) FROM documents d LEFT JOIN crawl_runs r "
                                        "ON r.id = d.crawl_run_id WHERE d.crawl_run_id IS NOT NULL AND r.id IS NULL",
        "issues with a missing run": "SELECT COUNT(*) FROM crawl_issues i LEFT JOIN crawl_runs r "
                                     "ON r.id = i.crawl_run_id WHERE i.crawl_run_id IS NOT NULL AND r.id IS NULL",
        "fts rows out of step": "SELECT (SELECT COUNT(*) FROM documents) - (SELECT COUNT(*) FROM documents_fts)",
        "duplicate urls": "SELECT COUNT(*) - COUNT(DISTINCT canonical_url) FROM documents",
    }.items():
        n = conn.execute(sql).fetchone()[0]
        if n:
            problems.append(f"{what}: {n}")
    conn.close()
    return problems


def run_trials(web, web_dir: Path, db: Path, trials: int, seed: int, *, timeout: float = 600) -> dict:
    """``trials`` killed crawls on one store, then a complete one; returns what was seen."""
    rng = random.Random(seed)
    expected = len(truth_urls(web_dir))
    results = []
    for number in range(1, trials + 1):
        last_run = _query(db, "SELECT MAX(id) FROM crawl_runs")
        # One trial in four dies before its first commit, the others part way through.
        early = rng.random() < 0.25
        target = None if early else rng.uniform(0.05, 0.95) * expected
        delay = rng.uniform(0.5, 6.0) if early else None
        started = time.monotonic()
        process = subprocess.Popen(crawl_command(web, web_dir, db), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        finished_first = False
        while True:
            if process.poll() is not None:
                finished_first = True
                break
            elapsed = time.monotonic() - started
            if early and elapsed >= delay:
                break
            if not early and _written_since(db, last_run) >= target:
                break
            if elapsed > timeout:
                break
            time.sleep(0.05)
        if not finished_first:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        killed_at = round(time.monotonic() - started, 2)
        results.append({
            "trial": number, "kind": "early" if early else "mid-write", "killed_after_s": killed_at,
            "finished_before_kill": finished_first, "documents": _count(db),
            "written_by_killed_run": _written_since(db, last_run),
            "runs_cut_short": _running_since(db, last_run),
            "problems": check_store(db) if db.exists() else [],
        })
    final = subprocess.run(crawl_command(web, web_dir, db), capture_output=True, text=True, timeout=timeout)
    conn = sqlite3.connect(db)
    stored = [row[0] for row in conn.execute("SELECT url FROM documents WHERE kind IN ('posting', 'article')")]
    truth = truth_urls(web_dir)
    runs = dict(conn.execute("SELECT outcome, COUNT(*) FROM crawl_runs GROUP BY outcome").fetchall())
    conn.close()
    return {
        "trials": results,
        "final_returncode": final.returncode,
        "final_stderr": final.stderr[-2000:],
        "final_problems": check_store(db),
        "truth": len(truth),
        "missing": sorted(truth - set(stored))[:20],
        "missing_count": len(truth - set(stored)),
        "duplicated": len(stored) - len(set(stored)),
        "runs_by_outcome": runs,
        "runs_cut_short": sum(t["runs_cut_short"] for t in results),
    }


def main() -> int:
    from skillenai.sampleweb.generate import generate
    from skillenai.sampleweb.server import SampleWebServer

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--postings", type=int, default=150)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="skillenai-crash-") as tmp:
        web_dir = Path(tmp) / "web"
        generate(web_dir, postings=args.postings, seed=args.seed, as_of=dt.date(2026, 5, 9))
        with SampleWebServer(web_dir) as web:
            started = time.monotonic()
            report = run_trials(web, web_dir, Path(tmp) / "store.db", args.trials, args.seed)
            report["seconds"] = round(time.monotonic() - started, 1)
    print(f"{'trial':>5}  {'kind':9}  {'killed after':>12}  {'written by it':>13}  {'runs cut':>8}  "
          f"{'documents':>9}  problems")
    for t in report["trials"]:
        note = "finished before the kill" if t["finished_before_kill"] else ", ".join(t["problems"]) or "none"
        print(f"{t['trial']:>5}  {t['kind']:9}  {t['killed_after_s']:>10.2f} s  {t['written_by_killed_run']:>13}  "
              f"{t['runs_cut_short']:>8}  {t['documents']:>9}  {note}")
    clean = sum(1 for t in report["trials"] if not t["problems"])
    print(f"\n{len(report['trials'])} kill -9 trials, {clean} with a sound store after the kill; final rerun exit "
          f"{report['final_returncode']}: {report['truth'] - report['missing_count']} of {report['truth']} truth "
          f"documents stored, {report['missing_count']} missing, {report['duplicated']} duplicated, store problems: "
          f"{report['final_problems'] or 'none'}; runs by outcome: {report['runs_by_outcome']} "
          f"({report['runs_cut_short']} cut short by the kills)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report.update(postings=args.postings, seed=args.seed, date=dt.date.today().isoformat())
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    ok = (clean == len(report["trials"]) and report["final_returncode"] == 0 and not report["missing_count"]
          and not report["duplicated"] and not report["final_problems"]
          and report["runs_by_outcome"].get("interrupted", 0) == report["runs_cut_short"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
