"""The sample web: deterministic generation, ground truth that matches the pages, and a
server that serves every truth URL with virtual origins rewritten to local ones."""

import csv
import filecmp
import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
from protego import Protego

from skillenai.sampleweb import SampleWebServer, datafiles, generate
from skillenai.sampleweb.__main__ import main as cli_main

POSTINGS = 120
VIRTUAL = re.compile(rb"http://[a-z0-9-]+\.sample\.test")
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def fetch(url, method="GET"):
    req = urllib.request.Request(url, method=method, headers={"User-Agent": "sampleweb-test"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture(scope="module")
def web_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sampleweb")
    generate(out, postings=POSTINGS, seed=11)
    return out


@pytest.fixture(scope="module")
def web(web_dir):
    with SampleWebServer(web_dir) as server:
        yield server


@pytest.fixture(scope="module")
def truth(web_dir):
    return {name: read_jsonl(web_dir / "truth" / f"{name}.jsonl")
            for name in ("postings", "articles", "others", "disallowed")}


# generation ------------------------------------------------------------------------------

def test_same_arguments_give_byte_identical_output(tmp_path):
    generate(tmp_path / "a", postings=60, seed=3)
    generate(tmp_path / "b", postings=60, seed=3, workers=2)   # a process pool gives the same bytes
    cmp = filecmp.dircmp(tmp_path / "a", tmp_path / "b")

    def same(c):
        assert not c.left_only and not c.right_only and not c.diff_files and not c.funny_files, c.report()
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        assert not mismatch and not errors
        for sub in c.subdirs.values():
            same(sub)

    same(cmp)
    generate(tmp_path / "c", postings=60, seed=4)
    assert (tmp_path / "a" / "truth" / "postings.jsonl").read_bytes() != \
        (tmp_path / "c" / "truth" / "postings.jsonl").read_bytes()


def test_arguments_are_validated(tmp_path):
    with pytest.raises(ValueError, match="postings must be"):
        generate(tmp_path, postings=10)
    with pytest.raises(ValueError, match="articles must be"):
        generate(tmp_path, postings=60, articles=-1)


def test_counts_match_the_manifest(web_dir, truth):
    manifest = json.loads((web_dir / "manifest.json").read_text())
    assert manifest["postings"] == POSTINGS == len(truth["postings"])
    assert manifest["articles"] == len(truth["articles"]) == 12
    assert manifest["as_of"] == "2026-05-09" and manifest["seed"] == 11
    urls = [r["url"] for r in truth["postings"] + truth["articles"] + truth["others"]]
    assert len(urls) == len(set(urls))
    kinds = set(manifest["sites"].values())
    assert kinds == {"greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable", "blog", "news", "careers",
                     "arxiv"}


def test_seeds_list_every_board_site_and_feed(web_dir, truth):
    rows = list(csv.DictReader((web_dir / "seeds.csv").open()))
    assert {r["spider"] for r in rows} == {"greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable",
                                         "jobpostings", "articles", "papers"}
    sources = {r["source"] for r in rows if r["spider"] != "articles"}
    assert {p["source"] for p in truth["postings"]} <= sources
    assert {"http://blog.sample.test/feed.xml", "http://blog.sample.test/sitemap.xml",
            "http://news.sample.test/atom.xml"} == {r["target"] for r in rows if r["spider"] == "articles"}


def test_truth_rows_are_complete_and_consistent(truth):
    roles = set(datafiles.load("roles"))
    vocab = datafiles.load("vocab")
    fields = {"url", "spider", "source", "company", "title", "location_raw", "locations", "remote", "hybrid",
              "remote_scope", "skills", "non_skill_phrases", "role", "date_posted", "valid_through",
              "employment_type", "workplace", "salary", "cluster", "structured", "description_text"}
    for r in truth["postings"]:
        assert fields <= set(r), r["url"]
        assert r["role"] in roles
        assert r["workplace"] in ("onsite", "hybrid", "remote")
        assert r["remote"] == (r["workplace"] == "remote") and r["hybrid"] == (r["workplace"] == "hybrid")
        assert r["locations"] or r["remote"], r["url"]
        assert all(len(p["country"]) == 2 for p in r["locations"])
        assert "2025-12-11" <= r["date_posted"] <= "2026-05-09"
        text = r["title"] + "\n" + r["description_text"]
        for skill in r["skills"]:      # every truth skill is written, in one of its variants
            assert any(v in text for v in vocab[skill]), (r["url"], skill)
        for phrase in r["non_skill_phrases"]:
            assert phrase in text, (r["url"], phrase)
        if r["salary"]:
            assert r["salary"]["min"] <= r["salary"]["max"] and r["salary"]["period"] in ("year", "hour", "month")
    structured = {r["structured"] for r in truth["postings"]}
    assert structured == {"ats", "jsonld", "graph", "microdata", "none", "broken"}
    for a in truth["articles"]:
        words = len(a["body"].split())
        assert 300 <= words <= 950, (a["url"], words)
        assert a["places"] and a["body"].count("\n") >= 5, a["url"]
        for skill in a["skills"]:
            assert any(v in a["title"] + "\n" + a["body"] for v in vocab[skill]), (a["url"], skill)
    assert {a["lang"] for a in truth["articles"]} > {"en"}


def test_duplicates_and_hard_negatives_are_planted(web_dir):
    big = generate(web_dir.parent / "dups", postings=600, seed=5)
    rows = read_jsonl(web_dir.parent / "dups" / "truth" / "postings.jsonl")
    assert len(rows) == big["postings"]
    sizes = {}
    for r in rows:
        sizes[r["cluster"]] = sizes.get(r["cluster"], 0) + 1
    in_groups = sum(n for n in sizes.values() if n > 1) / len(rows)
    assert 0.10 <= in_groups <= 0.30
    kinds = {r["dup_kind"] for r in rows}
    assert {"original", "crosspost", "repost"} <= kinds
    cross = [c for c in sizes if len({r["spider"] for r in rows if r["cluster"] == c}) > 1]
    assert cross, "some jobs are on both an ATS board and a career site"
    siblings = [r for r in rows if r["sibling_of"]]
    assert siblings and all(r["cluster"] != r["sibling_of"] for r in siblings)


def test_templates_write_no_skill_they_do_not_record():
    """Skill words in the data files' free text must be slots or annotated, or the truth
    would miss them (place names such as "Java Drive" sit in footers, not in text)."""
    vocab = datafiles.load("vocab")
    canon = {v: k for k, forms in vocab.items() for v in forms}
    pattern = re.compile(r"(?<![\w.+#/-])(" + "|".join(re.escape(v) for v in sorted(canon, key=len, reverse=True))
                         + r")(?![\w+#]|'\w|/\w)")
    slot = re.compile(r"\{[^{}]*\}|\[\[.*?\]\]")
    named = re.compile(r"\{[+=]([^{}]*)\}")
    problems = []

    def walk(obj, path, allowed):
        if isinstance(obj, str):
            annotated = {n for group in named.findall(obj) for n in group.split("|")}
            problems.extend(f"{path}: unknown skill {n!r}" for n in annotated - set(vocab))
            for m in pattern.finditer(slot.sub(" ", obj)):
                if canon[m.group(1)] not in annotated | set(allowed):
                    problems.append(f"{path}: {m.group(1)!r} in {obj!r}")
        elif isinstance(obj, list):
            # role names in articles.json carry the skills they spell as a trailing list
            extra = tuple(obj[-1]) if ".role_" in path and obj and isinstance(obj[-1], list) else ()
            for i, x in enumerate(obj):
                walk(x, f"{path}[{i}]", allowed + extra)
        elif isinstance(obj, dict):
            for k, x in obj.items():
                if k not in ("skills", "comments", "trends", "concept", "soft", "streets"):
                    walk(x, f"{path}.{k}", allowed)

    for name in ("roles", "postings", "companies", "chrome", "articles", "places"):
        walk(datafiles.load(name), name, ())
    assert not problems, "\n".join(problems)


def test_cli_generates(tmp_path, capsys):
    assert cli_main(["generate", str(tmp_path / "w"), "--postings", "50", "--seed", "2",
                     "--as-of", "2026-01-31"]) == 0
    assert "wrote 50 postings" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "w" / "manifest.json").read_text())
    assert manifest["as_of"] == "2026-01-31"


