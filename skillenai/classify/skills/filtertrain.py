"""Training the second look at skill spans (:mod:`skillenai.classify.skills.spanfilter`).

The filter must learn from spans the span model finds in postings it was not trained on,
as it will meet them: the training postings are cut into folds by position, a span model is
trained on the other folds with the shipped settings (:func:`~skillenai.classify.skills.spantrain.train_span_model`),
and the whole tagger reads the fold's postings. Each span found in a posting's text (the
title, its first line, is read by the alias layer alone and never filtered) is labelled by
whether it overlaps a labelled SKILL or KNOWLEDGE span, and a :class:`SpanFilter` is fitted
to all of them. ``C`` and the keep threshold were chosen by cross-validation on the same
postings (``python -m evaluation.skills_cv --filter``). Deterministic: the same data give
the same file.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from skillenai.classify.skills.spandata import LabelledPosting
from skillenai.classify.skills.spanfilter import FILTER_FILE, SpanFilter
from skillenai.classify.skills.spans import SpanTagger
from skillenai.classify.skills.spantrain import MODEL_DIR, N_FOLDS, train_span_model, training_postings

logger = logging.getLogger(__name__)

__all__ = ["FILTER_C", "FILTER_THRESHOLD", "SpanRecords", "read_spans", "span_labels", "fold_span_models",
           "out_of_fold_spans", "train_span_filter"]

FILTER_C = 0.1
FILTER_THRESHOLD = 0.4

# Per posting, each span of its text (character offsets into the whole labelled text) with its features.
SpanRecords = list[list[tuple[tuple[int, int], dict]]]


class _Recorder:
    """Stands in for a filter: keeps every span and remembers what it was shown."""

    def __init__(self):
        self.seen: list[tuple[tuple[int, int], dict]] = []

    def decide(self, spans, features) -> list[bool]:
        self.seen.extend(zip(spans, features))
        return [True] * len(spans)


def read_spans(postings: Sequence[LabelledPosting], tagger: SpanTagger, detect: Callable) -> SpanRecords:
    """The spans ``tagger`` finds in each posting's text (after its title line) and their
    features; ``detect`` is :func:`skillenai.classify.skills.matcher.detect_skills`."""
    out: SpanRecords = []
    saved = getattr(tagger, "span_filter", None)
    try:
        for post in postings:
            title, newline, body = post.text.partition("\n")
            shift = len(title) + len(newline)
            tagger.span_filter = recorder = _Recorder()
            detect([body], spans=True, tagger=tagger)
            out.append([((a + shift, b + shift), f) for (a, b), f in recorder.seen])
    finally:
        tagger.span_filter = saved
    return out


def span_labels(post: LabelledPosting, spans: Sequence[tuple[int, int]]) -> list[bool]:
    """Whether each span overlaps a labelled SKILL or KNOWLEDGE span of ``post``."""
    gold = post.knowledge + post.skill
    return [any(a < e and s < b for a, b in gold) for s, e in spans]


def fold_span_models(postings: Sequence[LabelledPosting], directory: Path, folds: int = N_FOLDS,
                     **settings) -> list[Path]:
    """One span model per fold under ``directory``, each trained on the other folds
    (``settings`` go to :func:`~skillenai.classify.skills.spantrain.train_span_model`)."""
    out = []
    for fold in range(folds):
        where = Path(directory) / f"fold{fold}"
        if not (where / "tagger.json").exists():
            train_span_model(where, [p for k, p in enumerate(postings) if k % folds != fold], **settings)
        out.append(where)
    return out


def out_of_fold_spans(postings: Sequence[LabelledPosting], fold_dirs: Sequence[Path], detect: Callable,
                      threshold: float | None = None, tidy: bool | None = None) -> SpanRecords:
    """:func:`read_spans` for every posting, read by the model of its own fold
    (``threshold``/``tidy`` override the models' own settings)."""
    records: SpanRecords = [[] for _ in postings]
    folds = len(fold_dirs)
    for fold, where in enumerate(fold_dirs):
        tagger = SpanTagger.load(where)
        if threshold is not None:
            tagger.threshold = threshold
        if tidy is not None:
            tagger.tidy = tidy
        index = [k for k in range(len(postings)) if k % folds == fold]
        for k, rec in zip(index, read_spans([postings[k] for k in index], tagger, detect)):
            records[k] = rec
    return records


def fit_filter(postings: Sequence[LabelledPosting], records: SpanRecords, C: float = FILTER_C,
               threshold: float = FILTER_THRESHOLD) -> SpanFilter:
    """A :class:`SpanFilter` fitted to the spans of ``records`` (one list per posting)."""
    features, labels = [], []
    for post, rec in zip(postings, records):
        features += [f for _, f in rec]
        labels += span_labels(post, [s for s, _ in rec])
    return SpanFilter(C, threshold).fit(features, labels)


def train_span_filter(detect: Callable, directory: Path | str = MODEL_DIR,
                      postings: Sequence[LabelledPosting] | None = None, *, C: float = FILTER_C,
                      threshold: float = FILTER_THRESHOLD, folds: int = N_FOLDS) -> dict:
    """Train the filter of the span model in ``directory`` on out-of-fold spans of
    ``postings`` (default: the span model's training postings) and save it there as
    :data:`~skillenai.classify.skills.spanfilter.FILTER_FILE`; ``detect`` is
    :func:`skillenai.classify.skills.matcher.detect_skills`. Returns what it was trained on."""
    started = time.perf_counter()
    postings = list(postings) if postings is not None else training_postings()
    meta = SpanTagger.load(directory)  # the fold models share the shipped model's settings
    with tempfile.TemporaryDirectory() as scratch:
        dirs = fold_span_models(postings, Path(scratch), folds)
        records = out_of_fold_spans(postings, dirs, detect, meta.threshold, meta.tidy)
    flt = fit_filter(postings, records, C, threshold)
    flt.save(Path(directory) / FILTER_FILE)
    report = {"postings": len(postings), "spans": sum(len(r) for r in records),
              "seconds": round(time.perf_counter() - started, 1)}
    logger.info("skill-span filter: %s", report)
    return report
