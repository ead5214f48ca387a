"""Decide whether an ambiguous alias ("Go", "React", "Excel", "Spark") names the skill.

A logistic regression (scikit-learn, hashed features) over the mention's context, from
:func:`skillenai.classify.context.mention_context`: the words on each side and their shapes, cue-word
classes from ``context_cues.tsv`` ("developers", "Street"), sentence and list position
("Python, Go, and Rust"), the skills matched nearby and whether they share the alias's
category ("BLS and ACLS"), and the same features crossed with the alias, so "go to" and
"react to" each learn their own weight. One model serves every ambiguous alias.

Training data: ``skillenai/classify/data/skills/ambiguous_contexts.jsonl``, one labelled mention a
line: ``{"text", "alias", "start", "end", "label"}`` (label 1: the skill, 0: another sense).
Texts are split into train and held-out by a hash of the text, so the split never changes
when examples are added elsewhere. Training is deterministic (lbfgs, data in file order). The
fitted pipeline is saved with skops to ``skillenai/classify/models/skill_disambiguator.skops``; only
that shipped file is ever loaded (with an explicit list of trusted types), and it is retrained
from the data when missing.

Scoring does not call scikit-learn per document: each feature name is hashed as the
``FeatureHasher`` does, its coefficient cached, and the probability computed directly (the
number ``predict_proba`` gives, see ``tests/test_skills_eval.py``), which keeps tagging fast.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from sklearn.utils import murmurhash3_32

from skillenai.classify.context import BOUNDARY, mention_context, word_shape
from skillenai.classify.resources import CLASSIFY_DATA, MODELS_DIR
from skillenai.classify.skills.mentions import find_mentions
from skillenai.classify.skills.taxonomy import (
    CATEGORIES_FILE,
    STOP_PHRASES_FILE,
    TAXONOMY_DIR,
    alias_key,
    load_taxonomy,
)
from skillenai.classify.training import load_model, load_or_train, save_model
from skillenai.core.jsonlines import read_objects

logger = logging.getLogger(__name__)

DATA_DIR = CLASSIFY_DATA / "skills"
CONTEXTS_FILE = DATA_DIR / "ambiguous_contexts.jsonl"
CUES_FILE = DATA_DIR / "context_cues.tsv"
MODEL_DIR = MODELS_DIR
MODEL_FILE = MODEL_DIR / "skill_disambiguator.skops"
FEATURE_VERSION = 5
WINDOW = 6
HELD_OUT_BUCKETS = 5  # one text in five is held out
DEFAULT_THRESHOLD = 0.5
# Inverse regularisation strength, chosen by 5-fold cross-validation on the training split.
DEFAULT_C = 10.0
HASH_FEATURES = 2**18
# Types a shipped model file may contain beyond skops' defaults (checked before loading). The
# pipeline we ship needs none; anything else in the file means it is not ours.
TRUSTED_TYPES: tuple[str, ...] = ()

_NEAR_CHARS = 60
_LIST_GAP = re.compile(r"^(?:[\s,/|;&+()]|\band\b|\bor\b|\bas well as\b|\bplus\b)*$", re.IGNORECASE)
_TECH_CATEGORIES = frozenset(
    {"language", "framework", "library", "database", "cloud", "devops", "tool", "platform", "data", "ml",
     "security", "mobile", "testing", "networking", "hardware"}
)


class DisambiguatorDataError(ValueError):
    """A labelled example is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    alias: str
    start: int
    end: int
    label: int
    line: int

    @property
    def held_out(self) -> bool:
        return is_held_out(self.text)


def is_held_out(text: str) -> bool:
    """Deterministic split: a text is held out when its SHA-1 falls in the first bucket."""
    digest = hashlib.sha1(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % HELD_OUT_BUCKETS == 0


# --------------------------------------------------------------------------- features


@functools.lru_cache(maxsize=1)
def context_cues(path: str | None = None) -> dict[str, str]:
    """Word → cue class from ``context_cues.tsv`` (read once)."""
    path = Path(path) if path else CUES_FILE
    cues: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 2 or not cols[0].strip() or not cols[1].strip():
            raise DisambiguatorDataError(f"{path}:{lineno}: expected 'word<TAB>class'")
        cues[cols[0].strip().lower()] = cols[1].strip()
    return cues


_SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)|\n|[•·▪●◦‣|;]")


