"""The ATS spiders crawling real saved API responses, scored field by field.

``evaluation/data/ats/responses/`` holds real responses of Workday, SmartRecruiters,
Workable and Greenhouse (see its README for where each comes from). A local HTTP server
on 127.0.0.1 answers the spiders' requests with them (:data:`ROUTES`; a request no saved
response answers gets a 404, as a source without that endpoint would), the spiders crawl
it through ``skillenai crawl`` with their API base URLs pointed at it, and each stored
posting is compared with ``evaluation/data/ats/expected.jsonl``: the values the raw JSON
gives, written down by hand. Figures per spider:

- ``documents``: postings stored / expected, and ``extra`` (stored, not expected);
- a share right for each field: ``title``, ``company``, ``location_raw``, ``date_posted``,
  ``salary`` (min, max, currency, period together), ``employment_type``, ``requisition_id``,
  ``text`` (every expected snippet in the stored text, nothing of the markup left).

Workday's relative dates ("Posted Yesterday") count from ``SKILLENAI_RUN_DATE``, fixed
here at :data:`RUN_DATE`. CI holds the figures to ``evaluation/ats_floors.json``.

    python -m evaluation.ats_real [--json]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "ats"
RESPONSES = DATA / "responses"
EXPECTED = DATA / "expected.jsonl"
FLOORS_FILE = HERE / "ats_floors.json"
RUN_DATE = "2026-08-08"  # the day the 2026 captures were added to their source repository
SPIDERS = ("workday", "smartrecruiters", "workable", "greenhouse")
FIELDS = ("title", "company", "location_raw", "date_posted", "salary", "employment_type", "requisition_id", "text")

SOURCES = [
    ("workday", "Salesforce", "https://salesforce.wd12.myworkdayjobs.com/External_Career_Site"),
    ("workday", "Adobe", "https://adobe.wd5.myworkdayjobs.com/en-US/external_experienced"),
    ("smartrecruiters", "Automation Anywhere", "AutomationAnywhere1"),
    ("smartrecruiters", "Knight Gayles", "Knight"),
    ("workable", "Vasion", "vasion"),
    ("workable", "Zaelab", "zaelab"),
    ("greenhouse", "Amplitude", "amplitude"),
    ("greenhouse", "Honeycomb", "honeycomb"),
    ("greenhouse", "Anthropic", "anthropic"),
]

# (method, path, query that must match, saved response). The Adobe detail was saved
# without its listing: the listing that leads to it is made from the detail's own
# externalUrl, title and postedOn (ADOBE_LISTING), nothing else.
ROUTES = [
    ("POST", "/wday/cxs/salesforce/External_Career_Site/jobs", {}, "workday/salesforce__cxs_jobs.json"),
    ("POST", "/wday/cxs/adobe/external_experienced/jobs", {}, "ADOBE_LISTING"),
    ("GET", "/wday/cxs/adobe/external_experienced/job/New-York/Finance-Lead---GTM-Finance_R157099", {},
     "workday/adobe__cxs_job_detail.json"),
    ("GET", "/v1/companies/AutomationAnywhere1/postings", {"offset": "0"},
     "smartrecruiters/AutomationAnywhere1__postings_page0.json"),
    ("GET", "/v1/companies/AutomationAnywhere1/postings", {"offset": "3"},
     "smartrecruiters/AutomationAnywhere1__postings_page1.json"),
    ("GET", "/v1/companies/AutomationAnywhere1/postings/743999706414750", {},
     "smartrecruiters/AutomationAnywhere1__posting_detail.json"),
    ("GET", "/v1/companies/Knight/postings", {"offset": "0"}, "smartrecruiters/Knight__postings.json"),
    ("GET", "/api/v1/widget/accounts/vasion", {"details": "true"}, "workable/vasion__widget_accounts.json"),
    ("GET", "/api/v1/widget/accounts/zaelab", {"details": "true"}, "workable/zaelab__widget_accounts.json"),
    ("GET", "/v1/boards/amplitude/jobs", {"content": "true"}, "greenhouse/amplitude__jobs_content.json"),
    ("GET", "/v1/boards/honeycomb/jobs", {"content": "true"}, "greenhouse/honeycomb__jobs_content.json"),
    ("GET", "/v1/boards/anthropic/jobs", {"content": "true"}, "greenhouse/anthropic__jobs_content_recruitai.json"),
]


def adobe_listing() -> bytes:
    info = json.loads((RESPONSES / "workday" / "adobe__cxs_job_detail.json").read_text(encoding="utf-8"))["jobPostingInfo"]
    path = "/job/" + info["externalUrl"].split("/job/", 1)[1]
    return json.dumps({"total": 1, "jobPostings": [{"title": info["title"], "externalPath": path,
                                                    "locationsText": info["location"], "postedOn": info["postedOn"]}],
                       "facets": []}).encode()


class SavedResponses(ThreadingHTTPServer):
    """Answers :data:`ROUTES` on 127.0.0.1 (a free port); ``requests`` lists (method, path, status)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str, int]] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    def answer(self, method: str, target: str) -> tuple[int, bytes]:
        parts = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        for route_method, path, wanted, name in ROUTES:
            if method == route_method and parts.path.rstrip("/") == path and all(
                    query.get(k) == v for k, v in wanted.items()):
                body = adobe_listing() if name == "ADOBE_LISTING" else (RESPONSES / name).read_bytes()
                return 200, body
        return 404, b'{"error": "not found"}'


