"""A learned skill-span detector: a linear-chain CRF over tokens of a posting.

Three parts, usable on any posting text (not only pre-tokenised SkillSpan):

- :func:`tokenize` splits text into lines (a line break, or a sentence end inside a long
  line) of tokens with character offsets, close to SkillSpan's own tokenisation: white
  space separates tokens, sentence punctuation and brackets around a word are split off,
  while "C++", "C#", ".NET", "Node.js", "CI/CD" stay whole.
- :class:`Featurizer` turns a :class:`Doc` into one feature list (``"name=value"``
  strings) per token: the word, its shape and affixes, its neighbours (±2), what the
  taxonomy matcher (:func:`skillenai.classify.skills.mentions.find_mentions`) found there, a phrase
  dictionary learned from labelled spans (:class:`PhraseDict`), and the posting context
  (the last heading above the line, the previous line's words, the relative position, cue
  words of the line, the title line, employer boilerplate). Everything that depends on the
  word alone is computed once per distinct word and cached; :meth:`Featurizer.doc_parts`
  gives the same features as shared tuples ("parts"), and :meth:`Featurizer.doc_codes` as
  ids of parts, with a key per line that tells a line read before.
- :class:`SpanTagger` trains the CRF with ``python-crfsuite`` and returns character spans.
  Several models may be averaged; a span is a run of tokens whose marginal probability of
  lying in a span is at least ``threshold``. The marginals are computed by
  :class:`CrfWeights` from the model file's own weights, for every line of a batch at once
  in numpy (crfsuite's numbers to rounding, 1e-15), instead of one crfsuite call per
  token and label: each distinct part's weights are summed once, and a token's scores
  are its parts' sums gathered by id.

Nothing here reads a fixed path: models, dictionaries and data are passed in.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from skillenai.classify.sections import boilerplate_ranges, heading_kind
from skillenai.classify.skills.mentions import find_mentions
from skillenai.classify.skills.taxonomy import load_taxonomy

# Lines whose marginals a tagger remembers (about 0.4 KB each); the memory is emptied when full.
LINE_CACHE_SIZE = 100_000
# Parts a featurizer gives ids to (each a tuple of strings, and in each model a row of
# weights' sums) before it forgets them, between batches.
PART_MEMORY_SIZE = 2_000_000

__all__ = ["Doc", "tokenize", "PhraseDict", "Featurizer", "SpanTagger", "bio_tags", "token_spans_from_probs",
           "tidy_spans"]


# --------------------------------------------------------------------------- tokens


@dataclass
class Doc:
    """A text split into lines of tokens: ``lines[i]`` lists ``(start, end)`` offsets into ``text``
    (not to be changed once :attr:`offsets`, :attr:`starts` or :attr:`ends` is read)."""

    text: str
    lines: list[list[tuple[int, int]]]

    def line_tokens(self) -> list[list[str]]:
        t = self.text
        return [[t[a:b] for a, b in line] for line in self.lines]

    @functools.cached_property
    def words(self) -> list[list[str]]:
        """:meth:`line_tokens`, made once (the featurizer and the span filter both read
        them; not to be changed)."""
        return self.line_tokens()

    @functools.cached_property
    def offsets(self) -> list[tuple[int, int]]:
        """Every token's offsets, the lines' in order (one list, made once)."""
        return list(chain.from_iterable(self.lines))

    @functools.cached_property
    def starts(self) -> list[int]:
        """Every token's start, in :attr:`offsets`' order (made once)."""
        return [a for a, _ in self.offsets]

    @functools.cached_property
    def ends(self) -> list[int]:
        """Every token's end, in :attr:`offsets`' order (made once)."""
        return [b for _, b in self.offsets]


_CHUNK = re.compile(r"\S+")
_OPEN = "([{\"'“‘«<*•·▪●◦‣"
# Split off at a token's end. SkillSpan splits "." and brackets off but leaves ":", ";", "?"
# and "!" attached ("Requirements:", "deployment;"), and has no commas at all: the tokenizer
# does the same, so real text reads like the training data.
_CLOSE = ")]}\"'”’»>.*"
_SENTENCE_END = frozenset({".", "!", "?"})
_OPEN_SET = frozenset(_OPEN + ",")
_CLOSE_SET = frozenset(_CLOSE + ",")
_ANON = re.compile(r"<[A-Z][A-Z:_]*>")
# Lines longer than this many tokens are split at sentence ends (". " before a capital).
_LONG_LINE = 40


def _split_chunk(text: str, a: int, b: int, out: list[tuple[int, int]], drop_commas: bool = True) -> None:
    """Append the tokens of ``text[a:b]`` (no white space inside) to ``out``."""
    if text[a] not in _OPEN_SET and text[b - 1] not in _CLOSE_SET:  # most words: nothing to split
        out.append((a, b))
        return
    if drop_commas:
        while a < b and text[a] == ",":
            a += 1
        while b > a and text[b - 1] == ",":
            b -= 1
        if a == b:
            return
    if _ANON.fullmatch(text, a, b):
        out.append((a, b))
        return
    lead: list[tuple[int, int]] = []
    while a < b - 1 and text[a] in _OPEN:
        lead.append((a, a + 1))
        a += 1
    trail: list[tuple[int, int]] = []
    while b > a + 1 and text[b - 1] in _CLOSE:
        ch = text[b - 1]
        # "C++" / "C#" end in symbols that are not in _CLOSE; keep "e.g." and "etc."-like
        # abbreviations whole when the dot follows a single letter after another dot.
        if ch == "." and b - a >= 3 and text[b - 3] == ".":
            break
        trail.append((b - 1, b))
        b -= 1
    out.extend(lead)
    out.append((a, b))
    out.extend(reversed(trail))


def tokenize(text: str, long_line: int = _LONG_LINE, drop_commas: bool = True) -> Doc:
    """Split ``text`` into lines of tokens (character offsets).

    A line is a line of the text; a line of more than ``long_line`` tokens is cut after a
    sentence end (".", "!", "?" as its own token) that a capitalised word follows, so a
    posting written as one paragraph still reads as sentences, as SkillSpan's do. Commas
    are dropped (``drop_commas``), as SkillSpan has none: a model trained on it never saw one.

    >>> d = tokenize("Skills:\\n- Python, C++ and .NET (Core).")
    >>> d.line_tokens()
    [['Skills:'], ['-', 'Python', 'C++', 'and', '.NET', '(', 'Core', ')', '.']]
    """
    lines: list[list[tuple[int, int]]] = []
    chunks = _CHUNK.finditer
    size = len(text)
    pos = 0
    while pos <= size:
        end = text.find("\n", pos)
        if end < 0:
            end = size
        toks: list[tuple[int, int]] = []
        for m in chunks(text, pos, end):
            a, b = span = m.span()
            if text[a] not in _OPEN_SET and text[b - 1] not in _CLOSE_SET:  # most words (as in _split_chunk)
                toks.append(span)
            else:
                _split_chunk(text, a, b, toks, drop_commas)
        pos = end + 1
        if not toks:
            continue
        if len(toks) <= long_line:
            lines.append(toks)
            continue
        start = 0
        for i in range(len(toks) - 1):
            a, b = toks[i]
            if b - a == 1 and text[a] in _SENTENCE_END and text[toks[i + 1][0]].isupper() and i + 1 - start >= 3:
                lines.append(toks[start:i + 1])
                start = i + 1
        lines.append(toks[start:])
    return Doc(text, lines)


def bio_tags(doc: Doc, spans: Iterable[tuple[int, int]], label: str, tags: list[list[str]] | None = None) -> list[list[str]]:
    """Per-line BIO tags (``B-label`` / ``I-label`` / ``O``) for token spans over the flat token list.

    Tags already set in ``tags`` are kept (the first label given wins where spans overlap).
    """
    if tags is None:
        tags = [["O"] * len(line) for line in doc.lines]
    flat = [(li, ti) for li, line in enumerate(doc.lines) for ti in range(len(line))]
    for a, b in spans:
        for k in range(a, b):
            li, ti = flat[k]
            if tags[li][ti] != "O":
                continue
            first = k == a or flat[k - 1][0] != li
            tags[li][ti] = ("B-" if first else "I-") + label
    return tags


# --------------------------------------------------------------------------- phrase dictionary


_EMPTY: tuple[str, ...] = ()


class PhraseDict:
    """Token phrases labelled as skills in training data, with how often each is labelled.

    ``ratio`` of a phrase is labelled occurrences / all occurrences in the texts it was built
    from, so "agile" (nearly always labelled) and "design" (sometimes) differ. Matching is
    greedy longest-first over lowercased tokens.
    """

    def __init__(self, max_len: int = 6):
        self.max_len = max_len
        self.labelled: Counter = Counter()
        self.seen: Counter = Counter()
        self.first: dict[str, int] = {}  # a phrase's first word -> its longest phrase (tokens)
        self._cache: dict = {}

    def _add_first(self, phrase: tuple[str, ...]) -> None:
        length = min(len(phrase), self.max_len)
        if self.first.get(phrase[0], 0) < length:
            self.first[phrase[0]] = length

    @staticmethod
    def _norm(tok: str) -> str:
        return tok.lower()

    def add(self, token_lines: Sequence[Sequence[str]], spans_per_line: Sequence[Iterable[tuple[int, int]]]) -> None:
        """Count the labelled phrases of some lines (spans are ``(start, end)`` within each line)."""
        self._cache.clear()
        for toks, spans in zip(token_lines, spans_per_line):
            low = [self._norm(t) for t in toks]
            for a, b in spans:
                if 0 < b - a <= self.max_len:
                    phrase = tuple(low[a:b])
                    self.labelled[phrase] += 1
                    self._add_first(phrase)

    def count_occurrences(self, token_lines: Sequence[Sequence[str]]) -> None:
        """Count every occurrence of known phrases in ``token_lines`` (call after :meth:`add`)."""
        self._cache.clear()
        for toks in token_lines:
            low = [self._norm(t) for t in toks]
            n = len(low)
            for i in range(n):
                if low[i] not in self.first:
                    continue
                for j in range(i + 1, min(n, i + self.max_len) + 1):
                    p = tuple(low[i:j])
                    if p in self.labelled:
                        self.seen[p] += 1

    def features(self, toks: Sequence[str], prefix: str = "d", lowered: bool = False) -> list[tuple[str, ...]]:
        """Per token: ``d=B``/``d=I`` and a ratio bucket for the longest known phrase covering it.

        ``lowered``: ``toks`` are lowercased already (saves a pass when several dicts run).
        """
        low = toks if lowered else [self._norm(t) for t in toks]
        n = len(low)
        out: list[tuple[str, ...]] = [_EMPTY] * n
        labelled, first = self.labelled, self.first
        if first.keys().isdisjoint(low):  # no phrase starts on the line (one pass in C)
            return out
        lengths = self._lengths()
        i = 0
        while i < n:
            if low[i] not in first:
                i += 1
                continue
            best = 0
            for size in lengths[low[i]]:  # the longest first
                if size <= n - i and tuple(low[i:i + size]) in labelled:
                    best = i + size
                    break
            if not best:
                i += 1
                continue
            b_feats, i_feats = self._strings(tuple(low[i:best]), prefix)
            out[i] = b_feats
            for k in range(i + 1, best):
                out[k] = i_feats
            i = best
        return out

    def _lengths(self) -> dict[str, tuple[int, ...]]:
        """Per first word, the lengths of its labelled phrases up to ``max_len`` tokens (as
        :attr:`first` bounds them), longest first: the only lengths worth looking up."""
        hit = self._cache.get(None)
        if hit is None:
            sizes: dict[str, set[int]] = {}
            for phrase in self.labelled:
                if phrase and len(phrase) <= self.first.get(phrase[0], 0):
                    sizes.setdefault(phrase[0], set()).add(len(phrase))
            hit = self._cache[None] = {w: tuple(sorted(sizes.get(w, ()), reverse=True)) for w in self.first}
        return hit

    def _strings(self, phrase: tuple, prefix: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The feature strings of a phrase's first and following tokens (cached)."""
        key = (phrase, prefix)
        hit = self._cache.get(key)
        if hit is None:
            c = self.labelled[phrase]
            ratio = c / max(self.seen[phrase], c)
            bucket = "hi" if ratio >= 0.5 else ("mid" if ratio >= 0.2 else "lo")
            cnt = "1" if c == 1 else "2+"
            hit = tuple((f"{prefix}={tag}", f"{prefix}r={bucket}", f"{prefix}n={cnt}", f"{prefix}r{tag}={bucket}")
                        for tag in ("B", "I"))
            self._cache[key] = hit
        return hit

    def to_json(self) -> dict:
        return {"max_len": self.max_len,
                "phrases": [[" ".join(p), c, self.seen.get(p, c)] for p, c in sorted(self.labelled.items())]}

    @classmethod
    def from_json(cls, obj: dict) -> "PhraseDict":
        d = cls(obj["max_len"])
        for phrase, c, s in obj["phrases"]:
            p = tuple(phrase.split(" "))
            d.labelled[p] = c
            d.seen[p] = s
            d._add_first(p)
        return d


