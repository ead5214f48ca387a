"""``skillenai daily``: the scheduled run, one recorded run per date.

Stages: crawl every source (incremental: see ``skillenai/crawler/incremental.py``), run the monitors
(``skillenai/crawler/monitors.py``), dedupe, classify, refresh the precomputed metrics. The date's
row in ``daily_runs`` is written when the run starts and after every stage, so a killed
run leaves a record of how far it got. Re-running a date is safe: unchanged sources are
not re-processed, documents and tags are upserts, and the row is updated, not added.

Only one daily run per store at a time: an OS lock (``flock``) on ``<db>.daily.lock``,
``<db>`` being the store's resolved path (a symlink or another spelling of the path names
the same lock); a second run exits at once with status 3, naming the lock file and the
holder's pid. The crawl keeps its pending requests in ``<db>.jobs/<date>/<spider>`` (Scrapy's ``JOBDIR``)
until it finishes, so a crawl stopped gracefully (Ctrl-C once, SIGTERM) resumes when the
date is run again. A killed one saved no queue (its record still says ``running``): the
next run of the date discards its job directory and crawls afresh.

The outcome recorded is the one the exit status says (:data:`EXIT_STATUS`): ``ok`` 0,
``monitors_failed`` and ``failed`` 1, ``interrupted`` 130 or 143 (SIGINT, SIGTERM: the
crawl stops gracefully, a later stage after the transaction it is in, and no further stage
runs).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from skillenai.core import interrupt
from skillenai.pipeline.batch import run_batch
from skillenai.store.db import open_db
from skillenai.store.runs import (
    crawl_runs_after,
    daily_run_outcome,
    finish_daily_run,
    last_crawl_run_id,
    save_daily_stages,
    start_daily_run,
)

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_LOCKED = 0, 1, 3
EXIT_STATUS = {"ok": EXIT_OK, "monitors_failed": EXIT_FAILED, "failed": EXIT_FAILED}  # interrupted: 128 + signal
_FINISHED = ("finished", "finished_with_errors")


def resolved_store(db_path: str) -> Path:
    """The store's path with symlinks resolved, which the run's lock and job directory are named after."""
    return Path(db_path).resolve()


class DailyLocked(Exception):
    """Another daily run holds the store's lock."""


