"""Extraction benchmark: the project's extraction stage against bare trafilatura.

Pages: the article pages of a generated sample web (blog and news: real page chrome,
comments, "read more" boxes), with the body text the generator wrote
(``truth/articles.jsonl``). In the same run, alternating, each in a fresh process:

- bare: ``trafilatura.extract(html, url=url, with_metadata=True)`` in one process, over
  the pages already read into memory (JSON output, so the text is not mixed with the
  metadata header);
- ours: ``skillenai extract --db`` (:func:`skillenai.pipeline.reextract.reextract_store`) over a
  store holding the same pages as the crawl keeps them (``documents.raw``, compressed):
  decompress, the crawl's own extraction (trafilatura with metadata, language detection,
  page title and dates), write the changed documents; with every core and with one.

Quality for both: word 4-gram F1 of the text against the written body
(``evaluation.extraction``); "equal" means the stage's mean F1 is not below bare trafilatura's.
One more run of the stage on one core under cProfile says what the time is spent on.

Usage::

    python -m benchmarks.bench_extract --quick      # 300 articles, 3 rounds (~2 minutes)
    python -m benchmarks.bench_extract              # 600 articles, 3 rounds

Prints a table and writes ``benchmarks/results/extract.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.common import machine, median, peak_rss_mb, profile_by_package, run_child, table, write_results

TARGET = 1.6  # the stage on every core over one-process bare trafilatura
PLACEHOLDER = "Text not extracted yet: the extraction stage fills this in from the stored page."


def article_pages(web_dir: Path) -> list[dict]:
    """Truth articles with their page's HTML as generated."""
    from skillenai.sampleweb.output import file_for

    pages = []
    for line in (web_dir / "truth" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        truth = json.loads(line)
        parts = urlsplit(truth["url"])
        site = parts.hostname.split(".")[0]
        path = web_dir / "sites" / site / file_for(parts.path)
        if path.is_file():
            pages.append({"url": truth["url"], "body": truth["body"], "path": str(path), "title": truth["title"]})
    return pages


def build_store(pages: list[dict], path: Path) -> None:
    """The pages as the crawl stores them: raw HTML kept, text to be (re-)extracted."""
    from skillenai.core.record import normalize_record
    from skillenai.store.db import open_db
    from skillenai.store.documents import upsert_documents

    db = open_db(str(path))
    records = [normalize_record({"url": p["url"], "kind": "article", "spider": "articles", "source": "bench",
                                 "title": p["title"], "text": PLACEHOLDER, "raw": Path(p["path"]).read_bytes(),
                                 "raw_type": "html", "extraction": "trafilatura"}) for p in pages]
    for start in range(0, len(records), 500):
        upsert_documents(db, records[start:start + 500])
    db.close()


# children ----------------------------------------------------------------------------------

def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the stage's pool workers):
    what the work costs, whatever else runs on the machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_bare(pages_file: str) -> dict:
    import trafilatura

    from evaluation.extraction import word_ngram_f1

    pages = json.loads(Path(pages_file).read_text(encoding="utf-8"))
    bodies = [Path(p["path"]).read_bytes() for p in pages]
    trafilatura.extract(bodies[0], url=pages[0]["url"], with_metadata=True)  # warm-up: lazy imports
    started, cpu = time.monotonic(), cpu_seconds()
    outputs = [trafilatura.extract(body, url=p["url"], with_metadata=True, output_format="json")
               for body, p in zip(bodies, pages)]
    seconds, cpu = time.monotonic() - started, cpu_seconds() - cpu
    texts = [json.loads(o)["text"] if o else "" for o in outputs]
    scores = [word_ngram_f1(text, p["body"]) for text, p in zip(texts, pages)]
    return {"seconds": seconds, "cpu_s": cpu, "documents": len(pages), "f1_mean": sum(scores) / len(scores), "f1_min": min(scores),
            "peak_rss_mb": peak_rss_mb()}


def child_stage(pages_file: str, db_path: str, workers: int, profile: bool) -> dict:
    from evaluation.extraction import word_ngram_f1
    from skillenai.pipeline.reextract import _warm_up, reextract_store
    from skillenai.store.db import open_db

    pages = json.loads(Path(pages_file).read_text(encoding="utf-8"))
    db = open_db(db_path)
    _warm_up()  # the same lazy imports the bare run warms up
    profiler = None
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    started, cpu = time.monotonic(), cpu_seconds()
    report = reextract_store(db, workers=workers)
    seconds, cpu = time.monotonic() - started, cpu_seconds() - cpu
    if profiler is not None:
        profiler.disable()
    texts = dict(db.execute("SELECT url, text FROM documents"))
    scores = [word_ngram_f1(texts.get(p["url"]), p["body"]) for p in pages]
    out = {"seconds": seconds, "cpu_s": cpu, "documents": report.documents, "changed": report.changed, "failed": report.failed,
           "f1_mean": sum(scores) / len(scores), "f1_min": min(scores), "peak_rss_mb": peak_rss_mb()}
    if profiler is not None:
        import pstats
        out["profile"] = profile_by_package(pstats.Stats(profiler), top=20)
    return out


# the parent ------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 articles")
    parser.add_argument("--articles", type=int, help="article pages (default 600; 300 with --quick; at most 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (default 3)")
    parser.add_argument("--workers", type=int, default=None, help="the stage's processes (default: usable cores)")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled run")
    parser.add_argument("--out", type=Path, help="JSON results (default benchmarks/results/extract.json)")
    parser.add_argument("--child", choices=["bare", "stage"], help=argparse.SUPPRESS)
    parser.add_argument("--pages", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "bare":
        print(json.dumps(child_bare(args.pages)))
        return 0
    if args.child == "stage":
        print(json.dumps(child_stage(args.pages, args.db, args.workers, args.profile)))
        return 0

    from skillenai.sampleweb import generate

    articles = args.articles or (300 if args.quick else 600)
    workers = args.workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())
    work = Path(tempfile.mkdtemp(prefix="skillenai-bench-extract-"))
    results = {"machine": machine(), "articles": articles, "rounds": args.rounds, "workers": workers,
               "target_ratio": TARGET}
    try:
        generate(work / "web", postings=100, articles=articles)
        pages = article_pages(work / "web")
        pages_file = work / "pages.json"
        pages_file.write_text(json.dumps(pages), encoding="utf-8")
        template = work / "template.db"
        build_store(pages, template)
        print(f"{len(pages)} article pages, {sum(Path(p['path']).stat().st_size for p in pages) / len(pages) / 1024:.0f} KB "
              f"on average; {workers} workers", flush=True)

        def stage(n: int, profile: bool = False) -> dict:
            db = work / "round.db"
            shutil.copy(template, db)
            args_ = ["-m", "benchmarks.bench_extract", "--child", "stage", "--pages", str(pages_file), "--db", str(db),
                     "--workers", str(n)]
            return run_child(args_ + (["--profile"] if profile else []))

        bare, ours, ours_one = [], [], []
        for number in range(args.rounds):
            bare.append(run_child(["-m", "benchmarks.bench_extract", "--child", "bare", "--pages", str(pages_file)]))
            ours.append(stage(workers))
            ours_one.append(stage(1))
            b, o, o1 = bare[-1], ours[-1], ours_one[-1]
            print(f"  round {number + 1}: bare {b['documents'] / b['seconds']:.0f} docs/s, stage {o['documents'] / o['seconds']:.0f} "
                  f"docs/s on {workers} workers, {o1['documents'] / o1['seconds']:.0f} on one", flush=True)
        if not args.no_profile:
            results["profile"] = stage(1, profile=True)["profile"]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def rate(runs):
        return median(r["documents"] / r["seconds"] for r in runs)

    ratios = [o["documents"] / o["seconds"] / (b["documents"] / b["seconds"]) for o, b in zip(ours, bare)]
    ratios_one = [o["documents"] / o["seconds"] / (b["documents"] / b["seconds"]) for o, b in zip(ours_one, bare)]
    results.update({
        "bare_docs_per_s": rate(bare), "stage_docs_per_s": rate(ours), "stage_one_worker_docs_per_s": rate(ours_one),
        "ratio": median(ratios), "ratio_per_round": ratios, "ratio_one_worker": median(ratios_one),
        "bare_f1_mean": bare[0]["f1_mean"], "bare_f1_min": bare[0]["f1_min"],
        "stage_f1_mean": ours[0]["f1_mean"], "stage_f1_min": ours[0]["f1_min"],
        "equal_quality": ours[0]["f1_mean"] >= bare[0]["f1_mean"] - 1e-9,
        "rounds_detail": {"bare": bare, "stage": ours, "stage_one_worker": ours_one},
    })
    def cpu_ms(runs):
        return median(1000 * r["cpu_s"] / r["documents"] for r in runs)

    results.update({"bare_cpu_ms_per_doc": cpu_ms(bare), "stage_cpu_ms_per_doc": cpu_ms(ours),
                    "stage_one_worker_cpu_ms_per_doc": cpu_ms(ours_one)})
    rows = [
        ["trafilatura.extract, metadata, 1 process", rate(bare), 1.0, "-", cpu_ms(bare), bare[0]["f1_mean"], bare[0]["f1_min"]],
        [f"extraction stage, {workers} workers", rate(ours), results["ratio"], f">= {TARGET}", cpu_ms(ours),
         ours[0]["f1_mean"], ours[0]["f1_min"]],
        ["extraction stage, 1 worker", rate(ours_one), results["ratio_one_worker"], "-", cpu_ms(ours_one),
         ours_one[0]["f1_mean"], ours_one[0]["f1_min"]],
    ]
    print(f"\nExtraction: medians of {args.rounds} rounds, {len(pages)} article pages "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(table(rows, ["extraction", "docs/s", "ratio", "target", "CPU ms/doc", "F1 mean", "F1 min"]))
    if "profile" in results:
        p = results["profile"]
        print("\nWhere the stage's time goes on one worker (cProfile, own time by package):")
        print("  " + ", ".join(f"{k} {v:.0%}" for k, v in list(p["by_package"].items())[:10]))
        for row in p["top_functions"][:8]:
            print(f"    {row['own_s']:7.2f} s  {row['function']}")
    path = write_results("extract", results, args.out)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
