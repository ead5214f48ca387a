"""Crash safety: ``kill -9`` a crawl at random points, rerun, check the store.

Each trial starts ``skillenai crawl`` (every spider) on the sample web into one store and
SIGKILLs it at a random point: after a random share of the expected documents has been
committed, or, in some trials, at a random moment before the first write. After every kill
the store is checked (integrity, full-text index, foreign keys, no orphan rows, the
killed runs marked ``interrupted`` once the next run starts); after the last kill a rerun
completes and every ground-truth posting and article must be stored exactly once.

Usage::

    python -m benchmarks.crash_trials --trials 20          # prints a table, writes results/crash.json
    python -m benchmarks.crash_trials --trials 20 --daily  # the same for ``skillenai daily``

With ``--daily`` each trial is a ``skillenai daily`` of the sample web (crawl, dedupe,
classify, metrics) into a new store, killed at a random moment of a whole run's length
(measured first on a scratch store), so that kills land in every stage; after the kill
the store is checked, then the day is run again, which must finish ``ok`` with every
ground-truth document stored once and every document classified.

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


DAY = "2026-05-10"


def daily_command(web_dir: Path, db: Path) -> list[str]:
    """``skillenai daily`` of the sample web (served by the command itself)."""
    return [sys.executable, "-m", "skillenai.cli", "daily", "--db", str(db), "--date", DAY, "--sample-web", str(web_dir)]


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


def run_daily_trials(web_dir: Path, work: Path, trials: int, seed: int, *, timeout: float = 600) -> dict:
    """``trials`` daily runs, each into a new store, killed at a random moment, checked,
    then run again to the end; returns what was seen."""
    rng = random.Random(seed)
    truth = truth_urls(web_dir)
    started = time.monotonic()
    subprocess.run(daily_command(web_dir, work / "scratch.db"), capture_output=True, timeout=timeout)
    length = time.monotonic() - started
    results = []
    for number in range(1, trials + 1):
        db = work / f"trial{number}.db"
        delay = rng.uniform(0.05, 0.95) * length
        started = time.monotonic()
        process = subprocess.Popen(daily_command(web_dir, db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        while process.poll() is None and time.monotonic() - started < delay:
            time.sleep(0.05)
        finished_first = process.poll() is not None
        if not finished_first:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        row = {"trial": number, "killed_after_s": round(time.monotonic() - started, 2),
               "finished_before_kill": finished_first, "documents": _count(db),
               "stage": _query(db, "SELECT COUNT(*) FROM daily_runs") and _stage(db),
               "problems": check_store(db) if db.exists() else []}
        again = subprocess.run(daily_command(web_dir, db), capture_output=True, text=True, timeout=timeout)
        conn = sqlite3.connect(db)
        stored = [r[0] for r in conn.execute("SELECT url FROM documents WHERE kind IN ('posting', 'article')")]
        row.update(rerun_returncode=again.returncode,
                   outcome=conn.execute("SELECT outcome FROM daily_runs WHERE date = ?", [DAY]).fetchone()[0],
                   missing=len(truth - set(stored)), duplicated=len(stored) - len(set(stored)),
                   unclassified=conn.execute("SELECT COUNT(*) FROM documents WHERE classified_at IS NULL").fetchone()[0],
                   rerun_problems=check_store(db))
        conn.close()
        results.append(row)
    return {"trials": results, "daily_run_seconds": round(length, 1), "truth": len(truth)}


def _stage(db: Path) -> str:
    """The stages a killed daily run had finished (its record's ``stages`` keys)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        stages = conn.execute("SELECT stages FROM daily_runs WHERE date = ?", [DAY]).fetchone()
        conn.close()
        return ",".join(json.loads(stages[0])) if stages else ""
    except sqlite3.Error:
        return ""


def run_trials(web, web_dir: Path, db: Path, trials: int, seed: int, *, timeout: float = 600) -> dict:
    """``trials`` killed crawls on one store, then a complete one; returns what was seen."""
    rng = random.Random(seed)
    expected = len(truth_urls(web_dir))
    command = crawl_command(web, web_dir, db)
    results = []
    for number in range(1, trials + 1):
        last_run = _query(db, "SELECT MAX(id) FROM crawl_runs")
        # One trial in four dies before its first commit, the others part way through.
        early = rng.random() < 0.25
        target = None if early else rng.uniform(0.05, 0.95) * expected
        delay = rng.uniform(0.5, 6.0) if early else None
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        finished_first = False
        while True:
            if process.poll() is not None:
                finished_first = True
                break
            elapsed = time.monotonic() - started
            if delay is not None and elapsed >= delay:
                break
            if target is not None and _written_since(db, last_run) >= target:
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
    final = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
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
    parser.add_argument("--daily", action="store_true", help="kill skillenai daily runs instead of crawls")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="skillenai-crash-") as tmp:
        web_dir = Path(tmp) / "web"
        generate(web_dir, postings=args.postings, seed=args.seed, as_of=dt.date(2026, 5, 9))
        started = time.monotonic()
        if args.daily:
            report = run_daily_trials(web_dir, Path(tmp), args.trials, args.seed)
        else:
            with SampleWebServer(web_dir) as web:
                report = run_trials(web, web_dir, Path(tmp) / "store.db", args.trials, args.seed)
        report["seconds"] = round(time.monotonic() - started, 1)
    ok = print_daily(report) if args.daily else print_crawls(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report.update(postings=args.postings, seed=args.seed, date=dt.date.today().isoformat())
    path = RESULTS.with_name("crash_daily.json") if args.daily else RESULTS
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


def print_crawls(report: dict) -> bool:
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
    return (clean == len(report["trials"]) and report["final_returncode"] == 0 and not report["missing_count"]
            and not report["duplicated"] and not report["final_problems"]
            and report["runs_by_outcome"].get("interrupted", 0) == report["runs_cut_short"])


def print_daily(report: dict) -> bool:
    print(f"a whole daily run: {report['daily_run_seconds']} s; {report['truth']} truth documents")
    print(f"{'trial':>5}  {'killed after':>12}  {'stages done':24}  {'documents':>9}  {'problems':10}  "
          f"{'rerun':>5}  {'outcome':8}  missing  duplicated  unclassified")
    good = 0
    for t in report["trials"]:
        killed = "finished" if t["finished_before_kill"] else f"{t['killed_after_s']:.2f} s"
        sound = not t["problems"] and not t["rerun_problems"] and t["rerun_returncode"] == 0 and t["outcome"] == "ok" \
            and not t["missing"] and not t["duplicated"] and not t["unclassified"]
        good += sound
        print(f"{t['trial']:>5}  {killed:>12}  {(t['stage'] or '-'):24}  {t['documents']:>9}  "
              f"{(', '.join(t['problems']) or 'none'):10}  {t['rerun_returncode']:>5}  {t['outcome']:8}  "
              f"{t['missing']:>7}  {t['duplicated']:>10}  {t['unclassified']:>12}")
    print(f"\n{len(report['trials'])} daily runs killed with kill -9, "
          f"{sum(not t['finished_before_kill'] for t in report['trials'])} of them before they finished; "
          f"{good} left a sound store that a rerun completed (ok, nothing missing, duplicated or unclassified)")
    return good == len(report["trials"])


if __name__ == "__main__":
    sys.exit(main())
