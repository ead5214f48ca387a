"""Document kind — ``posting``, ``article`` or ``other`` — for pages without structured data.

A scikit-learn pipeline over words (1–2-grams, TF-IDF) of the title, the main text and the
URL path (``/careers/…``, ``/blog/…`` are strong cues, prefixed so they do not mix with
text words) into a logistic regression. The model is ``classify/models/kind.skops``,
rebuilt from ``classify/data/kind/examples.jsonl`` by :func:`train_kind_model` (also when
the file is missing).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from classify.modelfiles import load_model, save_model

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data" / "kind"
EXAMPLES_PATH = DATA_DIR / "examples.jsonl"
FLOORS_PATH = DATA_DIR / "floors.json"
MODEL_PATH = HERE / "models" / "kind.skops"
KINDS = ("posting", "article", "other")
MAX_TEXT = 6000  # characters of text read; the start of a page says what it is


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


def _is_test(key: str, percent: int = 25) -> bool:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


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
    test = [_is_test(r.get("url") or r.get("title") or "") for r in rows]
    model = _make_pipeline().fit([x for x, t in zip(X, test) if not t], [v for v, t in zip(y, test) if not t])
    Xte = [x for x, t in zip(X, test) if t]
    yte = [v for v, t in zip(y, test) if t]
    pred = list(model.predict(Xte)) if Xte else []
    right = sum(int(p == t) for p, t in zip(pred, yte))
    errors = [{"title": r.get("title"), "url": r.get("url"), "want": r["label"], "got": p}
              for r, p, t in zip([r for r, t in zip(rows, test) if t], pred, yte) if p != t]
    if save:

        final = _make_pipeline().fit(X, y)
        save_model(final, MODEL_PATH)
        _model.cache_clear()
    return {"accuracy": round(right / max(len(yte), 1), 4), "train": len(y) - len(yte), "test": len(yte),
            "examples": len(y), "errors": errors}


@lru_cache(maxsize=1)
def _model():
    if not MODEL_PATH.exists():
        log.info("%s missing; training the kind model", MODEL_PATH)
        train_kind_model()
    return load_model(MODEL_PATH)


def classify_kinds(docs: list[tuple[str | None, str | None, str | None]]) -> list[str]:
    """Kinds for many (title, text, url) triples with one model call."""
    if not docs:
        return []
    feats = [document_features(t, x, u) for t, x, u in docs]
    return [str(k) for k in _model().predict(feats)]


def classify_kind(title: str | None, text: str | None, url: str | None = None) -> str:
    """``"posting"``, ``"article"`` or ``"other"`` for a page without structured data.

    An empty page (no title, text or URL) is ``"other"``.
    """
    if not (title or text or url):
        return "other"
    try:
        return classify_kinds([(title, text, url)])[0]
    except Exception:  # a boundary: log and let the batch go on
        log.exception("kind classification failed for %r", url or title)
        return "other"


def floors() -> dict:
    return json.loads(FLOORS_PATH.read_text(encoding="utf-8"))
