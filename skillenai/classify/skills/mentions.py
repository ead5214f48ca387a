"""Mentions of taxonomy aliases in text: one Aho-Corasick pass, then cheap context rules.

The pass runs over a normalised copy of the text: lower case, punctuation that no alias
contains replaced by a separator, runs of white space collapsed (offsets are mapped back, so
every span points into the original text). Every alias key starts with a boundary character,
so only mentions that begin a word are found; where a mention ends is checked by
:meth:`AliasMatcher._right_boundary`, which also takes a trailing version ("Python 3.11",
"C++17", "Java 8+") but not a count ("Python 5 years"). Cheap rules come first: exact-case
aliases ("Go", "R", "JS"), stop phrases ("Vitamin C", "go to market") and boundaries ("R&D",
"C-suite", "Node.js" is not "Node"). Overlapping mentions resolve to the longest ("Google
Cloud Platform" is one skill). What is left ambiguous ("Go", "React", "Excel") is marked so
for :mod:`skillenai.classify.skills.disambiguate`; :mod:`skillenai.classify.skills.matcher`
joins the two.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import ahocorasick

from skillenai.classify.sections import in_ranges
from skillenai.classify.skills.taxonomy import Skill, Taxonomy, alias_key, load_taxonomy


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


class AliasMatcher:
    """The compiled automaton and per-alias facts; built once per taxonomy."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        keep = set()
        for a in taxonomy.scanned_aliases + taxonomy.stop_phrases:
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
        for i, a in enumerate(taxonomy.stop_phrases + taxonomy.scanned_aliases):
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
# The singular of a job title's last word: "Backend Engineer" in a title names the job, not
# a skill the job asks for.
ROLE_NOUNS = frozenset(w[:-1] for w in _PEOPLE) | {"lead", "director", "officer", "head", "intern", "associate",
                                                   "representative", "coordinator", "programmer", "tester"}


def names_a_role(surface: str) -> bool:
    """Whether a mention's text is a job title ("Data Engineer", "Product Manager").

    >>> names_a_role("Backend Engineer"), names_a_role("Python"), names_a_role("SOC Analyst")
    (True, False, True)
    """
    words = surface.split()
    return len(words) >= 2 and words[-1].lower().rstrip("s") in ROLE_NOUNS
_DETERMINER_BEFORE = re.compile(r"(?:\b(?:our|the|your|their|its)\s+(?:[\w\-]+\s+)?)$", re.IGNORECASE)
_DETERMINERS = frozenset({"our", "the", "your", "their", "its"})
_PRODUCT_WORDS = frozenset({"platform", "platforms", "product", "products", "feed", "service", "app"})


def _names_people(text: str, m: Mention, matcher: AliasMatcher) -> bool:
    """A plural job title whose singular is an alias of the skill ("data scientists" next
    to "data scientist"): colleagues, not the skill. "managing engineers" is not."""
    singular = alias_key(text[m.start:m.end])[:-1]
    return any(matcher.entries[i][0].skill == m.skill for i in matcher.key_entries.get(singular, ()))


def _names_something_else(text: str, m: Mention, matcher: AliasMatcher) -> bool:
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


# An acronym the text goes on to define as its own thing: "PMP, our product management
# process", "EMI (an e-money institution)". A skill's acronym is not explained so.
_DEFINED_AFTER = re.compile(r"\s*(?:,|\(|\s[-–—])\s*(?:our|their|the|an?|which is|i\.e\.)\s", re.IGNORECASE)


def _defined_as_own_thing(text: str, m: Mention) -> bool:
    surface = text[m.start:m.end]
    return 2 <= len(surface) <= 6 and surface.isupper() and bool(_DEFINED_AFTER.match(text, m.end))


def keep_mentions(text: str, mentions: list[Mention], matcher: AliasMatcher, skip: list[tuple[int, int]]) -> list[Mention]:
    concept = matcher.concept
    out = []
    for m in mentions:
        if skip and in_ranges(skip, m.start, m.end):
            continue
        if concept[m.skill] and _names_something_else(text, m, matcher):
            continue
        if _defined_as_own_thing(text, m):
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
_MATCHERS: dict[int, tuple[Taxonomy, AliasMatcher]] = {}


def alias_matcher(taxonomy: Taxonomy | None = None) -> AliasMatcher:
    taxonomy = taxonomy or load_taxonomy()
    hit = _MATCHERS.get(id(taxonomy))
    if hit is None or hit[0] is not taxonomy:
        if len(_MATCHERS) >= 4:
            _MATCHERS.clear()
        hit = _MATCHERS[id(taxonomy)] = (taxonomy, AliasMatcher(taxonomy))
    return hit[1]


def find_mentions(text: str, taxonomy: Taxonomy | None = None) -> list[Mention]:
    """Every candidate mention in ``text`` (ambiguous ones not yet decided), by start."""
    if not text:
        return []
    return alias_matcher(taxonomy).scan(text)


# --------------------------------------------------------------------------- public API
