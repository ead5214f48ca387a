"""The classify stage writes tags into the store, incrementally and reproducibly."""

import re

import pytest

from skillenai.core.record import normalize_record
from skillenai.pipeline.tagging import classify_store
from skillenai.store.documents import upsert_documents


def posting(n, title, text, location):
    return normalize_record({"url": f"https://jobs.example.com/{n}", "kind": "posting", "title": title,
                             "text": text, "company": "Acme", "location_raw": location})


def tags(db):
    return {
        "skills": sorted(db.execute("SELECT document_id, skill_id, mentions FROM document_skills").fetchall()),
        "metros": sorted(db.execute("SELECT document_id, metro_id FROM document_metros").fetchall()),
        "roles": sorted(db.execute("SELECT document_id, role_id FROM document_roles").fetchall()),
    }


def test_classify_tags_new_documents_then_only_changed_ones(fresh_db):
    docs = [
        posting(1, "Senior Backend Engineer", "Build APIs in Python 3 and Go on Kubernetes. Postgres experience.", "NYC or SF"),
        posting(2, "Registered Nurse - ICU", "Care for patients in our ICU. BLS certification required.", "Portland, OR"),
        posting(3, "Data Analyst (Remote)", "SQL, Tableau and Excel dashboards for the finance team.", "Remote - US"),
    ]
    upsert_documents(fresh_db, docs)
    first = classify_store(fresh_db)
    assert first.documents == 3
    names = {row[0] for row in fresh_db.execute(
        "SELECT s.name FROM document_skills ds JOIN skills s ON s.id = ds.skill_id WHERE ds.document_id = ?",
        [docs[0]["id"]])}
    assert {"Python", "Go", "Kubernetes", "PostgreSQL"} <= names
    cities = {row[0] for row in fresh_db.execute("SELECT m.name FROM document_metros dm JOIN metros m ON m.id = dm.metro_id")}
    assert cities == {"New York City", "San Francisco", "Portland"}
    assert fresh_db.execute("SELECT workplace, remote_scope FROM postings WHERE document_id = ?",
                            [docs[2]["id"]]).fetchone() == ("remote", "US")
    roles = dict(fresh_db.execute("SELECT dr.document_id, r.name FROM document_roles dr JOIN roles r ON r.id = dr.role_id"))
    assert roles[docs[1]["id"]] == "Nursing"
    occupations = dict(fresh_db.execute("SELECT t.document_id, o.title FROM document_occupations t "
                                        "JOIN occupations o ON o.code = t.soc_code"))
    assert occupations[docs[1]["id"]] == "Registered Nurses"
    assert occupations[docs[0]["id"]] == "Software Developers"
    before = tags(fresh_db)

    assert classify_store(fresh_db).documents == 0  # nothing new

    changed = posting(1, "Senior Backend Engineer", "Build APIs in Rust on Kubernetes, with a focus on reliability.", "NYC or SF")
    upsert_documents(fresh_db, [changed])
    assert classify_store(fresh_db).documents == 1
    names = {row[0] for row in fresh_db.execute(
        "SELECT s.name FROM document_skills ds JOIN skills s ON s.id = ds.skill_id WHERE ds.document_id = ?",
        [changed["id"]])}
    assert "Rust" in names and "Python" not in names

    upsert_documents(fresh_db, [docs[0]])
    classify_store(fresh_db, all_documents=True)
    assert tags(fresh_db) == before  # re-tagging everything reproduces the same rows


def skill_names(db, doc_id):
    return {row[0] for row in db.execute(
        "SELECT s.name FROM document_skills ds JOIN skills s ON s.id = ds.skill_id WHERE ds.document_id = ?",
        [doc_id])}


def test_company_boilerplate_learned_by_dedupe_is_not_tagged(fresh_db):
    from skillenai.dedupe import run_dedupe

    # A blurb under a heading the section rules do not know, pasted into every posting.
    blurb = ("Life on the Harbor crew\n"
             "Harborview runs a friendly Salesforce and Snowflake shop where everybody ships every week.\n"
             "Experience mentoring others\n")
    jobs = [("Senior Backend Engineer", "Build services in Go and PostgreSQL on Kubernetes."),
            ("Registered Nurse", "Care for patients on the cardiac unit; BLS required."),
            ("Account Executive", "Close mid-market deals and keep HubSpot up to date."),
            ("Data Analyst", "Model revenue in SQL and build Tableau dashboards.")]
    docs = [normalize_record({"url": f"https://harborview.example.com/jobs/{i}", "kind": "posting", "title": title,
                              "text": f"{duties}\n{blurb}", "company": "Harborview", "location_raw": "Boston, MA"})
            for i, (title, duties) in enumerate(jobs)]
    upsert_documents(fresh_db, docs)
    classify_store(fresh_db)
    assert {"Salesforce", "Snowflake"} <= skill_names(fresh_db, docs[0]["id"])  # nothing learned yet
    run_dedupe(fresh_db)
    assert fresh_db.execute("SELECT COUNT(*) FROM boilerplate_lines").fetchone()[0] > 0
    classify_store(fresh_db, all_documents=True)
    backend = skill_names(fresh_db, docs[0]["id"])
    assert {"Go", "PostgreSQL", "Kubernetes"} <= backend
    assert not backend & {"Salesforce", "Snowflake"}
    # A short bullet the company repeats may still be asked for.
    assert "Mentoring" in backend
    assert {"HubSpot"} <= skill_names(fresh_db, docs[2]["id"])


