"""Metrics are exact: every figure recomputed from the raw rows, in Python, on a store built
from the sample web (crawl truth → normalize → upsert → classify) with its planted
duplicates marked non-canonical and some postings without a date."""

from __future__ import annotations

import collections
import datetime as dt

import pytest

from skillenai.metrics import queries as metrics
from skillenai.store.db import open_db

AS_OF = dt.date(2026, 5, 9)  # conftest.SAMPLE_AS_OF, the day the sample store is built for


@pytest.fixture(scope="module", params=["live", "precomputed"])
def store_path(request, make_sample_store):
    """Every figure is checked twice: computed on request, and from ``metrics.refresh``'s
    precomputed counts and pages."""
    path = make_sample_store()
    if request.param == "precomputed":
        db = open_db(path)
        report = metrics.refresh(db, skills=40, metros=10, roles=10, min_postings=1)
        assert report["valid"] and report["pages"]["skill"] == 40
        db.close()
    return path


@pytest.fixture(scope="module")
def db(store_path):
    db = open_db(store_path)
    yield db
    db.close()


# -- the reference: the same figures from raw rows, in Python ------------------------------

class Raw:
    """The store's rows, read plainly (no view, no metrics SQL)."""

    def __init__(self, db):
        docs = {r[0]: r[1:] for r in db.execute(
            "SELECT id, kind, is_canonical, first_seen, published_at, title, url FROM documents")}
        dates = dict(db.execute("SELECT document_id, date_posted FROM postings"))
        self.posting_date = {d: (dates[d] or docs[d][2][:10]) for d in dates
                             if docs[d][0] == "posting" and docs[d][1] == 1}
        self.articles = {d: ((v[3] or v[2])[:10], v[4], v[5]) for d, v in docs.items()
                         if v[0] == "article" and v[1] == 1}
        self.skills_of = collections.defaultdict(set)
        self.docs_of_skill = collections.defaultdict(set)
        for d, s in db.execute("SELECT document_id, skill_id FROM document_skills"):
            self.skills_of[d].add(s)
            self.docs_of_skill[s].add(d)
        self.metros_of = collections.defaultdict(set)
        self.docs_of_metro = collections.defaultdict(set)
        for d, m in db.execute("SELECT document_id, metro_id FROM document_metros"):
            self.metros_of[d].add(m)
            self.docs_of_metro[m].add(d)
        self.role_of = dict(db.execute("SELECT document_id, role_id FROM document_roles"))
        self.names = {}
        for table in ("skills", "metros", "roles"):
            self.names.update(db.execute(f"SELECT id, name FROM {table}"))
        self.places = {r[0]: dict(zip(("admin1", "country", "region", "label"), r[1:]))
                       for r in db.execute("SELECT id, admin1, country, region, label FROM metros")}
        self.duplicates = sum(1 for v in docs.values() if v[0] == "posting" and v[1] == 0)

    def in_window(self, docs, as_of: dt.date, days: int) -> dict:
        lo, hi = (as_of - dt.timedelta(days=days)).isoformat(), as_of.isoformat()
        return {d: self.posting_date[d] for d in docs if d in self.posting_date and lo < self.posting_date[d] <= hi}

    def ranked(self, counter: collections.Counter, limit: int) -> list[dict]:
        items = sorted(counter.items(), key=lambda kv: (-kv[1], self.names.get(kv[0], kv[0]), kv[0]))
        return [{"id": k, "name": self.names.get(k, k), "postings": n} for k, n in items[:limit]]

    def change(self, docs, as_of: dt.date) -> tuple[int, int, float | None]:
        last = len(self.in_window(docs, as_of, 28))
        prior = len(self.in_window(docs, as_of, 56)) - last
        return last, prior, (round((last - prior) * 100 / prior, 1) if prior else None)

    def weekly(self, win: dict, as_of: dt.date, days: int) -> list[dict]:
        first = as_of - dt.timedelta(days=days - 1)
        monday = first - dt.timedelta(days=first.weekday())
        out = []
        while monday <= as_of:
            span = [monday + dt.timedelta(days=i) for i in range(7)]
            inside = [d for d in span if first <= d <= as_of]
            n = sum(1 for v in win.values() if dt.date.fromisoformat(v) in span)
            out.append({"week_start": monday.isoformat(), "postings": n, "days": len(inside)})
            monday += dt.timedelta(days=7)
        return out

    def skill(self, skill_id: str, as_of: dt.date, days: int = 90, limit: int = 10, articles: int = 5) -> dict:
        win = self.in_window(self.docs_of_skill[skill_id], as_of, days)
        last, prior, change = self.change(self.docs_of_skill[skill_id], as_of)
        metro_counts = collections.Counter(m for d in win for m in self.metros_of[d])
        total = sum(metro_counts.values())
        metros_ = self.ranked(metro_counts, limit)
        labels = collections.Counter(self.places[m["id"]]["label"] for m in metros_)
        for m in metros_:
            m.update(self.places[m["id"]])
            if labels[m["label"]] > 1:  # namesakes in one country: the region's name too
                m["label"] = f"{m['name']}, {m['region']}, {m['country']}"
            m["share"] = round(m["postings"] / total, 4)
        lo, hi = (as_of - dt.timedelta(days=days)).isoformat(), as_of.isoformat()
        arts = sorted(((day, d) for d, (day, _, _) in self.articles.items()
                       if skill_id in self.skills_of[d] and lo < day <= hi), key=lambda x: (x[0], x[1]))
        arts = sorted(arts, key=lambda x: x[0], reverse=True)  # stable: ids ascending within a day
        return {
            "entity_id": skill_id, "data_as_of": hi, "window_days": days,
            "postings": len(win), "postings_last_4_weeks": last, "postings_prior_4_weeks": prior,
            "change_vs_prior_4_weeks": change,
            "top_metros": metros_, "metro_tags": total,
            "paired_skills": self.ranked(collections.Counter(
                s for d in win for s in self.skills_of[d] if s != skill_id), limit),
            "top_roles": self.ranked(collections.Counter(self.role_of[d] for d in win if d in self.role_of), limit),
            "weekly": self.weekly(win, as_of, days),
            "articles": [{"id": d, "title": self.articles[d][1], "url": self.articles[d][2], "date": day}
                         for day, d in arts[:articles]],
        }


