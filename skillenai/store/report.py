"""Summaries an operator reads after a run: what was stored, dropped and skipped, what the
monitors check, and the first figures of the index."""

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


def stored_urls(db: sqlite_utils.Database, kind: str) -> set[str]:
    """The URLs of every stored document of ``kind``."""
    return {row[0] for row in db.execute("SELECT url FROM documents WHERE kind = ?", [kind])}


def unique_postings_count(db: sqlite_utils.Database) -> int:
    """Canonical postings: one per duplicate cluster."""
    return db.execute("SELECT COUNT(*) FROM unique_postings").fetchone()[0]


def top_skills(db: sqlite_utils.Database, limit: int = 10) -> list[dict[str, Any]]:
    """The skills most unique postings ask for: ``{skill, category, postings}``, the most first."""
    return list(db.query(
        "SELECT s.name AS skill, s.category, COUNT(*) AS postings FROM document_skills ds "
        "JOIN unique_postings u ON u.id = ds.document_id JOIN skills s ON s.id = ds.skill_id "
        "GROUP BY s.id ORDER BY postings DESC, s.name LIMIT ?", [limit]))


def top_metros(db: sqlite_utils.Database, limit: int = 10) -> list[dict[str, Any]]:
    """The cities with the most unique postings: ``{metro, country, postings}``, the most
    first; ``metro`` is the city's display label ("Dublin, CA, US") where the store has one."""
    return list(db.query(
        "SELECT COALESCE(m.label, m.name) AS metro, m.country, COUNT(*) AS postings FROM document_metros dm "
        "JOIN unique_postings u ON u.id = dm.document_id JOIN metros m ON m.id = dm.metro_id "
        "GROUP BY m.id ORDER BY postings DESC, m.name LIMIT ?", [limit]))


# What a crawl run's postings should carry, for the field-coverage monitor: a condition on
# documents d and postings p.
_COVERAGE = {
    "location": "p.location_raw IS NOT NULL AND p.location_raw <> '' OR p.locations_json IS NOT NULL",
    "date": "p.date_posted IS NOT NULL",
    "description": "length(trim(COALESCE(d.text, ''))) > 0",
}
COVERAGE_FIELDS = tuple(_COVERAGE)


def run_documents(db: sqlite_utils.Database, run_id: int, spider: str, source: str) -> int:
    """Documents of ``source`` that crawl run ``run_id`` of ``spider`` stored or saw last."""
    return db.execute("SELECT COUNT(*) FROM documents WHERE crawl_run_id = ? AND spider = ? AND source = ?",
                      [run_id, spider, source]).fetchone()[0]


def run_postings(db: sqlite_utils.Database, run_id: int, having: str | None = None) -> int:
    """Postings crawl run ``run_id`` stored or saw last; with ``having`` (one of
    :data:`COVERAGE_FIELDS`), only those that carry it."""
    if having is None:
        return db.execute("SELECT COUNT(*) FROM documents WHERE crawl_run_id = ? AND kind = 'posting'",
                          [run_id]).fetchone()[0]
    return db.execute(
        f"SELECT COUNT(*) FROM documents d JOIN postings p ON p.document_id = d.id "
        f"WHERE d.crawl_run_id = ? AND d.kind = 'posting' AND ({_COVERAGE[having]})", [run_id]).fetchone()[0]
