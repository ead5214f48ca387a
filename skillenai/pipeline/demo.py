"""``skillenai demo``: the whole flow on the bundled sample web, on one machine.

Generates the sample web, serves it on 127.0.0.1, points every spider at it (API base
URLs, sources file and origin map are ordinary settings), crawls it into the store (in a
child process, while the batch's models load in this one), runs the daily batch and
prints a summary scored against the sample web's ground truth, with the wall and CPU
seconds of each stage.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from skillenai.core import interrupt
from skillenai.metrics.queries import PAGE_MIN_POSTINGS
from skillenai.pipeline.batch import Progress, run_batch
from skillenai.pipeline.tagging import warm_up
from skillenai.store.db import open_db
from skillenai.store.report import (
    crawl_summary,
    documents_by_language,
    format_table,
    stored_urls,
    top_metros,
    top_skills,
    unique_postings_count,
)
from skillenai.store.runs import crawl_runs_after, last_crawl_run_id


def sample_web_settings(web, web_dir: Path, db_path: str) -> dict[str, Any]:
    """Settings that point the spiders at a running sample web server
    (:meth:`skillenai.sampleweb.server.SampleWebServer.crawl_settings`) and store into ``db_path``."""
    return {"SKILLENAI_DB": db_path, **web.crawl_settings()}


def sample_web_crawl_command(web, web_dir: Path, db: Path | str, *extra: str) -> list[str]:
    """A ``skillenai crawl`` command line, run with this Python, that crawls the running
    sample web into ``db`` (``extra``: more arguments, e.g. ``--redis URL``)."""
    settings = sample_web_settings(web, web_dir, str(db))
    command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db),
               "--seeds", settings.pop("SKILLENAI_SEEDS"), *extra]
    settings.pop("SKILLENAI_DB")
    for key, value in settings.items():
        command += ["--set", f"{key}={json.dumps(value)}"]
    return command


def truth_counts(web_dir: Path) -> dict[str, int]:
    counts = {}
    for name in ("postings", "articles"):
        path = web_dir / "truth" / f"{name}.jsonl"
        counts[name] = sum(1 for line in path.open(encoding="utf-8") if line.strip()) if path.exists() else 0
    return counts


def truth_recall(db, web_dir: Path) -> dict[str, dict[str, int]]:
    """How many ground-truth postings, articles and papers the store holds, by URL (of the
    papers, those the sample seeds' queries find)."""
    result = {}
    for name, kind in (("postings", "posting"), ("articles", "article"), ("papers", "paper")):
        path = web_dir / "truth" / f"{name}.jsonl"
        if not path.exists():
            continue
        rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        urls = {row["url"] for row in rows if row.get("queries", True)}
        stored = stored_urls(db, kind)
        result[name] = {"truth": len(urls), "stored": len(stored), "found": len(urls & stored)}
    return result


def print_crawl_summary(db, run_ids: list[int], seconds: float, out=sys.stdout) -> None:
    summary = crawl_summary(db, run_ids)
    print(f"\nCrawl finished in {seconds:.1f} s", file=out)
    print("\nRuns:", file=out)
    print(format_table(summary["runs"], ["spider", "outcome", "requests", "stored", "new", "changed",
                                         "dropped", "errors", "retries", "robots_forbidden"]), file=out)
    print("\nDocuments stored by spider and kind:", file=out)
    print(format_table(summary["documents"], ["spider", "kind", "documents"]), file=out)
    print("\nDropped or skipped input, by reason:", file=out)
    print(format_table(summary["issues"], ["spider", "reason", "count", "example"]), file=out)


def cpu_seconds() -> float:
    """CPU seconds (user and system) of this process and of its child processes that have
    ended: the crawl's parsing process, the batch's and the generator's workers."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def batch_with_summary(db, progress: Progress | None = None,
                       cpu: dict[str, float] | None = None) -> dict[str, float]:
    """The batch a daily run does (:func:`skillenai.pipeline.batch.run_batch`), with a few
    lines on each stage. Returns seconds per stage; ``cpu``, when given, receives the CPU
    seconds of each (:func:`cpu_seconds`)."""
    marks: dict[str, float] = {}

    def before(name: str) -> None:
        marks[name] = cpu_seconds()

    def after(name: str, record: dict) -> None:
        if cpu is not None:
            cpu[name] = cpu_seconds() - marks[name]

    records = run_batch(db, progress=progress, before=before, after=after)
    print("\n" + records["dedupe"]["summary"])
    tagged = records["classify"]
    languages = ", ".join(f"{lang or 'unknown'} {count}" for lang, count in documents_by_language(db))
    print(f"\nClassified {tagged['documents']} documents: {tagged['skill_tags']} skill tags, "
          f"{tagged['place_tags']} place tags, {tagged['role_tags']} role tags. Documents by language: {languages}.")
    refreshed = records["metrics"]
    if refreshed.get("refreshed"):
        pages = ", ".join(f"{n} {kind}" for kind, n in sorted(refreshed["pages"].items()))
        pages = (f"pages precomputed: {pages}" if pages else
                 f"no pages precomputed (only entities with {PAGE_MIN_POSTINGS}+ postings get one; "
                 "the others are computed on request)")
        print(f"Metrics refreshed: per-day skill counts ({refreshed['skill_day_rows']} rows); {pages}.")
    return {name: record["seconds"] for name, record in records.items()}


def print_index_summary(db, out=sys.stdout, limit: int = 10) -> None:
    """What an analyst sees first: the most demanded skills and the top hiring metros."""
    print(f"\nIndex: {unique_postings_count(db)} unique postings.", file=out)
    print("Top skills:", file=out)
    print(format_table(top_skills(db, limit), ["skill", "category", "postings"]), file=out)
    print("Top metros:", file=out)
    print(format_table(top_metros(db, limit), ["metro", "postings"]), file=out)


def _crawl(directory: Path, db_path: str, verbose: bool, progress: bool, results) -> None:
    """The crawl of the sample web: served from ``directory`` in this process's threads,
    crawled by every spider into ``db_path``; the :class:`~skillenai.crawler.run.CrawlResult`
    is sent down ``results``. Run in a process of its own (:func:`run_demo`)."""
    from skillenai.crawler.run import CrawlResult, run_spiders
    from skillenai.sampleweb.server import SampleWebServer

    # Its own process group: the demo hands it each signal (a terminal's Ctrl-C reaches the
    # demo's group only), so a signal is counted once, as a crawl in the demo's process did.
    os.setpgid(0, 0)
    try:
        with SampleWebServer(directory) as web:
            overrides = sample_web_settings(web, directory, db_path)
            # The summary reports skipped input by reason; the log would repeat it line by line.
            overrides["LOG_LEVEL"] = "INFO" if verbose else "ERROR"
            result = run_spiders(None, overrides, progress=progress)
    except interrupt.Interrupted as exc:  # a signal before the spiders started
        result = CrawlResult(0.0, {}, exc.signum)
    results.send(result)


def crawl_while(directory: Path, db_path: str, verbose: bool, progress: bool, meanwhile: Callable[[], None]):
    """Crawl the sample web in ``directory`` into ``db_path`` in a child process, and run
    ``meanwhile()`` here as it goes; returns the crawl's result.

    The crawl is one core's work (Scrapy's reactor; its page parsers take part of a
    second), so the batch's models load beside it; and what the crawl held (Scrapy, the
    server's caches) is given back before the batch runs. SIGINT and SIGTERM received here
    are handed to the crawl, which stops as ``skillenai crawl`` does."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe(duplex=False)
    sys.stdout.flush()
    sys.stderr.flush()
    child = context.Process(target=_crawl, args=(directory, db_path, verbose, progress, theirs),
                            name="skillenai-demo-crawl")
    child.start()
    theirs.close()
    try:
        with interrupt.forward(lambda signum, count: _signal(child, signum)):
            meanwhile()
            try:
                result = ours.recv()
            except EOFError:
                child.join()
                raise RuntimeError(f"the crawl's process ended without a result (exit code {child.exitcode})") from None
        child.join()
        return result
    finally:
        if child.is_alive():  # this process was stopped at once: so is the crawl
            child.terminate()
            child.join()
        ours.close()