# --------------------------------------------------------------------------- features

_CUES = frozenset("""we our us you your experience experienced knowledge skills skill familiarity familiar proficiency
proficient understanding degree years year with in of using plus bonus preferred required must strong offer
benefits working team ability able""".split())
_SHAPE_MAP = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "x" * 26 + "X" * 26 + "d" * 10)
_STRIP = "()[]{}\"'“”‘’,;:.!?*•-–—"
_HEADER_MAX_TOKENS = 6
_POS = [("i=%d" % i,) for i in range(6)]
_BOL, _EOL, _BOL2, _EOL2, _EMP = ("BOL",), ("EOL",), ("-2=BOL",), ("+2=EOL",), ("emp",)


def _shape(w: str) -> str:
    s = w.translate(_SHAPE_MAP)
    out = []
    for ch in s:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out[:6])


def _case(w: str) -> str:
    if w.isupper():
        return "upper"
    if w.istitle():
        return "title"
    if w.islower():
        return "lower"
    if any(c.isupper() for c in w[1:]):
        return "mixed"
    return "other"


def _norm_word(w: str) -> str:
    core = w.strip(_STRIP)
    return (core or w).lower()


def _is_header(words: Sequence[str]) -> bool:
    """A short line without a sentence end: "Requirements", "Technologies", "About us:"."""
    if not words or len(words) > _HEADER_MAX_TOKENS:
        return False
    last = words[-1]
    if last in (".", "!", "?") or (len(last) > 1 and last[-1] == "."):
        return False
    first = words[0].strip(_STRIP)
    return bool(first) and (first[0].isupper() or first[0].isdigit())


