"""The gazetteer: canonical cities, their metro areas, and the name index over them.

Data are the compact tables in ``skillenai/classify/data/places/`` derived once from GeoNames (CC BY
4.0) and the HUD ZIP→CBSA crosswalk by ``tools/build_places.py``; nothing is
read until the first lookup, then everything stays in memory (about 1 s to load).

Two entities per resolved place:

- the **city**: a GeoNames city, id ``entity_id("city", "Name, ADMIN1, CC")``;
- its **metro** area, named after the metro's anchor city (the most populous city of the
  US CBSA, elsewhere the largest city within ~50 km), id
  ``entity_id("metro", "Name, ADMIN1, CC")``. Oakland and San Mateo are in the
  "San Francisco" metro; Mountain View and Sunnyvale in "San Jose"; Potsdam in "Berlin".

``admin1`` is a short code for the first-level division: the postal code in the US
("CA"), the ISO 3166-2 suffix where ``admin1_names.tsv`` lists the country ("ON", "KA",
"BY", "ENG"), and the GeoNames admin1 code elsewhere.
"""

from __future__ import annotations

import gzip
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from skillenai.classify.resources import CLASSIFY_DATA
from skillenai.core.ids import entity_id

log = logging.getLogger(__name__)

DATA_DIR = CLASSIFY_DATA / "places"

# How a name reached a city; higher wins ties (see ``Gazetteer.lookup``).
ALTERNATE, PRIMARY, ALIAS = 0, 1, 2

