"""Generate the sample web and its ground truth.

Output layout (everything deterministic in the arguments)::

    manifest.json          {"postings", "articles", "papers", "seed", "as_of", "sites": {site: kind}}
    seeds.csv              spider,source,target - one row per board, career site and feed
    sites/{site}/...       the files the server serves; absolute URLs use the virtual
                           origin http://{site}.sample.test
    truth/postings.jsonl   one row per posting document the crawler must store
    truth/articles.jsonl   one row per article
    truth/papers.jsonl     one row per paper of the arXiv stand-in (papers.py), with the
                           seed queries that find it (none: not to be stored)
    truth/others.jsonl     pages that are neither (about, benefits...), with in_sitemap
    truth/disallowed.jsonl every linked (site, path) that the site's robots.txt disallows

Posting truth fields: url, spider, source, company, title, location_raw, locations
[{city, admin1, country}], remote, hybrid, remote_scope, skills, non_skill_phrases, role,
date_posted, valid_through, employment_type, workplace, salary {min, max, currency,
period} | null, cluster, structured (ats|jsonld|graph|microdata|none|broken),
description_text, and for analysis: site, lang, malformed_jsonld, dup_kind
(original|crosspost|repost|relist), sibling_of (the cluster a planted hard negative was
modelled on).
"""

import csv
import datetime as dt
import json
import logging
import multiprocessing
import os
import shutil
from pathlib import Path

from . import datafiles, smartrecruiters, workable, workday
from .articles import Article, ArticleWriter
from .ats import ashby_job, greenhouse_job, lever_posting
from .boards import BOARD_KINDS, write_board
from .careers import CareerSite
from .companies import build_companies, company_count
from .evolve import apply_day
from .output import SiteFiles
from .papers import JOB_QUERY, OAI_SET, default_papers, generate_papers, truth_row
from .postings import Writer
from .press import Press, assign_urls
from .publish import Publisher
from .rand import rng
from .skills import vocab
from .text import Line, para
from .truth import JsonLines, article_row, posting_row

log = logging.getLogger(__name__)

DEFAULT_AS_OF = dt.date(2026, 5, 9)
MIN_POSTINGS, MAX_POSTINGS = 50, 100_000
ATS_SITES = ("greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable")
PARALLEL_FROM = 5000       # below this, a process pool costs more than it saves