def test_classify_gives_postings_without_one_the_language_of_their_text(fresh_db):
    german = posting(1, "Backend-Entwickler (m/w/d)",
                     "Wir suchen einen Backend-Entwickler für unser Team in Hamburg. Du baust Dienste in Go "
                     "und betreibst sie auf Kubernetes.", "Hamburg")
    english = posting(2, "Backend Engineer", "Build APIs in Python and Go on Kubernetes, and run them with us.", "NYC")
    declared = normalize_record({"url": "https://blog.example.com/a", "kind": "article", "title": "Hiring",
                                 "text": "Short text the page itself says is French.", "lang": "fr"})
    upsert_documents(fresh_db, [german, english, declared])
    classify_store(fresh_db)
    langs = dict(fresh_db.execute("SELECT id, lang FROM documents").fetchall())
    assert langs == {german["id"]: "de", english["id"]: "en", declared["id"]: "fr"}
    # A changed posting is read again; an unchanged one keeps its language.
    changed = posting(1, "Backend-Entwickler (m/w/d)",
                      "Nous recherchons un développeur backend pour notre équipe de Lyon, en Go et Kubernetes.", "Lyon")
    upsert_documents(fresh_db, [changed, english])
    assert fresh_db.execute("SELECT lang FROM documents WHERE id = ?", [changed["id"]]).fetchone()[0] is None
    classify_store(fresh_db)
    langs = dict(fresh_db.execute("SELECT id, lang FROM documents").fetchall())
    assert langs == {german["id"]: "fr", english["id"]: "en", declared["id"]: "fr"}


def test_worker_processes_tag_exactly_as_this_one_does(fresh_db):
    from skillenai.dedupe import run_dedupe

    titles = ["Senior Backend Engineer", "Registered Nurse - ICU", "Data Analyst", "Frontend Developer (React)",
              "Account Executive", "Site Reliability Engineer"]
    texts = ["Build APIs in Python 3 and Go on Kubernetes. Postgres experience.",
             "Care for patients in our ICU. BLS certification required.",
             "SQL, Tableau and Excel dashboards for the finance team.",
             "Ship React and TypeScript interfaces with our designers.",
             "Close mid-market deals and keep Salesforce up to date.",
             "Run Terraform and Prometheus on AWS; be on call one week in six."]
    places = ["NYC or SF", "Portland, OR", "Remote - US", "Berlin, Germany", "London", "Toronto, ON"]
    blurb = "\nLife at Harbor: a friendly Snowflake and Looker shop where everybody ships every single week."
    docs = [posting(n, titles[n % 6], texts[n % 6] + blurb + f" Team {n}.", places[n % 6]) for n in range(60)]
    upsert_documents(fresh_db, docs)
    run_dedupe(fresh_db)  # learns the blurb, so workers must leave it out too
    one = classify_store(fresh_db, batch_size=7, workers=1)
    assert one.workers == 1 and one.documents == 60
    assert "Snowflake" not in skill_names(fresh_db, docs[0]["id"])  # the learned blurb is left out
    here = tags(fresh_db)
    flags = fresh_db.execute("SELECT document_id, workplace, remote_scope FROM postings ORDER BY 1").fetchall()
    langs = fresh_db.execute("SELECT id, lang FROM documents ORDER BY 1").fetchall()
    two = classify_store(fresh_db, all_documents=True, batch_size=7, workers=2)
    assert two.workers == 2 and two.documents == 60 and two.by_kind == one.by_kind
    assert tags(fresh_db) == here
    assert fresh_db.execute("SELECT document_id, workplace, remote_scope FROM postings ORDER BY 1").fetchall() == flags
    assert fresh_db.execute("SELECT id, lang FROM documents ORDER BY 1").fetchall() == langs
    assert fresh_db.execute("SELECT COUNT(*) FROM documents WHERE classified_at IS NULL").fetchone()[0] == 0
    with pytest.raises(ValueError, match="workers must be 1 or more"):
        classify_store(fresh_db, workers=0)


def test_the_classify_stage_decides_how_a_posting_is_worked_and_keeps_what_the_source_stated(fresh_db):
    def with_stated(n, text, location, stated):
        return normalize_record({"url": f"https://jobs.example.com/w{n}", "kind": "posting", "title": "Engineer",
                                 "text": text, "company": "Acme", "location_raw": location,
                                 "stated_workplace": stated})

    plain = "Build APIs in Python and Go for our payments platform, with a small team."
    docs = [
        with_stated(1, plain, "Berlin, Germany", "onsite"),
        with_stated(2, plain, "Remote - US", "onsite"),  # the location says more than the source's field
        with_stated(3, plain, "Denver, CO", "hybrid"),
        with_stated(4, plain + " This role is hybrid: 3 days in our Denver office.", "Denver, CO", None),
        with_stated(5, plain, "Austin, TX", None),
    ]
    upsert_documents(fresh_db, docs)
    classify_store(fresh_db)
    stored = {row[0]: row[1:] for row in fresh_db.execute(
        "SELECT document_id, stated_workplace, workplace, remote_scope FROM postings")}
    assert [stored[doc["id"]] for doc in docs] == [
        ("onsite", "onsite", None), ("onsite", "remote", "US"), ("hybrid", "hybrid", None), (None, "hybrid", None),
        (None, None, None)]


