"""Locations → cities and metros: parsing, disambiguation, free text, evaluation floors."""

import json
import time

import pytest

from skillenai.classify.places import gazetteer as metros
from skillenai.classify.places import locations, mentions
from skillenai.classify.places.gazetteer import metro_table
from skillenai.classify.places.locations import parse_locations, resolve_place
from skillenai.classify.places.mentions import places_in_text
from skillenai.core.ids import entity_id


@pytest.fixture(scope="module", autouse=True)
def gazetteer():
    """Load the name index once for the whole module (about half a second)."""
    return metros.gazetteer()


def cities(value):
    return [(p.city, p.admin1, p.country) for p in parse_locations(value).places]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("San Francisco, CA", [("San Francisco", "CA", "US")]),
        ("SF", [("San Francisco", "CA", "US")]),
        ("NYC", [("New York City", "NY", "US")]),
        ("New York, New York, United States", [("New York City", "NY", "US")]),
        ("US-CA-San Jose", [("San Jose", "CA", "US")]),
        ("US, CA, Santa Clara", [("Santa Clara", "CA", "US")]),
        ("PALO ALTO, CA", [("Palo Alto", "CA", "US")]),
        ("Mountain View, CA", [("Mountain View", "CA", "US")]),
        ("Bangalore, IND", [("Bengaluru", "KA", "IN")]),
        ("Bengaluru, Karnataka, India", [("Bengaluru", "KA", "IN")]),
        ("Romania - Bucharest", [("Bucharest", "B", "RO")]),
        ("London, UK", [("London", "ENG", "GB")]),
        ("London, England, United Kingdom", [("London", "ENG", "GB")]),
        ("San Francisco Bay Area", [("San Francisco", "CA", "US")]),
        ("SF Bay Area", [("San Francisco", "CA", "US")]),
        ("Greater Seattle Area", [("Seattle", "WA", "US")]),
        ("Toronto, ON, Canada", [("Toronto", "ON", "CA")]),
        ("München, Germany", [("Munich", "BY", "DE")]),
        ("Munich", [("Munich", "BY", "DE")]),
        ("Portland, OR", [("Portland", "OR", "US")]),
        ("Portland, ME", [("Portland", "ME", "US")]),
        ("Arlington, VA", [("Arlington", "VA", "US")]),
        ("Arlington, TX", [("Arlington", "TX", "US")]),
        ("London, ON", [("London", "ON", "CA")]),
        ("Cambridge, MA", [("Cambridge", "MA", "US")]),
        ("Cambridge, UK", [("Cambridge", "ENG", "GB")]),
        ("Paris, France", [("Paris", "IDF", "FR")]),
        ("Washington, DC", [("Washington", "DC", "US")]),
        ("DC", [("Washington", "DC", "US")]),
        ("NYC or SF", [("New York City", "NY", "US"), ("San Francisco", "CA", "US")]),
        ("SF Bay Area, Seattle and New York",
         [("San Francisco", "CA", "US"), ("Seattle", "WA", "US"), ("New York City", "NY", "US")]),
        ("Austin, TX; Denver, CO", [("Austin", "TX", "US"), ("Denver", "CO", "US")]),
        ("Boston, New York", [("Boston", "MA", "US"), ("New York City", "NY", "US")]),
        ("Vancouver, Washington", [("Vancouver", "WA", "US")]),
        ("Multiple Locations", []),
        # A city-state's country names are the city.
        ("Hong Kong SAR", [("Hong Kong", "", "HK")]),
        ("HKSAR", [("Hong Kong", "", "HK")]),
        ("Macao", [("Macau", "02", "MO")]),
        ("APAC (Singapore, Hong Kong SAR)", [("Singapore", "SG", "SG"), ("Hong Kong", "", "HK")]),
    ],
)
def test_location_strings(text, expected):
    assert cities(text) == expected


@pytest.mark.parametrize(
    "text, remote, hybrid, scope, expected",
    [
        ("Hybrid (Berlin)", False, True, None, [("Berlin", "BE", "DE")]),
        ("Hybrid (London, UK)", False, True, None, [("London", "ENG", "GB")]),
        ("Remote - US", True, False, "US", []),
        ("Remote in USA", True, False, "US", []),
        ("Remote (EMEA)", True, False, "EMEA", []),
        ("Remote - Canada", True, False, "CA", []),
        ("Remote - California", True, False, "US-CA", []),
        ("Remote - Anywhere", True, False, "Worldwide", []),
        ("New York | London | Remote", True, False, None, [("New York City", "NY", "US"), ("London", "ENG", "GB")]),
        ("Remote or Hybrid - Berlin", True, True, None, [("Berlin", "BE", "DE")]),
    ],
)
def test_remote_and_hybrid_are_flags(text, remote, hybrid, scope, expected):
    r = parse_locations(text)
    assert (r.remote, r.hybrid, r.remote_scope) == (remote, hybrid, scope)
    assert cities(text) == expected


