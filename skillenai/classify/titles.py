"""A job title → its role family and its SOC 2018 occupation, each decision helping the other.

The family model (:mod:`skillenai.classify.roles`) knows the 36 families well and nothing
outside them; the occupation model (:mod:`skillenai.classify.occupations`) knows every
occupation but codes tech titles more loosely. Where one is sure and the other is not, the
sure one decides both, through the roll-up of occupations to families
(``data/roles/soc/families.csv``) and each family's usual occupation
(``data/roles/soc/family_soc.csv``):

- a family the family model is unsure of (score under ``FAMILY_UNSURE``) gives way to the
  family the occupation rolls up to when the occupation is sure (``OCCUPATION_SURE``):
  "Staff Engineer" is a software developer, so Backend Engineer; an occupation outside every
  family (a security guard, a cook) then leaves the title without a family;
- a posting that names no job (an open application, a talent pool), or whose title holds
  no word any labelled title holds, has no family either;
- an occupation the occupation model is unsure of (under ``OCCUPATION_UNSURE``) gives way
  to the usual occupation of a family the family model is sure of (``FAMILY_SURE``).

The thresholds were chosen by 5-fold cross-validation on the 937 real training titles (the
training part of the evaluation titles and the training-only titles;
``python -m evaluation.roles_real --tune``), never on the held-out part.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from skillenai.classify.occupations import (
    FAMILY_SOC_PATH,
    MANAGERS,
    MIN_KNOWN,
    MIN_SCORE,
    NO_KNOWN_WORDS,
    NOT_A_JOB,
    NOT_A_JOB_PATTERN,
    Occupation,
    as_manager,
    classify_occupations,
    family_of,
    soc_title,
)
from skillenai.classify.roles import OTHER, Role, family_scores, role_for, split_titles

FAMILY_UNSURE = 0.6
OCCUPATION_SURE = 0.5
OCCUPATION_UNSURE = 0.4
FAMILY_SURE = 0.7


@lru_cache(maxsize=1)
def usual_occupations() -> dict[str, str]:
    """Each family's usual SOC occupation, where it has one ("Frontend Engineer" → 15-1254)."""
    with FAMILY_SOC_PATH.open(encoding="utf-8", newline="") as fh:
        return {row["family"]: row["soc"] for row in csv.DictReader(fh)}


def combine(family: str | None, family_score: float, occupation: Occupation, *,
            family_unsure: float = FAMILY_UNSURE, occupation_sure: float = OCCUPATION_SURE,
            occupation_unsure: float = OCCUPATION_UNSURE, family_sure: float = FAMILY_SURE,
            min_score: float = MIN_SCORE, norm: str = "",
            managers: str = MANAGERS) -> tuple[str | None, float, Occupation]:
    """``(family or None, its score, occupation)`` of a title from each model's own answer:
    ``family`` the family model's best class (``"Other"`` included, None for an empty title)
    with its score, ``occupation`` the occupation model's best code with its score (any score).
    ``norm``: the normalised title, so that a family's usual occupation given to a title
    that heads a function is its management occupation (``managers``, see
    :func:`skillenai.classify.occupations.as_manager`)."""
    rolled = family_of(occupation.code)
    if rolled is not None and rolled != family and family_score < family_unsure \
            and occupation.score >= occupation_sure:
        family, family_score = rolled, occupation.score
    if family == OTHER or occupation.reason in (NOT_A_JOB, NO_KNOWN_WORDS):
        family = None
    if family is not None and family_score >= family_sure and usual_occupations().get(family) \
            and occupation.reason != NOT_A_JOB and occupation.score < occupation_unsure \
            and family_of(occupation.code) != family:
        usual = usual_occupations()[family]
        occupation = as_manager(norm, Occupation(usual, soc_title(usual), round(family_score, 4)), managers)
    if occupation.code is not None and occupation.score < min_score:
        occupation = Occupation(None, None, occupation.score, f"low confidence: top score {occupation.score:.2f}")
    return family, family_score, occupation


def classify_titles(titles: list[str], departments: list[str | None] | None = None, *,
                    models: tuple | None = None, managers: str = MANAGERS, min_known: float = MIN_KNOWN,
                    **thresholds: float) -> list[tuple[Role | None, Occupation]]:
    """``(role family or None, occupation)`` of each title, with one call to each model.

    ``departments`` (the team or department a source gives, per title) let the team say
    what one word cannot: a "Design Engineer" in "Web Frontend" builds interfaces, not
    circuit boards. A title with a department is read both alone and with it, and the
    reading the family model is surer of is kept.

    ``models``: ``(family model, occupation model)`` other than the shipped ones, and
    ``managers``, ``min_known`` (see
    :func:`skillenai.classify.occupations.classify_occupations`) and ``thresholds`` other
    than the defaults (see :func:`combine`), for evaluations.

    >>> role, occupation = classify_title("Surgical Technologist - OR - Nights")
    >>> role is None, occupation.code
    (True, '29-2055')
    """
    if not titles:
        return []
    # A batch repeats titles (one job in many places, common titles across employers):
    # each distinct title and department is read once.
    keys = [(t if isinstance(t, str) else "",
             departments[i] if departments and isinstance(departments[i], str) else None)
            for i, t in enumerate(titles)]
    distinct = list(dict.fromkeys(keys))
    if len(distinct) < len(keys):
        read = dict(zip(distinct, classify_titles([t for t, _ in distinct], [d for _, d in distinct], models=models,
                                                  managers=managers, min_known=min_known, **thresholds)))
        return [read[k] for k in keys]
    family_model, occupation_model = models or (None, None)
    parts = split_titles(titles)
    norms = [" ".join(p) for p in parts]
    scored = family_scores(titles, family_model, parts)
    with_team = [i for i, d in enumerate(departments or ()) if isinstance(d, str) and d.strip()
                 and isinstance(titles[i], str) and titles[i].strip() and not NOT_A_JOB_PATTERN.search(titles[i])]
    if with_team:
        read = split_titles([f"{titles[i]} ({departments[i].strip()})" for i in with_team])
        for i, p, (family, score) in zip(with_team, read, family_scores(read, family_model, read)):
            if family is not None and score > scored[i][1]:
                norms[i], scored[i] = " ".join(p), (family, score)
    out = []
    occupations = classify_occupations(titles, min_score=0.0, model=occupation_model, norms=norms,
                                       managers=managers, min_known=min_known)
    for (family, score), occupation, norm in zip(scored, occupations, norms):
        name, score, occupation = combine(family, score, occupation, norm=norm, managers=managers, **thresholds)
        out.append((role_for(name, score) if name else None, occupation))
    return out


def classify_title(title: str, department: str | None = None) -> tuple[Role | None, Occupation]:
    """The role family (or None) and SOC occupation of one title (and its department)."""
    return classify_titles([title], [department])[0]

