"""Fault benchmark: a crawl of the faulty sample web against a crawl of the same web, clean.

One generated sample web is served twice by the sample web's own server: without faults,
then under a fault profile (``skillenai/sampleweb/faults.py``: bursts of 5xx and 429 with
Retry-After, resets, truncated bodies, slow and oversize responses, redirect chains and
loops, PDFs at HTML URLs, wrong charsets, invalid UTF-8, JSON-LD and XML bombs, session-id
and calendar traps). Each crawl is ``skillenai crawl`` with every spider, in a fresh
process whose peak RSS is its own. The figures: pages attempted, documents stored,
recovered (stored by both crawls), lost by design (the profile's ground truth) and lost
otherwise (must be 0), retries, skipped inputs by reason, peak memory and wall time.

Usage::

    python -m benchmarks.bench_faults                 # 2,000 postings
    python -m benchmarks.bench_faults --quick         # 300 postings
    python -m benchmarks.bench_faults --postings 5000 --rate 0.3 --web /var/tmp/web5k

Prints a table and writes ``benchmarks/results/faults.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.common import machine, table, write_results

# Both crawls: the demo's local settings and a timeout shorter than the default 30 s, so
# slow pages cost less; one process runs all the spiders, and on a busy machine a shorter
# one times out big board responses the reactor has no time to read.
TIMEOUT = 15
CRAWL_SETTINGS = {"DOWNLOAD_TIMEOUT": TIMEOUT, "RETRY_BACKOFF_BASE": 0.5, "RETRY_BACKOFF_MAX": 4,
                  "RETRY_AFTER_MAX": 2, "LOG_LEVEL": "ERROR"}


def child(argv: list[str]) -> int:
    """In the measured process: run the CLI, then print its own peak RSS as JSON."""
    from skillenai.cli.main import main

    started = time.monotonic()
    status = main(argv)
    print(json.dumps({"status": status, "seconds": time.monotonic() - started,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


def crawl(web, web_dir: Path, db: Path) -> dict:
    from skillenai.pipeline.demo import sample_web_settings

    settings = sample_web_settings(web, web_dir, str(db))
    argv = ["crawl", "--db", str(db), "--seeds", settings.pop("SKILLENAI_SEEDS")]
    settings.pop("SKILLENAI_DB")
    settings.update(CRAWL_SETTINGS)
    for key, value in settings.items():
        argv += ["--set", f"{key}={json.dumps(value)}"]
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", f"benchmarks.{Path(__file__).stem}", "--child", *argv], capture_output=True, text=True,
                            cwd=ROOT, timeout=3600)
    wall = time.monotonic() - started
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
    measured = json.loads(lines[-1])
    measured["wall_seconds"] = wall
    return measured


def store_figures(db: Path) -> dict:
    conn = sqlite3.connect(db)
    stats = [json.loads(s) for (s,) in conn.execute("SELECT stats FROM crawl_runs")]
    figures = {
        "ids": {doc_id for (doc_id,) in conn.execute("SELECT id FROM documents")},
        "urls": dict(conn.execute("SELECT id, url FROM documents")),
        "requests": sum(s.get("downloader/request_count", 0) for s in stats),
        "retries": sum(s.get("retry/count", 0) for s in stats),
        "retry_after_honoured": sum(s.get("retry/retry_after_honoured", 0) for s in stats),
        "issues": dict(Counter(r for (r,) in conn.execute("SELECT reason FROM crawl_issues"))),
        "outcomes": dict(Counter(o for (o,) in conn.execute("SELECT outcome FROM crawl_runs"))),
    }
    conn.close()
    return figures


def run(args) -> dict:
    from skillenai.sampleweb.faults import FaultProfile, fault_truth
    from skillenai.sampleweb.generate import generate
    from skillenai.sampleweb.server import SampleWebServer

    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    web_dir = Path(args.web) if args.web else work / "web"
    if not (web_dir / "manifest.json").exists():
        print(f"generating a sample web of {args.postings} postings in {web_dir} ...", file=sys.stderr)
        generate(web_dir, postings=args.postings, seed=args.seed)
    profile = FaultProfile(seed=args.fault_seed, rate=args.rate, slow_seconds=TIMEOUT + 1)
    runs = {}
    for name, faults in (("clean", None), ("faulty", profile)):
        print(f"{name} crawl ...", file=sys.stderr)
        with SampleWebServer(web_dir, faults=faults) as web:
            measured = crawl(web, web_dir, work / f"{name}.db")
            requests = list(web.requests)
        measured.update(store_figures(work / f"{name}.db"))
        measured["urls_attempted"] = len({(site, target) for site, _m, target, _s in requests})
        measured["server_answers"] = dict(Counter(str(status) for *_, status in requests))
        runs[name] = measured
    clean, faulty = runs["clean"], runs["faulty"]
    truth = fault_truth(web_dir, profile)
    clean_urls = {clean["urls"][i] for i in clean["ids"]}
    lost_by_design = {f["url"] for f in truth if f["outcome"] == "lost" and f["url"] in clean_urls}
    missing = {clean["urls"][i] for i in clean["ids"] - faulty["ids"]}
    faults_on_documents = Counter(f["fault"] for f in truth if f["url"] in clean_urls)
    return {
        "postings": args.postings, "seed": args.seed, "fault_profile": {"seed": args.fault_seed, "rate": args.rate},
        "settings": CRAWL_SETTINGS,
        "clean": {k: v for k, v in clean.items() if k not in ("ids", "urls")},
        "faulty": {k: v for k, v in faulty.items() if k not in ("ids", "urls")},
        "documents_clean": len(clean["ids"]),
        "documents_faulty": len(faulty["ids"]),
        "recovered": len(clean["ids"] & faulty["ids"]),
        "faulty_documents_recovered": sum(1 for f in truth if f["outcome"] == "recovered" and f["url"] in clean_urls
                                          and f["url"] not in missing),
        "lost_by_design": len(lost_by_design),
        "lost_otherwise": sorted(missing - lost_by_design),
        "stored_but_lost_by_design": sorted(lost_by_design - missing),
        "extra_in_faulty": len(faulty["ids"] - clean["ids"]),
        "faults_on_documents": dict(faults_on_documents),
        "machine": machine(),
    }


def report(results: dict) -> str:
    c, f = results["clean"], results["faulty"]
    rows = [
        ["URLs attempted (distinct)", c["urls_attempted"], f["urls_attempted"]],
        ["requests (Scrapy)", c["requests"], f["requests"]],
        ["documents stored", results["documents_clean"], results["documents_faulty"]],
        ["  of them also in the clean crawl", "", results["recovered"]],
        ["  faulty documents recovered", "", results["faulty_documents_recovered"]],
        ["lost by design (fault truth)", "", results["lost_by_design"]],
        ["lost otherwise (must be 0)", "", len(results["lost_otherwise"])],
        ["retries", c["retries"], f["retries"]],
        ["Retry-After honoured", c["retry_after_honoured"], f["retry_after_honoured"]],
        ["skipped inputs recorded", sum(c["issues"].values()), sum(f["issues"].values())],
        ["crawler traps cut", c["issues"].get("crawler_trap", 0), f["issues"].get("crawler_trap", 0)],
        ["peak RSS of the crawl (MB)", round(c["peak_rss_mb"]), round(f["peak_rss_mb"])],
        ["wall time (s)", round(c["wall_seconds"], 1), round(f["wall_seconds"], 1)],
    ]
    lines = [f"Fault benchmark: {results['postings']} postings, fault profile seed "
             f"{results['fault_profile']['seed']} at rate {results['fault_profile']['rate']}",
             table(rows, ["", "clean", "faulty"]),
             "",
             "faults on documents: " + ", ".join(f"{k} {v}" for k, v in sorted(results["faults_on_documents"].items())),
             "skipped in the faulty crawl: " + ", ".join(f"{k} {v}" for k, v in sorted(f["issues"].items())),
             "server answers (faulty): " + ", ".join(f"{k} {v}" for k, v in sorted(f["server_answers"].items()))]
    if results["lost_otherwise"]:
        lines.append("LOST OTHERWISE: " + ", ".join(results["lost_otherwise"][:20]))
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="300 postings")
    parser.add_argument("--seed", type=int, default=11, help="sample web seed (default 11)")
    parser.add_argument("--fault-seed", type=int, default=7, help="fault profile seed (default 7)")
    parser.add_argument("--rate", type=float, default=0.25, help="share of URLs given a fault (default 0.25)")
    parser.add_argument("--web", help="generate the web here, or reuse the one already here")
    parser.add_argument("--out", type=Path, help="results file (default benchmarks/results/faults.json)")
    args = parser.parse_args()
    if args.quick:
        args.postings = 300
    results = run(args)
    print(report(results))
    path = write_results("faults", results, args.out)
    print(f"\nwrote {path}")
    return 1 if results["lost_otherwise"] else 0


if __name__ == "__main__":
    sys.exit(main())