class _Handler(BaseHTTPRequestHandler):
    def _reply(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/robots.txt":
            status, body = 200, b"User-agent: *\nDisallow:\n"
        else:
            status, body = self.server.answer(self.command, self.path)
        self.server.requests.append((self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply

    def log_message(self, *args):
        pass


class KeepItems:
    """An item pipeline, ahead of the project's, that writes every item a spider yields
    to ``ATS_EVAL_ITEMS`` (JSON Lines): what the spider made, before the store takes or
    drops it (a posting without text is dropped)."""

    def __init__(self, path: str):
        self.handle = open(path, "a", encoding="utf-8")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("ATS_EVAL_ITEMS"))

    def process_item(self, item, spider=None):
        from itemadapter import ItemAdapter

        row = {k: v for k, v in ItemAdapter(item).asdict().items() if k != "raw"}
        self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.handle.flush()
        return item

    def close_spider(self, spider=None):
        self.handle.close()


def crawl(db: Path, server: SavedResponses) -> subprocess.CompletedProcess:
    """``skillenai crawl`` of :data:`SOURCES` against ``server`` into ``db``; the spiders'
    items also go to ``items.jsonl`` beside it."""
    from skillenai.crawler import settings as project

    pipelines = dict(project.ITEM_PIPELINES, **{"evaluation.ats_real.KeepItems": 50})
    seeds = db.parent / "seeds.csv"
    seeds.write_text("spider,source,target\n" + "".join(f"{s},{n},{t}\n" for s, n, t in SOURCES), encoding="utf-8")
    settings = {
        "WORKDAY_API_URL": server.origin, "SMARTRECRUITERS_API_URL": server.origin + "/v1/companies",
        "WORKABLE_API_URL": server.origin, "GREENHOUSE_API_URL": server.origin + "/v1/boards",
        "SKILLENAI_ALLOWED_NETWORKS": ["127.0.0.1"], "SKILLENAI_RUN_DATE": RUN_DATE,
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_ENABLED": False,
        # Most saved captures lack the detail responses: their 404s are expected here.
        "SKILLENAI_MONITOR_MAX_ERROR_RATE": 1.0, "SKILLENAI_MONITOR_MAX_DROP_RATE": 1.0,
        "SKILLENAI_MONITOR_MIN_ITEMS": 0, "ITEM_PIPELINES": pipelines, "ATS_EVAL_ITEMS": str(db.parent / "items.jsonl"),
    }
    command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db), "--seeds", str(seeds)]
    return run_crawl(command, settings, SPIDERS)


