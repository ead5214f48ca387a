"""Cross-validation of the skill-span model on its training postings, to choose its settings
without looking at the development split.

The training postings (:func:`skillenai.classify.skills.spantrain.training_postings`:
SkillSpan's train split, tech and house, and the labelled ATS postings not held out) are cut
into folds by position. For each fold a model is trained on the others with the settings
given, and the whole tagger (:func:`evaluation.skills_real.tagger_spans`: alias layer,
disambiguator, span model, linking) reads the fold's postings. The out-of-fold predictions
are scored as :func:`evaluation.skills_real.score` scores the development split, per source
(``tech``, ``house``, ``ats``) and pooled (``tech+ats``, the kinds of postings the
evaluation sets hold).

Fold models are kept under ``--cache`` (one folder per setting), so trying thresholds on
them costs no training. ``--filter C`` also scores the second look at each span
(:mod:`skillenai.classify.skills.spanfilter`): each fold's spans are kept or dropped by a
filter fitted to the other folds' out-of-fold spans, at each ``--keep`` threshold.

    python -m evaluation.skills_cv [--context lite|full] [--header-text yes|no] [--crf 0.1,0.01 ...]
                                   [--threshold 0.3 ...] [--filter 0.1 ... --keep 0.5 ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Sequence

from evaluation.skills_real import score, tagger_spans
from skillenai.classify.skills.filtertrain import (
    FILTER_THRESHOLD,
    SpanRecords,
    fit_filter,
    fold_span_models,
    out_of_fold_spans,
)
from skillenai.classify.skills.matcher import detect_skills
from skillenai.classify.skills.spandata import LabelledPosting
from skillenai.classify.skills.spans import SpanTagger
from skillenai.classify.skills.spantrain import CONTEXT, HEADER_TEXT, PARAMS, THRESHOLD, TIDY, training_postings
from skillenai.classify.skills.taxonomy import TAXONOMY_DIR

FOLDS = 5
DEFAULT_CACHE = Path("/tmp/skillenai-skills-cv")


def source_of(post: LabelledPosting) -> str:
    """``tech`` or ``house`` (SkillSpan) or ``ats`` (the project's labels)."""
    head = post.id.split("-", 1)[0]
    return head if head in ("tech", "house") else "ats"


def fold_models(postings: Sequence[LabelledPosting], context, params: Sequence[dict], cache: Path,
                folds: int = FOLDS, header_text: bool = HEADER_TEXT) -> list[Path]:
    """One model folder per fold, trained on the other folds (reused when already there)."""
    # The taxonomy's aliases are features too: a model trained with other aliases is not reused.
    aliases = hashlib.sha1(b"".join(f.read_bytes() for f in sorted(TAXONOMY_DIR.glob("*.tsv")))).hexdigest()
    key = json.dumps({"context": context, "params": list(params), "folds": folds, "n": len(postings),
                      "ids": hashlib.sha1(" ".join(p.id for p in postings).encode()).hexdigest(),
                      "taxonomy": aliases, **({"header_text": True} if header_text else {})}, sort_keys=True)
    root = cache / hashlib.sha1(key.encode()).hexdigest()[:12]
    root.mkdir(parents=True, exist_ok=True)
    (root / "settings.json").write_text(key)
    return fold_span_models(postings, root, folds, context=context, params=params, header_text=header_text)


def oof_predictions(context=CONTEXT, params: Sequence[dict] = PARAMS, thresholds: Sequence[float] = (THRESHOLD,),
                    cache: Path = DEFAULT_CACHE, folds: int = FOLDS, tidy: bool = TIDY,
                    filters: Sequence[tuple[float, float]] = (), header_text: bool = HEADER_TEXT
                    ) -> tuple[list[LabelledPosting], dict]:
    """The training postings and, per threshold, each one's out-of-fold prediction; with
    ``filters`` (``(C, keep threshold)`` pairs), also per ``(threshold, C, keep)`` the
    prediction after a span filter trained on the other folds' out-of-fold spans
    (:func:`filtered_predictions`)."""
    postings = training_postings()
    dirs = fold_models(postings, context, params, cache, folds, header_text)
    predicted: dict = {t: [None] * len(postings) for t in thresholds}
    for fold, where in enumerate(dirs):
        tagger = SpanTagger.load(where)
        tagger.tidy = tidy
        index = [k for k in range(len(postings)) if k % folds == fold]
        for threshold in thresholds:
            tagger.threshold = threshold
            tagger.forget_lines()
            for k, pred in zip(index, tagger_spans([postings[k].text for k in index], tagger=tagger)):
                predicted[threshold][k] = pred
    for threshold in thresholds if filters else ():
        records = out_of_fold_spans(postings, dirs, detect_skills, threshold, tidy)
        for (c, keep), pred in filtered_predictions(postings, predicted[threshold], records, filters, folds).items():
            predicted[(threshold, c, keep)] = pred
    return postings, predicted


def filtered_predictions(postings: Sequence[LabelledPosting], predicted: Sequence, records: SpanRecords,
                         filters: Sequence[tuple[float, float]], folds: int = FOLDS) -> dict[tuple, list]:
    """Per ``(C, keep threshold)``, ``predicted`` without the spans a filter drops, the
    filter of each fold fitted to the other folds' spans (``records``)."""
    out: dict[tuple, list] = {f: [None] * len(postings) for f in filters}
    for c in sorted({c for c, _ in filters}):
        for fold in range(folds):
            train = [k for k in range(len(postings)) if k % folds != fold]
            flt = fit_filter([postings[k] for k in train], [records[k] for k in train], c)
            for k in range(fold, len(postings), folds):
                probs = flt.keep_probability([f for _, f in records[k]])
                spans, known = predicted[k]
                for cc, keep in filters:
                    if cc == c:
                        drop = {s for (s, _), p in zip(records[k], probs) if p < keep}
                        out[(cc, keep)][k] = ([s for s in spans if s not in drop], [s for s in known if s not in drop])
    return out


GROUPS = {"tech": ("tech",), "ats": ("ats",), "house": ("house",), "tech+ats": ("tech", "ats")}


def score_groups(postings: Sequence[LabelledPosting], predicted: Sequence, top: int = 25) -> dict[str, dict]:
    """:func:`evaluation.skills_real.score` per source and pooled (:data:`GROUPS`)."""
    out = {}
    for name, sources in GROUPS.items():
        chosen = [k for k, p in enumerate(postings) if source_of(p) in sources]
        out[name] = score([postings[k] for k in chosen], [predicted[k] for k in chosen], top)
    return out


def cross_validate(context=CONTEXT, params: Sequence[dict] = PARAMS, thresholds: Sequence[float] = (THRESHOLD,),
                   cache: Path = DEFAULT_CACHE, folds: int = FOLDS, top: int = 25, tidy: bool = TIDY,
                   filters: Sequence[tuple[float, float]] = (), header_text: bool = HEADER_TEXT) -> dict:
    """Out-of-fold figures per threshold (and per ``(threshold, C, keep)`` with ``filters``),
    per source and pooled."""
    postings, predicted = oof_predictions(context, params, thresholds, cache, folds, tidy, filters, header_text)
    return {key: score_groups(postings, pred, top) for key, pred in predicted.items()}


def _crf(text: str) -> dict:
    c1, c2 = (float(x) for x in text.split(","))
    return {"c1": c1, "c2": c2}


def _label(key) -> str:
    if isinstance(key, tuple):
        return f"threshold {key[0]} filter C {key[1]} keep {key[2]}"
    return f"threshold {key}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.skills_cv",
                                     description="Cross-validate the skill-span model's settings on its training "
                                                 "postings (never the development split).")
    parser.add_argument("--context", choices=["lite", "full", "none"], default=CONTEXT,
                        help="posting context features (default: the shipped setting)")
    parser.add_argument("--header-text", choices=["yes", "no"], default="yes" if HEADER_TEXT else "no",
                        help="with lite context, also the last heading's first words (default: the shipped setting)")
    parser.add_argument("--crf", type=_crf, action="append", metavar="C1,C2",
                        help="one CRF's L1,L2 regularisation; repeat to average several (default: the shipped ones)")
    parser.add_argument("--threshold", type=float, action="append", help="span threshold(s) to score")
    parser.add_argument("--tidy", choices=["yes", "no"], default="yes" if TIDY else "no",
                        help="tidy span boundaries (spans.tidy_spans; default: the shipped setting)")
    parser.add_argument("--filter", type=float, action="append", metavar="C",
                        help="also score a span filter (spanfilter.SpanFilter) of this C trained out of fold; repeat "
                             "for several")
    parser.add_argument("--keep", type=float, action="append",
                        help=f"the span filter's keep threshold(s) (default: {FILTER_THRESHOLD})")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where fold models are kept")
    parser.add_argument("--top", type=int, default=15, help="how many misses and false tags to list")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error(f"--folds must be at least 2, got {args.folds}")
    context = {"full": True, "none": False}.get(args.context, args.context)
    filters = tuple((c, k) for c in args.filter or () for k in args.keep or (FILTER_THRESHOLD,))
    results = cross_validate(context, tuple(args.crf or PARAMS), tuple(args.threshold or (THRESHOLD,)),
                             args.cache, args.folds, args.top, args.tidy == "yes", filters, args.header_text == "yes")
    if args.json:
        print(json.dumps({_label(t): r for t, r in results.items()}, indent=1, ensure_ascii=False))
        return 0
    for key, groups in results.items():
        for name, r in groups.items():
            print(f"{_label(key)} {name:9s} R {r['knowledge_recall']:.3f} P {r['precision']:.3f} "
                  f"strict P {r['strict_p']:.3f} R {r['strict_r']:.3f} F1 {r['strict_f1']:.3f}")
        r = groups["tech+ats"]
        print("  misses:", ", ".join(f"{t!r} {n}" for t, n in r["misses"]))
        print("  false tags:", ", ".join(f"{t!r} {n}" for t, n in r["false_tags"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
