"""Find skills in text: alias mentions weighed by a learned span model, and spans linked to skills.

1. :mod:`skillenai.classify.skills.mentions` finds every alias mention in one pass and
   applies the cheap rules (case, stop phrases, boundaries, longest match); mentions still
   ambiguous ("Go", "React", "Excel") go to :mod:`skillenai.classify.skills.disambiguate`,
   in one batch per call.
2. The span model (:mod:`skillenai.classify.skills.spans`, a CRF trained on real job ads)
   reads the posting as a whole: what it marks are the skills the job asks for, and where
   a word only looks like one (a title, the company's own stack, a benefit, "EMI" the
   e-money institution) it gives it no weight. An alias mention is kept only where the
   model gives its words at least :data:`ALIAS_SUPPORT` probability of being in a skill span.
3. A span the model marks that no alias mention covers is linked to a skill
   (:mod:`skillenai.classify.skills.linking`: "c#", ". NET", "financial services",
   ESCO's skills); one that links to nothing is kept as a candidate.
4. Each span found (the model's, and the alias mentions outside them) gets a second look
   (:mod:`skillenai.classify.skills.spanfilter`, when the span model has a filter): a span
   it drops takes its skills and candidates with it.

Mentions of one skill are grouped into a :class:`SkillMatch`. Only step 1 runs for job
titles and for texts shorter than :data:`SPAN_MIN_TOKENS` tokens: the model was trained on
whole postings, and reads a lone sentence poorly.

>>> [(m.name, m.spans) for m in match_skills("We use Python 3, Go and Postgres.")]
[('Python', [(7, 15)]), ('Go', [(17, 19)]), ('PostgreSQL', [(24, 32)])]
"""

from __future__ import annotations

import bisect
import difflib
import functools
import logging
import re
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Sequence

from skillenai.classify.resources import CLASSIFY_DATA
from skillenai.classify.sections import boilerplate_ranges, in_ranges, merge_ranges
from skillenai.classify.skills import disambiguate
from skillenai.classify.skills.filtertrain import train_span_filter
from skillenai.classify.skills.linking import clean_span_text, default_linker
from skillenai.classify.skills.mentions import Mention, alias_matcher, find_mentions, keep_mentions
from skillenai.classify.skills.spanfilter import SpanInfo, span_features
from skillenai.classify.skills.spans import Doc, tidy_spans, token_spans_from_probs, tokenize
from skillenai.classify.skills.spantrain import load_span_tagger, train_span_model
from skillenai.classify.skills.taxonomy import Skill, Taxonomy, alias_key, load_taxonomy
from skillenai.core.gcpause import gc_paused
from skillenai.core.jsonlines import read_objects

logger = logging.getLogger(__name__)

__all__ = [
    "SkillMatch",
    "Candidate",
    "Detection",
    "detect_skills",
    "Mention",
    "match_skills",
    "tag_skills_batch",
    "resolve_skill",
    "suggest_skills",
    "load_taxonomy",
    "train_skill_models",
    "find_mentions",
    "evaluate_snippets",
]

EVAL_FILE = CLASSIFY_DATA / "skills" / "eval_snippets.jsonl"


@dataclass(slots=True)
class SkillMatch:
    """A skill found in a text: every span (``(start, end)`` into the original text) of it.

    ``score`` is 1.0 for an unambiguous alias, else the disambiguator's probability, or for a
    linked span the span model's; ``method`` is ``"alias"`` if any mention was an
    unambiguous alias, else ``"model"`` (the disambiguator decided) or ``"span"`` (the span
    model found it and linking named it).
    """

    id: str
    name: str
    category: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    score: float = 1.0
    method: str = "alias"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "spans": [list(s) for s in self.spans],
            "score": round(self.score, 4),
            "method": self.method,
        }


def _group(text_mentions: list[tuple[Mention, float, str]], taxonomy: Taxonomy) -> list[SkillMatch]:
    by_skill: dict[int, SkillMatch] = {}
    for m, score, method in text_mentions:
        hit = by_skill.get(m.skill)
        if hit is None:
            s = taxonomy.skills[m.skill]
            by_skill[m.skill] = SkillMatch(s.id, s.name, s.category, [(m.start, m.end)], score, method)
        else:
            hit.spans.append((m.start, m.end))
            hit.score = max(hit.score, score)
            if method == "alias":
                hit.method = "alias"
    return list(by_skill.values())


