"""Deciding whether a candidate pair is a duplicate.

LSH only proposes pairs. A pair is a duplicate when

1. both documents are of the same kind (a posting never merges with an article);
2. for postings, their titles are compatible (same seniority and language words, word
   Jaccard at least ``title_threshold`` once place suffixes are gone, or one title's
   words all in the other's with the same seniority words,
   :func:`~skillenai.dedupe.text.title_within`): the template a company uses for
   "Engineer" and "Senior Engineer", or for "Account Executive" and "Account Executive
   (Bilingual Required)", gives near-identical text for different jobs. A title word only
   one posting has must be used by the other's job-specific text (a repost that dropped
   its team name from the title still names the team; "UberEats" is used by "Uber
   Eats"), and that holds for identical texts too: "Engineer" and "Engineer, Payments" on
   one template are two teams' jobs. A language only one title asks for must be required
   by the other's text, wherever it says so (:func:`~skillenai.dedupe.text.languages_required`:
   "Fluent in Spanish" is often one of the employer's boilerplate lines);
3. their texts are identical (same ``content_hash``), or

   - postings: the exact Jaccard similarity of their shingle sets with boilerplate left
     out reaches ``threshold`` — what makes them alike is the job's own text — *and* the
     similarity of the whole pages (:func:`page_similarity`) reaches
     ``page_threshold``. The second test tells a repost (one to three small edits in an
     otherwise identical page) from another opening for the same role (same template,
     same company text, a different draw of duties and requirements): once boilerplate
     is gone a posting keeps only five to fifteen lines, and one edited line moves the
     first similarity as much as a different job does. In one place, the lines that
     differ must not ask for different years of experience (:func:`experience_differs`:
     "8+ years" against "12+ years" under one title is two levels);
   - articles: the Jaccard similarity with boilerplate left out reaches
     ``article_threshold`` (syndicated copies sit in other publications' pages, so only
     the article's own text is compared).

4. for postings, they are in the same place: their locations can be the same place
   (:func:`~skillenai.dedupe.text.locations_compatible`; a posting whose location names
   no city is placed by its title's place suffix, "... - Bay Area" at "Hybrid",
   :func:`~skillenai.dedupe.text.posting_location_key`), their titles do not name
   different places where the locations do not say ("Account Representative, Midwest"
   against ", Miami"), and, when one of them gives no city, the lines that differ
   between their texts do not name one city in one and another in the other ("relocate
   to Atlanta" against "Charlotte").

A pair that passes 1–3 but not 4 is **one job in several places**: not a duplicate, but
linked into a job group. Postings whose locations differ are judged without reading their
texts (a same-template opening in every city would otherwise be read): a job group when
the signatures' estimate reaches ``threshold`` and the titles have the same words once
place words are left out.

A pair that shares a job or requisition id at one employer (``identity``) is one job
whatever its title and text: a duplicate in the same place or in two cities of one
country (a board restated the place), a job group otherwise.

Two postings of one employer under one title key, both naming a city and in the same
place, whose texts cannot be compared by shingles are decided by what they can share
(method ``title``): when one has no job-specific text (all of it is the employer's
boilerplate), they are one job if they were posted the same day (a requisition posted
twice); when one is written in an unspaced script (Japanese, Chinese) and the other is
not, they are one job if the other's text uses at least ``TRANSLATED_SHARE`` of the Latin
words (product and tool names, acronyms) of the first's job-specific text: a posting and
its translation.
Two such postings (one employer, one title key, one place) posted the same day are
compared by their texts with ``SAME_DAY_SHARE`` of the usual thresholds: a requisition
posted twice, once reworded (method ``title`` too).

The signatures' estimate is looked at first only to skip hopeless pairs without reading
any text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skillenai.dedupe.minhash import estimate, jaccard
from skillenai.dedupe.text import (
    LANGUAGES,
    cities_in_one_country,
    cities_named,
    is_place_word,
    languages_required,
    latin_words,
    locations_compatible,
    names_a_place,
    place_free,
    place_free_similarity,
    place_words,
    title_similarity,
    title_within,
    years_named,
)

# Below the threshold by this much the estimate alone rejects (over 5 standard
# deviations at 128 permutations, so no true duplicate is lost this way).
ESTIMATE_MARGIN = 0.25
# A posting in an unspaced script is the same job as another posting under its title and
# place when the other's text uses this share of the Latin words of its job-specific text,
# and it has at least this many.
TRANSLATED_SHARE = 0.7
TRANSLATED_MIN_WORDS = 3
# Two postings of one employer under one title key in one place, posted the same day, need
# this share of the usual text and page similarity (on the real development set's tune
# part such pairs that are one job have job-specific similarity 0.72 and more, other jobs
# under one title 0.07 and less).
SAME_DAY_SHARE = 0.5


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
    script: str | None = None  # "cjk": written mainly in an unspaced script
    posted: str | None = None  # the day it was posted (``postings.date_posted``)
    kept_set: np.ndarray | None = field(default=None, repr=False)
    boilerplate_set: np.ndarray | None = field(default=None, repr=False)
    kept_units: frozenset[str] | None = field(default=None, repr=False)
    kept_words: frozenset[str] | None = field(default=None, repr=False)
    analysed: tuple | None = field(default=None, repr=False)  # (units, hashes) while sets are being made


@dataclass
class Decision:
    duplicate: bool
    # 'hash' | 'minhash' | 'id' | 'title' (a duplicate by employer, title and place) |
    # 'kind' | 'title' | 'location' | 'similarity' (rejected)
    reason: str
    similarity: float = 0.0
    estimate: float | None = None
    title_similarity: float | None = None
    page_similarity: float | None = None
    # Not a duplicate but one job in another place (reason 'location', method below).
    group: bool = False
    method: str | None = None


@dataclass(frozen=True)
class Thresholds:
    threshold: float
    page_threshold: float
    article_threshold: float
    title_threshold: float

    def text(self, kind: str) -> float:
        """The Jaccard similarity (boilerplate left out) a pair of this kind needs."""
        return self.article_threshold if kind == "article" else self.threshold


def gate(a: Candidate, b: Candidate, t: Thresholds, identity: bool = False) -> Decision | None:
    """The cheap tests (kind, title, place): a rejection, or ``None`` to go on."""
    if a.kind != b.kind:
        return Decision(False, "kind")
    if a.kind == "posting" and not identity:
        title_sim = title_similarity(a.title_key, b.title_key)
        # Titles that differ in a place word alone can still be one job in two places.
        if not _titles_alike(a, b, t, title_sim) and not title_within(a.title_key, b.title_key):
            return Decision(False, "title", title_similarity=title_sim)
        # In different places only a job group is possible: identical texts, or titles
        # alike but for place words (their signatures are not even read otherwise).
        if not (a.content_hash and a.content_hash == b.content_hash) and not locations_compatible(
                a.location_key, b.location_key) and not _same_title_but_places(a.title_key, b.title_key):
            return Decision(False, "location", title_similarity=title_sim)
    return None


def _linked(duplicate: bool, method: str, similarity: float, estimate: float | None, title_sim: float | None,
            page: float | None) -> Decision:
    if duplicate:
        return Decision(True, method, similarity, estimate, title_sim, page)
    return Decision(False, "location", similarity, estimate, title_sim, page, group=True, method=method)


def decide(a: Candidate, b: Candidate, t: Thresholds, sets_of, identity: bool = False, first=None) -> Decision:
    """Is ``(a, b)`` a duplicate pair, one job in two places (``group``), or neither?

    ``sets_of(candidate)`` fills ``kept_set`` and ``kept_units`` (the shingle set of the
    text without its boilerplate, and the units kept), ``sets_of(candidate, True)``
    ``boilerplate_set`` too (the shingle set of its boilerplate); it is called only for
    pairs the title and estimate tests leave open (:func:`needs_texts`). ``identity``: the two share a job or requisition id at
    one employer. ``first``: what :func:`prejudge` said of the pair, if it was asked.
    """
    if first is None:
        first = prejudge(a, b, t, identity)
    if isinstance(first, Decision):
        return first
    same_place, title_sim, est, needed, posting, mode = first
    sets_of(a)
    sets_of(b)
    if mode == "scripts":
        share = translated_share(a, b)
        return Decision(share >= TRANSLATED_SHARE, "title" if share >= TRANSLATED_SHARE else "similarity", share,
                        est, title_sim)
    sim = jaccard(a.kept_set, b.kept_set)
    if sim < needed:
        return Decision(False, "similarity", sim, est, title_sim)
    sets_of(a, True)
    sets_of(b, True)
    page = page_similarity(a, b)
    if posting and page < t.page_threshold * (SAME_DAY_SHARE if mode == "same_day" else 1.0):
        return Decision(False, "similarity", sim, est, title_sim, page)
    if posting and not (_title_words_in_text(a, b) and _title_words_in_text(b, a)):
        return Decision(False, "title", sim, est, title_sim, page)
    if posting and same_place and experience_differs(a.kept_units or frozenset(), b.kept_units or frozenset()):
        # One template, one title, one city, but "8+ years" against "12+ years": two levels.
        return Decision(False, "title", sim, est, title_sim, page)

    if posting and same_place and not (names_a_place(a.location_key) and names_a_place(b.location_key)):
        # Where a posting gives no city ("Remote job", "In-Office"), the city is in its text.
        same_place = not places_differ(a.kept_units or frozenset(), b.kept_units or frozenset())
    method = "title" if mode == "same_day" and same_place else "minhash"
    return _linked(same_place, method, sim, est, title_sim, page)


def needs_texts(first) -> bool:
    """Does deciding a pair take its texts (:func:`prejudge` left it open)?"""
    return not isinstance(first, Decision)


def prejudge(a: Candidate, b: Candidate, t: Thresholds, identity: bool = False, gated: bool = False):
    """The decision the titles, places, hashes and signatures allow, or what the text
    comparison needs to go on: ``(same_place, title_sim, estimate, needed, posting,
    mode)``; ``mode`` is ``"scripts"`` for texts in different scripts (compared by
    :func:`translated_share`), ``"same_day"`` for one title in one place posted the same
    day (``needed`` and the page threshold are ``SAME_DAY_SHARE`` of the usual), else
    ``"text"``. ``gated``: :func:`gate` already let the pair through."""
    rejected = None if gated else gate(a, b, t, identity)
    if rejected is not None:
        return rejected
    posting = a.kind == "posting"
    title_sim = title_similarity(a.title_key, b.title_key) if posting else None
    same_place = not posting or locations_compatible(a.location_key, b.location_key)
    if posting and same_place and not identity and place_words(a.title_key, b.title_key)[1] and not (
            names_a_place(a.location_key) and names_a_place(b.location_key)):
        same_place = False  # the titles name the places the locations do not
    if identity:
        # One job id whose copies name two cities of one country is one posting whose
        # place a board restated (Arbeitnow's "Berlin" for Greenhouse's "Chemnitz"); in
        # two countries it is one job offered in both.
        same_place = same_place or cities_in_one_country(a.location_key, b.location_key)
        return _linked(same_place, "id", 1.0, None, title_sim, None)
    if a.content_hash and a.content_hash == b.content_hash and (not posting or _titles_alike(a, b, t, title_sim)):
        # (A title that only adds words to the other's goes on to the tests below: one
        # template under "Engineer" and "Engineer, Payments" is two teams' jobs.)
        return _linked(same_place, "hash", 1.0, 1.0, title_sim, 1.0)
    if posting and same_place and _one_title_one_place(a, b) and (not a.shingles or not b.shingles):
        # One of them has no job-specific text to compare: under one title, in one place,
        # posted the same day, it is the same requisition posted twice.
        if a.posted and a.posted == b.posted:
            return Decision(True, "title", 1.0, None, title_sim)
        return Decision(False, "similarity", 0.0, None, title_sim)
    if not a.shingles or not b.shingles:
        return Decision(False, "similarity", 0.0, None, title_sim)
    needed = t.text(a.kind)
    est = None
    if posting and same_place and a.script != b.script and _one_title_one_place(a, b):
        # Another script (a Japanese posting and its English copy): the texts share no
        # shingles; compared by the Latin words they can share.
        return same_place, title_sim, est, needed, posting, "scripts"
    mode, margin = "text", ESTIMATE_MARGIN
    if posting and same_place and a.posted and a.posted == b.posted and _one_title_one_place(a, b):
        # Posted the same day under one title in one place: a requisition posted twice,
        # once reworded, needs less of the text to agree. (The margin shrinks with it, to
        # over 3 standard deviations: most such pairs are other jobs, their texts unread.)
        mode, needed, margin = "same_day", needed * SAME_DAY_SHARE, ESTIMATE_MARGIN * SAME_DAY_SHARE
    if a.signature is not None and b.signature is not None:
        est = estimate(a.signature, b.signature)
        if same_place and est < needed - margin:
            return Decision(False, "similarity", est, est, title_sim)
    if not same_place:
        # In different places a pair can only be a job group, decided without reading
        # the texts (that would cost more than the rest of the run): the signatures'
        # estimate at the threshold, and titles alike but for place words.
        if est is None or est < needed:
            return Decision(False, "similarity", est or 0.0, est, title_sim)
        if not _same_title_but_places(a.title_key, b.title_key):
            return Decision(False, "title", est, est, title_sim)
        return _linked(False, "minhash", est, est, title_sim, None)
    return same_place, title_sim, est, needed, posting, mode


def _one_title_one_place(a: Candidate, b: Candidate) -> bool:
    """Two postings of one named employer under one title key, both naming a city (the
    caller has found the places compatible)."""
    return (a.scope == b.scope and a.scope.startswith("company:") and bool(a.title_key)
            and a.title_key == b.title_key and names_a_place(a.location_key) and names_a_place(b.location_key))


def translated_share(a: Candidate, b: Candidate) -> float:
    """The share of the Latin words of the job-specific text in an unspaced script that
    the other posting's text uses (0 when it has fewer than ``TRANSLATED_MIN_WORDS``).

    A Japanese posting and its English copy share the names of products, tools and
    acronyms ("Uber Eats", "Salesforce", "CRM", "B2B", "FMCG"); another job under the
    same title names others.
    """
    unspaced, other = (a, b) if a.script else (b, a)
    words = latin_words(unspaced.kept_units or ())
    if len(words) < TRANSLATED_MIN_WORDS:
        return 0.0
    used = latin_words(other.analysed[0] if other.analysed else other.kept_units or ())
    return len(words & used) / len(words)


def _titles_alike(a: Candidate, b: Candidate, t: Thresholds, title_sim: float) -> bool:
    """Are two postings' titles similar enough, once place words are left out?"""
    return title_sim >= t.title_threshold or (place_free_similarity(a.title_key, b.title_key) or 0.0) >= \
        t.title_threshold


