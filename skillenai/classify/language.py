"""Which language a document is in: py3langid's guess, weighed against what the page declares.

:func:`document_language` decides it, wherever that happens: pages get their language when
they are extracted (:mod:`skillenai.crawler.parsing.extract`); postings whose description
came as structured data (ATS JSON, JSON-LD), and ingested documents without one, in the
classify stage (:mod:`skillenai.classify.tagger`).
"""

from __future__ import annotations

import math
import re
from typing import Any

# "Undetermined", "multiple", "no linguistic content": they say nothing of the text.
_NO_LANGUAGE = frozenset({"und", "mul", "zxx"})
# A language code: a primary subtag and optional subtags (BCP 47 "en-US", the POSIX-style
# "en_US" of og:locale); only the primary one is kept.
_LANGUAGE_TAG = re.compile(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*")

# Below this probability py3langid's guess is not taken over what the page declares: on
# short texts (a location list, a line of benefits) it scatters over English-like
# languages (Nigerian Pidgin, Bikol, Latin) at 0.1-0.3, while sentences of prose score
# above 0.9 (tests/test_language.py).
LANGUAGE_MIN_PROBABILITY = 0.5


def primary_language(tag: Any) -> str | None:
    """The lower-case primary subtag of a declared language ("en-US" → "en"), or ``None``."""
    if not isinstance(tag, str):
        return None
    match = _LANGUAGE_TAG.fullmatch(tag)
    code = match.group(1).lower() if match else None
    return None if code in _NO_LANGUAGE else code


# English prose is found without the model (0.03 ms instead of 0.5 ms for 600 characters,
# most of what a posting's tagging would pay): in a stretch of at least ENGLISH_MIN_WORDS
# words, these words make up a tenth to a third in English (median 0.19 on the sample
# web's postings, pages and articles) and next to none in other languages (0 on German,
# French, Spanish, Dutch, Polish, Swedish, Portuguese and Italian postings;
# tests/test_language.py). Each is a word of English only, or a rare one elsewhere.
_ENGLISH_MARKERS = frozenset("the and you with for our your are this that have from will about their they".split())
_WORD = re.compile(r"[^\W\d_]+")
ENGLISH_MIN_SHARE = 0.12
ENGLISH_MIN_WORDS = 40
_ENGLISH_SAMPLE = 600


def reads_as_english(text: str) -> bool:
    """Whether the start of ``text`` is plainly English prose (see ``_ENGLISH_MARKERS``)."""
    words = _WORD.findall(text[:_ENGLISH_SAMPLE].lower())
    if len(words) < ENGLISH_MIN_WORDS:
        return False
    return sum(word in _ENGLISH_MARKERS for word in words) >= ENGLISH_MIN_SHARE * len(words)


def guess_language(text: str, *, limit: int = 2000) -> tuple[str, float]:
    """py3langid's most likely language for the first ``limit`` characters of ``text``,
    with its probability.

    The probability is py3langid's own normalisation (its ``norm_probs``): a softmax of the
    log-scores at a temperature of sqrt(bytes), which keeps it calibrated across lengths.
    Computed here from ``rank`` because the shared identifier is built without it.
    """
    from skillenai.classify.langmodel import identifier  # loaded on first use, from a cache (see there)

    sample = text[:limit]
    ranked = identifier().rank(sample)
    temperature = math.sqrt(len(sample.encode("utf-8", "surrogatepass")) or 1)
    best_lang, best = ranked[0]
    return best_lang, 1.0 / sum(math.exp((score - best) / temperature) for _lang, score in ranked)


def document_language(text: str | None, *, declared: Any = None, stated: Any = None) -> str | None:
    """The language a document is stored with (ISO 639), or ``None`` when it cannot be told.

    A language the document states (``stated``: the ``lang`` a crawled or ingested document
    carries) stands; otherwise the language of the start of ``text``
    (:func:`detect_language`), or where that cannot be told the one its page ``declared``.

    >>> document_language("Wir suchen eine Entwicklerin", stated="de-DE")
    'de'
    >>> document_language("Apply now", declared="fr-CA")
    'fr'
    """
    return primary_language(stated) or detect_language(text or "", declared)


def detect_language(text: str, declared: Any = None, *, limit: int = 2000) -> str | None:
    """ISO 639 code of the text's language, or ``None`` when it cannot be told.

    Plain English prose is told by its commonest words (:func:`reads_as_english`); any
    other text by py3langid, whose guess counts when its probability reaches
    ``LANGUAGE_MIN_PROBABILITY``. Below it (or for text under 40 characters) the language
    the page ``declared`` (its ``<html lang>``, an ``og:locale``) is taken, so a confident
    guess overrides a template's default but a short snippet keeps its page's language.
    Only the first ``limit`` characters are read: the model's cost grows with the text, and
    2,000 gave the same language as 5,000 on every sample-web article at a third of the time.
    """
    declared = primary_language(declared)
    if not text or len(text) < 40:
        return declared
    if reads_as_english(text[:limit]):
        return "en"
    lang, probability = guess_language(text, limit=limit)
    return lang if probability >= LANGUAGE_MIN_PROBABILITY else declared