def default_articles(postings: int) -> int:
    return min(2000, max(12, postings // 25))


def board_postings(postings: int) -> int:
    """Posting documents on each board of ``generate(..., boards=...)``."""
    return max(4, min(50, postings // 40))


def generate(out_dir, postings: int = 200, seed=7, as_of: dt.date = DEFAULT_AS_OF, articles: int = None,
             workers: int = None, day: int = None, boards=()) -> dict:
    """Write a sample web of ``postings`` posting documents (duplicates included) and
    about ``articles`` articles into ``out_dir``; return the manifest.

    Companies are generated independently of each other, so large webs use a process
    pool (``workers``, default: the CPU count for 5,000 postings or more, else 1); the
    output is the same whatever the number of workers.

    With ``day`` (0, 1, 2…) the web is the one seen on that day of a series in which
    postings open and close from day to day (``evolve.py``); without it, every posting is
    listed.

    ``boards`` (kinds of :data:`~skillenai.sampleweb.boards.BOARD_KINDS`, or ``"all"``) adds
    one company on each of those job boards, :func:`board_postings` documents each, taken
    out of ``postings``; without it the web has none (and is the same as before they existed).
    Their boards do not change from day to day.

    Example:
        >>> manifest = generate("/tmp/web", postings=60)          # doctest: +SKIP
        >>> manifest["postings"]                                    # doctest: +SKIP
        60
    """
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if not isinstance(postings, int) or not MIN_POSTINGS <= postings <= MAX_POSTINGS:
        raise ValueError(f"postings must be an integer from {MIN_POSTINGS} to {MAX_POSTINGS}, got {postings!r}")
    n_articles = default_articles(postings) if articles is None else articles
    if not isinstance(n_articles, int) or not 0 <= n_articles <= 10_000:
        raise ValueError(f"articles must be an integer from 0 to 10000, got {articles!r}")
    boards = BOARD_KINDS if boards == "all" else tuple(boards)
    unknown = [b for b in boards if b not in BOARD_KINDS]
    if unknown or len(set(boards)) != len(boards):
        raise ValueError(f"boards must be distinct kinds from {', '.join(BOARD_KINDS)}, got {boards!r}")
    per_board = board_postings(postings)
    if boards and postings - per_board * len(boards) < 2 * company_count(postings):
        raise ValueError(f"{postings} postings are too few for {len(boards)} boards of {per_board} postings each")
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if postings >= PARALLEL_FROM else 1

    out = Path(out_dir)
    if (out / "manifest.json").exists():      # regenerating: drop the previous web
        shutil.rmtree(out / "sites", ignore_errors=True)
        shutil.rmtree(out / "truth", ignore_errors=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)

    n_companies = company_count(postings)
    _init_worker(seed, as_of, n_companies, str(out), boards)
    companies = _STATE["companies"]
    budgets = _allocate(postings - per_board * len(boards), [c.weight for c in companies[:n_companies]])
    tasks = list(enumerate(budgets + [per_board] * len(boards)))
    disallowed, others = set(), []
    pool = None
    try:
        if workers > 1:
            # forkserver: children do not inherit the caller's threads (a test's web server...)
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            pool = ctx.Pool(workers, initializer=_init_worker, initargs=(seed, as_of, n_companies, str(out), boards))
            pending_articles = pool.apply_async(_articles_task, (n_articles,))
            results = pool.imap(_company_task, tasks, chunksize=1)
        else:
            pending_articles = None
            results = map(_company_task, tasks)
        with JsonLines(out / "truth" / "postings.jsonl") as fh:
            for rows, site_others, site_disallowed in results:
                fh.write_raw(rows)
                others.extend(site_others)
                disallowed.update(site_disallowed)
        art_rows, art_others, art_disallowed = (pending_articles.get() if pending_articles
                                                else _articles_task(n_articles))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    with JsonLines(out / "truth" / "articles.jsonl") as fh:
        fh.write_raw(art_rows)
    others.extend(art_others)
    disallowed.update(art_disallowed)
    files = SiteFiles(out)
    for site in ATS_SITES + boards + ("arxiv",):
        files.write(site, "/robots.txt", "User-agent: *\nDisallow:\n")
    papers = generate_papers(seed, as_of, default_papers(postings))
    with files.open_text("arxiv", "/papers.jsonl") as fh, JsonLines(out / "truth" / "papers.jsonl") as truth:
        for paper in papers:
            fh.write(json.dumps(paper, ensure_ascii=False) + "\n")
            truth.write(truth_row(paper))
    with JsonLines(out / "truth" / "others.jsonl") as fh:
        for row in others:
            fh.write(row)
    with JsonLines(out / "truth" / "disallowed.jsonl") as fh:
        for site, path in sorted(disallowed):
            fh.write({"site": site, "path": path})

    sites = {s: s for s in ATS_SITES}
    sites.update({b: "board" for b in boards})
    sites.update({"blog": "blog", "news": "news", "arxiv": "arxiv"})
    sites.update({c.slug: "careers" for c in companies if c.has_site})
    # The source column names the company as users write it in their seeds: Lever and
    # Ashby boards do not carry the company's name, so the crawler takes it from here.
    with open(out / "seeds.csv", "w", encoding="utf-8", newline="\n") as fh:
        rows = csv.writer(fh, lineterminator="\n")
        rows.writerow(["spider", "source", "target"])
        for c in companies:
            if c.ats:
                rows.writerow([c.ats, c.name, workday.seed_target(c) if c.ats == "workday" else c.board])
        for c in companies:
            if c.has_site:
                rows.writerow(["jobpostings", c.name, f"{c.origin}/"])
        rows.writerow(["articles", "blog", "http://blog.sample.test/feed.xml"])
        rows.writerow(["articles", "blog", "http://blog.sample.test/sitemap.xml"])
        rows.writerow(["articles", "news", "http://news.sample.test/atom.xml"])
        rows.writerow(["papers", "arXiv", JOB_QUERY])
        rows.writerow(["papers", "arXiv", OAI_SET])
    manifest = {"postings": postings, "articles": len(art_rows), "papers": len(papers), "seed": seed, "as_of": as_of.isoformat(),
                "companies": len(companies), "sites": sites}
    if day is not None:
        changes = apply_day(out, seed, day)
        manifest.update(day=day, listed=changes["listed"])
    with open(out / "manifest.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    log.info("sample web: %d postings, %d articles in %s", postings, len(art_rows), out)
    return manifest


# Work units. Each process builds the same companies from the seed once, then writes
# whole companies (their board, their career site) and returns their truth rows.

_STATE = {}


def _init_worker(seed, as_of, n_companies: int, out: str, boards=()):
    v = vocab(seed)
    _STATE.update(seed=seed, as_of=as_of, out=Path(out), vocab=v,
                  companies=build_companies(seed, n_companies, as_of.year, v, boards),
                  writer=Writer(seed, as_of, v), industries=datafiles.load("companies")["industries"])


def _company_task(task) -> tuple:
    """Generate and write company number ``index``: (truth rows as JSON, others, disallowed)."""
    index, budget = task
    st = _STATE
    company = st["companies"][index]
    files = SiteFiles(st["out"])
    disallowed, others = set(), []
    docs = Publisher(st["writer"], st["seed"], st["as_of"], st["industries"], index).company_docs(company, budget)
    if company.ats:
        _write_board(files, company, [d for d in docs if d.channel != "site"], st["seed"])
    if company.has_site:
        site = CareerSite(company, [d for d in docs if d.channel == "site"], files, st["seed"], st["as_of"], disallowed)
        others = site.write()
    rows = [json.dumps(posting_row(d), ensure_ascii=False) for d in docs]
    return rows, others, disallowed


def _articles_task(total: int) -> tuple:
    """Generate and write the blog and news sites: (truth rows as JSON, others, disallowed)."""
    st = _STATE
    # The employers the press writes about: those of the web without its extra boards.
    companies = [c for c in st["companies"] if c.ats not in BOARD_KINDS]
    seed, as_of, v = st["seed"], st["as_of"], st["vocab"]
    files = SiteFiles(st["out"])
    disallowed = set()
    arts = _articles(seed, as_of, v, companies, total)
    press = Press(files, seed, as_of, disallowed)
    writer = ArticleWriter(seed, as_of, v, [c.name for c in companies])
    drafts = [writer.article(f"draft-{i}", "blog", "en") for i in range(2)]
    for d in drafts:
        d.slug = "preview-" + d.cluster
    others = press.write_blog([a for a in arts if a.site == "blog"], drafts)
    others += press.write_news([a for a in arts if a.site == "news"])
    return [json.dumps(article_row(a), ensure_ascii=False) for a in arts], others, disallowed


def _allocate(total: int, weights: list, minimum: int = 2) -> list:
    """Split ``total`` into integer shares proportional to ``weights``, each at least
    ``minimum`` (largest-remainder rounding, ties broken by position)."""
    n = len(weights)
    spare = total - minimum * n
    s = sum(weights)
    raw = [spare * w / s for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(n), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: spare - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


def _write_board(files, company, docs, seed):
    docs = sorted(docs, key=lambda d: (d.posted, str(d.doc_id)), reverse=True)
    if company.ats == "greenhouse":
        jobs = []
        for d in docs:
            record, lines = greenhouse_job(d, seed)
            d.extra["description_lines"] = lines
            jobs.append(record)
        files.write("greenhouse", f"/v1/boards/{company.board}/jobs.json",
                    json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}}, ensure_ascii=False))
    elif company.ats in BOARD_WRITERS:
        # one JSON file per board, {"jobs": [...]}; the server answers the API's requests from it
        make, path = BOARD_WRITERS[company.ats]
        jobs = []
        for d in docs:
            record, lines = make(d, seed)
            d.extra["description_lines"] = lines
            jobs.append(record)
        board = {"jobs": jobs, **({"name": company.name} if company.ats == "workable" else {})}
        files.write(company.ats, path(company), json.dumps(board, ensure_ascii=False))
    elif company.ats in BOARD_KINDS:
        write_board(files, company, docs, seed)
    elif company.ats == "lever":
        # one posting per line, so the server can page with skip/limit without parsing
        with files.open_text("lever", f"/v0/postings/{company.board}.jsonl") as fh:
            for d in docs:
                record, lines = lever_posting(d, seed)
                d.extra["description_lines"] = lines
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        jobs = []
        for d in docs:
            record, lines = ashby_job(d, seed)
            d.extra["description_lines"] = lines
            jobs.append(record)
        files.write("ashby", f"/posting-api/job-board/{company.board}.json",
                    json.dumps({"apiVersion": "1", "jobs": jobs}, ensure_ascii=False))


# The boards of the ATS whose API the server computes from one file per board.
BOARD_WRITERS = {
    "workday": (workday.workday_job, lambda c: f"/boards/{c.board}.json"),
    "smartrecruiters": (smartrecruiters.smartrecruiters_posting, lambda c: f"/companies/{c.board}.json"),
    "workable": (workable.workable_job, lambda c: f"/accounts/{c.board}.json"),
}


def _articles(seed, as_of, v, companies, total: int) -> list:
    """``total`` articles: originals split about 60/40 between blog and news, about 5%
    in German or French, and a few syndicated copies on the other site."""
    if total == 0:
        return []
    writer = ArticleWriter(seed, as_of, v, [c.name for c in companies])
    copies = max(1, total // 25) if total >= 4 else 0
    originals = total - copies
    arts = []
    for i in range(originals):
        r = rng(seed, "article-plan", i)
        lang = "en"
        roll = r.random()
        if i == 5 or (i > 5 and roll < 0.05):     # at least one non-English article
            lang = "de" if (i == 5 or r.random() < 0.5) else "fr"
        site = "blog" if r.random() < 0.6 else "news"
        arts.append(writer.article(f"art-{i:05d}", site, lang))
    syn = datafiles.load("articles")["syndication"]
    names = {"blog": datafiles.load("chrome")["blog"]["name"], "news": datafiles.load("chrome")["news"]["name"]}
    english = [a for a in arts if a.lang == "en"] or arts
    for j in range(copies):
        src = english[(j * 7 + 3) % len(english)]
        r = rng(seed, "syndicate", j)
        blocks = [b.copy() for b in src.blocks]
        if r.random() < 0.5:
            note = syn["notes"][int(r.random() * len(syn["notes"]))].format(source=names[src.site])
            blocks.insert(0, para("note", Line(note)))
        else:
            first = next(i for i, b in enumerate(blocks) if b.kind == "p")
            opener = syn["openers"][int(r.random() * len(syn["openers"]))]
            ln = blocks[first].lines[0]
            blocks[first] = para(blocks[first].section, Line(opener + " " + ln.text, ln.skills, ln.phrases))
        copy = Article(cluster=src.cluster, site="news" if src.site == "blog" else "blog", lang=src.lang,
                       kind=src.kind, title=src.title, author=src.author,
                       published=min(src.published + dt.timedelta(days=r.randint(0, 2), hours=r.randint(1, 9)),
                                     dt.datetime(as_of.year, as_of.month, as_of.day, 22, tzinfo=dt.timezone.utc)),
                       blocks=blocks, places=src.places, category=src.category, summary=src.summary,
                       comments=[], copy_of=src.cluster)
        arts.append(copy)
    assign_urls(arts)
    for a in arts:
        if a.copy_of:
            a.copy_of = next(x.url for x in arts if x.cluster == a.cluster and not x.copy_of)
    return arts
