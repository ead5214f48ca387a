"""Places, and the many ways postings write them.

The ground truth names every city as GeoNames does ({"city", "admin1", "country"}), with
remote and hybrid as flags and the remote area as ``remote_scope``; the text writes the
same place as "SF", "San Francisco Bay Area", "US-CA-San Jose", "Hybrid (London, UK)" or
"Remote - US", so the crawler's resolver has real work to do.
"""

import random
from functools import lru_cache

from . import datafiles
from .rand import Weighted, pick

# Bay Area and other top-paying US metros; the rest of the US pays a bit less.
TOP_PAY_US = {"sf", "nyc", "sea", "mtv", "svl", "smt", "sjc", "pao", "scl", "mpk", "rwc", "bos",
              "la", "oak", "bel", "red", "kir", "cam-ma"}


class Place:
    """One city of ``data/places.json``."""

    __slots__ = ("key", "city", "admin1", "country", "name", "abbr", "local", "forms", "short",
                 "streets", "postal", "tz", "qualify", "weight", "state", "country_name",
                 "country_aliases", "cc3", "region", "currency", "pay")

    def __init__(self, d: dict, countries: dict, states: dict):
        self.key = d["key"]
        self.city = d["city"]
        self.admin1 = d["admin1"]
        self.country = d["country"]
        self.name = d.get("name", d["city"])
        self.abbr = d.get("abbr")
        self.local = d.get("local")
        self.forms = d["forms"]
        self.short = d["short"]
        self.streets = d["streets"]
        self.postal = d["postal"]
        self.tz = d["tz"]
        self.qualify = d.get("qualify", False)
        self.weight = d["weight"]
        self.state = states.get(self.admin1) if self.country == "US" else None
        c = countries[self.country]
        self.country_name = c["name"]
        self.country_aliases = c["aliases"]
        self.cc3 = c["cc3"]
        self.region = c["region"]
        self.currency = c["currency"]
        self.pay = c["pay"]

    def truth(self) -> dict:
        return {"city": self.city, "admin1": self.admin1, "country": self.country}

    def state_or_region(self) -> str:
        """The region as a US-style posting writes it: state code, province code or name."""
        return self.admin1 if self.country == "US" else (self.abbr or self.admin1 or "")


class Places:
    def __init__(self):
        data = datafiles.load("places")
        self.countries = data["countries"]
        self.states = data["states"]
        self.cities = [Place(d, self.countries, data["states"]) for d in data["cities"]]
        self.by_key = {p.key: p for p in self.cities}
        self.all = Weighted(self.cities, [p.weight for p in self.cities])
        self.by_region = {}
        for region in ("NA", "EMEA", "APAC", "LATAM"):
            members = [p for p in self.cities if p.region == region]
            self.by_region[region] = Weighted(members, [p.weight for p in members])
        us = [p for p in self.cities if p.country == "US"]
        self.us = Weighted(us, [p.weight for p in us])
        self.scopes = data["remote_scopes"]
        self.scope_by_code = {s["scope"]: s for s in self.scopes}


@lru_cache(maxsize=1)
def places() -> Places:
    return Places()


class LocSpec:
    """Where a job is: its cities, how it is worked, and for remote jobs where from."""

    __slots__ = ("cities", "workplace", "scope")

    def __init__(self, cities, workplace: str, scope=None):
        self.cities = list(cities)
        self.workplace = workplace          # onsite | hybrid | remote
        self.scope = scope                  # a remote_scopes entry, for remote jobs

    def with_city(self, place: Place) -> "LocSpec":
        return LocSpec([*self.cities, place], self.workplace, self.scope)

    def truth(self) -> dict:
        return {
            "locations": [p.truth() for p in self.cities],
            "remote": self.workplace == "remote",
            "hybrid": self.workplace == "hybrid",
            "remote_scope": self.scope["scope"] if self.workplace == "remote" and self.scope else None,
        }


# Writing a city -----------------------------------------------------------------------

def city_form(r: random.Random, p: Place, plain: bool = False) -> str:
    """One way a posting writes ``p`` on its own ("Mountain View, CA", "London, UK" ...).
    ``plain`` leaves out forms with decorations such as "(HQ)", for use inside others."""
    n = p.name
    if p.country == "US":
        st = p.admin1
        options = [(f"{n}, {st}", 10), (f"{n}, {p.state}", 1.5), (f"{n}, {p.state}, United States", 1.5),
                   (f"{n}, {st}, USA", 1), (f"{n}, {st}, US", 0.8), (f"US-{st}-{n}", 0.6),
                   (f"US, {st}, {n}", 0.4), (f"{n.upper()}, {st}", 0.3)]
        if not p.qualify:
            options.append((n, 2))
    else:
        alias = p.country_aliases[0]
        options = [(f"{n}, {p.country_name}", 8), (f"{n}, {alias}", 1.5),
                   (f"{p.country_name} - {n}", 0.6), (f"{n}, {p.cc3}", 0.5)]
        if p.abbr:
            options += [(f"{n}, {p.abbr}", 2), (f"{n}, {p.abbr}, {p.country_name}", 1.5)]
        if p.local:
            options.append((f"{p.local}, {p.country_name}", 1.5))
        if p.admin1 and p.admin1 not in (p.city, n):
            options.append((f"{n}, {p.admin1}, {p.country_name}", 0.5))
        if not p.qualify and n != p.country_name:
            options.append((n, 3))
    forms = [f for f in p.forms if not (plain and "(" in f)]
    if forms:
        share = 4.0 / len(forms)
        options += [(f, share) for f in forms]
    return pick(r, options)


