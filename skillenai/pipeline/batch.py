"""The batch after a crawl, the one place its stages are joined: dedupe → classify → metrics.

``skillenai daily`` and ``skillenai demo`` both run it (so a demo store is built as a
scheduled one is); ``skillenai dedupe``, ``classify`` and ``metrics refresh`` run one
stage alone. Each stage returns a JSON-ready record of what it did.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from skillenai.dedupe import run_dedupe
from skillenai.metrics.queries import refresh
from skillenai.pipeline.tagging import classify_store

Progress = Callable[[str], Callable[[int, int], None]]
STAGES = ("dedupe", "classify", "metrics")


def dedupe_stage(db, progress: Progress | None = None) -> dict[str, Any]:
    started = time.monotonic()
    # Everything stored so far: the crawl just ran, and a back-dated run must not leave
    # today's documents out.
    report = run_dedupe(db, progress=progress("dedupe") if progress else None)
    return {"status": "ok", "seconds": round(time.monotonic() - started, 2), "analysed": report.analysed,
            "pairs_added": report.pairs_added, "pairs_removed": report.pairs_removed,
            "clusters": report.clusters, "duplicates": report.duplicates, "summary": report.summary()}


def classify_stage(db, progress: Progress | None = None) -> dict[str, Any]:
    started = time.monotonic()
    tagged = classify_store(db, progress=progress("classify") if progress else None)
    record = {"status": "ok", "seconds": round(time.monotonic() - started, 2), **tagged.as_dict()}
    record.pop("by_kind", None)
    return record


def metrics_stage(db, progress: Progress | None = None) -> dict[str, Any]:
    started = time.monotonic()
    counts = refresh(db, progress=progress("metrics") if progress else None)
    return {"status": "ok", "seconds": round(time.monotonic() - started, 2),
            **{k: v for k, v in counts.items() if k != "seconds"}}


_RUN = {"dedupe": dedupe_stage, "classify": classify_stage, "metrics": metrics_stage}


def run_batch(db, *, progress: Progress | None = None,
              before: Callable[[str], None] | None = None,
              after: Callable[[str, dict], None] | None = None) -> dict[str, dict]:
    """Run every stage in order; ``before(name)`` and ``after(name, record)`` are called
    around each (the daily run saves its record there). A stage's exception propagates
    after ``before`` named it. Returns the records by stage name."""
    records: dict[str, dict] = {}
    for name in STAGES:
        if before:
            before(name)
        records[name] = _RUN[name](db, progress)
        if after:
            after(name, records[name])
    return records
