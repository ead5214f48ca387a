"""Document kind — ``posting``, ``article`` or ``other`` — for pages without structured data.

:func:`classify_kind` (and :func:`classify_kinds` for a batch) decides it, for the crawl
(a page without structured data) and the classify stage (a document given without one)
alike. A scikit-learn pipeline over words (1–2-grams, TF-IDF) of the title, the main text and the
URL path (``/careers/…``, ``/blog/…`` are strong cues, prefixed so they do not mix with
text words) into a logistic regression. The model is ``skillenai/classify/models/kind.skops``,
rebuilt from ``skillenai/classify/data/kind/examples.jsonl`` by :func:`train_kind_model` (also when
the file is missing). Should the model fail, a keyword rule (:func:`keyword_kind`) decides
instead: a broken model must not stop a crawl.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from skillenai.classify.resources import CLASSIFY_DATA, MODELS_DIR
from skillenai.classify.training import held_out, load_model, load_or_train, read_floors, save_model
from skillenai.core.record import PAGE_KINDS as KINDS

log = logging.getLogger(__name__)

DATA_DIR = CLASSIFY_DATA / "kind"
EXAMPLES_PATH = DATA_DIR / "examples.jsonl"
FLOORS_PATH = DATA_DIR / "floors.json"
MODEL_PATH = MODELS_DIR / "kind.skops"
# The same model's weights as plain arrays, written with it: predicting from them needs
# NumPy alone, so a crawl process does not import scikit-learn and skops (~2.5 s) for it.
WEIGHTS_PATH = MODELS_DIR / "kind_weights.npz"
HELD_OUT_PERCENT = 25  # of the examples, split by URL
MAX_TEXT = 6000  # characters of text read; the start of a page says what it is
_NONE: dict = {}


def document_features(title: str | None, text: str | None, url: str | None = None) -> str:
    """The one string the model reads: title words (prefixed ``t_``), URL host and path
    words and the path's shape (``u_``: depth, digits, slug) and the start of the text."""
    title = title or ""
    text = (text or "")[:MAX_TEXT]
    url_words = []
    if url:
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is not None:
            path = parts.path.lower()
            url_words = re.findall(r"[a-z]+", (parts.hostname or "").lower().split(".")[0] + " " + path)
            segments = [seg for seg in path.split("/") if seg]
            # Shape of the path: /careers is a listing, /careers/senior-data-engineer-123 a posting.
            url_words.append(f"depth{min(len(segments), 4)}")
            if any(re.search(r"\d", seg) for seg in segments):
                url_words.append("num")
            if segments and segments[-1].count("-") >= 2:
                url_words.append("slug")
    title_words = re.findall(r"\w+", title.lower())
    return " ".join(["t_" + w for w in title_words] + ["u_" + w for w in url_words]) + " " + text


def _read_examples() -> list[dict]:
    rows = []
    for lineno, line in enumerate(EXAMPLES_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{EXAMPLES_PATH}:{lineno}: {exc}") from exc
        if r.get("label") not in KINDS:
            raise ValueError(f"{EXAMPLES_PATH}:{lineno}: label must be one of {KINDS}, got {r.get('label')!r}")
        rows.append(r)
    return rows


def _make_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True,
                                  token_pattern=r"(?u)\b\w[\w$%]*\b")),
        ("clf", LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced", random_state=0)),
    ])


