"""The board spiders (recruitee, personio, bamboohr, teamtailor, pinpoint, rippling, breezy)
scored field by field, crawling over HTTP from 127.0.0.1:

- **sample web**: a web generated with ``boards="all"``, served by
  :class:`~skillenai.sampleweb.server.SampleWebServer`, against its truth
  (``truth/postings.jsonl``);
- **real**: the real saved responses in ``tests/data/ats/`` (see ``SOURCES.tsv`` there),
  served as their endpoints answer, against ``tests/data/ats/expected.jsonl``, the fields
  read by hand from the raw responses.

Each posting the spiders give is compared (documents stored in the store; postings the store
refused, such as those whose trimmed response has no description, are scored too, from the
item the spider gave): title, company, location_raw, date_posted, salary (min, max,
currency, period), employment_type (normalised) and text (the whole text against the
sample web's truth; its start against the real expectations).

    python -m evaluation.boards [--postings N] [--seed S]     both tables
"""

from __future__ import annotations

import argparse
import dataclasses
import http.server
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from pathlib import Path

from skillenai.core.record import apply_origin_map, clean_text, normalize_employment_type, normalize_period
from skillenai.crawler.seeds import BOARD_SPIDERS

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "data" / "ats"
FIELDS = ("title", "company", "location_raw", "date_posted", "salary", "employment_type", "text")
CONTENT_TYPES = {".json": "application/json; charset=utf-8", ".xml": "application/xml; charset=utf-8",
                 ".html": "text/html; charset=utf-8", ".rss": "application/rss+xml; charset=utf-8"}
# The real endpoints and the saved responses that answer them; with the seeds and settings
# that point the spiders at them.
REAL_ROUTES = {
    "/aikidosecurity/api/offers/": "recruitee/aikidosecurity__offers.json",
    "/acme/api/offers/": "recruitee/careerkit__offers_sanitized.json",
    "/acme/xml": "personio/careerkit__xml_sanitized.xml",
    "/acme/careers/list": "bamboohr/careerkit__careers_list.json",
    "/career/jobs.json": "teamtailor/teamtailor__jobs.json",
    "/acme/jobs": "rippling/careerkit__board_jobs_sanitized.json",
}
REAL_SEEDS = """spider,source,target
recruitee,Aikido Security,aikidosecurity
recruitee,Acme,acme
personio,Acme,acme
bamboohr,Acme Law,acme
teamtailor,Teamtailor,career
rippling,Acme,acme
"""