@dataclass(slots=True)
class Candidate:
    """A skill span that links to no known skill: its text and every span of it."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    score: float = 0.0
    context: str = ""  # the words around its first span

    def as_dict(self) -> dict:
        return {"text": self.text, "spans": [list(s) for s in self.spans], "score": round(self.score, 4)}


@dataclass(slots=True)
class Detection:
    """What one text names: the skills, and the candidates (spans no skill is known for)."""

    skills: list[SkillMatch] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    # Where the text names a skill, as the span model reads it (whole spans: "Java/Scala" is
    # one span, two skills), with the alias mentions outside them; sorted.
    spans: list[tuple[int, int]] = field(default_factory=list)
    # Those of ``spans`` that name KNOWLEDGE (a tool, a technology, a field, a degree) rather
    # than an ability ("communication", "leading a team"): SkillSpan's two kinds.
    knowledge: list[tuple[int, int]] = field(default_factory=list)


# Least probability the span model must give an alias mention's words (its highest over
# them) of being in a skill span, KNOWLEDGE or SKILL, for the mention to count. Low: the model only vetoes where it is sure a word is no
# skill here. Chosen on SkillSpan's training postings and the labelled ATS postings' training
# part, which trade a little precision for recall against the model alone.
ALIAS_SUPPORT = 0.1
# The span model reads a posting as a whole (where a line sits, under which heading): a text
# shorter than this (a sentence, a list of tools) is left to the alias layer.
SPAN_MIN_TOKENS = 60
# Categories whose skills are abilities (SkillSpan's SKILL) rather than knowledge, where the
# span model does not read the text.
ABILITY_CATEGORIES = frozenset({"soft"})
# Characters kept on each side of a candidate, to show where it was found.
CONTEXT_CHARS = 60


def _tokens_of(starts: list[int], ends: list[int], a: int, b: int) -> tuple[int, int]:
    return bisect.bisect_right(ends, a), bisect.bisect_left(starts, b)


_JOINERS = frozenset({"and", "or", "&", "/", "-", "+", "with", "of", "in", "as", "well", "the", "a", "an", "e.g.", "i.e.",
                      "etc", "etc.", "such", "including", "like"})


_FUNCTION_WORDS = frozenset({"a", "an", "the", "in", "of", "on", "at", "to", "for", "with", "and", "or", "as", "by",
                             "from", "into", "our", "your", "their", "its", "this", "that", "these", "those"})


# Words that name no skill on their own: what is left of a span once the tools in it are
# linked ("Python tools", "AWS best practices") or a field's generic head.
_GENERIC = frozenset("""tools tooling tool systems system infrastructure workflows workflow practices practice best
principles frameworks framework technologies technology environments environment skills skill concepts concept
solutions solution platforms platform applications application services service products product processes process
methodologies methodology techniques technique stack stacks modern secure enterprise performance operations data
engineering design education training degree degrees knowledge experience fundamentals related field fields
industry standards standard various relevant other new strong good excellent technical end-to-end hands-on
job-related minimum special purpose large-scale scalable robust complex key core production code codebase""".split())


def _trim_function_words(text: str) -> str:
    """A candidate without the small words at its ends ("bachelor's degree in a" →
    "bachelor's degree"); empty when nothing else is left, or only words that name no skill
    on their own ("tools", "best practices")."""
    words = text.split()
    while words and words[0].lower() in _FUNCTION_WORDS:
        words.pop(0)
    while words and words[-1].lower() in _FUNCTION_WORDS:
        words.pop()
    if all(w.lower().strip(".,;:()") in _GENERIC or w.lower() in _FUNCTION_WORDS for w in words):
        return ""
    return " ".join(words) if any(len(w) > 1 or w.isalnum() for w in words) else ""


def _reads_as_ability(p_in: Sequence[float], p_any: Sequence[float], i: int, j: int) -> bool:
    """Whether the span model reads tokens ``[i, j)`` as an ability (a SKILL span: "automated
    tests" in "design and implement automated tests") more than as knowledge: its highest
    probability of a SKILL span over them beats its highest of a KNOWLEDGE span."""
    return max(p_in[i:j]) < max(a - k for a, k in zip(p_any[i:j], p_in[i:j]))


def _uncovered_runs(spans: list[tuple[int, int]], offsets: list[tuple[int, int]], covered: list[tuple[int, int]],
                    text: str) -> list[tuple[int, int]]:
    """The parts of each token span that no alias mention covers ("amazon-web-services
    database" with AWS found: "database"), without runs of joining words alone."""
    out = []
    for a, b in spans:
        run_start = None
        lo, hi = offsets[a][0], offsets[b - 1][1]
        near = [(x, y) for x, y in covered if x < hi and lo < y]  # what may cover a token of the span
        for k in range(a, b + 1):
            free = k < b and not any(x < offsets[k][1] and offsets[k][0] < y for x, y in near)
            if free and run_start is None:
                run_start = k
            elif not free and run_start is not None:
                words = {text[s:e].lower() for s, e in offsets[run_start:k]}
                if not words <= _JOINERS:
                    out.append((run_start, k))
                run_start = None
    return out


def _read_texts(texts: Sequence[str], use: Sequence[bool], tagger, scanned: Sequence[list[Mention]],
                taxonomy: Taxonomy, employer: Sequence[list[tuple[int, int]] | None]) -> dict[int, tuple[Doc, list]]:
    """text index -> its tokens and the span model's marginals (:meth:`SpanTagger.doc_marginals`,
    every text's lines in one batch), for the texts to read (``use``) that are long enough.
    ``scanned``: each text's alias mentions in ``taxonomy``, which the model's features reuse
    when it reads with that taxonomy; ``employer``: each text's employer sections, or ``None``."""
    docs = {}
    for ti, text in enumerate(texts):
        if use[ti] and text:
            doc = tokenize(text)
            if len(doc.offsets) >= SPAN_MIN_TOKENS:
                docs[ti] = doc
    same = tagger.featurizer.taxonomy_is(taxonomy)
    margins = tagger.doc_marginals(list(docs.values()), [scanned[ti] for ti in docs] if same else None,
                                   [employer[ti] for ti in docs])
    return {ti: (doc, m) for (ti, doc), m in zip(docs.items(), margins)}


def _weigh_and_link(text: str, kept: list[tuple[Mention, float, str]], ranges: list[tuple[int, int]], tagger,
                    taxonomy: Taxonomy, rejected: Sequence[Mention] = (), read: tuple[Doc, list] | None = None):
    """Step 2 and 3 of the module docstring for one text: the mentions kept and linked, the
    candidates, the detected spans and those of them that name knowledge
    (:attr:`Detection.spans`, :attr:`Detection.knowledge`). ``read``: the text's tokens and
    marginals (:func:`_read_texts`); ``None`` for a text too short to read."""
    if read is None:
        return (kept, [], sorted((m.start, m.end) for m, _, _ in kept),
                sorted((m.start, m.end) for m, _, _ in kept if taxonomy.skills[m.skill].category not in ABILITY_CATEGORIES))
    doc, margins = read
    offsets = doc.offsets
    starts, ends = doc.starts, doc.ends
    p_in = list(chain.from_iterable(line[0] for line in margins))
    p_any = list(chain.from_iterable(line[2] for line in margins))
    supported = []
    ability = set()  # spans (mentions and the model's own) it reads as an ability more than knowledge
    for m, score, method in kept:
        i, j = _tokens_of(starts, ends, m.start, m.end)
        if i < j and max(p_any[i:j]) >= ALIAS_SUPPORT:
            supported.append((m, score, method))
            if _reads_as_ability(p_in, p_any, i, j):
                ability.add((m.start, m.end))
    covered = [(m.start, m.end) for m, _, _ in supported]
    candidates: dict[str, Candidate] = {}
    detected = []
    first = 0
    mention_bounds = ({m.start for m, _, _ in kept}, {m.end for m, _, _ in kept})  # for tidy_spans, made once
    linker = default_linker()
    threshold = tagger.threshold
    for p_line, p_begin, _ in margins:
        if not p_line or max(p_line) < threshold:  # no span on the line (most lines)
            first += len(p_line)
            continue
        line_spans = token_spans_from_probs(p_line, p_begin, threshold, first)
        if tagger.tidy:
            line_spans = tidy_spans(text, offsets, line_spans, bounds=mention_bounds)
        for a, b in line_spans:
            if not in_ranges(ranges, offsets[a][0], offsets[b - 1][1]):
                detected.append((offsets[a][0], offsets[b - 1][1]))
                if _reads_as_ability(p_in, p_any, a, b):
                    ability.add(detected[-1])
        for a, b in _uncovered_runs(line_spans, offsets, covered, text):
            start, end = offsets[a][0], offsets[b - 1][1]
            # Only ranges the caller knows to skip (the company's name and repeated lines, links)
            # hold a span back: the model reads the employer's own sections itself.
            if in_ranges(ranges, start, end):
                continue
            score = sum(p_in[a:b]) / (b - a)
            for link in linker.link(text[start:end]):
                at = text.find(link.text, start, end) if link.text else -1
                s, e = (at, at + len(link.text)) if at >= 0 else (start, end)
                if link.skill is not None:
                    index = taxonomy.index_of(link.skill.id)
                    if any(r.skill == index and r.start < e and s < r.end for r in rejected):
                        continue  # the alias rules or the disambiguator, which know its senses, said no
                    supported.append((Mention(s, e, e, index, alias_key(link.text), False), score, "span"))
                else:
                    trimmed = clean_span_text(_trim_function_words(link.text))
                    if not trimmed:
                        continue
                    at = text.find(trimmed, s, e)
                    s, e = (at, at + len(trimmed)) if at >= 0 else (s, e)
                    key = alias_key(trimmed)
                    hit = candidates.get(key)
                    if hit is None:
                        context = " ".join(text[max(0, s - CONTEXT_CHARS):e + CONTEXT_CHARS].split())
                        hit = candidates[key] = Candidate(trimmed, context=context)
                    hit.spans.append((s, e))
                    hit.score = max(hit.score, score)
        first += len(p_line)
    outside = [s for s in covered if not any(x < s[1] and s[0] < y for x, y in detected)]
    found = list(candidates.values())
    span_filter = getattr(tagger, "span_filter", None)
    if span_filter is not None and (detected or outside):
        dropped = _filter_spans(span_filter, doc, (starts, ends), (p_in, p_any), detected, outside, supported,
                                tagger, taxonomy)
        if dropped:
            detected, outside, supported, found = _without(dropped, detected, outside, supported, found)
    supported.sort(key=lambda x: x[0].start)
    knowledge = [s for s in detected + outside if s not in ability]
    return supported, found, sorted(detected + outside), sorted(knowledge)


def _filter_spans(span_filter, doc, bounds, marginals, detected, outside, supported, tagger,
                  taxonomy) -> set[tuple[int, int]]:
    """The spans (character offsets) the second look (:mod:`skillenai.classify.skills.spanfilter`)
    drops, of the model's spans (``detected``) and the alias mentions outside them. ``bounds``:
    the doc's token starts and ends; ``marginals``: its tokens' ``p_in`` and ``p_any``."""
    starts, ends = bounds
    p_in, p_any = marginals
    model_spans = set(detected)
    chosen, infos = [], []
    for s in sorted(set(detected) | set(outside)):
        i, j = _tokens_of(starts, ends, s[0], s[1])
        if i >= j:
            continue
        over = next(((m, method) for m, _, method in supported if m.start < s[1] and s[0] < m.end), None)
        skill = taxonomy.skills[over[0].skill] if over else None
        if skill is not None and skill.category in ABILITY_CATEGORIES:
            continue  # an ability ("writing skills"), not the tech words the filter learned to weigh
        chosen.append(s)
        infos.append(SpanInfo(i, j, "model" if s in model_spans else "alias", skill.category if skill else None,
                              bool(over and over[0].ambiguous), over[1] if over else None))
    features = span_features(doc, p_in, p_any, infos, tagger.featurizer.phrases)
    return {s for s, keep in zip(chosen, span_filter.decide(chosen, features)) if not keep}


def _without(dropped: set[tuple[int, int]], detected, outside, supported, candidates):
    """``detected``, ``outside``, ``supported`` and ``candidates`` without what lies in a dropped span."""
    def inside(a: int, b: int) -> bool:
        return any(x <= a and b <= y for x, y in dropped)

    kept_candidates = []
    for c in candidates:
        c.spans = [s for s in c.spans if not inside(*s)]
        if c.spans:
            kept_candidates.append(c)
    return ([s for s in detected if s not in dropped], [s for s in outside if s not in dropped],
            [x for x in supported if not inside(x[0].start, x[0].end)], kept_candidates)


def _skipped(text: str, extra) -> list[tuple[int, int]]:
    """What the caller says to skip (``extra``) and the text's links and e-mail addresses
    ("https://..." is no mention of HTTP), merged."""
    ranges = [m.span() for m in _LINK.finditer(text)] if ("://" in text or "www." in text or "@" in text) else []
    return merge_ranges(ranges + [tuple(r) for r in extra or ()])


def detect_skills(
    texts: list[str],
    threshold: float | None = None,
    *,
    employer_text: bool | Sequence[bool] = False,
    skip: list[list[tuple[int, int]] | None] | None = None,
    spans: bool | Sequence[bool] = True,
    tagger=None,
) -> list[Detection]:
    """The skills and candidates of many texts (see the module docstring), with one
    disambiguator call for the whole batch.

    Args:
        texts: the texts.
        threshold: minimum disambiguator probability (default: the model's own).
        employer_text: also count skill words in the employer's own text (about us, perks,
            equal-opportunity statements; :func:`skillenai.classify.sections.boilerplate_ranges`),
            which are left out by default; one flag for all texts or one per text (a
            job title has no sections to look for).
        skip: per text, more sorted character ranges to leave out (e.g. lines the store
            learned a company repeats in every posting), or ``None``.
        spans: read the text with the span model (steps 2 and 3); one flag for all texts or
            one per text. A job title is no posting: the model was never shown one.
        tagger: the span model (:class:`skillenai.classify.skills.spans.SpanTagger`) to read
            with; the shipped one by default (cross-validation passes its own).
    """
    with gc_paused():
        return _detect_skills(texts, threshold, employer_text, skip, spans, tagger)


def _detect_skills(texts, threshold, employer_text, skip, spans, tagger=None) -> list[Detection]:
    taxonomy = load_taxonomy()
    matcher = alias_matcher(taxonomy)
    per_text, per_ranges, per_dropped, per_scanned, per_employer = [], [], [], [], []
    for i, t in enumerate(texts):
        if not t:
            per_scanned.append([])
            per_employer.append(None)
            per_text.append([])
            per_ranges.append([])
            per_dropped.append([])
            continue
        keep_all = employer_text if isinstance(employer_text, bool) else employer_text[i]
        skipped = _skipped(t, skip[i] if skip is not None else None)
        employer = None if keep_all else boilerplate_ranges(t)
        per_employer.append(employer)
        ranges = skipped if employer is None else merge_ranges(employer + skipped)
        per_ranges.append(skipped)
        scanned = matcher.scan(t)
        per_scanned.append(scanned)
        kept_here = keep_mentions(t, scanned, matcher, ranges)
        per_text.append(kept_here)
        # What the alias rules read as no skill here ("PMP, our review process", "the
        # Payments platform"): the span model's links may not bring it back. (Mentions in the
        # employer's own sections are only left out; there the model may still read a skill.)
        kept_ids = {id(m) for m in kept_here}
        per_dropped.append([m for m in scanned if id(m) not in kept_ids and not in_ranges(ranges, m.start, m.end)])
    pending = [(ti, mi) for ti, ms in enumerate(per_text) for mi, m in enumerate(ms) if m.ambiguous]
    probs: list[float] = []
    if pending:
        model = disambiguate.load_disambiguator()
        probs = model.score_mentions([(texts[ti], per_text[ti], mi) for ti, mi in pending], taxonomy)
        if threshold is None:
            threshold = model.threshold
    decided = {key: p for key, p in zip(pending, probs)}
    if spans is False or not any(texts):
        tagger = None
    elif tagger is None:
        tagger = load_span_tagger()
    use = [spans if isinstance(spans, bool) else spans[ti] for ti in range(len(texts))]
    read = _read_texts(texts, use, tagger, per_scanned, taxonomy, per_employer) if tagger is not None else {}
    out = []
    for ti, mentions in enumerate(per_text):
        kept = []
        rejected = list(per_dropped[ti])  # and the ambiguous mentions the disambiguator turned down
        for mi, m in enumerate(mentions):
            if m.ambiguous:
                p = decided[(ti, mi)]
                if p >= threshold:
                    kept.append((m, p, "model"))
                else:
                    rejected.append(m)
            else:
                kept.append((m, 1.0, "alias"))
        candidates: list[Candidate] = []
        detected = sorted((m.start, m.end) for m, _, _ in kept)
        knowledge = sorted((m.start, m.end) for m, _, _ in kept
                           if taxonomy.skills[m.skill].category not in ABILITY_CATEGORIES)
        if tagger is not None and use[ti] and texts[ti]:
            kept, candidates, detected, knowledge = _weigh_and_link(texts[ti], kept, per_ranges[ti], tagger, taxonomy,
                                                                    rejected, read.get(ti))
        out.append(Detection(_group(kept, taxonomy), candidates, detected, knowledge))
    return out


def tag_skills_batch(
    texts: list[str],
    threshold: float | None = None,
    *,
    employer_text: bool | Sequence[bool] = False,
    skip: list[list[tuple[int, int]] | None] | None = None,
    spans: bool | Sequence[bool] = True,
) -> list[list[SkillMatch]]:
    """The skills of many texts: :func:`detect_skills` without the candidates."""
    return [d.skills for d in detect_skills(texts, threshold, employer_text=employer_text, skip=skip, spans=spans)]


def match_skills(text: str, threshold: float | None = None, *, employer_text: bool = False,
                 spans: bool = True) -> list[SkillMatch]:
    """Skills mentioned in ``text``, each once with all its spans, in order of first mention.

    Args:
        text: any text (a posting, an article); ``None`` or empty gives ``[]``.
        threshold: minimum disambiguator probability for an ambiguous mention
            (default: the model's own, 0.5).
        employer_text: also count the employer's own text (about us, perks, EEO), which
            is left out by default (see :mod:`skillenai.classify.sections`).
        spans: weigh the mentions with the span model (see the module docstring); ``False``
            gives the alias layer alone.

    >>> [m.name for m in match_skills("Deploy to k8s on GCP; react to incidents.")]
    ['Kubernetes', 'Google Cloud Platform']
    """
    if not text:
        return []
    return tag_skills_batch([text], threshold, employer_text=employer_text, spans=spans)[0]


_LINK = re.compile(r"\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_VERSION_TAIL = re.compile(r"[\s\-_]*v?\d+(?:\.\d+)*(?:\.x)?\+?$")
_QUALIFIER_TAIL = re.compile(
    r"\s+(?:programming language|programming|language|framework|library|database|skills?|developer|"
    r"development|certification|certified)$",
    re.IGNORECASE,
)


_PAIR = re.compile(r"\s*/\s*|\s+(?:and|&|or)\s+", re.IGNORECASE)


def resolve_skill(name: str) -> Skill | None:
    """The canonical skill a name or alias refers to, or ``None``.

    Case and spacing are ignored, and so are versions and a few trailing qualifiers; a pair
    the taxonomy keeps apart ("HTML/CSS") resolves to its first part.

    >>> resolve_skill("python3").name, resolve_skill("Python 3.11").name, resolve_skill("golang").name
    ('Python', 'Python', 'Go')
    """
    if not name or not name.strip():
        return None
    taxonomy = load_taxonomy()
    candidates = [name]
    stripped = _VERSION_TAIL.sub("", name.strip())
    if stripped and stripped != name:
        candidates.append(stripped)
    for c in list(candidates):
        q = _QUALIFIER_TAIL.sub("", c.strip())
        if q and q != c:
            candidates.append(q)
            v = _VERSION_TAIL.sub("", q)
            if v and v != q:
                candidates.append(v)
    for c in candidates:
        skill = taxonomy.lookup(c)
        if skill is not None:
            return skill
    # "HTML/CSS", "Java/J2EE", "Unix and Linux": a pair the taxonomy keeps apart resolves to
    # its first part.
    first = _PAIR.split(name.strip(), maxsplit=1)[0]
    if first and first != name.strip():
        return resolve_skill(first)
    return None


@functools.lru_cache(maxsize=1)
def _suggestion_keys() -> tuple[list[str], dict[str, str]]:
    taxonomy = load_taxonomy()
    owner: dict[str, str] = {}
    for a in taxonomy.aliases:
        owner.setdefault(a.key, taxonomy.skills[a.skill].name)
    return list(owner), owner


def suggest_skills(name: str, n: int = 5) -> list[str]:
    """Canonical names of up to ``n`` skills whose names or aliases look like ``name``.

    >>> suggest_skills("kubernets")[0]
    'Kubernetes'
    """
    if n <= 0:
        raise ValueError(f"n must be >= 1, got {n}")
    if not name or not name.strip():
        return []
    keys, owner = _suggestion_keys()
    out: list[str] = []
    for key in difflib.get_close_matches(alias_key(name), keys, n=n * 4, cutoff=0.6):
        skill = owner[key]
        if skill not in out:
            out.append(skill)
        if len(out) == n:
            break
    return out


def train_skill_models(verbose: bool = False) -> dict:
    """Rebuild every skill model from the repository's data files and evaluate it.

    Deterministic: the same data gives the same model. Writes
    ``skillenai/classify/models/skill_disambiguator.skops`` and the span model with its span
    filter (``skillenai/classify/models/skill_spans/``), and returns ``{"disambiguator":
    {...per-alias held-out numbers...}, "spans": {...what it was trained on...},
    "span_filter": {...}, "snippets": {...}}`` (the span model's figures on real ads: ``python -m
    evaluation.skills_real``).
    """
    report = {"disambiguator": disambiguate.train_disambiguator(save=True, verbose=verbose)}
    report["spans"] = train_span_model()
    report["span_filter"] = train_span_filter(detect_skills)
    load_span_tagger.cache_clear()
    report["snippets"] = evaluate_snippets()
    if verbose:
        s = report["snippets"]
        logger.info("snippets: precision %.4f recall %.4f", s["precision"], s["recall"])
    return report


class SnippetDataError(ValueError):
    """An evaluation snippet is malformed; the message names the file and line."""


def read_snippets(path: Path | str = EVAL_FILE) -> list[dict]:
    """The labelled evaluation snippets: ``{id, kind, text, skills, not_skills?}`` a line."""
    taxonomy = load_taxonomy()
    out = []
    ids = set()
    for where, lineno, row in read_objects(path, SnippetDataError):
        if not isinstance(row.get("text"), str) or not isinstance(row.get("skills"), list):
            raise SnippetDataError(f"{where}: expected an object with a string 'text' and a list 'skills'")
        if row.get("id") in ids:
            raise SnippetDataError(f"{where}: duplicate id {row.get('id')!r}")
        ids.add(row.get("id"))
        for field_name in ("skills", "not_skills"):
            for name in row.get(field_name, []):
                if taxonomy.lookup(name) is None or taxonomy.lookup(name).name != name:
                    hint = suggest_skills(name)
                    raise SnippetDataError(
                        f"{where}: {field_name} names {name!r}, which is not a canonical skill"
                        + (f" (did you mean {', '.join(map(repr, hint))}?)" if hint else "")
                    )
        row["line"] = lineno
        out.append(row)
    return out


def evaluate_snippets(path: Path | str = EVAL_FILE) -> dict:
    """Micro precision and recall of :func:`match_skills` on the labelled snippets.

    A predicted skill not among a snippet's ``skills`` is a false positive (``not_skills``
    lists the traps a snippet was written for); a missing one is a false negative.
    """
    snippets = read_snippets(path)
    predicted = tag_skills_batch([s["text"] for s in snippets])
    tp = fp = fn = 0
    errors = []
    for snip, matches in zip(snippets, predicted):
        want = set(snip["skills"])
        got = {m.name for m in matches}
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
        if got != want:
            errors.append({"id": snip.get("id"), "line": snip["line"], "missing": sorted(want - got),
                           "extra": sorted(got - want)})
    return {
        "snippets": len(snippets),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "errors": errors,
    }
