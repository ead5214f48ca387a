"""What keeping ``posting_facts`` (m028) costs the store's writes: CPU a posting of ingest
(``upsert_documents``), tagging and re-tagging (``write_tags``), dedupe's canonical and
job-group update and an unchanged re-crawl, on a store at the schema before m028 and on
one with it, alternated in one process; and m028's backfill, a posting.

Usage::

    python -m benchmarks.bench_posting_facts                  # 5,000 postings, 2 rounds
    python -m benchmarks.bench_posting_facts --postings 20000 --rounds 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from skillenai.core.record import normalize_record
from skillenai.store.db import open_db
from skillenai.store.documents import upsert_documents
from skillenai.store.schema import migrations
from skillenai.store.tags import DocumentTags, write_tags

BEFORE = "m028_posting_facts"
PHASES = ("ingest", "tag", "retag", "dedupe", "recrawl")


def _records(lo: int, hi: int) -> list[dict]:
    return [normalize_record({"url": f"https://jobs.example.com/{i}", "kind": "posting", "title": f"Engineer {i}",
                              "text": "Build and operate services. " * 20, "company": f"Company {i % 500}",
                              "location_raw": "Berlin", "date_posted": f"2026-05-{1 + i % 28:02d}",
                              "salary_min": 50000, "salary_max": 90000, "salary_currency": "EUR",
                              "salary_period": "year"}) for i in range(lo, hi)]


def _tags(records: list[dict], rng: random.Random) -> list[DocumentTags]:
    skills = [f"{k:016x}" for k in range(3000)]
    return [DocumentTags(r["id"], skills=[(s, 1, 1.0, "alias", 0) for s in rng.sample(skills, 10)],
                         places=[(f"{k:016x}", f"City {k}", None, "DE", None, None, None, None, None, None, None)
                                 for k in rng.sample(range(50), 2)], place_source="location",
                         role=("backend-engineer", 0.9), occupation=("15-1252", 0.8, None), workplace="onsite")
            for r in records]


def _round(path: Path, facts: bool, base: int, n: int) -> dict[str, float]:
    """CPU ms a posting of each phase on a fresh store (with m028 or without)."""
    db = open_db(path, migrate=False)
    migrations.apply(db, **({} if facts else {"stop_before": BEFORE}))
    rng = random.Random(3)
    stored = _records(0, base)
    upsert_documents(db, stored)
    write_tags(db, _tags(stored, rng), "2026-05-09T00:00:00Z")
    new = _records(10**6, 10**6 + n)
    out: dict[str, float] = {}

    def timed(phase, fn):
        started = time.process_time()
        fn()
        out[phase] = (time.process_time() - started) * 1000 / n

    def tag(at):
        for i in range(0, n, 500):
            write_tags(db, _tags(new[i:i + 500], rng), at)

    def dedupe():
        with db.conn:
            db.conn.executemany("UPDATE documents SET cluster_id = NULL, is_canonical = ?, job_group = ? WHERE id = ?",
                                [(1 if i % 10 else 0, new[i - i % 3]["id"], r["id"]) for i, r in enumerate(new)])

    timed("ingest", lambda: upsert_documents(db, new))
    timed("tag", lambda: tag("2026-05-09T00:00:00Z"))
    timed("retag", lambda: tag("2026-05-10T00:00:00Z"))
    timed("dedupe", dedupe)
    timed("recrawl", lambda: upsert_documents(db, new))
    if not facts:  # the backfill of every posting stored
        started = time.process_time()
        migrations.apply(db)
        out["backfill"] = (time.process_time() - started) * 1000 / (base + n)
    db.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=int, default=5000, help="postings written a round (default 5,000)")
    parser.add_argument("--base", type=int, default=5000, help="postings stored before (default 5,000)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    runs: dict[bool, list[dict]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="bench-posting-facts-") as tmp:
        for r in range(args.rounds):
            for facts in ((False, True) if r % 2 == 0 else (True, False)):
                path = Path(tmp) / f"round{r}-{int(facts)}.db"
                runs[facts].append(_round(path, facts, args.base, args.postings))
    print(f"CPU ms a posting, {args.postings:,} postings into a store of {args.base:,}, "
          f"median of {args.rounds} rounds (range)")
    print(f"  {'phase':10} {'before m028':>18} {'with m028':>18} {'extra':>8}")
    for phase in PHASES:
        before, after = [x[phase] for x in runs[False]], [x[phase] for x in runs[True]]
        print(f"  {phase:10} {statistics.median(before):8.3f} ({min(before):.3f}-{max(before):.3f}) "
              f"{statistics.median(after):8.3f} ({min(after):.3f}-{max(after):.3f}) "
              f"{statistics.median(after) - statistics.median(before):+8.3f}")
    backfill = [x["backfill"] for x in runs[False]]
    print(f"  m028's backfill: {statistics.median(backfill):.3f} ms a posting")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
