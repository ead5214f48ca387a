"""Command line: ``python -m skillenai.sampleweb generate OUT_DIR`` and ``... serve OUT_DIR``."""

import argparse
import csv
import datetime as dt
import json
import shlex
import signal
import sys
import time
from pathlib import Path

from .generate import DEFAULT_AS_OF, MAX_POSTINGS, MIN_POSTINGS, generate


def _interrupt(signum, frame):
    """A service manager stops us with SIGTERM: shut down as on Ctrl-C."""
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m skillenai.sampleweb",
        description="Generate Skillenai's deterministic sample web (job boards, career sites, blog, news) "
                    "with its ground truth, or serve a generated one on 127.0.0.1.")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a sample web and its ground truth into OUT_DIR",
                         description="Write manifest.json, seeds.csv, sites/ and truth/ into OUT_DIR. "
                                     "The same arguments always give byte-identical output.")
    gen.add_argument("out_dir", metavar="OUT_DIR")
    gen.add_argument("--postings", type=int, default=200,
                     help=f"posting documents the crawler should end up storing, duplicates included "
                          f"({MIN_POSTINGS}-{MAX_POSTINGS}, default 200)")
    gen.add_argument("--articles", type=int, default=None,
                     help="articles to write (default: postings/25, at least 12, at most 2000)")
    gen.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    gen.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF, metavar="YYYY-MM-DD",
                     help=f"the day the web is current to (default {DEFAULT_AS_OF})")
    gen.add_argument("--day", type=int, default=None, metavar="N",
                     help="the web as seen on day N (0, 1, 2...) of a series in which a few postings open "
                          "and close each day, the rest unchanged byte for byte (default: every posting listed)")
    gen.add_argument("--boards", default="", metavar="KINDS",
                     help="also one company on each of these job boards, comma-separated, or 'all' "
                          "(recruitee, personio, bamboohr, teamtailor, pinpoint, rippling, breezy; default none)")
    srv = sub.add_parser("serve", help="serve a generated sample web until Ctrl-C",
                         description="Start one local port per site and print each site's origin.")
    srv.add_argument("out_dir", metavar="OUT_DIR")
    srv.add_argument("--faults", type=int, default=None, metavar="SEED",
                     help="serve with the fault profile of this seed (errors, 429s, resets, truncated, slow, "
                          "oversize and hostile responses, crawler traps; skillenai/sampleweb/faults.py) and "
                          "print the documents it loses by design")
    srv.add_argument("--fault-rate", type=float, default=0.25, metavar="R",
                     help="share of URLs given a fault with --faults (0-1, default 0.25)")
    args = parser.parse_args(argv)

    if args.command == "generate":
        started = time.perf_counter()
        try:
            manifest = generate(args.out_dir, postings=args.postings, seed=args.seed, as_of=args.as_of,
                                articles=args.articles, day=args.day,
                                boards="all" if args.boards == "all" else [b for b in args.boards.split(",") if b])
        except ValueError as exc:
            parser.error(str(exc))
        print(f"wrote {manifest['postings']} postings, {manifest['articles']} articles, "
              f"{len(manifest['sites'])} sites to {args.out_dir} in {time.perf_counter() - started:.1f}s")
        return 0

    from .server import SampleWebServer
    profile = None
    if args.faults is not None:
        from .faults import FaultProfile, fault_truth

        try:
            profile = FaultProfile(seed=args.faults, rate=args.fault_rate)
        except ValueError as exc:
            parser.error(str(exc))
    try:
        web = SampleWebServer(args.out_dir, faults=profile)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if profile is not None:
        lost = [f for f in fault_truth(args.out_dir, profile) if f["outcome"] == "lost"]
        print(f"{profile}: {len(lost)} documents lost by design")
        for fault in lost:
            print(f"  {fault['fault']:14} {fault['url']}")
    signal.signal(signal.SIGTERM, _interrupt)
    with web:
        for site in web.sites:
            print(f"{site:24} {web.origin(site)}  (http://{site}.sample.test)")
        settings = web.crawl_settings()
        spiders = _spiders(Path(settings["SKILLENAI_SEEDS"]))
        print(f"sources file with these ports: {settings['SKILLENAI_SEEDS']}")
        print(f"crawl it from the repository root (any spider of the sources file: {', '.join(spiders)}):")
        print("  " + crawl_command("jobpostings" if "jobpostings" in spiders else spiders[0], settings,
                                   Path(args.out_dir).resolve() / "crawl.db"))
        print("serving; press Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopping", flush=True)
    return 0


def crawl_command(spider: str, settings: dict, db: Path) -> str:
    """The ``scrapy crawl`` command line, ready for a shell, that crawls the served web into ``db``."""
    parts = ["scrapy", "crawl", spider]
    for key, value in {**settings, "SKILLENAI_DB": str(db)}.items():
        parts += ["-s", f"{key}={value if isinstance(value, str) else json.dumps(value, separators=(',', ':'))}"]
    return shlex.join(parts)


def _spiders(seeds: Path) -> list[str]:
    """The spiders a sources file has rows for, in the order they first appear."""
    with seeds.open(encoding="utf-8", newline="") as handle:
        return list(dict.fromkeys(row["spider"] for row in csv.DictReader(handle) if row.get("spider")))


if __name__ == "__main__":
    sys.exit(main())
