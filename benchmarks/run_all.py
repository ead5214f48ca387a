"""Every stage benchmark in one run, and one table of the headline figures.

Runs, one after the other, each in its own process (so one cannot warm or crowd the
next): crawl, extraction, dedupe, tagging, metrics, end to end. Each script prints its
own tables and writes ``benchmarks/results/{name}.json``; this runner then prints the
headline of each (ours, the bare baseline measured in the same run, their ratio, the
target) and writes them with the machine and the wall time of every script to
``benchmarks/results/all.json``.

Usage::

    python -m benchmarks.run_all --quick       # small inputs, a few minutes
    python -m benchmarks.run_all               # the figures for BENCHMARKS.md
    python -m benchmarks.run_all --only crawl,extract
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.common import PYTHON, RESULTS_DIR, machine, table, write_results

# name → (arguments for a full run, arguments for --quick)
BENCHMARKS = {
    "crawl": ([], ["--quick"]),
    "extract": ([], ["--quick"]),
    # The LSH at 1M documents needs several GB for datasketch's index: run
    # bench_dedupe.py on its own for it; signatures/s and quality are the same here.
    "dedupe": (["--quick"], ["--quick"]),
    "tag": ([], ["--postings", "1000"]),
    "metrics": (["--scales", "1000000"], ["--quick"]),
    "e2e": ([], ["--quick"]),
}


def _get(data: dict, *path, default=None):
    for key in path:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return default
    return data


def _ratio(ours, bare):
    return ours / bare if isinstance(ours, (int, float)) and isinstance(bare, (int, float)) and bare else None


def headlines(name: str, data: dict) -> list[dict]:
    """The figures a reader wants first, from one benchmark's JSON."""
    rows = []
    if name == "crawl":
        c = data.get("career_sites", {})
        rows.append({"stage": "crawl: career sites (jobpostings)", "unit": "pages/s",
                     "ours": c.get("project_pages_per_s"), "bare": c.get("bare_pages_per_s"),
                     "baseline": "bare Scrapy spider, no-op callback, same URLs", "ratio": c.get("ratio"),
                     "target": ">= 0.7"})
        if c.get("configured_pages_per_s"):
            rows.append({"stage": "  no-op spider with the project's settings", "unit": "pages/s",
                         "ours": c.get("configured_pages_per_s"), "bare": c.get("bare_pages_per_s"),
                         "baseline": "what the project's middlewares and extensions cost",
                         "ratio": c.get("configured_ratio"), "target": "-"})
        if c.get("inline_pages_per_s"):
            rows.append({"stage": "  project, parsing in its callbacks (SKILLENAI_PARSE_WORKERS=0)",
                         "unit": "pages/s", "ours": c.get("inline_pages_per_s"), "bare": c.get("bare_pages_per_s"),
                         "baseline": "the same crawl on one core", "ratio": c.get("inline_ratio"), "target": "-"})
        a = data.get("ats")
        if a:
            rows.append({"stage": "crawl: ATS APIs (greenhouse, lever, ashby)", "unit": "postings/s",
                         "ours": a.get("project_items_per_s"), "bare": None,
                         "baseline": "bare spider: %.0f pages/s vs our %.0f" % (a.get("bare_pages_per_s", 0),
                                                                                a.get("project_pages_per_s", 0)),
                         "ratio": a.get("ratio"), "target": "-"})
    elif name == "extract":
        rows.append({"stage": f"extraction stage ({data.get('workers')} workers)", "unit": "docs/s",
                     "ours": data.get("stage_docs_per_s"), "bare": data.get("bare_docs_per_s"),
                     "baseline": "trafilatura.extract + metadata, 1 process", "ratio": data.get("ratio"),
                     "target": ">= 1.6, equal F1",
                     "note": "F1 %.3f vs %.3f; CPU %.1f vs %.1f ms/doc" % (
                         data.get("stage_f1_mean", 0), data.get("bare_f1_mean", 0),
                         data.get("stage_cpu_ms_per_doc", 0), data.get("bare_cpu_ms_per_doc", 0))})
    elif name == "dedupe":
        sig = _get(data, "signatures", "signatures_per_second", default={})
        ours = sig.get("ours_1_core")
        rows.append({"stage": "dedupe: MinHash signatures (1 core)", "unit": "signatures/s", "ours": ours,
                     "bare": sig.get("datasketch_update_loop"), "baseline": "datasketch per-shingle update loop",
                     "ratio": _ratio(ours, sig.get("datasketch_update_loop")), "target": "-",
                     "note": "x%.1f vs MinHash.bulk" % (_ratio(ours, sig.get("datasketch_bulk")) or 0)})
        postings = _get(data, "quality", "postings", default={})
        if postings:
            rows.append({"stage": "dedupe: duplicate pairs vs truth", "unit": "P / R",
                         "ours": postings.get("precision"), "bare": postings.get("recall"),
                         "baseline": "(precision, recall)", "ratio": None, "target": "-"})
    elif name == "tag":
        stages = {s["stage"]: s for s in _get(data, "corpora", "3 KB postings", "stages", default=[])}
        ours = data.get("tag_documents_postings_per_s_3kb")
        bare = _get(stages, "baseline: bare pyahocorasick pass", "postings_per_s")
        rows.append({"stage": "tagging: tag_documents (1 core, 3 KB)", "unit": "postings/s", "ours": ours,
                     "bare": bare, "baseline": "bare pyahocorasick pass over the aliases",
                     "ratio": _ratio(ours, bare), "target": f">= {data.get('target_postings_per_s', 500):.0f}/s"})
    elif name == "metrics":
        store = _get(data, "stores", -1, default={})
        rows.append({"stage": f"metrics skill at {store.get('postings', 0):,} postings", "unit": "ms (median)",
                     "ours": _get(store, "metrics_skill_ms", "median"), "bare": _get(store, "bare_count_ms", "median"),
                     "baseline": "COUNT(*) on the covering index",
                     "ratio": None, "target": f"<= {data.get('target_ms', 200):.0f} ms",
                     "note": "p95 %s ms" % _get(store, "metrics_skill_ms", "p95")})
    elif name == "e2e":
        shares = data.get("stage_share", {})
        rows.append({"stage": f"demo --postings {data.get('postings')}", "unit": "s (wall)", "ours": data.get("wall_s"),
                     "bare": None, "baseline": "-", "ratio": None, "target": "-",
                     "note": "peak %.0f MB (PSS; RSS %.0f MB); " % (data.get("peak_tree_pss_mb", 0),
                                                                    data.get("peak_tree_rss_mb", 0))
                             + ", ".join(f"{k} {v:.0%}" for k, v in shares.items())})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small inputs: a few minutes in all")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")

    results = {"machine": machine(), "quick": args.quick, "benchmarks": {}, "headlines": []}
    started = time.monotonic()
    for name in names:
        extra = BENCHMARKS[name][1 if args.quick else 0]
        command = [PYTHON, "-m", f"benchmarks.bench_{name}", *extra]
        print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
        began = time.monotonic()
        status = subprocess.run(command, cwd=ROOT).returncode
        seconds = time.monotonic() - began
        entry = {"command": " ".join(["python", *command[1:]]), "seconds": round(seconds, 1), "status": status}
        results["benchmarks"][name] = entry
        path = RESULTS_DIR / f"{name}.json"
        if status != 0 or not path.exists() or path.stat().st_mtime < time.time() - seconds - 1:
            print(f"!!! {name} failed (exit status {status}); its figures are left out", flush=True)
            entry["status"] = status or 1
    results["wall_s"] = round(time.monotonic() - started, 1)
    # The summary shows every stage: ones not run now come from their latest results, marked.
    for name in BENCHMARKS:
        path = RESULTS_DIR / f"{name}.json"
        entry = results["benchmarks"].get(name)
        if entry is not None and entry["status"] != 0 or not path.exists():
            continue
        rows = headlines(name, json.loads(path.read_text(encoding="utf-8")))
        if entry is None:
            when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(path.stat().st_mtime))
            for row in rows:
                row["stage"] += f" [earlier run, {when} UTC]"
        results["headlines"].extend(rows)

    print(f"\n=== Summary ({'quick' if args.quick else 'full'} run, {results['wall_s']:.0f} s; "
          f"{results['machine'].get('cpus')} CPUs, load average at start {results['machine']['load_average_at_start'][0]})")
    rows = [[h["stage"], h["unit"], h["ours"], h.get("bare"), h.get("ratio"), h["target"], h.get("note", h["baseline"])]
            for h in results["headlines"]]
    print(table([[c if c is not None else "-" for c in row] for row in rows],
                ["stage", "unit", "ours", "bare", "ratio", "target", "notes"]))
    failed = [n for n, e in results["benchmarks"].items() if e["status"] != 0]
    path = write_results("all", results)
    print(f"\nwrote {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
