"""Retries back off as servers ask: Retry-After honoured, then the normal pace again."""

import json
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from skillenai.crawler.middlewares import retry_after_seconds

ROOT = Path(__file__).parent.parent
BOARD = {"jobs": [{"id": 1, "title": "Platform Engineer", "absolute_url": "https://boards.example/acme/jobs/1",
                   "location": {"name": "Berlin, Germany"}, "updated_at": "2026-05-01T10:00:00Z",
                   "content": "&lt;p&gt;Run Kubernetes and Terraform for our platform team in Berlin.&lt;/p&gt;"}]}


class RateLimited(BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        self.hits.append((time.monotonic(), self.path))
        if self.path.startswith("/robots.txt"):
            self.send_response(404)
            self.end_headers()
            return
        if len([h for h in self.hits if not h[1].startswith("/robots")]) <= 2:
            self.send_response(429)
            self.send_header("Retry-After", "2")
            self.end_headers()
            return
        body = json.dumps(BOARD).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_429_with_retry_after_is_waited_out_and_the_job_stored(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), RateLimited)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    db = tmp_path / "s.db"
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "greenhouse", "-a", "source=Acme", "-a", "target=acme",
             "-s", f"GREENHOUSE_API_URL=http://127.0.0.1:{server.server_port}/v1/boards",
             "-s", f"SKILLENAI_DB={db}", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
             "-s", "SKILLENAI_ALLOWED_NETWORKS=127.0.0.1"],
            capture_output=True, text=True, cwd=ROOT, timeout=120)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    api_hits = [t for t, path in RateLimited.hits if path.startswith("/v1/")]
    assert len(api_hits) == 3
    assert api_hits[1] - api_hits[0] >= 1.9 and api_hits[2] - api_hits[1] >= 1.9
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT title FROM documents").fetchall() == [("Platform Engineer",)]
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs").fetchone()[0])
    assert stats["retry/retry_after_honoured"] == 2


def test_retry_after_values():
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