def _sentence_span(text: str, start: int, end: int, reach: int = 300) -> tuple[int, int]:
    """Offsets of the sentence (or bullet, or line) around ``text[start:end]``."""
    lo = max(0, start - reach)
    last = None
    for last in _SENTENCE_BREAK.finditer(text, lo, start):
        pass
    s_lo = last.end() if last else lo
    m = _SENTENCE_BREAK.search(text, end, min(len(text), end + reach))
    s_hi = m.start() if m else min(len(text), end + reach)
    return s_lo, s_hi


def _end(m) -> int:
    return m.end


def _bucket(n: int) -> str:
    return str(n) if n < 3 else "3+"


def mention_features(text: str, mentions: list, index: int, taxonomy) -> dict[str, float]:
    """The feature dict for ``mentions[index]`` (a :class:`skillenai.classify.skills.matcher.Mention`) in ``text``.

    ``mentions`` are all candidates the matcher found in ``text``; the unambiguous ones are
    the "nearby skills" evidence.
    """
    m = mentions[index]
    a = m.alias
    ctx = mention_context(text, m.start, m.alias_end, WINDOW)
    skill = taxonomy.skills[m.skill]
    f: dict[str, float] = {"bias": 1.0, "a=" + a: 1.0, "cat=" + skill.category: 1.0}

    surface = ctx["mention"]
    entries = taxonomy.entries_for(a)
    written = surface
    if entries:
        written = next((e.text for e in entries if e.text == surface), entries[0].text)
    if surface == written:
        case = "exact"
    elif surface.islower():
        case = "lower"
    elif surface.isupper():
        case = "upper"
    else:
        case = "other"
    shape = ctx["shape"]
    for k in ("case=" + case, "sh=" + shape):
        f[k] = 1.0
        f["a|" + k] = 1.0

    left = [t.lower() for t in ctx["left"]]
    right = [t.lower() for t in ctx["right"]]
    l1 = left[-1] if left else "<none>"
    l2 = left[-2] if len(left) > 1 else "<none>"
    r1 = right[0] if right else "<none>"
    r2 = right[1] if len(right) > 1 else "<none>"
    for k in ("l1=" + l1, "r1=" + r1, "l2=" + l2, "r2=" + r2):
        f[k] = 1.0
        f["a|" + k] = 1.0
    if ctx["right"]:
        f["r1sh=" + word_shape(ctx["right"][0])[:3]] = 1.0
    if ctx["left"]:
        f["l1sh=" + word_shape(ctx["left"][-1])[:3]] = 1.0
    for w in left:
        if w != BOUNDARY and w[0].isalnum():
            f["lw=" + w] = 1.0
            f["a|w=" + w] = 1.0
    for w in right:
        if w != BOUNDARY and w[0].isalnum():
            f["rw=" + w] = 1.0
            f["a|w=" + w] = 1.0
    cues = context_cues()
    for side, words in (("l", [w for w in left if w != BOUNDARY]), ("r", [w for w in right if w != BOUNDARY])):
        near = words[-1] if side == "l" and words else (words[0] if words else "")
        c = cues.get(near)
        if c:
            f[side + "1cue=" + c] = 1.0
            f["a|" + side + "1cue=" + c] = 1.0
        for w in words:
            c = cues.get(w)
            if c:
                f[side + "cue=" + c] = 1.0
    for flag in ("sentence_start", "sentence_end", "line_start", "in_parens", "quoted", "in_list", "all_caps_context"):
        if ctx[flag]:
            f[flag] = 1.0
            f["a|" + flag] = 1.0
    if ctx["prev_char"] and not ctx["prev_char"].isspace():
        f["pc=" + ctx["prev_char"]] = 1.0
    if ctx["next_char"] and not ctx["next_char"].isspace():
        f["nc=" + ctx["next_char"]] = 1.0
        f["a|nc=" + ctx["next_char"]] = 1.0
    if m.versioned:
        f["version"] = 1.0

    # Skills around the mention: unambiguous matches (and other ambiguous candidates, weaker).
    # A neighbour of the same category ("BLS and ACLS", "Hive, Pig, Spark") is strong evidence.
    near = near_tech = listed = listed_tech = amb_near = 0
    same_near = same_listed = same_sent = amb_same = 0
    cat = skill.category
    s_lo, s_hi = _sentence_span(text, m.start, m.end)
    lo, hi = min(m.start - _NEAR_CHARS, s_lo), max(m.end + _NEAR_CHARS, s_hi)
    skills = taxonomy.skills
    # Mentions are sorted and do not overlap, so their ends are sorted too.
    first = bisect.bisect_left(mentions, lo, key=_end)
    for j in range(first, len(mentions)):
        other = mentions[j]
        if other.start > hi:
            break
        if j == index:
            continue
        if other.skill == m.skill:
            continue
        ocat = skills[other.skill].category
        in_sent = other.start >= s_lo and other.end <= s_hi
        is_near = other.end >= m.start - _NEAR_CHARS and other.start <= m.end + _NEAR_CHARS
        if other.ambiguous:
            amb_near += is_near
            amb_same += in_sent and ocat == cat
            continue
        same_sent += in_sent and ocat == cat
        if not is_near:
            continue
        near += 1
        tech = ocat in _TECH_CATEGORIES
        near_tech += tech
        same_near += ocat == cat
        gap = text[other.end:m.start] if other.end <= m.start else text[m.end:other.start]
        if len(gap) <= 12 and _LIST_GAP.match(gap):
            listed += 1
            listed_tech += tech
            same_listed += ocat == cat
    f["near=" + _bucket(near)] = 1.0
    if near_tech:
        f["near_tech=" + _bucket(near_tech)] = 1.0
        f["a|near_tech"] = 1.0
    if listed:
        f["listed"] = 1.0
        f["a|listed"] = 1.0
    if listed_tech:
        f["listed_tech"] = 1.0
    if same_near:
        f["same_cat_near"] = 1.0
    if same_listed:
        f["same_cat_listed"] = 1.0
    if same_sent:
        f["same_cat_sent=" + _bucket(same_sent)] = 1.0
    if amb_same:
        f["amb_same_cat"] = 1.0
    if amb_near:
        f["amb_near=" + _bucket(amb_near)] = 1.0
    return f


