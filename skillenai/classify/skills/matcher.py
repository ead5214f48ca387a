"""Find skills in text: alias mentions, then context disambiguation of the ambiguous ones.

:mod:`skillenai.classify.skills.mentions` finds every alias mention in one pass and applies
the cheap rules (case, stop phrases, boundaries, longest match); only the mentions still
ambiguous ("Go", "React", "Excel") go to :mod:`skillenai.classify.skills.disambiguate`, in
one batch per call. Mentions of one skill are grouped into a :class:`SkillMatch`.

>>> [(m.name, m.spans) for m in match_skills("We use Python 3, Go and Postgres.")]
[('Python', [(7, 15)]), ('Go', [(17, 19)]), ('PostgreSQL', [(24, 32)])]
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from skillenai.classify.resources import CLASSIFY_DATA
from skillenai.classify.sections import boilerplate_ranges, merge_ranges
from skillenai.classify.skills import disambiguate
from skillenai.classify.skills.mentions import Mention, alias_matcher, find_mentions, keep_mentions
from skillenai.classify.skills.taxonomy import Skill, Taxonomy, alias_key, load_taxonomy
from skillenai.core.jsonlines import read_objects

logger = logging.getLogger(__name__)

__all__ = [
    "SkillMatch",
    "Mention",
    "match_skills",
    "tag_skills_batch",
    "resolve_skill",
    "suggest_skills",
    "load_taxonomy",
    "train_skill_models",
    "find_mentions",
    "evaluate_snippets",
]

EVAL_FILE = CLASSIFY_DATA / "skills" / "eval_snippets.jsonl"


@dataclass(slots=True)
class SkillMatch:
    """A skill found in a text: every span (``(start, end)`` into the original text) of it.

    ``score`` is 1.0 for an unambiguous alias, else the disambiguator's probability;
    ``method`` is ``"alias"`` if any mention was unambiguous, else ``"model"``.
    """

    id: str
    name: str
    category: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    score: float = 1.0
    method: str = "alias"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "spans": [list(s) for s in self.spans],
            "score": round(self.score, 4),
            "method": self.method,
        }


def _group(text_mentions: list[tuple[Mention, float, str]], taxonomy: Taxonomy) -> list[SkillMatch]:
    by_skill: dict[int, SkillMatch] = {}
    for m, score, method in text_mentions:
        hit = by_skill.get(m.skill)
        if hit is None:
            s = taxonomy.skills[m.skill]
            by_skill[m.skill] = SkillMatch(s.id, s.name, s.category, [(m.start, m.end)], score, method)
        else:
            hit.spans.append((m.start, m.end))
            hit.score = max(hit.score, score)
            if method == "alias":
                hit.method = "alias"
    return list(by_skill.values())


def tag_skills_batch(
    texts: list[str],
    threshold: float | None = None,
    *,
    employer_text: bool | Sequence[bool] = False,
    skip: list[list[tuple[int, int]] | None] | None = None,
) -> list[list[SkillMatch]]:
    """:func:`match_skills` for many texts, with one disambiguator call for the whole batch.

    Args:
        texts: the texts.
        threshold: minimum disambiguator probability (default: the model's own).
        employer_text: also count skill words in the employer's own text (about us, perks,
            equal-opportunity statements; :func:`skillenai.classify.sections.boilerplate_ranges`),
            which are left out by default; one flag for all texts or one per text (a
            job title has no sections to look for).
        skip: per text, more sorted character ranges to leave out (e.g. lines the store
            learned a company repeats in every posting), or ``None``.
    """
    taxonomy = load_taxonomy()
    matcher = alias_matcher(taxonomy)
    per_text = []
    for i, t in enumerate(texts):
        if not t:
            per_text.append([])
            continue
        keep_all = employer_text if isinstance(employer_text, bool) else employer_text[i]
        ranges = [] if keep_all else boilerplate_ranges(t)
        if "://" in t or "www." in t or "@" in t:  # "https://..." is no mention of HTTP
            ranges = merge_ranges(ranges + [m.span() for m in _LINK.finditer(t)])
        extra = skip[i] if skip is not None else None
        if extra:
            ranges = merge_ranges(ranges + [tuple(r) for r in extra])
        per_text.append(keep_mentions(t, matcher.scan(t), matcher, ranges))
    pending = [(ti, mi) for ti, ms in enumerate(per_text) for mi, m in enumerate(ms) if m.ambiguous]
    probs: list[float] = []
    if pending:
        model = disambiguate.load_disambiguator()
        probs = model.score_mentions([(texts[ti], per_text[ti], mi) for ti, mi in pending], taxonomy)
        if threshold is None:
            threshold = model.threshold
    decided = {key: p for key, p in zip(pending, probs)}
    out = []
    for ti, mentions in enumerate(per_text):
        kept = []
        for mi, m in enumerate(mentions):
            if m.ambiguous:
                p = decided[(ti, mi)]
                if p >= threshold:
                    kept.append((m, p, "model"))
            else:
                kept.append((m, 1.0, "alias"))
        out.append(_group(kept, taxonomy))
    return out


def match_skills(text: str, threshold: float | None = None, *, employer_text: bool = False) -> list[SkillMatch]:
    """Skills mentioned in ``text``, each once with all its spans, in order of first mention.

    Args:
        text: any text (a posting, an article); ``None`` or empty gives ``[]``.
        threshold: minimum disambiguator probability for an ambiguous mention
            (default: the model's own, 0.5).
        employer_text: also count the employer's own text (about us, perks, EEO), which
            is left out by default (see :mod:`skillenai.classify.sections`).

    >>> [m.name for m in match_skills("Deploy to k8s on GCP; react to incidents.")]
    ['Kubernetes', 'Google Cloud Platform']
    """
    if not text:
        return []
    return tag_skills_batch([text], threshold, employer_text=employer_text)[0]


_LINK = re.compile(r"\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_VERSION_TAIL = re.compile(r"[\s\-_]*v?\d+(?:\.\d+)*(?:\.x)?\+?$")
_QUALIFIER_TAIL = re.compile(
    r"\s+(?:programming language|programming|language|framework|library|database|skills?|developer|"
    r"development|certification|certified)$",
    re.IGNORECASE,
)


_PAIR = re.compile(r"\s*/\s*|\s+(?:and|&|or)\s+", re.IGNORECASE)


def resolve_skill(name: str) -> Skill | None:
    """The canonical skill a name or alias refers to, or ``None``.

    Case and spacing are ignored, and so are versions and a few trailing qualifiers; a pair
    the taxonomy keeps apart ("HTML/CSS") resolves to its first part.

    >>> resolve_skill("python3").name, resolve_skill("Python 3.11").name, resolve_skill("golang").name
    ('Python', 'Python', 'Go')
    """
    if not name or not name.strip():
        return None
    taxonomy = load_taxonomy()
    candidates = [name]
    stripped = _VERSION_TAIL.sub("", name.strip())
    if stripped and stripped != name:
        candidates.append(stripped)
    for c in list(candidates):
        q = _QUALIFIER_TAIL.sub("", c.strip())
        if q and q != c:
            candidates.append(q)
            v = _VERSION_TAIL.sub("", q)
            if v and v != q:
                candidates.append(v)
    for c in candidates:
        skill = taxonomy.lookup(c)
        if skill is not None:
            return skill
    # "HTML/CSS", "Java/J2EE", "Unix and Linux": a pair the taxonomy keeps apart resolves to
    # its first part.
    first = _PAIR.split(name.strip(), maxsplit=1)[0]
    if first and first != name.strip():
        return resolve_skill(first)
    return None


@functools.lru_cache(maxsize=1)
def _suggestion_keys() -> tuple[list[str], dict[str, str]]:
    taxonomy = load_taxonomy()
    owner: dict[str, str] = {}
    for a in taxonomy.aliases:
        owner.setdefault(a.key, taxonomy.skills[a.skill].name)
    return list(owner), owner


def suggest_skills(name: str, n: int = 5) -> list[str]:
    """Canonical names of up to ``n`` skills whose names or aliases look like ``name``.

    >>> suggest_skills("kubernets")[0]
    'Kubernetes'
    """
    if n <= 0:
        raise ValueError(f"n must be >= 1, got {n}")
    if not name or not name.strip():
        return []
    keys, owner = _suggestion_keys()
    out: list[str] = []
    for key in difflib.get_close_matches(alias_key(name), keys, n=n * 4, cutoff=0.6):
        skill = owner[key]
        if skill not in out:
            out.append(skill)
        if len(out) == n:
            break
    return out


def train_skill_models(verbose: bool = False) -> dict:
    """Rebuild every skill model from the repository's data files and evaluate it.

    Deterministic: the same data gives the same model. Writes
    ``skillenai/classify/models/skill_disambiguator.skops`` and returns
    ``{"disambiguator": {...per-alias held-out numbers...}, "snippets": {...}}``.
    """
    report = {"disambiguator": disambiguate.train_disambiguator(save=True, verbose=verbose)}
    report["snippets"] = evaluate_snippets()
    if verbose:
        s = report["snippets"]
        logger.info("snippets: precision %.4f recall %.4f", s["precision"], s["recall"])
    return report


class SnippetDataError(ValueError):
    """An evaluation snippet is malformed; the message names the file and line."""


def read_snippets(path: Path | str = EVAL_FILE) -> list[dict]:
    """The labelled evaluation snippets: ``{id, kind, text, skills, not_skills?}`` a line."""
    taxonomy = load_taxonomy()
    out = []
    ids = set()
    for where, lineno, row in read_objects(path, SnippetDataError):
        if not isinstance(row.get("text"), str) or not isinstance(row.get("skills"), list):
            raise SnippetDataError(f"{where}: expected an object with a string 'text' and a list 'skills'")
        if row.get("id") in ids:
            raise SnippetDataError(f"{where}: duplicate id {row.get('id')!r}")
        ids.add(row.get("id"))
        for field_name in ("skills", "not_skills"):
            for name in row.get(field_name, []):
                if taxonomy.lookup(name) is None or taxonomy.lookup(name).name != name:
                    hint = suggest_skills(name)
                    raise SnippetDataError(
                        f"{where}: {field_name} names {name!r}, which is not a canonical skill"
                        + (f" (did you mean {', '.join(map(repr, hint))}?)" if hint else "")
                    )
        row["line"] = lineno
        out.append(row)
    return out


def evaluate_snippets(path: Path | str = EVAL_FILE) -> dict:
    """Micro precision and recall of :func:`match_skills` on the labelled snippets.

    A predicted skill not among a snippet's ``skills`` is a false positive (``not_skills``
    lists the traps a snippet was written for); a missing one is a false negative.
    """
    snippets = read_snippets(path)
    predicted = tag_skills_batch([s["text"] for s in snippets])
    tp = fp = fn = 0
    errors = []
    for snip, matches in zip(snippets, predicted):
        want = set(snip["skills"])
        got = {m.name for m in matches}
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
        if got != want:
            errors.append({"id": snip.get("id"), "line": snip["line"], "missing": sorted(want - got),
                           "extra": sorted(got - want)})
    return {
        "snippets": len(snippets),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "errors": errors,
    }
