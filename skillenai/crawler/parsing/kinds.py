"""Which kind of document a page without structured data is: posting, article or other."""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_POSTING_WORDS = re.compile(
    r"\b(responsibilities|requirements|qualifications|what you('|’)ll do|what you bring|"
    r"apply now|apply for this job|about the role|nice to have|we offer|benefits|"
    r"equal opportunity employer|job description|your profile|ihr profil|aufgaben)\b",
    re.IGNORECASE,
)


def guess_kind(title: str | None, text: str, url: str | None = None) -> str:
    """``"posting"``, ``"article"`` or ``"other"``.

    Uses the trained document-kind model when it is installed (``skillenai.classify.kind``), and a
    keyword rule otherwise.
    """
    try:
        from skillenai.classify.kind import classify_kind
    except ImportError:
        classify_kind = None
    if classify_kind is not None:
        try:
            return classify_kind(title or "", text, url)
        except Exception as exc:  # a broken model must not stop the crawl
            logger.warning("document-kind model failed (%s); using the keyword rule", exc)
    hits = len(set(m.group(0).lower() for m in _POSTING_WORDS.finditer(text)))
    return "posting" if hits >= 2 else "other"
