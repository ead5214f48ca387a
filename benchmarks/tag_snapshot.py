"""Snapshot of everything the tagger says about a fixed set of texts, to prove that a change
made to go faster changes no tag.

Sets (each read as ``tag_documents`` and the skill evaluation read it):

- ``skillspan``: SkillSpan's development postings, tech and house
  (``evaluation/data/skillspan/dev.jsonl.gz``);
- ``labelled``: every labelled ATS posting the package ships, held out or not;
- ``sampleweb``: the postings of a generated sample web (seed 7);
- ``raw``: the real scraped postings of ``--realdata`` (``locations/raw/*.json``), when given.

For every text it records :func:`skillenai.classify.skills.matcher.detect_skills`' skills
(with their spans, methods and scores to 9 decimals), candidates (with scores), detected spans and
knowledge spans, the span model's per-token probabilities (``--compare`` allows them to differ by rounding,
``PROBABILITY_TOLERANCE``), and
:meth:`skillenai.classify.tagger.Tags.as_json` of :func:`skillenai.classify.tagger.tag_documents`.

Usage::

    python -m benchmarks.tag_snapshot --write before.json.gz [--realdata DIR]
    python -m benchmarks.tag_snapshot --compare before.json.gz [--realdata DIR]

``--compare`` prints each difference (set, text, field) and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from pathlib import Path

from evaluation.sampleweb_tagging import posting_doc, read_truth
from evaluation.skills_real import SKILLSPAN_DEV
from skillenai.classify.skills.matcher import detect_skills
from skillenai.classify.skills.spandata import labelled_postings, skillspan_postings
from skillenai.classify.skills.spans import tokenize
from skillenai.classify.skills.spantrain import load_span_tagger
from skillenai.classify.tagger import tag_documents
from skillenai.sampleweb import generate

PROBABILITY_TOLERANCE = 1e-9
SCORE_DECIMALS = 9  # a score is a mean of probabilities: equal to rounding


def _split_title(text: str) -> dict:
    title, _, body = text.partition("\n")
    return {"title": title, "text": body}


def raw_postings(realdata: Path) -> list[dict]:
    """The real scraped postings under ``realdata/locations/raw`` with a description."""
    out = []
    for path in sorted((realdata / "locations" / "raw").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["jobs"] if isinstance(data, dict) else data
        for i, row in enumerate(rows):
            text = row.get("description") or ""
            if isinstance(text, str) and text.strip():
                out.append({"id": f"{path.name}:{i}", "title": str(row.get("title") or ""), "text": text,
                            "location": row.get("location") if isinstance(row.get("location"), str) else None,
                            "company": row.get("company") if isinstance(row.get("company"), str) else None})
    return out


def document_sets(realdata: Path | None, sampleweb_postings: int = 300) -> dict[str, list[dict]]:
    """name -> ``tag_documents`` inputs."""
    sets = {}
    dev = skillspan_postings(SKILLSPAN_DEV, "tech") + skillspan_postings(SKILLSPAN_DEV, "house")
    sets["skillspan"] = [dict(_split_title(p.text), id=f"dev:{i}", kind="posting") for i, p in enumerate(dev)]
    sets["labelled"] = [dict(_split_title(p.text), id=p.id, kind="posting")
                        for p in labelled_postings(held=None)]
    with tempfile.TemporaryDirectory(prefix="tag-snapshot-") as tmp:
        generate(tmp, postings=sampleweb_postings, seed=7)
        sets["sampleweb"] = [posting_doc(r) for r in read_truth(tmp, "postings")]
    if realdata is not None:
        sets["raw"] = raw_postings(realdata)
    return sets


def _detection(d) -> dict:
    return {"skills": [dict(m.as_dict(), score=round(m.score, SCORE_DECIMALS)) for m in d.skills],
            "candidates": [dict(c.as_dict(), score=round(c.score, SCORE_DECIMALS)) for c in d.candidates],
            "spans": [list(s) for s in d.spans], "knowledge": [list(s) for s in d.knowledge]}


def _probabilities(text: str) -> list:
    tagger = load_span_tagger()
    return [[list(col) for col in line] for line in tagger.marginals(tagger.featurizer.doc_features(tokenize(text)))]


def _largest_difference(a: list, b: list) -> float:
    """The largest difference between two snapshots' probabilities (inf if shaped differently)."""
    if len(a) != len(b):
        return float("inf")
    worst = 0.0
    for la, lb in zip(a, b):
        for ca, cb in zip(la, lb):
            if len(ca) != len(cb) or len(la) != len(lb):
                return float("inf")
            worst = max([worst] + [abs(x - y) for x, y in zip(ca, cb)])
    return worst


def snapshot(sets: dict[str, list[dict]]) -> dict:
    out = {}
    for name, docs in sets.items():
        texts = [d["text"] for d in docs]
        found = detect_skills(texts)
        tags = tag_documents(docs)
        out[name] = {d["id"]: {"detect": _detection(f), "tags": t.as_json(), "p": _probabilities(d["text"])}
                     for d, f, t in zip(docs, found, tags)}
    return out


def compare(old: dict, new: dict, show: int = 20) -> int:
    """Print the differences; returns how many texts differ in their tags or detections, or
    in a probability by more than ``PROBABILITY_TOLERANCE``."""
    differ = 0
    for name in old:
        if name not in new:
            print(f"{name}: missing from the new snapshot")
            differ += 1
            continue
        here, worst = 0, 0.0
        for key, before in old[name].items():
            after = new[name].get(key) or {}
            gap = _largest_difference(before["p"], after.get("p", []))
            worst = max(worst, gap)
            fields = [f for f in ("detect", "tags") if after.get(f) != before[f]]
            if gap > PROBABILITY_TOLERANCE:
                fields.append("p")
            if fields:
                here += 1
                if differ + here <= show:
                    print(f"{name} {key}: {', '.join(fields)} differ")
        differ += here
        print(f"{name}: {len(old[name])} texts, {here} differ; largest probability difference {worst:.3g}")
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, help="write a snapshot (JSON, gzip)")
    group.add_argument("--compare", type=Path, help="compare with a snapshot written before")
    parser.add_argument("--realdata", type=Path, help="also the real scraped postings of this realdata folder")
    args = parser.parse_args(argv)
    snap = snapshot(document_sets(args.realdata))
    if args.write:
        with gzip.open(args.write, "wt", encoding="utf-8") as handle:
            json.dump(snap, handle)
        print(f"wrote {args.write}: " + ", ".join(f"{k} {len(v)}" for k, v in snap.items()))
        return 0
    with gzip.open(args.compare, "rt", encoding="utf-8") as handle:
        old = json.load(handle)
    differ = compare(old, json.loads(json.dumps(snap)))
    print("identical" if not differ else f"{differ} texts differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