def test_traps_are_not_cities():
    # Skill words and never-cities: no place, whatever GeoNames' alternate names say.
    for text in ("Rust", "Julia", "SAP", "Remote", "Hybrid", "Multiple Locations"):
        assert parse_locations(text).places == [], text
    assert parse_locations("Multiple Locations").unresolved == ["Multiple Locations"]
    # "Berlin" alone is the German capital, not a small US town of that name.
    assert cities("Berlin") == [("Berlin", "BE", "DE")]
    assert cities("Berlin, NH") == [("Berlin", "NH", "US")]


def test_metros_group_cities():
    sf, oakland, san_mateo = (resolve_place(x) for x in ("San Francisco", "Oakland, CA", "San Mateo, CA"))
    assert sf.metro == oakland.metro == san_mateo.metro == "San Francisco"
    assert sf.metro_id == oakland.metro_id == entity_id("metro", "San Francisco, CA, US")
    assert resolve_place("Mountain View, CA").metro == resolve_place("Sunnyvale, CA").metro == "San Jose"
    assert resolve_place("NYC").metro == "New York City"
    assert resolve_place("Potsdam, Germany").metro == "Berlin"
    assert resolve_place("Mississauga, ON").metro == "Toronto"
    # Cities keep their own entity beside the metro.
    assert sf.city_id == entity_id("city", "San Francisco, CA, US")
    assert sf.city_id != sf.metro_id


def test_structured_inputs():
    jsonld = {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Mountain View",
                                            "addressRegion": "CA", "addressCountry": "US"}}
    assert cities(jsonld) == [("Mountain View", "CA", "US")]
    assert cities({"addressLocality": "Toronto", "addressRegion": "ON",
                   "addressCountry": {"@type": "Country", "name": "Canada"}}) == [("Toronto", "ON", "CA")]
    assert cities({"addressLocality": "London", "addressCountry": "GB"}) == [("London", "ENG", "GB")]
    ashby = {"location": "Berlin", "secondaryLocations": [{"location": "Munich"}],
             "address": {"postalAddress": {"addressLocality": "Berlin", "addressCountry": "Germany"}},
             "workplaceType": "Hybrid"}
    r = parse_locations(ashby)
    assert [p.city for p in r.places] == ["Berlin", "Munich"] and r.hybrid
    lever = {"location": "San Francisco, CA", "allLocations": ["San Francisco, CA", "New York, NY"]}
    assert cities(lever) == [("San Francisco", "CA", "US"), ("New York City", "NY", "US")]
    posting = {"jobLocationType": "TELECOMMUTE",
               "applicantLocationRequirements": {"@type": "Country", "name": "USA"}}
    r = parse_locations(posting)
    assert r.remote and r.remote_scope == "US" and r.places == []
    assert cities({"name": "Austin, TX"}) == [("Austin", "TX", "US")]
    assert cities(["NYC", {"name": "SF"}]) == [("New York City", "NY", "US"), ("San Francisco", "CA", "US")]
    for empty in (None, "", {}, [], 42):
        assert parse_locations(empty).places == []


def test_resolve_place():
    p = resolve_place("PALO ALTO, CA")
    assert (p.city, p.admin1, p.country, p.metro) == ("Palo Alto", "CA", "US", "San Jose")
    assert 37 < p.lat < 38 and -123 < p.lon < -122 and p.population > 50_000
    assert resolve_place("") is None and resolve_place("Remote") is None


def test_metro_table():
    table = metro_table()
    assert len(table) > 1000
    ids = {row["id"] for row in table}
    assert len(ids) == len(table)
    for name in ("San Francisco", "New York City", "San Jose", "Berlin", "Bucharest", "Toronto", "London"):
        assert any(row["name"] == name for row in table), name
    row = next(r for r in table if r["name"] == "San Francisco" and r["country"] == "US")
    assert set(row) >= {"id", "name", "admin1", "country", "lat", "lon"}
    assert resolve_place("Oakland, CA").metro_id in ids


