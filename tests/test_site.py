"""``skillenai site``: every page, linked, with a sitemap, Atom feeds feedparser reads and the
JSON ``metrics … --format json`` prints; a second build rewrites only what changed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from skillenai.cli.main import main
from skillenai.metrics.site import MANIFEST, internal_links
from skillenai.store.db import open_db


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def built(make_sample_store, tmp_path_factory):
    store = make_sample_store()
    out = tmp_path_factory.mktemp("site") / "site"
    status = main(["site", "--db", str(store), "--out", str(out), "--base-url", "https://jobs.example.org"])
    assert status == 0
    return store, out


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_is_written_and_every_link_inside_resolves(built):
    store, out = built
    pages = html_pages(out)
    db = open_db(store, readonly=True)
    skills = db.execute("SELECT COUNT(DISTINCT skill_id) FROM skill_postings WHERE date_posted > '2026-02-08'").fetchone()[0]
    db.close()
    assert len(list((out / "skills").glob("*/index.html"))) == skills
    for section in ("metros", "roles", "occupations"):
        assert list((out / section).glob("*/index.html")), section
    for page in ("index.html", "top-skills/index.html", "trends/index.html", "occupations/index.html"):
        assert (out / page).is_file()
    links = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for href, target in internal_links(out, page.relative_to(out).as_posix(), html):
            links += 1
            assert target.is_file(), f"{page.relative_to(out)} links to {href}, which is not in the site"
    assert links > len(pages) * 5
    # Every entity page is reachable from the index.
    index = (out / "index.html").read_text(encoding="utf-8")
    for page in (out / "skills").glob("*/index.html"):
        assert f'href="skills/{page.parent.name}/index.html"' in index


def test_the_sitemap_lists_every_page_under_the_base_url(built):
    _, out = built
    root = ET.parse(out / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {u.find("s:loc", ns).text for u in root.findall("s:url", ns)}
    assert all(u.find("s:lastmod", ns).text == "2026-05-09" for u in root.findall("s:url", ns))
    expected = {"https://jobs.example.org/" + p.relative_to(out).as_posix().removesuffix("index.html")
                for p in html_pages(out)}
    assert locs == expected
    page = (out / "skills" / "python" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://jobs.example.org/skills/python/">' in page


def test_each_page_has_a_feed_feedparser_reads(built):
    store, out = built
    page = (out / "skills" / "python" / "index.html").read_text(encoding="utf-8")
    assert 'href="feed.xml"' in page or 'href="../../skills/python/feed.xml"' in page
    feed = feedparser.parse((out / "skills" / "python" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title.startswith("Python")
    assert feed.feed.link == "https://jobs.example.org/skills/python/"
    assert 0 < len(feed.entries) <= 20
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    db = open_db(store, readonly=True)
    for entry in feed.entries:
        doc_id = entry.id.rsplit(":", 1)[1]
        row = db.execute("SELECT d.url, d.kind FROM documents d JOIN document_skills s ON s.document_id = d.id "
                         "JOIN skills k ON k.id = s.skill_id AND k.name = 'Python' WHERE d.id = ? "
                         "AND d.is_canonical = 1", [doc_id]).fetchone()
        assert row is not None and row[0] == entry.link and row[1] == entry.tags[0].term
    db.close()
    metro = next((out / "metros").glob("*/feed.xml"))
    assert not feedparser.parse(metro.read_bytes()).bozo


def test_the_page_json_is_what_metrics_prints(built, capsys):
    store, out = built
    for kind, name, path in (("skill", "python", "skills/python.json"),
                             ("occupation", "15-1252", None), ("metro", None, None)):
        if path is None:
            section = "occupations" if kind == "occupation" else "metros"
            path = next(p for p in sorted((out / section).glob("*.json")))
            data = json.loads(path.read_text())
            name = data["entity_id"]
        else:
            path = out / path
        status, printed, _ = run(capsys, "metrics", kind, name, "--db", str(store))
        assert status == 0 and printed == path.read_text(encoding="utf-8")


def test_a_second_build_rewrites_only_what_changed(make_sample_store, tmp_path, capsys):
    store = make_sample_store()
    out = tmp_path / "site"
    assert main(["site", "--db", str(store), "--out", str(out)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["written"] == first["files"] > 1000 and first["broken_links"] == []

    assert main(["site", "--db", str(store), "--out", str(out)]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["written"] == 0 and again["unchanged"] == first["files"]

    # One new posting asking for one rare skill: its page changes, an unrelated one does not.
    db = open_db(store)
    rare, untouched = (r[0] for r in db.execute(
        "SELECT skill_id FROM skill_postings WHERE date_posted > '2026-02-08' GROUP BY skill_id "
        "ORDER BY COUNT(*), skill_id LIMIT 2"))
    rare_name = db.execute("SELECT name FROM skills WHERE id = ?", [rare]).fetchone()[0]
    db.execute("INSERT INTO documents (id, url, canonical_url, kind, title, first_seen, last_seen, seq, is_canonical) "
               "VALUES ('feedfeedfeedfeed', 'https://x.example/j/1', 'https://x.example/j/1', 'posting', 'New job', "
               "'2026-05-09T00:00:00Z', '2026-05-09T00:00:00Z', 999999, 1)")
    db.execute("INSERT INTO postings (document_id, company, date_posted) VALUES ('feedfeedfeedfeed', 'X', '2026-05-09')")
    db.execute("INSERT INTO document_skills (document_id, skill_id, mentions, score, method) "
               "VALUES ('feedfeedfeedfeed', ?, 1, 1, 'alias')", [rare])
    db.conn.commit()
    db.close()
    manifest = json.loads((out / MANIFEST).read_text())["files"]
    slug = next(p.split("/")[1] for p in manifest if p.startswith("skills/") and p.endswith("/index.html")
                and rare_name in (out / p).read_text(encoding="utf-8").split("<h1>")[1].split("</h1>")[0])
    other = [p for p in manifest if p.startswith("skills/") and p.endswith("/index.html") and f"/{slug}/" not in p]
    before = {p: (out / p).stat().st_mtime_ns for p in other}

    assert main(["site", "--db", str(store), "--out", str(out)]) == 0
    third = json.loads(capsys.readouterr().out)
    written = third["written"]
    assert 3 <= written < 60, third  # the page, its JSON and feed, the lists, the index, the sitemap's neighbours
    feed = feedparser.parse((out / "skills" / slug / "feed.xml").read_bytes())
    assert feed.entries[0].link == "https://x.example/j/1"
    unchanged = [p for p in other if (out / p).stat().st_mtime_ns == before[p]]
    assert len(unchanged) >= len(other) - 10
    del untouched


def test_bad_outputs_are_one_line_errors(make_sample_store, tmp_path, capsys):
    store = str(make_sample_store())
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    status, _, err = run(capsys, "site", "--db", store, "--out", str(afile))
    assert status == 2 and "is not a directory" in err and err.count("\n") == 1
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    status, _, err = run(capsys, "site", "--db", store, "--out", str(other))
    assert status == 2 and "other files in it" in err and (other / "notes.txt").read_text() == "keep me"
    status, _, err = run(capsys, "site", "--db", store, "--out", str(tmp_path / "new"), "--base-url", "jobs.example")
    assert status == 2 and "absolute http(s) address" in err
    assert re.search(r"skillenai: error: ", err)


def test_a_skill_feed_carries_its_papers(make_sample_store, tmp_path, capsys):
    store = make_sample_store()
    db = open_db(store)
    python = db.execute("SELECT id FROM skills WHERE name = 'Python'").fetchone()[0]
    db.execute("INSERT INTO documents (id, url, canonical_url, kind, title, published_at, first_seen, last_seen, seq, "
               "is_canonical) VALUES ('0a0a0a0a0a0a0a0a', 'https://arxiv.org/abs/2605.01234', "
               "'https://arxiv.org/abs/2605.01234', 'paper', 'Python in job postings', '2026-05-08T00:00:00Z', "
               "'2026-05-09T00:00:00Z', '2026-05-09T00:00:00Z', 999998, 1)")
    db.execute("INSERT INTO document_skills (document_id, skill_id, mentions, score, method) "
               "VALUES ('0a0a0a0a0a0a0a0a', ?, 1, 1, 'alias')", [python])
    db.conn.commit()
    db.close()
    out = tmp_path / "site"
    assert main(["site", "--db", str(store), "--out", str(out)]) == 0
    capsys.readouterr()
    feed = feedparser.parse((out / "skills" / "python" / "feed.xml").read_bytes())
    papers = [e for e in feed.entries if e.tags[0].term == "paper"]
    assert [e.link for e in papers] == ["https://arxiv.org/abs/2605.01234"]
    assert "posting" in {e.tags[0].term for e in feed.entries}
