"""Distributed crawling: one worker against two, through a local redis-server.

Crawls the same generated sample web three ways, each into a fresh store and a fresh
Redis database:

- ``local``: one ``skillenai crawl`` process writing SQLite directly (the baseline);
- ``redis x1``: one ``skillenai crawl --redis`` worker, then ``skillenai ingest --redis``;
- ``redis x2``: two workers started at once, then one ingest.

For each: pages fetched (counted by the sample web server, robots.txt left out since
every process reads it), pages fetched more than once, pages/s over the crawl span (first
spider opened to last closed, from the runs' Scrapy stats) and over the wall time
(process start to exit, interpreter and Scrapy start-up included), the crawl processes'
CPU time per page (user + system), documents stored, the drain's time, and whether the
store equals the local one.

On one small machine the sample web server, Redis and every worker share the same cores,
so two workers there measure coordination overhead (CPU per page, pages fetched twice),
not the scaling of workers on separate machines.

With ``--delay SECONDS`` it measures shared politeness instead: one worker, two workers
sharing politeness through Redis, and two each polite on its own, with ``DOWNLOAD_DELAY``
(AutoThrottle on) set to it; the sample web's request rate (mean, and the peak of any 2 s)
against the limit the delay sets, and each throughput against one worker's.

Usage::

    python -m benchmarks.bench_distributed --quick        # 150 postings
    python -m benchmarks.bench_distributed --postings 1000
    python -m benchmarks.bench_distributed --quick --delay 0.05

Prints a table and writes ``benchmarks/results/distributed.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.common import free_port, table, write_results
from skillenai.pipeline.demo import sample_web_crawl_command as crawl_command


def start_redis(directory: Path):
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                                "no", "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            return process, port
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    sys.exit("redis-server did not start")


def pages(requests) -> Counter:
    return Counter((site, path) for site, _m, path, _s in requests if not path.split("?", 1)[0].endswith("/robots.txt"))


def crawl_span(db: Path) -> float:
    """First spider opened to last closed, over every run in the store."""
    conn = sqlite3.connect(db)
    starts, ends = [], []
    for (stats,) in conn.execute("SELECT stats FROM crawl_runs"):
        s = json.loads(stats or "{}")
        if s.get("start_time") and s.get("finish_time"):
            starts.append(dt.datetime.fromisoformat(str(s["start_time"])))
            ends.append(dt.datetime.fromisoformat(str(s["finish_time"])))
    conn.close()
    return (max(ends) - min(starts)).total_seconds() if starts else float("nan")


def snapshot(db: Path):
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, content_hash, title FROM documents ORDER BY id").fetchall()
    postings = conn.execute("SELECT * FROM postings ORDER BY document_id").fetchall()
    conn.close()
    return rows, postings


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_mode(web, web_dir: Path, db: Path, workers: int, redis_url: str | None, settings: dict | None = None,
             mode: str | None = None) -> dict:
    start = len(web.requests)
    extra = ("--redis", redis_url) if redis_url else ()
    command = crawl_command(web, web_dir, db, *extra)
    for key, value in (settings or {}).items():  # after the sample web's own, which they override
        command += ["--set", f"{key}={json.dumps(value)}"]
    started = time.monotonic()
    cpu_before = _children_cpu()
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(workers)]
    for proc in procs:
        _out, err = proc.communicate()
        if proc.returncode != 0:
            sys.exit(f"crawl failed: {err[-2000:]}")
    wall = time.monotonic() - started
    cpu = _children_cpu() - cpu_before
    requests = web.requests[start:]
    drain = None
    if redis_url:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "skillenai.cli", "ingest", "--db", str(db), "--redis", redis_url],
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"ingest failed: {result.stderr[-2000:]}")
        drain = time.monotonic() - started
    fetched = pages(requests)
    load = web.load(start)
    span = crawl_span(db)
    conn = sqlite3.connect(db)
    documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    per_worker = [r[0] for r in conn.execute(
        "SELECT SUM(json_extract(stats, '$.\"downloader/request_count\"')) FROM crawl_runs "
        "GROUP BY COALESCE(pid, 0), host ORDER BY 1 DESC")]
    conn.close()
    return {
        "workers": workers, "mode": mode or (f"redis x{workers}" if redis_url else "local"),
        "pages": len(fetched), "requests": len(requests),
        "fetched_twice": sum(1 for n in fetched.values() if n > 1),
        "span_s": round(span, 2), "wall_s": round(wall, 2),
        "pages_per_s_span": round(len(fetched) / span, 1) if span == span and span > 0 else None,
        "pages_per_s_wall": round(len(fetched) / wall, 1),
        "crawl_cpu_s": round(cpu, 1), "cpu_ms_per_page": round(1000 * cpu / max(1, len(fetched)), 1),
        "documents": documents, "drain_s": round(drain, 2) if drain is not None else None,
        "requests_per_worker": per_worker,
        "server_requests_per_s": load["rate"], "server_peak_per_s": load["peak"],
    }


def main() -> int:
    from skillenai.sampleweb.generate import generate
    from skillenai.sampleweb.server import SampleWebServer

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=int, default=600)
    parser.add_argument("--quick", action="store_true", help="150 postings")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--delay", type=float, help="politeness run: DOWNLOAD_DELAY (AutoThrottle on, starting "
                        "there) for one worker, two sharing politeness and two each on its own")
    args = parser.parse_args()
    postings = 150 if args.quick else args.postings
    results = []
    with tempfile.TemporaryDirectory(prefix="skillenai-dist-") as tmp:
        tmp = Path(tmp)
        generate(tmp / "web", postings=postings, seed=args.seed, as_of=dt.date(2026, 5, 9))
        redis_proc, port = start_redis(tmp)
        try:
            with SampleWebServer(tmp / "web") as web:
                if args.delay:
                    return politeness(web, tmp / "web", tmp, port, args.delay, postings, args.seed)
                local = run_mode(web, tmp / "web", tmp / "local.db", 1, None)
                results.append(local)
                baseline = snapshot(tmp / "local.db")
                for db_number, workers in ((1, 1), (2, 2)):
                    db = tmp / f"redis{workers}.db"
                    row = run_mode(web, tmp / "web", db, workers, f"redis://127.0.0.1:{port}/{db_number}")
                    row["same_store_as_local"] = snapshot(db) == baseline
                    results.append(row)
        finally:
            redis_proc.terminate()
            redis_proc.wait()
    one = next(r for r in results if r["mode"] == "redis x1")
    for r in results:
        r["speedup_vs_redis_x1_span"] = (round(r["pages_per_s_span"] / one["pages_per_s_span"], 2)
                                         if r["pages_per_s_span"] and one["pages_per_s_span"] else None)
    columns = ["mode", "pages", "fetched_twice", "span_s", "pages_per_s_span", "wall_s", "pages_per_s_wall",
               "cpu_ms_per_page", "documents", "drain_s", "same_store_as_local", "speedup_vs_redis_x1_span", "requests_per_worker"]
    print(table([[r.get(c) for c in columns] for r in results], columns))
    path = write_results("distributed", {"postings": postings, "seed": args.seed,
                                         "date": dt.date.today().isoformat(), "results": results})
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


def politeness(web, web_dir: Path, tmp: Path, port: int, delay: float, postings: int, seed: int) -> int:
    """One worker, two sharing politeness through Redis, two each polite on its own: the
    sample web's request rate (all its sites are one download slot, 127.0.0.1) against the
    limit one request every ``delay`` seconds sets."""
    polite = {"DOWNLOAD_DELAY": delay, "AUTOTHROTTLE_ENABLED": True, "AUTOTHROTTLE_START_DELAY": delay}
    results = []
    for db_number, workers, shared in ((3, 1, True), (4, 2, True), (5, 2, False)):
        mode = f"redis x{workers}" + ("" if workers == 1 else ", shared" if shared else ", each on its own")
        results.append(run_mode(web, web_dir, tmp / f"polite{db_number}.db", workers,
                                f"redis://127.0.0.1:{port}/{db_number}",
                                {**polite, "SKILLENAI_REDIS_SHARED_POLITENESS": shared}, mode))
    limit = 1 / delay
    one = results[0]
    for r in results:
        r["limit_per_s"] = round(limit, 2)
        r["peak_over_limit"] = round(r["server_peak_per_s"] / limit, 2)
        r["throughput_vs_x1"] = round(r["server_requests_per_s"] / one["server_requests_per_s"], 2)
    columns = ["mode", "requests", "pages", "fetched_twice", "wall_s", "server_requests_per_s", "server_peak_per_s",
               "limit_per_s", "peak_over_limit", "throughput_vs_x1", "documents"]
    print(table([[r.get(c) for c in columns] for r in results], columns))
    path = write_results("distributed_politeness", {"postings": postings, "seed": seed, "delay": delay,
                                                    "date": dt.date.today().isoformat(), "results": results})
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
