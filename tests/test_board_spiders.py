"""The board spiders (recruitee, personio, bamboohr, teamtailor, pinpoint, rippling, breezy),
crawling over HTTP from 127.0.0.1: the sample web's boards against its truth, the real saved
responses of tests/data/ats against the fields read from them by hand, the BambooHR embed
widget when the list fails, and unusable input reported while the good input around it is kept."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from evaluation import boards
from skillenai.crawler.seeds import BOARD_SPIDERS
from skillenai.sampleweb.generate import board_postings, generate

ROOT = Path(__file__).resolve().parent.parent
POSTINGS = 120


def issues(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT spider, url, reason, detail FROM crawl_issues ORDER BY id").fetchall()


def stored_urls(db: Path, spider: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {u for (u,) in conn.execute("SELECT url FROM documents WHERE spider = ? AND kind = 'posting'", [spider])}


def test_each_board_spider_stores_its_sample_web_postings_field_for_field(tmp_path):
    scores = boards.sampleweb_scores(tmp_path, postings=POSTINGS, seed=5)
    assert sorted(scores) == sorted(BOARD_SPIDERS)
    for spider, s in scores.items():
        assert s.expected == board_postings(POSTINGS) and s.found == s.stored == s.expected, (spider, s.misses)
        assert s.extra == 0, spider
        wrong = {name: s.accuracy(name) for name in boards.FIELDS if s.accuracy(name) < 1.0}
        assert not wrong, (spider, wrong, s.misses[:3])
    for spider in BOARD_SPIDERS:
        assert boards.stored_count(tmp_path / "sampleweb.db", spider) == board_postings(POSTINGS)


def test_real_responses_give_the_fields_read_by_hand(tmp_path):
    scores, items = boards.real_scores(tmp_path)
    expected = boards.real_expectations()
    assert sum(s.expected for s in scores.values()) == len(expected) == 11
    for spider, s in scores.items():
        assert s.found == s.expected and s.extra == 0, (spider, s.misses)
        assert all(s.accuracy(name) == 1.0 for name in boards.FIELDS), (spider, s.misses)
    # Only Recruitee's saved responses carry descriptions; the trimmed others are refused for it.
    assert scores["recruitee"].stored == 5
    assert all(scores[s].stored == 0 for s in ("personio", "bamboohr", "teamtailor", "rippling"))
    refused = [i for i in items if i["dropped"]]
    assert refused and all("a posting needs its text" in i["dropped"] for i in refused)
    reasons = {(spider, reason) for spider, _url, reason, _detail in issues(tmp_path / "real.db")}
    assert ("recruitee", "implausible_salary") in reasons      # "75.00"-"95.00" USD a year
    assert ("bamboohr", "fetch_failed") in reasons and ("rippling", "fetch_failed") in reasons  # no saved details
    assert len([i for i in items if i["spider"] == "personio"]) == 2  # the feed lists its one position twice
    assert len(stored_urls(tmp_path / "real.db", "recruitee")) == 5


def test_bamboohr_reads_the_embed_widget_when_the_list_fails(tmp_path):
    web = tmp_path / "web"
    generate(web, postings=60, seed=2, boards=["bamboohr"])
    truth = [json.loads(line) for line in (web / "truth" / "postings.jsonl").read_text().splitlines()]
    truth = {t["url"] for t in truth if t["spider"] == "bamboohr"}
    folder = web / "sites" / "bamboohr"
    board = next(p.name for p in folder.iterdir() if p.is_dir())
    routes = {f"/{board}/jobs/embed2.php": f"{board}/embed2.html"}
    routes.update({f"/{board}/careers/{p.stem}/detail": f"{board}/detail/{p.name}"
                   for p in (folder / board / "detail").iterdir()})
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(f"spider,source,target\nbamboohr,Acme,{board}\n", encoding="utf-8")
    with boards.RouteServer(boards.file_routes(routes, folder)) as server:
        items = boards.crawl(boards.real_settings(server.origin, seeds), ["bamboohr"], tmp_path / "embed.db")
        assert f"/{board}/careers/list" in server.requests and f"/{board}/jobs/embed2.php" in server.requests
    assert {i["url"] for i in items if not i["dropped"]} == truth and len(truth) == board_postings(60)
    assert [r for _s, _u, r, _d in issues(tmp_path / "embed.db")] == ["fetch_failed"]  # the list's 404


def test_unusable_board_input_is_reported_and_the_rest_kept(tmp_path):
    offers = json.loads((boards.REAL / "recruitee" / "aikidosecurity__offers.json").read_text(encoding="utf-8"))
    offers["offers"].insert(1, "not an offer")
    xml = (boards.REAL / "personio" / "careerkit__xml_sanitized.xml").read_text(encoding="utf-8")
    description = ("<jobDescriptions><jobDescription><name>Your tasks</name><value><![CDATA[<p>Build the data "
                   "platform in Python and Kafka with a small team.</p>]]></value></jobDescription></jobDescriptions>")
    xml = xml.replace("<jobDescriptions></jobDescriptions>", description).replace("<id>1834171</id>", "", 1)
    xml = xml.replace("<createdAt>", "<keywords>R&amp;D &bogus; data</keywords><createdAt>", 1)
    routes = {"/aikido/api/offers/": ("application/json", json.dumps(offers).encode()),
              "/acme/xml": ("application/xml", xml.encode()),
              "/acme/careers/list": ("application/json", b'{"meta": {}, "result": [{"id": "86", '),
              "/acme/jobs": ("application/json", b'{"jobs": []}')}
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("spider,source,target\nrecruitee,Aikido,aikido\npersonio,Acme,acme\nbamboohr,Acme,acme\n"
                     "rippling,Acme,acme\nbreezy,Gone,gone\nteamtailor,Bad,bad/../x\n", encoding="utf-8")
    with boards.RouteServer(routes) as server:
        items = boards.crawl(boards.real_settings(server.origin, seeds), sorted(BOARD_SPIDERS), tmp_path / "bad.db")
    found = issues(tmp_path / "bad.db")
    reasons = {(spider, reason) for spider, _u, reason, _d in found}
    details = " | ".join(d or "" for *_x, d in found)
    assert ("recruitee", "unexpected_api_shape") in reasons and "job 1 is not an object" in details
    assert len(stored_urls(tmp_path / "bad.db", "recruitee")) == 3            # the good offers around it
    assert ("personio", "unexpected_api_shape") in reasons and "a position without <id>" in details
    assert [i["title"] for i in items if i["spider"] == "personio" and not i["dropped"]] == [
        "Staff Software Engineer, Data Platform"]                             # its second copy has its id
    assert ("bamboohr", "invalid_json") in reasons                            # then the embed widget: 404
    assert ("rippling", "unexpected_api_shape") in reasons and "expected a JSON array" in details
    assert ("breezy", "fetch_failed") in reasons
    assert ("teamtailor", "bad_seed_row") in reasons and "bad teamtailor board token" in details
    assert all(len(d.splitlines()) <= 1 for *_x, d in found if d)


def test_a_board_url_setting_without_its_placeholder_is_a_clear_error(tmp_path):
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("spider,source,target\nrecruitee,Aikido,aikidosecurity\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "skillenai.cli", "crawl", "--db", str(tmp_path / "x.db"), "--seeds", str(seeds),
         "--set", 'RECRUITEE_URL="https://aikidosecurity.recruitee.com"', "--set", 'SKILLENAI_ALLOWED_NETWORKS=["127.0.0.1"]'],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 1
    assert "setting RECRUITEE_URL must be a URL template with {board}, got 'https://aikidosecurity.recruitee.com'" \
        in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_crawl_of_unchanged_boards_fetches_no_detail_and_keeps_every_posting_open(tmp_path):
    from skillenai.sampleweb.server import SampleWebServer

    web = tmp_path / "web"
    generate(web, postings=60, seed=4, boards=["bamboohr", "rippling", "recruitee"])
    with SampleWebServer(web) as server:
        settings = server.crawl_settings()
        first = boards.crawl(settings, ["bamboohr", "rippling", "recruitee"], tmp_path / "twice.db")
        asked = len(server.requests)
        second = boards.crawl(settings, ["bamboohr", "rippling", "recruitee"], tmp_path / "twice.db")
        again = server.requests[asked:]
    assert len(first) == 3 * board_postings(60) and second == []
    # Each board answered 304 to its conditional request: no detail was asked for again.
    assert sorted((site, status) for site, _m, path, status in again if "robots" not in path) == [
        ("bamboohr", 304), ("recruitee", 304), ("rippling", 304)]
    with sqlite3.connect(tmp_path / "twice.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM postings WHERE closed_at IS NULL").fetchone()[0] == len(first)
        assert conn.execute("SELECT COUNT(DISTINCT last_seen) FROM documents").fetchone()[0] == 1
