"""Dedupe benchmark: signature throughput, the LSH index at scale, quality, the daily run.

Every figure comes from one run, side by side on the same documents:

1. signatures per second — datasketch's per-shingle ``update`` loop, its batch paths
   (``MinHash.bulk``, ``update_batch``, ``copy()`` + ``update_batch``), and ours
   (``skillenai.dedupe.minhash.signatures``) on one core and on every core, from the same
   normalised units; then end to end from raw text (normalisation included for all);
2. the LSH index at 100k and 1M documents (synthetic signatures, so the scale test needs
   no corpus): insert and query rates and peak memory of our SQLite ``lsh_bands`` against
   datasketch's in-memory ``MinHashLSH`` with the same band layout, each in its own
   process;
3. quality on the sample web (``skillenai.sampleweb``; the synthetic corpus of
   ``skillenai.dedupe.synthetic`` when it is missing): precision and recall of duplicate
   pairs against the ground truth and against exact Jaccard of the same shingles;
4. the daily run: a day of new postings against stores of growing size, each run in a
   process of its own (the backlog, the day, the same day again);
5. with ``--against REF`` instead of the above: the CPU time of one whole dedupe run over a
   sample-web store, this code against the git revision ``REF`` (interleaved runs).

Usage::

    python -m benchmarks.bench_dedupe --quick       # a few minutes: 100k index only
    python -m benchmarks.bench_dedupe               # 100k and 1M, larger corpora
    python -m benchmarks.bench_dedupe --sweep       # also thresholds and shingle sizes
    python -m benchmarks.bench_dedupe --against main --rounds 8   # this code's run against main's

Prints tables and writes ``benchmarks/results/dedupe.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

from skillenai.core.workers import start_method
from skillenai.dedupe import lsh
from skillenai.dedupe.minhash import (
    DEFAULT_NUM_PERM,
    DEFAULT_SEED,
    shingle_hash32,
    shingle_hashes,
    shingles,
    signatures,
)
from skillenai.dedupe.run import DedupeSettings
from skillenai.dedupe.text import split_units

RESULTS = ROOT / "benchmarks" / "results" / "dedupe.json"


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Current resident memory of this process (VmRSS), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def available_mb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("inf")


def reset_peak() -> bool:
    """Start measuring peak memory afresh (Linux: ``clear_refs`` 5 resets VmHWM)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def corpus(postings: int, seed: int = 7) -> tuple[list[dict], list[dict], str]:
    """Truth rows of the sample web (or of the synthetic corpus when it is missing)."""
    try:
        import shutil

        from evaluation.dedupe_sampleweb import load_truth
        from skillenai.sampleweb.generate import generate

        out = Path(tempfile.mkdtemp(prefix="dedupe-bench-web-"))
        try:
            generate(out, postings=postings, seed=seed)
            found = load_truth(out)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        return found[0], found[1], f"skillenai.sampleweb (postings={postings}, seed={seed})"
    except ImportError:
        from skillenai.dedupe.synthetic import generate_corpus

        c = generate_corpus(postings=postings, articles=max(20, postings // 10), seed=seed)
        return c.postings, c.articles, f"skillenai.dedupe.synthetic (postings={postings}, seed={seed})"


# 1. signatures ---------------------------------------------------------------------------

def bench_signatures(texts: list[str], shingle_size: int, loop_docs: int) -> dict:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from datasketch import MinHash

    num_perm, seed = DEFAULT_NUM_PERM, DEFAULT_SEED
    units = [split_units(t) for t in texts]
    sh = [shingles(u, shingle_size) for u in units]
    n = len(units)
    out: dict = {"documents": n, "shingles_per_document": round(sum(map(len, sh)) / n, 1),
                 "shingle_size": shingle_size, "num_perm": num_perm}

    # Same signatures as datasketch with our shingle hash (checked on a sample).
    ours, _ = signatures(units[:50], shingle_size=shingle_size, num_perm=num_perm, seed=seed)
    same = True
    for u, s, sig in zip(units[:50], sh[:50], ours):
        m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash32)
        if s:
            m.update_batch(s)
        same &= bool(np.array_equal(m.hashvalues, sig))
    out["identical_to_datasketch_with_shingle_hash32"] = same

    subset = sh[:loop_docs]

    def update_loop():
        for s in subset:
            m = MinHash(num_perm=num_perm, seed=seed)
            for x in s:
                m.update(x)

    def update_batch():
        for s in sh:
            MinHash(num_perm=num_perm, seed=seed).update_batch(s)

    def copy_batch():
        template = MinHash(num_perm=num_perm, seed=seed)
        for s in sh:
            template.copy().update_batch(s)

    rates = {
        "datasketch_update_loop": len(subset) / best_of(update_loop, 1),
        "datasketch_update_batch": n / best_of(update_batch, 2),
        "datasketch_bulk": n / best_of(lambda: MinHash.bulk(sh, num_perm=num_perm, seed=seed), 2),
        "datasketch_copy_update_batch": n / best_of(copy_batch, 2),
        "ours_1_core": n / best_of(lambda: signatures(units, shingle_size=shingle_size, num_perm=num_perm,
                                                       seed=seed)),
    }
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    # Both cores, as a daily run uses them for a backlog: a pool started once, the
    # documents split into one chunk per core (shipping them to the workers is timed).
    with ProcessPoolExecutor(cores, mp_context=multiprocessing.get_context(start_method())) as pool:
        list(pool.map(_sign, [units[:10]] * cores))  # start the workers
        chunks = [units[i::cores] for i in range(cores)]
        rates[f"ours_{cores}_cores"] = n / best_of(lambda: list(pool.map(_sign, chunks)))
        # End to end from raw text: normalisation included for every path.
        text_chunks = [texts[i::cores] for i in range(cores)]
        end_to_end = {
            "datasketch_bulk": n / best_of(lambda: MinHash.bulk(
                [shingles(split_units(t), shingle_size) for t in texts], num_perm=num_perm, seed=seed), 1),
            "ours_1_core": n / best_of(lambda: signatures([split_units(t) for t in texts],
                                                          shingle_size=shingle_size), 1),
            f"ours_{cores}_cores": n / best_of(lambda: list(pool.map(_sign_text, text_chunks)), 1),
        }
    hashing = {
        "sha1_hash32_per_shingle (datasketch default)": n / best_of(
            lambda: [[shingle_sha1(x) for x in s] for s in sh], 1),
        "ours_vectorised": n / best_of(lambda: shingle_hashes([u for us in units for u in us], shingle_size)),
    }
    out["signatures_per_second"] = {k: round(v, 1) for k, v in rates.items()}
    out["end_to_end_from_text_per_second"] = {k: round(v, 1) for k, v in end_to_end.items()}
    out["hashing_only_documents_per_second"] = {k: round(v, 1) for k, v in hashing.items()}
    fastest = max(rates["datasketch_bulk"], rates["datasketch_update_batch"], rates["datasketch_copy_update_batch"])
    out["ratio_ours_1_core_to_fastest_datasketch"] = round(rates["ours_1_core"] / fastest, 2)
    out[f"ratio_ours_{cores}_cores_to_fastest_datasketch"] = round(rates[f"ours_{cores}_cores"] / fastest, 2)
    out["ratio_end_to_end_ours_1_core_to_datasketch_bulk"] = round(
        end_to_end["ours_1_core"] / end_to_end["datasketch_bulk"], 2)
    out["cores"] = cores
    return out


def shingle_sha1(data: bytes) -> int:
    from datasketch.hashfunc import sha1_hash32

    return sha1_hash32(data)


def _sign(units):
    return signatures(units, shingle_size=DedupeSettings().shingle_size)[0].shape


def _sign_text(texts):
    return signatures([split_units(t) for t in texts], shingle_size=DedupeSettings().shingle_size)[0].shape


# 2. the LSH index at scale (each engine and size in its own process) --------------------

def synthetic_signatures(n: int, rng: np.random.Generator, num_perm: int) -> np.ndarray:
    return rng.integers(0, 2 ** 32, size=(n, num_perm), dtype=np.uint32)


def probes(rng: np.random.Generator, originals: np.ndarray, changed: float) -> np.ndarray:
    """Near copies of indexed signatures: a share ``changed`` of values replaced."""
    out = originals.copy()
    mask = rng.random(out.shape) < changed
    out[mask] = rng.integers(0, 2 ** 32, size=int(mask.sum()), dtype=np.uint32)
    return out


def child_lsh_ours(n: int, daily: int, queries: int) -> dict:
    from skillenai.store.db import open_db, write_transaction

    s = DedupeSettings()
    bands, rows = s.layout
    rng = np.random.default_rng(1)
    workdir = Path(tempfile.mkdtemp(prefix="dedupe-bench-lsh-"))
    db = open_db(workdir / "index.db")
    conn = db.conn
    kinds = ["posting"]
    started = time.perf_counter()
    keep = None
    # The base index, in chunks of 10k documents (sorted within a chunk).
    for start in range(0, n, 10_000):
        count = min(10_000, n - start)
        sigs = synthetic_signatures(count, rng, s.num_perm)
        if keep is None:
            keep = sigs[:queries].copy()
        keys = lsh.band_keys(sigs, kinds * count, bands, rows)
        ids = np.arange(start + 1, start + count + 1)
        triples = sorted(zip(np.repeat(np.arange(bands)[None, :], count, 0).ravel().tolist(),
                             keys.ravel().tolist(), np.repeat(ids, bands).tolist()))
        with write_transaction(db):
            conn.executemany("INSERT INTO lsh_bands (band, bucket, minhash_id) VALUES (?, ?, ?)", triples)
        del sigs, keys, triples
    build = time.perf_counter() - started
    resident = rss_mb()
    peak_build = peak_rss_mb()
    reset = reset_peak()
    # A day of new documents, inserted the way run_dedupe does (one transaction).
    new = synthetic_signatures(daily, rng, s.num_perm)
    new_keys = lsh.band_keys(new, kinds * daily, bands, rows)
    started = time.perf_counter()
    with write_transaction(db):
        lsh.insert(conn, list(range(n + 1, n + daily + 1)), new_keys)
    insert_seconds = time.perf_counter() - started
    # Single queries for near copies of indexed documents (estimated J about 0.8).
    near = probes(rng, keep, 0.12)
    near_keys = lsh.band_keys(near, kinds * len(near), bands, rows)
    latencies, found = [], 0
    for i in range(len(near)):
        t = time.perf_counter()
        hit = lsh.query(conn, near_keys[i].tolist())
        latencies.append(time.perf_counter() - t)
        found += (i + 1) in hit
    # Batch queries as a daily run makes them (one join for a batch).
    batch = probes(rng, keep, 0.12)
    batch_keys = lsh.band_keys(batch, kinds * len(batch), bands, rows)
    t = time.perf_counter()
    with write_transaction(db):
        lsh.query_many(conn, list(range(10 ** 9, 10 ** 9 + len(batch))), batch_keys)
    batch_seconds = time.perf_counter() - t
    lat = np.array(latencies) * 1000
    size = sum(p.stat().st_size for p in workdir.iterdir())
    db.close()
    for p in workdir.iterdir():
        p.unlink()
    workdir.rmdir()
    return {
        "engine": "ours (SQLite lsh_bands)", "indexed": n, "bands": bands, "rows": rows,
        "base_build_seconds": round(build, 1), "base_build_rows_per_second": round(n * bands / build),
        "insert_documents_per_second": round(daily / insert_seconds),
        "query_ms_p50": round(float(np.percentile(lat, 50)), 3), "query_ms_p99": round(float(np.percentile(lat, 99)), 3),
        "queries_per_second": round(len(lat) / (lat.sum() / 1000)),
        "batch_query_documents_per_second": round(len(batch) / batch_seconds),
        "near_copies_found": round(found / len(near), 4),
        "rss_after_build_mb": round(resident, 1), "peak_rss_build_mb": round(peak_build, 1),
        "peak_rss_daily_mb": round(peak_rss_mb(), 1) if reset else None, "disk_mb": round(size / 2 ** 20, 1),
    }


def child_lsh_datasketch(n: int, daily: int, queries: int) -> dict:
    from datasketch import LeanMinHash, MinHashLSH

    s = DedupeSettings()
    bands, rows = s.layout
    rng = np.random.default_rng(1)
    index = MinHashLSH(num_perm=s.num_perm, params=(bands, rows))
    keep = None
    started = time.perf_counter()
    for start in range(0, n, 10_000):
        count = min(10_000, n - start)
        sigs = synthetic_signatures(count, rng, s.num_perm)
        if keep is None:
            keep = sigs[:queries].copy()
        with index.insertion_session() as session:
            for i, sig in enumerate(sigs, start + 1):
                session.insert(i, LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"), check_duplication=False)
        del sigs
    build = time.perf_counter() - started
    resident = rss_mb()
    peak_build = peak_rss_mb()
    reset = reset_peak()
    new = synthetic_signatures(daily, rng, s.num_perm)
    started = time.perf_counter()
    for i, sig in enumerate(new, n + 1):
        index.insert(i, LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"), check_duplication=False)
    insert_seconds = time.perf_counter() - started
    near = probes(rng, keep, 0.12)
    latencies, found = [], 0
    for i, sig in enumerate(near):
        m = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
        t = time.perf_counter()
        hit = index.query(m)
        latencies.append(time.perf_counter() - t)
        found += (i + 1) in hit
    lat = np.array(latencies) * 1000
    return {
        "engine": "datasketch MinHashLSH (in memory)", "indexed": n, "bands": bands, "rows": rows,
        "base_build_seconds": round(build, 1), "insert_documents_per_second": round(daily / insert_seconds),
        "base_insert_documents_per_second": round(n / build),
        "query_ms_p50": round(float(np.percentile(lat, 50)), 3), "query_ms_p99": round(float(np.percentile(lat, 99)), 3),
        "queries_per_second": round(len(lat) / (lat.sum() / 1000)),
        "near_copies_found": round(found / len(near), 4),
        "rss_after_build_mb": round(resident, 1), "peak_rss_build_mb": round(peak_build, 1),
        "peak_rss_daily_mb": round(peak_rss_mb(), 1) if reset else None,
    }


def run_child(kind: str, **kwargs) -> dict:
    args = [sys.executable, "-m", f"benchmarks.{Path(__file__).stem}", "--child", kind] + [
        f"--{k.replace('_', '-')}={v}" for k, v in kwargs.items() if v is not None]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        return {"engine": kind, "error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# 3. quality ------------------------------------------------------------------------------

def bench_quality(postings: list[dict], articles: list[dict]) -> dict:
    from evaluation.dedupe_sampleweb import (
        build_store,
        evaluate_against_truth,
        exact_jaccard_check,
        precision_without_twins,
    )
    from skillenai.dedupe import run_dedupe
    from skillenai.store.db import open_db

    db = open_db(":memory:")
    build_store(db, postings, articles)
    started = time.perf_counter()
    report = run_dedupe(db)
    seconds = time.perf_counter() - started
    result = evaluate_against_truth(db, postings, articles)
    result["postings"]["precision_without_planted_twins"] = round(precision_without_twins(result["postings"]), 4)
    s = DedupeSettings()
    result["exact_jaccard_postings"] = exact_jaccard_check(
        db, threshold=s.threshold, shingle_size=s.shingle_size, sample=2000, kind="posting",
        lsh_threshold=s.lsh_threshold)
    result["exact_jaccard_articles"] = exact_jaccard_check(
        db, threshold=s.article_threshold, shingle_size=s.shingle_size, sample=2000, kind="article",
        lsh_threshold=s.lsh_threshold)
    result["run_seconds"] = round(seconds, 2)
    result["report"] = {k: v for k, v in report.as_dict().items() if k not in ("settings",)}
    result["settings"] = s.as_dict()
    return result


def bench_sweep(postings: list[dict], articles: list[dict]) -> list[dict]:
    from evaluation.dedupe_sampleweb import build_store, evaluate_against_truth, precision_without_twins
    from skillenai.dedupe import run_dedupe
    from skillenai.store.db import open_db

    db = open_db(":memory:")
    build_store(db, postings, articles)
    grid = [{"shingle_size": k} for k in (2, 3, 4, 5)]
    grid += [{"threshold": t} for t in (0.3, 0.4, 0.6, 0.7)]
    grid += [{"page_threshold": t} for t in (0.0, 0.75, 0.8, 0.9)]
    grid += [{"title_threshold": t} for t in (0.5,)]
    grid += [{"lsh_threshold": t, "min_recall": 0.99} for t in (0.5, 0.7, 0.8)]
    out = []
    for change in grid:
        settings = DedupeSettings(**change)
        report = run_dedupe(db, settings=settings, rebuild=True)
        result = evaluate_against_truth(db, postings, articles)
        p, a = result["postings"], result["articles"]
        out.append({"change": change, "bands_rows": list(settings.layout), "precision": p["precision"],
                    "precision_without_planted_twins": round(precision_without_twins(p), 4),
                    "recall": p["recall"], "article_precision": a["precision"], "article_recall": a["recall"],
                    "different_role_merges": p["same_company_different_role_merges"],
                    "lsh_candidates_per_document": round(report.lsh_candidates / max(1, report.indexed), 2)})
        print(f"  sweep {change}: P={p['precision']:.4f} (without twins {out[-1]['precision_without_planted_twins']:.4f})"
              f" R={p['recall']:.4f} articles P/R={a['precision']:.3f}/{a['recall']:.3f}", flush=True)
    return out


# 4. the daily run against stores of growing size -----------------------------------------

NEW_DAY = "2030-01-01"


def child_daily_prepare(postings: int, day: int, path: str) -> dict:
    """A store of ``postings`` sample-web postings; the last ``day`` of them (by date)
    are first seen on a later day than all the others."""
    from evaluation.dedupe_sampleweb import build_store
    from skillenai.store.db import open_db

    rows, articles, source = corpus(postings, seed=5)
    rows.sort(key=lambda r: (str(r.get("date_posted") or r.get("day") or ""), r["url"]))
    db = open_db(path)
    build_store(db, rows[:-day], articles)
    build_store(db, [dict(r, day=None, date_posted=NEW_DAY) for r in rows[-day:]], [])
    db.close()
    return {"corpus": source}


def child_dedupe(path: str, date: str | None) -> dict:
    """One dedupe run over the store at ``path``, in a process of its own (peak memory
    is the run's)."""
    from skillenai.dedupe import run_dedupe
    from skillenai.store.db import open_db

    db = open_db(path)
    started = time.perf_counter()
    report = run_dedupe(db, date=date)
    seconds = time.perf_counter() - started
    db.close()
    return {"indexed_before": report.indexed_before, "analysed": report.analysed, "seconds": round(seconds, 2),
            "lsh_candidates": report.lsh_candidates, "pairs_added": report.pairs_added, "workers": report.workers,
            "peak_rss_mb": round(peak_rss_mb(), 1), "stage_seconds": {k: round(v, 2) for k, v in report.seconds.items()}}


def bench_daily(postings: int, day: int = 500) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="dedupe-bench-daily-"))
    path = str(workdir / "store.db")
    prepared = run_child("daily-prepare", n=postings, day=day, db=path)
    backlog = run_child("dedupe", db=path, date="2029-12-31")
    daily = run_child("dedupe", db=path, date=NEW_DAY)
    again = run_child("dedupe", db=path, date=NEW_DAY)
    for p in workdir.iterdir():
        p.unlink()
    workdir.rmdir()
    if "error" in backlog or "error" in daily:
        return {"postings": postings, "error": backlog.get("error") or daily.get("error")}
    return {
        "indexed_before": daily["indexed_before"], "backlog_seconds": backlog["seconds"],
        "backlog_documents_per_second": round(backlog["analysed"] / backlog["seconds"]),
        "backlog_workers": backlog["workers"], "peak_rss_backlog_mb": backlog["peak_rss_mb"],
        "new_documents": daily["analysed"], "daily_seconds": daily["seconds"],
        "daily_ms_per_document": round(1000 * daily["seconds"] / max(1, daily["analysed"]), 2),
        "lsh_candidates_per_document": round(daily["lsh_candidates"] / max(1, daily["analysed"]), 2),
        "pairs_added": daily["pairs_added"], "peak_rss_daily_mb": daily["peak_rss_mb"],
        "daily_stage_seconds": daily["stage_seconds"], "rerun_seconds": again["seconds"],
        "rerun_analysed": again["analysed"], "corpus": prepared.get("corpus"),
    }


# 5. the whole run against another version of the code ---------------------------------

# Run in a child whose PYTHONPATH is one version's tree, so only calls both versions have.
_BUILD = """
import sys
from evaluation.dedupe_sampleweb import build_store, load_truth
from skillenai.store.db import open_db
postings, articles = load_truth(sys.argv[1])
db = open_db(sys.argv[2])
build_store(db, postings, articles)
db.close()
"""
_RUN = """
import json, sys, time
from skillenai.dedupe import run_dedupe
from skillenai.store.db import open_db
db = open_db(sys.argv[1])
started = time.process_time()
report = run_dedupe(db, workers=1)
cpu = time.process_time() - started
print(json.dumps({"cpu": cpu, "checked": report.pairs_checked, "pairs": report.pairs_added}))
"""


def _in_tree(tree: Path, program: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", program, *args], capture_output=True, text=True, cwd=tree,
                          env={**os.environ, "PYTHONPATH": str(tree)})
    if done.returncode != 0:
        raise RuntimeError(f"{tree}: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def bench_against(ref: str, postings: int, rounds: int) -> dict:
    """CPU time of one whole dedupe run (one process, one worker) over a store of the
    sample web's ``postings``, this code against the git revision ``ref``: each version
    builds its own store once, then the versions run on fresh copies of their stores in
    turn, ``rounds`` times (interleaved, so load on a shared machine falls on both)."""
    import shutil
    import statistics

    from skillenai.sampleweb.generate import generate

    workdir = Path(tempfile.mkdtemp(prefix="dedupe-bench-against-"))
    try:
        old = workdir / "old"
        old.mkdir()
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        generate(workdir / "web", postings=postings, seed=7)
        trees = {"this": ROOT, ref: old}
        for name, tree in trees.items():
            _in_tree(tree, _BUILD, str(workdir / "web"), str(workdir / f"{tree.name}.base.db"))
        cpu: dict[str, list[float]] = {name: [] for name in trees}
        pairs: dict[str, tuple] = {}
        for _ in range(rounds):
            for name, tree in trees.items():
                store = workdir / f"{tree.name}.run.db"
                shutil.copy(workdir / f"{tree.name}.base.db", store)
                found = json.loads(_in_tree(tree, _RUN, str(store)).strip().splitlines()[-1])
                for path in workdir.glob(f"{tree.name}.run.db*"):
                    path.unlink()
                cpu[name].append(found["cpu"])
                pairs[name] = (found["checked"], found["pairs"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    median = {name: statistics.median(v) for name, v in cpu.items()}
    return {"ref": ref, "postings": postings, "rounds": rounds,
            "cpu_seconds": {name: [round(x, 3) for x in v] for name, v in cpu.items()},
            "median_cpu_seconds": {name: round(v, 3) for name, v in median.items()},
            "pairs_checked_and_added": pairs,
            "throughput_ratio_median": round(median[ref] / median["this"], 3),
            "throughput_ratio_min": round(min(cpu[ref]) / min(cpu["this"]), 3)}


# Output ----------------------------------------------------------------------------------

def table(rows: list[list], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "  ".join(str(x).rjust(w) if i else str(x).ljust(w) for i, (x, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100k index only, smaller corpora (a few minutes)")
    parser.add_argument("--scale", default=None, help="index sizes for the LSH test, comma-separated "
                                                     "(default 100000,1000000; --quick: 100000)")
    parser.add_argument("--postings", type=int, default=2000, help="sample-web postings for quality (default 2000)")
    parser.add_argument("--sweep", action="store_true", help="also sweep thresholds and shingle sizes")
    parser.add_argument("--no-datasketch-lsh", action="store_true", help="skip datasketch's MinHashLSH at scale")
    parser.add_argument("--against", metavar="REF", help="only the whole dedupe run on the sample web, this code "
                        "against the git revision REF (CPU time, interleaved runs; prints the throughput ratio)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each version with --against (default 5)")
    parser.add_argument("--web-postings", type=int, default=4000,
                        help="sample-web postings for --against (default 4000)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--daily", type=int, default=10_000, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=int, default=1000, help=argparse.SUPPRESS)
    parser.add_argument("--day", type=int, default=500, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--date", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "lsh-ours":
        print(json.dumps(child_lsh_ours(args.n, args.daily, args.queries)))
        return 0
    if args.child == "lsh-datasketch":
        print(json.dumps(child_lsh_datasketch(args.n, args.daily, args.queries)))
        return 0
    if args.child == "daily-prepare":
        print(json.dumps(child_daily_prepare(args.n, args.day, args.db)))
        return 0
    if args.child == "dedupe":
        print(json.dumps(child_dedupe(args.db, args.date)))
        return 0

    if args.against:
        found = bench_against(args.against, args.web_postings, args.rounds)
        print(json.dumps(found, indent=2))
        print(f"throughput of this code against {args.against}: {found['throughput_ratio_median']}x "
              f"(median CPU time of {args.rounds} runs each), {found['throughput_ratio_min']}x (fastest runs)")
        return 0

    scales = [int(x) for x in (args.scale or ("100000" if args.quick else "100000,1000000")).split(",")]
    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                 "numpy": np.__version__, "load_average_at_start": os.getloadavg()},
                     "quick": args.quick}
    import datasketch

    results["machine"]["datasketch"] = datasketch.__version__ if hasattr(datasketch, "__version__") else "?"

    postings, articles, source = corpus(args.postings)
    results["corpus"] = source
    print(f"corpus: {source}: {len(postings)} postings, {len(articles)} articles", flush=True)

    print("\n1. signatures per second (same documents, same shingles)", flush=True)
    sig = bench_signatures([p["description_text"] for p in postings], DedupeSettings().shingle_size,
                           loop_docs=150 if args.quick else 400)
    results["signatures"] = sig
    rows = [[k, v] for k, v in sig["signatures_per_second"].items()]
    print(table(rows, ["path (from normalised units)", "docs/s"]))
    print(table([[k, v] for k, v in sig["end_to_end_from_text_per_second"].items()], ["path (from raw text)", "docs/s"]))
    multi = sig["ratio_ours_%d_cores_to_fastest_datasketch" % sig["cores"]]
    print(f"ours/fastest datasketch: {sig['ratio_ours_1_core_to_fastest_datasketch']}x on 1 core, "
          f"{multi}x on {sig['cores']} cores; "
          f"end to end {sig['ratio_end_to_end_ours_1_core_to_datasketch_bulk']}x; identical to datasketch "
          f"with shingle_hash32: {sig['identical_to_datasketch_with_shingle_hash32']}")

    print("\n2. LSH index at scale (synthetic signatures)", flush=True)
    scale_rows = []
    for n in scales:
        engines = [("lsh-ours", {})]
        # datasketch keeps the index in memory: about 9 KB a document here.
        if not args.no_datasketch_lsh and available_mb() > n * 0.012 + 2000:
            engines.append(("lsh-datasketch", {}))
        elif not args.no_datasketch_lsh:
            print(f"  datasketch at {n:,} skipped: not enough free memory ({available_mb():.0f} MB)")
        for kind, _ in engines:
            found = run_child(kind, n=n, daily=10_000, queries=1000)
            scale_rows.append(found)
            print(f"  {n:>9,}  {json.dumps(found)}", flush=True)
    results["lsh_scale"] = scale_rows
    print(table([[r.get("engine"), r.get("indexed"), r.get("insert_documents_per_second"), r.get("queries_per_second"),
                  r.get("query_ms_p50"), r.get("query_ms_p99"), r.get("near_copies_found"), r.get("rss_after_build_mb"),
                  r.get("peak_rss_daily_mb"), r.get("peak_rss_build_mb"), r.get("disk_mb", "-")] for r in scale_rows],
                ["engine", "indexed", "insert docs/s", "queries/s", "p50 ms", "p99 ms", "recall", "RSS index MB",
                 "peak day MB", "peak build MB", "disk MB"]))

    print("\n3. quality against the ground truth", flush=True)
    quality = bench_quality(postings, articles)
    results["quality"] = quality
    p, a = quality["postings"], quality["articles"]
    print(table([
        ["postings", p["documents"], p["precision"], p["precision_without_planted_twins"], p["recall"], p["tp"], p["fp"],
         p["planted_twins"], p["fn"], p["same_company_different_role_merges"]],
        ["articles", a["documents"], a["precision"], a["precision"], a["recall"], a["tp"], a["fp"], 0, a["fn"], "-"],
    ], ["kind", "docs", "precision", "w/o twins", "recall", "tp", "fp", "twins", "fn", "diff-role merges"]))
    for kind in ("postings", "articles"):
        e = quality[f"exact_jaccard_{kind}"]
        if e.get("documents"):
            print(f"  exact Jaccard ({kind}, {e['documents']} docs): LSH proposes {e['lsh_recall']:.4f} of the "
                  f"{e['pairs_at_or_above_threshold']} pairs at or above the threshold, "
                  f"{e.get('lsh_recall_at_lsh_threshold')} of the {e.get('pairs_at_or_above_lsh_threshold')} at or "
                  f"above the LSH threshold {e.get('lsh_threshold')}; deciding by the estimate alone: "
                  f"P={e['estimate_vs_exact']['precision']} R={e['estimate_vs_exact']['recall']}; linked pairs that "
                  f"are that similar: {e['linked_vs_exact']['precision']}")

    if args.sweep:
        print("\n3b. sweep (one setting changed from the defaults at a time)", flush=True)
        results["sweep"] = bench_sweep(postings, articles)

    print("\n4. the daily run: one day of new postings against a growing store", flush=True)
    daily = []
    for n in ([2000, 10000] if args.quick else [2000, 10000, 40000]):
        found = bench_daily(n, day=500)
        daily.append(found)
        print(f"  {json.dumps(found)}", flush=True)
    results["daily"] = daily
    print(table([[d.get("indexed_before"), d.get("backlog_documents_per_second"), d.get("peak_rss_backlog_mb"),
                  d.get("new_documents"), d.get("daily_seconds"), d.get("daily_ms_per_document"),
                  d.get("lsh_candidates_per_document"), d.get("peak_rss_daily_mb"), d.get("rerun_seconds")]
                 for d in daily],
                ["indexed", "backlog docs/s", "backlog peak MB", "new docs", "daily s", "ms/doc", "candidates/doc",
                 "daily peak MB", "re-run s"]))

    results["machine"]["load_average_at_end"] = os.getloadavg()
    print(f"load average (other processes share these cores): start {results['machine']['load_average_at_start']}, "
          f"end {results['machine']['load_average_at_end']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True, default=str), encoding="utf-8")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