_DASHES = re.compile(r"[\u2010-\u2015\u2212_]")
_NON_WORD = re.compile(r"[^\w\s&]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of a name, for index keys.

    >>> fold("  Zürich ") == fold("ZURICH") == "zurich"
    True
    >>> fold("St. John's")
    'st johns'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L").replace("đ", "d")
    text = text.replace("'", "").replace("’", "").replace("`", "")
    text = _DASHES.sub(" ", text.casefold())
    text = _NON_WORD.sub(" ", text.replace("-", " "))
    return _SPACES.sub(" ", text).strip()


def code_form(text: str) -> str:
    """Upper-case code form of a short token ("U.S." → "US"); "" if it is not code-like."""
    t = text.replace(".", "").replace(" ", "").strip()
    if 1 < len(t) <= 4 and t.isalpha() and t.isupper():
        return t
    return ""


def read_sections(path: Path) -> dict[str, set[str]]:
    """A ``[section]`` word list: folded words per section; ``#`` starts a comment line."""
    sections: dict[str, set[str]] = {}
    current = None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif current is None:
            raise ValueError(f"{path}:{lineno}: word before the first [section]")
        else:
            current.add(fold(line))
    return sections


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved city and the metro area it belongs to."""

    city_id: str
    city: str
    admin1: str
    country: str
    lat: float
    lon: float
    metro_id: str
    metro: str
    population: int
    geonameid: int = 0

    @property
    def region(self) -> str | None:
        """The readable name of its first-level region ("California", "Lesser Poland")."""
        return region_name(self.country, self.admin1)

    @property
    def label(self) -> str:
        """How to show it where namesakes may meet: "Dublin, CA, US", "Dublin, IE"."""
        return place_label(self.city, self.admin1, self.country)

    def as_dict(self) -> dict:
        return {
            "city_id": self.city_id, "city": self.city, "admin1": self.admin1, "region": self.region,
            "country": self.country, "label": self.label, "lat": self.lat, "lon": self.lon,
            "metro_id": self.metro_id, "metro": self.metro, "population": self.population,
            "geonameid": self.geonameid,
        }


# Countries whose first-level regions people write by their postal abbreviation ("Austin,
# TX", "Toronto, ON", "Sydney, NSW"); elsewhere a region's code (GeoNames' "MA" for Lesser
# Poland) means nothing to a reader and labels leave it out.
POSTAL_REGION_COUNTRIES = frozenset({"US", "CA", "AU"})


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points.

    >>> round(distance_km(37.77, -122.42, 37.34, -121.89))  # San Francisco to San Jose
    67
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def place_label(city: str, admin1: str | None, country: str | None) -> str:
    """A city's display label: its region's postal code where people write one, and its
    country, so that namesakes differ.

    >>> place_label("Dublin", "CA", "US"), place_label("Dublin", "L", "IE"), place_label("Kraków", "MA", "PL")
    ('Dublin, CA, US', 'Dublin, IE', 'Kraków, PL')
    """
    parts = [city]
    if admin1 and country in POSTAL_REGION_COUNTRIES:
        parts.append(admin1)
    if country:
        parts.append(country)
    return ", ".join(parts)


def region_name(country: str | None, admin1: str | None) -> str | None:
    """The readable name of a first-level region from its code ("US", "CA" → "California";
    "PL", "MA" → "Lesser Poland"), or ``None``.

    >>> region_name("US", "CA"), region_name("PL", "MA")
    ('California', 'Lesser Poland')
    """
    if not country or not admin1:
        return None
    return gazetteer().admin_names.get((country, admin1))


@dataclass(frozen=True, slots=True)
class Metro:
    id: str
    key: str
    name: str
    admin1: str
    country: str
    lat: float
    lon: float
    cbsa: str
    population: int
    anchor: int


@dataclass(frozen=True, slots=True)
class City:
    """One row of the city table."""

    row: int
    geonameid: int
    key: str
    name: str
    country: str
    admin1: str
    lat: float
    lon: float
    population: int
    metro_anchor: int


@dataclass(slots=True)
class Entry:
    """Everything one name can mean."""

    cities: list[tuple[int, int]]  # (city row, ALTERNATE|PRIMARY|ALIAS)
    admins: list[tuple[str, str]]  # (country, admin1 code)
    country: str | None = None
    region: str | None = None


def _read_lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [ln for ln in fh.read().split("\n") if ln.strip() and not ln.startswith("#")]


def _tsv_rows(path: Path):
    lines = _read_lines(path)
    header = lines[0].split("\t")
    for line in lines[1:]:
        yield dict(zip(header, line.split("\t")))


class Gazetteer:
    """City, metro, admin1, country and region tables with a name index, all in memory.

    Rows are parsed when first asked for, so loading is little more than reading the
    index into a dict.
    """

    def __init__(self, data_dir: Path = DATA_DIR):
        self.data_dir = data_dir
        self.admin_names: dict[tuple[str, str], str] = {}
        self.country_names: dict[str, str] = {}
        self.regions: set[str] = set()
        self._names: dict[str, str] = {}  # folded name → "row:how,row:how"
        self._codes_raw: dict[str, str] = {}  # upper-case alias → "row:how"
        self._other: dict[str, Entry] = {}  # folded name → admin1/country/region meaning
        self._other_codes: dict[str, Entry] = {}
        self._city_lines: list[str] = []
        self._cities: dict[int, City] = {}
        self._metro_lines: dict[int, str] = {}
        self._metros: dict[int, Metro] = {}
        self._places: dict[int, Place] = {}
        self._lookups: dict[tuple[str, bool], Entry | None] = {}
        self._load()

    # -- loading ---------------------------------------------------------------------------
    def _other_entry(self, key: str, code: bool = False) -> Entry:
        table = self._other_codes if code else self._other
        e = table.get(key)
        if e is None:
            e = table[key] = Entry([], [])
        return e

    def _load(self) -> None:
        words = read_sections(self.data_dir / "nonplace_words.txt")
        self.never = words.get("never", set())
        self.text_ambiguous = words.get("text", set())
        lines = _read_lines(self.data_dir / "cities.tsv.gz")
        expected = "geonameid\tkey\tname\tcountry\tadmin1\tadmin1_geonames\tlat\tlon\tpopulation\tmetro\taliases"
        if lines[0] != expected:
            raise ValueError(f"{self.data_dir / 'cities.tsv.gz'}: unexpected columns {lines[0]!r}")
        self._city_lines = lines[1:]
        for line in _read_lines(self.data_dir / "metros.tsv.gz")[1:]:
            self._metro_lines[int(line[: line.index("\t")])] = line
        names, codes = self._names, self._codes_raw
        for line in _read_lines(self.data_dir / "names.tsv.gz"):
            key, _, value = line.partition("\t")
            if key.startswith("="):
                codes[key[1:]] = value
            else:
                names[key] = value
        self.max_words = 6
        for row in _tsv_rows(self.data_dir / "admin1.tsv"):
            c, code = row["country"], row["code"]
            self.admin_names[(c, code)] = row["name"]
            for name in [row["name"], *filter(None, row["aliases"].split("|"))]:
                cf = code_form(name)
                target = self._other_entry(cf, True) if cf and len(fold(name)) <= 3 else self._other_entry(fold(name))
                if (c, code) not in target.admins:
                    target.admins.append((c, code))
            if c == "US" or code.isalpha():
                ce = self._other_entry(code.upper(), True)
                if (c, code) not in ce.admins:
                    ce.admins.append((c, code))
        for row in _tsv_rows(self.data_dir / "countries.tsv"):
            iso2 = row["iso2"]
            self.country_names[iso2] = row["name"]
            self._other_entry(iso2, True).country = iso2
            self._other_entry(row["iso3"], True).country = iso2
            for name in [row["name"], *filter(None, row["aliases"].split("|"))]:
                cf = code_form(name)
                if cf and len(fold(name)) <= 3:
                    self._other_entry(cf, True).country = iso2
                    if cf in ("USA", "UK", "UAE"):
                        self._other_entry(fold(name)).country = iso2
                else:
                    k = fold(name)
                    self._other_entry(k).country = iso2
                    if k.startswith("the "):
                        self._other_entry(k[4:]).country = iso2
        for line in (self.data_dir / "regions.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            canonical, aliases = line.split("\t")
            self.regions.add(canonical)
            for alias in aliases.split("|"):
                cf = code_form(alias)
                if cf and alias.isupper():
                    self._other_entry(cf, True).region = canonical
                else:
                    self._other_entry(fold(alias)).region = canonical
                    # "Anywhere", "Worldwide" are never cities, but they are regions.
                    self.never.discard(fold(alias))

    # -- lookups ---------------------------------------------------------------------------
    @staticmethod
    def _decode(raw: str | None) -> list[tuple[int, int]]:
        if not raw:
            return []
        out = []
        for item in raw.split(","):
            r, _, h = item.partition(":")
            out.append((int(r), int(h)))
        return out

    def lookup_key(self, key: str) -> Entry | None:
        """What a folded name means, or None."""
        hit = self._lookups.get((key, False), False)
        if hit is not False:
            return hit
        raw = self._names.get(key)
        other = self._other.get(key)
        e = None
        if raw is not None or other is not None:
            e = Entry(self._decode(raw), list(other.admins) if other else [],
                      other.country if other else None, other.region if other else None)
        self._lookups[(key, False)] = e
        return e

    def lookup_code(self, code: str) -> Entry | None:
        """What an upper-case code ("CA", "USA", "SF", "EMEA") means, or None."""
        hit = self._lookups.get((code, True), False)
        if hit is not False:
            return hit
        raw = self._codes_raw.get(code)
        other = self._other_codes.get(code)
        e = None
        if raw is not None or other is not None:
            e = Entry(self._decode(raw), list(other.admins) if other else [],
                      other.country if other else None, other.region if other else None)
        self._lookups[(code, True)] = e
        return e

    def lookup(self, text: str) -> Entry | None:
        """What a name (any case) or an upper-case code means, merged; None if nothing."""
        e = self.lookup_key(fold(text))
        cf = code_form(text)
        c = self.lookup_code(cf) if cf else None
        if c is None:
            return e
        if e is None:
            return c
        return Entry(
            cities=e.cities + [x for x in c.cities if x not in e.cities],
            admins=e.admins + [x for x in c.admins if x not in e.admins],
            country=e.country or c.country, region=e.region or c.region,
        )

    def city(self, row: int) -> City:
        c = self._cities.get(row)
        if c is None:
            gid, key, name, country, admin1, _, lat, lon, pop, metro, _ = self._city_lines[row].split("\t")
            c = self._cities[row] = City(row, int(gid), key, name, country, admin1, float(lat), float(lon),
                                         int(pop), int(metro))
        return c

    def metro(self, anchor: int) -> Metro | None:
        m = self._metros.get(anchor)
        if m is None:
            line = self._metro_lines.get(anchor)
            if line is None:
                return None
            a, key, name, country, admin1, lat, lon, cbsa, pop = line.split("\t")
            m = self._metros[anchor] = Metro(entity_id("metro", key), key, name, admin1, country, float(lat),
                                             float(lon), cbsa, int(pop), anchor)
        return m

    def all_metros(self) -> list[Metro]:
        return [self.metro(a) for a in self._metro_lines]

    def place(self, row: int) -> Place:
        p = self._places.get(row)
        if p is None:
            c = self.city(row)
            m = self.metro(c.metro_anchor)
            p = self._places[row] = Place(
                city_id=entity_id("city", c.key), city=c.name, admin1=c.admin1, country=c.country, lat=c.lat,
                lon=c.lon, metro_id=m.id if m else "", metro=m.name if m else "", population=c.population,
                geonameid=c.geonameid,
            )
        return p

    def score(self, row: int, how: int) -> float:
        """Prior for a candidate: log population, plus 1 (10×) for a GeoNames name and 3
        for a curated alias, so alternate-name traps lose to the real owner."""
        return math.log10(max(self.city(row).population, 10)) + (0.0, 1.0, 3.0)[how]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The shared gazetteer, loaded on first use."""
    return Gazetteer()


def metro_table() -> list[dict]:
    """Every metro entity, for the store: id, name, admin1, country, lat, lon (+ cbsa,
    population, key), sorted by id."""
    rows = [
        {"id": m.id, "name": m.name, "admin1": m.admin1, "country": m.country, "lat": m.lat, "lon": m.lon,
         "cbsa": m.cbsa or None, "population": m.population, "key": m.key}
        for m in gazetteer().all_metros()
    ]
    rows.sort(key=lambda r: r["id"])
    return rows


def metro_by_id(metro_id: str) -> Metro | None:
    """The metro with this entity id, or None."""
    g = gazetteer()
    index = getattr(g, "_metro_by_id", None)
    if index is None:
        index = g._metro_by_id = {m.id: m for m in g.all_metros()}
    return index.get(metro_id)
