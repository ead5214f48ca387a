"""Figures beyond the seed (skillenai/metrics/market.py): pay per currency, remote and hybrid
shares, employers and their concentration, a count one employer cannot flood, year over
year; checked against the raw rows of the store."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from skillenai.metrics import queries as metrics
from skillenai.metrics.market import hhi, median_iqr
from skillenai.metrics.render import render
from skillenai.store.db import open_db


def test_median_and_quartiles_interpolate_like_numpy():
    rng = random.Random(3)
    for n in (1, 2, 3, 4, 7, 50):
        values = sorted(rng.uniform(10_000, 300_000) for _ in range(n))
        want = np.percentile(values, [50, 25, 75])
        assert median_iqr(values) == pytest.approx(tuple(want))


def test_hhi_runs_from_spread_to_one_employer():
    assert hhi([7]) == 10_000
    assert hhi([5, 5]) == 5_000
    assert hhi([1] * 100) == 100
    assert hhi([]) == 0


@pytest.fixture(scope="module")
def db(make_sample_store):
    store = open_db(make_sample_store(), readonly=True)
    yield store
    store.close()


def raw_rows(db, skill: str):
    return db.execute(
        """
        SELECT up.company, up.workplace, up.salary_currency, up.salary_min, up.salary_max, up.salary_period,
               COALESCE(d.job_group, d.cluster_id, d.id)
        FROM unique_postings up JOIN documents d ON d.id = up.id
        JOIN document_skills ds ON ds.document_id = up.id JOIN skills s ON s.id = ds.skill_id
        WHERE s.name = ? AND up.date_posted > '2026-02-08' AND up.date_posted <= '2026-05-09'
        """, [skill]).fetchall()


YEAR = {"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}


@pytest.mark.parametrize("skill", ["Python", "Mentoring"])
def test_the_figures_agree_with_the_raw_rows(db, skill):
    got = metrics.skill_metrics(db, skill, limit=50, precomputed=False)
    rows = raw_rows(db, skill)
    assert got["postings"] == len(rows)
    pay: dict[str, list[float]] = {}
    for _, _, currency, low, high, period, _ in rows:  # the stated pay, annualised here from its period
        stated = [v * YEAR[period] for v in (low, high) if v]
        if stated and currency:
            pay.setdefault(currency, []).append(sum(stated) / len(stated))
    figures = {c["currency"]: c for c in got["pay"]["annual_by_currency"]}
    assert set(figures) == set(pay) and pay
    for currency, values in pay.items():
        median, p25, p75 = np.percentile(values, [50, 25, 75])
        assert figures[currency]["postings"] == len(values)
        assert (figures[currency]["median"], figures[currency]["p25"], figures[currency]["p75"]) == (
            round(median), round(p25), round(p75))
    assert got["pay"]["postings_stating_pay"] == sum(map(len, pay.values()))
    for place in ("remote", "hybrid", "onsite"):
        count = sum(r[1] == place for r in rows)
        assert got["workplace"][place] == count
        assert got["workplace"][f"{place}_share"] == round(count / len(rows), 4)
    companies = [r[0].casefold() for r in rows if r[0]]
    assert got["employers"]["distinct"] == len(set(companies))
    counts = sorted((companies.count(c) for c in set(companies)), reverse=True)
    assert [e["postings"] for e in got["employers"]["top"]] == counts
    assert got["employers"]["hhi"] == round(sum((c * 100 / len(companies)) ** 2 for c in counts), 1)
    assert got["raw_postings"] == len(rows)
    assert got["year_over_year"] is None  # the sample web reaches back less than a year


def test_hourly_pay_is_on_the_yearly_scale(db):
    hourly = db.execute("SELECT up.salary_min, up.salary_annual_min, up.date_posted, s.name FROM unique_postings up "
                        "JOIN document_skills ds ON ds.document_id = up.id JOIN skills s ON s.id = ds.skill_id "
                        "WHERE up.salary_period = 'hour' AND up.salary_min IS NOT NULL AND up.salary_currency = 'USD' "
                        "ORDER BY up.date_posted DESC, s.name LIMIT 1").fetchone()
    assert hourly[1] == hourly[0] * 2080
    # A page whose window holds that posting: its pay is yearly too.
    got = metrics.skill_metrics(db, hourly[3], as_of=dt.date.fromisoformat(hourly[2]), precomputed=False)
    usd = next(c for c in got["pay"]["annual_by_currency"] if c["currency"] == "USD")
    assert 20_000 < usd["p25"] <= usd["median"] <= usd["p75"] < 1_000_000


def _posting(db, n: int, company: str, skill: str, day: str, group: str | None = None, workplace: str | None = None,
             pay: tuple | None = None):
    doc = f"{n:016x}"
    db.execute("INSERT INTO documents (id, url, canonical_url, kind, first_seen, last_seen, seq, is_canonical, job_group) "
               "VALUES (?, ?, ?, 'posting', ?, ?, ?, 1, ?)", [doc, doc, doc, day + "T00:00:00Z", day + "T00:00:00Z", n, group])
    low, high, currency, period = pay or (None, None, None, None)
    db.execute("INSERT INTO postings (document_id, company, date_posted, workplace, salary_min, salary_max, "
               "salary_currency, salary_period) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               [doc, company, day, workplace, low, high, currency, period])
    db.execute("INSERT INTO document_skills (document_id, skill_id, mentions, score, method) VALUES (?, ?, 1, 1, 'alias')",
               [doc, skill])


def test_one_employer_flooding_a_skill_is_capped(fresh_db):
    db = fresh_db
    db.execute("INSERT INTO skills (id, name, category) VALUES ('s1', 'Flooded', 'tool')")
    for i in range(50):  # one job offered in 50 cities: one job group
        _posting(db, i + 1, "Floodco", "s1", "2026-05-01", group="g-flood", workplace="onsite")
    for i in range(5):
        _posting(db, 100 + i, f"Other {i}", "s1", "2026-05-02", workplace="remote", pay=(50, 60, "usd", "hour"))
    got = metrics.skill_metrics(db, {"id": "s1", "name": "Flooded", "category": "tool"}, as_of="2026-05-09")
    assert got["postings"] == 6 and got["raw_postings"] == 55
    assert got["employers"]["distinct"] == 6 and got["employers"]["top"][0] == {
        "name": "Floodco", "postings": 50, "share": round(50 / 55, 4)}
    assert got["employers"]["hhi"] == round((50 / 55 * 100) ** 2 + 5 * (1 / 55 * 100) ** 2, 1)
    assert got["workplace"]["remote"] == 5 and got["workplace"]["onsite"] == 50
    assert got["pay"]["annual_by_currency"] == [
        {"currency": "USD", "postings": 5, "median": 114400, "p25": 114400, "p75": 114400}]
    page = render("skill", got, "html")
    assert "6 jobs: each employer&#x27;s near-identical postings" in page and "against 55 postings counted raw" in page
    assert "highly concentrated" in page


def test_year_over_year_when_the_store_reaches_back(fresh_db):
    db = fresh_db
    db.execute("INSERT INTO skills (id, name, category) VALUES ('s1', 'Old', 'tool')")
    as_of = dt.date(2026, 5, 9)
    for i in range(4):
        _posting(db, i + 1, "A", "s1", str(as_of - dt.timedelta(days=365 + 10 + i)))
    for i in range(6):
        _posting(db, 10 + i, "A", "s1", str(as_of - dt.timedelta(days=i)))
    ref = {"id": "s1", "name": "Old", "category": "tool"}
    # The store's first posting is inside the window a year back: it may not reach its start.
    assert metrics.skill_metrics(db, ref, as_of=as_of)["year_over_year"] is None
    _posting(db, 99, "B", "s2", str(as_of - dt.timedelta(days=365 + 95)))  # before that window: it does
    got = metrics.skill_metrics(db, ref, as_of=as_of)
    assert got["year_over_year"] == {"postings_year_before": 4, "change": 50.0}
    assert "Year over year: 4 postings in the same window a year before (+50.0%)" in render("skill", got, "md")


def test_one_employers_template_of_many_openings_counts_at_most_cap_times_on_the_page(fresh_db):
    db = fresh_db
    db.execute("INSERT INTO skills (id, name, category) VALUES ('s2', 'Templated', 'tool')")
    for i in range(12):  # twelve openings of one employer written from one template
        _posting(db, 200 + i, "Templateco", "s2", "2026-05-01")
    for a in range(12):
        for b in range(a + 1, 12):
            db.execute("INSERT INTO template_pairs (document_id, other_id, estimate, found_at) VALUES (?, ?, 0.9, 'x')",
                       [f"{200 + a:016x}", f"{200 + b:016x}"])
    for i in range(4):
        _posting(db, 300 + i, f"Other {i}", "s2", "2026-05-02")
    got = metrics.skill_metrics(db, {"id": "s2", "name": "Templated", "category": "tool"}, as_of="2026-05-09")
    assert got["postings"] == got["raw_postings"] == 16
    cap = metrics.DEFAULT_EMPLOYER_CAP
    assert got["employer_capped"] == {"cap": cap, "jobs": cap + 4,
                                      "employers": [{"company": "Templateco", "postings": 12, "counted": cap}]}
    assert got["employer_capped"]["jobs"] == metrics.employer_capped(db, "s2", as_of="2026-05-09")["capped"]
    page = render("skill", got, "html")
    assert f"counted at most {cap} times: {cap + 4} jobs (Templateco 12 → {cap})" in page
