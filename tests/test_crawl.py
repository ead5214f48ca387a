"""Real crawls of a generated sample web served on 127.0.0.1, scored against its truth."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from skillenai.crawler.seeds import CORE_SPIDERS
from skillenai.pipeline.demo import sample_web_settings
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer

POSTINGS = 150


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def web_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("web")
    generate(directory, postings=POSTINGS, seed=11, as_of=dt.date(2026, 5, 9))
    return directory


@pytest.fixture(scope="session")
def web(web_dir):
    with SampleWebServer(web_dir) as server:
        yield server


def run_crawl(web, web_dir: Path, db: Path, seeds: Path | None = None, spiders=()) -> subprocess.CompletedProcess:
    settings = sample_web_settings(web, web_dir, str(db))
    command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db),
               "--seeds", str(seeds or settings.pop("SKILLENAI_SEEDS"))]
    settings.pop("SKILLENAI_SEEDS", None)
    settings.pop("SKILLENAI_DB")
    for key, value in settings.items():
        command += ["--set", f"{key}={json.dumps(value)}"]
    for spider in spiders:
        command += ["--spider", spider]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def crawled(web, web_dir, tmp_path_factory):
    """One crawl of the whole sample web with every spider, then a second identical one."""
    db = tmp_path_factory.mktemp("store") / "crawl.db"
    first = run_crawl(web, web_dir, db)
    assert first.returncode == 0, first.stderr[-3000:]
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    snapshot = {
        "documents": conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
        "last_seen": dict(conn.execute("SELECT id, last_seen FROM documents").fetchall()),
        "seq": conn.execute("SELECT MAX(seq) FROM documents").fetchone()[0],
    }
    requests_after_first = len(web.requests)
    second = run_crawl(web, web_dir, db)
    assert second.returncode == 0, second.stderr[-3000:]
    return {"db": conn, "first": first, "second": second, "before": snapshot,
            "requests_after_first": requests_after_first}


def stored_postings(conn) -> dict[str, sqlite3.Row]:
    rows = conn.execute(
        "SELECT d.url, d.spider, d.title, p.company, p.location_raw, p.date_posted, d.extraction "
        "FROM documents d JOIN postings p ON p.document_id = d.id WHERE d.kind = 'posting'"
    ).fetchall()
    return {row["url"]: row for row in rows}


@pytest.mark.parametrize("spider", ["greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable",
                                    "jobpostings"])
def test_each_spider_stores_exactly_its_truth_postings(crawled, web_dir, spider):
    truth = {t["url"]: t for t in read_jsonl(web_dir / "truth" / "postings.jsonl") if t["spider"] == spider}
    assert truth, f"the sample web has no {spider} postings"
    stored = {url: row for url, row in stored_postings(crawled["db"]).items() if row["spider"] == spider}
    assert set(stored) == set(truth)
    for url, expected in truth.items():
        row = stored[url]
        assert row["title"] == expected["title"], url
        assert row["company"] == expected["company"], url
        if expected["structured"] != "broken":  # its place was only in the broken block
            assert row["location_raw"] == expected["location_raw"], url
        assert row["date_posted"] == expected["date_posted"], url


def test_articles_are_stored_with_title_author_date(crawled, web_dir):
    truth = {t["url"]: t for t in read_jsonl(web_dir / "truth" / "articles.jsonl")}
    rows = crawled["db"].execute(
        "SELECT url, title, author, published_at, lang, text FROM documents WHERE kind = 'article'").fetchall()
    stored = {row["url"]: row for row in rows}
    assert set(stored) == set(truth)
    for url, expected in truth.items():
        assert stored[url]["title"] == expected["title"], url
        assert stored[url]["author"] == expected["author"], url
        assert (stored[url]["published_at"] or "")[:10] == expected["date"], url
        assert stored[url]["lang"] == expected["lang"], url


def test_article_text_quality(crawled, web_dir):
    from evaluation.extraction import word_ngram_f1

    truth = {t["url"]: t for t in read_jsonl(web_dir / "truth" / "articles.jsonl")}
    texts = dict(crawled["db"].execute("SELECT url, text FROM documents WHERE kind = 'article'").fetchall())
    scores = [word_ngram_f1(texts[url], t["body"]) for url, t in truth.items()]
    assert min(scores) >= 0.6
    assert sum(scores) / len(scores) >= 0.9


def test_second_crawl_adds_nothing_and_moves_last_seen(crawled):
    conn, before = crawled["db"], crawled["before"]
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == before["documents"]
    assert conn.execute("SELECT MAX(seq) FROM documents").fetchone()[0] == before["seq"]
    moved = [doc_id for doc_id, seen in conn.execute("SELECT id, last_seen FROM documents")
             if seen >= before["last_seen"][doc_id]]
    assert len(moved) == before["documents"]
    runs = conn.execute("SELECT spider, items_new, items_stored, outcome, stats FROM crawl_runs ORDER BY id").fetchall()
    assert len(runs) == 2 * len(CORE_SPIDERS)  # the sample web has sources for these
    second = runs[len(CORE_SPIDERS):]
    # Boards and pages that answer 304 Not Modified are re-seen without being stored again.
    reseen = [r["items_stored"] + json.loads(r["stats"]).get("skillenai/incremental/unchanged_documents", 0)
               for r in second]
    assert all(r["items_new"] == 0 for r in second) and all(reseen)
    assert all(r["outcome"] == "finished" for r in runs)


def test_robots_disallowed_paths_are_never_requested(crawled, web, web_dir):
    disallowed = read_jsonl(web_dir / "truth" / "disallowed.jsonl")
    assert disallowed
    requested = {(site, path.split("?", 1)[0]) for site, _method, path, _status in web.requests}
    hits = [d for d in disallowed if (d["site"], d["path"].split("?", 1)[0]) in requested]
    assert hits == []


def test_malformed_json_ld_is_logged_and_skipped_page_kept(crawled, web_dir):
    broken = [t for t in read_jsonl(web_dir / "truth" / "postings.jsonl") if t["structured"] == "broken"]
    issues = crawled["db"].execute(
        "SELECT url, detail FROM crawl_issues WHERE reason = 'malformed_json_ld'").fetchall()
    assert issues, "no malformed JSON-LD block was reported"
    assert all("JSON-LD block" in row["detail"] for row in issues)
    stored = stored_postings(crawled["db"])
    assert all(t["url"] in stored for t in broken)


def test_no_page_is_fetched_twice_in_one_crawl(crawled):
    # Each crawl is one Scrapy process with its own duplicate filter.
    first = crawled["db"].execute("SELECT spider, stats FROM crawl_runs ORDER BY id LIMIT 5").fetchall()
    for row in first:
        stats = json.loads(row["stats"])
        assert stats.get("dupefilter/filtered", 0) >= 0
        assert stats.get("log_count/ERROR", 0) == 0, row["spider"]


def test_bad_seed_rows_are_reported_and_good_rows_crawled(web, web_dir, tmp_path):
    local = (web_dir / "seeds.local.csv").read_text(encoding="utf-8").splitlines()
    header, rows = local[0], local[1:]
    ashby_rows = [r for r in rows if r.startswith("ashby,")]
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("\n".join([header, "ashby,Broken Row,not a token!", "ashby,too,many,fields",
                                *ashby_rows]) + "\n", encoding="utf-8")
    db = tmp_path / "seeds.db"
    result = run_crawl(web, web_dir, db, seeds=seeds, spiders=["ashby"])
    # The good rows are crawled, and the scheduler hears of the bad ones (a monitor fails).
    assert result.returncode == 1, result.stderr[-2000:]
    assert "monitor FAILED: sources file: unusable rows skipped (the first: " in result.stderr
    conn = sqlite3.connect(db)
    issues = conn.execute("SELECT url, detail FROM crawl_issues WHERE reason = 'bad_seed_row'").fetchall()
    assert sorted(url for url, _ in issues) == [f"{seeds}:2", f"{seeds}:3"]
    truth = [t for t in read_jsonl(web_dir / "truth" / "postings.jsonl") if t["spider"] == "ashby"]
    assert conn.execute("SELECT COUNT(*) FROM documents WHERE spider = 'ashby'").fetchone()[0] == len(truth)


def test_summary_is_printed(crawled):
    out = crawled["first"].stdout
    assert "Documents stored by spider and kind" in out
    counts = Counter(line.split()[0] for line in out.splitlines() if line.startswith("  ") and len(line.split()) == 3)
    assert counts


def test_pages_parse_the_same_in_worker_processes_and_in_the_callback():
    import asyncio
    import os

    from skillenai.crawler.parsing import parsepool

    html = (b'<html><head><title>Notes</title></head><body><article><h1>Hiring notes</h1>'
            + b"<p>We looked at how teams hire data engineers this year and what they ask for.</p>" * 30
            + b"</article></body></html>")

    async def both():
        here = await parsepool.run_parse(0, parsepool.parse_page, html, "https://blog.example/notes", "text/html")
        there = await parsepool.run_parse(1, parsepool.parse_page, html, "https://blog.example/notes", "text/html")
        pids = await parsepool.run_parse(1, os.getpid)
        return here, there, pids

    here, there, pid = asyncio.run(both())
    assert there == here and here[0].unstructured["text"] and here[1] in ("article", "other", "posting")
    assert pid != os.getpid()
    # A pool whose worker died is replaced, and the page is still parsed.
    os.kill(pid, 9)
    again = asyncio.run(parsepool.run_parse(1, parsepool.parse_page, html, "https://blog.example/notes", "text/html"))
    assert again == here


def test_only_a_page_read_as_an_article_gets_the_metadata_search():
    from skillenai.crawler.parsing.pages import documents_from_page

    html = ('<html><head><title>Hiring notes</title></head><body><article><h1>Hiring notes</h1>'
            '<p class="byline">By <span class="author">Jane Q. Doe</span>, March 5, 2024</p>'
            + "<p>We looked at how teams hire data engineers this year and what they ask for.</p>" * 30
            + "</article></body></html>")
    url = "https://blog.example/2024/03/05/notes"
    full = documents_from_page(html, url)
    assert (full.unstructured["author"], full.unstructured["published_at"]) == ("Jane Q Doe", "2024-03-05")
    article = documents_from_page(html, url, kind_of=lambda *_: "article", metadata_kinds=("article",))
    assert article.kind == "article" and article.unstructured == full.unstructured
    for kind in ("posting", "other"):
        page = documents_from_page(html, url, kind_of=lambda *_: kind, metadata_kinds=("article",))
        assert page.kind == kind and page.unstructured["text"] == full.unstructured["text"]
        assert page.unstructured["author"] is None and page.unstructured["published_at"] is None


def _echo_length(body: bytes, fail: bool = False) -> int:
    if fail:
        raise ValueError("a page this worker cannot parse")
    return len(body)


def test_the_parsing_workers_take_many_pages_at_once_large_ones_too_and_pass_errors_back():
    import asyncio

    import pytest

    from skillenai.crawler.parsing import parsepool

    bodies = [bytes(n % 251 for n in range(size)) for size in (10, 11_000, 300_000, 3_000_000)] * 40

    async def many():
        return await asyncio.gather(*(parsepool.run_parse(2, _echo_length, body) for body in bodies))

    # Far more than the pipes hold: nothing waits on a full pipe, every answer comes back.
    assert asyncio.run(many()) == [len(b) for b in bodies]
    with pytest.raises(ValueError, match="cannot parse"):
        asyncio.run(parsepool.run_parse(2, _echo_length, b"x", True))
    assert asyncio.run(parsepool.run_parse(2, _echo_length, b"still working")) == 13


def test_debug_lines_for_pages_and_items_are_not_built_above_debug_level():
    from types import SimpleNamespace

    from scrapy.exceptions import DropItem
    from scrapy.http import HtmlResponse, Request
    from scrapy.settings import Settings

    from skillenai.core.record import Document
    from skillenai.crawler.logformatter import SkillenaiLogFormatter

    request = Request("https://jobs.example/1")
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    item = Document(url=request.url, kind="posting")

    def formatter(**settings):
        return SkillenaiLogFormatter.from_crawler(SimpleNamespace(settings=Settings(settings)))

    for quiet in (formatter(LOG_LEVEL="INFO"), formatter(LOG_LEVEL=logging.ERROR), formatter(LOG_ENABLED=False)):
        assert quiet.crawled(request, response, None) is None and quiet.scraped(item, response, None) is None
        # Warnings and errors are built whatever the level: the handler decides.
        assert quiet.dropped(item, DropItem("no title"), response, None)["args"]["url"] == request.url
    loud = formatter(LOG_LEVEL="DEBUG")
    assert loud.crawled(request, response, None)["level"] == logging.DEBUG
    assert loud.scraped(item, response, None)["args"] == {"url": request.url}


def test_the_store_writer_keeps_order_and_goes_on_after_a_failed_batch(fresh_db, posting_record):
    from skillenai.core.record import normalize_record
    from skillenai.crawler.pipelines import StoreWriter

    good = normalize_record(posting_record)
    changed = normalize_record({**posting_record, "title": "Staff Backend Engineer"})
    writer = StoreWriter(fresh_db, run_id=None, backlog=1)
    writer.start()
    broken = {"id": "broken", "url": "https://jobs.example/broken"}  # not a normalised record
    writer.documents([broken, good])  # the broken one fails alone; its neighbour is stored
    writer.documents([changed])  # after the first: an update, not a second row
    writer.issues([(None, "jobpostings", "https://jobs.example/x", "no_main_text", None)])
    writer.drain()
    writer.stop()
    record, error = writer.lost.get_nowait()
    assert record is broken and error.startswith("KeyError") and writer.lost.empty()
    counts = [writer.written.get_nowait() for _ in range(2)]
    assert [(c.new, c.changed) for c in counts] == [(1, 0), (0, 1)]
    assert fresh_db.execute("SELECT title FROM documents").fetchall() == [("Staff Backend Engineer",)]
    assert fresh_db.execute("SELECT reason FROM crawl_issues").fetchall() == [("no_main_text",)]
    assert not writer.is_alive()


@pytest.mark.parametrize("spider", ["ashby", "jobpostings"])
def test_a_document_the_store_refuses_is_reported_and_fetched_again_next_crawl(web, web_dir, tmp_path, spider):
    """A page whose document was not stored must not be remembered as fetched: its
    validators (ETag, body hash) would make every later crawl skip it as unchanged."""
    from skillenai.store.db import open_db

    truth = sorted(t["url"] for t in read_jsonl(web_dir / "truth" / "postings.jsonl") if t["spider"] == spider)
    refused = truth[len(truth) // 2]
    db = tmp_path / "refuse.db"
    store = open_db(db)
    quoted = refused.replace("'", "''")
    store.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN NEW.url = '{quoted}' "
                  "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    store.conn.commit()
    store.close()
    run_crawl(web, web_dir, db, spiders=[spider])
    conn = sqlite3.connect(db)
    stored = {url for (url,) in conn.execute("SELECT url FROM documents WHERE spider = ? AND kind = 'posting'", [spider])}
    assert stored == set(truth) - {refused}  # its neighbours in the batch are kept
    issues = conn.execute("SELECT url, detail FROM crawl_issues WHERE reason = 'store_failed'").fetchall()
    assert [url for url, _ in issues] == [refused] and "refused by the test" in issues[0][1]
    conn.execute("DROP TRIGGER refuse")
    conn.commit()
    run_crawl(web, web_dir, db, spiders=[spider])
    stored = {url for (url,) in conn.execute("SELECT url FROM documents WHERE spider = ? AND kind = 'posting'", [spider])}
    assert stored == set(truth)


def test_the_store_writer_waits_out_a_lock_and_reports_what_it_could_not_store(tmp_path, posting_record):
    import threading
    import time

    from skillenai.core.record import normalize_record
    from skillenai.crawler.pipelines import StoreWriter
    from skillenai.store.db import open_db

    path = tmp_path / "locked.db"
    db = open_db(path)
    db.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    threading.Timer(0.5, other.rollback).start()
    writer = StoreWriter(db, run_id=None, retries=20, retry_wait=0.1)
    writer.start()
    writer.documents([normalize_record(posting_record)])
    writer.drain()
    assert writer.written.get_nowait().new == 1 and writer.lost.empty()
    # Held for good: the batch is reported document by document, not split and retried.
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    second = normalize_record({**posting_record, "url": "https://jobs.example/other"})
    writer.retries = 1
    writer.documents([normalize_record(posting_record), second])
    writer.drain()
    assert [r["url"] for r, _ in (writer.lost.get_nowait(), writer.lost.get_nowait())] == [
        posting_record["url"], "https://jobs.example/other"]
    assert time.monotonic() - started < 5
    other.rollback()
    writer.stop()


def test_pages_sent_gzip_compressed_are_kept_as_sent(web_dir, tmp_path):
    """A career site that compresses its pages: each page's gzip stream is kept as the
    stored raw body (no second compression), reads back as the page, and the documents
    are those of the same crawl without compression."""
    import gzip
    import urllib.request

    from skillenai.core.record import decompress_raw

    stored = {}
    for compressed in (True, False):
        db = tmp_path / f"gzip-{compressed}.db"
        with SampleWebServer(web_dir, gzip=compressed) as server:
            result = run_crawl(server, web_dir, db, spiders=["jobpostings"])
            assert result.returncode == 0, result.stderr[-3000:]
            conn = sqlite3.connect(db)
            rows = conn.execute("SELECT url, title, text, raw FROM documents WHERE raw IS NOT NULL "
                                "AND spider = 'jobpostings' ORDER BY url").fetchall()
            assert rows
            if compressed:
                assert all(raw[:2] == b"\x1f\x8b" for _, _, _, raw in rows)
                url, _, _, raw = rows[0]
                with urllib.request.urlopen(server.localize(url), timeout=10) as page:  # no Accept-Encoding
                    assert decompress_raw(raw) == page.read() == gzip.decompress(raw)
            else:
                assert not any(raw[:2] == b"\x1f\x8b" for _, _, _, raw in rows)
            stored[compressed] = [(url, title, text) for url, title, text, _ in rows]
            conn.close()
    assert stored[True] == stored[False]
