"""Runs in the store: crawl runs (``crawl_runs``) with the input they skipped
(``crawl_issues``), and the scheduled daily runs (``daily_runs``).

A crawl run is recorded when its spider opens (``outcome`` ``running``) and finished with
its counts and Scrapy stats; a run whose process died is marked ``interrupted`` by the next
run started on its host. A daily run has one row per date, written when it starts and
after every stage.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

import sqlite_utils

from skillenai.store.db import utc_now, write_transaction
from skillenai.store.documents import UpsertCounts

# Crawl runs and their issues -------------------------------------------------------------

def start_run(db: sqlite_utils.Database, spider: str, args: dict[str, Any] | None = None, *,
              pid: int | None = None, host: str | None = None, started: str | None = None) -> int:
    """Record a new run of ``spider`` by process ``pid`` on ``host`` (default: this one),
    started at ``started`` (default: now).

    Runs left ``running`` by processes of this host that are gone (killed, crashed) are
    marked ``interrupted`` first, so the record says what happened to them.
    """
    pid = os.getpid() if pid is None else pid
    host = host or socket.gethostname()
    with write_transaction(db):
        mark_interrupted_runs(db)
        cursor = db.conn.execute(
            "INSERT INTO crawl_runs (spider, started, outcome, args, pid, host) VALUES (?, ?, 'running', ?, ?, ?)",
            (spider, started or utc_now(), json.dumps(args or {}, sort_keys=True, default=str), pid, host),
        )
    return cursor.lastrowid


def record_unstarted_run(db: sqlite_utils.Database, spider: str, error: str, args: dict[str, Any] | None = None) -> int:
    """Record a run of ``spider`` that never started (its store could not be opened, say),
    with outcome ``failed_to_start`` and the error: the monitors then fail it."""
    now = utc_now()
    with write_transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO crawl_runs (spider, started, finished, outcome, args, stats, pid, host) "
            "VALUES (?, ?, ?, 'failed_to_start', ?, ?, ?, ?)",
            (spider, now, now, json.dumps(args or {}, sort_keys=True, default=str), json.dumps({"error": error}),
             os.getpid(), socket.gethostname()),
        )
    return cursor.lastrowid


def mark_interrupted_runs(db: sqlite_utils.Database) -> int:
    """Mark ``interrupted`` the runs still ``running`` whose process on this host is gone.

    Runs of other hosts are left alone: their processes cannot be checked from here.
    """
    host = socket.gethostname()
    dead = [run_id for run_id, pid in db.conn.execute(
        "SELECT id, pid FROM crawl_runs WHERE outcome = 'running' AND host = ? AND pid > 0", (host,))
        if not _process_alive(pid)]
    if dead:
        with write_transaction(db):
            db.conn.executemany("UPDATE crawl_runs SET outcome = 'interrupted' WHERE id = ?", [(i,) for i in dead])
    return len(dead)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    # A zombie (killed, not yet reaped by its parent) is dead too.
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    *,
    outcome: str,
    counts: UpsertCounts,
    dropped: int,
    stats: dict[str, Any],
    finished: str | None = None,
) -> None:
    """Record the end of run ``run_id`` at ``finished`` (default: now) with its counts and Scrapy stats."""
    with write_transaction(db):
        db.conn.execute(
            "UPDATE crawl_runs SET finished = ?, outcome = ?, items_stored = ?, items_new = ?, "
            "items_changed = ?, items_dropped = ?, stats = ? WHERE id = ?",
            (finished or utc_now(), outcome, counts.total, counts.new, counts.changed, dropped,
             json.dumps(stats, sort_keys=True, default=str), run_id),
        )


def record_monitors(db: sqlite_utils.Database, run_id: int, result: dict[str, Any]) -> None:
    """Keep what the monitors found after run ``run_id`` (``{"checks": n, "failed": [...]}``)."""
    with write_transaction(db):
        db.conn.execute("UPDATE crawl_runs SET monitors = ? WHERE id = ?",
                        (json.dumps(result, sort_keys=True, default=str), run_id))


def record_issues(db: sqlite_utils.Database, issues: list[tuple[int | None, str, str | None, str, str | None]]) -> None:
    """Store (run_id, spider, url, reason, detail) rows: dropped items and skipped input."""
    if not issues:
        return
    now = utc_now()
    with write_transaction(db):
        db.conn.executemany(
            "INSERT INTO crawl_issues (crawl_run_id, spider, url, reason, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
            [(*issue, now) for issue in issues],
        )


def last_crawl_run_id(db: sqlite_utils.Database) -> int:
    """The id of the latest crawl run (0 for none): the runs a crawl adds come after it."""
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM crawl_runs").fetchone()[0]


def crawl_runs_after(db: sqlite_utils.Database, run_id: int) -> list[dict[str, Any]]:
    """The crawl runs recorded after run ``run_id``, oldest first, with their counts and
    Scrapy stats (JSON text)."""
    return list(db.query(
        "SELECT id, spider, outcome, items_new, items_changed, items_dropped, stats "
        "FROM crawl_runs WHERE id > ? ORDER BY id", [run_id]))


def crawl_runs(db: sqlite_utils.Database, run_ids: list[int]) -> list[dict[str, Any]]:
    """The crawl runs ``run_ids``, oldest first: spider, dropped items, Scrapy stats and
    spider arguments (both JSON text)."""
    if not run_ids:
        return []
    return list(db.query(
        f"SELECT id, spider, items_dropped, stats, args FROM crawl_runs WHERE id IN ({','.join('?' * len(run_ids))}) "
        "ORDER BY id", run_ids))


def bad_seed_rows(db: sqlite_utils.Database, run_ids: list[int]) -> list[str]:
    """The rows of the sources file (``file:line``) the runs ``run_ids`` skipped as unusable,
    each once (every spider reports a row whose spider is unknown)."""
    if not run_ids:
        return []
    return [row[0] for row in db.conn.execute(
        f"SELECT DISTINCT url FROM crawl_issues WHERE reason = 'bad_seed_row' "
        f"AND crawl_run_id IN ({','.join('?' * len(run_ids))}) ORDER BY url", run_ids)]


def crawl_run_of_redis_run(db: sqlite_utils.Database, redis_run: str) -> int | None:
    """The latest crawl run stored for a distributed worker's run (``args.redis_run``)."""
    row = db.conn.execute(
        "SELECT id FROM crawl_runs WHERE json_extract(args, '$.redis_run') = ? ORDER BY id DESC LIMIT 1",
        (redis_run,)).fetchone()
    return row[0] if row else None


