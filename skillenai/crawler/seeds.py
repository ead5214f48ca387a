"""The sources file users edit: one source a row, ``spider,source,target``.

``target`` is a board token for the ATS spiders (greenhouse, lever, ashby,
smartrecruiters, workable, and the board spiders: recruitee, personio, bamboohr, teamtailor,
pinpoint, rippling, breezy), a Workday career site's URL for workday
(``https://TENANT.wdN.myworkdayjobs.com/SITE``), an arXiv search query for ``papers``
(``all:"labor market" AND cat:econ.GN``) or ``oai:SET`` for every paper of an OAI-PMH set
(``oai:cs``; ``oai:`` for all), and an http(s) URL for the others (a career site's root,
robots.txt, sitemap or listing page; a feed or sitemap for articles). Lines starting with
``#`` and blank lines are ignored. A bad row is
reported with its file and line number and skipped; the good rows around it are kept.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

ATS_SPIDERS = ("greenhouse", "lever", "ashby", "smartrecruiters", "workable")
# Boards read in one response per company, by board token (skillenai/crawler/spiders/boards.py).
BOARD_SPIDERS = ("recruitee", "personio", "bamboohr", "teamtailor", "pinpoint", "rippling", "breezy")
URL_SPIDERS = ("jobpostings", "articles", "workday")
QUERY_SPIDERS = ("papers",)
# What a crawl runs when no spider is named, whatever the sources file (default_spiders).
CORE_SPIDERS = ATS_SPIDERS + URL_SPIDERS + QUERY_SPIDERS
SPIDERS = CORE_SPIDERS + BOARD_SPIDERS
HEADER = ["spider", "source", "target"]

_LOCALE = re.compile(r"[a-z]{2}(?:-[A-Za-z]{2,4})?")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_QUERY = re.compile(r"[^\x00-\x1f\x7f]{1,500}")
_OAI_SET = re.compile(r"oai:[A-Za-z0-9:._-]{0,100}")
_SOURCE = re.compile(r"[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]{0,127}")


class SeedFileError(Exception):
    """The sources file as a whole is unusable (missing, or not the expected CSV)."""


@dataclass(frozen=True)
class Seed:
    spider: str
    source: str
    target: str
    where: str  # "file:line", for messages


@dataclass(frozen=True)
class SeedProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_row(spider: str, source: str, target: str) -> str | None:
    """Why a row is unusable, or ``None`` when it is fine."""
    if spider not in SPIDERS:
        return f"unknown spider {spider!r} (expected one of {', '.join(SPIDERS)})"
    if not _SOURCE.fullmatch(source):
        return f"bad source id {source!r} (1-128 printable characters)"
    if spider in ATS_SPIDERS or spider in BOARD_SPIDERS:
        if not _TOKEN.fullmatch(target):
            return f"bad {spider} board token {target!r} (letters, digits and ._- only)"
    elif spider in QUERY_SPIDERS:
        if not _QUERY.fullmatch(target) or (target.startswith("oai:") and not _OAI_SET.fullmatch(target)):
            return (f"bad {spider} target {target!r} (a search query of 1-500 printable characters, "
                    f"or oai:SET with a set spec of letters, digits and :._-)")
    else:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return f"{spider} needs an http(s) URL as target, got {target!r}"
        if spider == "workday" and not workday_site(target):
            return (f"workday needs a Workday career site URL (https://TENANT.wdN.myworkdayjobs.com/SITE or "
                    f"https://wdN.myworkdaysite.com/recruiting/TENANT/SITE), got {target!r}")
    return None



def read_seeds(path: str | Path, spider: str | None = None) -> tuple[list[Seed], list[SeedProblem]]:
    """The usable rows of a sources file (only ``spider``'s when given) and the problems found."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise SeedFileError(f"cannot read sources file {str(path)!r}: {exc.strerror or exc}") from exc
    seeds: list[Seed] = []
    problems: list[SeedProblem] = []
    seen: set[tuple[str, str]] = set()
    with handle:
        lines = (line for line in handle)
        try:
            rows = list(csv.reader(lines))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SeedFileError(f"{path}: not a readable CSV file: {exc}") from exc
    header_seen = False
    for number, row in enumerate(rows, start=1):
        where = f"{path}:{number}"
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not header_seen:
            if [c.lower() for c in cells[:3]] != HEADER:
                raise SeedFileError(f"{where}: expected the header 'spider,source,target', got {','.join(cells)!r}")
            header_seen = True
            continue
        if len(cells) != 3:
            if spider is None or cells[0] == spider:
                problems.append(SeedProblem(where, f"expected 3 fields (spider,source,target), got {len(cells)}"))
            continue
        row_spider, source, target = cells
        mine = spider is None or row_spider == spider or row_spider not in SPIDERS
        message = check_row(row_spider, source, target)
        if message:
            if mine:
                problems.append(SeedProblem(where, message))
            continue
        if not mine:
            continue
        if (row_spider, target) in seen:
            problems.append(SeedProblem(where, f"duplicate {row_spider} source {target!r}, ignored"))
            continue
        seen.add((row_spider, target))
        seeds.append(Seed(row_spider, source, target, where))
    if not header_seen:
        raise SeedFileError(f"{path}: empty sources file (expected the header 'spider,source,target')")
    return seeds, problems


def workday_site(url: str) -> tuple[str, str, str] | None:
    """``(origin, tenant, site)`` of a Workday career site URL, or ``None`` when ``url`` is
    not one.

    >>> workday_site("https://salesforce.wd12.myworkdayjobs.com/en-US/External_Career_Site")
    ('https://salesforce.wd12.myworkdayjobs.com', 'salesforce', 'External_Career_Site')
    >>> workday_site("https://wd3.myworkdaysite.com/recruiting/acme/Careers")
    ('https://wd3.myworkdaysite.com', 'acme', 'Careers')
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    origin = f"{parts.scheme}://{parts.netloc}"
    segments = [s for s in parts.path.split("/") if s]
    if segments and _LOCALE.fullmatch(segments[0]) and len(segments) > 1:
        segments = segments[1:]
    if len(segments) >= 3 and segments[0] == "recruiting":  # wdN.myworkdaysite.com/recruiting/{tenant}/{site}
        return origin, segments[1], segments[2]
    host = parts.hostname.lower()
    if host.endswith(".myworkdayjobs.com") and host.count(".") >= 3 and segments:
        return origin, host.split(".", 1)[0], segments[0]
    return None
def default_spiders(path: str | Path) -> list[str]:
    """The spiders a crawl runs when none is named: the ATS, Workday, career-site, article
    and papers spiders (:data:`CORE_SPIDERS`), and each board spider
    (:data:`BOARD_SPIDERS`) that has a row in the sources file."""
    try:
        seeds, _problems = read_seeds(path)
    except SeedFileError:
        seeds = []  # the spiders that run say what is wrong with the file
    named = {seed.spider for seed in seeds}
    return [name for name in SPIDERS if name not in BOARD_SPIDERS or name in named]