# serving ---------------------------------------------------------------------------------

def test_every_truth_url_is_served(web, truth):
    for row in truth["postings"] + truth["articles"] + truth["others"]:
        status, headers, body = fetch(web.localize(row["url"]))
        assert status == 200, row["url"]
        assert "charset=utf-8" in headers["Content-Type"]
        assert not VIRTUAL.search(body), row["url"]
        if "title" in row:
            assert html.escape(row["title"], quote=False).encode() in body or row["title"].encode() in body
    assert web.virtualize(web.localize(truth["postings"][0]["url"])) == truth["postings"][0]["url"]


def test_virtual_origins_are_rewritten(web, web_dir):
    text = (web_dir / "seeds.csv").read_text()
    local = web.localize(text)
    assert "sample.test" not in local and web.origin("blog") in local
    site = next(s for s, kind in web.sites.items() if kind == "careers")
    status, _, body = fetch(web.origin(site) + "/")
    assert status == 200 and not VIRTUAL.search(body)
    assert web.virtualize(web.origin(site) + "/jobs/") == f"http://{site}.sample.test/jobs/"


def test_unknown_paths_head_and_redirects(web):
    site = next(s for s, kind in web.sites.items() if kind == "careers")
    assert fetch(web.origin(site) + "/no/such/page/")[0] == 404
    status, headers, body = fetch(web.origin(site) + "/jobs/", "HEAD")
    assert status == 200 and int(headers["Content-Length"]) > 1000 and body == b""
    assert headers["ETag"] and headers["Last-Modified"]
    req = urllib.request.Request(web.origin(site) + "/jobs/", headers={"If-None-Match": headers["ETag"]})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(req, timeout=10)
    assert not_modified.value.code == 304
    status, _, body = fetch(web.origin(site) + "/jobs")       # urllib follows the 301
    assert status == 200 and b"/jobs/" in body
    assert any(r[:3] == (site, "GET", "/jobs") and r[3] == 301 for r in web.requests)


