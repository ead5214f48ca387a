"""The ``skillenai`` command line.

It lives in ``crawler`` because ``demo`` and ``crawl`` drive the spiders, and only
``crawler`` may import everything else (``store`` and ``classify`` never import it).
Each subcommand's ``--help`` says what it does and what it needs.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from skillenai.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    Parser,
    date_arg,
    existing_store,
    fraction,
    progress,
    spider_arg,
    whole_number,
    writable_store,
)
from skillenai.cli.metrics import add_metrics_commands
from skillenai.core import interrupt
from skillenai.store.db import DEFAULT_DB, StoreError, open_db
from skillenai.store.runs import crawl_runs_after, last_crawl_run_id

logger = logging.getLogger("skillenai")


# demo ------------------------------------------------------------------------------------

def cmd_demo(args: argparse.Namespace) -> int:
    from skillenai.pipeline.demo import run_demo

    return run_demo(
        db_path=writable_store(args.db), postings=args.postings, seed=args.seed, web_dir=args.web,
        as_of=args.as_of, verbose=args.verbose, progress=progress,
    )


# crawl -----------------------------------------------------------------------------------

def _crawl_overrides(args: argparse.Namespace) -> dict:
    """Scrapy settings from a crawling command's --verbose, --seeds and --set options."""
    overrides = {"LOG_LEVEL": "INFO" if args.verbose else "WARNING"}
    if args.seeds:
        overrides["SKILLENAI_SEEDS"] = args.seeds
    overrides.update(_set_overrides(args.set))
    return overrides


def _set_overrides(values: list[str] | None) -> dict:
    """Scrapy settings from --set NAME=VALUE options."""
    overrides = {}
    for setting in values or []:
        key, sep, value = setting.partition("=")
        if not sep:
            raise CommandError(f"--set expects NAME=VALUE, got {setting!r}")
        overrides[key] = _setting_value(value)
    return overrides


def check_sources(overrides: dict, spiders: list[str] | None) -> None:
    """Refuse a sources file that is missing, unreadable or has no usable row for
    ``spiders`` (default: all), before anything is opened. Bad rows among good ones are
    reported by the crawl and fail a monitor (SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS)."""
    from skillenai.crawler.run import project_settings
    from skillenai.crawler.seeds import SPIDERS, SeedFileError, read_seeds

    path = project_settings(overrides).get("SKILLENAI_SEEDS")
    try:
        seeds, problems = read_seeds(Path(path))
    except SeedFileError as exc:
        raise CommandError(f"{exc} (give another with --seeds FILE)") from None
    chosen = spiders or list(SPIDERS)
    if not any(seed.spider in chosen for seed in seeds):
        first = f"; the first bad one: {problems[0]}" if problems else ""
        raise CommandError(f"sources file {path!r} has no usable row for {', '.join(chosen)} "
                           f"({len(problems)} bad rows{first})")


