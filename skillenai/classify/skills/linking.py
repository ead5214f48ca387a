"""Entity linking: a skill span as a job ad writes it → the canonical skill it names.

In order, the first that answers wins:

1. the exact alias ("Postgres", "k8s": every name and alias of the taxonomy, with its
   generated spellings);
2. the normalised alias: case, spacing and punctuation folded (". NET" → ".NET", "c #" →
   "C#", "amazon-web-services"), versions and qualifiers dropped ("Python 3.11",
   "Java programming", "Kubernetes experience"), lead-ins dropped ("experience with
   Spark", "strong knowledge of SQL"), a plural made singular ("REST APIs");
3. the nearest name or alias, for a misspelling ("Kubernets", "Postgre SQL", "Pyhton"):
   among the aliases nearest by character trigrams (TF-IDF cosine), the one fewest edits
   away (insertions, deletions, substitutions, swaps of neighbours), if that is at most
   one edit in eight characters (:func:`max_edits`).

Case does not hold a link back: a span reached this far was already judged a skill, so
"c#" is C# and "java" is Java (where two skills differ only in case, "dbt" and "DBT", the
exact case still decides).

A span that names several skills ("Java/Scala", "Python, Go or Rust") is linked part by
part. What links to nothing is kept by the caller as a candidate: a skill the taxonomy
may still lack.

>>> [(l.skill.name, l.method) for l in link_span("experience with Kubernetes")]
[('Kubernetes', 'normalised')]
>>> [l.skill.name for l in link_span("Java/Scala")]
['Java', 'Scala']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from skillenai.classify.skills.taxonomy import Skill, Taxonomy, alias_key, load_taxonomy

# Aliases looked at for a misspelling: the nearest by n-gram cosine, at least this alike.
_NEIGHBOURS, _COSINE_MIN = 8, 0.3


def max_edits(length: int) -> int:
    """Edits a misspelling of ``length`` characters may be from its alias: one in eight, at
    most three, none below six characters ("Lamda" is as near to "Ramda" as to "Lambda").

    >>> [max_edits(n) for n in (5, 6, 9, 16, 30)]
    [0, 1, 1, 2, 3]
    """
    return 0 if length < 6 else min(3, max(1, length // 8))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance of ``a`` and ``b``, or ``limit + 1`` once it is
    certain to exceed ``limit``.

    >>> edit_distance("pyhton", "python", 2), edit_distance("kubernets", "kubernetes", 2)
    (1, 1)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


@dataclass(frozen=True)
class Link:
    """One skill a span (or a part of it) names. ``skill`` is ``None`` when nothing fits;
    ``text`` is the part that was linked; ``method`` says how (``alias``, ``normalised``,
    ``nearest``, ``none``); ``score`` is 1.0 but for ``nearest`` (the cosine)."""

    text: str
    skill: Skill | None
    method: str
    score: float


_LEAD_IN = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:(?:strong|solid|good|excellent|deep|proven|demonstrated|working|basic|advanced|"
    r"hands[- ]on|practical|professional|extensive|some|prior)\s+)*"
    r"(?:(?:experience|knowledge|understanding|proficiency|expertise|familiarity|fluency|background|skills?|"
    r"competence|exposure)\s+(?:with|in|of|using|on|around)\s+|(?:proficient|experienced|skilled|fluent|"
    r"familiar|comfortable|versed)\s+(?:with|in|using)\s+)",
    re.IGNORECASE,
)
_TAIL = re.compile(r"\s+(?:experience|knowledge|skills?|expertise|proficiency|background|fundamentals|"
                   r"concepts|principles|technologies|technology|tools?|stack|ecosystem|environments?|"
                   r"platforms?|services|frameworks?|libraries|programming|development|language|languages)$",
                   re.IGNORECASE)
_VERSION = re.compile(r"[\s\-_]*v?\d+(?:\.\d+)*(?:\.x)?\+?$")
_SPACED_DOT = re.compile(r"(?<![\w.])\.\s+(?=NET\b)", re.IGNORECASE)
_SPACED_SHARP = re.compile(r"\b([CF])\s+#", re.IGNORECASE)
_PUNCT_EDGES = re.compile(r"^[\s\-–—•*·,;:()\[\]\"'“”‘’]+|[\s\-–—•*·,;:()\[\]\"'“”‘’.]+$")
_PARTS = re.compile(r"\s*(?:/|,|;|\||\s&\s|\band/or\b|\band\b|\bor\b|\bas well as\b)\s*", re.IGNORECASE)


def clean_span_text(text: str) -> str:
    """A span's text as it is linked: spacing folded, ". NET" and "c #" joined, straight
    apostrophes, no punctuation at either end ("sales," → "sales").

    >>> clean_span_text(" (. NET, ")
    '.NET'
    """
    return _clean(text)


# "Bachelor's degree in Finance" is the degree; the field is another matter.
_DEGREE_FIELD = re.compile(r"^(.*?\bdegrees?)\s+(?:in|of)\s+\S.*$", re.IGNORECASE)


def _clean(text: str) -> str:
    text = _SPACED_DOT.sub(".", " ".join(text.replace("’", "'").replace("‘", "'").split()))
    text = _SPACED_SHARP.sub(lambda m: m.group(1) + "#", text)
    return _PUNCT_EDGES.sub("", text)


_EDGE_WORDS = re.compile(r"^(?:(?:in|of|on|at|to|for|with|and|or|a|an|the)\s+)+|(?:\s+(?:in|of|on|at|to|for|with|and|or|a|an|the))+$",
                         re.IGNORECASE)


def _forms(text: str) -> list[str]:
    """The spellings tried for one part, most literal first."""
    out = [text]
    bare = _EDGE_WORDS.sub("", text)
    if bare and bare != text:
        out.append(bare)
    stripped = _LEAD_IN.sub("", text)
    if stripped != text:
        out.append(stripped)
    for form in list(out):
        for f in (_TAIL.sub("", form), _VERSION.sub("", form)):
            if f and f not in out:
                out.append(f)
        tail = _TAIL.sub("", form)
        v = _VERSION.sub("", tail)
        if v and v not in out:
            out.append(v)
    degree = _DEGREE_FIELD.match(text)
    if degree:
        out.append(degree.group(1))
    for form in list(out):
        if "-" in form and form.replace("-", " ") not in out:
            out.append(form.replace("-", " "))
    for form in list(out):
        low = form.lower()
        if len(form) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is")):
            out.append(form[:-1])
    return [f for f in out if f]


class Linker:
    """Links span texts to the skills of one taxonomy (see the module docstring)."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._index = None

    def _exact(self, text: str) -> Skill | None:
        entries = [e for e in self.taxonomy.entries_for(alias_key(text)) if e.skill >= 0]  # not stop phrases
        if not entries:
            return None
        exact = [e for e in entries if e.text == text]
        return self.taxonomy.skills[(exact or entries)[0].skill]

    def _nearest(self, text: str) -> tuple[Skill | None, float]:
        if self._index is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            # The project's own skills only: misspelt names are tools' and languages' names;
            # ESCO's 70,000 labels are phrases, linked exactly (and would make this 5x slower).
            skills = self.taxonomy.skills
            own = [a for a in self.taxonomy.aliases if a.skill >= 0 and skills[a.skill].source == "project"]
            keys = sorted({a.key for a in own if len(a.key) >= 4})
            owner = {}
            for a in own:
                owner.setdefault(a.key, a.skill)
            vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)
            matrix = vectorizer.fit_transform(keys)
            matrix.sort_indices()
            # By n-gram: a query's scores add up the few columns of its own n-grams instead of
            # a sparse product over every key (4.4 of 6.9 ms a call).
            self._index = (vectorizer, matrix.tocsc(), keys, [owner[k] for k in keys])
        vectorizer, columns, keys, owners = self._index
        key = alias_key(text)
        query = vectorizer.transform([key])
        if query.nnz == 0:
            return None, 0.0
        query.sort_indices()
        # Each key's products added in the order of its n-grams, as the sparse product adds them.
        scores = np.zeros(columns.shape[0])
        for gram, weight in zip(query.indices.tolist(), query.data.tolist()):
            start, end = columns.indptr[gram], columns.indptr[gram + 1]
            scores[columns.indices[start:end]] += columns.data[start:end] * weight
        limit = max_edits(len(key))
        best, best_edits = None, limit + 1
        for i in scores.argsort()[::-1][:_NEIGHBOURS]:
            if scores[i] < _COSINE_MIN:
                break
            if keys[i][0] != key[0]:  # a typo rarely hits the first letter: "reviews" is not "EViews"
                continue
            edits = edit_distance(key, keys[i], limit)
            if edits < best_edits:
                best, best_edits = int(i), edits
        if best is None:
            return None, 0.0
        return self.taxonomy.skills[owners[best]], round(1 - best_edits / max(len(key), 1), 4)

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one linker per taxonomy, kept for the process
    def link(self, span_text: str) -> tuple[Link, ...]:
        """The skills ``span_text`` names, one :class:`Link` per part."""
        whole = _clean(span_text)
        if not whole:
            return ()
        found = self._link_part(whole)
        if found.skill is not None:
            return (found,)
        parts = [p for p in (_clean(_EDGE_WORDS.sub("", x)) for x in _PARTS.split(whole)) if p]
        if len(parts) <= 1:
            return (found,)
        return tuple(self._link_part(p) for p in parts)

    def _link_part(self, text: str) -> Link:
        skill = self._exact(text)
        if skill is not None:
            return Link(text, skill, "alias", 1.0)
        for form in _forms(text)[1:]:
            skill = self._exact(form)
            if skill is not None:
                return Link(text, skill, "normalised", 1.0)
        if len(text) >= 4 and len(text.split()) <= 6:
            skill, score = self._nearest(text)
            if skill is not None:
                return Link(text, skill, "nearest", round(score, 4))
        return Link(text, None, "none", 0.0)


@functools.lru_cache(maxsize=1)
def default_linker() -> Linker:
    """The linker of the shipped taxonomy, built once."""
    return Linker(load_taxonomy())


def link_span(text: str) -> tuple[Link, ...]:
    """Link one span's text to the shipped taxonomy; see :class:`Linker`."""
    return default_linker().link(text)