def run_crawl(command: list[str], settings: dict, spiders, timeout: int = 600) -> subprocess.CompletedProcess:
    """``command`` (a ``skillenai crawl``) run with ``settings`` and only ``spiders``."""
    for key, value in settings.items():
        command += ["--set", f"{key}={json.dumps(value)}"]
    for spider in spiders:
        command += ["--spider", spider]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def yielded(db: Path) -> dict[str, dict]:
    """The postings the spiders yielded, by URL, their fields normalized as the store
    normalizes them, each marked ``stored`` when the store kept it."""
    from skillenai.core.record import InvalidRecord, normalize_record

    conn = sqlite3.connect(db)
    kept = {url for (url,) in conn.execute("SELECT url FROM documents WHERE kind = 'posting'")}
    conn.close()
    found = {}
    for line in (db.parent / "items.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        try:  # a posting without text is dropped by the store, but its other fields are scored
            row = dict(normalize_record({**item, "text": item.get("text") or "-"}), text=item.get("text"))
        except InvalidRecord:
            row = dict(item)
        row["stored"] = row["url"] in kept
        found[row["url"]] = row
    return found


def read_expected() -> list[dict]:
    return [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines() if line.strip()]


def field_right(field: str, want: dict, got: dict) -> bool:
    if field == "salary":
        salary = want.get("salary")
        have = (got["salary_min"], got["salary_max"], got["salary_currency"], got["salary_period"])
        return have == ((salary["min"], salary["max"], salary["currency"], salary["period"]) if salary else (None,) * 4)
    if field == "text":
        text = got["text"] or ""
        return all(snippet in text for snippet in want["text_has"]) and "<p>" not in text and "&lt;" not in text
    return got[field] == want.get(field)


def score(expected: list[dict], found: dict[str, dict]) -> dict:
    figures = {}
    for spider in SPIDERS:
        wanted = [w for w in expected if w["spider"] == spider]
        mine = {url: row for url, row in found.items() if row["spider"] == spider}
        hits = [(w, mine[w["url"]]) for w in wanted if w["url"] in mine]
        figure = {"expected": len(wanted), "yielded": len(hits), "stored": sum(g["stored"] for _, g in hits),
                  "extra": sorted(set(mine) - {w["url"] for w in wanted})}
        figure["documents"] = round(len(hits) / len(wanted), 3) if wanted else None
        errors = []
        for field in FIELDS:
            right = [field_right(field, w, g) for w, g in hits]
            figure[field] = round(sum(right) / len(wanted), 3) if wanted else None
            errors += [(field, w["url"], w.get(field if field != "text" else "text_has"),
                        g.get(field) if field not in ("salary", "text") else
                        (g["text"] or "")[:120] if field == "text" else
                        (g["salary_min"], g["salary_max"], g["salary_currency"], g["salary_period"]))
                       for (w, g), ok in zip(hits, right) if not ok]
        figure["errors"] = errors
        figures[spider] = figure
    return figures


def evaluate() -> dict:
    with tempfile.TemporaryDirectory() as tmp, SavedResponses() as server:
        db = Path(tmp) / "ats.db"
        result = crawl(db, server)
        if result.returncode != 0:
            raise RuntimeError(f"the crawl failed ({result.returncode}): {result.stderr[-3000:]}")
        figures = score(read_expected(), yielded(db))
        figures["requests"] = len(server.requests)
    return figures


def floors() -> dict:
    return json.loads(FLOORS_FILE.read_text(encoding="utf-8"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = evaluate()
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{'spider':16} {'yielded':>8} {'stored':>6} " + " ".join(f"{f[:10]:>10}" for f in FIELDS))
    for spider in SPIDERS:
        f = figures[spider]
        print(f"{spider:16} {f['yielded']:>4}/{f['expected']:<3} {f['stored']:>6} "
              + " ".join(f"{f[k]:>10.3f}" for k in FIELDS))
        for error in f["errors"]:
            print("   ", error)
        if f["extra"]:
            print("    extra:", f["extra"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
