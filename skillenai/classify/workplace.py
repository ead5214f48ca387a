"""How a job is worked — ``onsite``, ``hybrid`` or ``remote`` — decided in one place.

:func:`decide_workplace` is the classify stage's decision (``postings.workplace``), from,
in order: what the posting's location says ("Remote - US", "Hybrid (London)"; read by
:func:`skillenai.classify.places.locations.parse_locations` with :data:`REMOTE` and
:data:`HYBRID`), what its source states (``postings.stated_workplace``: an ATS's
``workplaceType``, JSON-LD's ``TELECOMMUTE``, a career page's location badge read with
:func:`label_workplace`), and sentences of its text ("This role is hybrid"). A posting
open to remote work is ``remote`` even where hybrid is offered too; ``onsite`` only when
the source states it; otherwise nothing is known.
"""

from __future__ import annotations

import re

# Remote and hybrid as location strings and labels write them.
REMOTE = re.compile(
    r"\b(?:100\s*%\s*)?(?:fully\s+|full\s+)?(?:remote(?:ly)?(?:[-\s]first|[-\s]friendly|[-\s]ok|[-\s]eligible)?|"
    r"work(?:ing)?\s+from\s+home|wfh|telecommut\w*|home[-\s]?based|home[-\s]?office|homeoffice|"
    r"virtual|distributed|télétravail|teletrabajo|location[-\s]flexible|flexible\s+location)\b", re.I)
HYBRID = re.compile(r"\b(?:hybrid(?:[-\s]remote)?|flex(?:ible)?[-\s]remote|partially\s+remote)\b", re.I)

# How postings say the work arrangement in their text when the location field does not
# ("This role is hybrid and based in Denver", "Hybrid: 3 days in the Austin office",
# "You can work remotely within the US"). A perk list's "hybrid working" is not enough.
_HYBRID_TEXT = re.compile(
    r"\b(?:(?:role|position|job) is hybrid|is a hybrid (?:role|position|job)|we work hybrid|"
    r"hybrid(?: schedule| model| setup| arrangement)?\s*[:(–-]\s*\d|"
    r"\d\s+days? (?:a |per )?week (?:in|at) (?:our|the)\b[^.\n]{0,40}\boffice|"
    r"\d\s+days? in (?:our|the)\b[^.\n]{0,40}\boffice,? the rest (?:from|at) home)",
    re.IGNORECASE,
)
_REMOTE_TEXT = re.compile(
    r"\b(?:(?:role|position|job) is (?:fully |100\s?% )?remote|fully remote (?:role|position|job)|"
    r"open to remote candidates|work remotely (?:within|from anywhere)|remote[- ]first company|"
    r"work from anywhere)",
    re.IGNORECASE,
)
# The letters besides ASCII's own that case-blind patterns match as i, i, k, s.
_FOLDED_TO_ASCII = "İıKſ"


def label_flags(label: str) -> tuple[bool, bool]:
    """(remote, hybrid): whether a location string or label names each ("Hybrid-remote" is hybrid only)."""
    return bool(REMOTE.search(HYBRID.sub(" ", label))), bool(HYBRID.search(label))


def label_workplace(label: str | None) -> str | None:
    """``"remote"`` or ``"hybrid"`` when a location label names one, else ``None``.

    >>> label_workplace("Hybrid (Singapore)"), label_workplace("Remote - EU"), label_workplace("Berlin")
    ('hybrid', 'remote', None)
    """
    remote, hybrid = label_flags(label or "")
    return "remote" if remote else "hybrid" if hybrid else None


def decide_workplace(remote: bool, hybrid: bool, stated: str | None, text: str | None, *,
                     posting: bool = True) -> tuple[bool, bool, str | None]:
    """A document's working arrangement: ``(remote, hybrid, workplace)``.

    ``remote`` and ``hybrid`` are what its location says; ``stated`` what its source
    states (one of :data:`~skillenai.core.record.WORKPLACES`, or ``None``); ``text`` is read, for a ``posting``,
    when neither says remote or hybrid. ``workplace`` is the one value the store keeps.

    >>> decide_workplace(False, False, "onsite", "Build APIs in Go.")
    (False, False, 'onsite')
    >>> decide_workplace(False, False, "onsite", "This role is hybrid: 3 days in our Austin office.")
    (False, True, 'hybrid')
    >>> decide_workplace(True, True, None, "")
    (True, True, 'remote')
    """
    if not (remote or hybrid) and stated in ("remote", "hybrid"):
        remote, hybrid = stated == "remote", stated == "hybrid"
    if posting and not (remote or hybrid) and text:
        # Every sentence either pattern reads holds these words ("hybrid", or "day" and
        # "office"; "remote" or "anywhere"): a text without
        # them is passed over without running the patterns. (A text with a letter that
        # case-blind matching folds to i, k or s runs them: "hybrİd" is no "hybrid" lowered.)
        low = None if any(c in text for c in _FOLDED_TO_ASCII) else text.lower()
        if (low is None or "hybrid" in low or ("office" in low and "day" in low)) and _HYBRID_TEXT.search(text):
            hybrid = True
        elif (low is None or "remote" in low or "anywhere" in low) and _REMOTE_TEXT.search(text):
            remote = True
    workplace = "remote" if remote else "hybrid" if hybrid else "onsite" if stated == "onsite" else None
    return remote, hybrid, workplace
