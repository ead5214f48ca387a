"""Migrations keep a store's data: a store made at an earlier schema, brought up to date."""

import gzip
import sqlite3
from pathlib import Path

from skillenai.core.record import canonicalize_url, document_id
from skillenai.store.db import open_db
from skillenai.store.ingest import ingest_file
from skillenai.store.schema import fill_posting_facts, migrations


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
    migrations.apply(db, stop_before="m028_posting_facts")  # the sets of the tags already there
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


def _facts(db) -> dict[str, tuple]:
    """``posting_facts`` as kept, each list of ids a set."""
    out = {}
    for row in db.execute("SELECT * FROM posting_facts"):
        *head, metros, skills = row
        out[row[0]] = (*head[1:], set(metros.split(",")) if metros else None, set(skills.split(",")) if skills else None)
    return out


def _facts_anew(db) -> dict[str, tuple]:
    """``posting_facts`` as the migration's backfill writes it from the store now."""
    db.execute("SAVEPOINT anew")
    db.execute("DELETE FROM posting_facts")
    fill_posting_facts(db.conn)
    fresh = _facts(db)
    db.execute("ROLLBACK TO anew")
    db.execute("RELEASE anew")
    return fresh


def test_m028_posting_facts_follow_every_write_to_postings_documents_and_tags():
    db = _store_before("m028_posting_facts")
    db.execute("PRAGMA foreign_keys = ON")
    document = ("INSERT {} INTO documents (id, url, canonical_url, kind, title, text, first_seen, last_seen, seq) "
                "VALUES (?, ?, ?, ?, 'Engineer', 'Build things.', '2026-05-01T00:00:00Z', '2026-05-01T00:00:00Z', ?)")
    posting = "INSERT {} INTO postings (document_id, company, date_posted, salary_min, salary_currency, " \
              "salary_period) VALUES (?, ?, ?, ?, 'USD', 'year')"
    tags = {"skill": "INSERT {} INTO document_skills (document_id, skill_id, mentions, score, method) "
                     "VALUES (?, ?, 1, 1.0, 'alias')",
            "metro": "INSERT {} INTO document_metros (document_id, metro_id, source) VALUES (?, ?, 'location')",
            "role": "INSERT {} INTO document_roles (document_id, role_id, score) VALUES (?, ?, 0.9)",
            "soc": "INSERT {} INTO document_occupations (document_id, soc_code, score) VALUES (?, ?, 0.9)"}
    for seq, doc in enumerate("abcdefg", start=1):
        db.execute(document.format(""), [doc, f"https://x.example/{doc}", f"https://x.example/{doc}",
                                         "article" if doc == "g" else "posting", seq])
    for doc in "abcde":
        db.execute(posting.format(""), [doc, "Acme", None if doc == "e" else "2026-04-02", 100_000])
    for kind, doc, value in [("skill", "a", "s1"), ("skill", "a", "s2"), ("skill", "b", "s1"), ("metro", "a", "m1"),
                             ("role", "a", "r1"), ("soc", "a", "15-1252"), ("skill", "g", "s1")]:
        db.execute(tags[kind].format(""), [doc, value])
    migrations.apply(db)  # the backfill
    assert set(_facts(db)) == set("abcde")
    assert _facts(db)["a"] == ("2026-04-02", None, "Acme", None, "USD", 100_000.0, None, None, None, "r1", "15-1252",
                               {"m1"}, {"s1", "s2"})
    assert _facts(db)["e"][0] == "2026-05-01"  # undated: the day it was first seen
    assert _facts(db) == _facts_anew(db)
    # Tags: an outer conflict clause changes nothing; updates move a tag; deletes.
    db.execute(tags["skill"].format("OR IGNORE"), ["a", "s2"])
    db.execute(tags["skill"].format("OR REPLACE"), ["b", "s3"])
    db.execute(tags["metro"].format("OR REPLACE"), ["b", "m2"])
    db.execute(tags["metro"].format(""), ["b", "m3"])
    db.execute(tags["role"].format("OR REPLACE"), ["a", "r2"])
    db.execute(tags["soc"].format("OR REPLACE"), ["b", "15-2051"])
    db.execute("UPDATE document_skills SET skill_id = 's5' WHERE document_id = 'b' AND skill_id = 's1'")
    db.execute("UPDATE document_skills SET document_id = 'c' WHERE document_id = 'a' AND skill_id = 's1'")
    db.execute("UPDATE document_metros SET metro_id = 'm4' WHERE document_id = 'b' AND metro_id = 'm3'")
    db.execute("UPDATE document_roles SET role_id = 'r3' WHERE document_id = 'a'")
    db.execute("DELETE FROM document_occupations WHERE document_id = 'a'")
    assert _facts(db) == _facts_anew(db)
    assert _facts(db)["b"][-2:] == ({"m2", "m4"}, {"s3", "s5"})
    # Postings: an upsert, a plain update, an outer OR REPLACE and OR IGNORE, a delete.
    db.execute(posting.format("") + " ON CONFLICT (document_id) DO UPDATE SET company = excluded.company, "
               "salary_min = excluded.salary_min", ["c", "Initech", None, 55])
    db.execute("UPDATE postings SET closed_at = '2026-04-20', valid_through = '2026-06-01', workplace = 'remote', "
               "salary_period = 'hour' WHERE document_id = 'b'")
    db.execute(posting.format("OR REPLACE"), ["d", "Globex", "2026-03-03", 1])
    db.execute(posting.format("OR IGNORE"), ["e", "Ignored", "2026-03-03", 1])
    db.execute(posting.format("OR IGNORE"), ["f", "Umbrella", "2026-03-04", None])
    db.execute(posting.format(""), ["g", "Not a posting", "2026-03-05", None])
    assert _facts(db) == _facts_anew(db)
    assert _facts(db)["b"][3:7] == ("remote", "USD", 208_000_000.0, None)
    assert "g" not in _facts(db)
    # Documents: canonical or not, job groups, kind, first seen; a cascade delete.
    db.execute("UPDATE documents SET is_canonical = 0, cluster_id = 'a' WHERE id = 'c'")
    db.execute("UPDATE documents SET job_group = 'a' WHERE id IN ('a', 'b')")
    db.execute("UPDATE documents SET first_seen = '2026-05-03T00:00:00Z' WHERE id = 'e'")
    db.execute("UPDATE documents SET kind = 'posting' WHERE id = 'g'")
    db.execute("UPDATE documents SET kind = 'other' WHERE id = 'f'")
    db.execute("UPDATE documents SET last_seen = '2026-05-09T00:00:00Z'")
    assert _facts(db) == _facts_anew(db)
    assert set(_facts(db)) == set("abdeg") and _facts(db)["e"][0] == "2026-05-03" and _facts(db)["b"][1] == "a"
    db.execute("UPDATE documents SET is_canonical = 1, cluster_id = NULL WHERE id = 'c'")
    db.execute("DELETE FROM documents WHERE id = 'a'")  # postings and tags go by cascade, and its row
    db.execute("DELETE FROM postings WHERE document_id = 'b'")
    db.execute("DELETE FROM document_skills WHERE document_id = 'c'")
    assert _facts(db) == _facts_anew(db)
    assert set(_facts(db)) == set("cdeg") and _facts(db)["c"][-1] is None
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
