import io
import json
import subprocess
import sys

from skillenai.core.record import normalize_record
from skillenai.store.documents import upsert_documents
from skillenai.store.export import iter_export
from skillenai.store.ingest import ingest_lines


def test_upsert_is_idempotent_and_moves_last_seen(fresh_db, posting_record):
    rec = normalize_record(posting_record)
    first = upsert_documents(fresh_db, [rec], now="2026-05-01T00:00:00Z")
    again = upsert_documents(fresh_db, [rec], now="2026-05-02T00:00:00Z")
    assert (first.new, again.new, again.unchanged) == (1, 0, 1)
    row = next(fresh_db.query("SELECT first_seen, last_seen, seq FROM documents"))
    assert row == {"first_seen": "2026-05-01T00:00:00Z", "last_seen": "2026-05-02T00:00:00Z", "seq": 1}
    assert fresh_db["postings"].count == 1


def test_changed_text_gets_a_new_seq(fresh_db, posting_record):
    upsert_documents(fresh_db, [normalize_record(posting_record)])
    posting_record["text"] += "\nNew: Kubernetes."
    counts = upsert_documents(fresh_db, [normalize_record(posting_record)])
    assert counts.changed == 1
    assert [d["seq"] for d in iter_export(fresh_db)] == [2]
    assert list(iter_export(fresh_db, since=2)) == []


def test_ingest_skips_bad_lines_and_keeps_the_rest(fresh_db, posting_record):
    other = dict(posting_record, url="https://boards.example.com/acme/jobs/124", title="Frontend Engineer")
    lines = [json.dumps(posting_record), "{not json", json.dumps(dict(posting_record, kind="job")),
             "", json.dumps(other), b"\xff\xfe"]
    report = ingest_lines(fresh_db, lines, name="in.jsonl")
    assert report.counts.new == 2
    assert report.skipped == 3
    assert report.errors[0].startswith("in.jsonl:2: invalid JSON")
    assert report.errors[1].startswith("in.jsonl:3: kind:")
    assert report.errors[2].startswith("in.jsonl:6: not UTF-8")


def test_export_then_ingest_round_trips(tmp_path, posting_record):
    from skillenai.store.db import open_db

    src = open_db(tmp_path / "a.db")
    article = {"url": "https://blog.example.com/posts/skills", "kind": "article", "title": "Skills in 2026",
               "text": "Demand for Rust and Kubernetes grew in every metro we track this quarter.",
               "author": "Ana", "published_at": "2026-05-01", "raw": "<html>page</html>"}
    ingest_lines(src, [json.dumps(posting_record), json.dumps(article)])
    exported = [json.dumps(d) for d in iter_export(src, include_raw=True)]
    dst = open_db(tmp_path / "b.db")
    report = ingest_lines(dst, exported)
    assert report.skipped == 0 and report.counts.new == 2
    keys = ("id", "url", "kind", "title", "text", "author", "published_at", "company", "salary_min", "date_posted")
    assert [{k: d.get(k) for k in keys} for d in iter_export(dst)] == [{k: d.get(k) for k in keys} for d in iter_export(src)]
    assert dst.execute("SELECT raw IS NOT NULL FROM documents WHERE kind = 'article'").fetchone()[0] == 1


def test_cli_ingest_and_export(tmp_path, posting_record):
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps(posting_record) + "\n{broken\n", encoding="utf-8")
    db = tmp_path / "s.db"
    run = subprocess.run([sys.executable, "-m", "skillenai.cli", "ingest", "--db", str(db), str(data)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert f"{data}:2: invalid JSON" in run.stderr
    out = subprocess.run([sys.executable, "-m", "skillenai.cli", "export", "--db", str(db), "--since", "0"],
                         capture_output=True, text=True, check=True)
    [doc] = [json.loads(line) for line in io.StringIO(out.stdout)]
    assert doc["title"] == "Senior Backend Engineer" and doc["seq"] == 1
    assert "next cursor: 1" in out.stderr


def test_a_lone_surrogate_is_replaced_and_a_list_title_is_a_bad_line(fresh_db, posting_record):
    good = json.dumps(posting_record)
    surrogate = json.dumps({**posting_record, "url": "https://boards.example.com/acme/jobs/124"}).replace(
        '"title": "', '"title": "\\ud800 ', 1)
    listed = json.dumps({**posting_record, "url": "https://boards.example.com/acme/jobs/125",
                         "title": ["Backend", "Engineer"]})
    report = ingest_lines(fresh_db, [good, surrogate, listed])
    assert report.counts.new == 2 and report.skipped == 1
    assert "title" in report.errors[0] and "expected a string, got list" in report.errors[0]
    titles = sorted(t for (t,) in fresh_db.execute("SELECT title FROM documents"))
    assert titles[1].startswith("\ufffd ")
