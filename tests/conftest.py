import collections
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from skillenai.store.db import open_db

# The day the sample store's figures are computed for (its newest postings are from then).
SAMPLE_AS_OF = dt.date(2026, 5, 9)


@pytest.fixture
def fresh_db():
    db = open_db(":memory:")
    yield db
    db.close()


@pytest.fixture
def posting_record():
    """A valid ingest/crawler record for a posting; tests change one field at a time."""
    return {
        "url": "https://boards.example.com/acme/jobs/123?utm_source=feed",
        "kind": "posting",
        "spider": "greenhouse",
        "source": "acme",
        "title": "Senior Backend Engineer",
        "text": "We are hiring a backend engineer.\nYou will work with Python 3 and PostgreSQL on distributed systems.",
        "company": "Acme Robotics",
        "location_raw": "San Francisco, CA",
        "employment_type": "FULL_TIME",
        "salary_min": "140000",
        "salary_max": 180000,
        "salary_currency": "usd",
        "salary_period": "YEAR",
        "date_posted": "2026-05-01T09:30:00-07:00",
    }


# -- the sample store (metrics, serve, SQL and browser tests) -------------------------------

def build_sample_store(path: Path, postings: int = 240, seed: int = 11) -> Path:
    """A tagged store from the sample web's ground truth (with the stated pay); duplicates of a truth cluster are
    non-canonical (the earliest posting is canonical), a few postings lose their date, and a
    syndicated article copy is non-canonical. Returns the store's path."""
    from skillenai.core.record import normalize_record
    from skillenai.pipeline.tagging import classify_store
    from skillenai.sampleweb.generate import generate
    from skillenai.store.documents import upsert_documents

    web = path.parent / "web"
    generate(web, postings=postings, seed=seed, as_of=SAMPLE_AS_OF)
    truth = [json.loads(line) for line in (web / "truth" / "postings.jsonl").read_text().splitlines()]
    articles = [json.loads(line) for line in (web / "truth" / "articles.jsonl").read_text().splitlines()]
    records = [normalize_record({
        "url": t["url"], "kind": "posting", "title": t["title"], "text": t["description_text"],
        "company": t["company"], "location_raw": t["location_raw"], "date_posted": t["date_posted"],
        "spider": t["spider"], "source": t["source"],
        **({f"salary_{k}": v for k, v in t["salary"].items()} if t.get("salary") else {})}) for t in truth]
    records += [normalize_record({
        "url": a["url"], "kind": "article", "title": a["title"], "text": a["body"], "published_at": a["date"],
        "spider": "articles", "source": a["site"]}) for a in articles]
    db = open_db(path)
    upsert_documents(db, records, now="2026-05-09T12:00:00Z")
    classify_store(db)
    ids = {t["url"]: r["id"] for t, r in zip(truth, records)}
    clusters = collections.defaultdict(list)
    for t in truth:
        clusters[t["cluster"]].append((t["date_posted"], ids[t["url"]]))
    with db.conn:
        for members in clusters.values():
            members.sort()
            for _, doc_id in members[1:]:
                db.conn.execute("UPDATE documents SET is_canonical = 0, cluster_id = ? WHERE id = ?",
                                [members[0][1], doc_id])
        # Undated postings count by the day they were first seen (unique_postings.date_posted).
        undated = [r["id"] for r in records[:postings:17]]
        for i, doc_id in enumerate(undated):
            db.conn.execute("UPDATE postings SET date_posted = NULL WHERE document_id = ?", [doc_id])
            db.conn.execute("UPDATE documents SET first_seen = ? WHERE id = ?",
                            [f"{SAMPLE_AS_OF - dt.timedelta(days=3 * i)}T10:00:00Z", doc_id])
        art = [r["id"] for r in records[len(truth):]]
        db.conn.execute("UPDATE documents SET is_canonical = 0, cluster_id = ? WHERE id = ?", [art[0], art[1]])
    db.close()
    return path


@pytest.fixture(scope="session")
def make_sample_store(tmp_path_factory):
    """A function giving a fresh copy of the sample store, which is built once per session."""
    cached = tmp_path_factory.mktemp("metrics-sample") / "store.db"
    build_sample_store(cached)

    def copy() -> Path:
        path = tmp_path_factory.mktemp("store") / "store.db"
        shutil.copy(cached, path)
        return path

    return copy


# -- a webhook that receives what the monitors POST -------------------------------------------

class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 (a free port) that keeps every JSON POST it receives
    and answers with ``status``."""

    def __init__(self, status: int = 204):
        import http.server
        import threading

        received = self.received = []
        self.status = status
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                 "json": json.loads(body)})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/crawl"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="session")
def checkout_copy(tmp_path_factory) -> Path:
    """A copy of this checkout's sources to build packages from: a build in the tree leaves
    build/ and *.egg-info in it, and a later install from the tree then finds the package
    already there."""
    root = Path(__file__).resolve().parent.parent
    source = tmp_path_factory.mktemp("source") / "repo"
    shutil.copytree(root, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "*.db", "results"))
    return source
