"""The words around a mention in text, for classifiers that decide what a mention means.

Shared by every context classifier in ``classify`` (skill disambiguation; a location-context
classifier can use the same windows). Pure function, no state, no file access.

A window never crosses a sentence or line boundary without saying so: the boundary shows up
as the token ``"<s>"``, so "Go to market." and "Python, Go." read differently.
"""

from __future__ import annotations

import re

# Words keep inner dots, pluses, hashes, apostrophes and hyphens ("Node.js", "C++", "C#",
# "don't", "go-to"); any other non-space character is a token of its own.
_TOKEN = re.compile(r"\w+(?:[.+#'’\-]\w+)*[+#]*|[^\w\s]")
# End of a sentence: terminal punctuation followed by white space, or a line break, or a
# bullet/list marker commonly found in postings.
_SENTENCE_END = re.compile(r"[.!?]\s|\n|[•·▪●◦‣]")
_LIST_SEPARATORS = frozenset({",", "/", "|", ";", "&", "+"})
_LIST_WORDS = frozenset({"and", "or", "nor", "&", "plus", "etc", "e.g", "i.e"})
_OPENERS = frozenset({"(", "[", "{"})
_CLOSERS = frozenset({")", "]", "}"})
_QUOTES = frozenset({'"', "'", "“", "”", "‘", "’", "`"})
BOUNDARY = "<s>"
# Characters scanned each side per word of window; words average ~6 characters with the space.
_CHARS_PER_WORD = 12


def word_shape(word: str) -> str:
    """A coarse shape of ``word``: runs of upper/lower/digit/other collapsed ("Node.js" → "Xx.x").

    >>> word_shape("Go"), word_shape("SQL"), word_shape("k8s"), word_shape("C++")
    ('Xx', 'X', 'xdx', 'X+')
    """
    out = []
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _left_tokens(text: str, start: int, window: int) -> tuple[list[str], bool]:
    lo = max(0, start - window * _CHARS_PER_WORD)
    chunk = text[lo:start]
    cut = False
    last = None
    for m in _SENTENCE_END.finditer(chunk):
        last = m
    if last is not None:
        chunk = chunk[last.end():]
        cut = True
    elif lo == 0:
        cut = True
    all_tokens = _TOKEN.findall(chunk)
    tokens = all_tokens[-window:] if window else []
    # The boundary only counts if it falls inside the window.
    reached = cut and len(all_tokens) <= window
    return tokens, reached


def _right_tokens(text: str, end: int, window: int) -> tuple[list[str], bool]:
    hi = min(len(text), end + window * _CHARS_PER_WORD)
    chunk = text[end:hi]
    cut = False
    m = _SENTENCE_END.search(chunk)
    if m is not None:
        # Keep the terminal punctuation itself as a token ("Go." vs "Go,").
        keep = m.start() + (1 if chunk[m.start()] in ".!?" else 0)
        chunk = chunk[:keep]
        cut = True
    elif hi == len(text):
        cut = True
    all_tokens = _TOKEN.findall(chunk)
    tokens = all_tokens[:window] if window else []
    reached = cut and len(all_tokens) <= window
    return tokens, reached


def mention_context(text: str, start: int, end: int, window: int = 6) -> dict:
    """Describe the context of the mention ``text[start:end]``.

    Args:
        text: the whole document.
        start, end: character offsets of the mention (``end`` exclusive).
        window: how many tokens to keep on each side.

    Returns a dict with:
        ``mention`` (the surface string), ``shape`` (:func:`word_shape` of it),
        ``left`` / ``right`` (up to ``window`` tokens, nearest last / nearest first, original
        case, ``"<s>"`` marking a sentence or line boundary inside the window),
        ``prev_char`` / ``next_char`` (the characters touching the mention, "" at the edges),
        ``sentence_start`` / ``sentence_end`` (nothing but punctuation between the mention
        and the boundary), ``line_start``, ``in_parens``, ``quoted``, ``in_list`` (a list
        separator or "and"/"or" right next to the mention), ``all_caps_context`` (the
        neighbouring words are all upper case, as in headings).

    >>> c = mention_context("Experience with Python, Go, and Rust.", 24, 26)
    >>> c["mention"], c["left"][-2:], c["right"][:3], c["in_list"]
    ('Go', ['Python', ','], [',', 'and', 'Rust'], True)
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"mention span must satisfy 0 <= start <= end <= {len(text)}, got {start}, {end}")
    if window < 0:
        raise ValueError(f"window must be >= 0, got {window}")
    mention = text[start:end]
    left, left_boundary = _left_tokens(text, start, window)
    right, right_boundary = _right_tokens(text, end, window)
    if left_boundary:
        left = ([BOUNDARY] + left)[-(window + 1):] if window else left
    if right_boundary:
        right = (right + [BOUNDARY])[: window + 1] if window else right

    prev_char = text[start - 1] if start > 0 else ""
    next_char = text[end] if end < len(text) else ""

    left_words = [t for t in left if t != BOUNDARY and (t[0].isalnum() or t[0] == "_")]
    right_words = [t for t in right if t != BOUNDARY and (t[0].isalnum() or t[0] == "_")]
    # Only punctuation (quotes, bullets, brackets) between the boundary and the mention.
    sentence_start = bool(left) and left[0] == BOUNDARY and not left_words
    sentence_end = bool(right) and right[-1] == BOUNDARY and not right_words

    line_lo = text.rfind("\n", 0, start) + 1
    line_start = not text[line_lo:start].strip(" \t-*•·▪●◦‣>#:")

    near_left = left[-1] if left else ""
    near_right = right[0] if right else ""
    in_list = (
        near_left in _LIST_SEPARATORS
        or near_right in _LIST_SEPARATORS
        or near_left.lower() in _LIST_WORDS
        or near_right.lower() in _LIST_WORDS
    )
    in_parens = near_left in _OPENERS or near_right in _CLOSERS
    quoted = near_left in _QUOTES and near_right in _QUOTES
    neighbours = left_words[-2:] + right_words[:2]
    all_caps_context = bool(neighbours) and all(w.isupper() for w in neighbours if w.isalpha()) and any(
        w.isalpha() for w in neighbours
    )
    return {
        "mention": mention,
        "shape": word_shape(mention),
        "left": left,
        "right": right,
        "prev_char": prev_char,
        "next_char": next_char,
        "sentence_start": sentence_start,
        "sentence_end": sentence_end,
        "line_start": line_start,
        "in_parens": in_parens,
        "quoted": quoted,
        "in_list": in_list,
        "all_caps_context": all_caps_context,
    }
