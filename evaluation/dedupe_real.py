"""Dedupe scored on real postings: labelled pairs from real boards.

``evaluation/data/dedupe/`` holds 1,216 real postings (an employer's full career board, an
aggregator's snapshot of many employers' ATS boards, and ATS API captures) and 770 pairs
among them labelled by hand (README there): ``same`` (one job, to be counted once),
``same_job_other_place`` (one job offered in several places: a job group, not a
duplicate) and ``different`` (another level, team, specialty, language or terms, or
only a shared template).

Every posting goes through the real pipeline into a fresh store
(:func:`skillenai.core.record.normalize_record`, :func:`skillenai.store.documents.upsert_documents`,
a day at a time by the date it was posted), then :func:`skillenai.dedupe.run_dedupe`
runs with its default settings. A pair is *predicted same* when both postings end up in
one duplicate cluster (or are one stored document: the same canonical URL), *grouped*
when both are in one job group.

The pairs are split once, deterministically, into a part that may be looked at while
changing dedupe (``tune``) and a ``held_out`` part (:func:`assign_parts`): postings
linked by labelled pairs stay in one part, so a template family is never on both sides.

Pairs labelled after the split was drawn (``pairs_added.jsonl``) are scored as a part of
their own, ``added``, and with the others in ``all_with_added``; ``all`` is the split pairs.

Figures per part: pairwise precision and recall of ``same`` (false positives are
``different`` and ``same_job_other_place`` pairs predicted same), the share of
``different`` pairs merged (by kind), and for ``same_job_other_place`` the shares merged
as duplicates and grouped. CI holds the held-out figures to
``evaluation/dedupe_floors.json``.

    python -m evaluation.dedupe_real [--part tune|held_out|added|all|all_with_added] [--errors 30] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import sqlite_utils

from skillenai.core.record import InvalidRecord, normalize_record
from skillenai.store.documents import upsert_documents

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "dedupe"
POSTINGS = DATA / "postings.jsonl.gz"
PAIRS = DATA / "pairs.jsonl"
# Pairs labelled after the split was drawn, scored as a part of their own: adding them to
# PAIRS re-runs the split, which (its greedy balance) moves most earlier pairs between the
# parts, so pairs tuned on would land in the held-out part (README, "The split").
ADDED = DATA / "pairs_added.jsonl"
FLOORS_FILE = HERE / "dedupe_floors.json"
PARTS = ("tune", "held_out")
SCORED = (*PARTS, "added")
UNDATED = "2026-01-01"

# Where each source's postings come from, as the crawler would record it: an employer's
# own career site or ATS board (spiders that read one employer's jobs), or an aggregator
# ingested from JSON Lines.
_SPIDERS = {"greenhouse": "greenhouse", "lever": "lever", "ashby": "ashby"}
_EMPLOYER_SITES = {"stapply__uber_jobs": "jobpostings"}


def read_postings(path: Path = POSTINGS) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_pairs(path: Path = PAIRS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_added(path: Path = ADDED) -> list[dict]:
    """Pairs labelled after the split (``part`` ``"added"``); none when the file is missing."""
    return read_pairs(path) if path.exists() else []


def floors() -> dict:
    return json.loads(FLOORS_FILE.read_text(encoding="utf-8"))


# The split ------------------------------------------------------------------------------

def _component_key(members: list[str]) -> str:
    return hashlib.sha1(("dedupe-real:" + min(members)).encode("utf-8")).hexdigest()


def assign_parts(pairs: list[dict]) -> dict[tuple[str, str], str]:
    """``(a, b)`` → ``"tune"`` or ``"held_out"``.

    Postings linked by labelled pairs, directly or through others, form a component (a
    template family, a job and its copies); a component goes whole to one part. Taken in
    the order of a hash of their smallest posting id, components that hold ``same``
    pairs go to the part with fewer ``same`` pairs so far, the others to the part with
    fewer pairs so far (ties: held out). Only the labels are read, never a prediction.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        ra, rb = find(p["a"]), find(p["b"])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    components: dict[str, list[dict]] = defaultdict(list)
    members: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        root = find(p["a"])
        components[root].append(p)
        members[root].update((p["a"], p["b"]))
    same = dict.fromkeys(PARTS, 0)
    total = dict.fromkeys(PARTS, 0)
    out = {}
    for root in sorted(components, key=lambda r: _component_key(sorted(members[r]))):
        group = components[root]
        n_same = sum(p["label"] == "same" for p in group)
        if n_same:
            part = "tune" if same["tune"] < same["held_out"] else "held_out"
        else:
            part = "tune" if total["tune"] < total["held_out"] else "held_out"
        same[part] += n_same
        total[part] += len(group)
        for p in group:
            out[(p["a"], p["b"])] = part
    return out


