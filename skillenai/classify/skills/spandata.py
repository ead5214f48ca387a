"""Real job ads with skill spans labelled by hand: the span model's training data and the
real-data evaluation's gold.

Two sources, both with KNOWLEDGE (tools, technologies, fields, degrees) and SKILL
(abilities, mostly verb phrases) spans as character offsets into a posting's text:

- SkillSpan (Zhang et al., NAACL 2022; MIT): one tokenised sentence a JSON line, sentences
  of a posting sharing ``idx``; each posting is rebuilt as text, one sentence a line,
  tokens joined by single spaces (``skillspan/train.jsonl.gz`` in the package; the
  development split lives with the evaluations, the test split nowhere in the project).
- The project's own labels on real ATS postings (``labelled/postings.jsonl``), of which
  :data:`HELD_OUT_PERCENT` percent (by posting id) are held out for evaluation.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from skillenai.classify.resources import CLASSIFY_DATA
from skillenai.classify.training import held_out

SKILLSPAN_TRAIN = CLASSIFY_DATA / "skills" / "skillspan" / "train.jsonl.gz"
LABELLED = CLASSIFY_DATA / "skills" / "labelled" / "postings.jsonl"
# Share of the labelled ATS postings held out for evaluation (by posting id).
HELD_OUT_PERCENT = 34

Span = tuple[int, int]


@dataclass
class LabelledPosting:
    """One posting's text with its gold spans (character offsets)."""

    id: str
    text: str
    knowledge: list[Span] = field(default_factory=list)
    skill: list[Span] = field(default_factory=list)
    # Per line of text: the (start, end) of every token, where the source is tokenised.
    lines: list[list[Span]] = field(default_factory=list)


def bio_spans(tags: Sequence[str]) -> list[Span]:
    """Token spans ``(first, last + 1)`` of the B/I runs in ``tags``; a B always opens one.

    >>> bio_spans(["O", "B", "I", "B", "O", "I"])
    [(1, 3), (3, 4), (5, 6)]
    """
    out: list[Span] = []
    start = None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and tag != "I":
            out.append((start, i))
            start = None
        if tag == "B" or (tag == "I" and start is None):
            start = i
    return out


def _read_jsonl(path: Path) -> Iterable[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def skillspan_postings(path: Path = SKILLSPAN_TRAIN, source: str | None = "tech") -> list[LabelledPosting]:
    """SkillSpan postings (sentences grouped by ``idx``, in file order) rebuilt as text."""
    postings: list[LabelledPosting] = []
    key = None
    for row in _read_jsonl(path):
        if source is not None and row["source"] != source:
            continue
        if (row["source"], row["idx"]) != key:
            key = (row["source"], row["idx"])
            postings.append(LabelledPosting(f"{key[0]}-{key[1]}", ""))
        post = postings[-1]
        offset = len(post.text) + (1 if post.lines else 0)
        offsets, position = [], offset
        for token in row["tokens"]:
            offsets.append((position, position + len(token)))
            position += len(token) + 1
        post.text += ("\n" if post.lines else "") + " ".join(row["tokens"])
        post.lines.append(offsets)
        for tags, spans in ((row["tags_knowledge"], post.knowledge), (row["tags_skill"], post.skill)):
            spans += [(offsets[a][0], offsets[b - 1][1]) for a, b in bio_spans(tags)]
    return postings


def labelled_postings(path: Path = LABELLED, held: bool | None = True) -> list[LabelledPosting]:
    """The project's labelled ATS postings: the held-out ones (``held=True``), the training
    ones (``False``) or all (``None``)."""
    out = []
    for row in _read_jsonl(path):
        if held is not None and held_out(row["id"], HELD_OUT_PERCENT) != held:
            continue
        post = LabelledPosting(row["id"], row["text"])
        for span in row["spans"]:
            (post.knowledge if span["label"] == "KNOWLEDGE" else post.skill).append((span["start"], span["end"]))
        out.append(post)
    return out
