"""Summaries an operator reads after a run: what was stored, dropped and skipped."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


def crawl_summary(db: sqlite_utils.Database, run_ids: list[int]) -> dict[str, Any]:
    """Counts for the given crawl runs, from the store alone."""
    if not run_ids:
        return {"runs": [], "documents": [], "issues": []}
    marks = ",".join("?" * len(run_ids))
    runs = []
    for row in db.query(f"SELECT * FROM crawl_runs WHERE id IN ({marks}) ORDER BY id", run_ids):
        stats = json.loads(row["stats"] or "{}")
        runs.append({
            "id": row["id"], "spider": row["spider"], "outcome": row["outcome"],
            "stored": row["items_stored"], "new": row["items_new"], "changed": row["items_changed"],
            "dropped": row["items_dropped"],
            "requests": stats.get("downloader/request_count", 0),
            "errors": sum(v for k, v in stats.items() if k.startswith("log_count/ERROR")),
            "retries": stats.get("retry/count", 0),
            "robots_forbidden": stats.get("robotstxt/forbidden", 0),
            "seconds": stats.get("elapsed_time_seconds"),
        })
    documents = list(db.query(
        f"SELECT spider, kind, COUNT(*) AS documents FROM documents WHERE crawl_run_id IN ({marks}) "
        "GROUP BY spider, kind ORDER BY spider, kind", run_ids,
    ))
    issues = list(db.query(
        f"SELECT spider, reason, COUNT(*) AS count, MIN(detail) AS example FROM crawl_issues "
        f"WHERE crawl_run_id IN ({marks}) GROUP BY spider, reason ORDER BY count DESC", run_ids,
    ))
    return {"runs": runs, "documents": documents, "issues": issues}


def format_table(rows: list[dict], columns: list[str]) -> str:
    """A plain-text table for terminals."""
    if not rows:
        return "  (none)"
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  " + "  ".join("-" * w for w in widths))
    lines += ["  " + "  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def documents_by_language(db: sqlite_utils.Database) -> list[tuple[str | None, int]]:
    """(language, documents) for every language in the store, the commonest first."""
    return db.execute("SELECT lang, COUNT(*) FROM documents GROUP BY lang ORDER BY COUNT(*) DESC, lang").fetchall()
