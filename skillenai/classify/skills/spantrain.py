"""Training the skill-span model (:mod:`skillenai.classify.skills.spans`) from the labelled
real ads the package ships (:mod:`skillenai.classify.skills.spandata`).

The settings were chosen by cross-validation over SkillSpan's training postings, never on
the development split: KNOWLEDGE and SKILL as two labels (only KNOWLEDGE spans are
output), the small-vocabulary posting context, one CRF (L1 0.1, L2 0.01), a token counts as
in a span when its marginal probability is at least 0.1 (the span filter, keep 0.4, then
weighs each span: the pair gives the most recall at which cross-validated precision stays at
least 0.80 and strict KNOWLEDGE F1 no lower than before). The phrase-dictionary features of
a training posting are built from the other folds' postings (5 folds), so the model does
not learn to trust a dictionary that already knows the answer; the shipped dictionaries
hold every training phrase. Training is deterministic: the same data give the same files.
"""

from __future__ import annotations

import bisect
import functools
import logging
import tempfile
import time
from pathlib import Path
from typing import Sequence

from skillenai.classify.resources import MODELS_DIR
from skillenai.classify.skills.spandata import SKILLSPAN_TRAIN, LabelledPosting, labelled_postings, skillspan_postings
from skillenai.classify.skills.spanfilter import FILTER_FILE, SpanFilter
from skillenai.classify.skills.spans import Doc, Featurizer, PhraseDict, SpanTagger, bio_tags, tokenize

logger = logging.getLogger(__name__)

MODEL_DIR = MODELS_DIR / "skill_spans"
N_FOLDS = 5
CONTEXT = "lite"
PARAMS = ({"c1": 0.1, "c2": 0.01},)
# With "lite" context, also the first words of the last heading (Featurizer.header_text). Off:
# with the filter keeping at 0.45, 5-fold CV on the training postings liked it (tech+ats R
# 0.826 -> 0.826, P 0.807 -> 0.812, strict F1 0.560 -> 0.563) and so did SkillSpan dev (R, P,
# strict F1 0.856/0.781/0.563 -> 0.873/0.806/0.596), but the held-out ATS postings fell below
# their floors (0.842/0.851/0.681 -> 0.839/0.830/0.655).
HEADER_TEXT = False
THRESHOLD = 0.1
TIDY = True  # spans.tidy_spans on what the model finds
LABELS = ("K", "S")  # KNOWLEDGE first: it wins where a SKILL span overlaps it


def _doc(post: LabelledPosting) -> Doc:
    return Doc(post.text, post.lines) if post.lines else tokenize(post.text)


