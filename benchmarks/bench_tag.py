"""Tagging benchmark: ``skillenai.classify.tagger.tag_documents`` throughput on one core.

Every figure comes from one run, on the same documents, after a warm-up batch (models
loaded, caches filled):

1. baselines: a bare pyahocorasick pass of the taxonomy's alias keys over the lower-cased
   texts (what any alias matcher must at least pay), and our skill matcher's scan without
   disambiguation (``skillenai.classify.skills.matcher`` normalisation, boundaries, longest match);
2. the stages of tagging on their own: skills by the alias layer alone (matching plus one
   disambiguator call per batch) and with the span model (the CRF over every posting,
   linking, candidates), places from the location string, places from the text, role family
   and SOC occupation from the title (``skillenai.classify.titles``), document kind;
3. ``tag_documents`` end to end, as the store calls it (``kind`` given) and as
   ``skillenai tag`` does without a kind (the kind model runs too).

Parsed location strings are cached by ``skillenai.classify.places.locations``; the cache is cleared before
every timed round, so each round pays for parsing as a new batch would. Documents are
postings of a generated sample web (``skillenai.sampleweb``): as generated
(about 1.8 KB) and as ~3 KB postings, each the text of two postings of the same web joined
and cut at a line boundary near 3,000 bytes. The process is pinned to one CPU and numeric
libraries to one thread.

Usage::

    python -m benchmarks.bench_tag                  # 2,000 postings, 3 rounds
    python -m benchmarks.bench_tag --postings 500 --rounds 1 --profile

Prints a table and writes ``benchmarks/results/tag.json``; below the target (500 postings/s
on one core) or with ``--profile`` it also profiles ``tag_documents`` with cProfile and
lists the functions that take the time.
"""

from __future__ import annotations

import os

# One core means one thread in the numeric libraries too; set before they are imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import cProfile
import io
import json
import platform
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import ahocorasick

from evaluation.sampleweb_tagging import posting_doc, read_truth
from skillenai.classify.kind import classify_kinds
from skillenai.classify.places.locations import parse_locations
from skillenai.classify.places.mentions import places_in_texts
from skillenai.classify.skills.matcher import alias_matcher, load_taxonomy, tag_skills_batch
from skillenai.classify.tagger import tag_documents
from skillenai.classify.titles import classify_titles
from skillenai.sampleweb import generate

RESULTS = ROOT / "benchmarks" / "results" / "tag.json"
TARGET = 500.0  # postings per second on one core
BATCH = 500  # documents per tag_documents call, as skillenai.pipeline.tagging does
DOC_BYTES = 3000


def pin_to_one_core() -> int | None:
    """Run on one CPU (the first this process may use); returns it, or None if unsupported."""
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return cpu
    except (AttributeError, OSError):
        return None


