"""Job locations: location strings and structured addresses → cities, metros, remote flags.

``parse_locations`` reads what postings write ("San Francisco, CA", "US-CA-San Jose",
"Remote - US", "Hybrid (London, UK)", "NYC or SF", JSON-LD ``PostalAddress`` dicts, ATS
location fields) and resolves each place to a GeoNames city and its metro area through
:mod:`skillenai.classify.places.gazetteer`. Remote and hybrid are flags with an optional scope, never a city.

Places named in free text are :mod:`skillenai.classify.places.mentions`' work.

How names are disambiguated: a location string is split into segments (";", "|", "/",
" or ", " and ") and tokens (",", " - ", parentheses); tokens are looked up whole, else by
the longest known word n-grams; tokens that agree (a city with its state or country, in
either order) form one location. Among the cities a name can mean, the one whose state and
country agree with the other tokens wins; then curated aliases over GeoNames names over
alternate names, then population.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from skillenai.classify.places.gazetteer import (
    ALIAS,
    ALTERNATE,
    DATA_DIR,
    Entry,
    Place,
    code_form,
    fold,
    gazetteer,
    metro_table,
)
from skillenai.classify.training import read_floors
from skillenai.classify.workplace import HYBRID, REMOTE, label_flags

__all__ = [
    "LocationResult",
    "Place",
    "metro_table",
    "parse_locations",
    "resolve_place",
]

log = logging.getLogger(__name__)

EVAL_PATH = DATA_DIR / "eval_locations.jsonl"
FLOORS_PATH = DATA_DIR / "floors.json"

SMALL_CITY = 5_000  # below: needs an agreeing state or country
SCAN_MIN_POP = 15_000  # a city found inside a longer token needs this many people, or a qualifier
REGION_OVER_CITY_POP = 100_000  # "California" is the state, not California, MD
# Countries that are one city: a name of the country ("Hong Kong SAR", "Macao") is the city.
CITY_STATES = frozenset({"SG", "HK", "MO", "MC", "GI", "VA"})


@dataclass(frozen=True, slots=True)
class LocationResult:
    """What one location value says: places, remote/hybrid flags, and leftovers."""

    places: list[Place] = field(default_factory=list)
    remote: bool = False
    hybrid: bool = False
    remote_scope: str | None = None
    unresolved: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)  # countries/states/regions named without a city

    def as_dict(self) -> dict:
        return {
            "places": [p.as_dict() for p in self.places], "remote": self.remote, "hybrid": self.hybrid,
            "remote_scope": self.remote_scope, "unresolved": list(self.unresolved), "regions": list(self.regions),
        }


# -- splitting -----------------------------------------------------------------------------

_SEGMENT = re.compile(r"\s*(?:;|\||\n|•|·|\s/\s|/|\s+or\s+|\s+and\s+|\s+&\s+|\s\+\s)\s*", re.I)
_TOKEN = re.compile(r"\s*(?:,|\s[-–—]+\s|[-–—]{2,}|\(|\)|\[|\]|:|\s+in\s+|\s+within\s+|\s+near\s+)\s*", re.I)
_CODE_CHAIN = re.compile(r"^[A-Z]{2,3}(?:-[A-Z0-9]{1,3})?-\S")
_WORD = re.compile(r"[^\s\-–—/]+")
_DIGITS = re.compile(r"\d")
_MC_SPACE = re.compile(r"\bMc\s+(?=[A-Z])")
_ANYWHERE = re.compile(r"\b(?:worldwide|anywhere|everywhere)\b", re.I)
_ANYWHERE_IN = re.compile(r"\banywhere\s+(?:in|within)\b(?!\s+the\s+world)", re.I)

NOISE = {
    "greater", "area", "areas", "metro", "metropolitan", "region", "hq", "headquarters", "office", "offices",
    "campus", "downtown", "centre", "center", "based", "location", "locations", "onsite", "on site",
    "on-site", "in office", "in-office", "in person", "in-person", "only", "first", "friendly", "ok", "optional",
    "eligible", "full", "fully", "time", "full time", "part time", "within", "from", "the", "of", "any",
    "possible", "preferred", "required", "must", "be", "near", "at", "to", "for", "with", "city", "county",
    "state", "province", "country", "hub", "site", "team", "teams", "all", "other", "various", "multiple",
    "several", "flexible", "travel", "nationwide", "tbd", "n a", "na", "none", "usa based", "us based", "based in",
    "and", "or", "in", "candidates", "open", "to", "relocation", "hiring", "job", "jobs", "role", "position",
    "positions", "work", "office based", "main", "new", "opportunity", "apply", "global hq", "virtual",
    "field", "home", "same", "timezone", "time zone", "hours", "zone",
    "overlap", "must be", "located", "employees", "employee", "residents", "resident", "authorized",
    "authorization", "permit", "visa", "sponsorship", "preferably", "ideally", "but", "not", "also", "only",
    "more", "and more", "others",  # "San Francisco, CA, More..." (a list cut short), not Mora
}
# Words that make a name another place than the city inside it: "Annapolis Junction" is not
# Annapolis, "Fort Sam Houston" not Houston, "Palm Beach Gardens" not Palm Beach.
PLACE_WORDS = frozenset("""junction fort ft heights springs spring beach gardens park falls hills hill station village
township twp harbor harbour lake lakes valley creek point mount mt port ridge grove landing crossing mills
estates shores plains bluffs base afb""".split())
# A name written without a qualifier ("San Mateo", "Santa Clara") is read in the US over a
# foreign namesake up to this many times its population: the postings that name a city bare
# come mostly from US employers (four in five of the bare names in the labelled real strings).
BARE_US_PRIOR = 0.5  # log10 units: about 3x
_LOWER_CODE_STOP = {"in", "on", "or", "at", "to", "of", "de", "la", "el", "le", "a", "an", "and", "the", "is", "be",
                    "by", "it", "no", "so", "do", "go", "he", "we", "me", "hi", "ok", "oh", "id", "as", "us?"}
_VAGUE = re.compile(r"^\s*(?:multiple|various|several|many|all|other|any)\s+(?:locations?|offices?|sites?|cities)\b", re.I)


@dataclass(slots=True)
class _Item:
    text: str
    entry: Entry | None  # None: unknown text
    partial: bool = False  # found inside a longer token


def _protect(text: str) -> str:
    """Hide separators inside names that contain them ("Trinidad and Tobago")."""
    return _protected_re().sub(lambda m: m.group(0).replace(" and ", " \x01 ").replace("/", "\x02")
                               .replace(" & ", " \x03 ").replace(",", "\x04"), text)


def _unprotect(text: str) -> str:
    return text.replace(" \x01 ", " and ").replace("\x02", "/").replace(" \x03 ", " & ").replace("\x04", ",")


@lru_cache(maxsize=1)
def _protected_re() -> re.Pattern:
    names = [
        "Trinidad and Tobago", "Bosnia and Herzegovina", "Antigua and Barbuda", "Saint Kitts and Nevis",
        "Saint Vincent and the Grenadines", "Sao Tome and Principe", "São Tomé and Príncipe",
        "Heard Island and McDonald Islands", "Turks and Caicos Islands", "Newfoundland and Labrador",
        "Europe, Middle East and Africa", "Europe, Middle East & Africa", "Middle East and North Africa",
        "Central and Eastern Europe", "Australia and New Zealand", "UK and Ireland", "UK & Ireland",
        "Dallas/Fort Worth", "Frankfurt/Main", "Minneapolis/St. Paul", "Raleigh/Durham", "Kitchener/Waterloo",
        "Anywhere in the world", "Korea, Republic of", "Bonaire, Sint Eustatius and Saba",
        "Virgin Islands, British", "Virgin Islands, U.S.", "South Georgia and the South Sandwich Islands",
        "Middle East & North Africa",
    ]
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)), re.I)


def _split_code_chain(token: str) -> list[str]:
    """'US-CA-San Jose' → ['US', 'CA', 'San Jose']; 'Remote-US' → ['Remote', 'US']."""
    if _CODE_CHAIN.match(token):
        parts = token.split("-")
        out = []
        while parts and len(parts) > 1 and re.fullmatch(r"[A-Z]{2,3}|[A-Z0-9]{1,3}", parts[0]):
            out.append(parts.pop(0))
        out.append("-".join(parts))
        return out
    if "-" in token:
        parts = token.split("-")
        if any(REMOTE.fullmatch(p.strip()) or HYBRID.fullmatch(p.strip()) for p in parts) or any(
            code_form(p) and p.isupper() and len(p) <= 3 for p in parts[:1]
        ) and len(parts) == 2 and (parts[1].lower() in ("based", "remote") or code_form(parts[1])):
            return [p for p in parts if p.strip()]
    return [token]


# -- token scanning ------------------------------------------------------------------------


def _lookup_phrase(phrase: str, all_lower: bool) -> Entry | None:
    g = gazetteer()
    key = fold(phrase)
    if not key or key in g.never:
        return None
    e = g.lookup_key(key)
    cf = code_form(phrase)
    if not cf and all_lower and key.isalpha() and 2 <= len(key) <= 3 and key not in _LOWER_CODE_STOP:
        cf = key.upper()
    c = g.lookup_code(cf) if cf else None
    if c is None:
        return e
    if e is None:
        return c
    return Entry(e.cities + [x for x in c.cities if x not in e.cities],
                 e.admins + [x for x in c.admins if x not in e.admins], e.country or c.country, e.region or c.region)


def _scan(token: str, all_lower: bool) -> list[_Item]:
    """A token → known items (whole token first, else longest word n-grams) and unknowns."""
    token = token.strip(" .,'\"*-–—")
    if not token:
        return []
    key = fold(token)
    if not key or key in NOISE or key in gazetteer().never:
        return []
    e = _lookup_phrase(token, all_lower)
    if e is not None:
        return [_Item(token, e)]
    words = [w.strip(".,'\"*") if not re.fullmatch(r"(?:[A-Za-z]\.){2,}", w.strip(",")) else w.strip(",")
             for w in _WORD.findall(token)]
    words = [w for w in words if w]
    items: list[_Item] = []
    unknown: list[str] = []
    other_place = False  # an unknown word such as "Junction" or "Fort" names another place
    i, n_words = 0, len(words)
    max_n = gazetteer().max_words
    while i < n_words:
        hit = None
        for n in range(min(max_n, n_words - i), 0, -1):
            phrase = " ".join(words[i:i + n])
            k = fold(phrase)
            if not k:
                continue
            if k in NOISE or k in gazetteer().never:
                hit = (n, None)
                break
            e = _lookup_phrase(phrase, all_lower)
            if e is not None:
                hit = (n, e)
                break
        if hit is None:
            if not _DIGITS.search(words[i]):
                unknown.append(words[i])
                if fold(words[i]) in PLACE_WORDS:
                    other_place = True
            i += 1
            continue
        if unknown:
            items.append(_Item(" ".join(unknown), None))
            unknown = []
        n, e = hit
        if e is not None:
            items.append(_Item(" ".join(words[i:i + n]), e, partial=n_words > n))
        i += n
    if unknown:
        items.append(_Item(" ".join(unknown), None))
    # "Annapolis Junction", "Fort Sam Houston": a word such as "Junction" (itself a town, or
    # no place at all) beside a known name makes the whole another place, unknown here.
    if len(items) > 1 or other_place:
        if other_place or any(it.entry is not None and fold(it.text) in PLACE_WORDS for it in items):
            if any(it.entry is not None and fold(it.text) not in PLACE_WORDS for it in items):
                return [_Item(token, None)]
    return items


# -- resolution ----------------------------------------------------------------------------


def _qualifies(e: Entry, country: str, admin1: str) -> bool:
    if e.country == country:
        return True
    return any(c == country and a == admin1 for c, a in e.admins)


def _is_qualifier(e: Entry) -> bool:
    return bool(e.admins or e.country or e.region)


@dataclass(slots=True)
class _Resolution:
    row: int | None  # city row, or None for a region-only location
    region: str | None
    mismatches: int
    matched: int
    score: float
    states: int = 0  # qualifiers matched as a US state's two-letter code


def _region_of(items: list[_Item]) -> tuple[str | None, int]:
    """The most specific region the items name together ("US-CA", "DE", "EMEA") and how
    many items disagree with it."""
    options: list[tuple[str, str | None]] = []
    for it in items:
        e = it.entry
        for c, a in e.admins:
            if (c, a) not in options:
                options.append((c, a))
        if e.country and (e.country, None) not in options:
            options.append((e.country, None))
    if len(items) == 1:
        it = items[0]
        code = it.text.replace(".", "")
        if len(code) == 2 and code.isupper() and ("US", code) in it.entry.admins:
            return f"US-{code}", 0  # "Remote - CA": postings mean the state
        if it.entry.country:
            return it.entry.country, 0
        if it.entry.region:
            return it.entry.region, 0
    best: tuple[int, int, int] | None = None
    best_region = None
    for c, a in options:
        mism = 0
        for it in items:
            e = it.entry
            if a is None:
                ok = e.country == c
            else:
                ok = e.country == c or (c, a) in e.admins
            mism += not ok
        key = (mism, 0 if a else 1, 0 if c == "US" else 1)
        if best is None or key < best:
            best, best_region = key, (f"{c}-{a}" if a else c)
    if best is not None:
        return best_region, best[0]
    regions = [it.entry.region for it in items if it.entry.region]
    if regions:
        # "LATAM, Europe": two regions, one location each.
        return regions[0], sum(1 for it in items if it.entry.region != regions[0])
    return None, len(items)


def _resolve(items: list[_Item]) -> _Resolution:
    g = gazetteer()
    best: _Resolution | None = None
    best_how = 0
    best_item: _Item | None = None
    for ci, it in enumerate(items):
        for row, how in it.entry.cities:
            c = g.city(row)
            matched = mism = states = 0
            for j, q in enumerate(items):
                if j == ci:
                    continue
                if _qualifies(q.entry, c.country, c.admin1):
                    matched += 1
                    # "Richmond, CA": a US state's code beats the country it also spells.
                    states += c.country == "US" and _is_state_code(q) and q.text == c.admin1
                else:
                    mism += 1
            if not matched and (c.population < SMALL_CITY or (it.partial and c.population < SCAN_MIN_POP)):
                continue
            if how == ALTERNATE and not matched and it.partial:
                continue
            prior = g.score(row, how) + (BARE_US_PRIOR if not matched and c.country == "US" else 0.0)
            r = _Resolution(row, None, mism, matched, prior, states)
            if best is None or ((-r.mismatches, r.matched, r.states, r.score)
                                > (-best.mismatches, best.matched, best.states, best.score)):
                best, best_how, best_item = r, how, it
    region, rmism = _region_of(items) if all(_is_qualifier(it.entry) for it in items) else (None, 99)
    if best is None or (region is not None and rmism < best.mismatches):
        return _Resolution(None, region, rmism, 0, 0.0)
    if region is not None and rmism <= best.mismatches and best_how != ALIAS:
        # The city came from a token that also names a region: "California" is the state,
        # "Brazil" the country and "APAC" the region, but "Singapore" and "New York" the cities.
        city = g.city(best.row)
        e = best_item.entry
        if e.region:
            return _Resolution(None, region, rmism, 0, 0.0)
        if (e.country and city.country not in CITY_STATES
                and (fold(city.name) != fold(best_item.text) or city.population < 50_000
                     or city.country != e.country)):  # "Jamaica" the country, not Jamaica, NY
            return _Resolution(None, region, rmism, 0, 0.0)
        if e.admins and city.population < REGION_OVER_CITY_POP:
            return _Resolution(None, region, rmism, 0, 0.0)
    return best


def _fits(group: list[_Item], item: _Item) -> bool:
    """Whether ``item`` qualifies the location ``group`` is building (or vice versa)."""
    # "Brazil, United States", "Mexico, Philippines": a list of countries, not Brazil, IN or
    # Mexico in the Philippines. "Boston, Seattle": two cities, not one.
    if item.entry.country and not item.entry.admins and all(it.entry.country for it in group):
        return False
    if not _is_qualifier(item.entry) and (any(not _is_qualifier(it.entry) for it in group)
                                          or (len(group) > 1 and _resolve(group).row is not None)):
        return False  # "New York, NY, Portland, OR": a city and its state make a whole place
    r = _resolve(group + [item])
    if r.mismatches:
        return False
    if r.row is None:
        return r.region is not None
    g = gazetteer()
    # "Boston, New York" is two cities, not Boston, NY: a qualifier that is itself a big
    # city and shrinks the group's city to a village starts a new location instead.
    if (item.entry.cities and not code_form(item.text)
            and any(g.city(x).population >= 1_000_000 for x, _ in item.entry.cities)):
        alone = _resolve(group)
        if alone.row is not None and alone.row != r.row:
            if g.city(r.row).population < 0.05 * g.city(alone.row).population:
                return False
    return True


def _group(items: list[_Item]) -> list[list[_Item]]:
    groups: list[list[_Item]] = []
    for it in items:
        if groups and _fits(groups[-1], it):
            groups[-1].append(it)
        else:
            groups.append([it])
    return groups


@dataclass(slots=True)
class _Acc:
    places: list[Place] = field(default_factory=list)
    remote: bool = False
    hybrid: bool = False
    scope: str | None = None
    unresolved: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)

    def add(self, other: LocationResult) -> None:
        for p in other.places:
            if p not in self.places:
                self.places.append(p)
        self.remote |= other.remote
        self.hybrid |= other.hybrid
        self.scope = self.scope or other.remote_scope
        self.unresolved += [u for u in other.unresolved if u not in self.unresolved]
        self.regions += [r for r in other.regions if r not in self.regions]

    def result(self) -> LocationResult:
        scope = self.scope
        if self.remote and scope is None and self.regions:
            scope = self.regions[0]
        return LocationResult(list(self.places), self.remote, self.hybrid, scope if self.remote else None,
                              list(self.unresolved), list(self.regions))


def _is_state_code(item: _Item) -> bool:
    return len(item.text) == 2 and item.text.isupper() and ("US", item.text) in item.entry.admins


@lru_cache(maxsize=65536)
def _parse_string(value: str) -> LocationResult:
    acc = _Acc()
    text = _MC_SPACE.sub("Mc", " ".join(value.split()))  # "Mc Lean, VA" is McLean
    if not text:
        return acc.result()
    all_lower = not any(ch.isupper() for ch in text)
    acc.remote, acc.hybrid = label_flags(text)
    stripped = HYBRID.sub(" , ", text)
    stripped = REMOTE.sub(" , ", stripped)
    if _VAGUE.match(stripped):
        stripped = _VAGUE.sub(" , ", stripped)
    stripped = _protect(stripped)
    singles: list[tuple[int, _Item]] = []  # places named by a bare, ambiguous city name
    for segment in _SEGMENT.split(stripped):
        tokens: list[str] = []
        for tok in _TOKEN.split(segment):
            tok = _unprotect(tok).strip()
            if tok:
                tokens.extend(_split_code_chain(tok))
        items: list[_Item] = []
        for tok in tokens:
            for it in _scan(tok, all_lower):
                if it.entry is None:
                    if it.text not in acc.unresolved:
                        acc.unresolved.append(it.text)
                else:
                    items.append(it)
        groups = _group(items)
        for gi, grp in enumerate(groups):
            r = _resolve(grp)
            nxt = groups[gi + 1] if gi + 1 < len(groups) else None
            if (r.row is not None and len(grp) == 1 and nxt is not None and len(nxt) == 1
                    and _is_state_code(nxt[0]) and not code_form(grp[0].text)):
                # "Crystal City, VA" where the gazetteer knows only Crystal City, TX: the state
                # is named, the city there is not known; no guess elsewhere.
                if grp[0].text not in acc.unresolved:
                    acc.unresolved.append(grp[0].text)
                continue
            if r.row is not None and acc.remote and len(grp) == 1 and _is_state_code(grp[0]):
                # "Remote (must reside in CA, WA, or NY)": NY is the state here, not the city.
                r = _Resolution(None, f"US-{grp[0].text}", 0, 0, 0.0)
            if r.row is not None:
                p = gazetteer().place(r.row)
                if p not in acc.places:
                    if len(grp) == 1 and len(grp[0].entry.cities) > 1:
                        singles.append((len(acc.places), grp[0]))
                    acc.places.append(p)
            elif r.region is not None:
                if r.region not in acc.regions:
                    acc.regions.append(r.region)
                if r.region == "Worldwide" and _ANYWHERE.search(text):
                    acc.remote = True  # "Worldwide", "Anywhere"; a "Global" team need not be remote
            else:
                t = ", ".join(it.text for it in grp)
                if t not in acc.unresolved:
                    acc.unresolved.append(t)
    if "Worldwide" in acc.regions and len(acc.regions) + len(acc.places) > 1 and _ANYWHERE_IN.search(text):
        acc.regions.remove("Worldwide")  # "Anywhere in the US": the US, not the world
    if singles and len(acc.places) > 1:
        _prefer_listed_countries(acc.places, singles)
    if not acc.places and not acc.regions and not acc.remote and not acc.hybrid and not acc.unresolved:
        acc.unresolved.append(text)
    return acc.result()


# A bare name moves to the country of the other listed places only when the city there is
# not much smaller: "San Mateo; NYC" is San Mateo, CA, but "Paris; Austin, TX" stays in France.
LISTED_COUNTRY_MIN_RATIO = 0.2


def _prefer_listed_countries(places: list[Place], singles: list[tuple[int, _Item]]) -> None:
    """Re-pick bare city names ("San Mateo") in the country the other places of the same
    location string are in, when the bare name's first pick lies elsewhere."""
    g = gazetteer()
    for idx, item in singles:
        chosen = places[idx]
        others = {p.country for j, p in enumerate(places) if j != idx}
        if chosen.country in others:
            continue
        floor = max(SMALL_CITY, LISTED_COUNTRY_MIN_RATIO * g.city(_row_of(item, chosen)).population)
        options = [(g.score(row, how), row) for row, how in item.entry.cities
                   if g.city(row).country in others and g.city(row).population >= floor]
        if options:
            better = g.place(max(options)[1])
            if better not in places:
                places[idx] = better