# Ingest ---------------------------------------------------------------------------------

def _stem(row: dict) -> str:
    return Path(row["source"]).stem


def external_id(row: dict) -> str | None:
    """The job id the source gives: an ATS post id, the employer site's job id, or for
    the aggregator the employer's ATS id it carries (else its own)."""
    ids = row.get("ids") or {}
    for key in ("greenhouse_id", "greenhouse_job_id", "lever_id", "ashby_id", "uber_id", "personio_job_id",
                "arbeitnow_job_id", "recruitee_id", "shortcode", "torre_id", "job_key"):
        if ids.get(key):
            return str(ids[key])
    return None


def to_record(row: dict) -> dict:
    """A posting of the development set as the crawler (or ``skillenai ingest``) gives it."""
    stem = _stem(row)
    family = row["source"].split("/")[1] if row["source"].startswith("ats/") else ""
    spider = _SPIDERS.get(family) or _EMPLOYER_SITES.get(stem) or "ingest"
    location = row.get("location")
    if isinstance(location, list):
        location = "; ".join(str(x) for x in location if x)
    ids = row.get("ids") or {}
    record = {
        "url": row.get("url") or f"https://{stem.replace('__', '.')}.invalid/jobs/{row['id'].split('#', 1)[1]}",
        "kind": "posting", "spider": spider, "source": stem.split("__")[0] if spider != "ingest" else stem,
        "title": row.get("title"), "text": row.get("text") or "", "company": row.get("company"),
        "location_raw": location or None, "date_posted": _day(row.get("date_posted")),
        "external_id": external_id(row),
    }
    requisition = ids.get("internal_job_id") or ids.get("requisition_id")
    if requisition:
        record["requisition_id"] = str(requisition)
    return record


def _day(value) -> str | None:
    """``YYYY-MM-DD`` of a date as the sources write it (ISO text, or epoch seconds or
    milliseconds)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 1e11 else value
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).date().isoformat()
    return str(value)[:10]


def build_store(db: sqlite_utils.Database, rows: list[dict]) -> tuple[dict[str, str], list[str]]:
    """Store the postings a day at a time (the day each was posted); returns posting id →
    document id, and the ids of postings the record validation refused."""
    by_day: dict[str, list[dict]] = defaultdict(list)
    ids: dict[str, str] = {}
    refused = []
    for row in rows:
        try:
            record = normalize_record(to_record(row))
        except InvalidRecord:
            refused.append(row["id"])
            continue
        by_day[record.get("date_posted") or UNDATED].append(record)
        ids[row["id"]] = record["id"]
    for day in sorted(by_day):
        upsert_documents(db, by_day[day], now=f"{day}T12:00:00Z")
    return ids, refused


# Scoring --------------------------------------------------------------------------------

def _groups(db: sqlite_utils.Database) -> tuple[dict[str, str], dict[str, str]]:
    """Document id → duplicate cluster, and → job group (each document its own when
    it has none)."""
    columns = {c.name for c in db["documents"].columns}
    group_column = "COALESCE(job_group, cluster_id, id)" if "job_group" in columns else "COALESCE(cluster_id, id)"
    cluster, group = {}, {}
    for doc, c, g in db.execute(f"SELECT id, COALESCE(cluster_id, id), {group_column} FROM documents"):
        cluster[doc], group[doc] = c, g
    return cluster, group


def score(pairs: list[dict], ids: dict[str, str], cluster: dict[str, str], group: dict[str, str]) -> dict:
    """Figures over ``pairs`` given where dedupe put each posting."""
    counts: Counter = Counter()
    kinds: dict[str, Counter] = defaultdict(Counter)
    errors = []
    for p in pairs:
        a, b = ids.get(p["a"]), ids.get(p["b"])
        if a is None or b is None:
            counts["unstored"] += 1
            continue
        merged = cluster[a] == cluster[b]
        grouped = group[a] == group[b]
        label = p["label"]
        counts[label] += 1
        if label == "same":
            counts["tp" if merged else "fn"] += 1
            if not merged:
                errors.append(("missed", p, grouped))
        elif label == "same_job_other_place":
            counts["place_merged"] += merged
            counts["place_grouped"] += grouped and not merged
            if merged:
                counts["fp"] += 1
                errors.append(("merged per-city copy", p, grouped))
            elif not grouped:
                errors.append(("per-city copy not grouped", p, grouped))
        else:
            kinds[p["kind"]]["pairs"] += 1
            if merged:
                counts["fp"] += 1
                counts["different_merged"] += 1
                kinds[p["kind"]]["merged"] += 1
                errors.append(("merged different jobs", p, grouped))
            elif grouped:
                counts["different_grouped"] += 1
                kinds[p["kind"]]["grouped"] += 1
                errors.append(("grouped different jobs", p, grouped))
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    place, different = counts["same_job_other_place"], counts["different"]
    return {
        "pairs": counts["same"] + place + different,
        "same": counts["same"], "same_job_other_place": place, "different": different,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "tp": tp, "fp": fp, "fn": fn,
        "different_merged": counts["different_merged"],
        "different_merged_share": round(counts["different_merged"] / different, 4) if different else 0.0,
        "different_grouped": counts["different_grouped"],
        "different_by_kind": {k: dict(v) for k, v in sorted(kinds.items())},
        "place_merged": counts["place_merged"],
        "place_merged_share": round(counts["place_merged"] / place, 4) if place else 0.0,
        "place_grouped": counts["place_grouped"],
        "place_grouped_share": round(counts["place_grouped"] / place, 4) if place else 0.0,
        "unstored_pairs": counts["unstored"],
        "errors": errors,
    }


def evaluate(parts: tuple[str, ...] = PARTS, *, settings=None) -> dict:
    """Ingest, dedupe, score: ``{part: figures}``, plus ``all`` and the run's report."""
    from skillenai.dedupe import run_dedupe
    from skillenai.store.db import open_db

    pairs = read_pairs()
    split = assign_parts(pairs)
    db = open_db(":memory:")
    ids, refused = build_store(db, read_postings())
    report = run_dedupe(db, settings=settings)
    cluster, group = _groups(db)
    out: dict = {"documents": db.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
                 "refused_postings": refused, "report": report}
    for part in parts:
        out[part] = score([p for p in pairs if split[(p["a"], p["b"])] == part], ids, cluster, group)
    out["all"] = score(pairs, ids, cluster, group)
    added = read_added()
    out["added"] = score(added, ids, cluster, group)
    out["all_with_added"] = score(pairs + added, ids, cluster, group)
    out["_titles"] = {pid: _describe(db, doc) for pid, doc in ids.items()}
    return out