def test_namesake_cities_are_told_apart_in_the_store_and_on_pages(fresh_db):
    from skillenai.metrics.queries import skill_metrics
    from skillenai.metrics.render import render

    docs = [
        posting(1, "Backend Engineer", "Build APIs in Python on Postgres for our payments team.", "Dublin, CA"),
        posting(2, "Backend Engineer", "Build services in Python and Go for our logistics team.", "Dublin, Ireland"),
        posting(3, "Data Engineer", "Python pipelines for analytics, scheduling and reporting.", "Kraków, Poland"),
    ]
    upsert_documents(fresh_db, docs)
    classify_store(fresh_db)
    rows = set(fresh_db.execute("SELECT name, admin1, country, region, label FROM metros"))
    assert rows == {("Dublin", "CA", "US", "California", "Dublin, CA, US"),
                    ("Dublin", "L", "IE", "Leinster", "Dublin, IE"),
                    ("Kraków", "MA", "PL", "Lesser Poland", "Kraków, PL")}
    page = skill_metrics(fresh_db, "python")
    assert sorted(m["label"] for m in page["top_metros"]) == ["Dublin, CA, US", "Dublin, IE", "Kraków, PL"]
    for fmt in ("md", "html"):
        text = render("skill", page, fmt)
        assert "Dublin, CA, US" in text and "Dublin, IE" in text and " MA" not in text


def test_a_posting_without_a_family_keeps_its_occupation_or_why_it_has_none(fresh_db):
    docs = [posting(1, "Pharmacist - Retail", "Fill prescriptions and counsel patients at our busy retail pharmacy.", "Austin, TX"),
            posting(2, "Open Application", "Tell us about yourself and the kind of work you are looking for.", "Austin, TX")]
    upsert_documents(fresh_db, docs)
    report = classify_store(fresh_db)
    assert report.as_dict()["occupation_tags"] == 1
    rows = {r[0]: r[1:] for r in fresh_db.execute(
        "SELECT document_id, soc_code, unclassified FROM document_occupations")}
    assert rows[docs[0]["id"]] == ("29-1051", None)
    assert rows[docs[1]["id"]] == (None, "not a job (talent pool / open application)")
    assert fresh_db.execute("SELECT COUNT(*) FROM document_roles").fetchone()[0] == 0
    assert fresh_db.execute("SELECT title FROM occupations WHERE code = '29-0000'").fetchone()[0] == \
        "Healthcare Practitioners and Technical Occupations"
    assert [r[0] for r in fresh_db.execute("SELECT soc_code FROM occupation_postings")] == ["29-1051"]


def test_unique_postings_carry_yearly_pay_role_and_occupation(fresh_db):
    hourly = normalize_record({"url": "https://jobs.example.com/9", "kind": "posting", "title": "Registered Nurse - ICU",
                               "text": "Care for patients in our ICU. BLS certification required.",
                               "company": "Acme Health", "location_raw": "Portland, OR",
                               "salary_min": 50, "salary_max": 60, "salary_currency": "USD", "salary_period": "hour"})
    upsert_documents(fresh_db, [hourly])
    classify_store(fresh_db)
    row = fresh_db.execute("SELECT salary_annual_min, salary_annual_max, role, soc_code, occupation "
                           "FROM unique_postings").fetchone()
    assert row == (104000.0, 124800.0, "Nursing", "29-1141", "Registered Nurses")
    # A count reads neither the roles nor the occupations.
    plan = " ".join(r[3] for r in fresh_db.execute("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM unique_postings"))
    assert "roles" not in plan and "occupations" not in plan, plan


def test_documents_to_tag_are_found_through_the_partial_index(fresh_db):
    """A day's backlog is counted and read without scanning every stored document (m023)."""
    from skillenai.store.tags import _selection

    index, condition = _selection(False)
    for sql in (f"SELECT COUNT(*) FROM documents d {index} WHERE {condition}",
                f"SELECT d.id FROM documents d {index} LEFT JOIN postings p ON p.document_id = d.id "
                f"WHERE {condition} AND d.id > '' ORDER BY d.id LIMIT 500"):
        plan = " ".join(row[-1] for row in fresh_db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
        assert "idx_documents_unclassified" in plan and not re.search(r"\bSCAN d\b(?! USING)", plan), plan
    upsert_documents(fresh_db, [posting(1, "Data Engineer", "Python and SQL on AWS, in Berlin, every day.", "Berlin")])
    assert classify_store(fresh_db).documents == 1
    assert classify_store(fresh_db).documents == 0