def _row_of(item: _Item, place: Place) -> int:
    g = gazetteer()
    return next((row for row, _ in item.entry.cities if g.place(row) == place), item.entry.cities[0][0])


# -- structured values ---------------------------------------------------------------------

_WORKPLACE = {"remote": "remote", "telecommute": "remote", "hybrid": "hybrid"}


def _name_of(value) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for k in ("name", "addressCountry", "identifier", "@id"):
            v = value.get(k)
            if isinstance(v, str) and v.strip():
                return v.strip()
            if isinstance(v, dict):
                return _name_of(v)
    return None


def _parse_value(value, acc: _Acc, depth: int = 0) -> None:
    if value is None or depth > 6:
        return
    if isinstance(value, str):
        acc.add(_parse_string(value.strip()))
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            _parse_value(v, acc, depth + 1)
        return
    if not isinstance(value, dict):
        return
    d = value
    kind = str(d.get("workplaceType") or d.get("jobLocationType") or d.get("locationType") or "").lower()
    for word, flag in _WORKPLACE.items():
        if word in kind:
            setattr(acc, flag, True)
    if d.get("isRemote") is True:
        acc.remote = True
    found = False
    if any(k in d for k in ("addressLocality", "addressRegion", "addressCountry")):
        parts = [_name_of(d.get(k)) for k in ("addressLocality", "addressRegion", "addressCountry")]
        parts = [p for p in parts if p]
        if parts:
            acc.add(_parse_string(", ".join(parts)))
            found = True
    for k in ("jobLocation", "address", "postalAddress", "location", "locations", "secondaryLocations",
              "allLocations", "offices"):
        v = d.get(k)
        if v:
            before = len(acc.places) + len(acc.regions)
            _parse_value(v, acc, depth + 1)
            found = found or len(acc.places) + len(acc.regions) > before
    req = d.get("applicantLocationRequirements")
    if req:
        sub = _Acc()
        for r in req if isinstance(req, list) else [req]:
            name = _name_of(r)
            if name:
                sub.add(_parse_string(name))
        if acc.remote or "telecommute" in kind:
            acc.scope = acc.scope or (sub.regions[0] if sub.regions else None)
        acc.regions += [r for r in sub.regions if r not in acc.regions]
    if not found and isinstance(d.get("name"), str):
        acc.add(_parse_string(d["name"]))


