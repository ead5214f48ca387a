"""Crawl benchmark: the project's spiders, pipelines and store against a bare Scrapy spider.

One generated sample web (``skillenai.sampleweb``), served in the same run:

1. career sites, static files served by nginx (``apt-get install nginx``; without it the
   sample web's own Python server): the ``jobpostings`` spider with the project's
   settings, pipelines and SQLite store, robots.txt → sitemaps (or listings) → posting
   pages with JSON-LD, ``@graph``, microdata or none; against a bare ``scrapy.Spider``
   whose callback does nothing, fetching exactly the URLs the project crawl fetched
   (recorded from its ``response_received`` signal), from the same server, with the same
   concurrency, reactor and log level; and the same no-op spider under the project's
   settings (its middlewares, extensions and pipelines), which splits the gap into what
   the project's Scrapy configuration costs and what its callbacks and items cost;
2. the ATS spiders (``greenhouse``, ``lever``, ``ashby``) on the sample web's JSON APIs
   (the Python server: the APIs are computed), in postings stored per second, against
   the same bare spider over the same API URLs.

Each measured crawl is a fresh process; rounds alternate project and bare, and medians are
reported. One more project crawl runs under cProfile and its own time is grouped by
package, which says whether Scrapy, lxml, trafilatura, SQLite or our own code dominates.

Usage::

    python -m benchmarks.bench_crawl --quick          # 2,000 postings, 3 rounds (a few minutes)
    python -m benchmarks.bench_crawl                  # 4,000 postings, 3 rounds
    python -m benchmarks.bench_crawl --postings 10000 --rounds 5 --web /var/tmp/web10k
    python -m benchmarks.bench_crawl --quick --page-kb 100-300   # career pages as heavy as real ones, gzip

``--page-kb LO-HI`` pads every career-site page of a copy of the web to LO–HI KB with
generated site furniture (``benchmarks.heavy_pages``: inline runtime, app state, CSS, an
icon sprite, where real career sites carry them) and serves text gzip-compressed to
clients that accept it, as real sites do; both crawls decompress and carry the same
pages.

Prints a table and writes ``benchmarks/results/crawl.json``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.common import (
    StaticWeb,
    machine,
    median,
    peak_rss_mb,
    profile_by_package,
    profile_entry_points,
    run_child,
    table,
    write_results,
)
from benchmarks.heavy_pages import inflate

TARGET = 0.7  # the project crawl's pages/s over the bare crawl's
ATS = ["greenhouse", "lever", "ashby"]

# What a local crawl needs, for the project and the bare spider alike (the demo's values).
CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "ERROR",
}
# The bare spider: Scrapy's defaults except what must match the project's crawl.
BARE_SETTINGS = {
    **CRAWL_SETTINGS,
    "ROBOTSTXT_OBEY": False,  # robots.txt is in its URL list, fetched like any page
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    "DEPTH_LIMIT": 0,
}


# Where a crawl's time goes, callees included (the rest is Scrapy, Twisted and the network).
PROFILE_POINTS = {
    "whole crawl (reactor running)": ("scrapy/crawler.py", "start"),
    "spider callbacks": ("skillenai/crawler/spiders/jobpostings.py", "parse_page"),
    "  structured data and page fields": ("skillenai/crawler/parsing/pages.py", "documents_from_page"),
    "  trafilatura (pages without structured data)": ("skillenai/crawler/parsing/extract.py", "extract_page"),
    "    language detection": ("skillenai/classify/language.py", "detect_language"),
    "  document-kind model (first call loads it)": ("skillenai/classify/kind.py", "classify_kind"),
    "    loading the kind model (skops, scikit-learn)": ("skillenai/classify/training.py", "load_model"),
    "  salary from text": ("skillenai/crawler/ats.py", "salary_fields_from_text"),
    "item pipelines (normalise, store)": ("skillenai/crawler/pipelines.py", "process_item"),
    "  SQLite batches": ("skillenai/crawler/pipelines.py", "flush"),
}


# children --------------------------------------------------------------------------------

def child_project(spiders: list[str], settings: dict, urls_out: str | None, profile: bool) -> dict:
    from scrapy import signals

    import skillenai.crawler.run as run
    from skillenai.store.db import open_db

    urls: list[str] = []
    original = run.CrawlerProcess

    def record(request, **_):
        urls.append(request.url)

    class RecordingProcess(original):  # records every fetched URL for the bare spider
        def create_crawler(self, crawler_or_spidercls):
            crawler = super().create_crawler(crawler_or_spidercls)
            # Signals hold weak references: ``record`` lives as long as this function.
            crawler.signals.connect(record, signal=signals.response_received)
            return crawler

    run.CrawlerProcess = RecordingProcess
    profiler = None
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    result = run.run_spiders(spiders, settings)
    if profiler is not None:
        profiler.disable()
    stats = list(result.stats.values())
    db = open_db(settings["SKILLENAI_DB"])
    stored = {kind: n for kind, n in db.execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind")}
    db.close()
    if urls_out:
        if not urls:
            raise RuntimeError("no fetched URL was recorded")
        Path(urls_out).write_text("\n".join(urls) + "\n", encoding="utf-8")
    out = {
        "seconds": result.seconds,
        "responses": sum(s.get("response_received_count", 0) for s in stats),
        "items": sum(s.get("item_scraped_count", 0) for s in stats),
        "bytes": sum(s.get("downloader/response_bytes", 0) for s in stats),
        "decoded_bytes": sum(s.get("httpcompression/response_bytes", 0) for s in stats),
        "decoded_responses": sum(s.get("httpcompression/response_count", 0) for s in stats),
        "stored": stored,
        "peak_rss_mb": peak_rss_mb(),
    }
    if profiler is not None:
        import pstats
        stats = pstats.Stats(profiler)
        out["profile"] = profile_by_package(stats, top=20)
        out["profile"]["entry_points"] = profile_entry_points(stats, PROFILE_POINTS)
    return out


def child_bare(urls_file: str, settings: dict, project: bool = False) -> dict:
    """The no-op spider over ``urls_file``; with ``project``, under the project's settings
    (its middlewares, extensions and pipelines), which separates what the project's Scrapy
    configuration costs from what its callbacks cost."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    if project:
        from skillenai.crawler.run import project_settings

        settings = project_settings(settings)

    urls = [u for u in Path(urls_file).read_text(encoding="utf-8").split("\n") if u]

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = urls

        def parse(self, response):
            return None

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    started = time.monotonic()
    process.start()
    seconds = time.monotonic() - started
    stats = crawler.stats.get_stats()
    if not stats.get("response_received_count"):
        raise RuntimeError(f"the bare crawl fetched nothing from {len(urls)} URLs: {stats}")
    return {"seconds": seconds, "responses": stats.get("response_received_count", 0),
            "bytes": stats.get("downloader/response_bytes", 0), "peak_rss_mb": peak_rss_mb()}