def _token_spans(doc: Doc, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans as spans of the flat token list (every token sharing a character)."""
    offsets = doc.offsets
    starts = [a for a, _ in offsets]
    ends = [b for _, b in offsets]
    out = []
    for a, b in spans:
        i, j = bisect.bisect_right(ends, a), bisect.bisect_left(starts, b)
        if i < j:
            out.append((i, j))
    return out


def _line_spans(doc: Doc, spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    firsts, k = [], 0
    for line in doc.lines:
        firsts.append(k)
        k += len(line)
    out: list[list[tuple[int, int]]] = [[] for _ in doc.lines]
    for a, b in sorted(spans):
        li = bisect.bisect_right(firsts, a) - 1
        if b <= firsts[li] + len(doc.lines[li]):  # a span never crosses a line
            out[li].append((a - firsts[li], b - firsts[li]))
    return out


class _Example:
    """One training posting: its tokens, label-free features and gold token spans per label."""

    def __init__(self, post: LabelledPosting, featurizer: Featurizer):
        self.doc = _doc(post)
        self.tokens = self.doc.line_tokens()
        self.spans = {"K": _token_spans(self.doc, post.knowledge), "S": _token_spans(self.doc, post.skill)}
        self.features = featurizer.doc_features(self.doc, title_line=True)  # every labelled ad starts with its title
        tags = None
        for label in LABELS:
            tags = bio_tags(self.doc, self.spans[label], label, tags)
        self.tags = tags


def _dictionaries(examples: Sequence[_Example]) -> dict[str, PhraseDict]:
    out = {}
    for label, prefix in (("K", "d"), ("S", "s")):
        d = PhraseDict()
        for ex in examples:
            d.add(ex.tokens, _line_spans(ex.doc, ex.spans[label]))
        for ex in examples:
            d.count_occurrences(ex.tokens)
        out[prefix] = d
    return out


def _with_dictionaries(ex: _Example, dicts: dict[str, PhraseDict]) -> list[list[list[str]]]:
    out = []
    for feats, tokens in zip(ex.features, ex.tokens):
        extra = [d.features(tokens, prefix) for prefix, d in dicts.items()]
        out.append([f + [x for e in extra for x in e[i]] for i, f in enumerate(feats)])
    return out


def training_postings() -> list[LabelledPosting]:
    """SkillSpan's training postings (tech and house) and the project's labelled postings
    that are not held out for evaluation."""
    return (skillspan_postings(SKILLSPAN_TRAIN, "tech") + skillspan_postings(SKILLSPAN_TRAIN, "house")
            + labelled_postings(held=False))


def train_span_model(directory: Path | str = MODEL_DIR, postings: Sequence[LabelledPosting] | None = None, *,
                     context: bool | str = CONTEXT, params: Sequence[dict] = PARAMS,
                     threshold: float = THRESHOLD, tidy: bool = TIDY, header_text: bool = HEADER_TEXT) -> dict:
    """Train the span model on ``postings`` (default :func:`training_postings`) and save it
    in ``directory``; returns what was trained on and how long it took.

    ``context``, ``params`` (one CRF per entry, averaged), ``threshold``, ``tidy`` and
    ``header_text`` default to the shipped settings; other values are for cross-validation
    (``python -m evaluation.skills_cv``).
    """
    started = time.perf_counter()
    postings = list(postings) if postings is not None else training_postings()
    featurizer = Featurizer(context=context, header_text=header_text)
    examples = [_Example(p, featurizer) for p in postings]
    xs, ys = [], []
    for fold in range(N_FOLDS):
        others = [ex for k, ex in enumerate(examples) if k % N_FOLDS != fold]
        dicts = _dictionaries(others)
        for k, ex in enumerate(examples):
            if k % N_FOLDS == fold:
                for x, y in zip(_with_dictionaries(ex, dicts), ex.tags):
                    if x:
                        xs.append(x)
                        ys.append(y)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    featurizer.phrases = _dictionaries(examples)
    tagger = SpanTagger(featurizer, labels=LABELS, output=("K",), threshold=threshold, tidy=tidy)
    with tempfile.TemporaryDirectory() as scratch:
        for i, crf_params in enumerate(params):
            # Written aside first: a reader of the old model never sees half a file.
            tmp = Path(scratch) / f"crf{i}.crfsuite"
            SpanTagger.train_model(xs, ys, tmp, **crf_params)
            final = directory / tmp.name
            final.write_bytes(tmp.read_bytes())
            tagger.add_model(final)
    tagger.save(directory)
    report = {"postings": len(postings), "tokens": sum(len(ex.doc.offsets) for ex in examples),
              "sequences": len(xs), "seconds": round(time.perf_counter() - started, 1)}
    logger.info("skill-span model: %s", report)
    return report


def with_filter(tagger: SpanTagger, directory: Path | str) -> SpanTagger:
    """``tagger`` with the span filter saved beside it (:mod:`skillenai.classify.skills.spanfilter`)
    as its ``span_filter``, or ``None`` there when ``directory`` has none."""
    path = Path(directory) / FILTER_FILE
    tagger.span_filter = SpanFilter.load(path) if path.exists() else None
    return tagger


@functools.lru_cache(maxsize=1)
def load_span_tagger() -> SpanTagger:
    """The shipped span model and its span filter (cached); the model is trained from the
    shipped data when its files are missing (without a filter: ``skillenai train`` builds
    that), into a temporary folder when the install cannot be written (the policy of
    :func:`skillenai.classify.training.load_or_train`)."""
    if (MODEL_DIR / "tagger.json").exists():
        return with_filter(SpanTagger.load(MODEL_DIR), MODEL_DIR)
    logger.warning("%s is missing: training the skill-span model from the shipped data", MODEL_DIR)
    try:
        train_span_model(MODEL_DIR)
        return SpanTagger.load(MODEL_DIR)
    except OSError as exc:  # read-only install: the model still serves this process
        scratch = Path(tempfile.mkdtemp(prefix="skillenai-spans-"))
        logger.warning("could not save %s (%s); using a model trained in %s", MODEL_DIR, exc, scratch)
        train_span_model(scratch)
        return SpanTagger.load(scratch)