def parse_locations(value: str | dict | list | None) -> LocationResult:
    """Places, remote/hybrid flags and leftovers in a location value.

    ``value`` is a location string as postings write it, a JSON-LD ``Place`` /
    ``PostalAddress`` (``addressCountry`` as a code, a name or ``{"name": ...}``), an ATS
    location object (Greenhouse ``{"name": ...}``, Lever ``categories``, Ashby
    ``postalAddress``), a whole JobPosting-like dict (``jobLocation``,
    ``jobLocationType``, ``applicantLocationRequirements``), or a list of any of these.
    Unusable input gives an empty result, never an exception.

    >>> r = parse_locations("Hybrid (London, UK)")
    >>> [(p.city, p.country) for p in r.places], r.hybrid, r.remote
    ([('London', 'GB')], True, False)
    >>> parse_locations("Remote - US").remote_scope
    'US'
    """
    try:
        if isinstance(value, str):
            return _parse_string(value.strip()[:2000])
        acc = _Acc()
        _parse_value(value, acc)
        return acc.result()
    except Exception:  # a boundary: log and carry on with the crawl
        log.exception("could not parse location %r", value)
        return LocationResult(unresolved=[str(value)[:200]])


def resolve_place(text: str) -> Place | None:
    """The one city a place name means ("PALO ALTO, CA", "Bangalore", "NYC"), or None."""
    if not text or not text.strip():
        return None
    r = parse_locations(text)
    return r.places[0] if r.places else None


