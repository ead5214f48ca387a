"""Skill tagging scored on real job ads that nobody here wrote.

Two labelled sets, both with KNOWLEDGE (tools, technologies, fields, degrees) and SKILL
(abilities, mostly verb phrases) spans:

- ``skillspan``: SkillSpan's development split, its ``tech`` postings (Zhang et al., NAACL
  2022; ``evaluation/data/skillspan/``). Each posting is rebuilt as text, one annotated
  sentence a line, tokens joined by single spaces.
- ``ats``: the held-out part of the project's own labels on real ATS postings
  (``skillenai/classify/data/skills/labelled/``; the rest trains the span model).

Figures, on character spans:

- ``knowledge_recall``: share of gold KNOWLEDGE spans that some predicted span overlaps;
- ``precision``: share of predicted spans that overlap a gold SKILL or KNOWLEDGE span;
- ``strict_p``/``strict_r``/``strict_f1``: predicted KNOWLEDGE spans equal to a gold
  KNOWLEDGE span (a predictor that tells no kinds apart has every span scored here);
- ``misses`` and ``false_tags``: the commonest gold KNOWLEDGE texts not found, and
  predicted texts overlapping nothing, with counts.

A prediction is where :func:`skillenai.classify.skills.matcher.detect_skills` reads a skill
in the posting's text: the spans behind every skill it tags and every candidate it keeps (a
skill the taxonomy does not have yet), whole as detected ("Java/Scala" is one span naming
two skills), and the title's spans of the tools only the title names (as
:func:`skillenai.classify.tagger.tag_documents` tags a title); its KNOWLEDGE spans are
:attr:`~skillenai.classify.skills.matcher.Detection.knowledge`. The floors CI holds these
figures to are in ``evaluation/skills_floors.json``.

    python -m evaluation.skills_real [--set skillspan|ats] [--top 25] [--json]
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

from skillenai.classify.skills.spandata import LabelledPosting, Span, labelled_postings, skillspan_postings

HERE = Path(__file__).resolve().parent
SKILLSPAN_DEV = HERE / "data" / "skillspan" / "dev.jsonl.gz"
FLOORS_FILE = HERE / "skills_floors.json"
# A job title's most words (the labelled sets' titles have 2 to 19).
TITLE_WORDS = 20


def _overlaps_any(span: Span, spans: Sequence[Span]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in spans)


def _folded(text: str) -> str:
    return " ".join(text.split()).lower()


Prediction = Sequence[Span] | tuple[Sequence[Span], Sequence[Span]]


def score(postings: Sequence[LabelledPosting], predicted: Sequence[Prediction], top: int = 25) -> dict:
    """The figures of the module docstring for ``predicted`` spans, one entry per posting:
    its spans, or a pair (its spans, those of them that name KNOWLEDGE)."""
    gold_k = gold_k_hit = n_pred = n_pred_hit = exact = n_pred_k = 0
    misses: Counter = Counter()
    false_tags: Counter = Counter()
    for post, entry in zip(postings, predicted, strict=True):
        if isinstance(entry, tuple):
            spans, known = entry
        else:
            spans = known = entry
        spans = sorted(set(map(tuple, spans)))
        known = set(map(tuple, known))
        gold_any = post.knowledge + post.skill
        knowledge = set(post.knowledge)
        for g in post.knowledge:
            gold_k += 1
            if _overlaps_any(g, spans):
                gold_k_hit += 1
            else:
                misses[_folded(post.text[g[0]:g[1]])] += 1
        for p in spans:
            n_pred += 1
            if _overlaps_any(p, gold_any):
                n_pred_hit += 1
            else:
                false_tags[_folded(post.text[p[0]:p[1]])] += 1
        n_pred_k += len(known)
        exact += len(known & knowledge)
    sp = exact / n_pred_k if n_pred_k else 0.0
    sr = exact / gold_k if gold_k else 0.0
    return {
        "postings": len(postings), "gold_knowledge": gold_k, "predicted": n_pred,
        "knowledge_recall": round(gold_k_hit / gold_k, 4) if gold_k else 0.0,
        "precision": round(n_pred_hit / n_pred, 4) if n_pred else 0.0,
        "strict_p": round(sp, 4), "strict_r": round(sr, 4),
        "strict_f1": round(2 * sp * sr / (sp + sr), 4) if sp + sr else 0.0,
        "misses": misses.most_common(top), "false_tags": false_tags.most_common(top),
    }


def tagger_spans(texts: Sequence[str], tagger=None) -> list[tuple[list[Span], list[Span]]]:
    """Where the project's skill tagger reads a skill in each text
    (:attr:`skillenai.classify.skills.matcher.Detection.spans`: the spans behind every
    tagged skill and every candidate, whole as detected), and which of them it reads as
    KNOWLEDGE.

    Each labelled text starts with the posting's title, which the crawler keeps apart from
    the text; so, as :func:`skillenai.classify.tagger.tag_documents` does, the first line is
    read as a title (aliases alone) and the rest as the posting's text, and a title's span
    counts only where it gives the document a tag of its own
    (:func:`skillenai.classify.tagger.title_only_skills`: a tool the text does not name again,
    no job words). ``tagger``: the span model to read with (default: the shipped one)."""
    from skillenai.classify.skills.matcher import detect_skills
    from skillenai.classify.tagger import title_only_skills

    titles, bodies, shifts = [], [], []
    for text in texts:
        title, newline, body = text.partition("\n")
        titles.append(title)
        bodies.append(body)
        shifts.append(len(title) + len(newline))
    found = detect_skills(bodies + titles, employer_text=[False] * len(bodies) + [True] * len(titles),
                          spans=[True] * len(bodies) + [False] * len(titles), tagger=tagger)
    out = []
    for i, shift in enumerate(shifts):
        body, title = found[i], found[len(texts) + i]
        # The title's spans of the skills it alone names, as tag_documents tags them. A first
        # line longer than a title is SkillSpan's sentence split gluing a title to the posting's
        # first sentences (half its tech training postings): there the tools are the posting's own.
        in_text = {m.id for m in body.skills} if len(titles[i].split()) <= TITLE_WORDS else set()
        own = {s for m in title_only_skills(titles[i], title.skills, in_text) for s in m.spans}
        both = []
        for attr in ("spans", "knowledge"):
            both.append(sorted([s for s in getattr(title, attr) if s in own]
                               + [(a + shift, b + shift) for a, b in getattr(body, attr)]))
        out.append(tuple(both))
    return out


SETS: dict[str, Callable[[], list[LabelledPosting]]] = {
    "skillspan": functools.partial(skillspan_postings, SKILLSPAN_DEV),
    "ats": functools.partial(labelled_postings, held=True),
}


def evaluate(names: Sequence[str] = tuple(SETS), top: int = 25,
             predict: Callable[[Sequence[str]], list[Prediction]] = tagger_spans) -> dict[str, dict]:
    """Score ``predict`` on each named set."""
    results = {}
    for name in names:
        postings = SETS[name]()
        results[name] = score(postings, predict([p.text for p in postings]), top)
    return results


def floors() -> dict:
    return json.loads(FLOORS_FILE.read_text(encoding="utf-8"))


def format_result(name: str, r: dict) -> str:
    lines = [f"{name}: {r['postings']} postings, {r['gold_knowledge']} gold KNOWLEDGE spans, {r['predicted']} predicted",
             f"  knowledge recall {r['knowledge_recall']:.3f}  precision {r['precision']:.3f}  "
             f"strict KNOWLEDGE P {r['strict_p']:.3f} R {r['strict_r']:.3f} F1 {r['strict_f1']:.3f}"]
    for title, rows in (("commonest misses", r["misses"]), ("commonest false tags", r["false_tags"])):
        lines.append(f"  {title}: " + ", ".join(f"{text!r} {n}" for text, n in rows))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.skills_real",
                                     description="Score the skill tagger on real labelled job ads "
                                                 "(SkillSpan tech dev, held-out labelled ATS postings).")
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="one set (default: all)")
    parser.add_argument("--top", type=int, default=25, help="how many misses and false tags to list")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    results = evaluate(args.set or tuple(SETS), args.top)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(format_result(name, r) for name, r in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
