"""Deciding whether a candidate pair is a duplicate.

LSH only proposes pairs. A pair is a duplicate when

1. both documents are of the same kind (a posting never merges with an article);
2. for postings, their titles are compatible (same seniority words, word Jaccard at
   least ``title_threshold`` once place suffixes are gone) and their locations can be
   the same place: the template a company uses for "Backend Engineer" in Boston and in
   Austin, or for "Engineer" and "Senior Engineer", gives near-identical text for
   different jobs;
3. their texts are identical (same ``content_hash``), or

   - postings: the exact Jaccard similarity of their shingle sets with boilerplate left
     out reaches ``threshold`` — what makes them alike is the job's own text — *and* the
     similarity of the whole pages (:func:`page_similarity`) reaches
     ``page_threshold``. The second test tells a repost (one to three small edits in an
     otherwise identical page) from another opening for the same role (same template,
     same company text, a different draw of duties and requirements): once boilerplate
     is gone a posting keeps only five to fifteen lines, and one edited line moves the
     first similarity as much as a different job does;
   - articles: the Jaccard similarity with boilerplate left out reaches
     ``article_threshold`` (syndicated copies sit in other publications' pages, so only
     the article's own text is compared).

The signatures' estimate is looked at first only to skip hopeless pairs without reading
any text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skillenai.dedupe.minhash import estimate, jaccard
from skillenai.dedupe.text import locations_compatible, title_similarity

# Below the threshold by this much the estimate alone rejects (over 5 standard
# deviations at 128 permutations, so no true duplicate is lost this way).
ESTIMATE_MARGIN = 0.25


@dataclass
class Candidate:
    """What verification needs to know about one document."""

    minhash_id: int
    document_id: str
    kind: str
    scope: str
    title_key: str
    location_key: str
    content_hash: str | None
    signature: np.ndarray | None
    shingles: int
    kept_set: np.ndarray | None = field(default=None, repr=False)
    boilerplate_set: np.ndarray | None = field(default=None, repr=False)


@dataclass
class Decision:
    duplicate: bool
    reason: str  # 'hash' | 'minhash' | 'kind' | 'title' | 'location' | 'similarity'
    similarity: float = 0.0
    estimate: float | None = None
    title_similarity: float | None = None
    page_similarity: float | None = None


@dataclass(frozen=True)
class Thresholds:
    threshold: float
    page_threshold: float
    article_threshold: float
    title_threshold: float

    def text(self, kind: str) -> float:
        """The Jaccard similarity (boilerplate left out) a pair of this kind needs."""
        return self.article_threshold if kind == "article" else self.threshold


def gate(a: Candidate, b: Candidate, t: Thresholds) -> Decision | None:
    """The cheap tests (kind, title, location): a rejection, or ``None`` to go on."""
    if a.kind != b.kind:
        return Decision(False, "kind")
    if a.kind == "posting":
        title_sim = title_similarity(a.title_key, b.title_key)
        if title_sim < t.title_threshold:
            return Decision(False, "title", title_similarity=title_sim)
        if not locations_compatible(a.location_key, b.location_key):
            return Decision(False, "location", title_similarity=title_sim)
    return None


def decide(a: Candidate, b: Candidate, t: Thresholds, sets_of) -> Decision:
    """Is ``(a, b)`` a duplicate pair?

    ``sets_of(candidate)`` fills ``kept_set`` and ``boilerplate_set`` (the shingle sets
    of the text without its boilerplate, and of its boilerplate); it is called only for
    pairs the title, location and estimate tests leave open.
    """
    rejected = gate(a, b, t)
    if rejected is not None:
        return rejected
    title_sim = title_similarity(a.title_key, b.title_key) if a.kind == "posting" else None
    if a.content_hash and a.content_hash == b.content_hash:
        return Decision(True, "hash", 1.0, 1.0, title_sim, 1.0)
    if not a.shingles or not b.shingles:
        return Decision(False, "similarity", 0.0, None, title_sim)
    needed = t.text(a.kind)
    est = None
    if a.signature is not None and b.signature is not None:
        est = estimate(a.signature, b.signature)
        if est < needed - ESTIMATE_MARGIN:
            return Decision(False, "similarity", est, est, title_sim)
    sets_of(a)
    sets_of(b)
    sim = jaccard(a.kept_set, b.kept_set)
    if sim < needed:
        return Decision(False, "similarity", sim, est, title_sim)
    page = page_similarity(a, b)
    if a.kind == "posting" and page < t.page_threshold:
        return Decision(False, "similarity", sim, est, title_sim, page)
    return Decision(True, "minhash", sim, est, title_sim, page)


def page_similarity(a: Candidate, b: Candidate) -> float:
    """Jaccard similarity of two pages, counting only the boilerplate both carry.

    A board that leaves out the company's "about us" paragraph says nothing about the
    job, so boilerplate only one page carries is ignored; boilerplate both carry is
    shared text, so an edit in a long page weighs less than in a short one.
    """
    inter = len(np.intersect1d(a.kept_set, b.kept_set, assume_unique=True))
    union = len(a.kept_set) + len(b.kept_set) - inter
    shared = len(np.intersect1d(a.boilerplate_set, b.boilerplate_set, assume_unique=True))
    return (inter + shared) / (union + shared) if union + shared else 0.0