# -- training and evaluation ---------------------------------------------------------------


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{lineno}: {exc}") from exc
    return rows


def _place_matches(p: Place, want: dict) -> bool:
    return (fold(p.city) == fold(want["city"]) and p.country == want["country"]
            and (not want.get("admin1") or p.admin1 == want["admin1"]))


def evaluate_locations(path: Path = EVAL_PATH) -> dict:
    """Accuracy of ``parse_locations`` on the labelled strings: a row is right when its
    cities (name, admin1, country; in any order) and its remote/hybrid flags (and scope,
    where given) are exactly as expected."""
    rows = _read_jsonl(path)
    right = 0
    wrong = []
    for r in rows:
        res = parse_locations(r["input"])
        want = r.get("cities", [])
        ok = len(res.places) == len(want) and all(any(_place_matches(p, w) for p in res.places) for w in want)
        ok = ok and res.remote == r.get("remote", False) and res.hybrid == r.get("hybrid", False)
        if "remote_scope" in r:
            ok = ok and res.remote_scope == r["remote_scope"]
        if ok:
            right += 1
        else:
            wrong.append({"input": r["input"], "got": [(p.city, p.admin1, p.country) for p in res.places],
                          "remote": res.remote, "hybrid": res.hybrid, "scope": res.remote_scope})
    return {"accuracy": round(right / max(len(rows), 1), 4), "examples": len(rows), "errors": wrong}


def floors() -> dict:
    return read_floors(FLOORS_PATH)