# Daily runs --------------------------------------------------------------------------------

DAILY_RUN_FIELDS = ("date", "started", "finished", "outcome", "attempts", "crawl_since", "stages")


def daily_run_outcome(db: sqlite_utils.Database, day: str) -> str | None:
    """The outcome recorded for the daily run of ``day`` (``running`` if it never
    finished), or ``None`` when the date has not been run."""
    row = db.execute("SELECT outcome FROM daily_runs WHERE date = ?", [day]).fetchone()
    return row[0] if row else None


def start_daily_run(db: sqlite_utils.Database, day: str, resuming: bool) -> None:
    """Record that the daily run of ``day`` starts (another attempt when the date ran
    before); a resumed crawl keeps the start of the crawl it resumes (``crawl_since``)."""
    now = utc_now()
    with write_transaction(db):
        db.conn.execute(
            "INSERT INTO daily_runs (date, started, outcome, attempts, crawl_since, stages) "
            "VALUES (?, ?, 'running', 1, ?, '{}') ON CONFLICT (date) DO UPDATE SET started = excluded.started, "
            "finished = NULL, outcome = 'running', attempts = attempts + 1, stages = '{}', "
            "crawl_since = CASE WHEN ? THEN crawl_since ELSE excluded.crawl_since END",
            (day, now, now, resuming))


def save_daily_stages(db: sqlite_utils.Database, day: str, stages: dict[str, Any]) -> None:
    """Record the stages the daily run of ``day`` has been through so far."""
    with write_transaction(db):
        db.conn.execute("UPDATE daily_runs SET stages = ? WHERE date = ?", (json.dumps(stages, sort_keys=True), day))


def finish_daily_run(db: sqlite_utils.Database, day: str, stages: dict[str, Any], outcome: str) -> dict[str, Any]:
    """Record the end of the daily run of ``day``; returns its row (``stages`` decoded)."""
    with write_transaction(db):
        db.conn.execute("UPDATE daily_runs SET finished = ?, outcome = ?, stages = ? WHERE date = ?",
                        (utc_now(), outcome, json.dumps(stages, sort_keys=True), day))
    row = db.execute(f"SELECT {', '.join(DAILY_RUN_FIELDS)} FROM daily_runs WHERE date = ?", [day]).fetchone()
    record = dict(zip(DAILY_RUN_FIELDS, row))
    record["stages"] = json.loads(record["stages"])
    return record
