"""Scoring extracted text against the text that was written (sample-web ground truth)."""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"\w+", re.UNICODE)


def word_ngrams(text: str, n: int = 4) -> Counter:
    words = _WORD.findall(text.casefold())
    if len(words) < n:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def word_ngram_f1(extracted: str | None, reference: str, n: int = 4) -> float:
    """F1 of word ``n``-grams (as multisets): 1.0 when the texts match word for word.

    Precision penalises boilerplate kept (navigation, comments); recall, text lost.
    """
    got, want = word_ngrams(extracted or "", n), word_ngrams(reference, n)
    if not got or not want:
        return float(got == want)
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return 0.0 if overlap == 0 else 2 * precision * recall / (precision + recall)
