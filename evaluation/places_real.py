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
import re
import sys
from pathlib import Path

from skillenai.classify.places.gazetteer import distance_km, fold
from skillenai.classify.places.mentions import RADIUS_KM

HERE = Path(__file__).resolve().parent
STRINGS = HERE / "data" / "places" / "real_locations.jsonl"
FLOORS_FILE = HERE / "places_floors.json"


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
        if not any(distance_km(p["lat"], p["lon"], q.lat, q.lon) <= RADIUS_KM for q in result.places):
            wrong.append(f"missed {p['city']}, {p.get('admin1')}, {p.get('country')}")
    allowed: set[str] = set()
    for p in gold_regions:
        codes = _region_codes(p)
        allowed |= codes
        if not (codes & set(result.regions) or any(_in_region(q, c) for q in result.places for c in codes)):
            wrong.append(f"missed region {'/'.join(sorted(c for c in codes if c))}")
    for q in result.places:
        if not any(distance_km(p["lat"], p["lon"], q.lat, q.lon) <= RADIUS_KM for p in gold_cities) \
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


# -- places named in posting text ------------------------------------------------------------

def score_text(rows: list[dict], predicted: list[list], top: int = 25) -> dict:
    """Figures for cities read in real posting text (``predicted``: per text, its
    :class:`~skillenai.classify.places.mentions.PlaceMention` list).

    - ``precision``: share of mentions that overlap a labelled place and name it
      (:func:`~skillenai.classify.places.mentions.label_fits`: within :data:`RADIUS_KM` of a
      labelled city, in a labelled metro's or county's state, a city-state for its country);
    - ``recall``: share of labelled cities (kind ``city``) some right mention names;
    - ``job_precision`` / ``job_recall``: the same for the mentions read as the job's
      location, against the places labelled as the job's (``role`` ``job``);
    - ``false``: the commonest wrong mentions, ``missed`` the commonest missed cities."""
    from collections import Counter

    from skillenai.classify.places.mentions import label_fits

    n_pred = right = n_job = job_right = 0
    gold_cities = found = gold_job = job_found = 0
    false: Counter = Counter()
    missed: Counter = Counter()
    for row, mentions in zip(rows, predicted, strict=True):
        places = row["places"]
        hit_gold: set[int] = set()
        hit_job: set[int] = set()
        for m in mentions:
            over = [k for k, g in enumerate(places) if g["start"] < m.end and m.start < g["end"]]
            good = [k for k in over if label_fits(places[k], m.place)]
            n_pred += 1
            right += bool(good)
            hit_gold.update(good)
            if not good:
                what = "names " + "/".join(places[k]["kind"] for k in over) if over else "no place"
                false[f"{m.text} -> {m.place.city}, {m.place.admin1}, {m.place.country} ({what})"] += 1
            if m.is_job_location:
                n_job += 1
                job_good = [k for k in good if places[k]["role"] == "job"]
                job_right += bool(job_good)
                hit_job.update(job_good)
        for k, g in enumerate(places):
            if g["kind"] != "city":
                continue
            gold_cities += 1
            found += k in hit_gold
            if k not in hit_gold:
                missed[g["text"]] += 1
            if g["role"] == "job":
                gold_job += 1
                job_found += k in hit_job

    def ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 0.0

    return {"texts": len(rows), "mentions": n_pred, "labelled_cities": gold_cities,
            "precision": ratio(right, n_pred), "recall": ratio(found, gold_cities),
            "job_precision": ratio(job_right, n_job), "job_recall": ratio(job_found, gold_job),
            "false": false.most_common(top), "missed": missed.most_common(top)}


def text_rows(held: bool | None = True) -> list[dict]:
    from skillenai.classify.places.mentions import real_mentions

    return real_mentions(held)


def evaluate_text(held: bool | None = True, top: int = 25) -> dict:
    """:func:`score_text` for :func:`skillenai.classify.places.mentions.places_in_text` on
    the held-out labelled texts (``held=None``: all of them, training part included)."""
    from skillenai.classify.places.mentions import places_in_text

    rows = text_rows(held)
    return score_text(rows, [places_in_text(r["text"]) for r in rows], top)


def floors() -> dict:
    return json.loads(FLOORS_FILE.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.places_real",
                                     description="Score place reading on real location strings.")
    parser.add_argument("--failures", type=int, default=40, help="how many failures to list")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--all-texts", action="store_true",
                        help="score place mentions on every labelled text, not only the held-out ones")
    args = parser.parse_args(argv)
    r = score_strings()
    t = evaluate_text(None if args.all_texts else True, args.failures)
    if args.json:
        print(json.dumps({"strings": r, "text": t}, indent=2, ensure_ascii=False))
        return 0
    print(f"strings: {r['strings']} real location strings: right {r['accuracy']:.3f}  "
          f"remote flag {r['remote_accuracy']:.3f}  hybrid flag {r['hybrid_accuracy']:.3f}")
    for f in r["failures"][:args.failures]:
        print(f"  {f['input']!r}: {'; '.join(f['wrong'])}  [parsed: {' | '.join(f['parsed']) or '-'}]")
    print(f"\ntext: {t['texts']} {'labelled' if args.all_texts else 'held-out'} posting texts, "
          f"{t['labelled_cities']} labelled cities, {t['mentions']} read: precision {t['precision']:.3f} "
          f"recall {t['recall']:.3f}; as the job's location: precision {t['job_precision']:.3f} "
          f"recall {t['job_recall']:.3f}")
    print("  commonest wrong: " + ", ".join(f"{k!r} {n}" for k, n in t["false"]))
    print("  commonest missed: " + ", ".join(f"{k!r} {n}" for k, n in t["missed"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
