"""Skill candidates: spans that link to no known skill, stored per document and listed by
how many canonical documents name them (skillenai/store/candidates.py, metrics candidates)."""

import json

from skillenai.cli.main import main
from skillenai.core.record import normalize_record
from skillenai.store.candidates import candidate_rows, replace_document_candidates
from skillenai.store.db import open_db
from skillenai.store.documents import upsert_documents


def _store(path, n=3):
    db = open_db(path)
    records = [normalize_record({"url": f"https://jobs.example.com/{i}", "kind": "posting", "title": f"Engineer {i}",
                                 "text": "We run Tencent Cloud and MLPS v2.0 compliance for our platform teams."})
               for i in range(n)]
    upsert_documents(db, records, now="2026-05-01T10:00:00Z")
    return db, [r["id"] for r in records]


def test_candidates_are_counted_once_per_document_and_replaced_on_retagging(tmp_path):
    db, ids = _store(tmp_path / "store.db")
    found = {ids[0]: [("Tencent Cloud", 2, "We run Tencent Cloud and"), ("MLPS v2.0", 1, "and MLPS v2.0 compliance")],
             ids[1]: [("tencent  cloud", 1, "We run tencent cloud")]}
    replace_document_candidates(db, found, "2026-05-02T00:00:00Z")
    replace_document_candidates(db, {ids[2]: [("Tencent Cloud", 1, "ctx")]}, "2026-05-03T00:00:00Z")
    rows = {r["text"]: r for r in candidate_rows(db)}
    assert rows["Tencent Cloud"]["documents"] == 3 and rows["Tencent Cloud"]["mentions"] == 4
    assert rows["Tencent Cloud"]["first_seen"] == "2026-05-02T00:00:00Z"
    assert rows["Tencent Cloud"]["last_seen"] == "2026-05-03T00:00:00Z"
    assert len(rows["Tencent Cloud"]["examples"]) == 3
    # Re-tagging the first document without the candidate drops its rows, not the others'.
    replace_document_candidates(db, {ids[0]: []}, "2026-05-04T00:00:00Z")
    rows = {r["text"]: r for r in candidate_rows(db)}
    assert rows["Tencent Cloud"]["documents"] == 2 and "MLPS v2.0" not in rows
    # Only canonical documents count.
    db.conn.execute("UPDATE documents SET is_canonical = 0, cluster_id = ? WHERE id = ?", [ids[1], ids[2]])
    db.conn.commit()
    assert candidate_rows(db, min_documents=2) == []
    db.close()


def test_metrics_candidates_command(tmp_path, capsys):
    path = tmp_path / "store.db"
    db, ids = _store(path)
    replace_document_candidates(db, {i: [("Tencent Cloud", 1, "We run Tencent Cloud")] for i in ids},
                                "2026-05-02T00:00:00Z")
    db.close()
    assert main(["metrics", "candidates", "--db", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["candidates"][0]["text"] == "Tencent Cloud" and out["candidates"][0]["documents"] == 3
    assert main(["metrics", "candidates", "--db", str(path), "--format", "md", "--search", "tencent"]) == 0
    assert "| Tencent Cloud | 3 | 3 |" in capsys.readouterr().out
    assert main(["metrics", "candidates", "--db", str(tmp_path / "missing.db")]) == 2