def test_greenhouse_board(web, web_dir):
    token = next(r["target"] for r in csv.DictReader((web_dir / "seeds.csv").open()) if r["spider"] == "greenhouse")
    status, headers, body = fetch(web.origin("greenhouse") + f"/v1/boards/{token}/jobs?content=true")
    board = json.loads(body)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert board["meta"]["total"] == len(board["jobs"]) > 0
    job = board["jobs"][0]
    assert isinstance(job["id"], int) and job["location"]["name"] and job["content"].startswith("&lt;")
    assert job["absolute_url"].startswith(web.origin("greenhouse") + f"/{token}/jobs/")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", job["first_published"])
    plain = json.loads(fetch(web.origin("greenhouse") + f"/v1/boards/{token}/jobs")[2])
    assert len(plain["jobs"]) == len(board["jobs"]) and "content" not in plain["jobs"][0]
    status, _, body = fetch(web.origin("greenhouse") + "/v1/boards/no-such-board/jobs?content=true")
    assert status == 404 and "error" in json.loads(body)


def test_lever_paging(web, web_dir):
    site = next(r["target"] for r in csv.DictReader((web_dir / "seeds.csv").open()) if r["spider"] == "lever")
    base = web.origin("lever") + f"/v0/postings/{site}?mode=json"
    everything = json.loads(fetch(base)[2])
    assert len(everything) >= 3
    ids = [p["id"] for p in everything]
    for skip, limit in ((0, 2), (1, 2), (2, 100), (len(ids), 5)):
        page = json.loads(fetch(f"{base}&skip={skip}&limit={limit}")[2])
        assert [p["id"] for p in page] == ids[skip:skip + limit]
    assert json.loads(fetch(f"{base}&limit=0")[2]) == []
    p = everything[0]
    assert {"text", "categories", "workplaceType", "descriptionPlain", "lists", "hostedUrl", "createdAt"} <= set(p)
    assert fetch(p["hostedUrl"])[0] == 200
    status, _, body = fetch(web.origin("lever") + "/v0/postings/no-such-site?mode=json")
    assert status == 404 and json.loads(body) == {"ok": False, "error": "Document not found"}


def test_ashby_board(web, web_dir):
    board = next(r["target"] for r in csv.DictReader((web_dir / "seeds.csv").open()) if r["spider"] == "ashby")
    url = web.origin("ashby") + f"/posting-api/job-board/{board}"
    full = json.loads(fetch(url + "?includeCompensation=true")[2])
    assert full["apiVersion"] == "1" and full["jobs"]
    assert all("compensation" in j for j in full["jobs"])
    assert not any("compensation" in j for j in json.loads(fetch(url)[2])["jobs"])
    job = full["jobs"][0]
    assert job["workplaceType"] in ("OnSite", "Remote", "Hybrid") and job["descriptionHtml"]
    assert fetch(job["jobUrl"])[0] == 200


