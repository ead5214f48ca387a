"""A hostile site crawled for real: it may not overwrite other sites' documents, flood the
store, or lead the crawler to internal hosts.

Two local servers: the hostile site on 127.0.0.1 (stored as ``careers.evil.example`` through
the origin map, the way the sample web is stored under its own names) and an "internal"
host on 127.0.0.2 that it links and redirects to. Only 127.0.0.1 is allowed, as the
sample-web settings allow it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from skillenai.core.record import normalize_record
from skillenai.store.db import open_db
from skillenai.store.documents import upsert_documents

ROOT = Path(__file__).resolve().parents[1]
TEXT = "You will build data pipelines in Python and SQL, and run them on Kubernetes with the team."
VICTIM_POSTING = "https://boards.greenhouse.io/victim/jobs/1"
VICTIM_ARTICLE = "https://blog.victim.example/2026/hiring-report"


def posting(title: str, url: str | None) -> dict:
    block = {"@context": "https://schema.org", "@type": "JobPosting", "title": title, "description": TEXT,
             "datePosted": "2026-05-01", "hiringOrganization": {"@type": "Organization", "name": "Evil Corp"},
             "jobLocation": {"@type": "Place", "address": {"addressLocality": "Berlin", "addressCountry": "DE"}}}
    if url:
        block["url"] = url
    return block


def page(blocks: list[dict], head: str = "") -> bytes:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(b)}</script>' for b in blocks)
    return (f"<!doctype html><html lang='en'><head><title>Jobs</title>{head}{scripts}</head>"
            f"<body><main><h1>Jobs</h1><p>{TEXT}</p></main></body></html>").encode()


ARTICLE = ("<!doctype html><html lang='en'><head><title>Hiring in 2026</title>"
           f"<link rel='canonical' href='{VICTIM_ARTICLE}'></head><body><article><h1>Hiring in 2026</h1>"
           + "".join(f"<p>Paragraph {i}: employers asked for Python, SQL and cloud skills more often this quarter "
                     "than in any quarter before, and the share of remote roles held steady.</p>" for i in range(8))
           + "</article></body></html>").encode()


class Site(BaseHTTPRequestHandler):
    pages: dict[str, tuple[int, dict, bytes]] = {}
    hits: list[str] = []

    def do_GET(self):
        type(self).hits.append(f"{self.server.server_address[0]}{self.path}")
        status, headers, body = self.pages.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(host: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    evil, internal = serve("127.0.0.1"), serve("127.0.0.2")
    origin = f"http://127.0.0.1:{evil.server_port}"
    secret = f"http://127.0.0.2:{internal.server_port}/secret/"
    html, xml = {"Content-Type": "text/html; charset=utf-8"}, {"Content-Type": "application/xml"}
    flood = [posting(f"Flood job {i}", f"https://site{i % 3}.example/jobs/{i}") for i in range(30)]
    urls = ["/jobs/hijack/", "/jobs/flood/", "/jobs/redirect/", "/jobs/relative/"]
    sitemap = "".join(f"<url><loc>{origin}{u}</loc></url>" for u in urls) + f"<url><loc>{secret}</loc></url>"
    Site.pages = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, f"User-agent: *\nSitemap: {origin}/sitemap.xml\n".encode()),
        "/sitemap.xml": (200, xml, f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{sitemap}</urlset>'.encode()),
        "/jobs/hijack/": (200, html, page([posting("Hijacked posting", VICTIM_POSTING)])),
        "/jobs/flood/": (200, html, page(flood)),
        "/jobs/redirect/": (302, {"Location": secret}, b""),
        "/jobs/relative/": (200, html, page([posting("Own posting", "/jobs/relative/?utm_source=x")])),
        "/secret/": (200, html, page([posting("Internal admin page", None)])),
        "/feed.xml": (200, {"Content-Type": "application/rss+xml"},
                      f"<rss version='2.0'><channel><item><title>Hiring in 2026</title><link>{origin}/blog/hiring/</link>"
                      "</item></channel></rss>".encode()),
        "/blog/hiring/": (200, html, ARTICLE),
    }
    work = tmp_path_factory.mktemp("hostile")
    db_path = work / "store.db"
    db = open_db(db_path)
    upsert_documents(db, [
        normalize_record({"url": VICTIM_POSTING, "kind": "posting", "title": "Data Engineer", "text": TEXT,
                          "spider": "greenhouse", "source": "Victim", "company": "Victim Inc"}),
        normalize_record({"url": VICTIM_ARTICLE, "kind": "article", "title": "The victim's report", "text": TEXT,
                          "spider": "articles", "source": "Victim blog"}),
    ])
    db.close()
    seeds = work / "sources.csv"
    seeds.write_text(f"spider,source,target\njobpostings,Evil,{origin}/\narticles,Evil blog,{origin}/feed.xml\n")
    settings = {"SKILLENAI_ORIGIN_MAP": {origin: "http://careers.evil.example"},
                "SKILLENAI_ALLOWED_NETWORKS": ["127.0.0.1"], "SKILLENAI_MAX_POSTINGS_PER_PAGE": 10,
                "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "SKILLENAI_PARSE_WORKERS": 0}
    command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db_path), "--seeds", str(seeds),
               "--spider", "jobpostings", "--spider", "articles"]
    for key, value in settings.items():
        command += ["--set", f"{key}={json.dumps(value)}"]
    Site.hits = []
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)
        # No allow list: the same site named "localhost" is refused after resolution.
        bare_seeds = work / "bare.csv"
        bare_seeds.write_text(f"spider,source,target\njobpostings,Local,http://localhost:{evil.server_port}/sitemap.xml\n")
        subprocess.run([sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(work / "bare.db"),
                        "--seeds", str(bare_seeds), "--spider", "jobpostings"],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    finally:
        evil.shutdown()
        internal.shutdown()
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    bare_conn = sqlite3.connect(work / "bare.db")
    return {"conn": conn, "bare": bare_conn, "hits": list(Site.hits), "stderr": result.stderr}


def issues(conn, reason: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT url, detail FROM crawl_issues WHERE reason = ?", [reason]).fetchall()


def test_a_page_cannot_overwrite_another_sites_documents(crawled):
    conn = crawled["conn"]
    victim = conn.execute("SELECT title, kind, spider FROM documents WHERE canonical_url = ?", [VICTIM_POSTING]).fetchone()
    assert tuple(victim) == ("Data Engineer", "posting", "greenhouse")
    article = conn.execute("SELECT title, kind FROM documents WHERE canonical_url = ?", [VICTIM_ARTICLE]).fetchone()
    assert tuple(article) == ("The victim's report", "article")
    # Stored under the pages' own URLs, with the foreign ones recorded as references.
    hijack = conn.execute("SELECT canonical_url FROM documents WHERE title = 'Hijacked posting'").fetchone()
    assert hijack[0] == "http://careers.evil.example/jobs/hijack/"
    assert conn.execute("SELECT kind FROM documents WHERE canonical_url = 'http://careers.evil.example/blog/hiring/'"
                        ).fetchone()[0] == "article"
    details = " ".join(row["detail"] for row in issues(conn, "foreign_canonical"))
    assert VICTIM_POSTING in details and VICTIM_ARTICLE in details
    # A relative JSON-LD url on the page's own site still names the posting.
    assert conn.execute("SELECT 1 FROM documents WHERE canonical_url = 'http://careers.evil.example/jobs/relative/'"
                        ).fetchone()


def test_postings_per_page_are_capped_and_the_excess_reported(crawled):
    conn = crawled["conn"]
    hosts = {row[0].split("/")[2] for row in conn.execute("SELECT canonical_url FROM documents WHERE spider = 'jobpostings'")}
    assert hosts == {"careers.evil.example"}
    # The ten kept postings all name foreign URLs, so they share the page's own: one is stored.
    assert conn.execute("SELECT COUNT(*) FROM documents WHERE title LIKE 'Flood job %'").fetchone()[0] == 1
    [cut] = issues(conn, "too_many_postings")
    assert "30 postings" in cut["detail"] and "first 10" in cut["detail"]
    assert len(issues(conn, "duplicate_on_page")) == 9


def test_internal_hosts_are_refused_and_reported(crawled):
    conn = crawled["conn"]
    assert not any(hit.startswith("127.0.0.2") for hit in crawled["hits"])
    assert not conn.execute("SELECT 1 FROM documents WHERE title = 'Internal admin page'").fetchone()
    [refused] = issues(conn, "internal_address")
    assert refused["url"].endswith("/secret/") and "loopback" in refused["detail"]
    [off_site] = issues(conn, "off_site_link")  # the sitemap's link to another host is not followed
    assert "1 sitemap entries" in off_site["detail"]
    # Without an allow list, a name resolving to loopback is refused before anything is fetched.
    assert crawled["bare"].execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0
    [(url, detail)] = crawled["bare"].execute(
        "SELECT url, detail FROM crawl_issues WHERE reason = 'internal_address'").fetchall()
    assert "localhost resolves to 127.0.0.1, a loopback address" in detail
