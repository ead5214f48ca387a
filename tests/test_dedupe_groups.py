"""Dedupe by identity, one job in several places (job groups), level and language words,
places named only in the text, and the employer's own copy as canonical (issue 21)."""

from skillenai.dedupe import run_dedupe
from skillenai.dedupe.text import (
    location_key,
    locations_compatible,
    posting_location_key,
    split_units,
    title_key,
    title_similarity,
    title_within,
)
from skillenai.dedupe.verify import experience_differs, places_differ
from tests.test_dedupe import ROLES, acme_roles, doc_id, posting, posting_text, store

BASE = "https://boards.greenhouse.io/acme/jobs"


def row(db, url):
    return db.execute("SELECT cluster_id, is_canonical, job_group FROM documents WHERE url = ?", [url]).fetchone()


def test_per_city_copies_are_one_job_group_not_duplicates(fresh_db):
    text = posting_text("Backend Engineer", "Join the platform team.")
    store(fresh_db, acme_roles()[1:], "2026-03-02")
    store(fresh_db, [posting(f"{BASE}/berlin", "Backend Engineer", text, location="Berlin, Germany"),
                     posting(f"{BASE}/madrid", "Backend Engineer", text, location="Madrid, Spain"),
                     posting(f"{BASE}/lisbon", "Backend Engineer", text, location="Lisbon, Portugal")], "2026-03-03")
    report = run_dedupe(fresh_db)
    rows = [row(fresh_db, f"{BASE}/{c}") for c in ("berlin", "madrid", "lisbon")]
    assert all(r[0] is None and r[1] == 1 for r in rows)  # each counted: not duplicates
    assert len({r[2] for r in rows}) == 1 and rows[0][2] is not None  # but one job
    assert report.group_pairs_added == 3
    groups = fresh_db.execute("SELECT COUNT(DISTINCT job_group_id) FROM document_job_groups WHERE document_id IN "
                              "(SELECT id FROM documents WHERE url LIKE ?)", [f"{BASE}/%"]).fetchone()[0]
    assert groups == len(ROLES) - 1 + 1


def test_a_copy_without_a_place_does_not_join_two_cities(fresh_db):
    text = posting_text("Backend Engineer", "Join the platform team.")
    store(fresh_db, acme_roles()[1:], "2026-03-02")
    store(fresh_db, [posting(f"{BASE}/berlin", "Backend Engineer", text, location="Berlin, Germany"),
                     posting(f"{BASE}/madrid", "Backend Engineer", text, location="Madrid, Spain"),
                     posting("https://aggregator.example/jobs/1", "Backend Engineer", text, location=None,
                             spider="ingest", source="aggregator")], "2026-03-03")
    run_dedupe(fresh_db)
    berlin, madrid = row(fresh_db, f"{BASE}/berlin"), row(fresh_db, f"{BASE}/madrid")
    assert berlin[0] is None or berlin[0] != madrid[0]
    assert berlin[2] == madrid[2] is not None


def test_same_requisition_is_one_job_whatever_the_title(fresh_db):
    store(fresh_db, acme_roles(), "2026-03-02")
    text = posting_text("Data Scientist", "This role is based in our San Francisco office.")
    main = dict(posting(f"{BASE}/fellows", "Fellows Program", text), requisition_id="4381824008")
    other = dict(posting(f"{BASE}/fellows-safety", "Fellows Program, AI Safety",
                         posting_text("Data Scientist", "Work on safety research.", duties=ROLES["Data Scientist"][:2])),
                 requisition_id="4381824008")
    elsewhere = dict(posting(f"{BASE}/fellows-london", "Fellows Program", text, location="London, UK"),
                     requisition_id="4381824008")
    store(fresh_db, [main, other, elsewhere], "2026-03-03")
    run_dedupe(fresh_db)
    assert row(fresh_db, f"{BASE}/fellows")[0] == row(fresh_db, f"{BASE}/fellows-safety")[0] is not None
    methods = {m for (m,) in fresh_db.execute("SELECT method FROM duplicate_pairs")}
    assert methods == {"id"}
    london = row(fresh_db, f"{BASE}/fellows-london")
    assert london[0] is None and london[2] == row(fresh_db, f"{BASE}/fellows")[2] is not None


def test_the_employers_own_board_is_canonical_over_an_aggregator(fresh_db):
    text = posting_text("Backend Engineer", "This role is based in our San Francisco office.")
    store(fresh_db, acme_roles()[1:], "2026-03-02")
    store(fresh_db, [posting("https://aggregator.example/jobs/9", "Backend Engineer", text, spider="ingest",
                             source="aggregator")], "2026-03-02")
    store(fresh_db, [posting(f"{BASE}/77", "Backend Engineer", text)], "2026-03-05")  # seen later
    run_dedupe(fresh_db)
    assert row(fresh_db, f"{BASE}/77")[:2] == (doc_id(fresh_db, f"{BASE}/77"), 1)
    assert row(fresh_db, "https://aggregator.example/jobs/9")[1] == 0