# --------------------------------------------------------------------------- data


def read_examples(path: Path | str = CONTEXTS_FILE, taxonomy=None) -> list[Example]:
    """Read and validate the labelled contexts; every error names the file and line."""

    taxonomy = taxonomy or load_taxonomy()
    ambiguous = taxonomy.ambiguous_aliases()
    examples = []
    for where, lineno, row in read_objects(path, DisambiguatorDataError):
        missing = [k for k in ("text", "alias", "start", "end", "label") if k not in row]
        if missing:
            raise DisambiguatorDataError(f"{where}: missing field(s) {', '.join(missing)}")
        text, alias, start, end, label = row["text"], row["alias"], row["start"], row["end"], row["label"]
        if not isinstance(text, str) or not isinstance(alias, str):
            raise DisambiguatorDataError(f"{where}: text and alias must be strings")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise DisambiguatorDataError(f"{where}: start and end must be integers")
        if label not in (0, 1) or isinstance(label, bool):
            raise DisambiguatorDataError(f"{where}: label must be 0 or 1, got {label!r}")
        if not 0 <= start < end <= len(text):
            raise DisambiguatorDataError(f"{where}: span [{start}, {end}) outside the text (length {len(text)})")
        if alias_key(text[start:end]) != alias_key(alias):
            raise DisambiguatorDataError(
                f"{where}: text[{start}:{end}] is {text[start:end]!r}, not the alias {alias!r}"
            )
        if alias_key(alias) not in ambiguous:
            raise DisambiguatorDataError(f"{where}: {alias!r} is not an ambiguous alias in the taxonomy")
        # Group by the alias as the taxonomy writes it ("React", even if the text says "react").
        examples.append(Example(text, taxonomy.alias_entry(alias).text, start, end, label, lineno))
    if not examples:
        raise DisambiguatorDataError(f"{path}: no examples")
    return examples


