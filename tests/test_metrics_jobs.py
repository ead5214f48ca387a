"""Skill pages count jobs: one job offered in several cities counts once for the skill and
once in each of its metros; an employer's near-identical postings can be capped (issue 21).
The store is built through the real stages: upsert, dedupe, classify."""

from __future__ import annotations

import pytest

from skillenai.dedupe import run_dedupe
from skillenai.metrics import queries as metrics
from skillenai.pipeline.tagging import classify_store
from tests.test_dedupe import acme_roles, posting, posting_text, store

BASE = "https://boards.greenhouse.io/acme/jobs"
CITIES = {"berlin": "Berlin, Germany", "madrid": "Madrid, Spain", "lisbon": "Lisbon, Portugal"}
FLOOD = "https://boards.greenhouse.io/bigco/jobs"


@pytest.fixture(scope="module")
def db():
    from skillenai.store.db import open_db

    db = open_db(":memory:")
    store(db, acme_roles()[1:], "2026-03-02")
    text = posting_text("Backend Engineer", "Join the platform team.")
    # One job offered in three cities (a job group), and another job in Berlin.
    store(db, [posting(f"{BASE}/{c}", "Backend Engineer", text, location=place) for c, place in CITIES.items()]
          + [posting(f"{BASE}/data-berlin", "Data Scientist",
                     posting_text("Data Scientist", "Join the analytics team.",
                                  extra=["You write Python every day"]), location="Berlin, Germany")],
          "2026-03-03")
    # One employer's flood: five levels of one support posting, word for word, in one city.
    flood_text = ("Support Engineer\nAnswer customer tickets about our Python SDK within a day\n"
                  "Reproduce bugs and write them up for the engineering team\n"
                  "Keep the knowledge base current with every release")
    store(db, [posting(f"{FLOOD}/{n}", f"Support Engineer {level}", flood_text, company="BigCo", source="bigco",
                       location="Austin, TX")
               for n, level in enumerate(("I", "II", "III", "IV", "V"))], "2026-03-04")
    run_dedupe(db)
    classify_store(db, workers=1)
    yield db
    db.close()


def python_id(db) -> str:
    return metrics.resolve_skill_ref(db, "Python")["id"]


def test_one_job_in_three_cities_counts_once_for_the_skill_and_once_in_each_metro(db):
    groups = db.execute(f"SELECT job_group FROM documents WHERE url IN ({', '.join('?' * len(CITIES))})",
                        [f"{BASE}/{c}" for c in CITIES]).fetchall()
    assert len(set(groups)) == 1 and groups[0][0] is not None  # dedupe made the three cities one job group
    postings = [r[0] for r in db.execute("SELECT document_id FROM skill_postings WHERE skill_id = ?",
                                          [python_id(db)])]
    job = dict(db.execute("SELECT id, COALESCE(job_group, id) FROM documents"))
    metros_of: dict[str, set] = {}
    for doc, metro in db.execute("SELECT dm.document_id, m.name FROM document_metros dm "
                                 "JOIN metros m ON m.id = dm.metro_id"):
        metros_of.setdefault(doc, set()).add(metro)
    page = metrics.skill_metrics(db, "Python", as_of="2026-03-10", precomputed=False)
    # Canonical postings count the three city copies three times; the page counts one job.
    assert page["postings"] == len({job[d] for d in postings}) < len(postings)
    assert "job group" in page["counted"]
    expected: dict[str, set] = {}
    for d in postings:
        for metro in metros_of.get(d, ()):
            expected.setdefault(metro, set()).add(job[d])
    metros = {m["name"]: m["postings"] for m in page["top_metros"]}
    assert metros == {name: len(jobs) for name, jobs in expected.items()}
    assert metros["Madrid"] == metros["Lisbon"] == 1 and metros["Berlin"] == 2
    assert page["metro_tags"] == sum(metros.values())
    assert sum(w["postings"] for w in page["weekly"]) == page["postings"]
    # Paired skills count jobs too: the three cities' copies name their skills once.
    pair_jobs: dict[str, set] = {}
    pair_docs: dict[str, int] = {}
    for doc, skill in db.execute("SELECT document_id, skill_id FROM document_skills WHERE skill_id <> ?",
                                 [python_id(db)]):
        if doc in postings:
            pair_jobs.setdefault(skill, set()).add(job[doc])
            pair_docs[skill] = pair_docs.get(skill, 0) + 1
    wide = metrics.skill_metrics(db, "Python", as_of="2026-03-10", precomputed=False, limit=100)
    assert {p["id"]: p["postings"] for p in wide["paired_skills"]} == {k: len(v) for k, v in pair_jobs.items()}
    assert any(len(pair_jobs[k]) < pair_docs[k] for k in pair_jobs)
    assert page["active_postings"] == page["postings"]
    berlin = metrics.metro_metrics(db, "Berlin", as_of="2026-03-10", precomputed=False)
    canonical = {r[0] for r in db.execute("SELECT id FROM unique_postings")}
    assert berlin["postings"] == len({job[d] for d, names in metros_of.items() if "Berlin" in names and d in canonical})


def test_an_employers_near_identical_postings_are_capped(db):
    found = db.execute("SELECT COUNT(*) FROM template_pairs WHERE document_id IN "
                       "(SELECT id FROM documents WHERE url LIKE ?)", [f"{FLOOD}/%"]).fetchone()[0]
    assert found == 10  # every pair of the five
    got = metrics.employer_capped(db, "Python", as_of="2026-03-10", cap=2)
    page = metrics.skill_metrics(db, "Python", as_of="2026-03-10", precomputed=False)
    assert got["postings"] == page["postings"]
    assert got["capped"] == got["postings"] - 3
    assert got["employers"] == [{"company": "BigCo", "postings": 5, "counted": 2, "families": 1}]
    with pytest.raises(metrics.MetricsError, match="cap must be a positive integer"):
        metrics.employer_capped(db, "Python", cap=0)
