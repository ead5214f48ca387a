"""Text from HTML: description markup to clean lines, and main-text extraction of pages.

Postings carry their description as HTML (ATS JSON, JSON-LD): :func:`html_to_text` keeps
paragraphs, headings and list items as lines, which later stages (tagging, dedupe) rely
on. Pages without structured data and articles go through trafilatura
(:func:`extract_page`), which separates the main text from navigation, banners, footers
and comment sections.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from typing import Any

import lxml.etree
import lxml.html

from skillenai.classify.language import document_language
from skillenai.core.record import clean_text

logger = logging.getLogger(__name__)

_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot "
    "th thead tr ul br".split()
)
_SKIP_TAGS = frozenset("script style noscript template svg head iframe object button select".split())
_ESCAPED_MARKUP = re.compile(r"&lt;\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[\s&/]")


def html_to_text(markup: str | None) -> str:
    """Description HTML → plain text; paragraphs, headings and list items one per line.

    Accepts markup that was HTML-escaped once more (as Greenhouse returns ``content``).

    >>> html_to_text("<p>We build <b>tools</b>.</p><ul><li>Python 3</li><li>SQL</li></ul>")
    'We build tools.\\nPython 3\\nSQL'
    """
    if not markup or not markup.strip():
        return ""
    if _ESCAPED_MARKUP.search(markup[:2000]):
        markup = html_lib.unescape(markup)
    if "<" not in markup:
        return clean_text(html_lib.unescape(markup))
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError) as exc:
        logger.debug("unparseable description markup (%s); keeping its text", exc)
        return clean_text(re.sub(r"<[^>]+>", " ", markup))
    return element_text(root)


def element_text(element: Any) -> str:
    """The text of an lxml element with its blocks and list items as lines, no blank lines."""
    parts: list[str] = []
    _walk(element, parts, with_tail=False)
    return "\n".join(line for line in clean_text("".join(parts)).split("\n") if line)


def _walk(element: Any, parts: list[str], with_tail: bool = True) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    tag = tag.lower()
    if tag in _SKIP_TAGS:
        if element.tail and with_tail:
            parts.append(element.tail)
        return
    block = tag in _BLOCK_TAGS
    if block:
        parts.append("\n")
    if element.text and tag:
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
    if block:
        parts.append("\n")
    elif tag in ("td", "th"):
        parts.append(" ")
    if element.tail and with_tail:
        parts.append(element.tail)


def page_metadata(html: str | bytes, url: str | None = None) -> dict[str, Any]:
    """The title, author, date, description and site name trafilatura reads from a page,
    as :func:`extract_page` returns them with ``with_metadata=True``; empty on failure.

    Reading them costs as much as extracting the main text (author and date searches over
    the whole tree), so callers that need them for some pages only ask here.
    """
    from trafilatura.metadata import extract_metadata
    from trafilatura.settings import DEFAULT_CONFIG, set_date_params

    try:
        # The arguments bare_extraction(fast=True) passes, so both give the same values.
        meta = extract_metadata(html, url, set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH")),
                                True, set())
    except Exception as exc:  # trafilatura raises assorted errors on hostile markup
        logger.warning("metadata extraction failed for %s: %s", url or "document", exc)
        return {}
    return {key: getattr(meta, key, None) or None for key in ("title", "author", "date", "description", "sitename")}


def extract_page(html: str | bytes, url: str | None = None, *, with_metadata: bool = True,
                 declared_lang: str | None = None) -> dict[str, Any] | None:
    """Main text and metadata of a page (trafilatura), or ``None`` when it has no main text.

    Returns ``{"title", "text", "author", "date", "lang", "description", "sitename"}``;
    ``date`` is ``YYYY-MM-DD`` when found. Lines follow the page's paragraphs.
    ``declared_lang`` (the page's own ``<html lang>``) stands when the text is too short
    for the language model to be sure (:func:`skillenai.classify.language.document_language`).
    """
    import trafilatura

    try:
        # fast: no fallback extractors to compare against; same text and metadata on every
        # sample-web article, a third less time (benchmarks/bench_extract.py).
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            fast=True,
            with_metadata=with_metadata,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            deduplicate=False,
        )
    except Exception as exc:  # trafilatura raises assorted errors on hostile markup
        logger.warning("extraction failed for %s: %s", url or "document", exc)
        return None
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = clean_text(data.get("text") or "")
    if not text:
        return None
    return {
        "title": (data.get("title") or None),
        "text": text,
        "author": data.get("author") or None,
        "date": data.get("date") or None,
        "lang": document_language(text, declared=declared_lang),
        "description": data.get("description") or None,
        "sitename": data.get("sitename") or None,
    }
