"""Deterministic randomness.

Every part of the sample web draws from its own ``random.Random`` seeded by a string made
of the user's seed and the part's name, so adding a page type or a company never changes
what the others look like, and output is identical across runs and machines (string seeds
are hashed with SHA-512 by ``random``, not with the per-process ``hash()``).
"""

import bisect
import itertools
import random
import uuid


def rng(seed, *parts) -> random.Random:
    """A generator for one named part of the web, e.g. ``rng(7, "company", "acme")``."""
    return random.Random("|".join(str(p) for p in (seed, *parts)))


class Weighted:
    """Weighted choice over a fixed list, prepared once (cumulative weights + bisect)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        if not self.items or self.cum[-1] <= 0:
            raise ValueError("Weighted needs at least one item with a positive weight")
        self.total = self.cum[-1]

    def pick(self, r: random.Random):
        return self.items[bisect.bisect_right(self.cum, r.random() * self.total)]


def weighted_sample(r: random.Random, weights: dict, k: int) -> list:
    """``k`` distinct keys of ``weights`` drawn with probability proportional to weight
    (Efraimidis-Spirakis keys), in draw order: the heaviest tend to come first."""
    keyed = sorted(((r.random() ** (1.0 / w), item) for item, w in weights.items() if w > 0),
                   reverse=True)
    return [item for _, item in keyed[:k]]


def pick(r: random.Random, pairs):
    """One item from ``[(item, weight), ...]``."""
    total = sum(w for _, w in pairs)
    x = r.random() * total
    for item, w in pairs:
        x -= w
        if x < 0:
            return item
    return pairs[-1][0]


def uuid4(r: random.Random) -> str:
    """A version-4 UUID string drawn from ``r``."""
    return str(uuid.UUID(int=r.getrandbits(128), version=4))