@pytest.fixture(scope="module")
def raw(db):
    return Raw(db)


def _popular(raw: Raw) -> list[str]:
    counts = collections.Counter({s: len(raw.in_window(docs, AS_OF, 90)) for s, docs in raw.docs_of_skill.items()})
    ranked = [s for s, _ in counts.most_common()]
    return [ranked[0], ranked[1], ranked[5], ranked[len(ranked) // 2], ranked[-1]]


# -- the tests -----------------------------------------------------------------------------

def test_the_store_has_duplicates_and_undated_postings(db, raw):
    assert raw.duplicates >= 10
    assert db.execute("SELECT COUNT(*) FROM postings WHERE date_posted IS NULL").fetchone()[0] >= 5
    assert metrics.data_as_of(db) == AS_OF
    # Duplicates are tagged like their originals: counting them would change the figures.
    tagged_dups = db.execute("SELECT COUNT(*) FROM document_skills ds JOIN documents d ON d.id = ds.document_id "
                             "WHERE d.kind = 'posting' AND d.is_canonical = 0").fetchone()[0]
    assert tagged_dups > 0


@pytest.mark.parametrize("as_of, days", [(None, 90), (AS_OF - dt.timedelta(days=23), 90),
                                         (AS_OF, 30), (AS_OF - dt.timedelta(days=5), 7)])
def test_skill_figures_are_exact(db, raw, as_of, days):
    for skill_id in _popular(raw):
        ref = {"id": skill_id, "name": raw.names[skill_id], "category": "x"}
        got = metrics.skill_metrics(db, ref, as_of=as_of, window=days)
        want = raw.skill(skill_id, as_of or AS_OF, days)
        for key, value in want.items():
            assert got[key] == value, (raw.names[skill_id], key)


def test_counts_only_canonical_postings(db, raw):
    skill_id = _popular(raw)[0]
    every_posting = db.execute(
        "SELECT COUNT(*) FROM document_skills ds JOIN documents d ON d.id = ds.document_id "
        "JOIN postings p ON p.document_id = d.id WHERE ds.skill_id = ? AND d.kind = 'posting' "
        "AND COALESCE(p.date_posted, substr(d.first_seen, 1, 10)) > ?", [skill_id, str(AS_OF - dt.timedelta(90))]
    ).fetchone()[0]
    got = metrics.skill_metrics(db, {"id": skill_id, "name": "x", "category": None})
    assert got["postings"] < every_posting
    assert got["postings"] == db.execute(
        "SELECT COUNT(*) FROM unique_postings up JOIN document_skills ds ON ds.document_id = up.id "
        "WHERE ds.skill_id = ? AND up.date_posted > ?", [skill_id, str(AS_OF - dt.timedelta(90))]).fetchone()[0]


def test_skill_by_name_and_alias(db):
    by_alias = metrics.skill_metrics(db, "python3")
    assert by_alias["name"] == "Python" and by_alias["postings"] > 0
    assert metrics.skill_metrics(db, "PYTHON")["postings"] == by_alias["postings"]
    assert metrics.skill_metrics(db, by_alias["entity_id"])["name"] == "Python"
    with pytest.raises(metrics.UnknownEntity) as err:
        metrics.skill_metrics(db, "Pythn")
    assert "Python" in err.value.suggestions and "Python" in str(err.value)


def test_weekly_has_every_week_even_empty_ones(db, raw):
    rare = _popular(raw)[-1]
    got = metrics.skill_metrics(db, {"id": rare, "name": "x", "category": None})
    assert len(got["weekly"]) == 13  # 90 days ending on a Saturday: 12 whole weeks and 6 days
    assert sum(w["postings"] for w in got["weekly"]) == got["postings"]
    assert sum(w["days"] for w in got["weekly"]) == 90
    assert any(w["postings"] == 0 for w in got["weekly"])


def test_a_skill_without_postings_has_zeros_and_no_change(db):
    got = metrics.skill_metrics(db, {"id": "0000000000000000", "name": "Nothing", "category": None})
    assert got["postings"] == 0 and got["change_vs_prior_4_weeks"] is None
    assert got["top_metros"] == [] and got["paired_skills"] == [] and got["metro_tags"] == 0
    assert [w["postings"] for w in got["weekly"]] == [0] * 13


def test_articles_are_the_same_either_way(db, raw):
    window = metrics.Window(AS_OF, 90)
    for skill_id in _popular(raw):
        via_articles = metrics._articles(db, skill_id, window, 50, via="articles")
        assert via_articles == metrics._articles(db, skill_id, window, 50, via="skill")
    assert any(metrics._articles(db, s, window, 5) for s in _popular(raw))


def test_top_skills_are_exact(db, raw):
    got = metrics.top_skills(db, limit=15)
    win = raw.in_window(raw.posting_date, AS_OF, 90)
    assert got["postings"] == len(win)
    want = raw.ranked(collections.Counter(s for d in win for s in raw.skills_of[d]), 15)
    for item in want:
        item["share"] = round(item["postings"] / len(win), 4)
    assert got["skills"] == want


def test_metro_and_role_figures_are_exact(db, raw):
    metro = metrics.metro_metrics(db, "San Francisco, CA", limit=8)
    assert metro["name"] == "San Francisco"
    win = raw.in_window(raw.docs_of_metro[metro["entity_id"]], AS_OF, 90)
    assert metro["postings"] == len(win) > 0
    want = raw.ranked(collections.Counter(s for d in win for s in raw.skills_of[d]), 8)
    assert [{k: v for k, v in x.items() if k != "share"} for x in metro["top_skills"]] == want
    assert metro["top_skills"][0]["share"] == round(want[0]["postings"] / len(win), 4)
    assert (metro["postings_last_4_weeks"], metro["postings_prior_4_weeks"], metro["change_vs_prior_4_weeks"]) == \
        raw.change(raw.docs_of_metro[metro["entity_id"]], AS_OF)

    role = metrics.role_metrics(db, "backend engineer", limit=5)
    assert role["name"] == "Backend Engineer"
    docs = {d for d, r in raw.role_of.items() if r == role["entity_id"]}
    win = raw.in_window(docs, AS_OF, 90)
    assert role["postings"] == len(win)
    want = raw.ranked(collections.Counter(s for d in win for s in raw.skills_of[d]), 5)
    assert [{k: v for k, v in x.items() if k != "share"} for x in role["top_skills"]] == want
    assert sum(w["postings"] for w in role["weekly"]) == len(win)


def test_unknown_metro_and_role_suggest_names(db):
    with pytest.raises(metrics.UnknownEntity) as err:
        metrics.metro_metrics(db, "Sna Franciscoo")
    assert "San Francisco" in err.value.suggestions
    with pytest.raises(metrics.UnknownEntity):
        metrics.role_metrics(db, "zzzz qqqq")


def test_trends_are_exact(db, raw):
    got = metrics.trends(db, min_postings=5, limit=50)
    rows = []
    for skill_id, docs in raw.docs_of_skill.items():
        last, prior, change = raw.change(docs, AS_OF)
        if prior > 0 and last + prior >= 5:
            rows.append({"id": skill_id, "name": raw.names[skill_id], "postings": last, "prior": prior,
                         "change": change})
    rising = sorted((r for r in rows if r["change"] > 0), key=lambda r: (-r["change"], -r["postings"], r["name"]))
    falling = sorted((r for r in rows if r["change"] < 0), key=lambda r: (r["change"], -r["prior"], r["name"]))
    assert got["rising"] == rising[:50] and got["falling"] == falling[:50]
    assert rising or falling
    assert got["postings"] == len(raw.in_window(raw.posting_date, AS_OF, 28))


def test_the_seed_pages_shares(fresh_db):
    """Shares as the seed page shows them: 19 of 61 metro tags → 31.1%."""
    from skillenai.metrics.render import render

    db = fresh_db
    counts = {"San Francisco": 19, "New York City": 14, "Mountain View": 6, "Berlin": 4, "Bucharest": 4,
              "Sunnyvale": 4, "Toronto": 4, "London": 3, "San Mateo": 3}
    skill = "643e10ca4bf0f3c8"
    db.execute("INSERT INTO skills (id, name, category) VALUES (?, 'backend infrastructure', 'concept')", [skill])
    n = 0
    for city, count in counts.items():
        db.execute("INSERT INTO metros (id, name) VALUES (?, ?)", [f"m-{city}", city])
        for _ in range(count):
            n += 1
            for canonical in (1, 0):  # each with a non-canonical copy, which must not count
                doc = f"{n:015x}{canonical}"
                db.execute("INSERT INTO documents (id, url, canonical_url, kind, first_seen, last_seen, seq, "
                           "is_canonical) VALUES (?, ?, ?, 'posting', '2026-05-01T00:00:00Z', "
                           "'2026-05-01T00:00:00Z', ?, ?)", [doc, doc, doc, n * 2 + canonical, canonical])
                db.execute("INSERT INTO postings (document_id, date_posted) VALUES (?, ?)",
                           [doc, str(dt.date(2026, 5, 9) - dt.timedelta(days=(n - 1) % 80))])
                db.execute("INSERT INTO document_skills (document_id, skill_id, mentions, score, method) "
                           "VALUES (?, ?, 1, 1, 'alias')", [doc, skill])
                db.execute("INSERT INTO document_metros (document_id, metro_id) VALUES (?, ?)", [doc, f"m-{city}"])
    got = metrics.skill_metrics(db, {"id": skill, "name": "backend infrastructure", "category": "concept"})
    assert got["postings"] == 61 and got["metro_tags"] == 61
    assert [(m["name"], m["postings"]) for m in got["top_metros"][:3]] == [
        ("San Francisco", 19), ("New York City", 14), ("Mountain View", 6)]
    assert got["top_metros"][0]["share"] == 0.3115
    page = render("skill", got, "html")
    for share in ("31.1%", "23.0%", "9.8%", "6.6%", "4.9%"):
        assert share in page
    assert "As of 2026-05-09, backend infrastructure appears in 61 job postings" in page


def test_a_request_leaves_no_transaction_or_table_behind(store_path):
    db = open_db(store_path)
    metrics.skill_metrics(db, "Python")
    metrics.top_skills(db)
    assert not db.conn.in_transaction
    assert db.execute("SELECT COUNT(*) FROM temp.sqlite_master").fetchone()[0] == 0
    with db.conn:  # inside the caller's own transaction, it stays the caller's
        db.conn.execute("INSERT INTO roles (id, name) VALUES ('r-test', 'Test')")
        metrics.skill_metrics(db, "Python")
        assert db.conn.in_transaction
    assert db.execute("SELECT name FROM roles WHERE id = 'r-test'").fetchone() == ("Test",)
    db.execute("DELETE FROM roles WHERE id = 'r-test'")
    db.close()


def test_bad_parameters_are_errors(db):
    with pytest.raises(metrics.MetricsError):
        metrics.skill_metrics(db, "Python", window=0)
    with pytest.raises(metrics.MetricsError):
        metrics.skill_metrics(db, "Python", as_of="09/05/2026")
    with pytest.raises(metrics.MetricsError):
        metrics.top_skills(db, limit=0)


def test_an_empty_store_gives_zeros(fresh_db):
    got = metrics.skill_metrics(fresh_db, "Python", as_of="2026-05-09")
    assert got["postings"] == 0 and got["articles"] == []
    assert metrics.data_as_of(fresh_db) is None
    assert metrics.top_skills(fresh_db)["skills"] == []
    assert metrics.trends(fresh_db)["rising"] == []


# -- precomputed metrics -------------------------------------------------------------------

@pytest.fixture
def refreshed(make_sample_store):
    db = open_db(make_sample_store())
    metrics.refresh(db, skills=15, metros=5, roles=5, min_postings=1)
    yield db
    db.close()


def _live_and_stored(db, kind: str, entity_id: str, **kw):
    fn = {"skill": metrics.skill_metrics, "metro": metrics.metro_metrics, "role": metrics.role_metrics}[kind]
    ref = metrics._entity_ref(db, kind, entity_id)
    return fn(db, ref, precomputed=False, **kw), fn(db, ref, **kw)


def test_precomputed_pages_equal_live_ones(refreshed):
    stored = refreshed.execute("SELECT kind, entity_id FROM metrics_pages").fetchall()
    assert {k for k, _ in stored} == {"skill", "metro", "role"}
    for kind, entity_id in stored:
        for kw in ({}, {"limit": 3}):
            live, page = _live_and_stored(refreshed, kind, entity_id, **kw)
            assert page == live, (kind, entity_id, kw)
    skill = metrics._entity_ref(refreshed, "skill", next(e for k, e in stored if k == "skill"))
    timings = {}
    metrics.skill_metrics(refreshed, skill, timings=timings)
    assert "precomputed" in timings and "paired_skills" not in timings
    # Other windows, days and longer lists than were stored are computed.
    for kw in ({"window": 30}, {"limit": metrics.PAGE_LIMIT + 1}, {"as_of": AS_OF - dt.timedelta(days=1)}):
        timings = {}
        metrics.skill_metrics(refreshed, skill, timings=timings, **kw)
        assert "precomputed" not in timings, kw


def test_day_counts_answer_top_skills_and_trends_like_the_postings(refreshed):
    for kw in ({}, {"window": 7}, {"window": 365, "as_of": AS_OF - dt.timedelta(days=40)}):
        assert metrics.top_skills(refreshed, **kw) == metrics.top_skills(refreshed, precomputed=False, **kw)
    for kw in ({}, {"min_postings": 1, "limit": 100}, {"as_of": AS_OF - dt.timedelta(days=10)}):
        assert metrics.trends(refreshed, **kw) == metrics.trends(refreshed, precomputed=False, **kw)


@pytest.mark.parametrize("write", [
    "INSERT INTO document_skills (document_id, skill_id, mentions, score, method) "
    "SELECT document_id, :other, 1, 1.0, 'test' FROM document_skills WHERE skill_id = :skill",
    "DELETE FROM document_skills WHERE skill_id = :skill AND document_id IN "
    "(SELECT document_id FROM document_skills WHERE skill_id = :skill LIMIT 3)",
    "UPDATE documents SET is_canonical = 0 WHERE id IN "
    "(SELECT document_id FROM document_skills WHERE skill_id = :skill LIMIT 2)",
    "UPDATE postings SET date_posted = :day WHERE document_id IN "
    "(SELECT document_id FROM document_skills WHERE skill_id = :skill LIMIT 2)",
    "UPDATE skills SET name = 'Renamed' WHERE id = :skill",
])
def test_a_write_to_any_input_makes_answers_live_again(refreshed, write):
    skill = refreshed.execute("SELECT entity_id FROM metrics_pages WHERE kind = 'skill' "
                              "ORDER BY entity_id LIMIT 1").fetchone()[0]
    other = refreshed.execute("SELECT id FROM skills WHERE id NOT IN (SELECT skill_id FROM document_skills) "
                              "LIMIT 1").fetchone()[0]
    assert metrics.precomputed_state(refreshed)["valid"]
    with refreshed.conn:
        refreshed.conn.execute(write, {"skill": skill, "other": other, "day": str(AS_OF - dt.timedelta(days=2))})
    assert not metrics.precomputed_state(refreshed)["valid"]
    live, answer = _live_and_stored(refreshed, "skill", skill)
    assert answer == live
    assert metrics.top_skills(refreshed, limit=100) == metrics.top_skills(refreshed, limit=100, precomputed=False)
    # The next refresh brings the stored answers back, with the write counted.
    assert metrics.refresh(refreshed, skills=15, metros=5, roles=5, min_postings=1)["valid"]
    assert _live_and_stored(refreshed, "skill", skill)[1] == live


def test_a_write_that_changes_nothing_keeps_them(refreshed):
    with refreshed.conn:
        refreshed.conn.execute("UPDATE documents SET last_seen = '2030-01-01T00:00:00Z'")
        refreshed.conn.execute("UPDATE documents SET is_canonical = is_canonical")
    assert metrics.precomputed_state(refreshed)["valid"]


def test_refresh_twice_does_nothing_the_second_time(refreshed):
    again = metrics.refresh(refreshed)
    assert again["refreshed"] is False and again["reason"] == "up to date"
    assert metrics.refresh(refreshed, force=True, skills=3, metros=0, roles=0, min_postings=1)["pages"] == {"skill": 3}
    # Only entities with enough postings get a stored page.
    busiest = metrics.top_skills(refreshed, limit=1)["skills"][0]["postings"]
    report = metrics.refresh(refreshed, force=True, metros=0, roles=0, min_postings=busiest)
    assert report["pages"] == {"skill": 1}


def test_active_postings_count_open_postings_of_any_age(make_sample_store):
    db = open_db(make_sample_store())
    skill = metrics.top_skills(db, limit=1)["skills"][0]["id"]
    docs = [r[0] for r in db.execute("SELECT document_id FROM document_skills WHERE skill_id = ? ORDER BY document_id",
                                     [skill])]
    with db.conn:  # some closed before, on and after the day; some expired; one far older
        db.conn.executemany("UPDATE postings SET closed_at = ? WHERE document_id = ?",
                            [(str(AS_OF - dt.timedelta(days=i % 3)), d) for i, d in enumerate(docs[:9])])
        db.conn.executemany("UPDATE postings SET valid_through = ? WHERE document_id = ?",
                            [(f"{AS_OF - dt.timedelta(days=1 - i % 2)}T23:59:00", d) for i, d in enumerate(docs[9:15])])
        db.conn.execute("UPDATE postings SET date_posted = ? WHERE document_id = ?",
                        [str(AS_OF - dt.timedelta(days=400)), docs[20]])
    want = 0
    for doc in docs:
        kind, canonical, first_seen = db.execute("SELECT kind, is_canonical, first_seen FROM documents WHERE id = ?",
                                                 [doc]).fetchone()
        posted, closed, through = db.execute("SELECT date_posted, closed_at, valid_through FROM postings "
                                             "WHERE document_id = ?", [doc]).fetchone() or (None, None, None)
        opened = posted or first_seen[:10]
        if kind == "posting" and canonical and opened <= str(AS_OF) and (closed is None or closed > str(AS_OF)) \
                and (through is None or through[:10] >= str(AS_OF)):
            want += 1
    got = metrics.skill_metrics(db, metrics._entity_ref(db, "skill", skill), as_of=AS_OF)
    assert got["active_postings"] == want
    assert 0 < want < len(docs)
    db.close()


def test_reloading_unchanged_entities_keeps_them(refreshed):
    from skillenai.pipeline.tagging import load_entities

    before = refreshed.execute("SELECT COUNT(*), MAX(name) FROM skills").fetchone()
    load_entities(refreshed)  # every classify run does this
    assert metrics.precomputed_state(refreshed)["valid"]
    assert refreshed.execute("SELECT COUNT(*), MAX(name) FROM skills").fetchone() == before
