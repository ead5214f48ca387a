"""``skillenai metrics …``, ``skillenai site`` and ``skillenai serve``: the analyst's commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from skillenai.cli.common import CommandError, date_arg, existing_store, progress, whole_number
from skillenai.core.progress import reporter
from skillenai.metrics.serve import LIMITS
from skillenai.store.db import open_db

FORMATS = ("json", "md", "html")


_positive = whole_number(1)


def _open_store(path: str):
    """The store at ``path``, brought to the latest schema (the metrics views); never
    created, and a file that is not a store is refused before anything is written to it."""
    return open_db(existing_store(path), existing=True)


def _emit(text: str, output: str | None) -> None:
    if output and output != "-":
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {output!r}: {exc.strerror or exc}") from None
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def cmd_metrics(args: argparse.Namespace) -> int:
    from skillenai.metrics import queries as metrics
    from skillenai.metrics.render import render

    db = _open_store(args.db)
    metrics.tune_connection(db)
    common = {"as_of": args.as_of}
    try:
        if args.metrics_command == "skill":
            data = metrics.skill_metrics(db, args.name, window=args.window, limit=args.limit,
                                         articles=args.articles, **common)
        elif args.metrics_command == "top-skills":
            data = metrics.top_skills(db, window=args.window, limit=args.limit, **common)
        elif args.metrics_command == "metro":
            data = metrics.metro_metrics(db, args.name, window=args.window, limit=args.limit, **common)
        elif args.metrics_command == "role":
            data = metrics.role_metrics(db, args.name, window=args.window, limit=args.limit, **common)
        elif args.metrics_command == "occupation":
            data = metrics.occupation_metrics(db, args.name, window=args.window, limit=args.limit, **common)
        elif args.metrics_command == "occupations":
            data = metrics.occupations(db, window=args.window, limit=args.limit, major=args.major, **common)
        else:
            data = metrics.trends(db, min_postings=args.min_postings, limit=args.limit, **common)
    except metrics.MetricsError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.close()
    _emit(render(args.metrics_command, data, args.format), args.output)
    return 0


def cmd_metrics_refresh(args: argparse.Namespace) -> int:
    import json

    from skillenai.metrics import queries as metrics

    db = _open_store(args.db)
    metrics.tune_connection(db)
    try:
        report = metrics.refresh(db, as_of=args.as_of, skills=args.skills, metros=args.metros, roles=args.roles,
                                 min_postings=args.min_postings, force=args.force, progress=progress("metrics refresh"))
    except metrics.MetricsError as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.close()
    print(json.dumps(report, indent=2))
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from skillenai.metrics import queries as metrics
    from skillenai.metrics.site import SiteError, build_site

    db = _open_store(args.db)
    metrics.tune_connection(db)
    try:
        report = build_site(db, args.out, base_url=args.base_url, as_of=args.as_of, window=args.window,
                            progress=reporter("site", unit="page"))
    except (SiteError, metrics.MetricsError) as exc:
        raise CommandError(str(exc)) from None
    finally:
        db.close()
    print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    return 1 if report.broken_links else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from skillenai.metrics.serve import ServeError, serve

    try:
        return serve(args.db, host=args.host, port=args.port, metadata_out=args.metadata_out,
                     datasette_args=args.datasette_args or [], snapshot=args.snapshot, allow_sql=not args.no_sql,
                     max_memory_mb=args.max_memory_mb)
    except ServeError as exc:
        raise CommandError(str(exc)) from None


def cmd_metrics_candidates(args: argparse.Namespace) -> int:
    from skillenai.store.candidates import candidate_rows

    db = _open_store(args.db)
    rows = candidate_rows(db, limit=args.limit, min_documents=args.min_documents, search=args.search)
    db.close()
    if args.format == "json":
        text = json.dumps({"candidates": rows}, indent=2, ensure_ascii=False) + "\n"
    else:
        lines = ["| candidate | documents | mentions | first seen | example |", "| --- | --- | --- | --- | --- |"]
        for r in rows:
            example = r["examples"][0]["context"] if r["examples"] else ""
            cells = [r["text"], str(r["documents"]), str(r["mentions"]), r["first_seen"][:10], example]
            lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
        text = "\n".join(lines) + "\n"
    _emit(text, args.output)
    return 0


def add_metrics_commands(sub, db_option) -> None:
    """Register the metrics and serve subcommands on the main parser's subparsers."""
    from skillenai.metrics.queries import (
        DEFAULT_LIMIT,
        DEFAULT_MIN_POSTINGS,
        DEFAULT_WINDOW,
        PAGE_MIN_POSTINGS,
        REFRESH_METROS,
        REFRESH_ROLES,
        REFRESH_SKILLS,
    )

    p = sub.add_parser(
        "metrics", help="skill, metro, role, occupation and trend figures from the store as JSON, Markdown or HTML",
        description="Labor-market figures computed from the store: canonical postings only (duplicates count "
                    "once), in a window of days ending at --as-of (default: the latest posting date in the "
                    "store). Each subcommand prints JSON, Markdown or a self-contained HTML page.")
    msub = p.add_subparsers(dest="metrics_command", metavar="WHAT")
    msub.required = True

    def common(q, window: bool = True):
        db_option(q)
        q.add_argument("--as-of", type=date_arg, default=None, metavar="D",
                       help="last day of the window, YYYY-MM-DD (default: the latest posting date in the store)")
        if window:
            q.add_argument("--window", type=_positive, default=DEFAULT_WINDOW, metavar="DAYS",
                           help=f"days in the window (default {DEFAULT_WINDOW})")
        q.add_argument("--format", choices=FORMATS, default="json", help="output format (default json)")
        q.add_argument("--limit", type=_positive, default=DEFAULT_LIMIT, metavar="N",
                       help=f"entries per list (default {DEFAULT_LIMIT})")
        q.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
        q.set_defaults(func=cmd_metrics)

    q = msub.add_parser(
        "skill", help="the skill page: postings, change, metros, paired skills, roles, weekly series, articles",
        description="The figures of a skill page. NAME is any name or alias of a skill ('python3', 'k8s', "
                    "'Backend infrastructure'), resolved through the taxonomy; an unknown name exits with "
                    "status 2 and close matches.")
    q.add_argument("name", metavar="NAME", help="skill name or alias")
    common(q)
    q.add_argument("--articles", type=_positive, default=5, metavar="N",
                   help="recent articles (and research papers) to list (default 5)")

    q = msub.add_parser("top-skills", help="the skills most asked for in the window",
                        description="Skills ranked by the canonical postings that ask for them in the window, "
                                    "with their share of all canonical postings in it.")
    common(q)

    for what, help_text, description, metavar, name_help in (
            ("metro", "the skills most asked for in one city",
             "Canonical postings tagged with a city ('San Francisco', 'NYC', 'Mountain View, CA'; resolved like "
             "posting locations) and the skills and roles they ask for.", "NAME", "city name"),
            ("role", "the skills most asked for by one role family",
             "Canonical postings of a role family ('Data Scientist', or a job title such as 'senior backend "
             "developer') and the skills they ask for, and where.", "NAME", "role family or job title"),
            ("occupation", "the skills, metros and roles of one SOC 2018 occupation",
             "Canonical postings coded to one SOC 2018 detailed occupation ('15-1252' or 'Software Developers') "
             "and the skills they ask for, where, and in which role families.", "CODE",
             "SOC code or occupation title")):
        q = msub.add_parser(what, help=help_text, description=description)
        q.add_argument("name", metavar=metavar, help=name_help)
        common(q)

    q = msub.add_parser("occupations", help="postings by SOC 2018 occupation, and by major group",
                        description="Canonical postings in the window counted by their SOC 2018 occupation (coded "
                                    "from the title), the busiest first, with each occupation's major group and the "
                                    "role family it rolls up to; then the counts by major group and the postings "
                                    "left unclassified, by reason.")
    common(q)
    q.add_argument("--major", metavar="NN", help="only occupations of one major group ('15' or '15-0000')")

    q = msub.add_parser("trends", help="the fastest rising and falling skills, last 4 weeks against the 4 before",
                        description="Skills whose canonical postings in the last 28 days changed most against the "
                                    "28 days before, among skills with at least --min-postings postings over both "
                                    "periods and one in the prior period.")
    common(q, window=False)
    q.add_argument("--min-postings", type=_positive, default=DEFAULT_MIN_POSTINGS, metavar="N",
                   help=f"least postings over the two periods (default {DEFAULT_MIN_POSTINGS})")

    q = msub.add_parser(
        "candidates", help="skill spans that name no known skill, the most frequent first",
        description="Skills the span detector found in postings that link to no skill of the taxonomy (its "
                    "own or ESCO's): what the taxonomy may lack, by how many canonical documents name each, "
                    "with where it was first and last seen and a few examples in context.")
    db_option(q)
    q.add_argument("--limit", type=_positive, default=50, metavar="N", help="candidates to list (default 50)")
    q.add_argument("--min-documents", type=_positive, default=1, metavar="N",
                   help="only candidates named by at least N canonical documents (default 1)")
    q.add_argument("--search", metavar="TEXT", help="only candidates containing TEXT")
    q.add_argument("--format", choices=("json", "md"), default="json", help="output format (default json)")
    q.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    q.set_defaults(func=cmd_metrics_candidates)

    q = msub.add_parser(
        "refresh", help="precompute per-day skill counts and the pages of the most asked-for skills, metros, roles",
        description="Store per-day skill counts (top-skills and trends read them) and the finished pages of the "
                    "skills, cities and role families with the most postings at the default window. They answer "
                    "requests only while nothing they came from has changed; any later write to documents, "
                    "postings or tags makes answers computed afresh until the next refresh. 'skillenai daily' "
                    "runs this after classify.")
    db_option(q)
    q.add_argument("--as-of", type=date_arg, default=None, metavar="D",
                   help="last day of the window (default: the latest posting date in the store)")
    q.add_argument("--min-postings", type=_positive, default=PAGE_MIN_POSTINGS, metavar="N",
                   help=f"store the page of each entity with at least N postings in the window "
                        f"(default {PAGE_MIN_POSTINGS}; smaller ones are computed quickly on request)")
    q.add_argument("--skills", type=whole_number(0), default=REFRESH_SKILLS, metavar="N",
                   help=f"at most N skill pages, the busiest first (default {REFRESH_SKILLS})")
    q.add_argument("--metros", type=whole_number(0), default=REFRESH_METROS, metavar="N",
                   help=f"at most N city pages (default {REFRESH_METROS})")
    q.add_argument("--roles", type=whole_number(0), default=REFRESH_ROLES, metavar="N",
                   help=f"at most N role pages (default {REFRESH_ROLES})")
    q.add_argument("--force", action="store_true", help="recompute even when the stored figures are up to date")
    q.set_defaults(func=cmd_metrics_refresh)

    from skillenai.metrics.links import DEFAULT_BASE_URL

    p = sub.add_parser(
        "site", help="every skill, metro, role and occupation page as a static site, with feeds and JSON",
        description="Write a static site into --out: a page for every skill, city, role family and SOC "
                    "occupation with a canonical posting in the window, the top-skills, trends and occupations "
                    "lists, an index and a sitemap; beside each page its Atom feed (feed.xml: its newest postings "
                    "and articles) and its JSON (the document 'skillenai metrics KIND NAME --format json' prints). "
                    "Links are relative (the site reads from disk too); canonical links, the sitemap and feed ids "
                    "use --base-url. Run again, only files whose content changed are rewritten and pages that no "
                    "longer exist are removed. Prints what was written as JSON; exits 1 if a link inside the site "
                    "names no file.")
    db_option(p)
    p.add_argument("--out", required=True, metavar="DIR", help="the site's folder (new, empty, or an earlier build)")
    p.add_argument("--base-url", default=DEFAULT_BASE_URL, metavar="URL",
                   help=f"the public site's address, for canonical links, the sitemap and feeds (default {DEFAULT_BASE_URL})")
    p.add_argument("--as-of", type=date_arg, default=None, metavar="D",
                   help="last day of the window, YYYY-MM-DD (default: the latest posting date in the store)")
    p.add_argument("--window", type=_positive, default=DEFAULT_WINDOW, metavar="DAYS",
                   help=f"days in the window (default {DEFAULT_WINDOW})")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser(
        "serve", help="browse and query the store with Datasette, read-only",
        description="Serve the store with Datasette (pip install -e '.[serve]'), read-only and live (answers follow "
                    "a crawl's or daily run's writes; --snapshot serves a copy taken at start instead), with "
                    "table and column descriptions from skillenai/store/schema.md and canned queries for the skill page's "
                    "questions; it answers /skills/NAME.json, /metros/NAME.json, /roles/NAME.json and "
                    "/occupations/CODE.json with the document 'skillenai metrics KIND NAME --format json' prints "
                    "(aliases resolved: /skills/k8s.json is Kubernetes). A query is bounded: 5 s, 1,000 rows, "
                    "values and rows of 32 MiB, two arbitrary queries at once (more get HTTP 429). Extra arguments after -- go to datasette as they are.")
    db_option(p)
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=whole_number(0, 65535), default=8001, help="port (default 8001; 0 for any free port)")
    p.add_argument("--snapshot", action="store_true",
                   help="serve a consistent copy of the store taken at start (immutable) instead of the live store")
    p.add_argument("--no-sql", action="store_true",
                   help="no arbitrary SQL: only the tables, views and canned queries")
    p.add_argument("--max-memory-mb", type=whole_number(0, 1 << 20), default=LIMITS["max_memory_mb"], metavar="MB",
                   help=f"the server's address space, in MiB (default {LIMITS['max_memory_mb']}; 0: unbounded)")
    p.add_argument("--metadata-out", metavar="FILE",
                   help="write the Datasette metadata JSON to FILE and exit (for running datasette yourself)")
    p.add_argument("datasette_args", nargs=argparse.REMAINDER, metavar="-- DATASETTE_ARGS",
                   help="more datasette options, after --")
    p.set_defaults(func=cmd_serve)