def train_kind_model(save: bool = True) -> dict:
    """Rebuild the kind model from ``examples.jsonl``; return the held-out evaluation
    (split by URL, 25% held out)."""
    rows = _read_examples()
    X = [document_features(r.get("title"), r.get("text"), r.get("url")) for r in rows]
    y = [r["label"] for r in rows]
    test = [held_out(r.get("url") or r.get("title") or "", HELD_OUT_PERCENT) for r in rows]
    model = _make_pipeline().fit([x for x, t in zip(X, test) if not t], [v for v, t in zip(y, test) if not t])
    Xte = [x for x, t in zip(X, test) if t]
    yte = [v for v, t in zip(y, test) if t]
    pred = list(model.predict(Xte)) if Xte else []
    right = sum(int(p == t) for p, t in zip(pred, yte))
    errors = [{"title": r.get("title"), "url": r.get("url"), "want": r["label"], "got": p}
              for r, p, t in zip([r for r, t in zip(rows, test) if t], pred, yte) if p != t]
    if save:
        _save_with_weights(_fit_final(rows), MODEL_PATH)
        _model.cache_clear()
    return {"accuracy": round(right / max(len(yte), 1), 4), "train": len(y) - len(yte), "test": len(yte),
            "examples": len(y), "errors": errors}


def _fit_final(rows: list[dict] | None = None):
    """The shipped model: fitted on every example."""
    rows = rows if rows is not None else _read_examples()
    X = [document_features(r.get("title"), r.get("text"), r.get("url")) for r in rows]
    return _make_pipeline().fit(X, [r["label"] for r in rows])


def _save_with_weights(model, path: Path) -> None:
    save_model(model, path)
    export_weights(model, source=path)


def _file_sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def export_weights(pipeline, path: Path = WEIGHTS_PATH, source: Path = MODEL_PATH) -> None:
    """Write the fitted pipeline's vocabulary, idf and logistic-regression weights, tagged
    with the hash of the model file they came from."""
    import numpy as np

    words, clf = pipeline.named_steps["words"], pipeline.named_steps["clf"]
    terms = np.empty(len(words.vocabulary_), dtype=object)
    for term, column in words.vocabulary_.items():
        terms[column] = term
    np.savez_compressed(
        path, terms=terms.astype(str), idf=words.idf_, coef=clf.coef_, intercept=clf.intercept_,
        classes=np.asarray(clf.classes_, dtype=str), token_pattern=np.asarray(words.token_pattern),
        ngram_max=np.asarray(words.ngram_range[1]), source_sha1=np.asarray(_file_sha1(source)))


class LinearKindModel:
    """The kind pipeline's ``predict`` from :func:`export_weights`' arrays: lowercase, the
    vectorizer's tokens and word n-grams, sublinear tf × idf, L2 norm, then the class
    with the largest linear score, as scikit-learn computes them (tests compare)."""

    def __init__(self, path: Path):
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            self.vocabulary = {str(t): i for i, t in enumerate(data["terms"])}
            self.idf, self.coef, self.intercept = data["idf"], data["coef"], data["intercept"]
            self.classes = [str(c) for c in data["classes"]]
            self.token = re.compile(str(data["token_pattern"]))
            self.ngram_max = int(data["ngram_max"])
            self.source_sha1 = str(data["source_sha1"])
        # Word pairs by their first word, so a pair is looked up without joining the two.
        self.pairs: dict[str, dict[str, int]] = {}
        for term, column in self.vocabulary.items():
            words = term.split(" ")
            if len(words) == 2:
                self.pairs.setdefault(words[0], {})[words[1]] = column

    def predict(self, docs: list[str]) -> list[str]:
        import numpy as np

        out = []
        vocabulary, pairs = self.vocabulary, self.pairs
        for doc in docs:
            tokens = self.token.findall(doc.lower())
            # Each distinct word and word pair is looked up once (a text repeats its words).
            counts: dict[int, int] = {}
            for token, k in Counter(tokens).items():
                column = vocabulary.get(token)
                if column is not None:
                    counts[column] = k
            if self.ngram_max >= 2:
                for (first, second), k in Counter(zip(tokens, tokens[1:])).items():
                    column = pairs.get(first, _NONE).get(second)
                    if column is not None:
                        counts[column] = k
            for n in range(3, self.ngram_max + 1):
                for i in range(len(tokens) - n + 1):
                    column = vocabulary.get(" ".join(tokens[i:i + n]))
                    if column is not None:
                        counts[column] = counts.get(column, 0) + 1
            scores = self.intercept.copy()
            if counts:
                columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
                weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) \
                    * self.idf[columns]
                weights /= np.sqrt(weights @ weights)
                scores = scores + self.coef[:, columns] @ weights
            out.append(self.classes[int(np.argmax(scores))])
        return out


