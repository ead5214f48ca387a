"""Stable entity ids shared by every taxonomy (skills, metros, roles).

An id is the first 16 hex digits of SHA-1 over ``"{kind}:{key}"``, where ``key`` is the
entity's canonical name folded to lower case with runs of white space collapsed. Ids
therefore survive rebuilds of the store and re-orderings of the data files.
"""

import hashlib
import re

_SPACES = re.compile(r"\s+")


def entity_key(name: str) -> str:
    """The normalised form of a canonical name that its id is derived from."""
    return _SPACES.sub(" ", name).strip().casefold()


def entity_id(kind: str, name: str) -> str:
    """A 16-hex-digit id for the entity ``name`` of ``kind`` ("skill", "metro", "role").

    >>> entity_id("skill", "Python") == entity_id("skill", "  python ")
    True
    """
    if not kind or ":" in kind:
        raise ValueError(f"entity kind must be a non-empty word without ':', got {kind!r}")
    return hashlib.sha1(f"{kind}:{entity_key(name)}".encode("utf-8")).hexdigest()[:16]
