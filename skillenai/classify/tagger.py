"""All the tags of a document at once: skills, places, remote/hybrid, role family and SOC
occupation, kind.

Used by ``skillenai tag`` (JSON Lines in and out) and by the classify stage that writes
tags into the store. Work is batched: one skill-disambiguation call, one role-model call
and one kind-model call per batch of documents.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterable

from skillenai.classify.language import document_language
from skillenai.classify.places.locations import parse_locations
from skillenai.classify.places.mentions import places_in_texts
from skillenai.classify.skills.matcher import Candidate, SkillMatch, detect_skills
from skillenai.classify.skills.mentions import names_a_role
from skillenai.classify.titles import classify_titles
from skillenai.classify.workplace import decide_workplace
from skillenai.core.gcpause import gc_paused
from skillenai.core.record import KINDS, WRITTEN_KINDS

logger = logging.getLogger(__name__)



@dataclass
class Tags:
    """The tags of one document; ``as_json`` gives the ``skillenai tag`` output line."""

    id: Any
    skills: list[SkillMatch] = field(default_factory=list)
    title_skills: list[SkillMatch] = field(default_factory=list)  # found only in the title
    candidates: list[Candidate] = field(default_factory=list)  # skill spans that name no known skill
    places: list[Any] = field(default_factory=list)  # skillenai.classify.places.gazetteer.Place
    place_source: str | None = None  # "location" (structured) or "text"
    remote: bool = False
    hybrid: bool = False
    remote_scope: str | None = None
    workplace: str | None = None  # onsite | hybrid | remote (skillenai.classify.workplace.decide_workplace)
    role: Any = None  # skillenai.classify.roles.Role
    occupation: Any = None  # skillenai.classify.occupations.Occupation (postings only)
    kind: str = "other"
    lang: str | None = None  # ISO 639 code: the document's own, else detected from its text

    def as_json(self) -> dict:
        skills = [m.as_dict() for m in self.skills]
        skills += [dict(m.as_dict(), spans=[]) for m in self.title_skills]
        for skill in skills:
            skill.pop("score", None)
            skill.pop("method", None)
        return {
            "id": self.id,
            "skills": skills,
            "candidates": [{"text": c.text, "spans": [list(s) for s in c.spans]} for c in self.candidates],
            "metros": [place_json(p) for p in self.places],
            "remote": self.remote,
            "hybrid": self.hybrid,
            "workplace": self.workplace,
            "remote_scope": self.remote_scope,
            "role": {"id": self.role.id, "name": self.role.name} if self.role else None,
            "occupation": self.occupation.as_dict() if self.occupation else None,
            "kind": self.kind,
            "lang": self.lang,
        }


def place_json(place) -> dict:
    return {"id": place.city_id, "name": place.city, "admin1": place.admin1, "region": place.region,
            "country": place.country, "label": place.label, "lat": place.lat, "lon": place.lon,
            "metro_id": place.metro_id, "metro": place.metro}


def _unique_places(places: Iterable) -> list:
    seen, out = set(), []
    for place in places:
        if place.city_id not in seen:
            seen.add(place.city_id)
            out.append(place)
    return out


def tag_documents(docs: list[dict], *, spans: bool = True) -> list[Tags]:
    """Tags for a batch of ``{id, title?, text, location?, kind?, stated_workplace?, company?,
    department?, skip_spans?, lang?}`` documents.

    A title that is not an article's gets a role family and a SOC occupation
    (:mod:`skillenai.classify.titles`), read with its ``department`` when one is given.

    Skill words in the employer's own text are not counted: its name (``company``), its
    about-us, perks and equal-opportunity text (:mod:`skillenai.classify.sections`), and any
    ``skip_spans`` (sorted ``(start, end)`` ranges of ``text``, e.g. lines the store learned
    the company repeats in every posting).

    ``stated_workplace`` is the working arrangement the source states (``onsite``, ``hybrid``,
    ``remote``): one of the inputs of :func:`skillenai.classify.workplace.decide_workplace`.
    ``location`` is what the source says (a string, a list of strings or addresses);
    without one, the places the text names as the job's location are used. ``kind``,
    when given, is kept; otherwise the document-kind model decides. So is ``lang``; without
    one, the language of the text's start is detected (:mod:`skillenai.classify.language`).

    ``spans=False`` finds skills by their aliases alone, without the span model
    (:mod:`skillenai.classify.skills.matcher`); a title is always read so, but with the span
    model its job words ("Backend Engineer") are not taken for skills.
    """
    if not docs:
        return []
    with gc_paused():
        return _tag_documents(docs, spans)


def _tag_documents(docs: list[dict], spans: bool) -> list[Tags]:
    titles = [str(d.get("title") or "") for d in docs]
    texts = [str(d.get("text") or "") for d in docs]
    skip = [_name_ranges(texts[i], d.get("company"), d.get("skip_spans")) for i, d in enumerate(docs)]
    skip += [_name_ranges(titles[i], d.get("company"), None) for i, d in enumerate(docs)]
    found = detect_skills(texts + titles, skip=skip, employer_text=[False] * len(texts) + [True] * len(titles),
                          spans=[spans] * len(texts) + [False] * len(titles))
    matches = [d.skills for d in found]
    kinds = _kinds(docs, titles, texts)
    # A title names a role unless the document is an article or a paper; short inputs
    # without posting wording may be judged "other" by the kind model and still be job titles.
    posting_rows = [i for i, k in enumerate(kinds) if k not in WRITTEN_KINDS and titles[i]]
    roles = dict(zip(posting_rows, classify_titles([titles[i] for i in posting_rows],
                                                   [docs[i].get("department") for i in posting_rows])))

    out, text_places = [], []
    for i, doc in enumerate(docs):
        role, occupation = roles.get(i, (None, None))
        tags = Tags(id=doc.get("id"), kind=kinds[i], role=role, occupation=occupation,
                    lang=document_language(texts[i], stated=doc.get("lang")))
        tags.skills = matches[i]
        tags.candidates = found[i].candidates
        in_text = {m.id for m in tags.skills}
        tags.title_skills = title_only_skills(titles[i], matches[len(docs) + i], in_text, roles=spans)
        if _tag_places(tags, doc.get("location")) and texts[i]:
            text_places.append(i)
        # stated_workplace: what the source itself says, if anything
        tags.remote, tags.hybrid, tags.workplace = decide_workplace(
            tags.remote, tags.hybrid, doc.get("stated_workplace"), texts[i], posting=tags.kind == "posting")
        out.append(tags)
    _tag_places_in_text([out[i] for i in text_places], [texts[i] for i in text_places])
    return out


def title_only_skills(title: str, title_skills: Iterable[SkillMatch], in_text: set[str], *,
                      roles: bool = True) -> list[SkillMatch]:
    """The skills of a job title (``title_skills``, found in ``title`` by the alias layer)
    that give the document a tag of their own: those its text does not name (``in_text``:
    the ids of the text's skills). Where the text names the tool again, its mention there
    carries the tag and the span: real annotators leave the tools of a title unmarked, and
    the body's mention says more (where and how the job asks for it). ``roles``: leave out a
    skill named only by the title's job words ("Senior Backend Engineer" names the job, not a
    skill it asks for); the tools it names ("Python Developer") stay.
    """
    return [m for m in title_skills if m.id not in in_text
            and not (roles and all(names_a_role(title[a:b]) for a, b in m.spans))]


def _name_ranges(text: str, company: Any, extra: Any) -> list[tuple[int, int]] | None:
    """Where ``text`` names the employer ("Ember Credit", "Marble CI": not Ember.js or CI/CD),
    plus any ranges the caller already knows to leave out (sorted)."""
    ranges = []
    if extra is not None and not isinstance(extra, (list, tuple)):
        logger.warning("skip_spans: ignoring %r, expected a list of [start, end] offsets", extra)
        extra = None
    for r in extra or ():
        if (isinstance(r, (list, tuple)) and len(r) == 2 and all(isinstance(x, int) for x in r)
                and 0 <= r[0] <= r[1]):
            ranges.append((r[0], r[1]))
        else:
            logger.warning("skip_spans: ignoring %r, expected [start, end] character offsets", r)
    name = str(company).strip() if company else ""
    if len(name) >= 2 and text:
        i = text.find(name)
        while i >= 0:
            j = i + len(name)
            # "Stripes", "Stripe's": the employer's name for its staff, or its possessive.
            for ending in ("'s", "’s", "s"):
                if text.startswith(ending, j):
                    j += len(ending)
                    break
            if not (i and (text[i - 1].isalnum() or text[i - 1] == "_")) and not (
                    j < len(text) and (text[j].isalnum() or text[j] == "_")):
                ranges.append((i, j))
            i = text.find(name, j)
    return sorted(ranges) if ranges else None


def _kinds(docs: list[dict], titles: list[str], texts: list[str]) -> list[str]:
    kinds = [d.get("kind") if d.get("kind") in KINDS else None for d in docs]
    unknown = [i for i, k in enumerate(kinds) if k is None]
    if unknown:
        from skillenai.classify.kind import classify_kinds

        for i, kind in zip(unknown, classify_kinds([(titles[i], texts[i], docs[i].get("url")) for i in unknown])):
            kinds[i] = kind
    return kinds


def _tag_places(tags: Tags, location: Any) -> bool:
    """Places from the structured location; whether the text must be read for them."""
    if location:
        result = parse_locations(location)
        tags.places = _unique_places(result.places)
        tags.remote, tags.hybrid, tags.remote_scope = result.remote, result.hybrid, result.remote_scope
        tags.place_source = "location"
        if tags.places or tags.remote:
            return False
    return True


def _tag_places_in_text(tags: list[Tags], texts: list[str]) -> None:
    """Places from the texts of documents whose location gave none, one batch for all."""
    # A posting's text also names the company's other offices, so only the mentions the
    # context model reads as the job's location count; an article (or a paper) is about
    # every place it discusses ("hiring in Santa Clara held up better than in San Mateo").
    for t, found in zip(tags, places_in_texts(texts)):
        article = t.kind in WRITTEN_KINDS
        mentions = [m for m in found if article or m.is_job_location]
        if mentions:
            t.places = _unique_places(m.place for m in mentions)
            t.place_source = "text"