def test_level_and_language_words_keep_titles_apart():
    assert title_key("Software Engineering Interns") == title_key("Software Engineering Intern")
    assert title_similarity(title_key("Support Specialist Tier I"), title_key("Support Specialist Tier II")) == 0
    assert title_similarity(title_key("Account Executive, LA"), title_key("Account Executive, LA (Bilingual Required)")) == 0
    assert title_similarity(title_key("New Grad Engineer"), title_key("Engineer")) == 0
    # "M&A" is a team, not two gender-marker letters (a real Anthropic title)
    assert title_key("Staff+ Application Security Engineer - M&A") != title_key("Staff+ Application Security Engineer")
    assert title_key("Manager, R&D") != title_key("Manager, P&L")
    assert title_key("Ingenieur (m/w/d)") == title_key("Ingenieur")
    # a team word that is some village's name is not a place suffix
    assert "federal" in title_key("Senior Customer Success Manager - Federal")
    assert "germany" not in title_key("Senior Customer Success Manager - Germany")


def test_a_country_overlaps_a_city_in_it_and_boards_without_a_place_are_unknown():
    assert locations_compatible(location_key("ES - Barcelona, Spain"), location_key("ES - Spain"))
    assert not locations_compatible(location_key("Barcelona, Spain"), location_key("Germany"))
    assert location_key("Unspecified") == "" and location_key("Remote job") == "remote"
    # a remote scope overlaps a remote posting in a city only if the city lies in it
    assert locations_compatible(location_key("Remote - US"), location_key("San Francisco, CA (Remote)"))
    assert not locations_compatible(location_key("Remote - US"), location_key("Berlin, Germany (Remote)"))
    assert locations_compatible(location_key("Remote"), location_key("Berlin, Germany (Remote)"))
    # "CA" is Canada or California: whether Vancouver (British Columbia or Washington)
    # lies in it is not known (a real Samsara pair); a plain country code is no riddle
    assert not locations_compatible(location_key("Remote - CA"), location_key("Remote - Vancouver"))
    assert not locations_compatible(location_key("CA"), location_key("Toronto, Canada"))
    assert locations_compatible(location_key("Remote - CA"), location_key("Remote - CA"))
    assert locations_compatible(location_key("Remote - Canada"), location_key("Remote - Vancouver"))
    assert locations_compatible(location_key("Remote - UK"), location_key("London, UK (Remote)"))


def test_cities_in_the_lines_that_differ():
    a = frozenset(split_units("Product Security Engineer\nThis role is based in our Bengaluru office.\nShip safe code."))
    b = frozenset(split_units("Product Security Engineer\nThis role is based in our Austin office.\nShip safe code."))
    edited = frozenset(split_units("Product Security Engineer\nThis role is based in our Bengaluru office.\n"
                                   "Ship safe code and review designs."))
    assert places_differ(a, b)
    assert not places_differ(a, edited)


def test_titles_that_differ_in_a_place_word_are_one_job_in_two_places(fresh_db):
    text = posting_text("Backend Engineer", "Join the platform team.")
    store(fresh_db, acme_roles()[1:], "2026-03-02")
    store(fresh_db, [posting(f"{BASE}/midwest", "Account Representative, Midwest", text, location=None),
                     posting(f"{BASE}/miami", "Account Representative, Miami", text, location=None),
                     posting(f"{BASE}/restaurants", "Account Representative, Restaurants", text, location=None)],
          "2026-03-03")
    run_dedupe(fresh_db)
    midwest, miami, restaurants = (row(fresh_db, f"{BASE}/{x}") for x in ("midwest", "miami", "restaurants"))
    assert midwest[0] is None and miami[0] is None  # not duplicates
    assert midwest[2] == miami[2] is not None  # one job in two places
    assert restaurants[0] is None and restaurants[2] is None  # another team, not a place


def test_an_aggregators_copy_keeps_the_requisition_its_url_was_stored_with(fresh_db):
    text = posting_text("Data Scientist", "This role is based in our San Francisco office.")
    store(fresh_db, [dict(posting(f"{BASE}/fellows", "Fellows Program", text), requisition_id="4381824008",
                          external_id="5023394008")], "2026-03-02")
    # The same URL again, from an aggregator that gives the job id but not the requisition.
    store(fresh_db, [dict(posting(f"{BASE}/fellows", "Fellows Program", text, spider="ingest", source="aggregator"),
                          external_id="5023394008")], "2026-03-03")
    assert fresh_db.execute("SELECT external_id, requisition_id FROM postings").fetchall() == [
        ("5023394008", "4381824008")]


