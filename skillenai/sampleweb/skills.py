"""Skill vocabulary: which skills a job asks for, and how the text spells them.

``data/vocab.json`` maps each canonical name to the surface variants postings use
("PostgreSQL" -> "Postgres", "postgres" ...). The ground truth always records canonical
names; the text uses a variant, so the crawler's matcher has to resolve them.
"""

import math
import random
from functools import lru_cache

from . import datafiles
from .rand import rng, weighted_sample

# The first (canonical-looking) variant is the most common spelling in real postings;
# the others share the rest.
FIRST_VARIANT_SHARE = 0.6


class Vocab:
    """Canonical skills, their variants, categories and per-seed trend slopes."""

    def __init__(self, seed):
        self.variants = datafiles.load("vocab")
        info = datafiles.load("skill_info")
        self.category = {name: "tool" for name in self.variants}
        for cat in ("concept", "soft"):
            for name in info[cat]:
                if name not in self.variants:
                    raise ValueError(f"skill_info.json: {cat} skill {name!r} is not in vocab.json")
                self.category[name] = cat
        r = rng(seed, "skill-trends")
        jitter = info["trend_jitter"]
        self.trend = {name: info["trends"].get(name, 0.0) + r.uniform(-jitter, jitter)
                      for name in self.variants}

    def variant(self, r: random.Random, canonical: str) -> str:
        forms = self.variants[canonical]
        if len(forms) == 1 or r.random() < FIRST_VARIANT_SHARE:
            return forms[0]
        return forms[1 + int(r.random() * (len(forms) - 1))]

    def draw(self, r: random.Random, pool: dict, k: int, t: float) -> list:
        """``k`` skills from a role's weighted ``pool`` for a posting at position ``t``
        (0 = start of the window, 1 = as_of): trending skills weigh more late, fading
        ones early."""
        x = 2.0 * t - 1.0
        weights = {name: w * math.exp(self.trend[name] * x) for name, w in pool.items()}
        return weighted_sample(r, weights, k)


@lru_cache(maxsize=8)
def vocab(seed) -> Vocab:
    return Vocab(seed)


class SkillFeed:
    """Hands a job's chosen skills to the sentence templates, one slot at a time, and
    remembers which canonical skills ended up written."""

    def __init__(self, vocab_: Vocab, r: random.Random, chosen: list):
        self.vocab = vocab_
        self.r = r
        self.chosen = list(chosen)
        self.queues = {"tool": [], "concept": [], "soft": []}
        for name in chosen:
            self.queues[vocab_.category[name]].append(name)

    def available(self, slot: str) -> int:
        return len(self.queues[slot])

    def take(self, slot: str):
        """(surface, canonical) for the next unused skill fitting ``slot``, or None."""
        queue = self.queues[slot]
        if queue:
            name = queue.pop(0)
            return self.vocab.variant(self.r, name), name
        return None

    def choose(self, options: list):
        """(surface, canonical) for one of ``options`` (``{=A|B}`` slots), preferring a
        skill the job already asks for."""
        mine = [o for o in options if o in self.chosen]
        name = mine[0] if mine and self.r.random() < 0.7 else options[int(self.r.random() * len(options))]
        for queue in self.queues.values():
            if name in queue:
                queue.remove(name)
        return self.vocab.variant(self.r, name), name

    def leftovers(self, cat: str = "tool") -> list:
        rest, self.queues[cat] = self.queues[cat], []
        return rest
