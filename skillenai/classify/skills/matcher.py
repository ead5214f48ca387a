"""Find skills in text: one Aho-Corasick pass over every alias, then context disambiguation.

The pass runs over a normalised copy of the text: lower case, punctuation that no alias
contains replaced by a separator, runs of white space collapsed (offsets are mapped back, so
every span points into the original text). Every alias key starts with a boundary character,
so only mentions that begin a word are found; where a mention ends is checked by
:meth:`_Matcher._right_boundary`, which also takes a trailing version ("Python 3.11",
"C++17", "Java 8+") but not a count ("Python 5 years"). Cheap rules come first: exact-case
aliases ("Go", "R", "JS"), stop phrases ("Vitamin C", "go to market") and boundaries ("R&D",
"C-suite", "Node.js" is not "Node"). Overlapping mentions resolve to the longest ("Google
Cloud Platform" is one skill). Only the remaining ambiguous mentions ("Go", "React",
"Excel") go to :mod:`skillenai.classify.skills.disambiguate`, in one batch per call.

>>> [(m.name, m.spans) for m in match_skills("We use Python 3, Go and Postgres.")]
[('Python', [(7, 15)]), ('Go', [(17, 19)]), ('PostgreSQL', [(24, 32)])]
"""

from __future__ import annotations

import bisect
import difflib
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import ahocorasick

from skillenai.core.jsonlines import read_objects
from skillenai.classify.sections import boilerplate_ranges, in_ranges, merge_ranges
from skillenai.classify.skills.taxonomy import Skill, Taxonomy, alias_key, load_taxonomy
from skillenai.classify.resources import CLASSIFY_DATA

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


@dataclass(slots=True)
class Mention:
    """One candidate mention before grouping: ``text[start:end]``, alias part ``[start:alias_end]``."""

    start: int
    end: int
    alias_end: int
    skill: int  # index into Taxonomy.skills
    alias: str  # alias key
    ambiguous: bool
    versioned: bool = False


# Version written right after a name: "Python3", "C++17", "HTML5", "Vue 3", "Python 3.11",
# "Java 8+", "Excel 2019". Not "Python 5 years" or "AWS 3+ yrs".
_ATTACHED_VERSION = re.compile(r"v?\d+(?:\.\d+)*(?:\.x)?\+?")
_SPACED_VERSION = re.compile(r" v?(?:\d+\.\d+(?:\.\d+)*(?:\.x)?|\d{1,2}(?:\.x)?)\+?")
_SPACED_YEAR = re.compile(r" (?:19|20)\d\d")
_COUNT_AFTER = re.compile(r"\+? ?(?:years?|yrs?|months?|mos?|days?|hours?|hrs?|weeks?|people|engineers|%|x\b)")
_SPACE_RUN = re.compile(" {2,}")
_SEP = "\x00"  # stands for any punctuation that no alias contains (and is not white space)
_VERSION_START = frozenset("0123456789v")


