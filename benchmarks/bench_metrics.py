"""Metrics benchmark: ``skillenai metrics skill`` latency on synthetic stores of growing size.

A synthetic store is generated straight into SQLite (no crawl, no classify): ``N``
postings over ``--days`` days, ~10 skills a posting drawn from the real taxonomy with a
Zipf-like popularity (the top skill is on ~30% of postings, as Python is in the sample
web), one or two cities a posting, a role family, ``--dup-rate`` non-canonical duplicates,
some postings without a date, and ``N/50`` articles. Rows are inserted in key order with
``executemany`` and the secondary indexes are built afterwards.

For each store it measures, in the same run and the same process, for popular, middling
and rare skills:

- ``metrics skill``: :func:`skillenai.metrics.queries.skill_metrics` (every figure of the page);
- the bare baseline: ``SELECT COUNT(*) FROM document_skills WHERE skill_id = ?``, the
  covering index alone, no join, no window;
- the bare windowed count: canonical postings of the skill in the window
  (``skill_postings``), the first figure alone;

and, once each, ``top-skills``, ``trends``, ``metro`` and ``role``. Latencies are with a
warm page cache (one untimed call per skill first); the first call of a cold process is
reported separately. Everything is measured twice: computed on request ("live"), then
after :func:`skillenai.metrics.queries.refresh` has stored per-day counts and the pages of the busy
skills, metros and roles ("refreshed", what the daily job leaves); the refresh's own
time is reported.

Usage::

    python -m benchmarks.bench_metrics --quick          # 20k postings, a minute
    python -m benchmarks.bench_metrics                  # 100k, 300k and 1M postings
    python -m benchmarks.bench_metrics --scales 1000000 --keep /var/tmp/bench-stores

Prints a table and writes ``benchmarks/results/metrics.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

from skillenai.metrics import queries as metrics
from skillenai.store.db import open_db
from skillenai.store.schema import fill_posting_facts

RESULTS = ROOT / "benchmarks" / "results" / "metrics.json"
AS_OF = dt.date(2026, 5, 9)
TARGET_MS = 200.0
# Skill popularity ranks measured: popular, middling, rare.
RANKS = {"popular": (0, 1, 4), "middling": (30, 120, 400), "rare": (1000, 1800, 2300)}
TABLES = ("documents", "postings", "document_skills", "document_metros", "document_roles")


# -- the synthetic store -------------------------------------------------------------------

def _zipf_cdf(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return np.cumsum(w / w.sum())


def _draw_distinct(rng, cdf: np.ndarray, rows: int, want: np.ndarray, draws: int) -> list[np.ndarray]:
    """Per row, the first ``want[row]`` distinct values of ``draws`` weighted draws: weighted
    sampling without replacement, vectorised. Returns (row index, value) arrays."""
    picks = np.searchsorted(cdf, rng.random((rows, draws)), side="right")
    picks = np.minimum(picks, len(cdf) - 1)
    order = np.argsort(picks, axis=1, kind="stable")
    sorted_ = np.take_along_axis(picks, order, axis=1)
    first = np.ones_like(sorted_, dtype=bool)
    first[:, 1:] = sorted_[:, 1:] != sorted_[:, :-1]
    keep = np.empty_like(first)
    np.put_along_axis(keep, order, first, axis=1)          # first occurrence, in draw order
    rank = np.cumsum(keep, axis=1)
    keep &= rank <= want[:, None]
    row_idx, col = np.nonzero(keep)
    return [row_idx, picks[row_idx, col]]


def build_store(path: Path, postings: int, *, days: int = 180, skills_per_posting: float = 10.0,
                dup_rate: float = 0.02, undated_rate: float = 0.01, text_bytes: int = 600,
                seed: int = 1, as_of: dt.date = AS_OF, text_of=None, companies: int = 5000, log=print) -> dict:
    """Write a synthetic store of ``postings`` postings to ``path``; returns its row counts.

    ``text_of(row, kind, company)``, when given, returns a document's ``(title, text)``
    (and its ``content_hash`` is the text's); otherwise every document carries the same
    ``text_bytes`` of filler. Posting ``row`` belongs to ``Company {row % companies}``.
    """
    from skillenai.classify.places.gazetteer import metro_table
    from skillenai.classify.roles import role_table
    from skillenai.classify.skills.taxonomy import load_taxonomy
    from skillenai.core.record import content_hash

    started = time.monotonic()
    rng = np.random.default_rng(seed)
    if path.exists():
        path.unlink()
    db = open_db(path)
    conn = db.conn
    taxonomy = load_taxonomy()
    skills = list(taxonomy.skills)
    rng.shuffle(skills)                                     # popularity rank, seeded
    roles = role_table()
    metros = sorted(metro_table(), key=lambda m: -(m["population"] or 0))[:400]

    # Bulk load: no journal, and the tables' secondary indexes and triggers (full text,
    # stale pages, posting_facts) off until the end, when the derived tables are filled at once.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    saved = conn.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('index', 'trigger') "
        f"AND tbl_name IN ({','.join('?' * len(TABLES))})", TABLES).fetchall()
    for kind, name, _ in saved:
        conn.execute(f"DROP {kind.upper()} {name}")

    n_art = max(postings // 50, 10)
    total_docs = postings + n_art
    ids = np.unique(rng.integers(0, 2**63 - 1, size=int(total_docs * 1.01) + 16, dtype=np.int64))
    ids = ids[rng.permutation(len(ids))[:total_docs]]
    is_article = np.zeros(total_docs, dtype=bool)
    is_article[rng.permutation(total_docs)[:n_art]] = True
    order = np.argsort(ids)                                 # rows go in id order
    ids, is_article = ids[order], is_article[order]
    hex_ids = [f"{int(x):016x}" for x in ids]
    day_offsets = rng.integers(0, days, size=total_docs)
    dates = [(as_of - dt.timedelta(days=int(o))).isoformat() for o in range(days)]
    canonical = rng.random(total_docs) >= dup_rate
    undated = (rng.random(total_docs) < undated_rate) & ~is_article
    filler = ("Build and operate services; review designs; mentor engineers; " * (text_bytes // 60 + 1))[:text_bytes]
    canon_pool = np.flatnonzero(canonical & ~is_article)

    def documents():
        for i, doc_id in enumerate(hex_ids):
            day = dates[day_offsets[i]]
            kind = "article" if is_article[i] else "posting"
            seen = f"{day}T08:00:00Z"
            cluster = None if canonical[i] else hex_ids[canon_pool[i % len(canon_pool)]]
            title, text, digest = f"{kind.title()} {i}", filler, doc_id
            if text_of is not None:
                title, text = text_of(i, kind, f"Company {i % companies}")
                digest = content_hash(text)
            yield (doc_id, f"https://jobs.example.com/{doc_id}", f"https://jobs.example.com/{doc_id}", "bench",
                   "bench", kind, title, text, "en", f"{day}T09:00:00Z" if is_article[i] else None,
                   seen, seen, digest, i + 1, cluster, int(canonical[i]), seen)

    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO documents (id, url, canonical_url, source, spider, kind, title, text, lang, published_at, "
        "first_seen, last_seen, content_hash, seq, cluster_id, is_canonical, classified_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", documents())
    conn.executemany(
        "INSERT INTO postings (document_id, company, location_raw, date_posted) VALUES (?, ?, ?, ?)",
        ((hex_ids[i], f"Company {i % companies}", "Somewhere",
          None if undated[i] else dates[day_offsets[i]]) for i in range(total_docs) if not is_article[i]))
    log(f"  documents and postings: {time.monotonic() - started:.1f} s")

    # Skills: ~skills_per_posting a posting (6 an article), Zipf-like popularity (s = 0.7).
    cdf = _zipf_cdf(len(skills), 0.7)
    want = np.where(is_article, 6, rng.integers(int(skills_per_posting) - 3, int(skills_per_posting) + 4,
                                                size=total_docs))
    skill_ids = [s.id for s in skills]
    pair_rows = 0
    chunk = 100_000
    for lo in range(0, total_docs, chunk):
        hi = min(lo + chunk, total_docs)
        rows, picks = _draw_distinct(rng, cdf, hi - lo, want[lo:hi], int(skills_per_posting) + 10)
        pairs = sorted(zip((hex_ids[lo + r] for r in rows.tolist()), (skill_ids[p] for p in picks.tolist())))
        conn.executemany("INSERT INTO document_skills (document_id, skill_id, mentions, score, method) "
                         "VALUES (?, ?, 1, 1.0, 'alias')", pairs)
        pair_rows += len(pairs)
    log(f"  document_skills ({pair_rows:,} rows): {time.monotonic() - started:.1f} s")

    # Places: one city (85%), two (10%) or none (5%, remote); roles: one a posting (95%).
    mcdf = _zipf_cdf(len(metros), 1.0)
    n_places = np.where(is_article, 0, rng.choice([0, 1, 2], p=[0.05, 0.85, 0.10], size=total_docs))
    rows, picks = _draw_distinct(rng, mcdf, total_docs, n_places, 4)
    conn.executemany("INSERT INTO document_metros (document_id, metro_id, source) VALUES (?, ?, 'location')",
                     sorted(zip((hex_ids[r] for r in rows.tolist()), (metros[p]["id"] for p in picks.tolist()))))
    conn.executemany(
        "INSERT INTO metros (id, name, admin1, country, lat, lon, metro_area_id, metro_area, population) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(m["id"], m["name"], m["admin1"], m["country"], m["lat"], m["lon"], m["id"], m["name"], m["population"])
         for m in metros])
    rcdf = _zipf_cdf(len(roles), 0.8)
    role_pick = np.minimum(np.searchsorted(rcdf, rng.random(total_docs), side="right"), len(roles) - 1)
    has_role = (rng.random(total_docs) < 0.95) & ~is_article
    conn.executemany("INSERT INTO document_roles (document_id, role_id, score) VALUES (?, ?, 0.9)",
                     ((hex_ids[i], roles[role_pick[i]]["id"]) for i in np.flatnonzero(has_role).tolist()))
    conn.executemany("INSERT INTO skills (id, name, category, aliases) VALUES (?, ?, ?, '[]')",
                     [(s.id, s.name, s.category) for s in skills])
    conn.executemany("INSERT INTO roles (id, name) VALUES (?, ?)", [(r["id"], str(r["name"])) for r in roles])
    conn.execute("COMMIT")
    log(f"  places and roles: {time.monotonic() - started:.1f} s")

    for kind, name, sql in saved:                           # indexes first, then the triggers
        if kind == "index":
            conn.execute(sql)
    for kind, name, sql in saved:
        if kind == "trigger":
            conn.execute(sql)
    conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
    fill_posting_facts(conn)
    conn.commit()  # (the INSERT opened a transaction: closing without this rolled the index back)
    log(f"  indexes and full-text index: {time.monotonic() - started:.1f} s")
    conn.execute("PRAGMA journal_mode = WAL")
    counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    counts["canonical_postings"] = conn.execute("SELECT COUNT(*) FROM unique_postings").fetchone()[0]
    db.close()
    return {"postings": postings, "articles": n_art, "days": days, "rows": counts,
            "skills_by_rank": [s.name for s in skills], "file_mb": round(path.stat().st_size / 2**20, 1),
            "build_seconds": round(time.monotonic() - started, 1)}


# -- timing --------------------------------------------------------------------------------

def _ms(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def measure(path: Path, store: dict, repeat: int) -> dict:
    db = open_db(path, readonly=True)
    metrics.tune_connection(db)                             # as the command line does
    as_of = metrics.data_as_of(db)
    window = metrics.make_window(db, as_of)
    cold_started = time.perf_counter()
    metrics.skill_metrics(db, store["skills_by_rank"][0], as_of=as_of)
    cold_ms = (time.perf_counter() - cold_started) * 1000

    per_skill = []
    for group, ranks in RANKS.items():
        for rank in ranks:
            if rank >= len(store["skills_by_rank"]):
                continue
            name = store["skills_by_rank"][rank]
            ref = metrics.resolve_skill_ref(db, name)

            def page(name=name):
                return metrics.skill_metrics(db, name, as_of=as_of)

            def bare(ref=ref):
                return db.execute("SELECT COUNT(*) FROM document_skills WHERE skill_id = ?", [ref["id"]]).fetchone()

            def windowed(ref=ref):
                return db.execute("SELECT COUNT(*) FROM skill_postings WHERE skill_id = ? AND date_posted > ? "
                                  "AND date_posted <= ?", [ref["id"], window.before(window.days),
                                                           window.as_of.isoformat()]).fetchone()

            result = page()                                  # warm-up, and the figures
            page_ms, bare_ms, win_ms = _ms(page, repeat), _ms(bare, repeat), _ms(windowed, repeat)
            steps: dict[str, float] = {}
            metrics.skill_metrics(db, name, as_of=as_of, timings=steps)
            per_skill.append({
                "group": group, "rank": rank, "skill": name,
                "tagged_documents": bare()[0], "postings_in_window": result["postings"],
                "metrics_ms": round(statistics.median(page_ms), 2), "metrics_runs_ms": [round(v, 2) for v in page_ms],
                "bare_count_ms": round(statistics.median(bare_ms), 3),
                "windowed_count_ms": round(statistics.median(win_ms), 2),
                "steps_ms": steps,
            })
    all_runs = [v for s in per_skill for v in s["metrics_runs_ms"]]
    others = {}
    metro_name = db.execute("SELECT m.name FROM document_metros dm JOIN metros m ON m.id = dm.metro_id "
                            "GROUP BY m.id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    metro_ref = db.execute("SELECT id, name, admin1, country FROM metros WHERE name = ?", [metro_name]).fetchone()
    metro_ref = dict(zip(("id", "name", "admin1", "country"), metro_ref))
    for label, fn in (("top-skills", lambda: metrics.top_skills(db, as_of=as_of)),
                      ("trends", lambda: metrics.trends(db, as_of=as_of)),
                      (f"metro ({metro_name})", lambda: metrics.metro_metrics(db, metro_ref, as_of=as_of)),
                      ("role (Backend Engineer)", lambda: metrics.role_metrics(db, "Backend Engineer", as_of=as_of))):
        fn()
        others[label] = round(statistics.median(_ms(fn, max(1, repeat // 2))), 1)
    db.close()
    return {
        "first_call_ms": round(cold_ms, 1),
        "metrics_skill_ms": {"median": round(statistics.median(all_runs), 1), "p95": round(_p95(all_runs), 1),
                             "max": round(max(all_runs), 1)},
        "bare_count_ms": {"median": round(statistics.median([s["bare_count_ms"] for s in per_skill]), 3)},
        "per_skill": per_skill,
        "other_commands_ms": others,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=lambda v: [int(x) for x in v.split(",")],
                        default=[100_000, 300_000, 1_000_000], help="postings per store, comma-separated")
    parser.add_argument("--quick", action="store_true", help="one small store (20k postings)")
    parser.add_argument("--days", type=int, default=180, help="days the posting dates span (default 180)")
    parser.add_argument("--skills-per-posting", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=7, help="timed calls per skill (default 7)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="build stores in this directory and reuse them when they exist")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    scales = [20_000] if args.quick else args.scales

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {"machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                           "cpus": os.cpu_count(), "platform": platform.platform()},
               "target_ms": TARGET_MS, "as_of": AS_OF.isoformat(), "window_days": metrics.DEFAULT_WINDOW,
               "days": args.days, "stores": []}
    for n in scales:
        path = work / f"metrics-{n}-{args.days}d.db"
        meta_path = path.with_suffix(".json")
        if args.keep and path.exists() and meta_path.exists():
            store = json.loads(meta_path.read_text())
            print(f"store of {n:,} postings: reusing {path}")
        else:
            print(f"store of {n:,} postings: building {path}")
            store = build_store(path, n, days=args.days, skills_per_posting=args.skills_per_posting)
            meta_path.write_text(json.dumps(store))
        load_before = os.getloadavg()[0]
        timing = measure(path, store, args.repeat)
        db = open_db(path)
        metrics.tune_connection(db)
        timing["refresh"] = metrics.refresh(db, force=True)
        db.close()
        timing["refreshed"] = measure(path, store, args.repeat)
        # Other work on the machine slows every figure alike; the ratio to the baseline holds.
        timing["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        entry = {k: v for k, v in store.items() if k != "skills_by_rank"}
        entry.update(timing)
        results["stores"].append(entry)
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
        _print_store(entry)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    _print_summary(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


def _print_store(e: dict) -> None:
    rows = e["rows"]
    print(f"\n{e['postings']:,} postings, {rows['document_skills']:,} posting-skill rows, {e['file_mb']:,} MB, "
          f"built in {e['build_seconds']} s; first call of the process {e['first_call_ms']} ms")
    print(f"  {'skill':32} {'rank':>5} {'tagged':>9} {'in window':>9} {'metrics ms':>10} {'bare COUNT ms':>13} "
          f"{'window COUNT ms':>15}")
    for s in e["per_skill"]:
        print(f"  {s['skill'][:32]:32} {s['rank']:>5} {s['tagged_documents']:>9,} {s['postings_in_window']:>9,} "
              f"{s['metrics_ms']:>10.1f} {s['bare_count_ms']:>13.3f} {s['windowed_count_ms']:>15.1f}")
    print("  where a call's time goes (ms):")
    for s in e["per_skill"]:
        print(f"    {s['skill'][:28]:28} " + ", ".join(f"{k} {v:.1f}" for k, v in s["steps_ms"].items()))
    print("  other commands (ms): " + ", ".join(f"{k} {v}" for k, v in e["other_commands_ms"].items()))
    r, ref = e["refreshed"], e["refresh"]
    print(f"  after 'metrics refresh' ({ref['seconds']['total']} s; pages {ref['pages']}):")
    for s in r["per_skill"]:
        print(f"    {s['skill'][:28]:28} rank {s['rank']:>5}: {s['metrics_ms']:.1f} ms")
    print("  other commands (ms): " + ", ".join(f"{k} {v}" for k, v in r["other_commands_ms"].items()))
    print(f"  load average before/after: {e['load_average']}")


def _print_summary(results: dict) -> None:
    print(f"\nmetrics skill latency (warm, {len(RANKS)} popularity groups), target < {results['target_ms']:.0f} ms:")
    print(f"  {'postings':>10} {'':>10} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'bare COUNT median ms':>21}"
          f" {'refresh s':>10}")
    for e in results["stores"]:
        for label, m, refresh in (("live", e["metrics_skill_ms"], ""),
                                  ("refreshed", e["refreshed"]["metrics_skill_ms"], e["refresh"]["seconds"]["total"])):
            print(f"  {e['postings']:>10,} {label:>10} {m['median']:>10.1f} {m['p95']:>8.1f} {m['max']:>8.1f} "
                  f"{e['bare_count_ms']['median']:>21.3f} {refresh:>10}")


if __name__ == "__main__":
    sys.exit(main())