def test_robots_sitemaps_and_disallowed_links(web, truth):
    careers = [s for s, kind in web.sites.items() if kind == "careers"]
    with_sitemap = 0
    for site in careers:
        robots = fetch(web.origin(site) + "/robots.txt")[2].decode()
        assert "User-agent: *" in robots and "Disallow: /internal/" in robots
        if "Sitemap:" in robots:
            with_sitemap += 1
            index = ET.fromstring(fetch(re.search(r"Sitemap: (\S+)", robots).group(1))[2])
            for loc in index.iter(SM + "loc"):
                urlset = ET.fromstring(fetch(loc.text)[2])
                assert len(urlset.findall(SM + "url")) <= 500
                assert all(u.find(SM + "lastmod") is not None for u in urlset.findall(SM + "url"))
    assert 0 < with_sitemap < len(careers)     # some sites must be crawled from their listings
    parsers = {}
    for row in truth["disallowed"]:
        if row["site"] not in parsers:
            parsers[row["site"]] = Protego.parse(fetch(web.origin(row["site"]) + "/robots.txt")[2].decode())
        assert not parsers[row["site"]].can_fetch(web.origin(row["site"]) + row["path"], "skillenai-bot"), row
    assert {"blog", "news"} <= {r["site"] for r in truth["disallowed"]}
    assert any(r["path"].startswith("/internal/") for r in truth["disallowed"])
    for row in truth["postings"] + truth["articles"]:
        site = re.match(r"http://([a-z0-9-]+)\.", row["url"]).group(1)
        if site in parsers:
            assert parsers[site].can_fetch(web.localize(row["url"]), "skillenai-bot"), row["url"]
    linked = [r for r in truth["postings"] if r["spider"] == "jobpostings"][0]
    body = fetch(web.localize(linked["url"]))[2].decode()
    assert 'href="/internal/' in body


def test_career_sites_are_crawlable_without_sitemaps(web, truth):
    """Every posting of a career site is reachable from its home page through the
    listing pages, without fetching anything robots.txt disallows."""
    href = re.compile(r'href="([^"#]+)"')
    for site, kind in web.sites.items():
        if kind != "careers":
            continue
        origin = web.origin(site)
        robots = Protego.parse(fetch(origin + "/robots.txt")[2].decode())
        seen, queue, found = {origin + "/"}, [origin + "/"], set()
        while queue:
            url = queue.pop()
            status, _, body = fetch(url)
            assert status == 200, url
            if "/jobs/" in url and "?" not in url and not url.endswith("/jobs/"):
                found.add(web.virtualize(url))
                continue
            for link in href.findall(body.decode()):
                link = urllib.parse.urljoin(url, html.unescape(link))
                path = urllib.parse.urlsplit(link).path
                if link.startswith(origin) and path.startswith("/jobs/") and link not in seen \
                        and robots.can_fetch(link, "skillenai-bot"):
                    seen.add(link)
                    queue.append(link)
        expected = {r["url"] for r in truth["postings"] if r["spider"] == "jobpostings" and r["site"] == site}
        assert expected <= found, (site, expected - found)


def test_feeds_parse(web, truth):
    blog_urls = {a["url"] for a in truth["articles"] if a["site"] == "blog"}
    news_urls = {a["url"] for a in truth["articles"] if a["site"] == "news"}
    rss = ET.fromstring(fetch(web.origin("blog") + "/feed.xml")[2])
    items = rss.findall("./channel/item")
    assert 0 < len(items) <= 20
    for item in items:
        assert web.virtualize(item.findtext("link")) in blog_urls
        assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") and item.findtext("pubDate")
    sitemap = ET.fromstring(fetch(web.origin("blog") + "/sitemap.xml")[2])
    locs = {web.virtualize(u.findtext(SM + "loc")) for u in sitemap.findall(SM + "url")}
    assert blog_urls <= locs
    atom = ET.fromstring(fetch(web.origin("news") + "/atom.xml")[2])
    links = {web.virtualize(e.find(ATOM + "link").get("href")) for e in atom.findall(ATOM + "entry")}
    assert links == news_urls


def test_jsonld_parses_except_where_planted_broken(web, truth):
    seen = set()
    for row in truth["postings"]:
        if row["spider"] != "jobpostings":
            continue
        page = fetch(web.localize(row["url"]))[2].decode()
        blocks, broken = [], 0
        for raw in LD_JSON.findall(page):
            try:
                blocks.append(json.loads(raw))
            except json.JSONDecodeError:
                broken += 1
        kind = row["structured"]
        seen.add(kind)
        assert (broken > 0) == (kind == "broken" or row["malformed_jsonld"]), row["url"]
        postings = [b for b in blocks if b.get("@type") == "JobPosting"]
        postings += [n for b in blocks for n in b.get("@graph", []) if n.get("@type") == "JobPosting"]
        if kind in ("jsonld", "graph"):
            assert len(postings) == 1 and postings[0]["title"] == row["title"], row["url"]
            if kind == "graph":
                assert postings[0]["hiringOrganization"] == {"@id": f"http://{row['site']}.sample.test/#organization"
                                                             .replace(f"http://{row['site']}.sample.test",
                                                                      web.origin(row['site']))}
        else:
            assert not postings, row["url"]
        if kind == "microdata":
            assert 'itemtype="https://schema.org/JobPosting"' in page
        if kind in ("none", "broken"):
            assert "<h1" in page and html.escape(row["title"]) in page
    assert seen == {"jsonld", "graph", "microdata", "none", "broken"}