def _featurise(examples: list[Example], taxonomy, path: Path | str = CONTEXTS_FILE) -> list[dict[str, float]]:

    cache: dict[str, list] = {}
    rows = []
    for ex in examples:
        mentions = cache.get(ex.text)
        if mentions is None:
            mentions = cache[ex.text] = find_mentions(ex.text, taxonomy)
        key = alias_key(ex.alias)
        for i, m in enumerate(mentions):
            if m.start == ex.start and m.alias_end == ex.end and m.alias == key:
                rows.append(mention_features(ex.text, mentions, i, taxonomy))
                break
        else:
            raise DisambiguatorDataError(
                f"{path}:{ex.line}: the matcher does not propose {ex.alias!r} at [{ex.start}, {ex.end}) "
                f"(wrong case for a case-sensitive alias, or inside a longer alias), so it cannot be learned"
            )
    return rows


# --------------------------------------------------------------------------- model


class Disambiguator:
    """A fitted pipeline (FeatureHasher + LogisticRegression) and a fast scorer over it.

    The hasher keeps the saved model small (no vocabulary to store). Scoring hashes each
    feature name the way :class:`sklearn.feature_extraction.FeatureHasher` does and caches
    the column, so a mention costs a few dictionary look-ups instead of a scikit-learn call.
    """

    def __init__(self, pipeline, threshold: float = DEFAULT_THRESHOLD, meta: dict | None = None):
        self.pipeline = pipeline
        self.threshold = threshold
        self.meta = meta or {}
        hasher = pipeline.named_steps["features"]
        clf = pipeline.named_steps["model"]
        if getattr(hasher, "alternate_sign", False):
            raise ValueError("the fast scorer needs FeatureHasher(alternate_sign=False)")
        self._n_features = int(hasher.n_features)
        self._coef = [float(c) for c in clf.coef_[0]]
        self._intercept = float(clf.intercept_[0])
        self._weights: dict[str, float] = {}

    def _weight(self, name: str) -> float:
        w = self._weights.get(name)
        if w is None:
            h = murmurhash3_32(name, seed=0, positive=False)
            w = self._coef[_hash_index(h, self._n_features)]
            if len(self._weights) < 1_000_000:
                self._weights[name] = w
        return w

    def probability(self, features: dict[str, float]) -> float:
        """P(skill) for one feature dict; equals ``pipeline.predict_proba([features])[0, 1]``."""
        z = self._intercept
        cached = self._weights
        for k, v in features.items():
            c = cached.get(k)
            z += (self._weight(k) if c is None else c) * v
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def score_mentions(self, items: list[tuple[str, list, int]], taxonomy=None) -> list[float]:
        """Probabilities for ``(text, mentions, index)`` items, in order."""
        if taxonomy is None:

            taxonomy = load_taxonomy()
        return [self.probability(mention_features(t, ms, i, taxonomy)) for t, ms, i in items]


def _hash_index(h: int, n_features: int) -> int:
    # As in sklearn's _hashing_fast: abs() of the signed 32-bit hash, modulo the width.
    if h == -2147483648:
        return (2147483647 - (n_features - 1)) % n_features
    return abs(h) % n_features


def _new_pipeline(C: float):
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            ("features", FeatureHasher(n_features=HASH_FEATURES, input_type="dict", alternate_sign=False)),
            ("model", LogisticRegression(C=C, solver="lbfgs", max_iter=2000)),
        ]
    )