class _Matcher:
    """The compiled automaton and per-alias facts; built once per taxonomy."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        keep = set()
        for a in taxonomy.aliases + taxonomy.stop_phrases:
            keep.update(ch for ch in a.key if not ch.isalnum() and ch != " ")
        self.keep = "".join(sorted(keep))
        # Characters outside \w, white space and alias punctuation become a separator that is
        # a word boundary but, unlike white space, never part of a multi-word alias:
        # "Python (pandas)" must not read as the alias "Python pandas".
        self.non_key = re.compile("[^\\w\\s" + re.escape(self.keep) + "]")
        self.other_space = re.compile(r"[^\S ]")
        # Left boundaries a mention may start after: a space, the separator, "HTML/CSS", "non-Java".
        left = [" ", _SEP] + [c for c in "/-':" if c in keep]
        self.automaton = ahocorasick.Automaton()
        self.entries = []
        versioned_cats = {c.name for c in taxonomy.categories.values() if c.versioned}
        groups: dict[str, list[int]] = {}
        # Stop phrases first: where one differs from an alias only by case ("DART"), it wins.
        for i, a in enumerate(taxonomy.stop_phrases + taxonomy.aliases):
            if a.skill >= 0:
                skill = taxonomy.skills[a.skill]
                versioned = skill.category in versioned_cats and len(a.text) >= 2 and not a.text[-1].isdigit()
            else:
                versioned = False
            self.entries.append((a, versioned, a.case_sensitive, len(a.key), a.ambiguous, a.skill))
            groups.setdefault(a.key, []).append(i)
        # One- and two-letter aliases ("C", "R", "Go") also carry the character after them, so
        # the automaton does not stop at every word that merely starts with "c" or "go".
        right = [" ", _SEP] + [c for c in "/.':-&" if c in keep]
        for key, idxs in groups.items():
            value = tuple(idxs)
            short = len(key) <= 2
            for lb in left:
                if lb == "-" and short:
                    continue
                k = lb + key
                if short:
                    for rb in right:
                        self.automaton.add_word(k + rb, (value, len(k) + 1, 1))
                else:
                    self.automaton.add_word(k, (value, len(k), 0))
        self.automaton.make_automaton()
        # Skills named by a common-noun phrase ("cloud security", "payment systems",
        # "nursing"), not by a product name: these are the ones a posting also uses to name
        # a team, a product or the employer's line of business.
        self.concept = [_is_concept(s) for s in taxonomy.skills]
        self.key_entries = groups

    # ----------------------------------------------------------------- normalisation

    def normalise(self, text: str) -> tuple[str, tuple[list[int], list[int]] | None]:
        """``" " + text + " "`` lowered, punctuation as separators, runs of white space collapsed.

        Returns the normalised string and, when runs were collapsed, the breakpoints that
        :func:`_to_norm` uses to map a collapsed index back (``None`` when nothing moved).
        """
        low = text.lower()
        if len(low) != len(text):  # a few characters ("İ") lower to two; keep length.
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        # Two characters of padding at the end: a mention may look one character past its end
        # and, for a version, one more.
        norm = " " + self.other_space.sub(" ", self.non_key.sub(_SEP, low)) + " " + _SEP
        if "  " not in norm:
            return norm, None
        # Collapse runs of spaces so "Google  Cloud\nPlatform" matches; remember, for each run,
        # where its kept space lands and how many characters were dropped so far.
        kept: list[int] = []
        dropped: list[int] = []
        removed = 0
        for m in _SPACE_RUN.finditer(norm):
            kept.append(m.start() - removed)
            removed += m.end() - m.start() - 1
            dropped.append(removed)
        return _SPACE_RUN.sub(" ", norm), (kept, dropped)

    # ----------------------------------------------------------------- scanning

    def _right_boundary(self, norm: str, end: int, entry_len: int, versioned: bool, ambiguous: bool) -> int:
        """Where the mention ending at ``end`` really ends (version included), or -1."""
        n = len(norm)
        if end >= n:
            return end
        ch = norm[end]
        if ch == " ":
            if versioned:
                m = _SPACED_VERSION.match(norm, end) or (None if ambiguous else _SPACED_YEAR.match(norm, end))
                if m and not _is_word(norm, m.end()) and not _COUNT_AFTER.match(norm, m.end()):
                    return m.end()
            return end
        if ch.isalnum() or ch == "_":
            if versioned and ch.isdigit():
                m = _ATTACHED_VERSION.match(norm, end)
                if m and not _is_word(norm, m.end()):
                    return m.end()
            return -1
        nxt_word = _is_word(norm, end + 1)
        if ch in "+#":
            return -1
        if ch == "." or ch == "&" or ch == "'":
            # "Node.js" is not "Node"; "R&D" is not "R"; "Python's" is Python.
            return end if (ch == "'" or not nxt_word) else -1
        if ch == "-":
            return -1 if (entry_len <= 2 and nxt_word) else end
        return end

    def scan(self, text: str) -> list[Mention]:
        """Candidate mentions in ``text``, longest-first, non-overlapping, sorted by start."""
        norm, moved = self.normalise(text)
        entries = self.entries
        right_boundary = self._right_boundary
        found = []
        for last, (idxs, klen, trail) in self.automaton.iter(norm):
            e = last + 1 - trail
            s = e - klen + trail + 1  # skip the boundary character
            for idx in idxs:
                alias, versioned, cs, keylen, ambiguous, skill = entries[idx]
                ch = norm[e]
                if ch == _SEP or (ch == " " and not (versioned and norm[e + 1] in _VERSION_START)):
                    real_end = e  # the common case, decided without a call
                else:
                    real_end = right_boundary(norm, e, keylen, versioned, ambiguous)
                    if real_end < 0:
                        break
                if moved is None:
                    os_, oe, ore = s - 1, e - 1, real_end - 1
                else:
                    os_, oe = _to_norm(s, moved) - 1, _to_norm(e - 1, moved)
                    ore = oe if real_end == e else _to_norm(real_end - 1, moved)
                if cs and not _same_case(text[os_:oe], alias):
                    continue
                if "\n" in text[os_:oe] and _hard_break(text, os_, oe, alias.text):
                    continue
                if keylen == 1 and 1 < os_ and text[os_ - 1] == "(" and text[os_ - 2].isalnum():
                    break  # "Microsoft(R)", "Foo(C)": a trademark or copyright sign
                found.append(Mention(os_, ore, oe, skill, alias.key, ambiguous, ore > oe))
                break
        if len(found) > 1:
            found = _longest_first(found, len(text))
        # Stop phrases ("Vitamin C") have done their work: they hid what they cover.
        return [m for m in found if m.skill >= 0]


def _to_norm(i: int, moved: tuple[list[int], list[int]]) -> int:
    """Index in the uncollapsed normalised text of index ``i`` of the collapsed one."""
    kept, dropped = moved
    k = bisect.bisect_left(kept, i)
    return i + dropped[k - 1] if k else i


def _same_case(surface: str, alias) -> bool:
    """Does ``surface`` match an exact-case alias? Only the first word's case is binding
    ("SOC analyst" also matches "SOC Analyst"); longer aliases also match in capitals."""
    if surface == alias.text:
        return True
    words = surface.split()
    want = alias.text.split()
    if len(words) != len(want) or words[0] != want[0]:
        # Shouted text ("SPANISH A PLUS", "EXCEL"): capitals are fine for longer aliases that
        # are not themselves written in capitals.
        caps_ok = len(alias.text) >= (4 if alias.ambiguous else 5) and not alias.text.isupper()
        return caps_ok and surface == alias.text.upper()
    return len(words) == 1 or " ".join(words[1:]).lower() == " ".join(want[1:]).lower()


def _is_word(norm: str, i: int) -> bool:
    return i < len(norm) and (norm[i].isalnum() or norm[i] == "_")


_TOOL_CATEGORIES = frozenset({"language", "framework", "library", "database", "devops", "tool", "platform", "mobile"})


def _is_concept(skill: Skill) -> bool:
    if skill.category not in _TOOL_CATEGORIES and skill.category != "cloud":
        return True
    # "Cloud security" in the cloud category is a practice; "Google Cloud Platform" a product.
    words = skill.name.split()
    return len(words) > 1 and skill.name[1:] == skill.name[1:].lower() and skill.name.replace(" ", "").isalpha()


def _hard_break(text: str, start: int, end: int, alias_text: str) -> bool:
    """Is a line break inside ``text[start:end]`` a real break (a new line starting with a
    capital: a heading or bullet follows, as in "back to product\nDesign reference
    architectures") rather than wrapped prose ("machine\nlearning")? A name that is
    capitalised inside ("Google Cloud\nPlatform") may wrap either way."""
    if any(c.isupper() for c in alias_text[1:]):
        return False
    i = start
    while True:
        i = text.find("\n", i, end)
        if i < 0:
            return False
        j = i + 1
        while j < end and text[j].isspace():
            j += 1
        if j < end and (text[j].isupper() or text[j].isdigit()):
            return True
        i = j


# What follows a concept phrase when it names a team ("the Data Science team", "our Nursing
# unit") or a product ("the cloud security platform", "our threat intelligence feed").
_TEAM_OR_PRODUCT_AFTER = re.compile(
    r"[ \t]*-?[ \t]*(?:team|teams|unit|department|dept|division|org|organi[sz]ation|squad|guild|"
    r"group|platform|platforms|product|products|feed|feeds|suite|assistant|company|companies|startup|vendor)\b",
    re.IGNORECASE,
)
# The employer's own product after "our"/"the": "our collaboration tools", "our payments
# API", "the fraud models". Without the determiner these nouns keep the skill ("fraud
# models" in a requirement).
_OWN_PRODUCT_AFTER = re.compile(r"[ \t]+(?:tools|models|api|apis|engine|engines|system|systems|service|app|apps)\b",
                                re.IGNORECASE)
# Before a concept phrase: the product the hire will build ("help us build real-time fraud
# detection") or the unit someone heads ("reporting to the head of Data Platform").
_BUILD_OR_HEAD_BEFORE = re.compile(
    r"(?:\bhelp(?:ing)? us (?:build|grow|scale|improve|ship)(?: out)?(?: (?:our|the))?(?: [\w\-]+)?|"
    r"\b(?:head|vp|vice president|director|svp|evp) of(?: the)?) $", re.IGNORECASE)
# "Cloud Security at Acme helps customers ...": a team introduced by name.
_TEAM_AT = re.compile(r" at [A-Z]")
# People, not the skill: "partner with data scientists", "support other teachers".
_PEOPLE = frozenset("""scientists engineers managers teachers designers developers analysts architects
researchers nurses marketers recruiters consultants specialists administrators admins technicians
accountants writers leads owners""".split())
_DETERMINER_BEFORE = re.compile(r"(?:\b(?:our|the|your|their|its)\s+(?:[\w\-]+\s+)?)$", re.IGNORECASE)
_DETERMINERS = frozenset({"our", "the", "your", "their", "its"})
_PRODUCT_WORDS = frozenset({"platform", "platforms", "product", "products", "feed", "service", "app"})


def _names_people(text: str, m: Mention, matcher: _Matcher) -> bool:
    """A plural job title whose singular is an alias of the skill ("data scientists" next
    to "data scientist"): colleagues, not the skill. "managing engineers" is not."""
    singular = alias_key(text[m.start:m.end])[:-1]
    return any(matcher.entries[i][0].skill == m.skill for i in matcher.key_entries.get(singular, ()))


def _names_something_else(text: str, m: Mention, matcher: _Matcher) -> bool:
    """Does a concept mention name a team, a product or people rather than a skill?"""
    after = text[m.end:m.end + 1]
    if after in (" ", "\t", "-") and _TEAM_OR_PRODUCT_AFTER.match(text, m.end):
        return True
    surface = text[m.start:m.end]
    words = surface.split()
    last = words[-1].lower()
    if last[-1:] == "s" and last in _PEOPLE and _names_people(text, m, matcher):
        return True
    before = text[max(0, m.start - 50):m.start]
    # Cheap tests first: most mentions have neither "us" nor "of" nor a determiner close by.
    near = before[-30:].lower()
    if (" us " in near or " of " in near) and _BUILD_OR_HEAD_BEFORE.search(before):
        return True
    if _DETERMINERS.intersection(near.split()[-2:]) and _DETERMINER_BEFORE.search(before):
        if last in _PRODUCT_WORDS and len(words) > 1:
            return True  # "the Payments platform", "our customer data platform"
        if _OWN_PRODUCT_AFTER.match(text, m.end):
            return True
    if (len(words) > 1 and all(w[:1].isupper() for w in words) and _TEAM_AT.match(text, m.end)):
        return True
    return False


def _keep_mentions(text: str, mentions: list[Mention], matcher: _Matcher, skip: list[tuple[int, int]]) -> list[Mention]:
    concept = matcher.concept
    out = []
    for m in mentions:
        if skip and in_ranges(skip, m.start, m.end):
            continue
        if concept[m.skill] and _names_something_else(text, m, matcher):
            continue
        out.append(m)
    return out


def _longest_first(found: list[Mention], n: int) -> list[Mention]:
    # Longest first; on a tie an explicit alias (".NET 6") beats a name plus version, and
    # an unambiguous alias beats an ambiguous one.
    found.sort(key=lambda m: (m.start - m.end, m.start, m.versioned, m.ambiguous))
    taken = bytearray(n + 1)
    kept = []
    for m in found:
        if taken.find(1, m.start, m.end) != -1:
            continue
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
        kept.append(m)
    kept.sort(key=lambda m: m.start)
    return kept


# Compiled matchers by taxonomy (kept alive with it); the default taxonomy is cached too.
_MATCHERS: dict[int, tuple[Taxonomy, _Matcher]] = {}


def _matcher(taxonomy: Taxonomy | None = None) -> _Matcher:
    taxonomy = taxonomy or load_taxonomy()
    hit = _MATCHERS.get(id(taxonomy))
    if hit is None or hit[0] is not taxonomy:
        if len(_MATCHERS) >= 4:
            _MATCHERS.clear()
        hit = _MATCHERS[id(taxonomy)] = (taxonomy, _Matcher(taxonomy))
    return hit[1]


def find_mentions(text: str, taxonomy: Taxonomy | None = None) -> list[Mention]:
    """Every candidate mention in ``text`` (ambiguous ones not yet decided), by start."""
    if not text:
        return []
    return _matcher(taxonomy).scan(text)


# --------------------------------------------------------------------------- public API


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
    from skillenai.classify.skills import disambiguate

    taxonomy = load_taxonomy()
    matcher = _matcher(taxonomy)
    per_text = []
    for i, t in enumerate(texts):
        if not t:
            per_text.append([])
            continue
        keep_all = employer_text if isinstance(employer_text, bool) else employer_text[i]
        ranges = [] if keep_all else boilerplate_ranges(t)
        extra = skip[i] if skip is not None else None
        if extra:
            ranges = merge_ranges(ranges + [tuple(r) for r in extra])
        per_text.append(_keep_mentions(t, matcher.scan(t), matcher, ranges))
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
    from skillenai.classify.skills import disambiguate

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