def sample_docs(postings: int, seed: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-tag-") as tmp:
        generate(tmp, postings=postings, seed=seed)
        return [posting_doc(r) for r in read_truth(tmp, "postings")]


def three_kb(docs: list[dict]) -> list[dict]:
    """Each document's text followed by the next one's, cut at a line end near DOC_BYTES."""
    out = []
    for i, doc in enumerate(docs):
        lines = (doc["text"] + "\n" + docs[(i + 1) % len(docs)]["text"]).split("\n")
        text, size = [], 0
        for line in lines:
            if size + len(line.encode()) + 1 > DOC_BYTES and text:
                break
            text.append(line)
            size += len(line.encode()) + 1
        out.append(dict(doc, id=f"{doc['id']}#3kb", text="\n".join(text)))
    return out


def batches(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def clear_caches() -> None:
    """Forget parsed location strings and the lines the span model has read, so every round
    reads them as a fresh batch would (models and the gazetteer stay loaded: that is the
    warm-up's job; within a round, lines a batch repeats are still read once)."""
    from skillenai.classify.places.locations import _parse_string
    from skillenai.classify.skills.spantrain import load_span_tagger

    _parse_string.cache_clear()
    load_span_tagger().forget_lines()


def timed(fn, rounds: int) -> float:
    """Best wall time of ``rounds`` calls of ``fn`` (the least disturbed run), caches of
    earlier rounds cleared first."""
    best = float("inf")
    for _ in range(rounds):
        clear_caches()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bare_automaton():
    """pyahocorasick over every alias key of the taxonomy: no boundaries, no case rules."""
    automaton = ahocorasick.Automaton()
    for alias in load_taxonomy().aliases:
        automaton.add_word(alias.key, alias.skill)
    automaton.make_automaton()
    return automaton


def stages(docs: list[dict]) -> dict:
    """name -> a function doing that much work for all ``docs``."""
    texts = [d["text"] for d in docs]
    titles = [d["title"] for d in docs]
    locations = [d["location"] for d in docs]
    automaton = bare_automaton()
    matcher = alias_matcher()
    no_kind = [{k: v for k, v in d.items() if k != "kind"} for d in docs]

    def bare():
        for t in texts:
            for _ in automaton.iter(t.lower()):
                pass

    def scan():
        for t in texts + titles:
            matcher.scan(t)

    def skills_aliases():
        for part in batches(texts + titles):
            tag_skills_batch(part, spans=False)

    def skills():
        for part in batches(texts + titles):
            tag_skills_batch(part, spans=[True] * len(part))  # as tag_documents reads texts (titles: aliases)

    def places_location():
        for loc in locations:
            if loc:
                parse_locations(loc)

    def places_text():
        for part in batches(texts):
            places_in_texts(part)

    def roles():
        for part in batches(titles):
            classify_titles(part)

    def kinds():
        for part in batches(docs):
            classify_kinds([(d["title"], d["text"], d["id"]) for d in part])

    def tag_store():
        for part in batches(docs):
            tag_documents(part)

    def tag_cli():
        for part in batches(no_kind):
            tag_documents(part)

    return {
        "baseline: bare pyahocorasick pass": bare,
        "baseline: skill matcher scan, no disambiguation": scan,
        "skills, alias layer (match + disambiguate)": skills_aliases,
        "skills with the span model (+ CRF, linking)": skills,
        "places from location string": places_location,
        "places from text (all mentions)": places_text,
        "role and occupation from title": roles,
        "kind (model)": kinds,
        "tag_documents, kind given (store)": tag_store,
        "tag_documents, kind decided (skillenai tag)": tag_cli,
    }


def profile(docs: list[dict], top: int = 25) -> list[dict]:
    """cProfile of tag_documents over ``docs``: the functions with the most own time (caches
    cleared first, as in a timed round: else the lines read before are only looked up)."""
    clear_caches()
    prof = cProfile.Profile()
    prof.enable()
    for part in batches(docs):
        tag_documents(part)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = sum(row[2] for row in stats.stats.values())
    rows = []
    for (path, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"function": f"{Path(path).name}:{line}({func})", "calls": nc, "own_s": round(tt, 4),
                     "cumulative_s": round(ct, 4), "own_share": round(tt / total, 4) if total else 0.0})
    rows.sort(key=lambda r: -r["own_s"])
    return rows[:top]


def cumulative(docs: list[dict], names: tuple[str, ...]) -> dict:
    """Cumulative time share of a few entry points inside tag_documents (caches cleared first)."""
    clear_caches()
    prof = cProfile.Profile()
    prof.enable()
    for part in batches(docs):
        tag_documents(part)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    wall = sum(row[2] for row in stats.stats.values())
    out = {}
    for (path, line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        key = f"{Path(path).stem}.{func}"
        if key in names:
            out[key] = round(max(out.get(key, 0.0), ct / wall), 4) if wall else 0.0
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=2000, help="sample-web postings to tag (default 2000)")
    parser.add_argument("--seed", type=int, default=7, help="sample-web seed (default 7)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per measure; the best counts (default 3)")
    parser.add_argument("--profile", action="store_true", help="profile tag_documents even when on target")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS.relative_to(ROOT)})")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    cpu = pin_to_one_core()
    generated = sample_docs(args.postings, args.seed)
    corpora = {"as generated": generated, "3 KB postings": three_kb(generated)}

    # Warm-up: every model loaded and every cache filled before anything is timed.
    for part in (generated[:BATCH], corpora["3 KB postings"][:BATCH]):
        tag_documents(part)
        tag_documents([{k: v for k, v in d.items() if k != "kind"} for d in part])
        places_in_texts([t["text"] for t in part])

    results = {"python": platform.python_version(), "machine": platform.machine(), "processor": platform.processor(),
               "cpu_pinned": cpu, "target_postings_per_s": TARGET, "batch": BATCH, "rounds": args.rounds,
               "postings": len(generated), "seed": args.seed, "corpora": {}}
    for label, docs in corpora.items():
        sizes = [len((d["title"] + "\n" + d["text"]).encode()) for d in docs]
        rows = []
        for name, fn in stages(docs).items():
            seconds = timed(fn, args.rounds)
            rows.append({"stage": name, "seconds": round(seconds, 4), "postings_per_s": round(len(docs) / seconds, 1),
                         "ms_per_posting": round(1000 * seconds / len(docs), 3)})
        results["corpora"][label] = {"documents": len(docs), "mean_bytes": round(statistics.mean(sizes)),
                                     "stages": rows}

    # The headline: the store's call on ~3 KB postings.
    headline = next(r for r in results["corpora"]["3 KB postings"]["stages"]
                    if r["stage"].startswith("tag_documents, kind given"))
    results["tag_documents_postings_per_s_3kb"] = headline["postings_per_s"]
    results["meets_target"] = headline["postings_per_s"] >= TARGET
    docs3 = corpora["3 KB postings"]
    results["time_shares_3kb"] = cumulative(docs3, (
        "matcher.detect_skills", "matcher._read_texts", "spans.doc_codes", "spans.doc_marginals", "mentions.scan",
        "disambiguate.score_mentions", "tagger._tag_places",
        "tagger._tag_places_in_text", "locations.parse_locations", "mentions.places_in_texts",
        "titles.classify_titles", "kind.classify_kinds"))
    if args.profile or not results["meets_target"]:
        results["profile_3kb"] = profile(docs3)

    for label, corpus in results["corpora"].items():
        print(f"\n{label}: {corpus['documents']} postings, mean {corpus['mean_bytes']} bytes, one core "
              f"(cpu {cpu}), best of {args.rounds}")
        base = corpus["stages"][0]["postings_per_s"]
        print(f"  {'stage':<48}{'postings/s':>12}{'ms/posting':>12}{'x baseline':>12}")
        for r in corpus["stages"]:
            print(f"  {r['stage']:<48}{r['postings_per_s']:>12,.0f}{r['ms_per_posting']:>12.3f}"
                  f"{base / r['postings_per_s']:>12.1f}")
    verdict = "meets" if results["meets_target"] else "is below"
    print(f"\ntag_documents on ~3 KB postings: {results['tag_documents_postings_per_s_3kb']:,.0f} postings/s, "
          f"which {verdict} the target of {TARGET:,.0f}/s on one core")
    print("share of tag_documents time (cumulative, cProfile): "
          + ", ".join(f"{k} {v:.0%}" for k, v in sorted(results["time_shares_3kb"].items(), key=lambda kv: -kv[1])))
    if "profile_3kb" in results:
        print("\nfunctions with the most own time (cProfile, ~3 KB postings):")
        for r in results["profile_3kb"][:15]:
            print(f"  {r['own_share']:>6.1%}  {r['own_s']:>8.3f} s  {r['calls']:>9,}  {r['function']}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
