"""The static site in a real headless browser (Debian's chromium), served over HTTP on
127.0.0.1: starting from the index, the browser follows every link inside the site; every
page renders (its title, its head), every link resolves (pages, feeds, JSON, the sitemap),
and every chart has one bar per week of its table. Screenshots of a page of each kind are
written.

Skipped when no chromium is installed (``apt-get install chromium``).
"""

from __future__ import annotations

import functools
import json
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_skill_page_browser import CHROMIUM, chromium

from skillenai.cli.main import main

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

# Runs in the browser: a walk over the site from index.html, each page loaded in an iframe
# (same origin), its links followed; what it found is written into the page as JSON.
WALKER = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>walk</title></head><body>
<pre id="result">walking</pre>
<script>
const origin = location.origin;
function load(path) {
  return new Promise(resolve => {
    const frame = document.createElement("iframe");
    frame.style.width = "1000px"; frame.style.height = "800px";
    frame.onload = () => resolve(frame);
    frame.src = path;
    document.body.appendChild(frame);
  });
}
async function walk() {
  const queue = ["/index.html"], seen = new Set(queue), pages = [], other = {}, broken = [];
  let links = 0;
  while (queue.length) {
    const path = queue.shift();
    const frame = await load(path);
    const doc = frame.contentDocument;
    const weeks = doc.querySelectorAll("#weekly details table tbody tr").length;
    pages.push({path, title: doc.title, h1: (doc.querySelector("h1") || {}).textContent || "",
                bars: doc.querySelectorAll("svg rect.bar").length, weeks,
                canonical: !!doc.querySelector('link[rel="canonical"]'),
                height: doc.documentElement.scrollHeight});
    for (const a of doc.querySelectorAll("a[href]")) {
      const url = new URL(a.getAttribute("href"), frame.contentWindow.location.href);
      if (url.origin !== origin) continue;
      links += 1;
      const target = url.pathname;
      if (seen.has(target)) continue;
      seen.add(target);
      if (target.endsWith(".html")) { queue.push(target); continue; }
      const response = await fetch(target);
      const body = await response.text();
      other[target] = {status: response.status, type: response.headers.get("content-type"), bytes: body.length};
      if (!response.ok) broken.push(path + " -> " + target);
    }
    frame.remove();
  }
  document.getElementById("result").textContent = JSON.stringify({pages, other, links, broken});
}
walk().catch(e => { document.getElementById("result").textContent = "ERROR " + e; });
</script></body></html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(make_sample_store, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-site") / "site"
    assert main(["site", "--db", str(make_sample_store()), "--out", str(out)]) == 0
    (out / "_walk.html").write_text(WALKER, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_browser_walks_every_page_and_link(site, tmp_path):
    out, base = site
    result = chromium(tmp_path, "--dump-dom", "--virtual-time-budget=600000", f"{base}/_walk.html")
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="result">(.*?)</pre>', result.stdout, re.S).group(1)
    assert not found.startswith(("walking", "ERROR")), found[:500]
    walk = json.loads(found.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    html = {"/" + p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"/_walk.html"}
    assert {p["path"] for p in walk["pages"]} == html  # every page reached through links from the index
    assert walk["broken"] == []
    for page in walk["pages"]:
        assert page["title"].endswith("— Skillenai") and page["h1"], page
        assert page["height"] > 400, page
        if re.match(r"^/(skills|metros|roles|occupations)/[^/]+/index\.html$", page["path"]):
            assert page["canonical"] and page["weeks"] == 13 and page["bars"] == page["weeks"], page
    feeds = [p for p in walk["other"] if p.endswith("/feed.xml")]
    jsons = [p for p in walk["other"] if p.endswith(".json")]
    entity_pages = sum(1 for p in html if p.count("/") == 3)
    assert len(feeds) == len(jsons) == entity_pages
    assert all(walk["other"][p]["status"] == 200 and walk["other"][p]["bytes"] > 200 for p in feeds + jsons)
    assert "/sitemap.xml" in walk["other"]
    assert walk["links"] > 10 * len(html)


def test_screenshots_of_each_kind_of_page(site, tmp_path):
    out, base = site
    kinds = {"index": "index.html", "skill": "skills/python/index.html",
             "metro": next((out / "metros").glob("*/index.html")).relative_to(out).as_posix(),
             "occupation": next((out / "occupations").glob("*/index.html")).relative_to(out).as_posix(),
             "top-skills": "top-skills/index.html"}
    for kind, path in kinds.items():
        shot = tmp_path / f"{kind}.png"
        result = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1000,2400", f"{base}/{path}")
        assert result.returncode == 0, result.stderr[-2000:]
        assert shot.stat().st_size > 20_000, kind