# the parent --------------------------------------------------------------------------------

def seeds_for(localized: str, spiders: list[str]) -> str:
    rows = [row for row in csv.reader(io.StringIO(localized))]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    writer.writerows(row for row in rows[1:] if row and row[0] in spiders)
    return out.getvalue()


def crawl_rounds(name: str, spiders: list[str], web, web_dir: Path, work: Path, rounds: int,
                 profile: bool) -> dict:
    from skillenai.pipeline.demo import sample_web_settings

    seeds = work / f"seeds-{name}.csv"
    base = sample_web_settings(web, web_dir, str(work / "unused.db"))
    seeds.write_text(seeds_for(web.localize((web_dir / "seeds.csv").read_text(encoding="utf-8")), spiders),
                     encoding="utf-8")
    urls = work / f"urls-{name}.txt"
    project, bare, configured, inline = [], [], [], []
    for number in range(rounds):
        db = work / f"{name}-{number}.db"
        settings = {**base, **CRAWL_SETTINGS, "SKILLENAI_DB": str(db), "SKILLENAI_SEEDS": str(seeds)}
        args = ["-m", "benchmarks.bench_crawl", "--child", "project", "--spiders", ",".join(spiders),
                "--settings", json.dumps(settings)]
        if number == 0:
            args += ["--urls-out", str(urls)]
        project.append(run_child(args))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        bare.append(run_child(["-m", "benchmarks.bench_crawl", "--child", "bare", "--urls", str(urls),
                               "--settings", json.dumps(BARE_SETTINGS)]))
        db = work / f"{name}-{number}-configured.db"
        configured.append(run_child(["-m", "benchmarks.bench_crawl", "--child", "bare", "--urls", str(urls), "--project",
                                     "--settings", json.dumps({**settings, "SKILLENAI_DB": str(db)})]))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        # The project crawl once more, parsing pages in the spider callbacks (one core).
        db = work / f"{name}-{number}-inline.db"
        inline.append(run_child(["-m", "benchmarks.bench_crawl", "--child", "project", "--spiders", ",".join(spiders),
                                 "--settings", json.dumps({**settings, "SKILLENAI_DB": str(db),
                                                           "SKILLENAI_PARSE_WORKERS": 0})]))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        p, b, c, i = project[-1], bare[-1], configured[-1], inline[-1]
        print(f"  {name} round {number + 1}: project {p['responses'] / p['seconds']:.0f} pages/s "
              f"({p['items']} items), bare {b['responses'] / b['seconds']:.0f} pages/s, "
              f"no-op spider with the project's settings {c['responses'] / c['seconds']:.0f} pages/s, "
              f"project parsing in its callbacks {i['responses'] / i['seconds']:.0f} pages/s", flush=True)
    result = summarize(project, bare)
    result["configured_pages_per_s"] = median(r["responses"] / r["seconds"] for r in configured)
    result["configured_ratio"] = median(c["responses"] / c["seconds"] / (b["responses"] / b["seconds"])
                                        for c, b in zip(configured, bare))
    result["rounds"]["configured"] = configured
    result["inline_pages_per_s"] = median(r["responses"] / r["seconds"] for r in inline)
    result["inline_ratio"] = median(i["responses"] / i["seconds"] / (b["responses"] / b["seconds"])
                                    for i, b in zip(inline, bare))
    result["rounds"]["inline"] = inline
    if profile:
        db = work / f"{name}-profile.db"
        settings = {**base, **CRAWL_SETTINGS, "SKILLENAI_DB": str(db), "SKILLENAI_SEEDS": str(seeds)}
        profiled = run_child(["-m", "benchmarks.bench_crawl", "--child", "project", "--spiders", ",".join(spiders),
                              "--settings", json.dumps(settings), "--profile"])
        result["profile"] = profiled["profile"]
    return result