@functools.lru_cache(maxsize=None)
def _mention_parts(category: str, ambiguous: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The taxonomy parts of a mention's first token and of the tokens after it (one pair of
    tuples per category and ambiguity, shared by every mention)."""
    amb = "amb" if ambiguous else "una"
    return tuple(("t=" + tag, "tc=" + category, "ta=" + amb, "tca=" + category + amb, "t" + tag + "a=" + amb)
                 for tag in ("B", "I"))


class Featurizer:
    """Token features for a :class:`Doc`.

    Args:
        taxonomy: a :class:`skillenai.classify.skills.taxonomy.Taxonomy` for the matcher features, or
            ``None`` for the project default; ``False`` leaves them out.
        phrases: a :class:`PhraseDict` for the dictionary features (feature prefix ``d``), or a
            dict ``{prefix: PhraseDict}`` for several (``{"d": knowledge, "s": skill}``), or ``None``.
        context: add the posting-context features: ``True`` all of them, ``"lite"`` only those
            of small vocabulary (heading kind, relative position, title line, heading line,
            line length, cue words), ``False`` none.
        boilerplate: mark tokens in the employer's own text
            (:func:`skillenai.classify.sections.boilerplate_ranges`).
        bigrams: add the word pairs (previous, this) and (this, next).
        strict_headers: a short line counts as a heading only if it is a known heading
            (:func:`skillenai.classify.sections.heading_kind`), ends in a colon, or has at most three
            tokens and no taxonomy match.
        header_text: with ``context="lite"``, also the first words of the last heading.
    """

    def __init__(self, taxonomy=None, phrases: PhraseDict | dict[str, PhraseDict] | None = None, context: bool = True,
                 boilerplate: bool = True, bigrams: bool = True, strict_headers: bool = False,
                 header_text: bool = False):
        self.strict_headers = strict_headers
        self.keep: set[str] | None = None  # attributes the loaded model knows (see SpanTagger.add_model)
        self.header_text = header_text
        self.phrases = {"d": phrases} if isinstance(phrases, PhraseDict) else (phrases or None)
        self.bigrams = bigrams
        self.context = context
        self.boilerplate = boilerplate
        self.use_taxonomy = taxonomy is not False
        self._taxonomy = None if taxonomy is False else taxonomy
        self._word_cache: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[int, ...]]] = {}
        self._header_cache: dict[str, list[str]] = {}
        self.parts: list[tuple[str, ...]] = []  # every part given an id (:meth:`part_id`), by id
        self._part_ids: dict[tuple[str, ...], int] = {}
        self._pair_ids: dict[str, int] = {}  # a bigram string -> the id of its part of one
        self.forget_parts()

    # ---------------------------------------------------------------- per word

    def _word(self, w: str):
        """(own features, (features as word -2, -1, +1, +2), the ids of these five parts,
        the word's normal form) for a word, cached."""
        hit = self._word_cache.get(w)
        if hit is not None:
            return hit
        low = _norm_word(w)
        feats = ["bias", "w=" + low, "sh=" + _shape(w), "c=" + _case(w)]
        if len(low) > 2:
            feats += ["p2=" + low[:2], "p3=" + low[:3], "s2=" + low[-2:], "s3=" + low[-3:], "s4=" + low[-4:]]
        if any(ch.isdigit() for ch in w):
            feats.append("dig")
        if _ANON.fullmatch(w):
            feats.append("anon")
        if len(w) > 1 and not w.isalnum():
            inner = w.strip(_STRIP)
            if inner and not inner.isalnum():
                feats.append("ipunct")
        feats.append("len=" + (str(len(low)) if len(low) < 4 else ("4-7" if len(low) < 8 else "8+")))
        shp = _shape(w)
        nb = (("-2w=" + low,), ("-1w=" + low, "-1sh=" + shp), ("+1w=" + low, "+1sh=" + shp), ("+2w=" + low,))
        keep = self.keep
        if keep is not None:
            # Features the model has no weight for change nothing: leave them out, so the
            # CRF reads fewer strings.
            feats = [f for f in feats if f in keep]
            nb = tuple(tuple(f for f in part if f in keep) for part in nb)
        own = tuple(feats)
        part_id = self.part_id
        hit = (own, nb, (part_id(own), *map(part_id, nb)), low)
        if len(self._word_cache) > 500_000:
            self._word_cache.clear()
        self._word_cache[w] = hit
        return hit

    # ---------------------------------------------------------------- parts by id

    def forget_parts(self) -> None:
        """Forget every part's id (and the words' cached features, which hold them); id 0
        stays the empty part."""
        self.parts = [_EMPTY]  # a new list: readers of the old ids see it is not theirs
        self._part_ids = {_EMPTY: 0}
        self._pair_ids.clear()
        self._word_cache.clear()

    def part_id(self, part: tuple[str, ...]) -> int:
        """The id of a part (a tuple of feature strings; ``self.parts[id]`` is the part),
        given when first asked for."""
        hit = self._part_ids.get(part)
        if hit is None:
            hit = self._part_ids[part] = len(self.parts)
            self.parts.append(part)
        return hit

    # ---------------------------------------------------------------- taxonomy

    def taxonomy_is(self, taxonomy) -> bool:
        """Whether the taxonomy features are read with ``taxonomy`` (so its mentions may be passed in)."""
        return self.use_taxonomy and (self._taxonomy or load_taxonomy()) is taxonomy

    def _taxonomy_feats(self, doc: Doc, n: int, starts: list[int], ends: list[int], mentions: list | None = None
                        ) -> list[tuple[str, ...]] | None:
        if not self.use_taxonomy:
            return None
        tax = self._taxonomy or load_taxonomy()
        out: list[tuple[str, ...]] | None = None
        for m in find_mentions(doc.text, tax) if mentions is None else mentions:
            i = bisect.bisect_right(ends, m.start)
            j = bisect.bisect_left(starts, m.end)
            if i >= j:
                continue
            if out is None:
                out = [_EMPTY] * n
            first, inside = _mention_parts(tax.skills[m.skill].category, bool(m.ambiguous))
            out[i] = first
            for k in range(i + 1, j):
                out[k] = inside
        return out

    # ---------------------------------------------------------------- context

    def _heading_kind(self, words: list[str]) -> str | None:
        return heading_kind(" ".join(words))

    def _header_feats(self, words: list[str]) -> list[str]:
        key = " ".join(words)
        hit = self._header_cache.get(key)
        if hit is None:
            core = [_norm_word(w) for w in words if w.strip(_STRIP)]
            hit = ["h=" + " ".join(core[:3])]
            hit += ["hw=" + w for w in core[:4]]
            kind = heading_kind(" ".join(words))
            if kind:
                hit.append("hk=" + kind)
            if len(self._header_cache) > 100_000:
                self._header_cache.clear()
            self._header_cache[key] = hit
        return hit

    # ---------------------------------------------------------------- main

    def _phrases_and_pairs(self, words: list[str], lows: list[str]
                           ) -> tuple[list[list[tuple[str, ...]]] | None, list[str] | None]:
        """A line's phrase-dictionary parts per dictionary, per token (or ``None``), and its
        bigram strings (``m + 1`` of them, from ``<s>`` to ``</s>``; or ``None``)."""
        phr = None
        if self.phrases:
            wl = [w.lower() for w in words]
            phr = [d.features(wl, prefix, lowered=True) for prefix, d in self.phrases.items()]
        pairs = None
        if self.bigrams:
            seq = ["<s>", *lows, "</s>"]
            pairs = ["b=" + seq[j] + "|" + seq[j + 1] for j in range(len(words) + 1)]
        return phr, pairs

    def _line_parts(self, words: list[str], info: list, lows: list[str], line_part: tuple[str, ...],
                    tax: list | None, emp: bytearray | None, k0: int) -> tuple[tuple[tuple[str, ...], ...], ...]:
        """The parts of one line's tokens (see :meth:`doc_parts`); ``k0``: its first token's
        index in ``tax`` and ``emp``."""
        m = len(words)
        phr, pairs = self._phrases_and_pairs(words, lows)
        # Neighbour features, precomputed per word: at the line's start "BOL" stands for
        # both left neighbours, "-2=BOL" for the missing second one (and so on the right).
        nbs = [x[1] for x in info]
        parts_line: list[tuple[tuple[str, ...], ...]] = []
        for i in range(m):
            parts = [info[i][0]]
            if i == 0:
                parts.append(_BOL)
            else:
                parts += (nbs[i - 1][1], nbs[i - 2][0] if i >= 2 else _BOL2)
            if i == m - 1:
                parts.append(_EOL)
            else:
                parts += (nbs[i + 1][2], nbs[i + 2][3] if i + 2 < m else _EOL2)
            parts.append(line_part)
            if i < 6:
                parts.append(_POS[i])
            if pairs is not None:
                parts.append((pairs[i], pairs[i + 1]))
            k = k0 + i
            if tax is not None and tax[k]:
                parts.append(tax[k])
            if phr is not None:
                for per in phr:
                    if per[i]:
                        parts.append(per[i])
            if emp is not None and emp[k]:
                parts.append(_EMP)
            parts_line.append(tuple(parts))
        return tuple(parts_line)

    def _line_code(self, words: list[str], info: list, lows: list[str], line_part: tuple[str, ...],
                   tax: list | None, emp: bytearray | None, k0: int) -> tuple:
        """:meth:`_line_parts` as part ids (see :meth:`doc_codes`): per word the ids of its
        five parts (its own, and as neighbour -2, -1, +1, +2), the line part's id, the ids of
        its ``m + 1`` bigrams' parts of one string (or ``None``), and ``(token, id)`` of its
        taxonomy, phrase and employer parts, in a token's order."""
        m = len(words)
        part_id = self.part_id
        phr, pairs = self._phrases_and_pairs(words, lows)
        pair_ids = None
        if pairs is not None:
            known = self._pair_ids
            pair_ids = [known.get(p) or known.setdefault(p, part_id((p,))) for p in pairs]  # id 0 is no pair's
        extra: list[tuple[int, int]] = []
        if tax is not None or phr is not None or emp is not None:
            for i in range(m):
                k = k0 + i
                if tax is not None and tax[k]:
                    extra.append((i, part_id(tax[k])))
                if phr is not None:
                    for per in phr:
                        if per[i]:
                            extra.append((i, part_id(per[i])))
                if emp is not None and emp[k]:
                    extra.append((i, part_id(_EMP)))
        return [x[2] for x in info], part_id(line_part), pair_ids, extra

    def code_parts(self, codes: Sequence[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The part ids of every token of lines given as codes (:meth:`doc_codes`), tokens in
        order: a (slots x tokens) array, and the tokens and ids of the parts not every token
        has (taxonomy, phrases, employer). A token's parts in the slots' order and then its
        own extras' are its :meth:`doc_parts` in order (id 0, the empty part, fills a slot
        a token has nothing for; a bigram part of two strings is two parts of one)."""
        lengths = np.fromiter((len(c[0]) for c in codes), dtype=np.intp, count=len(codes))
        total = int(lengths.sum())
        firsts = np.zeros(len(codes), dtype=np.intp)
        np.cumsum(lengths[:-1], out=firsts[1:])
        words = np.fromiter(chain.from_iterable(chain.from_iterable(c[0] for c in codes)), dtype=np.intp,
                            count=5 * total).reshape(total, 5)
        line_of = np.repeat(np.arange(len(codes)), lengths)
        idx = np.arange(total)
        pos = idx - firsts[line_of]
        rest = lengths[line_of] - 1 - pos  # tokens after this one on its line
        part_id = self.part_id
        bol, bol2, eol, eol2 = part_id(_BOL), part_id(_BOL2), part_id(_EOL), part_id(_EOL2)
        at_pos = np.array([part_id(p) for p in _POS], dtype=np.intp)
        left1 = np.where(pos >= 1, words[idx - 1, 2], bol)
        left2 = np.where(pos >= 2, words[idx - 2, 1], np.where(pos == 1, bol2, 0))
        after = np.minimum(idx + 1, total - 1)
        right1 = np.where(rest >= 1, words[after, 3], eol)
        right2 = np.where(rest >= 2, words[np.minimum(idx + 2, total - 1), 4], np.where(rest == 1, eol2, 0))
        line = np.fromiter((c[1] for c in codes), dtype=np.intp, count=len(codes))[line_of]
        position = np.where(pos < len(_POS), at_pos[np.minimum(pos, len(_POS) - 1)], 0)
        slots = [words[:, 0], left1, left2, right1, right2, line, position]
        if codes and codes[0][2] is not None:
            pairs = np.fromiter(chain.from_iterable(c[2] for c in codes), dtype=np.intp, count=total + len(codes))
            slots += [pairs[idx + line_of], pairs[idx + line_of + 1]]
        first = firsts.tolist()
        extra_tokens = [f + i for f, c in zip(first, codes) for i, _ in c[3]]
        extra_ids = [j for c in codes for _, j in c[3]]
        return (np.stack(slots), np.array(extra_tokens, dtype=np.intp), np.array(extra_ids, dtype=np.intp))

    def _marks(self, doc: Doc, starts: list[int], ends: list[int], mentions: list | None,
               employer: list[tuple[int, int]] | None) -> tuple[list | None, bytearray | None]:
        """Per token of ``doc``, its taxonomy parts (or ``None`` for none in the doc) and
        whether it lies in the employer's own text (or ``None``)."""
        n = len(starts)
        tax = self._taxonomy_feats(doc, n, starts, ends, mentions)
        emp = None
        if self.boilerplate and self.context:
            ranges = boilerplate_ranges(doc.text) if employer is None else employer
            if ranges:
                emp = bytearray(n)
                for a, b in ranges:
                    i = bisect.bisect_left(starts, a)
                    j = bisect.bisect_left(starts, b)
                    emp[i:j] = b"\x01" * (j - i)
        return tax, emp

    def doc_features(self, doc: Doc, title_line: bool = False) -> list[list[list[str]]]:
        """Per line, per token, the feature strings. ``title_line``: the text's first line is
        the posting's title (as in the labelled ads, whose annotators never mark a title);
        the crawler keeps a posting's title apart from its text, so it is off there."""
        return [[[f for part in token for f in part] for token in line] for line in self.doc_parts(doc, title_line)]

    def doc_parts(self, doc: Doc, title_line: bool = False, mentions: list | None = None,
                  employer: list[tuple[int, int]] | None = None) -> list[tuple[tuple[tuple[str, ...], ...], ...]]:
        """:meth:`doc_features` in parts: per line, per token, a tuple of parts (tuples of
        feature strings: the word's own, each neighbour's, the line's, ...), which joined in
        order are that token's feature list. Parts are shared between tokens and documents
        wherever they are the same (a word's features are one tuple). ``mentions``: the
        taxonomy's mentions in ``doc.text``
        (:func:`skillenai.classify.skills.mentions.find_mentions`), and ``employer`` its
        :func:`skillenai.classify.sections.boilerplate_ranges`, when the caller has found them
        already."""
        starts, ends = doc.starts, doc.ends
        tax, emp = self._marks(doc, starts, ends, mentions, employer)
        return [self._line_parts(words, info, lows, line_part, tax, emp, k0)
                for words, info, lows, line_part, k0, _ in self._lines(doc, tax, emp, title_line)]

    def doc_codes(self, doc: Doc, codes: dict, known=(), title_line: bool = False, mentions: list | None = None,
                  employer: list[tuple[int, int]] | None = None) -> list[tuple]:
        """The keys of ``doc``'s lines: a line's features are a function of its key (its
        words, what its line features read from elsewhere, and the taxonomy and employer
        marks on its tokens), so a line read before is known by it. Each line whose key is
        neither in ``known`` nor in ``codes`` gets ``codes[key]``: its parts as ids
        (:meth:`code_parts` reads them), ids of :attr:`parts` as they are until
        :meth:`forget_parts`. ``mentions`` and ``employer``: as for :meth:`doc_parts`."""
        starts, ends = doc.starts, doc.ends
        tax, emp = self._marks(doc, starts, ends, mentions, employer)
        keys = []
        for words, info, lows, line_part, k0, key in self._lines(doc, tax, emp, title_line, (known, codes)):
            keys.append(key)
            if info is not None:
                codes[key] = self._line_code(words, info, lows, line_part, tax, emp, k0)
        return keys

    def _lines(self, doc: Doc, tax: list | None, emp: bytearray | None, title_line: bool, skip: tuple = ((), ())):
        """Per line of ``doc``: its words, their :meth:`_word` entries, their lowered forms,
        its line part, its first token's index and its key (see :meth:`doc_codes`). A line
        whose key is in either container of ``skip`` gets ``None`` for its words' entries,
        their lowered forms and its line part (they are not built)."""
        word = self._word
        nlines = len(doc.lines)
        header: list[str] = ["h=none"]
        header_kind = None
        full = self.context is True
        prev_words: list[str] = ["pw=none"]
        known, pending = skip
        k0 = 0
        for li, words in enumerate(doc.words):
            m = len(words)
            is_header = _is_header(words)
            if is_header and self.strict_headers:
                # A short bullet ("Git or SVN", "Knowledge of Linux") is no heading: keep a
                # known heading, one ending in a colon, or a short line naming no skill.
                last = words[-1]
                named = tax is not None and any(tax[k0 + i] for i in range(m))
                is_header = (last.endswith(":") or self._heading_kind(words) is not None
                             or (m <= 3 and not named))
            title = li == 0 and title_line
            rp = 10 * li // max(nlines, 1)
            # What the line features read from other lines; any new feature from outside
            # the line's words must join the key.
            if full:
                outside = (tuple(header), tuple(prev_words), rp, title)
            elif self.context:
                outside = (header_kind, header[0] if self.header_text else None, rp, title)
            else:
                outside = None
            key = (tuple(words), outside, tuple(tax[k0:k0 + m]) if tax is not None else None,
                   bytes(emp[k0:k0 + m]) if emp is not None else None)
            if key in known or key in pending:
                info = lows = line_part = None
            else:
                info = [word(w) for w in words]
                # The normal form itself: "w=..." is not among a word's own features when the
                # model has no weight for it, and the bigrams, cue words and previous line's
                # words must read the word as training did.
                lows = [x[3] for x in info]
                line_feats: list[str] = []
                if self.context:
                    if full:
                        line_feats += header
                        line_feats += prev_words
                    else:
                        if header_kind:
                            line_feats.append(header_kind)
                        if self.header_text:
                            line_feats.append(header[0])
                    line_feats.append("rp=%d" % rp)
                    if title:
                        line_feats.append("title")
                    if is_header:
                        line_feats.append("hdrline")
                    ll = "1" if m == 1 else "2" if m == 2 else "3" if m == 3 else "4-6" if m <= 6 else "7-12" if m <= 12 else "13+"
                    line_feats.append("ll=" + ll)
                    cues = _CUES.intersection(lows)
                    line_feats += ["cue=" + c for c in sorted(cues)]
                line_part = tuple(line_feats)
            yield words, info, lows, line_part, k0, key
            k0 += m
            if self.context:
                if is_header:
                    header = self._header_feats(words)
                    header_kind = header[-1] if header[-1].startswith("hk=") else None  # added last, if at all
                if full:
                    if lows is None:
                        lows = [word(w)[3] for w in words]  # the normal form, as in training
                    lw = sorted(set(lows[:8]))
                    prev_words = ["pw=" + w for w in lw] if lw else ["pw=none"]


# --------------------------------------------------------------------------- decoding


def token_spans_from_probs(p_in: Sequence[float], p_begin: Sequence[float], threshold: float,
                           offset: int = 0) -> list[tuple[int, int]]:
    """Spans of consecutive tokens with ``p_in >= threshold``; a token whose probability of
    beginning a span beats that of continuing one (``p_begin > p_in - p_begin``) opens a new span."""
    out = []
    start = None
    for i, (p, b) in enumerate(zip(p_in, p_begin)):
        if p >= threshold:
            if start is not None and b > p - b:
                out.append((offset + start, offset + i))
                start = None
            if start is None:
                start = i
        elif start is not None:
            out.append((offset + start, offset + i))
            start = None
    if start is not None:
        out.append((offset + start, offset + len(p_in)))
    return out


# Tokens a KNOWLEDGE span never begins or ends with (2 of SkillSpan's and the labelled
# postings' 2,943 training spans do): "scripting or", "Master's in", "Scrum methodology into".
_EDGE_WORDS = frozenset({"a", "an", "the", "and", "or", "&", "/", "-", "in", "of", "on", "at", "to", "for", "with", "as",
                         "by", "from", "into", "(", ":"})


_CONJUNCTIONS = frozenset({"and", "or", "&", "/"})

# Head nouns a KNOWLEDGE span ends with far more often than it stops before them (in the
# training postings, "services" ends 42 spans and follows 5, "systems" 38 and 2, "tools" 28
# and 2): "AWS services", "distributed systems", "CI/CD tools". A span the model ends just
# before one takes it in (:func:`tidy_spans`). Only words that name no skill alone, so the
# span's skills and candidates stay the same.
_HEAD_NOUNS = frozenset("""services systems tools technologies technology practices frameworks framework applications
infrastructure environments environment solutions platforms platform methodologies methodology processes workflows
principles fundamentals techniques concepts stack""".split())


def tidy_spans(text: str, offsets: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int]],
               mentions: Iterable[tuple[int, int]] = (), *,
               bounds: tuple[set[int], set[int]] | None = None) -> list[tuple[int, int]]:
    """Token spans cut where the text has a comma between two of their tokens (the tokenizer
    drops commas, as SkillSpan has none, but a list "Docker, Kubernetes" in a posting names
    one skill an item) and at a conjunction between two ``mentions`` (character spans of
    taxonomy aliases: "React and Redux", but "relational and non-relational databases" stays
    whole, as annotators split 159 of 170 such pairs in the training postings), without
    joining words or an opening bracket at either end, nor a closing bracket at the end of a
    span that opens none ("Git )"), unless that bracket is glued to its last word and closes
    one standing apart ("( Docker)", one token where SkillSpan's annotators marked it:
    :func:`_closes_apart`); a span that ends just before a head noun that names no skill
    alone takes it in ("AWS" then "services": "AWS services", as annotators mark it).

    >>> d = tokenize("Experience with Docker, Kubernetes and\\nGit and Jira )")
    >>> [" ".join(d.text[a:b] for a, b in d.offsets[i:j])
    ...  for i, j in tidy_spans(d.text, d.offsets, [(1, 5), (5, 9)], [(39, 42), (47, 51)])]
    ['Docker', 'Kubernetes', 'Git', 'Jira']

    ``bounds``: the ``mentions``' starts and ends as sets, when the caller made them once
    for many calls (they are then used instead of ``mentions``).
    """
    starts, ends = bounds if bounds is not None else ({a for a, _ in mentions}, {b for _, b in mentions})
    out = []
    for a, b in spans:
        pieces, start = [], a
        for k in range(a, b - 1):
            if "," in text[offsets[k][1]:offsets[k + 1][0]]:
                pieces.append((start, k + 1))
                start = k + 1
            elif (k > start and offsets[k - 1][1] in ends and offsets[k + 1][0] in starts
                  and text[offsets[k][0]:offsets[k][1]].lower() in _CONJUNCTIONS):
                pieces.append((start, k))
                start = k + 1
        pieces.append((start, b))
        for i, j in pieces:
            words = [text[x:y].lower() for x, y in offsets[i:j]]
            lo, hi = 0, len(words)
            while lo < hi and words[lo] in _EDGE_WORDS:
                lo += 1
            while hi > lo and (words[hi - 1] in _EDGE_WORDS or (words[hi - 1] == ")" and "(" not in words[lo:hi])):
                hi -= 1
            if lo < hi:
                if i + hi < len(offsets) and _closes_apart(text, offsets, i + hi):
                    hi += 1
                elif i + hi == b and b < len(offsets) and _takes_head(text, offsets, b):
                    hi += 1
                out.append((i + lo, i + hi))
    return out