def _signal(child, signum: int) -> None:
    try:
        os.kill(child.pid, signum)
    except ProcessLookupError:
        pass


def run_demo(*, db_path: str, postings: int, seed: int, web_dir: str | None, as_of: dt.date | None,
             verbose: bool = False, progress: Progress | None = None) -> int:
    """Returns the exit status (0). ``progress``: the progress display of each stage
    (:data:`skillenai.pipeline.batch.Progress`); a SIGINT or SIGTERM stops the demo with
    :class:`~skillenai.core.interrupt.Interrupted` after the transaction in hand."""
    from skillenai.sampleweb.generate import generate

    if not 50 <= postings <= 100_000:
        raise ValueError("postings must be between 50 and 100000")
    as_of = as_of or dt.date.today()
    keep = web_dir is not None
    directory = Path(web_dir) if keep else Path(tempfile.mkdtemp(prefix="skillenai-web-"))
    started, started_cpu = time.monotonic(), cpu_seconds()
    try:
        print(f"Generating a sample web of {postings} postings (seed {seed}, as of {as_of}) in {directory} ...")
        generate(directory, postings=postings, seed=seed, as_of=as_of)
        generated, generated_cpu = time.monotonic(), cpu_seconds()
        db = open_db(db_path)
        last_run = last_crawl_run_id(db)
        db.close()
        print(f"Serving it on 127.0.0.1 ({len(json.loads((directory / 'manifest.json').read_text())['sites'])} sites); "
              f"crawling with every spider into {db_path} ...")
        result = crawl_while(directory, db_path, verbose, progress is not None, warm_up)
        if result.stopped_by:
            raise interrupt.Interrupted(result.stopped_by)
        cpu = {"generate": generated_cpu - started_cpu, "crawl": cpu_seconds() - generated_cpu}
        db = open_db(db_path)
        run_ids = [run["id"] for run in crawl_runs_after(db, last_run)]
        print_crawl_summary(db, run_ids, result.seconds)
        recall = truth_recall(db, directory)
        print("\nAgainst the sample web's ground truth:")
        for name, r in recall.items():
            share = r["found"] / r["truth"] if r["truth"] else 1.0
            print(f"  {name:9s} {r['found']:6d} of {r['truth']:6d} found ({share:.1%}); {r['stored']} stored")
        timings = {"generate": generated - started, "crawl": result.seconds}
        timings.update(batch_with_summary(db, progress, cpu))
        print_index_summary(db)
        print("\nTime: " + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in timings.items())
              + f"; total {time.monotonic() - started:.1f} s. Store: {db_path}")
        print("CPU time: " + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in cpu.items())
              + f"; total {cpu_seconds() - started_cpu:.1f} s (this process and its workers)")
        return 0
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