def _same_title_but_places(key_a: str, key_b: str) -> bool:
    """Do two title keys have the same words once place words are left out?"""
    return place_free(key_a) == place_free(key_b)


def _title_words_in_text(a: Candidate, b: Candidate) -> bool:
    """Does ``b``'s text use the words ``a``'s title has and ``b``'s lacks: every one in its
    job-specific text, or at least half of them there and all of them in the whole text?

    A title word the other posting never mentions names another team or specialty
    ("Customer Success Manager - Federal", "Consultant Cyber Security Automotive"); a
    team name a repost dropped from its title is still in its text, its own word at least
    ("Earner" of "Earner Growth" in the job's part, "growth" perhaps only in the
    employer's paragraphs).
    """
    extra = {w for w in set(a.title_key.split()) - set(b.title_key.split()) if not is_place_word(w)}
    if not extra:
        return True
    if b.kept_words is None:
        b.kept_words = _words_of(b.kept_units or ())
    if extra <= b.kept_words:
        return True
    whole_units = b.analysed[0] if b.analysed else ()
    whole = _words_of(whole_units)
    # A language the title asks for is required by the other text wherever it says so
    # (an employer's "Fluent in Spanish" line is often learned as its boilerplate).
    languages = extra & LANGUAGES
    if languages and not languages_required(languages, whole):
        return False
    extra -= languages
    # ("UberEats" in a title is "Uber Eats" in a text.)
    kept = b.kept_words | _joined_words(b.kept_units or ())
    used = extra & kept
    return 2 * len(used) >= len(extra) and extra <= whole | kept | _joined_words(whole_units)