class RouteServer:
    """A real HTTP server on 127.0.0.1 (a free port) answering ``routes`` (path, without
    the query, → ``(content type, body)``) and 404 for anything else; ``origin`` is its
    ``http://127.0.0.1:PORT``, and ``requests`` the paths asked for."""

    def __init__(self, routes: dict[str, tuple[str, bytes]]):
        self.routes = routes
        self.requests: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the handler's API)
                owner.requests.append(self.path)
                found = owner.routes.get(self.path.split("?", 1)[0])
                status, ctype, body = (200, *found) if found else (404, "application/json", b'{"error": "not found"}')
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "RouteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def file_routes(routes: dict[str, str], folder: Path, rewrite: dict[str, str] | None = None) -> dict:
    """``{path: file under folder}`` → server routes, with each body's ``rewrite`` applied
    (a page's own absolute host made the local server's, as a mirror serves it)."""
    out = {}
    for path, name in routes.items():
        body = (folder / name).read_bytes()
        for old, new in (rewrite or {}).items():
            body = body.replace(old.encode(), new.encode())
        out[path] = (CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream"), body)
    return out


# Crawling ---------------------------------------------------------------------------------

def crawl(settings: dict, spiders, db: Path) -> list[dict]:
    """Crawl with ``spiders`` in a fresh process into ``db``; every posting they gave, as a
    dict of its fields (without the raw body), with ``dropped`` (the store's reason) when
    the store refused it."""
    out = db.with_suffix(".items.jsonl")
    command = [sys.executable, "-m", "evaluation.boards", "crawl", "--db", str(db), "--out", str(out),
               "--settings", json.dumps(settings), *spiders]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"crawl failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def _crawl_here(settings: dict, spiders: list[str], db: str, out: str) -> None:
    from itemadapter import ItemAdapter
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    from skillenai.crawler.run import project_settings

    rows: list[dict] = []

    def keep(item, dropped=None):
        # A stored item is the store's record (a dict); a refused one the spider's Document.
        row = {k: v for k, v in ItemAdapter(item).asdict().items() if k != "raw"}
        rows.append({**row, "dropped": dropped})

    process = CrawlerProcess(project_settings({**settings, "SKILLENAI_DB": db, "LOG_LEVEL": "WARNING"}))
    for name in spiders:
        crawler = process.create_crawler(name)
        crawler.signals.connect(lambda item, **_: keep(item), signal=signals.item_scraped, weak=False)
        crawler.signals.connect(lambda item, exception, **_: keep(item, str(exception)), signal=signals.item_dropped,
                                weak=False)
        process.crawl(crawler)
    process.start()
    Path(out).write_text("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows), encoding="utf-8")


# Scoring ----------------------------------------------------------------------------------

def _salary(row: dict) -> tuple | None:
    salary = row.get("salary")
    if isinstance(salary, dict):
        low, high, currency, period = salary.get("min"), salary.get("max"), salary.get("currency"), salary.get("period")
    else:
        low, high, currency, period = (row.get(f"salary_{k}") for k in ("min", "max", "currency", "period"))
    if low is None and high is None:
        return None
    return float(low), float(high), (currency or "").upper() or None, normalize_period(period)


def field_value(row: dict, name: str, expected: bool):
    """The value compared for field ``name`` of a posting (``expected``: a truth row)."""
    if name == "salary":
        return _salary(row)
    if name == "employment_type":
        return normalize_employment_type(row.get("employment_type"))
    if name == "date_posted":
        return (row.get("date_posted") or "")[:10] or None
    if name == "text":
        if expected and "text_start" in row:
            return row["text_start"]
        return clean_text(row.get("description_text" if expected else "text") or "")
    value = row.get(name)
    return value.strip() if isinstance(value, str) else value


@dataclasses.dataclass
class SourceScore:
    spider: str
    expected: int = 0
    found: int = 0        # postings given with an expected URL
    stored: int = 0       # of those, stored
    extra: int = 0        # postings given that nothing expected
    right: dict = dataclasses.field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list = dataclasses.field(default_factory=list)   # (url, field, expected, got), the first few

    def accuracy(self, name: str) -> float:
        return self.right[name] / self.found if self.found else 0.0


def score(items: list[dict], expected: list[dict], url_of=lambda url: url) -> dict[str, SourceScore]:
    """Per spider: the postings given (``items``, URLs through ``url_of``) against ``expected``
    rows (truth rows of the sample web, or the hand-read real expectations)."""
    scores: dict[str, SourceScore] = {}
    given: dict[str, dict] = {}
    for item in items:
        given.setdefault(url_of(item["url"]), item)
    wanted = {row["url"]: row for row in expected}
    for row in expected:
        s = scores.setdefault(row["spider"], SourceScore(row["spider"]))
        s.expected += 1
        item = given.get(row["url"])
        if item is None:
            s.misses.append((row["url"], "document", "given", "missing"))
            continue
        s.found += 1
        s.stored += item.get("dropped") is None
        for name in FIELDS:
            want, got = field_value(row, name, True), field_value(item, name, False)
            right = got.startswith(want) if name == "text" and "text_start" in row else want == got
            if right:
                s.right[name] += 1
            elif len(s.misses) < 20:
                s.misses.append((row["url"], name, want, got))
    for url, item in given.items():
        if url not in wanted:
            scores.setdefault(item["spider"], SourceScore(item["spider"])).extra += 1
    return scores


def table(scores: dict[str, SourceScore], title: str) -> str:
    lines = [title, f"{'spider':<11} {'expected':>8} {'given':>6} {'stored':>6} {'extra':>5}  "
             + " ".join(f"{f[:10]:>10}" for f in FIELDS)]
    for spider in sorted(scores):
        s = scores[spider]
        lines.append(f"{spider:<11} {s.expected:>8} {s.found:>6} {s.stored:>6} {s.extra:>5}  "
                     + " ".join(f"{s.accuracy(f):>10.3f}" for f in FIELDS))
    return "\n".join(lines)


# The two evaluations ------------------------------------------------------------------------

def sampleweb_scores(work: Path, postings: int = 200, seed: int = 3) -> dict[str, SourceScore]:
    """Generate a web with every board, crawl it with the board spiders, score against its truth."""
    from skillenai.sampleweb.generate import generate
    from skillenai.sampleweb.server import SampleWebServer

    web_dir = work / "web"
    generate(web_dir, postings=postings, seed=seed, boards="all")
    truth = [json.loads(line) for line in (web_dir / "truth" / "postings.jsonl").read_text(encoding="utf-8").splitlines()]
    truth = [t for t in truth if t["spider"] in BOARD_SPIDERS]
    with SampleWebServer(web_dir) as web:
        settings = web.crawl_settings()
        items = crawl(settings, BOARD_SPIDERS, work / "sampleweb.db")
    origin_map = settings["SKILLENAI_ORIGIN_MAP"]
    return score(items, truth, lambda url: apply_origin_map(url, origin_map))


def real_expectations() -> list[dict]:
    return [json.loads(line) for line in (REAL / "expected.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def real_settings(origin: str, seeds: Path) -> dict:
    """Settings pointing every board spider at ``origin`` (boards under ``/{board}``)."""
    return {"SKILLENAI_SEEDS": str(seeds), "SKILLENAI_ALLOWED_NETWORKS": ["127.0.0.1"],
            "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "TEAMTAILOR_FEED": "jobs.json",
            **{f"{name.upper()}_URL": origin + "/{board}" for name in BOARD_SPIDERS}}


def real_scores(work: Path) -> tuple[dict[str, SourceScore], list[dict]]:
    """Crawl the real saved responses with the board spiders; scores and the postings given."""
    seeds = work / "real-seeds.csv"
    seeds.write_text(REAL_SEEDS, encoding="utf-8")
    with RouteServer(file_routes(REAL_ROUTES, REAL)) as server:
        spiders = sorted({line.split(",")[0] for line in REAL_SEEDS.splitlines()[1:]})
        items = crawl(real_settings(server.origin, seeds), spiders, work / "real.db")
    def url_of(url):
        return url.replace(server.origin, "{origin}")
    return score(items, real_expectations(), url_of), items


def stored_count(db: Path, spider: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM documents WHERE spider = ? AND kind = 'posting'", [spider]).fetchone()[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.boards", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("crawl", help="(internal) crawl in this process, writing the postings given")
    run.add_argument("--db", required=True)
    run.add_argument("--out", required=True)
    run.add_argument("--settings", required=True)
    run.add_argument("spiders", nargs="+")
    parser.add_argument("--postings", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    if args.command == "crawl":
        _crawl_here(json.loads(args.settings), args.spiders, args.db, args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        scores = sampleweb_scores(work, args.postings, args.seed)
        print(table(scores, f"sample web ({args.postings} postings, seed {args.seed}, boards=all): field accuracy"))
        real, _items = real_scores(work)
        print()
        print(table(real, "real saved responses (tests/data/ats): field accuracy against expected.jsonl"))
        misses = defaultdict(list)
        for s in [*scores.values(), *real.values()]:
            misses[s.spider] += s.misses
        for spider, rows in sorted(misses.items()):
            for url, name, want, got in rows[:5]:
                print(f"  {spider} {url[:90]} {name}: expected {str(want)[:80]!r}, got {str(got)[:80]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