def summarize(project: list[dict], bare: list[dict]) -> dict:
    p_rate = median(r["responses"] / r["seconds"] for r in project)
    b_rate = median(r["responses"] / r["seconds"] for r in bare)
    ratios = [p["responses"] / p["seconds"] / (b["responses"] / b["seconds"]) for p, b in zip(project, bare)]
    return {
        "project_pages_per_s": p_rate,
        "bare_pages_per_s": b_rate,
        "ratio": median(ratios),
        "ratio_per_round": ratios,
        "project_items_per_s": median(r["items"] / r["seconds"] for r in project),
        "project_seconds": median(r["seconds"] for r in project),
        "bare_seconds": median(r["seconds"] for r in bare),
        "project_process_wall_s": median(r["process_wall_s"] for r in project),
        "bare_process_wall_s": median(r["process_wall_s"] for r in bare),
        # CPU a page, the whole process tree (start-up included): steadier than pages/s on a
        # loaded machine, and says what two cores could do for the project crawl.
        "project_cpu_ms_per_page": median(1000 * r["process_cpu_s"] / r["responses"] for r in project),
        "bare_cpu_ms_per_page": median(1000 * r["process_cpu_s"] / r["responses"] for r in bare),
        "responses": project[0]["responses"],
        "items": project[0]["items"],
        "stored": project[0]["stored"],
        "mean_page_kb": project[0]["bytes"] / max(1, project[0]["responses"]) / 1024,
        # the pages that came compressed, as decompressed
        "mean_decoded_page_kb": project[0]["decoded_bytes"] / project[0]["decoded_responses"] / 1024
        if project[0].get("decoded_responses") else None,
        "project_peak_rss_mb": max(r["peak_rss_mb"] for r in project),
        "bare_peak_rss_mb": max(r["peak_rss_mb"] for r in bare),
        "rounds": {"project": project, "bare": bare},
    }


def print_profile(name: str, profile: dict) -> None:
    points = profile.get("entry_points")
    if points:
        print(f"\nWhere the {name} crawl's time goes (cProfile, callees included; "
              f"{points['total_s']:.1f} s profiled):")
        for label, point in points["points"].items():
            print(f"  {label:50s} {point['seconds']:7.2f} s  {point['share']:5.0%}")
    print("\nOwn time by package:")
    print("  " + ", ".join(f"{k} {v:.0%}" for k, v in list(profile["by_package"].items())[:10]))
    print("  costliest functions (own time):")
    for row in profile["top_functions"][:10]:
        print(f"    {row['own_s']:7.2f} s  {row['function']}")


