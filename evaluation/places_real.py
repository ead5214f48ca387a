"""Places scored on real postings that nobody here wrote.

``strings``: every distinct location string of the real-data pack
(``evaluation/data/places/real_locations.jsonl``: 337 strings as ATS APIs and career sites
write them, labelled by hand with the places they name and their remote and hybrid flags),
read by :func:`skillenai.classify.places.locations.parse_locations`. A string is right when

- every labelled city has a parsed city within :data:`RADIUS_KM` of it;
- every labelled state, country or region without a city is among the parsed regions, or
  holds a parsed city ("Austin, TX; Texas" needs nothing more than Austin);
- no parsed city lies farther than :data:`RADIUS_KM` from every labelled city (a wrong
  extra city makes the string wrong), and no parsed region is outside what was labelled
  (a region the string itself names, "Madrid, Europe, ES", may be read beside the city; a
  city that is its own country or state, Singapore or Washington, DC, stands for it).

Figures: ``accuracy`` (share of strings right), ``remote_accuracy`` and
``hybrid_accuracy`` (share of strings whose flag is right), and the failures, each with what
was labelled and what was parsed. CI holds them to ``evaluation/places_floors.json``.

    python -m evaluation.places_real [--failures 40] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from skillenai.classify.places.gazetteer import fold

HERE = Path(__file__).resolve().parent
STRINGS = HERE / "data" / "places" / "real_locations.jsonl"
FLOORS_FILE = HERE / "places_floors.json"
RADIUS_KM = 25.0


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance.

    >>> round(_km(37.77, -122.42, 37.34, -121.89))  # San Francisco to San Jose
    67
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def read_strings(path: Path = STRINGS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _region_codes(place: dict) -> set[str]:
    """The parser's region codes a labelled state, country or region may appear as."""
    from skillenai.classify.places.gazetteer import gazetteer

    if place.get("region"):
        entry = gazetteer().lookup(place["region"])  # "Southeast Asia" is the parser's "Asia"
        return {entry.region if entry is not None and entry.region else place["region"]}
    country, admin1 = place.get("country"), place.get("admin1")
    if not admin1:
        return {country}
    if country == "US":
        return {f"US-{admin1}"}
    entry = gazetteer().lookup(admin1)
    return {f"{c}-{a}" for c, a in (entry.admins if entry else []) if c == country} or {f"{country}-{admin1}"}


def _in_region(city, code: str) -> bool:
    country, _, admin1 = code.partition("-")
    return city.country == country and (not admin1 or city.admin1 == admin1)


def judge(row: dict, result) -> list[str]:
    """What is wrong with ``result`` (a :class:`LocationResult`) for the labelled ``row``;
    empty when it is right."""
    wrong = []
    gold_cities = [p for p in row["places"] if p.get("city")]
    gold_regions = [p for p in row["places"] if not p.get("city")]
    for p in gold_cities:
        if not any(_km(p["lat"], p["lon"], q.lat, q.lon) <= RADIUS_KM for q in result.places):
            wrong.append(f"missed {p['city']}, {p.get('admin1')}, {p.get('country')}")
    allowed: set[str] = set()
    for p in gold_regions:
        codes = _region_codes(p)
        allowed |= codes
        if not (codes & set(result.regions) or any(_in_region(q, c) for q in result.places for c in codes)):
            wrong.append(f"missed region {'/'.join(sorted(c for c in codes if c))}")
    for q in result.places:
        if not any(_km(p["lat"], p["lon"], q.lat, q.lon) <= RADIUS_KM for p in gold_cities) \
                and not _names_the_region(q, allowed):
            wrong.append(f"wrong city {q.city}, {q.admin1}, {q.country}")
    for code in result.regions:
        country = code.partition("-")[0]
        ok = code in allowed or any(c and c.partition("-")[0] == country for c in allowed) \
            or any(p.get("country") == country for p in gold_cities) or "Worldwide" in allowed \
            or (not _COUNTRY_CODE.match(code) and fold(code) in fold(row["input"]))
        if not ok:
            wrong.append(f"wrong region {code}")
    return wrong


_COUNTRY_CODE = re.compile(r"^[A-Z]{2}(?:-|$)")


def _names_the_region(city, allowed: set[str]) -> bool:
    """A city that is its region: Singapore or Luxembourg for the country, Washington for
    the District of Columbia."""
    from skillenai.classify.places.gazetteer import gazetteer

    if f"{city.country}-{city.admin1}" == "US-DC" and "US-DC" in allowed:
        return True
    entry = gazetteer().lookup(city.city)
    return city.country in allowed and entry is not None and entry.country == city.country


def score_strings(rows: list[dict] | None = None) -> dict:
    from skillenai.classify.places.locations import parse_locations

    rows = read_strings() if rows is None else rows
    right = remote_ok = hybrid_ok = 0
    failures = []
    for row in rows:
        result = parse_locations(row["input"])
        wrong = judge(row, result)
        right += not wrong
        remote_ok += result.remote == row["remote"]
        hybrid_ok += result.hybrid == row["hybrid"]
        if wrong or result.remote != row["remote"] or result.hybrid != row["hybrid"]:
            flags = [f"remote {result.remote} (labelled {row['remote']})"] if result.remote != row["remote"] else []
            flags += [f"hybrid {result.hybrid} (labelled {row['hybrid']})"] if result.hybrid != row["hybrid"] else []
            failures.append({"input": row["input"], "wrong": wrong + flags,
                             "parsed": [f"{q.city}, {q.admin1}, {q.country}" for q in result.places] + result.regions})
    n = len(rows)
    return {"strings": n, "accuracy": round(right / n, 4), "remote_accuracy": round(remote_ok / n, 4),
            "hybrid_accuracy": round(hybrid_ok / n, 4), "failures": failures}


def floors() -> dict:
    return json.loads(FLOORS_FILE.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.places_real",
                                     description="Score place reading on real location strings.")
    parser.add_argument("--failures", type=int, default=40, help="how many failures to list")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    r = score_strings()
    if args.json:
        print(json.dumps(r, indent=2, ensure_ascii=False))
        return 0
    print(f"strings: {r['strings']} real location strings: right {r['accuracy']:.3f}  "
          f"remote flag {r['remote_accuracy']:.3f}  hybrid flag {r['hybrid_accuracy']:.3f}")
    for f in r["failures"][:args.failures]:
        print(f"  {f['input']!r}: {'; '.join(f['wrong'])}  [parsed: {' | '.join(f['parsed']) or '-'}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
