"""Every metrics query reaches the big tables through indexes: no full scan of documents,
postings or the tag tables, whatever the store's size (EXPLAIN QUERY PLAN of each statement
the metrics functions run)."""

from __future__ import annotations

import re

import pytest

from skillenai.metrics import queries as metrics
from skillenai.store.db import open_db

BIG = ("documents", "postings", "document_skills", "document_metros", "document_roles", "posting_facts")


class PlanRecorder:
    """Stands in for a sqlite-utils Database: explains each statement, then runs it."""

    def __init__(self, db):
        self._db = db
        self.plans: list[tuple[str, list[str]]] = []

    @property
    def conn(self):
        return self

    def __getattr__(self, name):  # in_transaction, commit…: the connection's own
        return getattr(self._db.conn, name)

    def execute(self, sql, params=()):
        if re.match(r"\s*(SELECT|INSERT|WITH)", sql, re.I):
            plan = [row[3] for row in self._db.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
            self.plans.append((sql, plan))
        return self._db.conn.execute(sql, params)


@pytest.fixture
def store(fresh_db):
    # A few rows are enough: the plan is what is checked, and without ANALYZE statistics the
    # planner decides the same way on a small store as on a big one.
    db = fresh_db
    db.execute("INSERT INTO skills (id, name) VALUES ('s1', 'Python'), ('s2', 'SQL')")
    db.execute("INSERT INTO metros (id, name) VALUES ('m1', 'Berlin')")
    db.execute("INSERT INTO roles (id, name) VALUES ('r1', 'Backend Engineer')")
    for i, kind in enumerate(["posting"] * 5 + ["article"]):
        doc = f"{i:016x}"
        db.execute("INSERT INTO documents (id, url, canonical_url, kind, first_seen, last_seen, seq, published_at) "
                   "VALUES (?, ?, ?, ?, '2026-05-01T00:00:00Z', '2026-05-01T00:00:00Z', ?, '2026-05-01')",
                   [doc, doc, doc, kind, i])
        if kind == "posting":
            db.execute("INSERT INTO postings (document_id, date_posted) VALUES (?, '2026-05-0' || ?)", [doc, i + 1])
            db.execute("INSERT INTO document_metros (document_id, metro_id) VALUES (?, 'm1')", [doc])
            db.execute("INSERT INTO document_roles (document_id, role_id) VALUES (?, 'r1')", [doc])
        for skill in ("s1", "s2"):
            db.execute("INSERT INTO document_skills (document_id, skill_id, mentions, score, method) "
                       "VALUES (?, ?, 1, 1, 'alias')", [doc, skill])
    return db


# The names and aliases the metrics SQL and views give the big tables.
ALIASES = {"d", "p", "t", "ds", "o", "dm", "dr", "up", "other"}


def full_scans(recorder: PlanRecorder) -> list[tuple[str, str]]:
    """(statement, plan line) for each full scan of a big table. A walk of the partial index
    of articles (or of papers) is allowed: it holds articles only, and the walk is the shorter of the two
    ways to a skill's articles (``test_the_articles_of_a_skill_take_the_shorter_way``)."""
    found = []
    for sql, plan in recorder.plans:
        for line in plan:
            m = re.match(r"SCAN (\w+)", line)
            if m and (m.group(1) in BIG or m.group(1) in ALIASES) and not re.search(r"idx_documents_(articles|papers)\b", line):
                found.append((sql.strip()[:120], line))
    return found


@pytest.mark.parametrize("call", [
    lambda db: metrics.skill_metrics(db, {"id": "s1", "name": "Python", "category": None}),
    lambda db: metrics.metro_metrics(db, {"id": "m1", "name": "Berlin", "admin1": None, "country": None}),
    lambda db: metrics.role_metrics(db, {"id": "r1", "name": "Backend Engineer"}),
    lambda db: metrics.top_skills(db),
    lambda db: metrics.trends(db, min_postings=1),
], ids=["skill", "metro", "role", "top-skills", "trends"])
def test_no_full_scan_of_a_big_table(store, call):
    recorder = PlanRecorder(store)
    result = call(recorder)
    assert result["data_as_of"] == "2026-05-05"
    assert recorder.plans
    assert full_scans(recorder) == []


def test_skill_postings_reads_covering_indexes_only(store):
    plan = [r[3] for r in store.execute(
        "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM skill_postings WHERE skill_id = 's1' AND date_posted > '2026-02-01'")]
    assert plan == [
        "SEARCH t USING COVERING INDEX idx_document_skills_skill (skill_id=?)",
        "SEARCH d USING COVERING INDEX idx_documents_metrics (id=? AND kind=? AND is_canonical=?)",
        "SEARCH p USING COVERING INDEX idx_postings_document_date (document_id=?)",
    ]


def test_the_articles_of_a_skill_take_the_shorter_way(store):
    recorder = PlanRecorder(store)
    window = metrics.Window(metrics.data_as_of(store), 90)
    for via, first in (("articles", "idx_documents_articles"), ("skill", "idx_document_skills_skill")):
        recorder.plans.clear()
        metrics._articles(recorder, "s1", window, 5, via=via)
        assert first in recorder.plans[-1][1][0]
        assert full_scans(recorder) == []


def test_plans_hold_after_analyze(tmp_path, store):
    """ANALYZE statistics must not turn a plan into a scan (PERFORMANCE_NOTES.md saw that)."""
    path = tmp_path / "s.db"
    store.conn.execute(f"VACUUM INTO '{path}'")
    db = open_db(path)
    db.execute("ANALYZE")
    recorder = PlanRecorder(db)
    metrics.skill_metrics(recorder, {"id": "s1", "name": "Python", "category": None})
    metrics.top_skills(recorder)
    assert full_scans(recorder) == []


def test_the_checker_sees_a_scan(store):
    recorder = PlanRecorder(store)
    recorder.execute("SELECT COUNT(*) FROM documents d WHERE d.title = 'x'")
    recorder.execute("SELECT COUNT(*) FROM skill_postings WHERE date_posted > '2026-01-01'")
    assert [line for _, line in full_scans(recorder)] == [
        "SCAN d", "SCAN t USING COVERING INDEX idx_document_skills_skill"]