def _page_kb(value: str) -> tuple[int, int]:
    try:
        lo, hi = (int(x) for x in value.split("-"))
    except ValueError:
        raise SystemExit(f"--page-kb {value!r}: give two sizes in KB, e.g. 100-300") from None
    if lo <= 0 or hi < lo:
        raise SystemExit(f"--page-kb {value!r}: give two sizes in KB, the smaller first, e.g. 100-300")
    return lo, hi


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 postings (a few minutes)")
    parser.add_argument("--postings", type=int, help="sample-web postings (default 4000; 2000 with --quick)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds of each crawl (default 3)")
    parser.add_argument("--web", type=Path, help="generate into (or reuse) this directory")
    parser.add_argument("--python-server", action="store_true", help="serve career sites with the Python server even if nginx is installed")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled crawl")
    parser.add_argument("--no-ats", action="store_true", help="skip the ATS spiders")
    parser.add_argument("--page-kb", metavar="LO-HI",
                        help="pad career pages to LO-HI KB and serve them gzip-compressed (e.g. 100-300)")
    parser.add_argument("--out", type=Path, help="JSON results (default benchmarks/results/crawl.json)")
    parser.add_argument("--child", choices=["project", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--spiders", help=argparse.SUPPRESS)
    parser.add_argument("--settings", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--urls-out", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--project", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "project":
        print(json.dumps(child_project(args.spiders.split(","), json.loads(args.settings), args.urls_out, args.profile)))
        return 0
    if args.child == "bare":
        print(json.dumps(child_bare(args.urls, json.loads(args.settings), args.project)))
        return 0

    from skillenai.sampleweb import SampleWebServer, generate

    postings = args.postings or (2000 if args.quick else 4000)
    results = {"machine": machine(), "postings": postings, "rounds": args.rounds, "target_ratio": TARGET}
    work = Path(tempfile.mkdtemp(prefix="skillenai-bench-crawl-"))
    web_dir = args.web or work / "web"
    try:
        if not (web_dir / "manifest.json").exists() or json.loads((web_dir / "manifest.json").read_text())["postings"] != postings:
            started = time.monotonic()
            generate(web_dir, postings=postings)
            print(f"generated a sample web of {postings} postings in {time.monotonic() - started:.1f} s", flush=True)
        sites = json.loads((web_dir / "manifest.json").read_text(encoding="utf-8"))["sites"]
        careers = [site for site, kind in sites.items() if kind == "careers"]
        career_dir, heavy = web_dir, args.page_kb is not None
        if heavy:
            lo, hi = _page_kb(args.page_kb)
            career_dir = work / "web-heavy"
            started = time.monotonic()
            padded = inflate(web_dir, career_dir, lo, hi)
            results["heavy_pages"] = {"kb": [lo, hi], **padded}
            print(f"padded {padded['pages']} career pages to {lo}-{hi} KB (mean {padded['mean_kb']} KB) "
                  f"in {time.monotonic() - started:.1f} s", flush=True)
        use_nginx = StaticWeb.available() and not args.python_server
        results["server"] = ("nginx" if use_nginx else "sampleweb (Python)") + (", gzip" if heavy else "")
        print(f"career sites served by {results['server']}", flush=True)
        if use_nginx:
            static = StaticWeb(career_dir, careers, gzip=heavy)
        else:
            static = SampleWebServer(career_dir, gzip=heavy, cache_mb=1024 if heavy else None)
        with static as web:
            if heavy and not use_nginx:
                web.precompress(careers)  # no measured crawl pays for the server's compression
            results["career_sites"] = crawl_rounds("jobpostings", ["jobpostings"], web, career_dir, work,
                                                   args.rounds, not args.no_profile)
        if not args.no_ats:
            with SampleWebServer(web_dir) as web:
                results["ats"] = crawl_rounds("ats", ATS, web, web_dir, work, args.rounds, False)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = []
    c = results["career_sites"]
    rows.append(["career sites: jobpostings", c["responses"], c["items"], c["project_pages_per_s"],
                 c["bare_pages_per_s"], c["ratio"], f">= {TARGET}", c["project_items_per_s"]])
    rows.append(["  no-op spider, the project's settings", c["responses"], 0, c["configured_pages_per_s"],
                 c["bare_pages_per_s"], c["configured_ratio"], "-", "-"])
    rows.append(["  project, parsing in its callbacks", c["responses"], c["items"], c["inline_pages_per_s"],
                 c["bare_pages_per_s"], c["inline_ratio"], "-", "-"])
    if "ats" in results:
        a = results["ats"]
        rows.append(["ATS APIs: greenhouse+lever+ashby", a["responses"], a["items"], a["project_pages_per_s"],
                     a["bare_pages_per_s"], a["ratio"], "-", a["project_items_per_s"]])
    decoded = (f"; compressed pages {c['mean_decoded_page_kb']:.0f} KB decompressed"
               if c.get("mean_decoded_page_kb") else "")
    print(f"\nCrawl: medians of {args.rounds} rounds, {postings}-posting sample web, "
          f"{c['mean_page_kb']:.0f} KB pages on average on the wire{decoded} ({results['server']})")
    print(table(rows, ["crawl", "responses", "items", "pages/s", "bare pages/s", "ratio", "target", "postings/s"]))
    print(f"CPU a page (process tree, start-up included): project {c['project_cpu_ms_per_page']:.2f} ms, "
          f"bare {c['bare_cpu_ms_per_page']:.2f} ms "
          f"({c['project_cpu_ms_per_page'] / c['bare_cpu_ms_per_page']:.2f}x)")
    for name in ("career_sites",):
        if "profile" in results[name]:
            print_profile("jobpostings", results[name]["profile"])
    path = write_results("crawl", results, args.out)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
