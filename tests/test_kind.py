"""Document kind for pages without structured data: examples and the evaluation floor."""

import json

import pytest

from classify import kind
from classify.kind import classify_kind, classify_kinds


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


def test_data_and_floor():
    rows = [json.loads(x) for x in kind.EXAMPLES_PATH.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(rows) >= 300
    assert {r["label"] for r in rows} == set(kind.KINDS)
    result = kind.train_kind_model(save=False)
    assert result["accuracy"] >= kind.floors()["accuracy"], result["errors"]
