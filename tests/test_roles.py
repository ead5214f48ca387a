"""Role family from titles: examples, batching, ids and the evaluation floor."""

import csv
import time

import pytest

from skillenai.classify import roles
from skillenai.classify.roles import classify_role, classify_roles, normalize_title, role_table
from skillenai.core.ids import entity_id


@pytest.mark.parametrize(
    "title, family",
    [
        ("Sr. SWE, Payments Infra", "Backend Engineer"),
        ("Software Engineer II - Backend (Go)", "Backend Engineer"),
        ("Staff Software Engineer, ML Platform", "Machine Learning Engineer"),
        ("RN - ICU Nights", "Nursing"),
        ("Head of Growth", "Marketing"),
        ("Enterprise AE, EMEA", "Account Executive / Sales"),
        ("Werkstudent Data Analytics (m/w/d)", "Data Analyst"),
        ("Frontend Engineer (React) - Remote", "Frontend Engineer"),
        ("Principal Data Engineer, Streaming - Toronto", "Data Engineer"),
        ("iOS Engineer", "Mobile Engineer"),
        ("Site Reliability Engineer", "Site Reliability / DevOps Engineer"),
        ("VP of Engineering", "Executive"),
        ("Technical Recruiter", "Recruiting"),
        ("Solutions Engineer", "Sales Engineer"),
        ("Scrum Master", "Project / Program Manager"),
    ],
)
def test_examples(title, family):
    role = classify_role(title)
    assert role is not None and role.name == family
    assert role.id == entity_id("role", family)
    assert 0 < role.score <= 1


def test_other_titles_give_none():
    assert classify_roles(["Truck Driver", "Barista", "asdf qwer", "", None]) == [None] * 5


def test_batch_matches_single_and_is_fast():
    titles = ["Senior Backend Engineer", "Data Scientist", "Product Designer", "Registered Nurse"] * 250
    classify_roles(titles[:4])  # load the model
    t0 = time.perf_counter()
    batch = classify_roles(titles)
    per_title = (time.perf_counter() - t0) / len(titles)
    assert [r.name for r in batch[:4]] == [classify_role(t).name for t in titles[:4]]
    assert per_title < 0.002, f"{per_title * 1000:.3f} ms per title"


def test_normalize_title_strips_decorations():
    assert normalize_title("Sr. Software Engineer II - Backend (Go) - Berlin (m/f/d) [R-1234]") == \
        "software engineer backend go"
    assert normalize_title("Data Engineer | Toronto") == "data engineer"
    assert normalize_title("Senior Engineer, Mobile") == "engineer mobile"  # "Mobile" is not Mobile, AL
    assert normalize_title("CI/CD Engineer - Remote, US") == "ci cd engineer"


def test_role_table():
    table = role_table()
    assert len(table) == 36
    assert {r["name"] for r in table} >= {"Backend Engineer", "Nursing", "Executive", "Legal"}
    assert all(r["id"] == entity_id("role", r["name"]) for r in table)


def test_data_and_floor():
    with roles.TITLES_PATH.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 2000
    assert {r["role"] for r in rows} == set(roles.families()) | {"Other"}
    result = roles.train_role_model(save=False)
    assert result["accuracy"] >= roles.floors()["accuracy"], result["errors"][:10]