def data_digest(contexts: Path | str = CONTEXTS_FILE) -> str:
    """SHA-1 over every file the model is built from: the labelled contexts, the cue words
    and the taxonomy (its categories and neighbours are features). A shipped model whose
    digest differs is stale."""

    h = hashlib.sha1()
    files = [Path(contexts), CUES_FILE, CATEGORIES_FILE, STOP_PHRASES_FILE, *sorted(TAXONOMY_DIR.glob("*.tsv"))]
    for f in files:
        if f.exists():
            h.update(f.name.encode("utf-8") + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def fit_disambiguator(examples: list[Example], taxonomy, C: float = DEFAULT_C) -> Disambiguator:
    """Fit on ``examples`` (all of them: pass the training split to keep a held-out set)."""
    X = _featurise(examples, taxonomy)
    y = [ex.label for ex in examples]
    pipeline = _new_pipeline(C).fit(X, y)
    return Disambiguator(pipeline)


def train_disambiguator(
    path: Path | str = CONTEXTS_FILE,
    model_file: Path | str = MODEL_FILE,
    save: bool = True,
    C: float = DEFAULT_C,
    verbose: bool = False,
) -> dict:
    """Train on the training split of ``path``, save the model, return :func:`evaluate`'s numbers.

    Deterministic: examples are taken in file order and the solver is seeded.
    """

    taxonomy = load_taxonomy()
    examples = read_examples(path, taxonomy)
    train = [ex for ex in examples if not ex.held_out]
    model = fit_disambiguator(train, taxonomy, C)
    model.meta = {
        "feature_version": FEATURE_VERSION,
        "data_sha1": data_digest(path),
        "threshold": DEFAULT_THRESHOLD,
        "C": C,
        "n_train": len(train),
    }
    if save:
        save_disambiguator(model, model_file)
    load_disambiguator.cache_clear()
    report = evaluate(model, path)
    if verbose:
        logger.info("disambiguator: %s", json.dumps(report["overall"]))
        for alias, row in sorted(report["aliases"].items(), key=lambda kv: kv[1]["accuracy"]):
            logger.info("  %-12s %s", alias, row)
    return report


def save_disambiguator(model: Disambiguator, model_file: Path | str = MODEL_FILE) -> None:
    save_model({"pipeline": model.pipeline, "meta": model.meta}, Path(model_file))


def _fit_shipped() -> Disambiguator:
    """The shipped model: fitted on the training split of the labelled contexts."""
    taxonomy = load_taxonomy()
    examples = read_examples(CONTEXTS_FILE, taxonomy)
    train = [ex for ex in examples if not ex.held_out]
    model = fit_disambiguator(train, taxonomy)
    model.meta = {"feature_version": FEATURE_VERSION, "data_sha1": data_digest(), "threshold": DEFAULT_THRESHOLD,
                  "C": DEFAULT_C, "n_train": len(train)}
    return model


def _read_disambiguator(path: Path) -> Disambiguator:
    obj = load_model(path, trusted=TRUSTED_TYPES.__contains__)
    meta = dict(obj.get("meta", {}))
    if meta.get("feature_version") != FEATURE_VERSION:
        raise ValueError(
            f"{path}: built for feature version {meta.get('feature_version')}, this code uses "
            f"{FEATURE_VERSION}; rebuild it with skillenai.classify.skills.matcher.train_skill_models()"
        )
    return Disambiguator(obj["pipeline"], float(meta.get("threshold", DEFAULT_THRESHOLD)), meta)


@functools.lru_cache(maxsize=1)
def load_disambiguator(model_file: str | None = None) -> Disambiguator:
    """The shipped model (cached); trained from the data when the file is missing.

    Only the project's own file is read, and only with an explicit list of trusted types.
    """
    path = Path(model_file) if model_file else MODEL_FILE
    return load_or_train(path, _fit_shipped, save=save_disambiguator, load=_read_disambiguator)


# --------------------------------------------------------------------------- evaluation


def _prf(tp: int, fp: int, fn: int, tn: int) -> dict:
    n = tp + fp + fn + tn
    return {
        "n": n,
        "positives": tp + fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "accuracy": round((tp + tn) / n, 4) if n else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def evaluate(model: Disambiguator | None = None, path: Path | str = CONTEXTS_FILE) -> dict:
    """Held-out precision, recall and accuracy of the disambiguator, overall and per alias.

    Returns ``{"overall": {...}, "aliases": {alias: {...}}, "errors": [...]}`` where each
    row has n, positives, precision, recall, accuracy and the confusion counts.
    """

    taxonomy = load_taxonomy()
    model = model or load_disambiguator()
    examples = [ex for ex in read_examples(path, taxonomy) if ex.held_out]
    X = _featurise(examples, taxonomy, path)
    counts: dict[str, list[int]] = {}
    total = [0, 0, 0, 0]
    errors = []
    for ex, feats in zip(examples, X):
        p = model.probability(feats)
        pred = int(p >= model.threshold)
        cell = 0 if pred and ex.label else 1 if pred else 2 if ex.label else 3
        key = ex.alias
        counts.setdefault(key, [0, 0, 0, 0])[cell] += 1
        total[cell] += 1
        if pred != ex.label:
            errors.append({"line": ex.line, "alias": ex.alias, "label": ex.label, "p": round(p, 3),
                           "context": ex.text[max(0, ex.start - 50):ex.end + 50]})
    return {
        "overall": _prf(*total),
        "aliases": {a: _prf(*c) for a, c in sorted(counts.items())},
        "errors": errors,
        "model": dict(model.meta),
    }