def _closes_apart(text: str, offsets: Sequence[tuple[int, int]], k: int) -> bool:
    """Whether token ``k`` is a ")" glued to the word before it that closes a bracket standing
    apart from its first word ("( Docker)"): text tokenised that way (SkillSpan's) keeps
    "Docker)" as one token, which annotators mark whole (10 of 10 such spans in the training
    postings), while "(Docker)" marks "Docker" alone (31 of 31)."""
    a, b = offsets[k]
    if b - a != 1 or text[a] != ")" or offsets[k - 1][1] != a:
        return False
    opened = text.rfind("(", text.rfind("\n", 0, a) + 1, a)
    return opened >= 0 and text[opened + 1:opened + 2].isspace()


def _takes_head(text: str, offsets: Sequence[tuple[int, int]], k: int) -> bool:
    """Whether token ``k``, right after a span, is a head noun (:data:`_HEAD_NOUNS`) on the
    span's line, with no comma before it."""
    a, b = offsets[k]
    gap = text[offsets[k - 1][1]:a]
    return text[a:b].lower() in _HEAD_NOUNS and "\n" not in gap and "," not in gap


# --------------------------------------------------------------------------- marginals in numpy

# Sequences are padded to the longest of a chunk of about this many tokens (memory bound).
_PADDED = 1 << 16
_FEATURE_RECORD = np.dtype([("type", "<i4"), ("src", "<i4"), ("dst", "<i4"), ("weight", "<f8")])


