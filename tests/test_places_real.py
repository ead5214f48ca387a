"""Places on real postings (evaluation/places_real.py): the figures stay above their floors,
and the failure kinds seen on real location strings each stay fixed."""

import pytest

from evaluation import places_real
from skillenai.classify.places.locations import parse_locations


def test_location_strings_stay_above_their_floors():
    got = places_real.score_strings()
    floors = places_real.floors()["strings"]
    below = {k: (got[k], v) for k, v in floors.items() if got[k] < v}
    assert not below, f"below the floor (got, floor): {below}; failures: {got['failures'][:10]}"


def test_the_labels_are_whole():
    rows = places_real.read_strings()
    assert len({r["input"] for r in rows}) == len(rows) == 337
    for r in rows:
        for p in r["places"]:
            assert (p["city"] is None) == (p["lat"] is None), r["input"]


def _cities(text):
    return [(p.city, p.admin1, p.country) for p in parse_locations(text).places]


@pytest.mark.parametrize("text, want", [
    ("Richmond, CA", [("Richmond", "CA", "US")]),  # CA the state, not Canada
    ("Woodside, CA", [("Woodside", "CA", "US")]),
    ("Richmond, BC, CA", [("Richmond", "BC", "CA")]),  # the rest of the string says Canada
    ("Toronto, CA", [("Toronto", "ON", "CA")]),
    ("Mc Lean, VA", [("McLean", "VA", "US")]),
    ("Mc Lean, Virginia", [("McLean", "VA", "US")]),
    ("Annapolis Junction, MD", [("Columbia", "MD", "US")]),  # not Annapolis
    ("Fort Sam Houston, TX", [("San Antonio", "TX", "US")]),  # not Houston
    ("Crystal City, VA", [("Arlington", "VA", "US")]),  # not Crystal City, TX
    ("Hybrid (San Mateo)", [("San Mateo", "CA", "US")]),
    ("Hybrid (Santa Clara)", [("Santa Clara", "CA", "US")]),
    ("San Francisco, CA, More...", [("San Francisco", "CA", "US")]),  # not Mora
    ("Brazil, United States", []),  # two countries, not Brazil, IN
    ("Jamaica, Mexico", []),
    ("New York, NY, Portland, OR", [("New York City", "NY", "US"), ("Portland", "OR", "US")]),
])
def test_real_location_string_failures_stay_fixed(text, want):
    assert _cities(text) == want


def test_a_town_unknown_here_is_no_guess_elsewhere():
    r = parse_locations("Palmyra Junction, NJ")
    assert r.places == [] and r.regions == ["US-NJ"]


def test_regions_and_remote_scopes():
    assert parse_locations("LATAM, Europe, Central America").regions == ["LATAM", "Europe"]
    assert parse_locations("Global").remote is False  # a global team need not be remote
    assert parse_locations("Worldwide").remote is True
    assert parse_locations("Anywhere in the US- Remote").regions == ["US"]
    assert parse_locations("EMEA (location flexible)").remote is True
