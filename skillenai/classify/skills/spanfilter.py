"""A second look at each skill span found in a posting: keep it or drop it.

The span model (:mod:`skillenai.classify.skills.spans`) decides token by token; most of its
false tags on real postings are real technology words where annotators leave them
unlabelled: the company's own stack, a product blurb, a role named in a sentence ("As a
Java Engineer you ..."). :class:`SpanFilter` reads each whole span with what is known about
it (the model's marginals over its tokens, which alias layer found it and the skill's
category, how often the training postings labelled that phrase, the heading above it, the
cue words of its line, its neighbours) and says whether to keep it: a logistic regression
over :func:`span_features`, trained on out-of-fold spans of the training postings
(:mod:`skillenai.classify.skills.filtertrain`).
"""

from __future__ import annotations

import bisect
import functools
import logging
import math
from pathlib import Path
from typing import Sequence

from skillenai.classify.sections import heading_kind
from skillenai.classify.skills.spans import (
    _CUES,
    _HEADER_MAX_TOKENS,
    _STRIP,
    Doc,
    PhraseDict,
    _is_header,
    _norm_word,
)

logger = logging.getLogger(__name__)

__all__ = ["SpanInfo", "span_features", "SpanFilter", "FILTER_FILE"]

FILTER_FILE = "filter.skops"

# Words that name the job itself: a skill word right before one names a role ("Java
# Engineer"), which annotators do not mark.
_ROLE_WORDS = frozenset("""engineer engineers developer developers architect architects lead manager
specialist analyst analysts consultant administrator programmer scientist designer team teams
role position""".split())


class SpanInfo:
    """What :func:`span_features` reads about one span: its tokens ``[i, j)`` of the doc's
    flat token list, whether the span model found it (``origin`` ``"model"``) or only an alias
    mention the model supported (``"alias"``), and the category, ambiguity and method
    (``alias``/``model``/``span``) of a taxonomy mention over it, if any."""

    __slots__ = ("i", "j", "origin", "category", "ambiguous", "method")

    def __init__(self, i: int, j: int, origin: str, category: str | None = None, ambiguous: bool = False,
                 method: str | None = None):
        self.i, self.j, self.origin = i, j, origin
        self.category, self.ambiguous, self.method = category, ambiguous, method


@functools.lru_cache(maxsize=1 << 16)
def _heading_of(words: tuple[str, ...]) -> tuple[str, str] | None:
    """The kind and first two words of a line of ``words`` read as a heading, or ``None``
    for a line that is no heading (the same lines come back in posting after posting)."""
    if not _is_header(words):
        return None
    core = [_norm_word(w) for w in words if w.strip(_STRIP)]
    return heading_kind(" ".join(words)) or "other", " ".join(core[:2])


def _line_context(doc: Doc) -> tuple[list[int], list[tuple[str, str]], list[int]]:
    """Per line: its first token's index, the kind and first two words of the last heading
    above it, and its length."""
    starts: list[int] = []
    headings: list[tuple[str, str]] = []
    lengths: list[int] = []
    heading = ("none", "none")
    k = 0
    for line in doc.words:
        n = len(line)
        starts.append(k)
        lengths.append(n)
        headings.append(heading)
        k += n
        if n > _HEADER_MAX_TOKENS:  # no heading
            continue
        hit = _heading_of(tuple(line))
        if hit is not None:
            heading = hit
    return starts, headings, lengths


def _phrase_ratio(d: PhraseDict | None, words: Sequence[str], name: str) -> dict[str, float | str]:
    if d is None:
        return {}
    phrase = tuple(w.lower() for w in words)
    c = d.labelled.get(phrase, 0)
    if not c:
        return {name: "unknown"}
    seen = max(d.seen.get(phrase, c), c)
    return {name + "_ratio": c / seen, name: "known"}


