"""Document kind for pages without structured data: examples and the evaluation floor."""

import json

import pytest

from skillenai.classify import kind
from skillenai.classify.kind import classify_kind, classify_kinds


@pytest.mark.parametrize(
    "title, text, url, expected",
    [
        ("Senior Data Engineer - Acme",
         "We are hiring a Senior Data Engineer to join our platform team. Requirements: 5+ years of Spark and "
         "SQL. Benefits: medical, dental, 401(k). Location: Austin, TX. Apply now.",
         "https://acme.com/careers/senior-data-engineer", "posting"),
        ("The Python job market in 2026",
         "Job postings mentioning Python rose 12% this quarter, according to our analysis of 40,000 listings. "
         "Employers in Seattle led the increase. Posted by Maya Chen.",
         "https://blog.example.com/python-job-market-2026", "article"),
        ("Privacy Policy",
         "This Privacy Policy explains how we collect, use and share personal information. You have the right "
         "to access or delete your data under the GDPR.",
         "https://acme.com/legal/privacy", "other"),
        ("Open positions | Acme Careers",
         "Showing 24 open roles. Backend Engineer - Berlin. Data Scientist - Remote. Filter by team or location.",
         "https://acme.com/careers", "other"),
        ("Page not found", "Sorry, we couldn't find the page you were looking for.", "https://acme.com/x", "other"),
    ],
)
def test_examples(title, text, url, expected):
    assert classify_kind(title, text, url) == expected


def test_batch_and_empty():
    assert classify_kind(None, None) == "other"
    assert classify_kinds([]) == []
    out = classify_kinds([("Data Scientist", "Apply now. Requirements: Python.", "https://x.io/jobs/1"),
                          ("About us", "Our story began in 2012.", "https://x.io/about")])
    assert out == ["posting", "other"]


def test_a_failing_model_leaves_the_kind_to_the_keyword_rule(monkeypatch, caplog):
    def broken():
        raise OSError("model file unreadable")

    monkeypatch.setattr(kind, "_model", broken)
    ad = "Requirements: Python. Responsibilities: run the pipelines. Benefits: a pension. Apply now."
    assert classify_kind("Data Engineer", ad, "https://x.io/jobs/1") == "posting"
    assert classify_kinds([("About us", "Our story began in 2012.", None), ("Job", ad, None)]) == ["other", "posting"]
    assert "using the keyword rule" in caplog.text


def test_the_kinds_are_the_records():
    from skillenai.core.record import KINDS, PAGE_KINDS

    assert kind.KINDS is PAGE_KINDS and set(PAGE_KINDS) == set(KINDS) - {"paper"}


def test_data_and_floor():
    rows = [json.loads(x) for x in kind.EXAMPLES_PATH.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(rows) >= 300
    assert {r["label"] for r in rows} == set(kind.KINDS)
    result = kind.train_kind_model(save=False)
    assert result["accuracy"] >= kind.floors()["accuracy"], result["errors"]


def test_the_numpy_weights_predict_what_the_scikit_learn_model_does(tmp_path):
    from skillenai.classify.training import load_model

    pipeline = load_model(kind.MODEL_PATH)
    weights = kind.LinearKindModel(kind.WEIGHTS_PATH)
    assert weights.source_sha1 == kind._file_sha1(kind.MODEL_PATH), "run 'skillenai train' to rewrite both"
    rows = kind._read_examples()
    docs = [kind.document_features(r.get("title"), r.get("text"), r.get("url")) for r in rows]
    docs += ["", "Über uns — Karriere", "C++ / C# developer, 100% remote, $120k", "a " * 5000]
    assert weights.predict(docs) == [str(k) for k in pipeline.predict(docs)]


def test_weights_of_another_model_file_are_not_used(tmp_path, monkeypatch):
    import shutil

    other = tmp_path / "kind.skops"
    shutil.copy(kind.MODEL_PATH, other)
    with other.open("ab") as f:
        f.write(b"\0")  # a different file: its weights would be stale
    monkeypatch.setattr(kind, "MODEL_PATH", other)
    kind._model.cache_clear()
    try:
        assert not isinstance(kind._model(), kind.LinearKindModel)
    finally:
        kind._model.cache_clear()