@contextlib.contextmanager
def daily_lock(db_path: str) -> Iterator[Path]:
    """Hold ``<db>.daily.lock`` for the block, or raise :class:`DailyLocked` at once.

    ``<db>`` is the store's resolved path: a symlink to the store, or the same file named
    from another directory, takes the same lock. A hard link to the store has a path of
    its own, so an existing store is also locked by its file's identity (device and
    inode), through a lock file in the temporary directory every name of it shares."""
    path = Path(f"{resolved_store(db_path)}.daily.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as held:
        held.enter_context(_locked(path))
        try:
            st = os.stat(path.with_name(path.name.removesuffix(".daily.lock")))
        except OSError:
            pass  # no store yet: nothing can link to it
        else:
            held.enter_context(_locked(Path(tempfile.gettempdir()) / f"skillenai-daily-{st.st_dev}-{st.st_ino}.lock"))
        yield path


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file at ``path`` (writing this process's id into it),
    or raise :class:`DailyLocked` naming the holder."""
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise DailyLocked(f"another daily run is going: {path} is locked by pid {holder}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def run_daily(*, db_path: str, date: dt.date | None = None, spiders: list[str] | None = None,
              overrides: dict[str, Any] | None = None, sample_web: str | None = None,
              progress: Callable[[str], Callable[[int, int], None]] | None = None, out=sys.stdout) -> int:
    """Run every stage for ``date`` (default: today, UTC); print the record as JSON.

    Returns the exit status: 0 ok, 1 a monitor or a stage failed, 3 another daily run
    holds the lock, 130 or 143 stopped by SIGINT or SIGTERM.
    """
    day = (date or dt.datetime.now(dt.timezone.utc).date()).isoformat()
    try:
        with daily_lock(db_path):
            return _run(db_path, day, spiders, dict(overrides or {}), sample_web, progress, out)
    except DailyLocked as exc:
        print(f"skillenai: {exc}", file=sys.stderr)
        return EXIT_LOCKED


def _run(db_path, day, spiders, overrides, sample_web, progress, out) -> int:
    jobdir = Path(f"{resolved_store(db_path)}.jobs") / day
    db = open_db(db_path)
    resuming = jobdir.exists()
    if resuming and daily_run_outcome(db, day) == "running":
        # Killed mid-crawl: Scrapy saved no queue, only the requests it had seen, and resuming
        # would skip them. Start the date's crawl afresh (unchanged pages answer 304).
        logger.warning("daily %s: the last attempt was killed; crawling afresh", day)
        shutil.rmtree(jobdir, ignore_errors=True)
        resuming = False
    start_daily_run(db, day, resuming)
    stages: dict[str, dict] = {}
    outcome = "ok"
    try:
        stage = "crawl"
        _say(f"daily {day}: crawl" + (f" (resuming from {jobdir})" if resuming else ""))
        db.close()
        stages["crawl"], run_ids, settings = _crawl(db_path, day, spiders, overrides, sample_web, jobdir, progress)
        db = open_db(db_path)
        save_daily_stages(db, day, stages)
        if stages["crawl"]["status"] != "ok":
            # Stopped by a signal (its queue kept for the next run of the date) or cut short.
            return _finish(db, day, stages, stages["crawl"]["status"], out)
        shutil.rmtree(jobdir, ignore_errors=True)
        interrupt.check()

        stage = "monitors"
        from skillenai.crawler.monitors import as_json, notification, notify, record, run_monitors

        checks = run_monitors(db, run_ids, settings)
        record(db, run_ids, checks)
        stages["monitors"] = {"status": "ok" if all(c.passed for c in checks) else "failed", **as_json(checks)}
        for check in checks:
            if not check.passed:
                print(check.message(), file=sys.stderr)
        problem = notify(settings, notification(checks, run_ids, str(db_path)))
        if problem:
            print(f"skillenai: {problem}", file=sys.stderr)
        if stages["monitors"]["status"] != "ok":
            outcome = "monitors_failed"
        save_daily_stages(db, day, stages)

        def before(name: str) -> None:
            nonlocal stage
            stage = name
            _say(f"daily {day}: {name}")

        def after(name: str, record: dict) -> None:
            record.pop("summary", None)  # the record keeps the counts; the lines are for a terminal
            stages[name] = record
            save_daily_stages(db, day, stages)

        interrupt.check()
        run_batch(db, progress=progress, before=before, after=after)
    except interrupt.Interrupted as exc:
        stages[stage] = {**stages.get(stage, {}), "status": "interrupted", "errors": [str(exc)]}
        outcome = "interrupted"
        db = open_db(db_path)
    except Exception as exc:  # noqa: BLE001 - the record must say which stage failed and why
        logger.exception("daily %s: stage %s failed", day, stage)
        stages[stage] = {**stages.get(stage, {}), "status": "failed", "errors": [f"{type(exc).__name__}: {exc}"]}
        outcome = "failed"
        db = open_db(db_path)
    return _finish(db, day, stages, outcome, out)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _crawl(db_path, day, spiders, overrides, sample_web, jobdir: Path, progress=None):
    from skillenai.crawler.run import project_settings, run_spiders

    overrides = {**overrides, "SKILLENAI_DB": db_path, "SKILLENAI_RUN_DATE": day}
    db = open_db(db_path)
    last_run = last_crawl_run_id(db)
    db.close()
    started = time.monotonic()
    if sample_web:
        from skillenai.pipeline.demo import sample_web_settings
        from skillenai.sampleweb.server import SampleWebServer

        with SampleWebServer(sample_web) as web:
            overrides = {**sample_web_settings(web, Path(sample_web), db_path), **overrides}
            result = run_spiders(spiders, overrides, jobdir=str(jobdir), progress=progress is not None)
    else:
        result = run_spiders(spiders, overrides, jobdir=str(jobdir), progress=progress is not None)
    seconds = time.monotonic() - started
    db = open_db(db_path)
    try:
        runs = crawl_runs_after(db, last_run)
    finally:
        db.close()
    per_spider = {}
    for run in runs:
        stats = json.loads(run["stats"] or "{}")
        inc = lambda name: stats.get(f"skillenai/incremental/{name}", 0)  # noqa: E731
        per_spider[run["spider"]] = {
            "run_id": run["id"], "outcome": run["outcome"], "requests": stats.get("downloader/request_count", 0),
            "new": run["items_new"], "changed": run["items_changed"],
            # re-seen without change: unchanged items, and documents of 304s and same-hash bodies
            "unchanged": stats.get("skillenai/stored/unchanged", 0) + inc("unchanged_documents"),
            "not_modified": inc("not_modified"), "same_content": inc("same_content"),
            "closed": inc("closed"), "dropped": run["items_dropped"],
            "errors": stats.get("skillenai/skipped/fetch_failed", 0) + stats.get("log_count/ERROR", 0),
        }
    totals = {key: sum(s[key] for s in per_spider.values())
              for key in ("requests", "new", "changed", "unchanged", "not_modified", "same_content", "closed",
                          "dropped", "errors")}
    complete = bool(runs) and all(run["outcome"] in _FINISHED for run in runs) and not result.not_run
    status = "interrupted" if result.stopped_by else "ok" if complete else "failed"
    record = {"status": status, "seconds": round(seconds, 2), **totals, "spiders": per_spider}
    if not complete:
        record["errors_detail"] = [f"{run['spider']}: {run['outcome']}" for run in runs
                                   if run["outcome"] not in _FINISHED] or ["no spider ran"]
        recorded = {run["spider"] for run in runs}
        record["errors_detail"] += [f"{name}: did not run: {error}" for name, error in result.not_run.items()
                                    if name not in recorded]
    return record, [run["id"] for run in runs], project_settings(overrides)


def _finish(db, day: str, stages: dict, outcome: str, out) -> int:
    record = finish_daily_run(db, day, stages, outcome)
    db.close()
    print(json.dumps(record, indent=2, sort_keys=False), file=out)
    if outcome == "interrupted":
        signum = interrupt.received()
        print(f"skillenai: daily {day} interrupted by {signal.Signals(signum).name if signum else 'a signal'}; "
              "running it again resumes it", file=sys.stderr)
        return 128 + signum if signum else EXIT_FAILED
    return EXIT_STATUS[outcome]