class CrfWeights:
    """One crfsuite model's weights, read exactly from its file, and its marginal
    probabilities computed for many sequences at once (the forward-backward algorithm as
    crfsuite runs it, over every sequence of a batch in step).

    A token's state scores are its attributes' weights summed in the order of its feature
    list, as crfsuite sums them; features the model does not know count for nothing, as in
    crfsuite. Read from parts (:meth:`token_scores`), each distinct part's weights are
    summed once and a token's parts' sums are added, in order: the same numbers to
    rounding (1e-15). The marginals agree with ``pycrfsuite.Tagger.marginal`` to rounding.

    Args:
        model_file: a CRF1d model written by crfsuite.
        tagger: an open ``pycrfsuite.Tagger`` of that file (for its labels and attribute names).
    """

    def __init__(self, model_file: str | Path, tagger):
        info = tagger.info()
        data = Path(model_file).read_bytes()
        off = int(info.header["off_features"], 16)
        if data[off:off + 4] != b"FEAT":
            raise ValueError(f"{model_file}: no feature chunk at offset {off:#x}; not a crfsuite CRF1d model")
        count = int.from_bytes(data[off + 8:off + 12], "little")
        feats = np.frombuffer(data, dtype=_FEATURE_RECORD, count=count, offset=off + 12)
        names = {int(i): lb for lb, i in info.labels.items()}
        self.labels = [names[i] for i in range(len(names))]
        n_labels = len(self.labels)
        self.attributes = {name: int(i) for name, i in info.attributes.items()}
        self.state = np.zeros((len(self.attributes) + 1, n_labels))  # last row: nothing (unknown attributes)
        state = feats[feats["type"] == 0]
        self.state[state["src"], state["dst"]] = state["weight"]
        trans = feats[feats["type"] == 1]
        weights = np.zeros((n_labels, n_labels))
        weights[trans["src"], trans["dst"]] = trans["weight"]
        self.exp_trans = np.exp(weights)
        self._vectors = np.zeros((0, n_labels))  # per part id of _vectors_of, its weights' sum
        self._vectors_of: list | None = None
        self._known = 0

    def forget_parts(self) -> None:
        """Empty the memory of parts' weights (:meth:`token_scores`)."""
        self._vectors_of = None
        self._known = 0

    def part_vectors(self, parts: Sequence[tuple[str, ...]]) -> np.ndarray:
        """Per part (a tuple of feature strings), its known features' weights summed in order
        (parts x labels): for a token's whole feature list, crfsuite's state scores exactly."""
        if not parts:
            return np.zeros((0, len(self.labels)))
        get = self.attributes.get
        rows = [[i for i in map(get, part) if i is not None] for part in parts]
        # Every part's attribute rows after one zero row (the last): 0.0 plus the weights in
        # order is crfsuite's sum, and a part no feature is known for sums to zero.
        width = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows)) + 1
        firsts = np.zeros(len(rows), dtype=np.intp)
        np.cumsum(width[:-1], out=firsts[1:])
        ids = np.full(int(width.sum()), -1, dtype=np.intp)
        mask = np.ones(len(ids), dtype=bool)
        mask[firsts] = False
        ids[mask] = np.fromiter(chain.from_iterable(rows), dtype=np.intp, count=int(width.sum()) - len(rows))
        return np.add.reduceat(self.state[ids], firsts, axis=0)

    def token_scores(self, slots: np.ndarray, extra_tokens: np.ndarray, extra_ids: np.ndarray,
                     parts: list[tuple[str, ...]]) -> np.ndarray:
        """The state scores (tokens x labels) of tokens given by part ids
        (:meth:`Featurizer.code_parts`: per slot a row of ids, then the extras) of ``parts``
        (:attr:`Featurizer.parts`). Each part's weights are summed once and remembered, for
        as long as ``parts`` is the same list (:meth:`forget_parts` empties the memory)."""
        if self._vectors_of is not parts:
            self._vectors_of, self._known = parts, 0
        if self._known < len(parts):
            if len(self._vectors) < len(parts):
                grown = np.zeros((max(len(parts), 2 * len(self._vectors)), len(self.labels)))
                grown[:self._known] = self._vectors[:self._known]
                self._vectors = grown
            self._vectors[self._known:len(parts)] = self.part_vectors(parts[self._known:])
            self._known = len(parts)
        vectors = self._vectors
        scores = vectors[slots[0]]
        for row in slots[1:]:
            scores += vectors[row]
        if len(extra_tokens):
            np.add.at(scores, extra_tokens, vectors[extra_ids])
        return scores

    def marginals(self, scores: np.ndarray, lengths: Sequence[int]) -> np.ndarray:
        """The marginal probability of each label at each token (tokens x labels) of
        sequences of ``lengths`` tokens whose state scores are the rows of ``scores``, in order."""
        out = np.empty_like(scores)
        if not len(scores):
            return out
        lens = np.array(lengths, dtype=np.intp)
        firsts = np.zeros(len(lens), dtype=np.intp)
        np.cumsum(lens[:-1], out=firsts[1:])
        exp_scores = np.exp(scores)
        # The longest first, in chunks of about _PADDED tokens padded to their longest.
        order = np.argsort(-lens, kind="stable")
        c = 0
        while c < len(order):
            take = order[c:c + max(1, _PADDED // int(lens[order[c]]))]
            c += len(take)
            clens = lens[take]
            longest = int(clens[0])
            # token rows of these sequences, and their places in the padded (seqs, longest) array
            rows = np.repeat(firsts[take] - np.cumsum(clens) + clens, clens) + np.arange(int(clens.sum()))
            slots = np.repeat(np.arange(len(take)) * longest - np.cumsum(clens) + clens, clens) \
                + np.arange(int(clens.sum()))
            exp_state = np.ones((len(take) * longest, len(self.labels)))
            exp_state[slots] = exp_scores[rows]
            probs = self._forward_backward(exp_state.reshape(len(take), longest, -1), clens)
            out[rows] = probs.reshape(len(take) * longest, -1)[slots]
        return out

    def _forward_backward(self, exp_state: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Marginals of padded sequences (seqs x longest x labels of exp state scores, the
        longest sequence first), as crfsuite computes them: scaled forward and backward scores."""
        seqs, longest, n_labels = exp_state.shape
        active = [int(x) for x in np.searchsorted(-lengths, -np.arange(longest), side="left")]
        trans = self.exp_trans
        alpha = np.zeros_like(exp_state)
        scale = np.ones((seqs, longest))
        cur = exp_state[:, 0].copy()
        for t in range(longest):
            k = active[t]  # the sequences with a token t
            if t:
                prev = alpha[:k, t - 1]
                cur = prev[:, 0:1] * trans[0]
                for i in range(1, n_labels):
                    cur = cur + prev[:, i:i + 1] * trans[i]
                cur *= exp_state[:k, t]
            total = cur.sum(axis=1)
            factor = np.ones(k)
            np.divide(1.0, total, out=factor, where=total != 0)
            scale[:k, t] = factor
            alpha[:k, t] = cur * factor[:, None]
        beta = np.zeros_like(exp_state)
        rows, last = np.arange(seqs), lengths - 1
        beta[rows, last] = scale[rows, last][:, None]
        for t in range(longest - 2, -1, -1):
            k = active[t + 1]  # the sequences that go on after t
            row = beta[:k, t + 1] * exp_state[:k, t + 1]
            cur = row[:, 0:1] * trans[:, 0]
            for j in range(1, n_labels):
                cur = cur + row[:, j:j + 1] * trans[:, j]
            beta[:k, t] = cur * scale[:k, t, None]
        return alpha * beta / scale[:, :, None]


# --------------------------------------------------------------------------- the tagger


class SpanTagger:
    """A CRF (or an average of several) that finds skill spans in posting text.

    ``labels`` are the span labels trained (e.g. ``("K",)`` or ``("K", "S")``); ``output``
    those whose spans are returned. ``threshold`` ``None`` decodes with Viterbi, a number
    with marginal probabilities (averaged over the models). ``tidy``: pass the spans found
    through :func:`tidy_spans`.
    """

    def __init__(self, featurizer: Featurizer, labels: Sequence[str] = ("K",), output: Sequence[str] | None = None,
                 threshold: float | None = None, tidy: bool = False):
        self.featurizer = featurizer
        self.tidy = tidy
        self.labels = tuple(labels)
        self.output = tuple(output or labels)
        self.threshold = threshold
        self.model_files: list[str] = []
        self._taggers: list = []
        self._weights: list[CrfWeights] = []
        self._line_cache: dict[tuple, tuple[list[float], list[float], list[float]]] = {}
        self._cache_for: tuple = ()

    # ---------------------------------------------------------------- training

    @staticmethod
    def train_model(xseqs: list, yseqs: list, model_file: str | Path, c1: float = 0.1, c2: float = 0.05,
                    max_iterations: int = 150, verbose: bool = False) -> None:
        """Train one CRF (L-BFGS, deterministic for the same sequences in the same order)."""
        import pycrfsuite

        trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=verbose)
        for x, y in zip(xseqs, yseqs):
            trainer.append(x, y)
        trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations,
                            "feature.possible_transitions": True})
        trainer.train(str(model_file))

    def add_model(self, model_file: str | Path) -> None:
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(str(model_file))
        self.model_files.append(str(model_file))
        self._taggers.append(tagger)
        self._weights.append(CrfWeights(model_file, tagger))
        # Let the featurizer drop per-word features no model has a weight for.
        attrs = {a for a, _ in tagger.info().state_features}
        f = self.featurizer
        f.keep = attrs if f.keep is None or len(self._taggers) == 1 else (f.keep | attrs)
        f._word_cache.clear()
        self._line_cache.clear()

    # ---------------------------------------------------------------- prediction

    def forget_lines(self) -> None:
        """Empty the memory of lines read (see :meth:`doc_marginals`) and of the parts'
        weights (:meth:`CrfWeights.token_scores`)."""
        self._line_cache.clear()
        for weights in self._weights:
            weights.forget_parts()

    def marginals(self, feats: list[list[list[str]]]) -> list[tuple[list[float], list[float], list[float]]]:
        """Per line of feature strings (per line, per token, a list), the averaged marginal
        probabilities per token ``(p_in_span, p_begin_span, p_any)`` (see :meth:`doc_marginals`)."""
        lines = [line for line in feats if line]
        lengths = [len(line) for line in lines]
        tokens = [tuple(token) for line in lines for token in line]
        found = iter(self._averaged([w.marginals(w.part_vectors(tokens), lengths) for w in self._weights], lengths))
        return [next(found) if line else ([], [], []) for line in feats]

    def doc_marginals(self, docs: Sequence[Doc], mentions: Sequence[list | None] | None = None,
                      employer: Sequence[list[tuple[int, int]] | None] | None = None
                      ) -> list[list[tuple[list[float], list[float], list[float]]]]:
        """Per document, per line, the averaged marginal probabilities per token
        ``(p_in_span, p_begin_span, p_any)``: of being in (and of beginning) an output span,
        and of being in a span of any label the model knows (a SKILL span as well as a
        KNOWLEDGE one). ``mentions`` and ``employer``: per document, the taxonomy's mentions
        in its text and its employer's sections, where already found (see
        :meth:`Featurizer.doc_parts`).

        Every new line of the batch is computed at once (:class:`CrfWeights`), from its parts'
        ids (:meth:`Featurizer.doc_codes`). A line with the same key as one read before (a
        company's repeated paragraphs, a template's bullets: 38% of the tokens of 600 real
        postings, two thirds of the sample web's) has the same marginals, remembered
        (:data:`LINE_CACHE_SIZE` lines): the lists returned are shared, never to be changed."""
        f = self.featurizer
        cache = self._line_cache
        if len(cache) > LINE_CACHE_SIZE or self._cache_for != (f.phrases, f.keep):
            cache.clear()  # full, or the features are read with other dictionaries or for another model
            self._cache_for = (f.phrases, f.keep)
        if len(f.parts) > PART_MEMORY_SIZE:
            f.forget_parts()
        codes: dict[tuple, tuple] = {}
        keys = [f.doc_codes(doc, codes, cache, mentions=None if mentions is None else mentions[i],
                            employer=None if employer is None else employer[i]) for i, doc in enumerate(docs)]
        if codes:
            lengths = [len(code[0]) for code in codes.values()]
            slots, extra_tokens, extra_ids = f.code_parts(list(codes.values()))
            cache.update(zip(codes, self._averaged(
                [w.marginals(w.token_scores(slots, extra_tokens, extra_ids, f.parts), lengths) for w in self._weights],
                lengths)))
        return [[cache[key] for key in line_keys] for line_keys in keys]

    def _averaged(self, probs: list[np.ndarray], lengths: list[int]
                  ) -> list[tuple[list[float], list[float], list[float]]]:
        """Per line of ``lengths`` tokens, ``(p_in_span, p_begin_span, p_any)`` per token,
        averaged over the models' marginals (``probs``: per model, tokens x labels)."""
        k = len(probs)
        p_o = p_b = p_i = None
        for weights, model in zip(self._weights, probs):
            col = {label: model[:, j] for j, label in enumerate(weights.labels)}
            p_o = col["O"] if p_o is None else p_o + col["O"]
            for lb in ["B-" + lb for lb in self.output]:
                if lb in col:
                    p_b = col[lb] if p_b is None else p_b + col[lb]
            for lb in ["I-" + lb for lb in self.output]:
                if lb in col:
                    p_i = col[lb] if p_i is None else p_i + col[lb]
        total = sum(lengths)
        p_b = np.zeros(total) if p_b is None else p_b
        p_i = np.zeros(total) if p_i is None else p_i
        p_any = 1.0 - p_o / k
        if k == 1:
            columns = ((p_b + p_i).tolist(), p_b.tolist(), p_any.tolist())
        else:
            columns = (((p_b + p_i) / k).tolist(), (p_b / k).tolist(), p_any.tolist())
        out, start = [], 0
        for m in lengths:
            out.append(tuple(c[start:start + m] for c in columns))
            start += m
        return out

    def predict_features(self, feats: list[list[list[str]]]) -> list[tuple[int, int]]:
        """Token spans (over the flat token list) from precomputed features: Viterbi when
        ``threshold`` is ``None`` and there is one model, else thresholded marginals."""
        import pycrfsuite

        spans: list[tuple[int, int]] = []
        offset = 0
        if self.threshold is None and len(self._taggers) == 1:
            tagger = self._taggers[0]
            for xseq in feats:
                if xseq:
                    spans.extend(_viterbi_spans(tagger.tag(pycrfsuite.ItemSequence(xseq)), self.output, offset))
                offset += len(xseq)
            return spans
        threshold = 0.5 if self.threshold is None else self.threshold
        for (p_in, p_beg, _), xseq in zip(self.marginals(feats), feats):
            if p_in:
                spans.extend(token_spans_from_probs(p_in, p_beg, threshold, offset))
            offset += len(xseq)
        return spans

    def predict_doc(self, doc: Doc) -> list[tuple[int, int]]:
        """Token spans over ``doc``'s flat token list."""
        spans = self.predict_features(self.featurizer.doc_features(doc))
        return tidy_spans(doc.text, doc.offsets, spans) if self.tidy else spans

    def predict(self, text: str) -> list[tuple[int, int]]:
        """Character spans ``(start, end)`` of the skills found in ``text``."""
        doc = tokenize(text)
        offs = doc.offsets
        return [(offs[a][0], offs[b - 1][1]) for a, b in self.predict_doc(doc)]

    # ---------------------------------------------------------------- persistence

    def save(self, directory: str | Path) -> None:
        """Write ``tagger.json`` (settings, phrase dictionary, model file names) next to the models."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        f = self.featurizer
        meta = {"labels": list(self.labels), "output": list(self.output), "threshold": self.threshold, "tidy": self.tidy,
                "models": [os.path.basename(m) for m in self.model_files],
                "context": f.context, "boilerplate": f.boilerplate, "bigrams": f.bigrams,
                "strict_headers": f.strict_headers, "header_text": f.header_text, "taxonomy": f.use_taxonomy,
                "phrases": {k: d.to_json() for k, d in f.phrases.items()} if f.phrases else None}
        (directory / "tagger.json").write_text(json.dumps(meta, indent=1, sort_keys=True))

    @classmethod
    def load(cls, directory: str | Path, taxonomy=None) -> "SpanTagger":
        """A tagger saved with :meth:`save` (model files looked up in ``directory``)."""
        directory = Path(directory)
        meta = json.loads((directory / "tagger.json").read_text())
        phrases = {k: PhraseDict.from_json(d) for k, d in meta["phrases"].items()} if meta.get("phrases") else None
        feat = Featurizer(taxonomy=(taxonomy if meta.get("taxonomy", True) else False), phrases=phrases,
                          context=meta["context"], boilerplate=meta["boilerplate"],
                          bigrams=meta.get("bigrams", True), strict_headers=meta.get("strict_headers", False),
                          header_text=meta.get("header_text", False))
        tagger = cls(feat, meta["labels"], meta["output"], meta["threshold"], meta.get("tidy", False))
        for m in meta["models"]:
            tagger.add_model(directory / m)
        return tagger


def _viterbi_spans(tags: Sequence[str], output: Sequence[str], offset: int) -> list[tuple[int, int]]:
    out = []
    start = None
    for i, t in enumerate(list(tags) + ["O"]):
        lab = t[2:] if len(t) > 2 else ""
        inside = lab in output
        if start is not None and (not inside or t[0] == "B"):
            out.append((offset + start, offset + i))
            start = None
        if inside and start is None:
            start = i
    return out
