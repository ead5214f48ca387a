"""The ATS spiders crawling the generated sample web, scored against its ground truth.

A sample web of ``--postings`` postings is generated (seed ``--seed``, as of 2026-05-09),
served on 127.0.0.1 and crawled by the ATS spiders (``skillenai crawl --spider ...``).
Each spider's stored postings are compared with the truth's (``truth/postings.jsonl``):

- ``documents``: stored / in the truth, and ``extra`` (stored, not in the truth);
- a share right for ``title``, ``company``, ``location_raw``, ``date_posted``, ``salary``
  (min, max, currency, period together; the truth's salary when the board states one),
  ``employment_type`` (normalized), ``text`` (word 4-gram F1 with the written description
  at least 0.95).

``--workday-cap N`` lowers the Workday result cap (server and spider alike), so that the
searches are split by facets as on a site with more than 2,000 jobs; ``--widget-only``
takes the v3 search away from the Workable accounts, so the v1 widget serves.

    python -m evaluation.ats_sampleweb [--postings 600] [--seed 11] [--workday-cap 2000] [--widget-only] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from evaluation.ats_real import run_crawl
from evaluation.extraction import word_ngram_f1

SPIDERS = ("greenhouse", "workday", "smartrecruiters", "workable")
FIELDS = ("title", "company", "location_raw", "date_posted", "salary", "employment_type", "text")
AS_OF = dt.date(2026, 5, 9)


def crawl(web, web_dir: Path, db: Path, spiders=SPIDERS, **settings) -> subprocess.CompletedProcess:
    from skillenai.pipeline.demo import sample_web_crawl_command

    return run_crawl(sample_web_crawl_command(web, web_dir, db), settings, spiders, timeout=1800)


def stored(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "SELECT d.url, d.spider, d.title, d.text, p.company, p.location_raw, p.date_posted, p.employment_type, "
        "p.salary_min, p.salary_max, p.salary_currency, p.salary_period "
        "FROM documents d JOIN postings p ON p.document_id = d.id WHERE d.kind = 'posting'").fetchall()
    conn.close()
    return {row["url"]: dict(row) for row in rows}


def right(field: str, truth: dict, got: dict) -> bool:
    from skillenai.core.record import normalize_employment_type

    if field == "salary":
        s = truth["salary"]
        want = (float(s["min"]), float(s["max"]), s["currency"], s["period"]) if s else (None,) * 4
        return (got["salary_min"], got["salary_max"], got["salary_currency"], got["salary_period"]) == want
    if field == "employment_type":
        return got["employment_type"] == normalize_employment_type(truth["employment_type"])
    if field == "text":
        return word_ngram_f1(got["text"], truth["description_text"]) >= 0.95
    return got[field] == truth[field]


def score(truth: list[dict], found: dict[str, dict], spiders=SPIDERS) -> dict:
    figures = {}
    for spider in spiders:
        wanted = [t for t in truth if t["spider"] == spider]
        mine = {url: row for url, row in found.items() if row["spider"] == spider}
        hits = [(t, mine[t["url"]]) for t in wanted if t["url"] in mine]
        figure = {"truth": len(wanted), "stored": len(hits), "extra": len(set(mine) - {t["url"] for t in wanted})}
        figure["documents"] = round(len(hits) / len(wanted), 3) if wanted else None
        for field in FIELDS:
            ok = [right(field, t, g) for t, g in hits]
            figure[field] = round(sum(ok) / len(wanted), 3) if wanted else None
            figure.setdefault("errors", []).extend(
                (field, t["url"], t.get(field) if field not in ("text",) else None,
                 g.get(field) if field not in ("salary", "text") else None)
                for (t, g), good in zip(hits, ok) if not good)
        figures[spider] = figure
    return figures


def evaluate(postings: int = 600, seed: int = 11, workday_cap: int | None = None, widget_only: bool = False) -> dict:
    """Figures per spider; ``workday_cap`` lowers the Workday result cap, ``widget_only``
    takes the v3 search away from every Workable account (the v1 widget serves)."""
    from skillenai.sampleweb.generate import generate
    from skillenai.sampleweb.server import SampleWebServer

    with tempfile.TemporaryDirectory() as tmp:
        web_dir = Path(tmp) / "web"
        generate(web_dir, postings=postings, seed=seed, as_of=AS_OF)
        with SampleWebServer(web_dir) as web:
            if workday_cap:
                web.workday_result_cap = workday_cap
            if widget_only:
                web.workable_widget_only = {c for c, _ in _workable_accounts(web_dir)}
            result = crawl(web, web_dir, Path(tmp) / "crawl.db")
            requests = len(web.requests)
        if result.returncode != 0:
            raise RuntimeError(f"the crawl failed ({result.returncode}): {result.stderr[-3000:]}")
        truth = [json.loads(line) for line in (web_dir / "truth" / "postings.jsonl").read_text(encoding="utf-8")
                 .splitlines() if line.strip()]
        figures = score(truth, stored(Path(tmp) / "crawl.db"))
        figures["requests"] = requests
    return figures


def _workable_accounts(web_dir: Path):
    for path in sorted((web_dir / "sites" / "workable" / "accounts").glob("*.json")):
        yield path.stem, path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workday-cap", type=int, default=None, help="the Workday result cap (default 2,000)")
    parser.add_argument("--widget-only", action="store_true", help="Workable accounts answer only the v1 widget")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = evaluate(args.postings, args.seed, args.workday_cap, args.widget_only)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{'spider':16} {'stored':>9} {'extra':>5} " + " ".join(f"{f[:10]:>10}" for f in FIELDS))
    for spider in SPIDERS:
        f = figures[spider]
        print(f"{spider:16} {f['stored']:>4}/{f['truth']:<4} {f['extra']:>5} " + " ".join(f"{f[k]:>10.3f}" for k in FIELDS))
        for error in f["errors"][:8]:
            print("   ", error)
    print(f"requests: {figures['requests']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