def test_keep_alive_and_methods(web):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", int(web.origin("blog").rsplit(":", 1)[1]), timeout=10)
    for _ in range(3):                        # one connection, several requests
        conn.request("GET", "/robots.txt")
        resp = conn.getresponse()
        assert resp.status == 200 and b"Disallow: /drafts/" in resp.read()
    conn.request("POST", "/subscribe/", body=b"email=a%40b.c",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    assert resp.status == 405 and resp.read()
    conn.request("GET", "/feed.xml")
    assert conn.getresponse().status == 200
    conn.close()


def test_server_is_quiet_and_records_requests(web_dir, capfd):
    with SampleWebServer(web_dir) as server:
        fetch(server.origin("blog") + "/robots.txt")
        fetch(server.origin("blog") + "/nope")
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert [r[1:] for r in server.requests] == [("GET", "/robots.txt", 200), ("GET", "/nope", 404)]


def test_gzip_server_compresses_text_for_clients_that_accept_it(web_dir, truth):
    import gzip
    import http.client

    url = next(t["url"] for t in truth["postings"] if t["spider"] == "jobpostings")
    with SampleWebServer(web_dir, gzip=True) as server:
        local = urllib.parse.urlsplit(server.localize(url))
        conn = http.client.HTTPConnection(local.hostname, local.port, timeout=10)
        conn.request("GET", local.path, headers={"Accept-Encoding": "gzip, deflate"})
        resp = conn.getresponse()
        packed = resp.read()
        assert resp.getheader("Content-Encoding") == "gzip" and resp.getheader("Vary") == "Accept-Encoding"
        conn.request("GET", local.path)               # no Accept-Encoding: the page as it is
        plain = conn.getresponse()
        body = plain.read()
        assert plain.getheader("Content-Encoding") is None and gzip.decompress(packed) == body
        assert len(packed) < len(body) and not VIRTUAL.search(body)
        conn.request("GET", "/robots.txt", headers={"Accept-Encoding": "gzip"})   # under 1 KB: sent as it is
        small = conn.getresponse()
        assert small.getheader("Content-Encoding") is None and b"User-agent" in small.read()
        conn.close()
    with SampleWebServer(web_dir) as server:          # the default server never compresses
        local = urllib.parse.urlsplit(server.localize(url))
        conn = http.client.HTTPConnection(local.hostname, local.port, timeout=10)
        conn.request("GET", local.path, headers={"Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        ports = re.compile(rb"127\.0\.0\.1:\d+")   # each server has its own ports
        assert resp.getheader("Content-Encoding") is None and ports.sub(b"", resp.read()) == ports.sub(b"", body)
        conn.close()


def test_heavy_pages_keep_what_the_crawler_reads(web_dir, truth, tmp_path):
    """Career pages padded as real ones are (benchmarks.heavy_pages) give the crawler's
    page parser the same documents as the original pages."""
    from benchmarks.heavy_pages import inflate
    from skillenai.crawler.parsing.pages import documents_from_page

    heavy = tmp_path / "heavy"
    padded = inflate(web_dir, heavy, 100, 120, seed=3)
    assert padded["pages"] > 0 and 100 <= padded["mean_kb"] <= 121
    sites = json.loads((web_dir / "manifest.json").read_text(encoding="utf-8"))["sites"]
    pages = sorted(p for site, kind in sites.items() if kind == "careers"
                   for p in (web_dir / "sites" / site).rglob("*.html"))[:40]
    assert pages
    for page in pages:
        rel = page.relative_to(web_dir)
        big = (heavy / rel).read_bytes()
        assert len(big) >= 100 * 1024, rel
        url = "http://example.test/" + "/".join(rel.parts[2:])
        before = documents_from_page(page.read_bytes(), url, "text/html; charset=utf-8")
        after = documents_from_page(big, url, "text/html; charset=utf-8")
        assert after.postings == before.postings, rel
        assert after.unstructured == before.unstructured, rel
    assert (heavy / "manifest.json").read_bytes() == (web_dir / "manifest.json").read_bytes()