def _describe(db: sqlite_utils.Database, doc: str) -> str:
    row = db.execute("SELECT d.title, p.location_raw FROM documents d JOIN postings p ON p.document_id = d.id "
                     "WHERE d.id = ?", (doc,)).fetchone()
    return f"{row[0]} @ {row[1] or '-'}" if row else doc


def _public(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k != "errors"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ingest the real dedupe development set into a fresh store, "
                                                 "run dedupe and score the labelled pairs.")
    parser.add_argument("--part", choices=(*SCORED, "all", "all_with_added"), default="all",
                        help="whose errors to list (figures are printed for every part)")
    parser.add_argument("--errors", type=int, default=30, help="errors to list (default 30)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = evaluate()
    if args.json:
        print(json.dumps({k: _public(result[k]) for k in (*SCORED, "all", "all_with_added")}, indent=2))
        return 0
    print(result["report"].summary())
    print(f"documents stored: {result['documents']}; postings refused: {len(result['refused_postings'])}")
    for part in (*SCORED, "all", "all_with_added"):
        f = result[part]
        print(f"\n{part}: {f['pairs']} pairs ({f['same']} same, {f['same_job_other_place']} same job other place, "
              f"{f['different']} different)")
        print(f"  same: precision {f['precision']:.4f} recall {f['recall']:.4f} ({f['tp']} of {f['same']} found; "
              f"{f['fp']} false merges)")
        print(f"  different merged: {f['different_merged']} of {f['different']} ({f['different_merged_share']:.1%}); "
              f"grouped as one job: {f['different_grouped']}; by kind: {f['different_by_kind']}")
        print(f"  same job other place: merged as duplicates {f['place_merged']} ({f['place_merged_share']:.1%}), "
              f"grouped {f['place_grouped']} ({f['place_grouped_share']:.1%})")
    titles = result["_titles"]
    errors = result[args.part]["errors"]
    print(f"\nerrors ({args.part}, {len(errors)}; first {args.errors}):")
    for what, p, _ in errors[:args.errors]:
        print(f"- {what} [{p['label']}/{p['kind']}] J={p['jaccard']}: {titles.get(p['a'])}  <->  {titles.get(p['b'])}"
              f"\n    {p['a']} / {p['b']}: {p['why'][:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