def span_features(doc: Doc, p_in: Sequence[float], p_any: Sequence[float], spans: Sequence[SpanInfo],
                  phrases: dict[str, PhraseDict] | None = None) -> list[dict[str, float | str]]:
    """One feature dict per span (see the module docstring). ``p_in``/``p_any`` are the span
    model's marginals per token of ``doc`` (:meth:`~skillenai.classify.skills.spans.SpanTagger.marginals`)."""
    text = doc.text
    offsets = doc.offsets
    line_start, headings, lengths = _line_context(doc)
    low_text = text.lower()
    nlines = max(len(doc.lines), 1)
    line_of = [bisect.bisect_right(line_start, s.i) - 1 for s in spans]
    per_line: dict[int, int] = {}
    for s, li in zip(spans, line_of):
        if s.i < len(offsets):
            per_line[li] = per_line.get(li, 0) + 1
    phrases = phrases or {}
    out = []
    words_of: dict[int, list[str]] = {}
    counted: dict[str, str] = {}  # a span's lowered text -> its "repeats"
    for s, li in zip(spans, line_of):
        i, j = s.i, s.j
        a0 = line_start[li]
        line_words = words_of.get(li)
        if line_words is None:
            line_words = words_of[li] = [_norm_word(w) for w in doc.words[li]]
        words = [text[a:b] for a, b in offsets[i:j]]
        pin, pany = p_in[i:j], p_any[i:j]
        f: dict[str, float | str] = {
            "origin": s.origin, "p_in_mean": sum(pin) / len(pin), "p_in_min": min(pin), "p_in_max": max(pin),
            "p_any_max": max(pany), "p_any_mean": sum(pany) / len(pany),
            "tokens": str(min(j - i, 4)), "case": _case_of(words[0]),
            "heading": headings[li][0], "heading_words": headings[li][1], "position": str(10 * li // nlines), "first_line": str(li == 0),
            "line_len": "1-3" if lengths[li] <= 3 else "4-12" if lengths[li] <= 12 else "13+",
            "spans_on_line": str(min(per_line.get(li, 0), 4)),
            "category": s.category or "none", "method": s.method or "none", "ambiguous": str(s.ambiguous),
            "prev": line_words[i - a0 - 1] if i > a0 else "BOL",
            "next": line_words[j - a0] if j - a0 < len(line_words) else "EOL",
        }
        f["next_role"] = str(f["next"] in _ROLE_WORDS)
        # A tool named once in passing (a product blurb) or again and again (the stack asked for).
        phrase = text[offsets[i][0]:offsets[j - 1][1]].lower()
        repeats = counted.get(phrase)
        if repeats is None:
            repeats = counted[phrase] = str(_count_upto(low_text, phrase, 3))
        f["repeats"] = repeats
        for cue in _CUES.intersection(line_words):
            f["cue=" + cue] = 1.0
        for prefix, d in phrases.items():
            f.update(_phrase_ratio(d, words, "dict_" + prefix))
        out.append(f)
    return out


def _count_upto(text: str, phrase: str, most: int) -> int:
    """``min(text.count(phrase), most)``, without reading on once ``most`` are found."""
    n, at = 0, text.find(phrase)
    while at >= 0:
        n += 1
        if n == most:
            break
        at = text.find(phrase, at + len(phrase))
    return n


def _case_of(w: str) -> str:
    if w.isupper():
        return "upper"
    if w.islower():
        return "lower"
    return "title" if w[:1].isupper() else "other"


class SpanFilter:
    """Keep or drop skill spans: a scikit-learn pipeline (``DictVectorizer`` then a
    logistic regression) over :func:`span_features`; a span is kept when its probability of
    naming a skill is at least ``threshold``.

    Args:
        C: the regression's inverse regularisation strength (positive).
        threshold: the keep probability, in [0, 1].
    """

    def __init__(self, C: float = 0.3, threshold: float = 0.5):
        if C <= 0:
            raise ValueError(f"C must be positive, got {C}")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {threshold}")
        self.C = C
        self.threshold = threshold

    def fit(self, features: Sequence[dict], labels: Sequence[bool]) -> "SpanFilter":
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.model_ = make_pipeline(DictVectorizer(), LogisticRegression(C=self.C, max_iter=2000))
        self.model_.fit(list(features), [bool(y) for y in labels])
        self._weights_cache = None
        return self

    def keep_probability(self, features: Sequence[dict]) -> list[float]:
        """Per feature dict, the probability that its span names a skill: the regression's
        ``predict_proba``, computed here from its weights (a call into scikit-learn per
        posting would cost more than the sum)."""
        if not features:
            return []
        weights, bias = self._weights()
        # A string feature's weight by its name and value, without building "name=value"
        # each time (the same few thousand pairs come back span after span).
        by_value = self._by_value
        out = []
        for f in features:
            z = bias
            for name, value in f.items():
                if isinstance(value, str):
                    known = by_value.get(name)
                    if known is None:
                        known = by_value[name] = {}
                    w = known.get(value)
                    if w is None:
                        if len(known) > 100_000:
                            known.clear()
                        w = known[value] = weights.get(f"{name}={value}", 0.0)
                    z += w
                else:
                    z += weights.get(name, 0.0) * value
            out.append(1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0)
        return out

    def sklearn_probability(self, features: Sequence[dict]) -> list[float]:
        """:meth:`keep_probability` the slow way, through the scikit-learn pipeline."""
        col = list(self.model_.classes_).index(True)
        return [float(p[col]) for p in self.model_.predict_proba(list(features))]

    def _weights(self) -> tuple[dict[str, float], float]:
        hit = getattr(self, "_weights_cache", None)
        if hit is None:
            vectorizer, regression = self.model_[0], self.model_[-1]
            # A binary regression's weights favour classes_[1]; turn them towards "keep".
            sign = 1.0 if bool(regression.classes_[1]) else -1.0
            coef = regression.coef_[0]
            hit = ({name: sign * float(coef[i]) for name, i in vectorizer.vocabulary_.items()},
                   sign * float(regression.intercept_[0]))
            self._weights_cache = hit
            self._by_value = {}
        return hit

    def keep(self, features: Sequence[dict]) -> list[bool]:
        return [p >= self.threshold for p in self.keep_probability(features)]

    def decide(self, spans: Sequence[tuple[int, int]], features: Sequence[dict]) -> list[bool]:
        """Whether to keep each span (character offsets) of a text, given its features; the
        tagger calls this, so a stand-in that records what it is shown can take its place."""
        return self.keep(features)

    def save(self, path: Path | str) -> None:
        from skillenai.classify.training import save_model

        save_model({"model": self.model_, "C": self.C, "threshold": self.threshold}, Path(path))

    @classmethod
    def load(cls, path: Path | str) -> "SpanFilter":
        from skops.io import load

        from skillenai.classify.training import check_trusted

        path = Path(path)
        obj = load(path, trusted=check_trusted(path))
        out = cls(obj["C"], obj["threshold"])
        out.model_ = obj["model"]
        return out