def check_monitor_settings(overrides: dict) -> None:
    """Refuse unusable monitor thresholds or webhook URL before anything is opened."""
    from skillenai.crawler.monitors import thresholds
    from skillenai.crawler.run import project_settings
    from skillenai.crawler.webhook import check_url

    settings = project_settings(overrides)
    try:
        thresholds(settings)
        if settings.get("SKILLENAI_MONITOR_WEBHOOK"):
            check_url(settings.get("SKILLENAI_MONITOR_WEBHOOK"))
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def cmd_crawl(args: argparse.Namespace) -> int:
    from skillenai.crawler.run import run_spiders
    from skillenai.pipeline.demo import print_crawl_summary

    overrides = {"SKILLENAI_DB": writable_store(args.db), **_crawl_overrides(args)}
    if args.redis:
        overrides["SKILLENAI_REDIS_URL"] = args.redis
    check_sources(overrides, args.spider)
    check_monitor_settings(overrides)
    if overrides.get("SKILLENAI_REDIS_URL"):
        # Distributed mode: items go to Redis; `skillenai ingest --redis` stores them.
        if getattr(args, "jobdir", None):
            raise CommandError("--jobdir cannot be used with --redis: the request queue is in Redis")
        from skillenai.crawler.distributed import check_reachable, print_worker_summary

        try:
            check_reachable(overrides["SKILLENAI_REDIS_URL"])
        except (ValueError, ImportError) as exc:
            raise CommandError(str(exc)) from None
        result = run_spiders(args.spider or None, overrides, progress=True)
        print_worker_summary(result.stats, result.seconds)
        if result.stopped_by:
            raise interrupt.Interrupted(result.stopped_by)
        return EXIT_OK
    db = open_db(args.db)
    last_run = last_crawl_run_id(db)
    db.close()
    result = run_spiders(args.spider or None, overrides, jobdir=args.jobdir, progress=True)
    db = open_db(args.db)
    runs = crawl_runs_after(db, last_run)
    run_ids = [run["id"] for run in runs]
    print_crawl_summary(db, run_ids, result.seconds)
    if result.stopped_by:
        # The monitors would only say that the crawl was cut short.
        raise interrupt.Interrupted(result.stopped_by)
    status = _check_monitors(db, run_ids, overrides, args.db)
    unfinished = [f"{run['spider']} ({run['outcome']})" for run in runs
                  if run["outcome"] not in ("finished", "finished_with_errors")]
    if unfinished:
        print(f"skillenai: spiders that did not finish: {', '.join(unfinished)}", file=sys.stderr)
        status = EXIT_FAILED
    for name, error in result.not_run.items():
        print(f"skillenai: {name} did not run: {error}", file=sys.stderr)
        status = EXIT_FAILED
    return status


def _check_monitors(db, run_ids: list[int], overrides: dict, store: str) -> int:
    """Run the monitors over a crawl's runs, keep their result with each run and notify
    the webhook when one fails: exit status 1 then (skillenai/crawler/monitors.py)."""
    from skillenai.crawler.monitors import notification, notify, record, report, run_monitors
    from skillenai.crawler.run import project_settings

    settings = project_settings(overrides)
    try:
        checks = run_monitors(db, run_ids, settings)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    record(db, run_ids, checks)
    passed = report(checks, sys.stderr)
    problem = notify(settings, notification(checks, run_ids, store))
    if problem:
        print(f"skillenai: {problem}", file=sys.stderr)
    return EXIT_OK if passed else EXIT_FAILED


# daily -----------------------------------------------------------------------------------

def cmd_daily(args: argparse.Namespace) -> int:
    from skillenai.pipeline.daily import run_daily

    overrides = _crawl_overrides(args)
    if args.sample_web:
        if not (Path(args.sample_web) / "manifest.json").is_file():
            raise CommandError(f"--sample-web {args.sample_web!r} is not a generated sample web (no manifest.json; "
                               "make one with 'python -m skillenai.sampleweb generate DIR')")
    else:
        check_sources(overrides, args.spider)
    check_monitor_settings(overrides)
    return run_daily(db_path=writable_store(args.db), date=args.date, spiders=args.spider or None, overrides=overrides,
                     sample_web=args.sample_web, progress=progress)