def short_form(r: random.Random, p: Place) -> str:
    return p.short[int(r.random() * len(p.short))]


def display(p: Place) -> str:
    """The city as prose names it ("New York", "Munich", "Arlington, VA")."""
    return p.short[-1] if p.qualify else p.name


def scope_name(scope) -> str:
    return datafiles.load("postings")["scope_names"].get(scope["scope"], "the region") if scope else "anywhere"


def _join(r, parts):
    if len(parts) == 2:
        return pick(r, [(f"{parts[0]} or {parts[1]}", 3), (f"{parts[0]} / {parts[1]}", 1),
                        (f"{parts[0]}; {parts[1]}", 1), (f"{parts[0]} | {parts[1]}", 0.5)])
    return pick(r, [(", ".join(parts[:-1]) + " and " + parts[-1], 2), ("; ".join(parts), 1),
                    (" / ".join(parts), 0.5)])


def _multi(r, cities):
    if r.random() < 0.55:
        return _join(r, [short_form(r, p) for p in cities])
    parts = [city_form(r, p, plain=True) for p in cities]
    return pick(r, [("; ".join(parts), 3), (" | ".join(parts), 1), (" or ".join(parts), 1)])


def render(r: random.Random, spec: LocSpec) -> str:
    """The location line of a posting."""
    cities = spec.cities
    if spec.workplace == "remote":
        if not cities:
            forms = spec.scope["forms"]
            return forms[int(r.random() * len(forms))]
        full = city_form(r, cities[0], plain=True)
        return pick(r, [(f"{full} or Remote", 1), (f"Remote or {full}", 1), (f"{full} (Remote OK)", 0.5)])
    if len(cities) == 1:
        base = city_form(r, cities[0], plain=spec.workplace == "hybrid")
    else:
        base = _multi(r, cities)
    if spec.workplace != "hybrid":
        return base
    if len(cities) == 1:
        short = short_form(r, cities[0])
        return pick(r, [(f"Hybrid ({short})", 2), (f"Hybrid ({base})", 1), (f"Hybrid - {base}", 1),
                        (f"{base} (Hybrid)", 2), (f"{base} - Hybrid", 1), (base, 2)])
    return pick(r, [(f"Hybrid ({base})", 1), (f"{base} (Hybrid)", 1), (base, 1)])


# Choosing where a job is ---------------------------------------------------------------

ONSITE_ONLY = {"Nursing", "Teaching / Education", "IT Support", "Hardware Engineer", "Operations"}


def pick_spec(r: random.Random, offices: list, family: str, tech: bool) -> LocSpec:
    """Where a new job of ``family`` at a company with ``offices`` (HQ first) is."""
    pl = places()
    if family in ONSITE_ONLY:
        workplace = "onsite" if r.random() < 0.93 else "hybrid"
    elif tech:
        workplace = pick(r, [("onsite", 45), ("hybrid", 30), ("remote", 25)])
    else:
        workplace = pick(r, [("onsite", 58), ("hybrid", 27), ("remote", 15)])

    def office():
        if r.random() < 0.85:
            return pick(r, [(p, 2.0 if i == 0 else 1.0) for i, p in enumerate(offices)])
        return pl.all.pick(r)

    if workplace == "remote":
        hq = offices[0]
        scope = _scope_for(r, hq)
        if r.random() < 0.2:
            # "Remote or Dublin": the remote area must include the office's country
            anchor = office()
            code = anchor.country if anchor.country in pl.scope_by_code else \
                {"NA": "Americas", "LATAM": "Americas", "EMEA": "EMEA", "APAC": "APAC"}[anchor.region]
            return LocSpec([anchor], "remote", pl.scope_by_code[code])
        return LocSpec([], "remote", scope)
    first = office()
    cities = [first]
    if r.random() < 0.16:
        for _ in range(1 if r.random() < 0.7 else 2):
            extra = office()
            if extra not in cities:
                cities.append(extra)
    return LocSpec(cities, workplace)


def _scope_for(r, hq: Place):
    pl = places()
    if hq.country == "US":
        code = pick(r, [("US", 75), ("Americas", 5), (None, 8), ("CA", 4), ("EMEA", 3), ("Europe", 2), ("LATAM", 3)])
    elif hq.region == "EMEA":
        code = pick(r, [("EMEA", 28), ("Europe", 28), (hq.country if hq.country in pl.scope_by_code else "Europe", 24),
                        (None, 12), ("US", 8)])
    else:
        code = pick(r, [(s["scope"], s["weight"]) for s in pl.scopes])
    return pl.scope_by_code[code]


def extra_city(r: random.Random, spec: LocSpec, offices: list):
    """A city to add when a job is re-listed with one more location, or None."""
    candidates = [p for p in offices if p not in spec.cities]
    if not candidates:
        candidates = [p for p in places().cities if p not in spec.cities and p.country == (spec.cities or offices)[0].country]
    return candidates[int(r.random() * len(candidates))] if candidates else None