@lru_cache(maxsize=1)
def _model():
    if not MODEL_PATH.exists():
        return load_or_train(MODEL_PATH, _fit_final, save=_save_with_weights)
    if WEIGHTS_PATH.exists():
        weights = LinearKindModel(WEIGHTS_PATH)
        if weights.source_sha1 == _file_sha1(MODEL_PATH):
            return weights
        log.warning("%s is not from %s; using the scikit-learn model", WEIGHTS_PATH.name, MODEL_PATH.name)
    return load_model(MODEL_PATH)


_POSTING_WORDS = re.compile(
    r"\b(responsibilities|requirements|qualifications|what you('|’)ll do|what you bring|"
    r"apply now|apply for this job|about the role|nice to have|we offer|benefits|"
    r"equal opportunity employer|job description|your profile|ihr profil|aufgaben|"
    r"about the (?:job|position)|the role|what we(?:'|’)re looking for|who you are|you will|"
    r"your responsibilities|minimum qualifications|preferred qualifications|compensation|salary range|"
    r"pay range|job type|we(?:'|’)re looking for|we are looking for|join our team|years of experience)\b",
    re.IGNORECASE,
)
# A job ad's full text is long and uses several of its words. The model, trained on page
# starts, read 61 of 1,216 real postings (evaluation/data/dedupe) as "other"; no real
# article or non-posting example is this long with three such words.
_LONG_AD_CHARS, _LONG_AD_WORDS = 1500, 3
# A site's home page (the root, or a language's root: /en/, /de-de/) is no job ad whatever
# its words ("Join our team", "Open roles").
_HOME_PATH = re.compile(r"/(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?", re.IGNORECASE)


def _posting_words(text: str | None) -> int:
    return len(set(m.group(0).lower() for m in _POSTING_WORDS.finditer(text or "")))


def keyword_kind(text: str | None) -> str:
    """``"posting"`` when the text uses two or more of a job ad's words, else ``"other"``:
    what decides when the model cannot."""
    return "posting" if _posting_words(text) >= 2 else "other"


def _overruled(kind: str, text: str | None, url: str | None) -> str:
    """The model's ``kind`` where the page's shape says otherwise: a home page is no
    posting; a long text with a job ad's words that the model calls "other" is one."""
    if kind == "posting" and url:
        try:
            path = urlsplit(url).path or "/"
        except ValueError:
            path = None
        if path is not None and _HOME_PATH.fullmatch(path):
            return "other"
    if kind == "other" and len(text or "") >= _LONG_AD_CHARS and _posting_words(text) >= _LONG_AD_WORDS:
        return "posting"
    return kind


def classify_kinds(docs: list[tuple[str | None, str | None, str | None]]) -> list[str]:
    """Kinds for many (title, text, url) triples with one model call (the keyword rule
    for each, should the model fail)."""
    if not docs:
        return []
    feats = [document_features(t, x, u) for t, x, u in docs]
    try:
        kinds = [str(k) for k in _model().predict(feats)]
    except Exception as exc:  # a boundary: a broken model must not stop a crawl or a batch
        log.warning("document-kind model failed (%s); using the keyword rule", exc)
        return [keyword_kind(text) for _title, text, _url in docs]
    return [_overruled(kind, text, url) for kind, (_title, text, url) in zip(kinds, docs)]


def classify_kind(title: str | None, text: str | None, url: str | None = None) -> str:
    """``"posting"``, ``"article"`` or ``"other"`` for a page without structured data.

    An empty page (no title, text or URL) is ``"other"``.
    """
    if not (title or text or url):
        return "other"
    return classify_kinds([(title, text, url)])[0]


def floors() -> dict:
    return read_floors(FLOORS_PATH)