def test_one_job_id_in_two_cities_of_one_country_is_one_posting(fresh_db):
    text = posting_text("Backend Engineer", "Join the platform team.")
    store(fresh_db, acme_roles()[1:], "2026-03-02")
    store(fresh_db, [dict(posting(f"{BASE}/chemnitz", "Backend Engineer", text, location="Chemnitz, Sachsen, Germany"),
                          external_id="8670749002"),
                     dict(posting("https://aggregator.example/jobs/berlin", "Backend Engineer", text + "\nApply.",
                                  location="Berlin, Germany", spider="ingest", source="aggregator"),
                          external_id="8670749002"),
                     dict(posting("https://aggregator.example/jobs/london", "Backend Engineer", text + "\nApply!",
                                  location="London, UK", spider="ingest", source="aggregator"),
                          external_id="8670749002")], "2026-03-03")
    run_dedupe(fresh_db)
    chemnitz, berlin = row(fresh_db, f"{BASE}/chemnitz"), row(fresh_db, "https://aggregator.example/jobs/berlin")
    london = row(fresh_db, "https://aggregator.example/jobs/london")
    assert chemnitz[0] == berlin[0] == doc_id(fresh_db, f"{BASE}/chemnitz")  # the employer's copy counts
    assert london[0] is None and london[2] == chemnitz[2] is not None  # another country: one job, two places


def test_a_title_that_drops_a_team_name_the_text_still_uses():
    assert title_within(title_key("Sr. Machine Learning Engineer, Earner Growth"),
                        title_key("Sr. Machine Learning Engineer"))
    assert not title_within(title_key("Senior Engineer, Payments"), title_key("Engineer"))
    # a language one title asks for is checked against the other's text (next test)
    assert title_within(title_key("Account Executive (Bilingual Required)"), title_key("Account Executive"))
    assert not title_within(title_key("Senior Account Executive (Bilingual)"), title_key("Account Executive"))


def test_a_language_the_title_asks_for_must_be_required_by_the_other_text(fresh_db):
    # Real Uber pairs: "(Bilingual Spanish Required)" reposted as the plain title with the
    # same text, "Fluent in Spanish" and all, is one job; "(Bilingual Required)" beside
    # the plain title whose text asks for no second language is another requisition.
    spanish = posting_text("Data Scientist", "Grow restaurants on Uber Eats.", extra=["Fluent in Spanish"])
    plain = posting_text("Data Scientist", "Sell to restaurants.")
    asks = plain + "\nFluency in a second language is required."
    store(fresh_db, [r for r in acme_roles() if r["title"] != "Data Scientist"], "2026-03-02")
    store(fresh_db, [posting(f"{BASE}/es", "Data Scientist, UberEats (Bilingual Spanish Required)", spanish),
                     posting(f"{BASE}/es-repost", "Data Scientist", spanish)], "2026-03-03")
    store(fresh_db, [posting(f"{BASE}/plain", "Data Scientist, Restaurants", plain, location="Chicago, IL"),
                     posting(f"{BASE}/bilingual", "Data Scientist, Restaurants (Bilingual Required)", asks,
                             location="Chicago, IL")], "2026-03-04")
    run_dedupe(fresh_db)
    es, repost = row(fresh_db, f"{BASE}/es"), row(fresh_db, f"{BASE}/es-repost")
    assert es[0] == repost[0] is not None
    assert row(fresh_db, f"{BASE}/plain")[0] is None


def test_a_team_word_absent_from_the_other_text_keeps_identical_texts_apart(fresh_db):
    text = posting_text("Data Scientist", "Join the platform team.")
    store(fresh_db, [r for r in acme_roles() if r["title"] != "Data Scientist"], "2026-03-02")
    store(fresh_db, [posting(f"{BASE}/plain", "Data Scientist", text),
                     posting(f"{BASE}/payments", "Data Scientist, Payments", text),
                     posting(f"{BASE}/platform", "Data Scientist, Platform", text + "\nApply today.")], "2026-03-03")
    run_dedupe(fresh_db)
    plain, payments, platform = (row(fresh_db, f"{BASE}/{x}") for x in ("plain", "payments", "platform"))
    assert payments[0] is None  # 'payments' is in neither text: another team on one template
    assert plain[0] == platform[0] is not None  # the platform team is what the text is about


def test_years_of_experience_tell_two_levels_on_one_template_apart():
    a = frozenset(split_units("Storage systems.\n8+ years of experience in distributed systems\nShip safe code."))
    b = frozenset(split_units("Storage systems.\n12+ years of experience in distributed systems\nShip safe code."))
    edited = frozenset(split_units("Storage systems.\n8+ years of experience in distributed systems\n"
                                   "Ship safe code and review designs."))
    assert experience_differs(a, b)
    assert not experience_differs(a, edited)


def test_a_place_only_the_title_names_is_the_postings_place():
    bay = posting_location_key("Senior Customer Engineer, Digital Native - Bay Area", "Hybrid")
    los_angeles = posting_location_key("Senior Customer Engineer, Digital Native - Los Angeles", "Distributed")
    assert not locations_compatible(bay, los_angeles)
    assert posting_location_key("Backend Engineer - Berlin", "Madrid, Spain") == location_key("Madrid, Spain")
    assert posting_location_key("Backend Engineer - Payments", None) == ""