def _words_of(units) -> frozenset[str]:
    return frozenset(w for unit in units for w in unit.split())


def _joined_words(units) -> frozenset[str]:
    """Every two neighbouring words of the units written as one."""
    out = set()
    for unit in units:
        words = unit.split()
        out.update(x + y for x, y in zip(words, words[1:]))
    return frozenset(out)


def places_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    """Do the units only one of two texts has name a city in one and another in the other?

    Per-city copies of a job differ in a line or two ("start dates in our Chicago
    location", "relocate to Atlanta"); an edited repost does not name a new city on both
    sides.
    """
    return _named_differently(a, b, cities_named)


def experience_differs(a: frozenset[str], b: frozenset[str]) -> bool:
    """Do the units only one of two texts has ask for a number of years of experience
    the other text never names, on both sides ("8+ years" against "12+ years")?

    The same title on one template for two levels differs there; an edited repost
    keeps its requirements.
    """
    return _named_differently(a, b, years_named)


def _named_differently(a: frozenset[str], b: frozenset[str], named) -> bool:
    """Do the units only ``a`` has name something (``named(units)``) ``b`` never names,
    and the units only ``b`` has something ``a`` never names?"""
    only_a, only_b = a - b, b - a
    if not only_a or not only_b:
        return False
    return bool(named(only_a) - named(b)) and bool(named(only_b) - named(a))


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
