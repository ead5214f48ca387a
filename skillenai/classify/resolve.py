"""Free text → the canonical entities it may name: a skill, a place, a role family (with the
title's SOC 2018 occupation).

``skillenai resolve`` and the metrics commands take names as people type them ("k8s",
"NYC", "Sr. Data Engineer"); a string can name several kinds of entity ("Mobile" the
skill and Mobile, Alabama; "Sales" the skill and Sales, São Paulo), so every kind answers
with a score and the caller picks. A skill comes first when the string is one: a person
typing "Sales" or "AJAX" into a skill search means the skill, not the town.

>>> [(r.kind, r.name) for r in resolve("k8s")][:1]
[('skill', 'Kubernetes')]
>>> resolve("San Francisco, CA", kind="place")[0].name
'San Francisco'
>>> role = resolve("Sr. Backend Engineer", kind="role")[0]
>>> role.name, role.fields["occupation"]["code"]
('Backend Engineer', '15-1252')
>>> role = resolve("Pharmacist", kind="role")[0]   # no family fits; the occupation still does
>>> role.name, role.fields["occupation"]["title"]
(None, 'Pharmacists')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from skillenai.classify.places.locations import resolve_place
from skillenai.classify.skills.linking import link_span
from skillenai.classify.skills.matcher import resolve_skill
from skillenai.classify.titles import classify_title

KINDS = ("skill", "place", "role")
# A skill at least this sure is listed before any place or role.
SKILL_FIRST = 0.9


@dataclass(frozen=True)
class Resolution:
    """One entity a string may name: ``kind``, its ``id`` and ``name``, ``score`` in [0, 1]
    (how surely the string names it) and ``how`` it was found; ``fields`` are the kind's own
    (a skill's category, a place's admin1, country, coordinates and metro, a role's
    ``occupation``). A role without ``id`` and ``name`` is a title no family fits that
    still names an occupation (with ``kind="role"`` only)."""

    kind: str
    id: str | None
    name: str | None
    score: float
    how: str
    fields: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"type": self.kind, "id": self.id, "name": self.name, **self.fields,
                "score": self.score, "how": self.how}


def _skill(text: str) -> Resolution | None:
    skill = resolve_skill(text)
    if skill is not None:
        return Resolution("skill", skill.id, skill.name, 1.0, "alias", {"category": skill.category})
    links = [link for link in link_span(text) if link.skill is not None]
    if len(links) != 1:  # a list of skills is not one entity
        return None
    link = links[0]
    score = 0.95 if link.method == "normalised" else round(0.9 * link.score, 4)
    return Resolution("skill", link.skill.id, link.skill.name, score, link.method, {"category": link.skill.category})


def _place(text: str) -> Resolution | None:
    place = resolve_place(text)
    if place is None:
        return None
    # A big city is surely meant; a town that shares a common word's name ("Sales", "Mobile")
    # only perhaps. log10 of the population: 1.0 from a million people, 0.5 at a thousand.
    score = round(min(1.0, max(0.3, math.log10(max(place.population, 1)) / 6)), 4)
    fields = {"admin1": place.admin1, "country": place.country, "lat": place.lat, "lon": place.lon,
              "metro_id": place.metro_id, "metro": place.metro}
    return Resolution("place", place.city_id, place.city, score, "gazetteer", fields)


def _role(text: str) -> Resolution | None:
    role, occupation = classify_title(text)
    fields = {"occupation": occupation.as_dict()}
    if role is None:
        if occupation.code is None:
            return None
        return Resolution("role", None, None, occupation.score, "model", fields)
    return Resolution("role", role.id, role.name, round(float(role.score), 4), "model", fields)


_RESOLVERS = {"skill": _skill, "place": _place, "role": _role}


def resolve(text: str, kind: str | None = None) -> list[Resolution]:
    """Every entity ``text`` may name, the likeliest first (of ``kind`` alone if given).

    Raises:
        ValueError: ``kind`` is not one of :data:`KINDS`.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not text or not text.strip():
        return []
    found = [r for k in ((kind,) if kind else KINDS) if (r := _RESOLVERS[k](text.strip())) is not None
             and (r.id is not None or kind is not None)]
    return sorted(found, key=lambda r: (not (r.kind == "skill" and r.score >= SKILL_FIRST), -r.score))
