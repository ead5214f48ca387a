"""The daily benchmark's base store looks like one the daily batch has already run over."""

from __future__ import annotations

import numpy as np

from benchmarks.bench_daily import BaseTexts, build_base
from skillenai.dedupe import run_dedupe
from skillenai.dedupe.boilerplate import Boilerplate
from skillenai.dedupe.minhash import from_bytes, signatures
from skillenai.dedupe.text import kept_units
from skillenai.store.db import open_db
from skillenai.store.tags import count_documents_to_classify


def test_base_store_needs_no_batch_work(tmp_path):
    path = tmp_path / "base.db"
    store = build_base(path, 400, log=lambda *_: None)
    db = open_db(path)
    documents = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    assert store["dedupe"]["signatures"] == documents > 400
    assert count_documents_to_classify(db) == 0
    # The full-text index holds every document (a changed text's old words can be removed).
    assert db.execute("SELECT COUNT(*) FROM documents_fts_docsize").fetchone()[0] == documents
    # Each text is ~3 KB and starts with its company's three boilerplate lines.
    sizes = [len(t) for (t,) in db.execute("SELECT text FROM documents")]
    assert 2500 < np.median(sizes) <= 3000
    # The stored signatures are the ones dedupe computes (its company's boilerplate left out).
    boilerplate = Boilerplate(db.conn)
    rows = db.execute("SELECT d.text, m.scope, m.signature, m.shingles FROM minhashes m "
                      "JOIN documents d ON d.id = m.document_id ORDER BY m.id LIMIT 20").fetchall()
    for text, scope, blob, count in rows:
        assert len(boilerplate.of(scope)) >= (3 if scope.startswith("company:") else 0)
        sigs, counts = signatures([kept_units(text, boilerplate.of(scope))], shingle_size=3)
        assert (sigs[0] == from_bytes(blob)).all() and counts[0] == count
    report = run_dedupe(db)
    assert (report.analysed, report.signatures_computed, report.relinked, report.pairs_added) == (0, 0, 0, 0)
    assert report.indexed == documents


def test_base_texts_are_distinct_and_company_scoped():
    texts = BaseTexts(seed=1)
    a = texts(1, "posting", "Company 1")
    b = texts(2, "posting", "Company 1")
    assert a[1] != b[1] and a[1].split("\n")[:3] == b[1].split("\n")[:3]
    assert texts(3, "posting", "Company 2")[1].split("\n")[:3] != a[1].split("\n")[:3]
