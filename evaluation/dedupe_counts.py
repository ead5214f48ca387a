"""What dedupe does to a skill's count on real boards.

The real dedupe development set (``evaluation/data/dedupe/``: an employer's full careers
board, an aggregator's snapshot of many employers' ATS boards, ATS captures) goes through
the real stages into a fresh store (:func:`evaluation.dedupe_real.build_store`, dedupe,
classify), and for the skills tagged on most postings this prints:

- ``tagged``: postings tagged with the skill, every copy counted;
- ``canonical``: canonical postings (duplicates counted once, each per-city copy once);
- ``jobs``: jobs, as the skill page counts them (a job group once);
- ``capped``: jobs with each employer's near-identical ones counted at most
  ``--cap`` times (:func:`skillenai.metrics.queries.employer_capped`, where the code has it);
- ``top metro``: the skill's first metro with its count in canonical postings and in jobs.

Every count covers all the set's postings (a window from the earliest posting date).

    python -m evaluation.dedupe_counts [--skills 12] [--cap 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys


def evaluate(skills: int = 12, cap: int = 3) -> dict:
    from evaluation.dedupe_real import build_store, read_postings
    from skillenai.dedupe import run_dedupe
    from skillenai.metrics import queries as metrics
    from skillenai.pipeline.tagging import classify_store
    from skillenai.store.db import open_db

    db = open_db(":memory:")
    build_store(db, read_postings())
    run_dedupe(db)
    classify_store(db, workers=1)
    as_of = metrics.data_as_of(db)
    first = db.execute("SELECT MIN(date_posted) FROM unique_postings").fetchone()[0]
    window = (as_of - metrics.dt.date.fromisoformat(first)).days + 1
    totals = db.execute(
        "SELECT COUNT(*), SUM(d.is_canonical), COUNT(DISTINCT CASE WHEN d.is_canonical = 1 "
        "THEN COALESCE(d.job_group, d.id) END) FROM documents d WHERE d.kind = 'posting'").fetchone()
    top = db.execute(
        "SELECT ds.skill_id, s.name, COUNT(*) AS n FROM document_skills ds JOIN skills s ON s.id = ds.skill_id "
        "JOIN documents d ON d.id = ds.document_id WHERE d.kind = 'posting' "
        "GROUP BY ds.skill_id ORDER BY n DESC, s.name LIMIT ?", [skills]).fetchall()
    rows = []
    for skill_id, name, tagged in top:
        canonical, jobs = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT COALESCE(d.job_group, d.id)) FROM skill_postings sp "
            "JOIN documents d ON d.id = sp.document_id WHERE sp.skill_id = ?", [skill_id]).fetchone()
        metro = db.execute(
            "SELECT m.name, COUNT(*), COUNT(DISTINCT COALESCE(d.job_group, d.id)) AS jobs FROM skill_postings sp "
            "JOIN documents d ON d.id = sp.document_id JOIN document_metros dm ON dm.document_id = sp.document_id "
            "JOIN metros m ON m.id = dm.metro_id WHERE sp.skill_id = ? GROUP BY m.id ORDER BY 2 DESC, m.name "
            "LIMIT 1", [skill_id]).fetchone()
        row = {"skill": name, "tagged": tagged, "canonical": canonical, "jobs": jobs,
               "top_metro": {"name": metro[0], "canonical": metro[1], "jobs": metro[2]} if metro else None}
        if hasattr(metrics, "employer_capped"):
            ref = {"id": skill_id, "name": name, "category": None}
            row["capped"] = metrics.employer_capped(db, ref, as_of=as_of, window=window, cap=cap)["capped"]
            page = metrics.skill_metrics(db, ref, as_of=as_of, window=window, precomputed=False)
            assert page["postings"] == jobs, (name, page["postings"], jobs)  # the page counts what this does
        rows.append(row)
    return {"postings": totals[0], "canonical": totals[1], "jobs": totals[2], "as_of": as_of.isoformat(),
            "window_days": window, "cap": cap, "skills": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A skill's count on the real dedupe development set: every copy, "
                                                 "canonical postings, jobs, and jobs with employer floods capped.")
    parser.add_argument("--skills", type=int, default=12, help="how many skills (the most tagged first)")
    parser.add_argument("--cap", type=int, default=3, help="times an employer's near-identical jobs count at most")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    result = evaluate(args.skills, args.cap)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['postings']} postings, {result['canonical']} canonical, {result['jobs']} jobs "
          f"(as of {result['as_of']}, {result['window_days']} days)")
    print(f"{'skill':<28} {'tagged':>7} {'canonical':>9} {'jobs':>6} {'capped':>7}  top metro: canonical -> jobs")
    for r in result["skills"]:
        metro = r["top_metro"]
        where = f"{metro['name']}: {metro['canonical']} -> {metro['jobs']}" if metro else "-"
        print(f"{r['skill'][:28]:<28} {r['tagged']:>7} {r['canonical']:>9} {r['jobs']:>6} "
              f"{r.get('capped', '-'):>7}  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