def _setting_value(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return value


# ingest / export ---------------------------------------------------------------------------

def cmd_ingest(args: argparse.Namespace) -> int:
    from skillenai.store.ingest import ingest_lines

    if (args.file is None) == (args.redis is None):
        raise CommandError("give either FILE (or - for standard input) or --redis URL")
    writable_store(args.db)
    if args.redis:
        return _ingest_redis(args)
    if args.file == "-":
        handle = sys.stdin.buffer
    else:
        try:
            handle = Path(args.file).open("rb")
        except OSError as exc:
            raise CommandError(f"cannot read {args.file!r}: {exc.strerror or exc}") from None
    db = open_db(args.db)
    with handle:
        report = ingest_lines(db, handle, name="<stdin>" if args.file == "-" else args.file,
                              progress=progress("ingest"))
    for message in report.errors[:20]:
        print(message, file=sys.stderr)
    if report.skipped > 20:
        print(f"... and {report.skipped - 20} more bad lines", file=sys.stderr)
    c = report.counts
    print(f"ingested {c.total} documents ({c.new} new, {c.changed} changed, {c.unchanged} unchanged); "
          f"skipped {report.skipped} bad lines of {report.lines}", file=sys.stderr)
    return 1 if report.skipped else 0


def _ingest_redis(args: argparse.Namespace) -> int:
    from skillenai.crawler.distributed import check_reachable, connect, drain

    try:
        check_reachable(args.redis)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    client = connect(args.redis)
    db = open_db(args.db)
    # SIGTERM/SIGINT end --follow after the batch in hand is stored.
    report = drain(db, client, args.key, batch_size=args.batch, follow=args.follow,
                   should_stop=lambda: interrupt.received() is not None)
    items = report.items
    for message in (items.errors + report.errors)[:20]:
        print(message, file=sys.stderr)
    c = items.counts
    print(f"ingested {c.total} documents from Redis ({c.new} new, {c.changed} changed, {c.unchanged} unchanged); "
          f"skipped {items.skipped} bad items of {items.lines}; runs {report.runs_started} started, "
          f"{report.runs_finished} finished; {report.issues} crawl issues", file=sys.stderr)
    interrupt.check()
    return EXIT_FAILED if items.skipped or report.bad_events else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from skillenai.store.export import write_export

    db = open_db(existing_store(args.db), readonly=True)
    kinds = tuple(args.kind) if args.kind else None
    count, cursor = write_export(db, sys.stdout, since=args.since, kinds=kinds, include_raw=args.raw)
    sys.stdout.flush()
    print(f"exported {count} documents; next cursor: {cursor}", file=sys.stderr)
    interrupt.check()
    return EXIT_OK


# extract ---------------------------------------------------------------------------------

def cmd_extract(args: argparse.Namespace) -> int:
    from skillenai.crawler.parsing.extract import extract_page

    if args.db:
        return _extract_store(args)
    if args.workers or args.all or args.kind:
        raise CommandError("--workers, --all and --kind re-extract a store: give --db PATH")
    body = sys.stdin.buffer.read()
    if not body.strip():
        raise CommandError("no HTML on standard input")
    from skillenai.crawler.parsing.pages import declared_language, parse_html

    tree = parse_html(body)
    result = extract_page(body, args.url, declared_lang=declared_language(tree) if tree is not None else None)
    if result is None:
        print("skillenai: no main text found in the document", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({k: result[k] for k in ("title", "text", "author", "date", "lang")}, ensure_ascii=False))
    else:
        print(result["text"])
    return 0


def _extract_store(args: argparse.Namespace) -> int:
    from skillenai.pipeline.reextract import reextract_store

    db = open_db(existing_store(args.db))
    report = reextract_store(db, workers=args.workers, all_documents=args.all,
                             kinds=tuple(args.kind) if args.kind else None, progress=progress("extract"))
    for message in report.errors[:20]:
        print(f"skipped {message}", file=sys.stderr)
    print(json.dumps(report.as_dict(), indent=2))
    return 1 if report.failed else 0


# tagging ---------------------------------------------------------------------------------

TAG_BATCH = 256


def cmd_tag(args: argparse.Namespace) -> int:
    from skillenai.classify.tagger import tag_documents

    bad = 0
    batch: list[dict] = []

    def flush():
        for tags in tag_documents(batch):
            sys.stdout.write(json.dumps(tags.as_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        batch.clear()

    for number, line in enumerate(sys.stdin, start=1):
        if interrupt.received() is not None:
            break  # the documents read so far are tagged and written first
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            if not isinstance(doc, dict):
                raise ValueError("expected a JSON object")
            if not isinstance(doc.get("text", ""), str) or not isinstance(doc.get("title") or "", str):
                raise ValueError("'text' and 'title' must be strings")
        except ValueError as exc:
            print(f"<stdin>:{number}: skipped: {exc}", file=sys.stderr)
            bad += 1
            continue
        doc.setdefault("id", number)
        batch.append(doc)
        if len(batch) >= TAG_BATCH:
            flush()
    if batch:
        flush()
    interrupt.check()
    return EXIT_FAILED if bad else EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    from skillenai.classify.resolve import resolve
    from skillenai.classify.skills.matcher import suggest_skills

    status = 0
    for text in args.text:
        found = resolve(text, args.kind)
        if found:
            # The likeliest entity's fields, then every kind the text may name with its score.
            result = {"query": text, **found[0].as_json()}
            if args.kind is None:
                result["candidates"] = [r.as_json() for r in found]
        else:
            result = {"query": text, "type": None}
            if args.kind in (None, "skill"):
                result["suggestions"] = suggest_skills(text)
            status = 1
        print(json.dumps(result, ensure_ascii=False))
    return status


def cmd_train(args: argparse.Namespace) -> int:
    from skillenai.classify.kind import train_kind_model
    from skillenai.classify.occupations import train_occupation_model
    from skillenai.classify.places.mentions import train_place_models
    from skillenai.classify.roles import train_role_model
    from skillenai.classify.skills.matcher import train_skill_models

    results = {}
    for name, train in (("skills", train_skill_models), ("places", train_place_models),
                        ("roles", train_role_model), ("occupations", train_occupation_model),
                        ("kind", train_kind_model)):
        interrupt.check()  # between models: the ones saved so far stay
        started = time.monotonic()
        print(f"training {name} ...", file=sys.stderr)
        results[name] = train()
        print(f"  done in {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(json.dumps(results, indent=2, default=str))
    return 0


def cmd_dedupe(args: argparse.Namespace) -> int:
    from skillenai.dedupe import DedupeSettings, run_dedupe

    existing_store(args.db)
    settings, redis_errors = None, ()
    if args.lsh_redis:
        try:
            import redis
        except ImportError:
            raise CommandError("--lsh-redis needs the redis package (pip install -e '.[redis]')") from None
        settings, redis_errors = DedupeSettings(lsh_redis=args.lsh_redis), (redis.RedisError,)
    db = open_db(args.db)
    try:
        report = run_dedupe(db, date=args.date, threshold=args.threshold, shingle_size=args.shingle_size,
                            workers=args.workers, rebuild=args.rebuild, settings=settings,
                            progress=progress("dedupe"))
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    except redis_errors as exc:
        raise CommandError(f"Redis at {args.lsh_redis}: {exc}") from None
    print(report.summary())
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from skillenai.pipeline.tagging import classify_store

    db = open_db(existing_store(args.db))
    report = classify_store(db, all_documents=args.all, workers=args.workers, progress=progress("classify"))
    print(json.dumps(report.as_dict(), indent=2))
    return 0


# discover --------------------------------------------------------------------------------

def cmd_discover(args: argparse.Namespace) -> int:
    from skillenai.crawler.discover import discover
    from skillenai.crawler.run import project_settings
    from skillenai.crawler.seeds import HEADER, SeedFileError, check_row, read_seeds

    settings = project_settings(_set_overrides(args.set))
    existing: set[tuple[str, str]] = set()
    if args.append and Path(args.append).exists() and Path(args.append).stat().st_size:
        try:
            seeds, _problems = read_seeds(Path(args.append))
        except SeedFileError as exc:
            raise CommandError(f"--append: {exc}") from None
        existing = {(seed.spider, seed.target) for seed in seeds}
    status, rows = EXIT_OK, []
    for url in args.urls:
        try:
            findings = discover(url, settings, source=args.source, probing=not args.no_probe)
        except ValueError as exc:
            print(f"skillenai discover: {url}: {exc}", file=sys.stderr)
            status = EXIT_FAILED
            continue
        if not findings:
            print(f"skillenai discover: {url}: no known source serves it (not a known board's address, no "
                  f"board named on the page{'' if args.no_probe else ', no configured board API answered'})",
                  file=sys.stderr)
            status = EXIT_FAILED
            continue
        for finding in findings[:None if args.all else 1]:
            print(f"# {url}: {finding.how}: {finding.evidence}")
            print(finding.row())
            rows.append(finding)
    if args.append:
        added = 0
        with open(args.append, "a", encoding="utf-8", newline="") as handle:
            if not existing and (not Path(args.append).exists() or Path(args.append).stat().st_size == 0):
                handle.write(",".join(HEADER) + "\n")
            for finding in rows:
                problem = check_row(finding.spider, finding.source, finding.target)
                if problem:
                    print(f"skillenai discover: not appended: {finding.row()}: {problem}", file=sys.stderr)
                    status = EXIT_FAILED
                elif (finding.spider, finding.target) in existing:
                    print(f"skillenai discover: already in {args.append}: {finding.row()}", file=sys.stderr)
                else:
                    handle.write(finding.row() + "\n")
                    existing.add((finding.spider, finding.target))
                    added += 1
        print(f"skillenai discover: {added} row(s) appended to {args.append}", file=sys.stderr)
    return status


# the parser --------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="skillenai",
        description="Skillenai's job-market crawler: crawl job boards, career sites and articles "
                    "into a tagged, deduplicated SQLite store.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def db_option(p, help_extra=""):
        p.add_argument("--db", default=DEFAULT_DB, help=f"the SQLite store (default: {DEFAULT_DB}){help_extra}")

    p = sub.add_parser("demo", help="generate the sample web, serve it locally, crawl it with every spider, summarise",
                       description="Generate the bundled sample web (job boards, career sites, blogs), serve it on "
                                   "127.0.0.1, crawl it with every spider into the store and print a summary, "
                                   "scored against the sample web's ground truth.")
    db_option(p)
    p.add_argument("--postings", type=whole_number(50, 100_000), default=300,
                   help="posting documents in the sample web (50-100000; default 300)")
    p.add_argument("--seed", type=whole_number(0), default=7, help="random seed of the sample web (default 7)")
    p.add_argument("--as-of", type=date_arg, default=None,
                   help="the sample web's 'today' (YYYY-MM-DD; default: today)")
    p.add_argument("--web", default=None, help="write the sample web to this directory and keep it (default: a temporary one)")
    p.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log")
    p.set_defaults(func=cmd_demo, scrapy_logging=True)

    p = sub.add_parser("crawl", help="run spiders over the sources file into the store",
                       description="Run the chosen spiders (default: all) at once over the sources in the seeds file.")
    db_option(p)
    p.add_argument("--seeds", help="sources file (CSV spider,source,target; default: the SKILLENAI_SEEDS setting)")
    p.add_argument("--spider", action="append", type=spider_arg, help="a spider to run (repeatable; default: all, board spiders only with a row in the sources file)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting (value as JSON or text)")
    p.add_argument("--redis", metavar="URL",
                   help="distributed mode: share the request queue with every worker on this Redis "
                        "(redis://host:6379/0) and push items there for `skillenai ingest --redis`")
    p.add_argument("--jobdir", metavar="DIR",
                   help="keep each spider's pending requests in DIR/SPIDER (Scrapy's JOBDIR): a crawl stopped "
                        "with Ctrl-C (once) or SIGTERM resumes when run again with the same DIR (a killed one "
                        "saved no queue: it starts afresh)")
    p.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log")
    p.set_defaults(func=cmd_crawl, scrapy_logging=True)

    p = sub.add_parser("daily", help="crawl every source, dedupe, classify, refresh metrics: one recorded run per date",
                       description="The scheduled run: crawl every source of the seeds file (conditional requests; "
                                   "unchanged content is not re-processed; postings gone from a fully fetched "
                                   "source are closed), run the monitors, dedupe, classify and refresh the "
                                   "metrics. The run is recorded in daily_runs (per-stage counts, timings, "
                                   "errors, outcome) and printed as JSON. Re-running a date is safe; a crawl "
                                   "stopped half-way (Ctrl-C once, SIGTERM) resumes from <db>.jobs/DATE, one "
                                   "that was killed is crawled afresh. Exit status: 0 ok, 1 a monitor "
                                   "or stage failed, 3 another daily run holds the lock <db>.daily.lock.")
    db_option(p)
    p.add_argument("--date", type=date_arg, default=None,
                   help="the run's date (YYYY-MM-DD; default: today, UTC): the closed_at of postings gone, "
                        "the key of its daily_runs record")
    p.add_argument("--spider", action="append", type=spider_arg, help="a spider to run (repeatable; default: all, board spiders only with a row in the sources file)")
    p.add_argument("--seeds", help="sources file (default: the SKILLENAI_SEEDS setting)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a Scrapy setting (value as JSON or text)")
    p.add_argument("--sample-web", metavar="DIR",
                   help="crawl a generated sample web (python -m skillenai.sampleweb generate DIR --day N), served "
                        "on 127.0.0.1 for the run, instead of the real sources")
    p.add_argument("-v", "--verbose", action="store_true", help="show Scrapy's log")
    p.set_defaults(func=cmd_daily, scrapy_logging=True)

    p = sub.add_parser("ingest", help="store documents from JSON Lines (a file or - for stdin)",
                       description="Store documents from JSON Lines with the same fields as crawler items. A bad "
                                   "line is reported with its line number and skipped; exit status 1 if any was.")
    p.add_argument("--db", required=True, help="the SQLite store")
    p.add_argument("file", metavar="FILE", nargs="?", help="JSON Lines file, or - for standard input")
    p.add_argument("--redis", metavar="URL", help="instead of FILE: drain the items, runs and skipped input that "
                                                  "`skillenai crawl --redis URL` workers pushed to this Redis")
    p.add_argument("--key", default="skillenai", metavar="PREFIX",
                   help="with --redis: the crawl's key prefix (SKILLENAI_REDIS_KEY; default skillenai)")
    p.add_argument("--follow", action="store_true",
                   help="with --redis: keep waiting for more until interrupted (default: stop when drained)")
    p.add_argument("--batch", type=whole_number(1), default=500, help="with --redis: items per transaction (default 500)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("export", help="write the corpus as JSON Lines, from a cursor",
                       description="Write documents as JSON Lines in change order. Each line has 'seq'; pass the "
                                   "last one seen as --since to get only what is new or changed.")
    p.add_argument("--db", required=True, help="the SQLite store")
    p.add_argument("--since", type=whole_number(0), default=0, metavar="CURSOR", help="only documents with seq > CURSOR (default 0)")
    p.add_argument("--kind", action="append", choices=["posting", "article", "paper", "other"],
                   help="only this kind (repeatable)")
    p.add_argument("--raw", action="store_true", help="include the fetched body as base64")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("extract", help="one HTML document on stdin → its main text; or re-extract a store",
                       description="Read one HTML document on standard input and print its main text "
                                   "(trafilatura), or with --json an object with title, text, author, date, lang. "
                                   "With --db, re-extract the pages kept in the store (documents.raw) with the "
                                   "crawl's own extraction, in a process pool, and store what changed; a page "
                                   "that cannot be read is reported and skipped (exit status 1).")
    p.add_argument("--url", help="the document's URL (helps resolve links and metadata)")
    p.add_argument("--json", action="store_true", help="print JSON instead of plain text")
    p.add_argument("--db", help="re-extract this store's pages instead of reading standard input")
    p.add_argument("--workers", type=whole_number(1), help="with --db: processes (default: the usable cores)")
    p.add_argument("--all", action="store_true", help="with --db: every stored HTML page, not only the ones "
                                                      "extracted by trafilatura (articles, pages without structured data)")
    p.add_argument("--kind", action="append", choices=["posting", "article", "other"],
                   help="with --db: only documents of this kind (repeatable)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("tag", help="JSON Lines {id, title?, text, location?} on stdin → tags on stdout",
                       description="Tag documents read as JSON Lines on standard input ({id, title?, text, "
                                   "location?, kind?, department?}; location a string or a list) and write one line each: "
                                   "{id, skills: [{id, name, category, spans}], metros: [{id, name, admin1, country, "
                                   "lat, lon}], remote, hybrid, role: {id, name} | null, occupation: {code, title, "
                                   "major, major_title, score} | {code: null, unclassified: reason} | null, kind}. "
                                   "The occupation is the title's SOC 2018 code. Spans are character "
                                   "offsets into text; a skill only in the title has no spans. A bad line is "
                                   "reported on stderr with its number and skipped (exit status 1).")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("resolve", help="free text → the canonical skill, place or role, as JSON",
                       description="Resolve each TEXT to the canonical entity it names: a skill (any alias or "
                                   "spelling: 'k8s', 'Python 3', 'experience with Postgres'), a place ('NYC', "
                                   "'Bengaluru') or a role family with the title's SOC 2018 occupation ('Sr. Data Engineer'; "
                                   "with --kind role a title no family fits, 'Pharmacist', still shows its "
                                   "occupation). One JSON line per TEXT: the "
                                   "likeliest entity's fields and, without --kind, every kind the text may name "
                                   "with a score under 'candidates' (a skill first when the text is one). Text "
                                   "that names nothing gets close skill names as suggestions and exit status 1.")
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.add_argument("--kind", choices=("skill", "place", "role"), help="resolve to this kind of entity only")
    p.set_defaults(func=cmd_resolve)

    p = sub.add_parser("discover", help="which source serves a company's careers URL, as rows of the sources file",
                       description="For each careers URL, tell which source serves it: by the URL (a board's own "
                                   "address: Greenhouse, Lever, Ashby, Workday, SmartRecruiters, Workable, Recruitee, "
                                   "Personio, BambooHR, Teamtailor, Pinpoint, Rippling, Breezy, iCIMS, Jobvite, "
                                   "JazzHR), then by the page (the boards it links or embeds; JobPosting data for "
                                   "the jobpostings spider), then by asking the configured board APIs for tokens "
                                   "made from the company's name and domain. Prints each URL's sources file row, "
                                   "after a '# URL: how: evidence' comment. Exit status 1 when a URL's source was "
                                   "not found or a row could not be appended.")
    p.add_argument("urls", nargs="+", metavar="URL", help="a careers page, board or job URL")
    p.add_argument("--source", help="the source id (company name) for the rows (default: the page's or the board's)")
    p.add_argument("--append", metavar="FILE", help="also append the rows to this sources file (created with its "
                                                    "header when missing; rows it has already are left out)")
    p.add_argument("--all", action="store_true", help="print every source found, not only the most likely")
    p.add_argument("--no-probe", action="store_true", help="do not ask board APIs for guessed tokens")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="override a setting, e.g. an API base (GREENHOUSE_API_URL=...)")
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("train", help="rebuild every model from the repository's data and print evaluations",
                       description="Retrain the skill disambiguator, the skill-span model and its span filter, the "
                                   "location-context, role family, occupation "
                                   "(SOC 2018) and document-kind models from the labelled data in skillenai/classify/data, deterministically, save them "
                                   "to skillenai/classify/models and print each held-out evaluation.")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("dedupe", help="find exact and near-duplicate documents; mark one canonical per cluster",
                       description="Link exact duplicates (same normalised text) and near duplicates (MinHash LSH "
                                   "over word shingles with each company's boilerplate left out, verified by "
                                   "Jaccard, title and location) among new or changed documents, against every "
                                   "document indexed before. Signatures and LSH bands persist in the store; "
                                   "re-running changes nothing. Metrics count canonical documents only.")
    db_option(p)
    p.add_argument("--date", type=date_arg, help="the run's date (YYYY-MM-DD; default: today), recorded in dedupe_runs")
    p.add_argument("--threshold", type=fraction,
                   help="Jaccard similarity for near duplicates, above 0 and at most 1 (default: measured)")
    p.add_argument("--shingle-size", type=whole_number(1), help="words per shingle (default: measured)")
    p.add_argument("--workers", type=whole_number(1), help="processes for signatures of a large backlog (default: cores)")
    p.add_argument("--rebuild", action="store_true", help="recompute every signature and cluster")
    p.add_argument("--lsh-redis", metavar="URL",
                   help="keep the LSH index in Redis (redis://host:6379/0; datasketch MinHashLSH) instead of "
                        "the store's lsh_bands table; the clusters are the same")
    p.set_defaults(func=cmd_dedupe)

    p = sub.add_parser("classify", help="tag stored documents with skills, places, role and flags",
                       description="Tag the documents in the store that are new or changed since they were last "
                                   "tagged (all of them with --all, after a taxonomy or model change) into "
                                   "document_skills, document_metros and document_roles.")
    db_option(p)
    p.add_argument("--all", action="store_true", help="re-tag every document")
    p.add_argument("--workers", type=whole_number(1),
                   help="processes that tag (default: the usable cores, once there are 1,000 documents or more)")
    p.set_defaults(func=cmd_classify)

    add_metrics_commands(sub, db_option)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "scrapy_logging", False):  # crawls log through Scrapy's own handler
        level = logging.INFO if getattr(args, "verbose", False) else logging.WARNING
        logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    try:
        with interrupt.handling():
            return args.func(args)
    except (CommandError, StoreError) as exc:
        print(f"skillenai: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except interrupt.Interrupted as exc:
        print(f"skillenai: {exc}; what was committed before it is kept", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("skillenai: interrupted by SIGINT", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
