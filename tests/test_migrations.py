"""Migrations keep a store's data: a store made at an earlier schema, brought up to date."""

import gzip
import sqlite3
from pathlib import Path

from skillenai.core.record import canonicalize_url, document_id
from skillenai.store.db import open_db
from skillenai.store.ingest import ingest_file
from skillenai.store.schema import migrations


def _store_before(name: str):
    db = open_db(":memory:", migrate=False)
    migrations.apply(db, stop_before=name)
    return db


def test_m008_folds_remote_and_hybrid_into_workplace_and_keeps_what_the_source_stated():
    db = _store_before("m008_workplace")
    rows = [  # id, stated workplace (then 'workplace'), remote, hybrid, remote_scope
        ("a", "remote", 1, 0, "US"),
        ("b", None, 0, 1, None),      # hybrid from the location or text
        ("c", "onsite", 0, 0, None),  # classified, the source said onsite
        ("d", "onsite", None, None, None),  # not yet classified
        ("e", None, 0, 0, None),      # nothing known
        ("f", "hybrid", 1, 1, "EMEA"),  # remote and hybrid both offered
    ]
    for seq, (doc_id, workplace, remote, hybrid, scope) in enumerate(rows, start=1):
        db.execute("INSERT INTO documents (id, url, canonical_url, kind, title, text, first_seen, last_seen, seq) "
                   "VALUES (?, ?, ?, 'posting', 'Engineer', 'Build things.', '2026-05-01T00:00:00Z', "
                   "'2026-05-01T00:00:00Z', ?)", [doc_id, f"https://x.example/{doc_id}", f"https://x.example/{doc_id}", seq])
        db.execute("INSERT INTO postings (document_id, company, workplace, remote, hybrid, remote_scope) "
                   "VALUES (?, 'Acme', ?, ?, ?, ?)", [doc_id, workplace, remote, hybrid, scope])
    migrations.apply(db)
    columns = {c.name for c in db["postings"].columns}
    assert {"stated_workplace", "workplace", "remote_scope"} <= columns and not {"remote", "hybrid"} & columns
    assert db.execute("SELECT document_id, stated_workplace, workplace, remote_scope, company FROM postings "
                      "ORDER BY 1").fetchall() == [
        ("a", "remote", "remote", "US", "Acme"),
        ("b", None, "hybrid", None, "Acme"),
        ("c", "onsite", "onsite", None, "Acme"),
        ("d", "onsite", None, None, "Acme"),
        ("e", None, None, None, "Acme"),
        ("f", "hybrid", "remote", "EMEA", "Acme"),
    ]
    assert db.execute("SELECT id, workplace, remote_scope FROM unique_postings WHERE id IN ('a', 'b') "
                      "ORDER BY 1").fetchall() == [("a", "remote", "US"), ("b", "hybrid", None)]


def test_m012_keeps_earlier_runs_with_no_monitor_result():
    db = _store_before("m012_run_monitors")
    db.execute("INSERT INTO crawl_runs (spider, started, outcome, args) VALUES ('lever', '2026-05-01T00:00:00Z', "
               "'finished', '{}')")
    migrations.apply(db)
    assert db.execute("SELECT spider, outcome, monitors FROM crawl_runs").fetchall() == [("lever", "finished", None)]


STORE_BEFORE_M019 = Path(__file__).parent / "data" / "store_before_m019"


def test_m019_keeps_the_ids_of_a_store_made_before_urls_were_spelt_by_w3lib(tmp_path):
    path = tmp_path / "store.db"
    path.write_bytes(gzip.decompress((STORE_BEFORE_M019 / "store.sqlite3.gz").read_bytes()))
    conn = sqlite3.connect(path)
    before = dict(conn.execute("SELECT id, canonical_url FROM documents"))
    assert "m019_canonical_urls" not in {row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")}
    conn.close()
    respelt = {doc_id: canonicalize_url(url) for doc_id, url in before.items() if canonicalize_url(url) != url}
    # Percent-encoding (%2c, %c2%a7) and dot segments: four of the six spelt otherwise now.
    assert len(respelt) == 4 and all(document_id(url) != doc_id for doc_id, url in respelt.items())

    db = open_db(path)
    after = dict(db.execute("SELECT id, canonical_url FROM documents").fetchall())
    assert set(after) == set(before)
    dots = "1130aba67351916d"  # .../themes/eva_ns/../../libraries/...: its new spelling is another document
    assert document_id(respelt[dots]) in before and after[dots] == before[dots]
    kept = dict(db.execute("SELECT canonical_url, id FROM document_ids").fetchall())
    assert kept == {respelt[doc_id]: doc_id for doc_id in respelt if doc_id != dots}
    assert all(after[doc_id] == url for url, doc_id in kept.items())

    # The same documents again, through today's code: the same rows, none added.
    with (STORE_BEFORE_M019 / "documents.jsonl").open("rb") as handle:
        report = ingest_file(db, handle, "documents.jsonl")
    assert (report.counts.new, report.counts.changed) == (0, 0)
    assert {row[0] for row in db.execute("SELECT id FROM documents")} == set(before)
    assert db.execute("SELECT COUNT(*) FROM postings").fetchone()[0] == 3
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def _skill_sets(db) -> dict[str, set[str]]:
    return {doc: set(ids.split(",")) for doc, ids in db.execute("SELECT document_id, skill_ids FROM document_skill_sets")}


def _skill_tags(db) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for doc, skill in db.execute("SELECT document_id, skill_id FROM document_skills"):
        out.setdefault(doc, set()).add(skill)
    return out


def test_m027_skill_sets_follow_every_write_to_the_skill_tags():
    db = _store_before("m027_document_skill_sets")
    for seq, doc in enumerate("abcd", start=1):
        db.execute("INSERT INTO documents (id, url, canonical_url, kind, title, text, first_seen, last_seen, seq) "
                   "VALUES (?, ?, ?, 'posting', 'Engineer', 'Build things.', '2026-05-01T00:00:00Z', "
                   "'2026-05-01T00:00:00Z', ?)", [doc, f"https://x.example/{doc}", f"https://x.example/{doc}", seq])
    tag = "INSERT {} INTO document_skills (document_id, skill_id, mentions, score, method) VALUES (?, ?, 1, 1.0, 'alias')"
    for doc, skill in [("a", "s1"), ("a", "s2"), ("b", "s1")]:
        db.execute(tag.format(""), [doc, skill])
    migrations.apply(db)  # the sets of the tags already there
    assert _skill_sets(db) == {"a": {"s1", "s2"}, "b": {"s1"}}
    db.execute(tag.format("OR IGNORE"), ["a", "s2"])  # an outer conflict clause changes nothing
    db.execute(tag.format("OR IGNORE"), ["a", "s3"])
    db.execute(tag.format("OR REPLACE"), ["c", "s4"])
    db.execute("UPDATE document_skills SET skill_id = 's5' WHERE document_id = 'b'")
    db.execute("UPDATE document_skills SET document_id = 'd' WHERE document_id = 'c'")
    db.execute("DELETE FROM document_skills WHERE document_id = 'a' AND skill_id = 's1'")
    assert _skill_sets(db) == _skill_tags(db) == {"a": {"s2", "s3"}, "b": {"s5"}, "d": {"s4"}}
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("DELETE FROM documents WHERE id = 'a'")  # its tags go by cascade, and its set
    db.execute("DELETE FROM document_skills WHERE document_id = 'b'")
    assert _skill_sets(db) == _skill_tags(db) == {"d": {"s4"}}