def test_parse_is_fast():
    texts = [json.loads(line)["input"] for line in locations.EVAL_PATH.read_text(encoding="utf-8").splitlines()]
    locations._parse_string.cache_clear()
    t0 = time.perf_counter()
    for text in texts:
        parse_locations(text)
    per_call = (time.perf_counter() - t0) / len(texts)
    assert per_call < 0.001, f"{per_call * 1000:.3f} ms per parse"


def test_places_in_free_text():
    text = (
        "Northwind Labs is headquartered in New York, with offices in London and Singapore. "
        "We're looking for a Senior Data Engineer to join our platform team in Austin, TX. "
        "This is a hybrid role: you'll be in the Austin office three days a week."
    )
    mentions = places_in_text(text)
    by_city = {}
    for m in mentions:
        assert text[m.start:m.end] == m.text
        by_city.setdefault(m.place.city, []).append(m.is_job_location)
    assert set(by_city) == {"New York City", "London", "Singapore", "Austin"}
    assert all(by_city["Austin"])
    assert not any(by_city["New York City"] + by_city["London"] + by_city["Singapore"])
    article = ("Hiring for machine learning engineers in Seattle jumped 30% this quarter. "
               "\"It's a candidate's market,\" said a recruiter at a staffing firm in Portland, Oregon.")
    m = {x.place.city: x.is_job_location for x in places_in_text(article)}
    assert m == {"Seattle": True, "Portland": False}
    # Skill words and person-like names are not places.
    assert places_in_text("Experience with Spring Boot, Rust and Julia; mobile apps a plus.") == []


def test_parser_evaluation_floor():
    floor = locations.floors()["parser_accuracy"]
    result = locations.evaluate_locations()
    assert result["examples"] >= 300
    assert result["accuracy"] >= floor, result["errors"][:10]


def test_context_model_floor_and_data():
    rows = [json.loads(x) for x in mentions.CONTEXTS_PATH.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(rows) >= 600
    assert {r["label"] for r in rows} == {"job", "other"}
    result = mentions.train_place_models(save=False)
    assert result["context"]["accuracy"] >= locations.floors()["context_accuracy"]
    assert result["context"]["test"] > 100


@pytest.mark.parametrize("text, expected", [
    # A bare name listed with places in one country is read in that country ...
    ("San Mateo; NYC; Arlington, VA", [("San Mateo", "US"), ("New York City", "US"), ("Arlington", "US")]),
    ("Cambridge; Boston, MA", [("Cambridge", "US"), ("Boston", "US")]),
    # ... unless the city there is much smaller than the one the name usually means.
    ("Paris; Austin, TX", [("Paris", "FR"), ("Austin", "US")]),
    ("London; New York", [("London", "GB"), ("New York City", "US")]),
])
def test_bare_city_names_follow_the_other_listed_places(text, expected):
    assert [(p.city, p.country) for p in parse_locations(text).places] == expected


def test_bare_names_in_text_follow_the_documents_other_places():
    text = ("Hiring in Santa Clara held up better than in San Mateo, where several large employers "
            "paused recruiting. Chicago and Austin, TX saw gains. Much of the growth came from AI teams.")
    got = [(m.place.city, m.place.country) for m in places_in_text(text)]
    assert got == [("Santa Clara", "US"), ("San Mateo", "US"), ("Chicago", "US"), ("Austin", "US")]
    # A big city keeps its usual reading next to a small namesake's country.
    assert [(m.place.city, m.place.country) for m in places_in_text(
        "The role is based in our Paris office. We also have teams in Austin, TX.")] == [("Paris", "FR"), ("Austin", "US")]


def test_an_article_is_tagged_with_every_place_it_discusses():
    from skillenai.classify.tagger import tag_documents

    article = {"id": "a", "kind": "article", "title": "Where backend hiring held up",
               "text": "Backend hiring in Denver rose 12% this quarter, while postings in Seattle fell. "
                       "Recruiters in Atlanta, GA say salaries are flat."}
    posting = {"id": "p", "kind": "posting", "title": "Backend Engineer",
               "text": "This role is based in our Denver office. Our headquarters are in Seattle."}
    a, p = tag_documents([article, posting])
    assert {x.city for x in a.places} == {"Denver", "Seattle", "Atlanta"}
    assert {x.city for x in p.places} == {"Denver"}
