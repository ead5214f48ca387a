"""The extraction stage over the store (``skillenai extract --db``) gives the crawl's text."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest

from skillenai.cli.main import main
from skillenai.pipeline.demo import sample_web_settings
from skillenai.sampleweb.generate import generate
from skillenai.sampleweb.server import SampleWebServer

FIELDS = ("title", "text", "lang", "author", "published_at", "extraction", "content_hash")


@pytest.fixture(scope="module")
def crawled_db(tmp_path_factory):
    """A store crawled from a small sample web by the career-site and article spiders."""
    web_dir = tmp_path_factory.mktemp("web")
    generate(web_dir, postings=60, seed=5, as_of=dt.date(2026, 5, 9))
    db = tmp_path_factory.mktemp("store") / "crawl.db"
    with SampleWebServer(web_dir) as web:
        settings = sample_web_settings(web, web_dir, str(db))
        command = [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(db),
                   "--seeds", settings.pop("SKILLENAI_SEEDS"), "--spider", "jobpostings", "--spider", "articles"]
        settings.pop("SKILLENAI_DB")
        for key, value in settings.items():
            command += ["--set", f"{key}={json.dumps(value)}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return db


def snapshot(db) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(f"SELECT id, seq, classified_at, {', '.join(FIELDS)} FROM documents "
                        "WHERE raw IS NOT NULL").fetchall()
    conn.close()
    return {row["id"]: dict(row) for row in rows}


def copy_of(db, tmp_path):
    target = tmp_path / "copy.db"
    source, dest = sqlite3.connect(db), sqlite3.connect(target)
    source.backup(dest)
    source.close()
    dest.close()
    return target


def run_extract(capsys, *args) -> tuple[int, dict, str]:
    status = main(["extract", *args])
    out, err = capsys.readouterr()
    return status, json.loads(out), err


def test_crawled_store_has_both_kinds_of_pages(crawled_db):
    kinds = {row["extraction"] for row in snapshot(crawled_db).values()}
    assert "trafilatura" in kinds and kinds & {"jsonld", "jsonld_graph", "microdata"}


def test_fresh_store_is_unchanged_by_re_extraction(crawled_db, tmp_path, capsys):
    db = copy_of(crawled_db, tmp_path)
    before = snapshot(db)
    status, report, _ = run_extract(capsys, "--db", str(db), "--all", "--workers", "2")
    assert status == 0
    assert report["documents"] == len(before) and report["failed"] == 0
    assert report["changed"] == 0, "re-extraction must give exactly the crawl's fields"
    assert snapshot(db) == before


def test_re_extraction_restores_the_crawl_text_in_a_process_pool(crawled_db, tmp_path, capsys):
    db = copy_of(crawled_db, tmp_path)
    before = snapshot(db)
    conn = sqlite3.connect(db)
    # Lose the text of every page (as an extractor bug would), and corrupt one stored page.
    conn.execute("UPDATE documents SET text = 'lost', content_hash = 'x', classified_at = '2026-05-09T00:00:00Z' "
                 "WHERE raw IS NOT NULL")
    broken = conn.execute("SELECT id FROM documents WHERE extraction = 'trafilatura' AND kind = 'article' "
                          "AND raw IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]
    conn.execute("UPDATE documents SET raw = X'00FF' WHERE id = ?", [broken])
    conn.commit()
    conn.close()

    status, report, err = run_extract(capsys, "--db", str(db), "--workers", "2")
    assert status == 1
    assert broken in err and "cannot be decompressed" in err
    after = snapshot(db)
    trafilatura = [i for i, row in before.items() if row["extraction"] == "trafilatura"]
    assert report == {"documents": len(trafilatura), "changed": len(trafilatura) - 1, "unchanged": 0,
                      "failed": 1, "errors": report["errors"]}
    assert after[broken]["text"] == "lost"
    for doc_id in trafilatura:
        if doc_id == broken:
            continue
        for name in FIELDS:
            assert after[doc_id][name] == before[doc_id][name], (doc_id, name)
        assert after[doc_id]["seq"] > before[doc_id]["seq"]
        assert after[doc_id]["classified_at"] is None  # the classify stage tags it again
    structured = [i for i, row in before.items() if row["extraction"] != "trafilatura"]
    assert structured and all(after[i]["text"] == "lost" for i in structured)  # not selected without --all

    status, report, _ = run_extract(capsys, "--db", str(db), "--all", "--workers", "1", "--kind", "posting")
    assert status == 0 and report["failed"] == 0
    after = snapshot(db)
    for doc_id in structured:
        assert after[doc_id]["text"] == before[doc_id]["text"], doc_id


def test_stage_options_need_a_store(capsys):
    assert main(["extract", "--workers", "2"]) == 2
    assert "--db" in capsys.readouterr().err
