"""Boilerplate learned from ``scope_lines`` (the day's lines only) is the boilerplate the
store's recent documents give: the same lines, and the same documents signed again, as
reading every recent document of each scope the day touches (the way it was learned
before ``scope_lines``, kept below as the reference), on real postings and on the sample
web, run a day at a time with changed texts; and the table kept day by day is the table
built afresh from ``minhashes`` (migration m026)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest

from evaluation import dedupe_real, dedupe_sampleweb
from skillenai.core.record import InvalidRecord, normalize_record
from skillenai.dedupe import boilerplate as bp
from skillenai.dedupe.run import RESIGN_SHARE, run_dedupe
from skillenai.dedupe.text import SENIORITY
from skillenai.sampleweb.generate import generate
from skillenai.store import scope_lines
from skillenai.store.db import open_db
from skillenai.store.documents import upsert_documents


def reference_learn(conn, new_lines: dict, min_titles: int) -> dict[str, set[int]]:
    """The lines each scope learns, read from its ``RECENT_DOCUMENTS`` most recent
    ``minhashes`` rows in full (nothing is written)."""
    learned = {}
    for scope in sorted(new_lines):
        known = {bp.from_sql(h) for (h,) in conn.execute(
            "SELECT line_hash FROM boilerplate_lines WHERE scope = ?", (scope,))}
        rows = conn.execute("SELECT document_id, title_key, lines FROM minhashes WHERE scope = ? ORDER BY id DESC "
                            "LIMIT ?", (scope, bp.RECENT_DOCUMENTS)).fetchall()
        fresh = new_lines[scope]
        if fresh is None:
            fresh = {h for _, _, blob in rows for h in bp.lines_from_bytes(blob).tolist()}
        candidates = fresh - known
        titles: dict[int, list[frozenset[str]]] = defaultdict(list)
        for _, title, blob in rows:
            words = frozenset(title.split()) - SENIORITY
            for h in bp.lines_from_bytes(blob).tolist():
                seen = titles[h]
                if h in candidates and len(seen) < min_titles and all(bp._unlike(words, o) for o in seen):
                    seen.append(words)
        new = {h for h, seen in titles.items() if len(seen) >= min_titles}
        if new:
            learned[scope] = new
    return learned


def reference_stale(conn, learned: dict[str, set[int]]) -> set[str]:
    """Signed documents a ``RESIGN_SHARE`` of whose lines were just learned, every
    document of each scope read in full."""
    stale = set()
    for scope, lines in learned.items():
        if scope == bp.GLOBAL_SCOPE:
            continue
        for document_id, blob in conn.execute(
                "SELECT document_id, lines FROM minhashes WHERE scope = ? AND signature IS NOT NULL", (scope,)):
            held = bp.lines_from_bytes(blob).tolist()
            if held and sum(h in lines for h in held) / len(held) >= RESIGN_SHARE:
                stale.add(document_id)
    return stale


@pytest.fixture
def compared(monkeypatch):
    """Every learning step of the runs that follow, checked against the reference."""
    checks = {"learned": 0, "stale": 0, "calls": 0}
    learn, stale = bp.Boilerplate.learn, bp.Boilerplate.stale

    def checked_learn(self, new_lines, *, min_titles, now):
        expected = reference_learn(self.conn, new_lines, min_titles)
        got = learn(self, new_lines, min_titles=min_titles, now=now)
        assert {s: v for s, v in got.items() if s != bp.GLOBAL_SCOPE} == expected
        checks["learned"] += sum(len(v) for v in expected.values())
        checks["calls"] += 1
        return got

    def checked_stale(self, learned, share):
        expected = reference_stale(self.conn, learned)
        got = stale(self, learned, share)
        assert sorted(got) == sorted(expected)
        checks["stale"] += len(got)
        return got

    monkeypatch.setattr(bp.Boilerplate, "learn", checked_learn)
    monkeypatch.setattr(bp.Boilerplate, "stale", checked_stale)
    return checks


def index_rows(conn) -> list[tuple]:
    return conn.execute("SELECT s.scope, l.line_hash, m.document_id, t.title_key, l.line_count FROM scope_lines l "
                        "JOIN boilerplate_scopes s ON s.id = l.scope_id JOIN title_keys t ON t.id = l.title_id "
                        "JOIN minhashes m ON m.id = l.minhash_id ORDER BY 1, 2, 3").fetchall()


def run_days(db, records: list[dict], batches: int, seed: int) -> None:
    """Store ``records`` in ``batches`` days (by date posted), dedupe after each, then
    change a tenth of the stored postings' texts (a third of their lines replaced by
    other postings' lines) and turn a few into other pages, and dedupe again."""
    by_day: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_day[record.get("date_posted") or "2026-01-01"].append(record)
    days = sorted(by_day)
    size = -(-len(days) // batches)
    for start in range(0, len(days), size):
        part = days[start:start + size]
        upsert_documents(db, [r for d in part for r in by_day[d]], now=f"{part[-1]}T12:00:00Z")
        run_dedupe(db, date=part[-1])
    rng = random.Random(seed)
    lines = [line for r in records for line in r["text"].split("\n") if len(line) > 30]
    changed = []
    for record in rng.sample(records, len(records) // 10):
        text = record["text"].split("\n")
        for _ in range(max(1, len(text) // 3)):
            text[rng.randrange(len(text))] = lines[rng.randrange(len(lines))]
        changed.append({**record, "text": "\n".join(text)})
    for record in changed[:5]:
        record["kind"] = "other"
    upsert_documents(db, changed, now="2030-01-01T12:00:00Z")
    run_dedupe(db)


def check_index_is_the_fresh_one(db) -> None:
    kept = index_rows(db.conn)
    assert kept
    scope_lines.fill(db.conn)
    assert index_rows(db.conn) == kept


@pytest.mark.parametrize("recent", [bp.RECENT_DOCUMENTS, 25])
def test_real_postings_learn_what_the_recent_documents_give(compared, monkeypatch, recent):
    monkeypatch.setattr(bp, "RECENT_DOCUMENTS", recent)
    db = open_db(":memory:")
    run_days(db, real_records(), batches=6, seed=1)
    # Real boards' boilerplate was learned, documents were signed again, and the
    # largest employer's board is past the recent documents read when ``recent`` is 25.
    assert compared["learned"] > 500 and compared["stale"] > 0 and compared["calls"] == 7
    largest = db.execute("SELECT MAX(n) FROM (SELECT COUNT(*) n FROM minhashes GROUP BY scope)").fetchone()[0]
    assert largest > 25
    check_index_is_the_fresh_one(db)


def test_the_sample_web_learns_what_the_recent_documents_give(compared, tmp_path):
    generate(tmp_path, postings=400, seed=5, as_of=dt.date(2026, 5, 9))
    postings, articles = dedupe_sampleweb.load_truth(tmp_path)
    db = open_db(":memory:")
    records = []
    for kind, rows in (("posting", postings), ("article", articles)):
        for row in rows:
            try:
                records.append(normalize_record(dedupe_sampleweb._record(row, kind)))
            except ValueError:
                continue
    run_days(db, records, batches=4, seed=2)
    assert compared["learned"] > 50 and compared["stale"] > 0
    check_index_is_the_fresh_one(db)


def real_records(limit: int | None = None) -> list[dict]:
    records = []
    for row in dedupe_real.read_postings():
        try:
            records.append(normalize_record(dedupe_real.to_record(row)))
        except InvalidRecord:
            continue
    return records[:limit]


def test_m026_fills_scope_lines_from_a_store_made_before_it(tmp_path):
    """A store whose dedupe ran before ``scope_lines`` existed gets it whole on opening."""
    path = tmp_path / "store.db"
    db = open_db(path)
    upsert_documents(db, real_records(400), now="2026-01-01T12:00:00Z")
    run_dedupe(db)
    kept = index_rows(db.conn)
    learned = set(db.execute("SELECT scope, line_hash FROM boilerplate_lines WHERE scope <> '*'").fetchall())
    assert len(kept) > 1000 and learned
    assert not learned & {(scope, line) for scope, line, *_ in kept}  # learned lines are not kept
    # As the store was before m026: no scope_lines, no record of the migration.
    for table in ("scope_lines", "boilerplate_scopes", "title_keys"):
        db.execute(f"DROP TABLE {table}")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm026_scope_lines'")
    db.conn.commit()
    db.close()
    db = open_db(path)
    assert index_rows(db.conn) == kept
    assert db.execute("SELECT COUNT(*) FROM _sqlite_migrations WHERE name = 'm026_scope_lines'").fetchone()[0] == 1
