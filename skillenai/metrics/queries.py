"""Labor-market metrics over the store: the figures of a skill page, and their siblings.

Every figure is computed in SQL, counts canonical postings only (``unique_postings``:
``documents.is_canonical = 1``) and dates a posting by ``unique_postings.date_posted``.
The pages of a skill, a metro and a role family count *jobs*: a job group (one job
offered in several places, ``documents.job_group``) counts once in each figure it has
postings in (the skill's count, a week, a paired skill, a role) and once in each of its
metros. Top skills, trends and occupations count canonical postings (a per-city copy
each).
A window of ``W`` days ending at ``as_of`` holds the postings dated in
``(as_of - W, as_of]``; ``as_of`` defaults to the latest posting date in the store, the
data's own "today", so a store built on any day gives meaningful figures.

Queries reach the big tables through indexes only (``skillenai/store/schema.py``, migration
``m004_metrics``): a skill's figures start from the covering
``document_skills (skill_id, document_id)`` index and read each of the skill's postings
once, from its one ``posting_facts`` row (m028: day, job group, employer, pay, workplace,
open or closed, metros, role, skills), and every figure is counted from those rows in one
pass; a metro's, role family's or occupation's page alike from its own tag index.

>>> m = skill_metrics(db, "python3")             # doctest: +SKIP
>>> m["name"], m["postings"], m["top_metros"][0]  # doctest: +SKIP
('Python', 120, {'id': '…', 'name': 'San Francisco', 'postings': 19, 'share': 0.3115})
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import logging
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import sqlite_utils

from skillenai.core import interrupt
from skillenai.metrics.market import market_figures, year_over_year

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = 90
TREND_DAYS = 28          # "the prior 4 weeks": the last 28 days against the 28 before
DEFAULT_LIMIT = 10
DEFAULT_ARTICLES = 5
DEFAULT_MIN_POSTINGS = 20
MAX_WINDOW = 3660

__all__ = [
    "MetricsError", "UnknownEntity", "Window", "data_as_of", "make_window", "week_start", "weeks",
    "resolve_skill_ref", "resolve_metro_ref", "resolve_role_ref", "resolve_occupation_ref",
    "skill_metrics", "employer_capped", "top_skills", "metro_metrics", "role_metrics", "occupation_metrics", "occupations", "trends",
    "recent_postings", "recent_articles", "percent_change",
    "tune_connection", "refresh", "precomputed_state",
]


class MetricsError(ValueError):
    """A metrics request cannot be answered; the message says why."""


class UnknownEntity(MetricsError):
    """A skill, metro or role name that resolves to nothing; ``suggestions`` are close names."""

    def __init__(self, kind: str, name: str, suggestions: list[str]):
        self.kind, self.name, self.suggestions = kind, name, suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")


# -- the window ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    """``days`` days ending at ``as_of`` (inclusive): dates in ``(as_of - days, as_of]``."""

    as_of: dt.date
    days: int = DEFAULT_WINDOW

    def __post_init__(self):
        if not 1 <= self.days <= MAX_WINDOW:
            raise MetricsError(f"window must be 1 to {MAX_WINDOW} days, got {self.days}")

    @property
    def start(self) -> dt.date:
        """The first day inside the window."""
        return self.as_of - dt.timedelta(days=self.days - 1)

    def before(self, days: int) -> str:
        """``as_of - days`` as text: the exclusive lower bound of a period of ``days`` days."""
        return (self.as_of - dt.timedelta(days=days)).isoformat()


def data_as_of(db: sqlite_utils.Database) -> dt.date | None:
    """The latest posting date among canonical postings (``None`` for a store without any):
    the view ``data_as_of``, two index searches rather than a scan of ``unique_postings``."""
    latest = db.execute("SELECT data_as_of FROM data_as_of").fetchone()[0]
    if not latest:
        return None
    try:
        return dt.date.fromisoformat(latest[:10])
    except ValueError:
        raise MetricsError(f"the store's latest posting date is not a date: {latest!r}") from None


def make_window(db: sqlite_utils.Database, as_of: dt.date | str | None = None, days: int = DEFAULT_WINDOW) -> Window:
    """The window ending at ``as_of`` (default: :func:`data_as_of`; today for an empty store)."""
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise MetricsError(f"as_of must be a date YYYY-MM-DD, got {as_of!r}") from None
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if as_of is None:
        as_of = data_as_of(db) or dt.date.today()
    return Window(as_of, days)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week (SQL: ``date(d, '-6 days', 'weekday 1')``)."""
    return day - dt.timedelta(days=day.weekday())


def weeks(window: Window) -> list[tuple[dt.date, int]]:
    """Every week (Monday start) the window touches, with how many of its days are inside."""
    out = []
    monday = week_start(window.start)
    while monday <= window.as_of:
        first = max(monday, window.start)
        last = min(monday + dt.timedelta(days=6), window.as_of)
        out.append((monday, (last - first).days + 1))
        monday += dt.timedelta(days=7)
    return out


def percent_change(current: int, prior: int) -> float | None:
    """``current`` against ``prior`` in percent, one decimal; ``None`` when ``prior`` is 0."""
    if not prior:
        return None
    return round((current - prior) * 100.0 / prior, 1)


# -- names → entities ----------------------------------------------------------------------

def resolve_skill_ref(db: sqlite_utils.Database, name: str) -> dict:
    """``{id, name, category}`` of the skill a name or alias means, through the taxonomy.

    Raises :class:`UnknownEntity` with close names when nothing matches.
    """
    from skillenai.classify.skills.matcher import resolve_skill, suggest_skills

    skill = resolve_skill(name)
    if skill is not None:
        return {"id": skill.id, "name": skill.name, "category": skill.category}
    # An entity id, or a name the store knows but the shipped taxonomy no longer does.
    row = db.execute("SELECT id, name, category FROM skills WHERE id = ? OR name = ? COLLATE NOCASE LIMIT 1",
                     [name.strip(), name.strip()]).fetchone()
    if row:
        return {"id": row[0], "name": row[1], "category": row[2]}
    raise UnknownEntity("skill", name, suggest_skills(name))


def resolve_metro_ref(db: sqlite_utils.Database, name: str) -> dict:
    """``{id, name, admin1, country, region, label}`` of the city a place name means ("SF",
    "Mountain View, CA"); ``label`` tells namesakes apart ("Dublin, CA, US").

    The name goes through the place resolver (``skillenai.classify.places.locations.resolve_place``); a name
    or id of the store's ``metros`` table also works.
    """
    from skillenai.classify.places.locations import resolve_place

    text = (name or "").strip()
    row = db.execute("SELECT id, name, admin1, country FROM metros WHERE id = ?", [text]).fetchone()
    if row is None and text:
        place = resolve_place(text)
        if place is not None:
            row = db.execute("SELECT id, name, admin1, country FROM metros WHERE id = ?", [place.city_id]).fetchone()
            if row is None:  # a real city nothing in the store is tagged with (yet)
                row = (place.city_id, place.city, place.admin1, place.country)
    if row is None and text:
        found = db.execute("SELECT id, name, admin1, country FROM metros WHERE name = ? COLLATE NOCASE "
                           "ORDER BY population DESC LIMIT 1", [text]).fetchone()
        row = found
    if row is None:
        names = [r[0] for r in db.execute("SELECT DISTINCT name FROM metros")]
        raise UnknownEntity("metro", name, difflib.get_close_matches(text, names, n=5, cutoff=0.6))
    return _metro_ref(*row)


def _metro_ref(metro_id: str, name: str, admin1: str | None, country: str | None) -> dict:
    from skillenai.classify.places.gazetteer import place_label, region_name

    return {"id": metro_id, "name": name, "admin1": admin1, "country": country,
            "region": region_name(country, admin1), "label": place_label(name, admin1, country)}


def _labelled_metros(db, items: list[dict]) -> list[dict]:
    """Metro list items with their codes, readable region and display label ("Dublin, CA,
    US" beside "Dublin, IE"); two items still alike get their region's name too."""
    if not items:
        return items
    marks = ", ".join("?" * len(items))
    rows = {r[0]: r[1:] for r in db.execute(
        f"SELECT id, admin1, country, region, label FROM metros WHERE id IN ({marks})", [x["id"] for x in items])}
    for x in items:
        admin1, country, region, label = rows.get(x["id"], (None, None, None, None))
        if region is None or label is None:  # a row written before the store kept them
            ref = _metro_ref(x["id"], x["name"], admin1, country)
            region, label = region or ref["region"], label or ref["label"]
        x.update(admin1=admin1, country=country, region=region, label=label)
    seen: dict[str, int] = {}
    for x in items:
        seen[x["label"]] = seen.get(x["label"], 0) + 1
    for x in items:
        if seen[x["label"]] > 1 and x["region"]:
            x["label"] = f"{x['name']}, {x['region']}, {x['country']}"
    return items


def resolve_role_ref(db: sqlite_utils.Database, name: str) -> dict:
    """``{id, name}`` of the role family a name means: a family name ("Data Scientist"),
    its id, or a job title the role model is sure of ("Senior backend developer")."""
    from skillenai.classify.roles import role_table
    from skillenai.classify.titles import classify_title

    text = (name or "").strip()
    table = role_table()
    for role in table:
        if text.casefold() in (role["name"].casefold(), role["id"]):
            return {"id": role["id"], "name": str(role["name"])}
    if text:
        guess, _ = classify_title(text)
        if guess is not None and guess.score >= 0.5:
            return {"id": guess.id, "name": str(guess.name)}
    names = [str(r["name"]) for r in table]
    close = difflib.get_close_matches(text, names, n=5, cutoff=0.5)
    close += [n for n in names if text and text.casefold() in n.casefold() and n not in close]
    raise UnknownEntity("role", name, close[:5])


def resolve_occupation_ref(db: sqlite_utils.Database, name: str) -> dict:
    """``{id, name, code, major, major_title}`` of the SOC 2018 detailed occupation a code
    ("15-1252", "151252") or title ("Software Developers", any case) means."""
    text = (name or "").strip()
    code = text
    if re.fullmatch(r"\d{6}", text):
        code = f"{text[:2]}-{text[2:]}"
    row = db.execute("SELECT code, title FROM occupations WHERE level = 'detailed' AND (code = ? OR title = ? "
                     "COLLATE NOCASE) LIMIT 1", [code, text]).fetchone()
    if row is None:
        titles = [r[0] for r in db.execute("SELECT title FROM occupations WHERE level = 'detailed'")]
        close = difflib.get_close_matches(text, titles, n=5, cutoff=0.5)
        close += [t for t in titles if text and text.casefold() in t.casefold() and t not in close]
        raise UnknownEntity("occupation", name, close[:5])
    return _occupation_ref(db, *row)


def _occupation_ref(db, code: str, title: str) -> dict:
    major = f"{code[:2]}-0000"
    row = db.execute("SELECT title FROM occupations WHERE code = ?", [major]).fetchone()
    return {"id": code, "name": title, "code": code, "major": major, "major_title": row[0] if row else None}


# -- building blocks -----------------------------------------------------------------------

# The canonical postings of one entity dated in (:lo, :hi], from a view driven by the
# entity's covering index (skill_postings, metro_postings, role_postings).
_ENTITY_POSTINGS = {
    "skill": "SELECT document_id, date_posted FROM skill_postings WHERE skill_id = :id "
             "AND date_posted > :lo AND date_posted <= :hi",
    "metro": "SELECT document_id, date_posted FROM metro_postings WHERE metro_id = :id "
             "AND date_posted > :lo AND date_posted <= :hi",
    "role": "SELECT document_id, date_posted FROM role_postings WHERE role_id = :id "
            "AND date_posted > :lo AND date_posted <= :hi",
    "occupation": "SELECT document_id, date_posted FROM occupation_postings WHERE soc_code = :id "
                  "AND date_posted > :lo AND date_posted <= :hi",
}

# Every canonical posting dated in (:lo, :hi], driven by the posting dates: the dated
# postings through idx_postings_date_document, and the undated ones (dated by the day they
# were first seen, as unique_postings does).
WINDOW_POSTINGS = """
    SELECT p.document_id, p.date_posted FROM postings p INDEXED BY idx_postings_date_document
    CROSS JOIN documents d INDEXED BY idx_documents_metrics ON d.id = p.document_id
    WHERE p.date_posted > :lo AND p.date_posted <= :hi AND d.kind = 'posting' AND d.is_canonical = 1
    UNION ALL
    SELECT p.document_id, substr(d.first_seen, 1, 10) FROM postings p INDEXED BY idx_postings_date_document
    CROSS JOIN documents d INDEXED BY idx_documents_metrics ON d.id = p.document_id
    WHERE p.date_posted IS NULL AND d.kind = 'posting' AND d.is_canonical = 1
      AND substr(d.first_seen, 1, 10) > :lo AND substr(d.first_seen, 1, 10) <= :hi
"""

_TEMP = "skillenai_metrics_postings"


class _Postings:
    """A temporary table of (document_id, date_posted) for one request over many postings
    (top skills, trends and occupations computed live), dropped on exit.

    Keyed by document_id, as the rows arrive from the covering indexes: the tag tables are
    then met in key order, which keeps their pages hot (keyed by date, the same joins took
    1.5-2.5 times longer on the 1M-posting benchmark store).
    """

    def __init__(self, db: sqlite_utils.Database, select: str, params: dict):
        self.db, self.select, self.params = db, select, params
        self.own_transaction = False

    def __enter__(self) -> str:
        conn = self.db.conn
        # The INSERT opens a transaction (Python's sqlite3 does, before DML); left open, it
        # would pin this connection's view of the store (WAL snapshot) after the request.
        self.own_transaction = not conn.in_transaction
        conn.execute(f"DROP TABLE IF EXISTS temp.{_TEMP}")
        conn.execute(f"CREATE TEMP TABLE {_TEMP} (document_id TEXT PRIMARY KEY, date_posted TEXT) WITHOUT ROWID")
        conn.execute(f"INSERT INTO temp.{_TEMP} (document_id, date_posted) "
                     f"SELECT document_id, date_posted FROM ({self.select})", self.params)
        return f"temp.{_TEMP}"

    def __exit__(self, *exc) -> None:
        conn = self.db.conn
        conn.execute(f"DROP TABLE IF EXISTS temp.{_TEMP}")
        if self.own_transaction and conn.in_transaction:
            conn.commit()  # only the temporary table was written


def tune_connection(db: sqlite_utils.Database, cache_mb: int = 256, mmap_mb: int = 2048) -> None:
    """Settings for a connection that answers metrics: a page cache that holds the indexes
    a request walks (SQLite's default is 2 MB), the store's file read through memory-mapped
    I/O up to ``mmap_mb`` (SQLite maps at most 2 GB; the busiest skill of the 1M-posting
    benchmark store seeks 157,000 postings' rows, and a read call for each page missing
    from the cache cost a third of that walk's CPU), and temporary tables and sorts in
    memory."""
    db.conn.execute(f"PRAGMA cache_size = {-int(cache_mb) * 1024}")
    db.conn.execute(f"PRAGMA mmap_size = {int(mmap_mb) * 2**20}")
    db.conn.execute("PRAGMA temp_store = MEMORY")


# What a posting can be tagged with: the tag table, its entity column, and the index that
# reaches the entity's postings (None: SQLite's choice, the covering (entity id,
# document_id) index).
_TAGS = {
    "metros": ("document_metros", "metro_id", None),
    "skills": ("document_skills", "skill_id", None),
    # Their primary key index holds document_id alone: without statistics SQLite might
    # seek an entity's postings through the table instead of the (entity, document_id) index.
    "roles": ("document_roles", "role_id", "idx_document_roles_role"),
    "occupations": ("document_occupations", "soc_code", "idx_document_occupations_code"),
}

# An entity's canonical postings, each read once from its posting_facts row (m028) through
# the entity's index, in document order: (document_id, job, day, open on :day, company,
# workplace, salary currency, yearly pay low and high, metro ids, role id, skill ids, SOC
# code). A job is a posting's job group, or the posting itself; open: posted by :day,
# neither closed by then nor past its closing date. Only the rows a figure counts are
# read: dated in (:near, :day], open, or in the year-before window (:yoy_lo, :yoy_hi]; and
# the fields after ``open`` only of those dated after :near (Python's cost is a posting's
# every field made an object).
_OPEN = """f.day <= :day AND (f.closed_at IS NULL OR f.closed_at > :day)
           AND (f.valid_through IS NULL OR substr(f.valid_through, 1, 10) >= :day)"""
_FACTS = f"""
    SELECT f.document_id, COALESCE(f.job_group, f.document_id), f.day, {_OPEN},
           {", ".join(f"CASE WHEN f.day > :near THEN f.{column} END" for column in (
               "company", "workplace", "salary_currency", "salary_annual_min", "salary_annual_max", "metro_ids",
               "role_id", "skill_ids", "soc_code"))}
    FROM {{table}} t{{hint}} CROSS JOIN posting_facts f ON f.document_id = t.document_id
    WHERE t.{{column}} = :id AND (f.day > :near AND f.day <= :day OR f.day > :yoy_lo AND f.day <= :yoy_hi
                                  OR {_OPEN})
    ORDER BY t.document_id
"""
# Where _FACTS puts a posting's tags.
_METROS, _ROLE, _SKILLS, _SOC = 9, 10, 11, 12


@dataclass
class _EntityPostings:
    """What one read of an entity's postings gives every figure of its page."""

    counts: dict                # postings (jobs) in the window, the last and prior 4 weeks
    active: int                 # jobs open on the window's last day, however old
    rows: list[tuple]           # the _FACTS rows dated in the window, in document order
    year_before: int            # postings (not jobs) in the same window a year earlier
    one_posting_a_job: bool     # no two of ``rows`` are one job's

    def tally(self, column: int) -> Counter:
        """Jobs in the window per entity id of ``column`` (_METROS, _ROLE, _SKILLS, _SOC)."""
        return _job_counts(self.rows, column, self.one_posting_a_job)


def _entity_postings(db, kind: str, entity_id: str, window: Window) -> _EntityPostings:
    """Read the canonical postings tagged with an entity (``kind``: skill, metro, role,
    occupation) once, and count them. One Python pass over one row a posting: each figure
    joining the postings to its own tables took 1.5 s of CPU for the busiest skill of the
    1M-posting benchmark store (BENCHMARKS.md)."""
    table, column, index = _TAGS[kind + "s"]
    hint = f" INDEXED BY {index}" if index else ""
    hi = window.as_of.isoformat()
    lo, cur, prior = window.before(window.days), window.before(TREND_DAYS), window.before(2 * TREND_DAYS)
    year_ago = window.as_of - dt.timedelta(days=365)
    yoy_lo, yoy_hi = (year_ago - dt.timedelta(days=window.days)).isoformat(), year_ago.isoformat()
    active: set[str] = set()
    in_window: set[str] = set()
    current: set[str] = set()
    before: set[str] = set()
    rows: list[tuple] = []
    year_before = 0
    params = {"id": entity_id, "day": hi, "near": window.before(max(window.days, 2 * TREND_DAYS)),
              "yoy_lo": yoy_lo, "yoy_hi": yoy_hi}
    for row in db.execute(_FACTS.format(table=table, column=column, hint=hint), params):
        job, day = row[1], row[2]
        if row[3]:
            active.add(job)
        if day > hi:
            continue
        if day > lo:
            rows.append(row)
            in_window.add(job)
        if day > cur:
            current.add(job)
        elif day > prior:
            before.add(job)
        elif yoy_lo < day <= yoy_hi:
            year_before += 1
    counts = {"postings": len(in_window), "postings_last_4_weeks": len(current),
              "postings_prior_4_weeks": len(before), "change_vs_prior_4_weeks": percent_change(len(current), len(before))}
    return _EntityPostings(counts, len(active), rows, year_before, len(in_window) == len(rows))


def _weekly(rows: list[tuple], window: Window) -> list[dict]:
    """Jobs a week (Monday start) over ``rows`` (:data:`_FACTS` rows in the window), every
    week the window touches."""
    monday_of: dict[str, str] = {}
    jobs: dict[str, set[str]] = {}
    for row in rows:
        day = row[2]
        monday = monday_of.get(day)
        if monday is None:
            monday = monday_of[day] = week_start(dt.date.fromisoformat(day[:10])).isoformat()
        jobs.setdefault(monday, set()).add(row[1])
    return [{"week_start": monday.isoformat(), "postings": len(jobs.get(monday.isoformat(), ())), "days": days}
            for monday, days in weeks(window)]


# Hex digit → its value (255: not a lower-case hex digit), for _hex_id_counts.
_HEX = np.full(256, 255, dtype=np.uint8)
_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint8)


def _hex_id_counts(joined: str) -> Counter | None:
    """How often each id occurs in ``joined`` (ids joined by commas), counted by numpy when
    every id is 16 lower-case hex digits (the store's entity ids); ``None`` otherwise.
    Splitting and counting 800,000 ids as strings took 0.4 s of CPU for the busiest skill
    of the 1M-posting benchmark store."""
    data = np.frombuffer((joined + ",").encode(), dtype=np.uint8)
    if len(data) % 17:
        return None
    rows = data.reshape(-1, 17)
    if (rows[:, 16] != ord(",")).any():
        return None
    nibbles = _HEX[rows[:, :16]]
    if (nibbles == 255).any():
        return None
    keys = ((nibbles[:, 0::2] << 4) | nibbles[:, 1::2]).view(">u8").ravel()  # 8 bytes, big-endian: the id
    values, counts = np.unique(keys, return_counts=True)
    return Counter(dict(zip((f"{v:016x}" for v in values.tolist()), counts.tolist())))


def _job_counts(rows: list[tuple], column: int, one_posting_a_job: bool) -> Counter:
    """Jobs per entity id over ``rows`` (:data:`_FACTS` rows), whose ``column`` holds one id
    or several joined by commas (``None``: none): a job with several postings counts once
    per id any of them has. ``one_posting_a_job``: no job has two of the rows."""
    several: dict[str, set[str]] = {}  # jobs with more than one posting (a job group)
    if one_posting_a_job:
        values = [row[column] for row in rows if row[column] is not None]
    else:
        single: dict[str, str] = {}
        for row in rows:
            job, ids = row[1], row[column]
            if ids is None:
                continue
            if job in several:
                several[job].update(ids.split(","))
            elif job in single:
                several[job] = {*single.pop(job).split(","), *ids.split(",")}
            else:
                single[job] = ids
        values = list(single.values())
    counts = Counter()
    if values:
        joined = ",".join(values)
        counts = _hex_id_counts(joined) or Counter(joined.split(","))
    for ids in several.values():
        counts.update(ids)
    return counts


def _ranked(db, counts: Counter, names: str, limit: int, exclude: str | None = None) -> tuple[list[dict], int]:
    """The ``limit`` entities counted most often (``counts``: :func:`_job_counts`) as
    ``[{id, name, postings}]``, by count, then name (``names``: the entity table), then id;
    and the sum of the counts of all of them, ``exclude`` left out."""
    counts.pop(exclude, None)
    if not counts:
        return [], 0
    total = sum(counts.values())
    # Names only for the entities that can make the list: those counted at least as often
    # as the limit-th one (ties are ordered by name, then id).
    cutoff = sorted(counts.values(), reverse=True)[min(limit, len(counts)) - 1]
    near = [entity for entity, n in counts.items() if n >= cutoff]
    named: dict[str, str] = {}
    for start in range(0, len(near), 500):
        part = near[start:start + 500]
        named.update(db.execute(f"SELECT id, name FROM {names} WHERE id IN ({','.join('?' * len(part))})",
                                part).fetchall())
    name = {entity: named[entity] if named.get(entity) is not None else entity for entity in near}
    ranked = sorted(near, key=lambda entity: (-counts[entity], name[entity], entity))[:limit]
    return [{"id": entity, "name": name[entity], "postings": counts[entity]} for entity in ranked], total


def _top_occupations(db, counts: Counter, limit: int) -> list[dict]:
    """The SOC occupations counted most often: ``[{code, title, postings}]`` by count, then code."""
    top = sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:limit]
    titles = dict(db.execute(f"SELECT code, title FROM occupations WHERE code IN ({','.join('?' * len(top))})",
                             [code for code, _ in top]).fetchall()) if top else {}
    return [{"code": code, "title": code if titles.get(code) is None else titles[code], "postings": n}
            for code, n in top]


def _with_share(items: list[dict], total: int) -> list[dict]:
    for item in items:
        item["share"] = round(item["postings"] / total, 4) if total else None
    return items


_ARTICLE_WALK_CAP = 100_000
# The written kinds a skill page lists: the view of a kind's documents by skill, and the
# partial index over that kind's canonical documents.
_WRITTEN = {"article": ("skill_articles", "idx_documents_articles"),
            "paper": ("skill_papers", "idx_documents_papers")}


def _articles(db, skill_id: str, window: Window, limit: int, via: str | None = None,
              kind: str = "article") -> list[dict]:
    """Canonical articles (or with ``kind="paper"``, papers) tagged with the skill, dated
    in the window, latest first.

    Two ways to the same rows: from the articles in the window, checking each for the skill
    (``skill_articles``, ``skill_papers``), or from the skill's tagged documents, keeping
    those of the kind. The shorter list is walked: a rare skill has few documents, a popular
    one many more than there are articles. ``via`` (``"articles"`` or ``"skill"``) forces
    one, for tests.
    """
    view = _WRITTEN[kind][0]
    params = {"skill": skill_id, "lo": window.before(window.days), "hi": window.as_of.isoformat(), "limit": limit,
              "kind": kind}
    via = via or _shorter_way(db, skill_id, kind)
    if via == "articles":
        sql = f"""
            SELECT document_id, title, url, date FROM {view}
            WHERE skill_id = :skill AND date > :lo AND date <= :hi
            ORDER BY date DESC, document_id LIMIT :limit
        """
    elif via == "skill":
        sql = """
            SELECT d.id, d.title, d.url,
                   COALESCE(substr(d.published_at, 1, 10), substr(d.first_seen, 1, 10)) AS date
            FROM document_skills ds
            CROSS JOIN documents d INDEXED BY idx_documents_metrics ON d.id = ds.document_id
            WHERE ds.skill_id = :skill AND d.kind = :kind AND d.is_canonical = 1
              AND date > :lo AND date <= :hi
            ORDER BY date DESC, d.id LIMIT :limit
        """
    else:
        raise ValueError(f"via must be 'articles', 'skill' or None, got {via!r}")
    return [{"id": r[0], "title": r[1], "url": r[2], "date": r[3]} for r in db.execute(sql, params)]


def _shorter_way(db, skill_id: str, kind: str) -> str:
    """``"skill"`` when the skill has fewer tagged documents than there are documents of
    ``kind``, else ``"articles"``. Each count stops at the other: the decision costs no
    more than the shorter walk."""
    tagged = db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM document_skills WHERE skill_id = ? LIMIT ?)",
                        [skill_id, _ARTICLE_WALK_CAP]).fetchone()[0]
    # The kind written out: only a literal lets SQLite use the kind's partial index.
    written = db.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM documents INDEXED BY {_WRITTEN[kind][1]} "
                         f"WHERE kind = '{kind}' LIMIT ?)", [tagged + 1]).fetchone()[0]
    return "skill" if tagged <= written else "articles"


def _written_count(db, skill_id: str, window: Window, kind: str) -> int:
    """How many canonical documents of ``kind`` (article, paper) dated in the window name
    the skill, counted the shorter way (see :func:`_articles`)."""
    params = {"skill": skill_id, "kind": kind, "lo": window.before(window.days), "hi": window.as_of.isoformat()}
    if _shorter_way(db, skill_id, kind) == "articles":
        sql = f"SELECT COUNT(*) FROM {_WRITTEN[kind][0]} WHERE skill_id = :skill AND date > :lo AND date <= :hi"
    else:
        sql = """
            SELECT COUNT(*) FROM (
                SELECT COALESCE(substr(d.published_at, 1, 10), substr(d.first_seen, 1, 10)) AS date
                FROM document_skills ds
                CROSS JOIN documents d INDEXED BY idx_documents_metrics ON d.id = ds.document_id
                WHERE ds.skill_id = :skill AND d.kind = :kind AND d.is_canonical = 1
            ) WHERE date > :lo AND date <= :hi
        """
    return db.execute(sql, params).fetchone()[0]


def _check_limit(limit: int, what: str = "limit") -> None:
    if not isinstance(limit, int) or limit < 1:
        raise MetricsError(f"{what} must be a positive integer, got {limit!r}")


# How many times one employer's family of near-identical jobs counts in the capped count
# (``employer_capped``, on every page).
DEFAULT_EMPLOYER_CAP = 3

# What a page's figures count, said in its JSON (``counted``) and on the page.
COUNTED = ("jobs: reposts and cross-posts of one job count once, and one job offered in several places "
           "(a job group) counts once, and once in each of its metros")


def _beyond(db, postings: _EntityPostings, window: Window, limit: int) -> dict:
    """Pay, workplace, employers, the raw count, the employer-capped count (each
    employer's family of near-identical jobs counted at most ``DEFAULT_EMPLOYER_CAP``
    times: :func:`employer_capped`) and year over year (:mod:`skillenai.metrics.market`)
    of an entity's postings in the window."""
    out = market_figures(postings.rows, limit)
    _, capped, ranked = _capped_jobs(db, postings.rows, DEFAULT_EMPLOYER_CAP)
    out["employer_capped"] = {"cap": DEFAULT_EMPLOYER_CAP, "jobs": capped,
                              "employers": [{k: e[k] for k in ("company", "postings", "counted")}
                                            for e in ranked[:limit]]}
    year_ago = window.as_of - dt.timedelta(days=365)
    out["year_over_year"] = year_over_year(db, postings.counts["postings"], postings.year_before,
                                           lo=(year_ago - dt.timedelta(days=window.days)).isoformat())
    return out


def _header(entity: dict, window: Window) -> dict:
    return {"entity_id": entity["id"], **{k: v for k, v in entity.items() if k != "id"},
            "data_as_of": window.as_of.isoformat(), "window_days": window.days, "counted": COUNTED}


# -- the pages -----------------------------------------------------------------------------

def skill_metrics(
    db: sqlite_utils.Database,
    skill: str | dict,
    *,
    as_of: dt.date | str | None = None,
    window: int = DEFAULT_WINDOW,
    limit: int = DEFAULT_LIMIT,
    articles: int = DEFAULT_ARTICLES,
    timings: dict[str, float] | None = None,
    precomputed: bool = True,
) -> dict[str, Any]:
    """The figures of a skill page (the seed page's content) as a JSON-ready dict.

    Args:
        db: the store.
        skill: a skill name or alias ("python3", "k8s"), or ``{id, name, category}``.
        as_of: last day of the window (default: the latest posting date in the store).
        window: days in the window (default 90).
        limit: how many metros, paired skills and roles to list.
        articles: how many recent articles (and papers) to list.
        timings: when given, receives the milliseconds each step took (for benchmarks).
        precomputed: answer from :func:`refresh`'s page when it is still valid (the same
            figures, from a table row); ``False`` always computes.

    Returns ``entity_id, name, category, data_as_of, window_days, counted`` (what the
    figures count: jobs, :data:`COUNTED`), ``postings`` (jobs posted in the window),
    ``active_postings`` (open on ``as_of``: posted by then and neither closed nor
    expired, however old), ``postings_last_4_weeks, postings_prior_4_weeks,
    change_vs_prior_4_weeks`` (percent, or ``None`` when the prior period has no postings), ``top_metros`` (``[{id, name, postings,
    share}]``, share of the sum of all metro counts, ``metro_tags``), ``paired_skills``,
    ``top_roles`` (``[{id, name, postings}]``), ``weekly`` (``[{week_start, postings,
    days}]``, every Monday-started week the window touches; ``days`` inside the window),
    ``articles`` (``[{id, title, url, date}]``), with ``article_count`` (every article
    in the window naming the skill), ``papers`` and ``paper_count`` alike for research
    papers, and beyond the seed (every entity page has them; :mod:`skillenai.metrics.market`):
    ``pay`` (share stating pay, yearly median and interquartile range per currency),
    ``workplace`` (remote, hybrid, onsite counts and shares), ``employers`` (distinct, top,
    HHI), ``raw_postings`` (every canonical posting, a job group's in each place),
    ``employer_capped`` (``{cap, jobs, employers}``: the jobs with each employer's family of
    near-identical ones counted at most ``cap`` times, and the employers that cap takes
    from) and
    ``year_over_year`` (or ``None``).
    """
    _check_limit(limit)
    _check_limit(articles, "articles")
    clock = _Clock(timings)
    ref = skill if isinstance(skill, dict) else resolve_skill_ref(db, skill)
    win = make_window(db, as_of, window)
    clock("resolve")
    if precomputed:
        page = _precomputed_page(db, "skill", ref["id"], win, limit, articles)
        if page is not None:
            clock("precomputed")
            return page
    out = _header(ref, win)
    postings = _entity_postings(db, "skill", ref["id"], win)
    clock("postings")
    out.update(postings.counts)
    out["active_postings"] = postings.active
    out.update(_beyond(db, postings, win, limit))
    clock("market")
    metros, metro_tags = _ranked(db, postings.tally(_METROS), "metros", limit)
    out["top_metros"] = _with_share(_labelled_metros(db, metros), metro_tags)
    out["metro_tags"] = metro_tags
    out["paired_skills"], _ = _ranked(db, postings.tally(_SKILLS), "skills", limit,
                                      exclude=ref["id"])
    out["top_roles"], _ = _ranked(db, postings.tally(_ROLE), "roles", limit)
    out["weekly"] = _weekly(postings.rows, win)
    clock("lists")
    out["articles"] = _articles(db, ref["id"], win, articles)
    out["article_count"] = _written_count(db, ref["id"], win, "article")
    clock("articles")
    out["papers"] = _articles(db, ref["id"], win, articles, kind="paper")
    out["paper_count"] = _written_count(db, ref["id"], win, "paper")
    clock("papers")
    return out


def employer_capped(db: sqlite_utils.Database, skill: str | dict, *, as_of=None, window: int = DEFAULT_WINDOW,
                    cap: int = DEFAULT_EMPLOYER_CAP, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """A skill's jobs in the window with each employer's near-identical ones capped: the
    count one employer's flood of one opening cannot move.

    Jobs (job groups, as the skill page counts them) of one employer whose job-specific
    texts are near identical (``template_pairs``, directly or through others) form a
    family; a family counts at most ``cap`` times.

    Returns the skill's header fields, ``postings`` (its jobs in the window, the page's
    figure), ``capped`` (the same with each family counted at most ``cap`` times),
    ``cap``, and ``employers``: the ``limit`` employers the cap takes most from,
    ``[{company, postings, counted, families}]``.
    """
    _check_limit(limit)
    _check_limit(cap, "cap")
    ref = skill if isinstance(skill, dict) else resolve_skill_ref(db, skill)
    win = make_window(db, as_of, window)
    rows = _entity_postings(db, "skill", ref["id"], win).rows
    jobs, capped, ranked = _capped_jobs(db, rows, cap)
    return {**_header(ref, win), "postings": jobs, "capped": capped, "cap": cap, "employers": ranked[:limit]}


def _template_links(db, docs: set[str]) -> list[tuple[str, str]]:
    """The ``template_pairs`` with both ends in ``docs``, read the shorter way: every pair
    when there are fewer than ``docs``, else the pairs of each of ``docs`` by its key."""
    stored = db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM template_pairs LIMIT ?)", [len(docs) + 1]).fetchone()[0]
    if not stored:
        return []
    if stored <= len(docs):
        pairs = db.execute("SELECT document_id, other_id FROM template_pairs")
    else:
        pairs = db.execute("SELECT tp.document_id, tp.other_id FROM json_each(?) j "
                           "CROSS JOIN template_pairs tp ON tp.document_id = j.value", [json.dumps(sorted(docs))])
    return [(a, b) for a, b in pairs if a in docs and b in docs]


def _capped_jobs(db, rows: list[tuple], cap: int) -> tuple[int, int, list[dict]]:
    """The jobs of ``rows`` (:data:`_FACTS` rows in the window), the same with each
    employer's family of near-identical jobs counted at most ``cap`` times, and the
    employers the cap takes from, most first (see :func:`employer_capped`)."""
    links = _template_links(db, {row[0] for row in rows})
    company_of = {row[1]: row[4] for row in rows}
    if not links:
        return len(company_of), len(company_of), []
    linked_docs = {doc for pair in links for doc in pair}
    job_of = {row[0]: row[1] for row in rows if row[0] in linked_docs}
    # Union-find over the linked jobs only: every other job is a family of its own (a
    # popular skill has a hundred thousand jobs and few links).
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ja, jb = job_of[a], job_of[b]
        parent.setdefault(ja, ja)
        parent.setdefault(jb, jb)
        ra, rb = find(ja), find(jb)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    sizes = Counter(find(job) for job in parent)
    over = {root: size for root, size in sizes.items() if size > cap}
    capped = len(company_of) - sum(size - cap for size in over.values())
    # Only the employers with a family over the cap are listed: their jobs and families.
    listed = {company_of[root] or "" for root in over}
    employers: dict[str, dict] = {}
    for job, company in company_of.items():
        key = company or ""
        if key not in listed:
            continue
        e = employers.get(key)
        if e is None:
            e = employers[key] = {"company": company, "postings": 0, "counted": 0, "families": 0}
        e["postings"] += 1
        if job not in parent:
            e["counted"] += 1
            e["families"] += 1
    for root, size in sizes.items():
        e = employers.get(company_of[root] or "")
        if e is not None:
            e["counted"] += min(size, cap)
            e["families"] += 1
    ranked = sorted(employers.values(), key=lambda e: (e["counted"] - e["postings"], e["company"] or ""))
    return len(company_of), capped, ranked


class _Clock:
    """Records the milliseconds since the previous call under each name (no-op without a dict)."""

    def __init__(self, into: dict[str, float] | None):
        self.into = into
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        if self.into is not None:
            now = time.perf_counter()
            self.into[name] = round((now - self.last) * 1000, 2)
            self.last = now


def metro_metrics(db: sqlite_utils.Database, metro: str | dict, *, as_of=None, window: int = DEFAULT_WINDOW,
                  limit: int = DEFAULT_LIMIT, precomputed: bool = True) -> dict[str, Any]:
    """Canonical postings tagged with a city in the window, and the skills and roles they ask
    for: ``top_skills`` ``[{id, name, postings, share}]`` (share of the city's postings)."""
    _check_limit(limit)
    ref = metro if isinstance(metro, dict) else resolve_metro_ref(db, metro)
    win = make_window(db, as_of, window)
    page = _precomputed_page(db, "metro", ref["id"], win, limit) if precomputed else None
    if page is not None:
        return page
    return _entity_page(db, "metro", ref, win, limit, ("roles",))


def role_metrics(db: sqlite_utils.Database, role: str | dict, *, as_of=None, window: int = DEFAULT_WINDOW,
                 limit: int = DEFAULT_LIMIT, precomputed: bool = True) -> dict[str, Any]:
    """Canonical postings of a role family in the window and the skills they ask for
    (``top_skills``, share of the role's postings) and where (``top_metros``)."""
    _check_limit(limit)
    ref = role if isinstance(role, dict) else resolve_role_ref(db, role)
    win = make_window(db, as_of, window)
    page = _precomputed_page(db, "role", ref["id"], win, limit) if precomputed else None
    if page is not None:
        return page
    return _entity_page(db, "role", ref, win, limit, ("metros", "occupations"))


def occupation_metrics(db: sqlite_utils.Database, occupation: str | dict, *, as_of=None,
                       window: int = DEFAULT_WINDOW, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """Canonical postings of one SOC 2018 detailed occupation in the window (a code such as
    "15-1252" or its title): the skills they ask for (``top_skills``, share of the
    occupation's postings), where (``top_metros``) and the role families they fall in
    (``top_roles``), with the weekly series."""
    _check_limit(limit)
    ref = occupation if isinstance(occupation, dict) else resolve_occupation_ref(db, occupation)
    win = make_window(db, as_of, window)
    return _entity_page(db, "occupation", ref, win, limit, ("metros", "roles"))


def _entity_page(db, kind: str, ref: dict, win: Window, limit: int, lists: tuple[str, ...]) -> dict[str, Any]:
    """The figures of a metro, role or occupation page: counts, the figures beyond the seed,
    top skills (share of the entity's postings), then ``lists`` (metros, roles,
    occupations) and the weekly series."""
    out = _header(ref, win)
    postings = _entity_postings(db, kind, ref["id"], win)
    out.update(postings.counts)
    out["active_postings"] = postings.active
    out.update(_beyond(db, postings, win, limit))
    skills, _ = _ranked(db, postings.tally(_SKILLS), "skills", limit)
    out["top_skills"] = _with_share(skills, out["postings"])
    if "metros" in lists:
        metros, metro_tags = _ranked(db, postings.tally(_METROS), "metros", limit)
        out["top_metros"] = _with_share(_labelled_metros(db, metros), metro_tags)
        out["metro_tags"] = metro_tags
    if "roles" in lists:
        out["top_roles"], _ = _ranked(db, postings.tally(_ROLE), "roles", limit)
    if "occupations" in lists:
        soc = postings.tally(_SOC)
        out["top_occupations"] = _with_share(_top_occupations(db, soc, limit), out["postings"])
    out["weekly"] = _weekly(postings.rows, win)
    return out


def recent_postings(db: sqlite_utils.Database, kind: str, entity_id: str | None, *, as_of=None,
                    window: int = DEFAULT_WINDOW, limit: int = 20) -> list[dict]:
    """The latest canonical postings of an entity (``kind``: skill, metro, role,
    occupation; ``None`` for all) dated in the window: ``[{id, title, company, url, date,
    location}]``, latest first (a page's feed)."""
    _check_limit(limit)
    win = make_window(db, as_of, window)
    params = {"id": entity_id, "lo": win.before(win.days), "hi": win.as_of.isoformat(), "limit": limit}
    select = WINDOW_POSTINGS if kind is None else _ENTITY_POSTINGS[kind]
    rows = db.execute(
        f"""
        SELECT w.document_id, d.title, p.company, d.url, w.date_posted, p.location_raw, d.first_seen
        FROM ({select}) w
        CROSS JOIN documents d ON d.id = w.document_id CROSS JOIN postings p ON p.document_id = w.document_id
        ORDER BY w.date_posted DESC, d.first_seen DESC, w.document_id LIMIT :limit
        """, params).fetchall()
    return [{"id": r[0], "title": r[1], "company": r[2], "url": r[3], "date": r[4], "location": r[5],
             "first_seen": r[6]} for r in rows]


def recent_articles(db: sqlite_utils.Database, skill_id: str, *, as_of=None, window: int = DEFAULT_WINDOW,
                    limit: int = 20, kind: str = "article") -> list[dict]:
    """The latest canonical articles (``kind="paper"``: research papers) tagged with a
    skill, dated in the window: ``[{id, title, url, date}]``, latest first (a skill page's
    feed)."""
    _check_limit(limit)
    if kind not in _WRITTEN:
        raise ValueError(f"kind must be one of {', '.join(_WRITTEN)}, got {kind!r}")
    return _articles(db, skill_id, make_window(db, as_of, window), limit, kind=kind)


def occupations(db: sqlite_utils.Database, *, as_of=None, window: int = DEFAULT_WINDOW, limit: int = 25,
                major: str | None = None) -> dict[str, Any]:
    """Canonical postings in the window by SOC 2018 occupation: ``occupations`` ``[{code,
    title, major, major_title, family, postings, share}]`` (share of the window's postings,
    ``postings``; ``family``: the role family the occupation rolls up to, if one), ``majors``
    (the same counts by major group), and ``unclassified`` (postings with no occupation,
    ``[{reason, postings}]`` by the reason's kind). ``major`` ("15" or "15-0000") keeps
    one major group's occupations.
    """
    from skillenai.classify.occupations import family_of

    _check_limit(limit)
    prefix = None
    if major is not None:
        prefix = str(major).strip()[:2]
        if not (len(prefix) == 2 and prefix.isdigit()):
            raise MetricsError(f"major must be a SOC major group such as 15 or 15-0000, got {major!r}")
    win = make_window(db, as_of, window)
    params = {"lo": win.before(win.days), "hi": win.as_of.isoformat(), "limit": limit, "prefix": prefix}
    with _Postings(db, WINDOW_POSTINGS, params) as table:
        total = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        counts = db.execute(
            f"""
            SELECT t.soc_code, t.unclassified, COUNT(*) FROM {table} w
            CROSS JOIN document_occupations t ON t.document_id = w.document_id
            GROUP BY t.soc_code, CASE WHEN t.soc_code IS NULL THEN substr(t.unclassified, 1, 14) END
            """).fetchall()
    titles = dict(db.execute("SELECT code, title FROM occupations").fetchall())
    by_code: dict[str, int] = {}
    unclassified: dict[str, int] = {}
    for code, reason, n in counts:
        if code is None:
            key = (reason or "").split(":")[0]
            unclassified[key] = unclassified.get(key, 0) + n
        else:
            by_code[code] = by_code.get(code, 0) + n
    majors: dict[str, int] = {}
    for code, n in by_code.items():
        majors[f"{code[:2]}-0000"] = majors.get(f"{code[:2]}-0000", 0) + n
    ranked = sorted(((c, n) for c, n in by_code.items() if prefix is None or c.startswith(prefix)),
                    key=lambda x: (-x[1], x[0]))[:limit]
    items = [{"code": c, "title": titles.get(c, c), "major": f"{c[:2]}-0000",
              "major_title": titles.get(f"{c[:2]}-0000"), "family": family_of(c) if family_of(c) != "Other" else None,
              "postings": n} for c, n in ranked]
    major_items = [{"code": c, "title": titles.get(c, c), "postings": n}
                   for c, n in sorted(majors.items(), key=lambda x: (-x[1], x[0]))]
    return {"data_as_of": win.as_of.isoformat(), "window_days": win.days, "postings": total,
            "classified": sum(by_code.values()),
            "occupations": _with_share(items, total), "majors": _with_share(major_items, total),
            "unclassified": [{"reason": r, "postings": n} for r, n in sorted(unclassified.items(), key=lambda x: -x[1])]}


def top_skills(db: sqlite_utils.Database, *, as_of=None, window: int = DEFAULT_WINDOW,
               limit: int = 25, precomputed: bool = True) -> dict[str, Any]:
    """The skills most asked for by canonical postings in the window: ``skills`` ``[{id, name,
    postings, share}]`` (share of all canonical postings in the window, ``postings``).

    From :func:`refresh`'s per-day counts while they are valid (``precomputed``), else from
    the postings and their tags.
    """
    _check_limit(limit)
    win = make_window(db, as_of, window)
    params = {"lo": win.before(win.days), "hi": win.as_of.isoformat(), "limit": limit}
    with _day_counts(db, precomputed) as fresh:
        if fresh:
            total = db.execute("SELECT COALESCE(SUM(postings), 0) FROM posting_day_counts "
                               "WHERE day > :lo AND day <= :hi", params).fetchone()[0]
            rows = db.execute(
                """
                SELECT c.skill_id, COALESCE(s.name, c.skill_id), c.n FROM (
                    SELECT skill_id, SUM(postings) AS n FROM skill_day_counts INDEXED BY idx_skill_day_counts_day
                    WHERE day > :lo AND day <= :hi GROUP BY skill_id
                ) c LEFT JOIN skills s ON s.id = c.skill_id
                ORDER BY c.n DESC, COALESCE(s.name, c.skill_id), c.skill_id
                LIMIT :limit
                """, params).fetchall()
            skills = [{"id": r[0], "name": r[1], "postings": r[2]} for r in rows]
    if not fresh:
        with _Postings(db, WINDOW_POSTINGS, params) as table:
            total = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            rows = db.execute(f"SELECT f.document_id, f.document_id, f.skill_ids FROM {table} w "
                              f"CROSS JOIN posting_facts f ON f.document_id = w.document_id").fetchall()
            skills, _ = _ranked(db, _job_counts(rows, 2, True), "skills", limit)
    return {"data_as_of": win.as_of.isoformat(), "window_days": win.days, "postings": total,
            "skills": _with_share(skills, total)}


def trends(db: sqlite_utils.Database, *, as_of=None, min_postings: int = DEFAULT_MIN_POSTINGS,
           limit: int = DEFAULT_LIMIT, precomputed: bool = True) -> dict[str, Any]:
    """The fastest rising and falling skills: canonical postings in the last 28 days against
    the 28 before, among skills with at least ``min_postings`` postings over the two periods
    and at least one in the prior period. ``rising`` and ``falling``: ``[{id, name,
    postings, prior, change}]`` (change in percent), steepest first."""
    _check_limit(limit)
    if not isinstance(min_postings, int) or min_postings < 1:
        raise MetricsError(f"min_postings must be a positive integer, got {min_postings!r}")
    win = make_window(db, as_of, 2 * TREND_DAYS)
    params = {"lo": win.before(2 * TREND_DAYS), "hi": win.as_of.isoformat(), "cur": win.before(TREND_DAYS),
              "min": min_postings}
    with _day_counts(db, precomputed) as fresh:
        if fresh:
            totals = db.execute("SELECT COALESCE(SUM(CASE WHEN day > :cur THEN postings END), 0), "
                                "COALESCE(SUM(CASE WHEN day <= :cur THEN postings END), 0) FROM posting_day_counts "
                                "WHERE day > :lo AND day <= :hi", params).fetchone()
            rows = db.execute(
                """
                SELECT c.skill_id, COALESCE(s.name, c.skill_id), c.current, c.prior FROM (
                    SELECT skill_id, SUM(CASE WHEN day > :cur THEN postings ELSE 0 END) AS current,
                           SUM(CASE WHEN day <= :cur THEN postings ELSE 0 END) AS prior
                    FROM skill_day_counts INDEXED BY idx_skill_day_counts_day
                    WHERE day > :lo AND day <= :hi GROUP BY skill_id
                    HAVING prior > 0 AND current + prior >= :min
                ) c LEFT JOIN skills s ON s.id = c.skill_id
                """, params).fetchall()
    if not fresh:
        with _Postings(db, WINDOW_POSTINGS, params) as table:
            totals = db.execute(f"SELECT COALESCE(SUM(date_posted > :cur), 0), COALESCE(SUM(date_posted <= :cur), 0) "
                                f"FROM {table}", params).fetchone()
            rows = db.execute(
                f"""
                SELECT c.skill_id, COALESCE(s.name, c.skill_id), c.current, c.prior
                FROM (
                    SELECT t.skill_id, SUM(w.date_posted > :cur) AS current, SUM(w.date_posted <= :cur) AS prior
                    FROM {table} w CROSS JOIN document_skills t ON t.document_id = w.document_id
                    GROUP BY t.skill_id
                    HAVING prior > 0 AND current + prior >= :min
                ) c LEFT JOIN skills s ON s.id = c.skill_id
                """,
                params,
            ).fetchall()
    items = [{"id": r[0], "name": r[1], "postings": r[2], "prior": r[3], "change": percent_change(r[2], r[3])}
             for r in rows]
    rising = sorted((i for i in items if i["change"] > 0), key=lambda i: (-i["change"], -i["postings"], i["name"]))
    falling = sorted((i for i in items if i["change"] < 0), key=lambda i: (i["change"], -i["prior"], i["name"]))
    return {"data_as_of": win.as_of.isoformat(), "period_days": TREND_DAYS, "min_postings": min_postings,
            "postings": totals[0], "postings_prior": totals[1],
            "rising": rising[:limit], "falling": falling[:limit]}


# -- precomputed metrics -------------------------------------------------------------------
#
# A popular skill's page walks every one of its postings' other tags (Python's paired skills
# at 1M postings: seconds); top skills and trends walk every posting in the window. The
# daily job calls refresh(): per-day counts per skill, and the finished pages of the most
# asked-for skills, metros and roles at the default window. They answer only while nothing
# they were computed from has changed: triggers (skillenai/store/schema.py, m006_metrics_cache) mark
# them stale on the first such write, and every answer is then computed afresh.

# A page is stored for every entity with at least PAGE_MIN_POSTINGS canonical postings in
# the window (up to the caps): below that, computing it takes tens of milliseconds even at
# 1M postings (benchmarks/bench_metrics.py).
PAGE_MIN_POSTINGS = 1000
REFRESH_SKILLS = 2000
REFRESH_METROS = 200
REFRESH_ROLES = 100
PAGE_LIMIT = 25         # list lengths kept in a stored page; shorter requests take a prefix
# Bump when a page's fields change: stored pages of another format are not served.
PAGE_FORMAT = 6
PAGE_ARTICLES = 10


def _fresh_generation(db) -> int | None:
    """The generation of the stored metrics, or ``None`` when an input changed since (or a
    store without the tables, opened read-only before migration)."""
    try:
        row = db.execute("SELECT generation, clean FROM metrics_state WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row and row[1] else None


@contextlib.contextmanager
def _snapshot(db):
    """One read transaction around a validity check and the reads it vouches for."""
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        yield
    finally:
        if own and conn.in_transaction:
            conn.commit()


@contextlib.contextmanager
def _day_counts(db, wanted: bool):
    """Yields whether the per-day counts may answer (in one snapshot with the reads)."""
    if not wanted:
        yield False
        return
    with _snapshot(db):
        yield _fresh_generation(db) is not None


_LISTS = ("top_metros", "paired_skills", "top_roles", "top_skills")


def _precomputed_page(db, kind: str, entity_id: str, win: Window, limit: int,
                      articles: int = 0) -> dict | None:
    # One statement: the page and the validity check read the same snapshot.
    try:
        row = db.execute(
            """
            SELECT p.payload, p.list_limit, p.article_limit FROM metrics_pages p
            JOIN metrics_state s ON s.id = 1 AND s.clean = 1 AND s.generation = p.generation
            WHERE p.kind = ? AND p.entity_id = ? AND p.as_of = ? AND p.window_days = ? AND p.format = ?
            """, [kind, entity_id, win.as_of.isoformat(), win.days, PAGE_FORMAT]).fetchone()
    except sqlite3.OperationalError:
        return None
    if row is None or limit > row[1] or articles > row[2]:
        return None
    page = json.loads(row[0])
    for key in _LISTS:
        if key in page:
            page[key] = page[key][:limit]
    for key in ("articles", "papers"):
        if key in page:
            page[key] = page[key][:articles]
    if "employers" in page:
        page["employers"]["top"] = page["employers"]["top"][:limit]
    return page


def precomputed_state(db: sqlite_utils.Database) -> dict[str, Any]:
    """What :func:`refresh` last stored and whether it still answers."""
    row = db.execute("SELECT generation, clean, refreshed_at, as_of FROM metrics_state WHERE id = 1").fetchone()
    pages = dict(db.execute("SELECT kind, COUNT(*) FROM metrics_pages p JOIN metrics_state s "
                            "ON s.id = 1 AND p.generation = s.generation GROUP BY kind").fetchall())
    return {"generation": row[0], "valid": bool(row[1]), "refreshed_at": row[2], "as_of": row[3], "pages": pages}


def refresh(db: sqlite_utils.Database, *, as_of: dt.date | str | None = None, skills: int = REFRESH_SKILLS,
            metros: int = REFRESH_METROS, roles: int = REFRESH_ROLES, min_postings: int = PAGE_MIN_POSTINGS,
            force: bool = False, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Recompute the per-day skill counts and the pages of the skills, cities and role
    families with at least ``min_postings`` canonical postings in the default window ending
    at ``as_of`` (default: the data's latest posting date), the most asked-for first, at
    most ``skills``, ``metros`` and ``roles`` of each.

    Nothing is done when the stored metrics are still valid for that day (``force``
    recomputes). Writers are blocked only while the results are written: the figures are
    read from one snapshot, and a write that lands meanwhile leaves them marked stale.
    Returns what was stored and how long it took.
    """
    from skillenai.store.db import utc_now, write_transaction

    started = time.perf_counter()
    conn = db.conn
    win = make_window(db, as_of, DEFAULT_WINDOW)
    state = db.execute("SELECT generation, clean, as_of FROM metrics_state WHERE id = 1").fetchone()
    outdated = db.execute("SELECT COUNT(*) FROM metrics_pages WHERE format <> ?", [PAGE_FORMAT]).fetchone()[0]
    if state[1] and state[2] == win.as_of.isoformat() and not outdated and not force:
        return {"refreshed": False, "reason": "up to date", "generation": state[0], "as_of": state[2]}
    with write_transaction(db):
        conn.execute("UPDATE metrics_state SET generation = generation + 1, clean = 1 WHERE id = 1")
        generation = conn.execute("SELECT generation FROM metrics_state WHERE id = 1").fetchone()[0]
    pages: list[tuple] = []
    with _snapshot(db):
        day_counts = conn.execute(
            "SELECT skill_id, date_posted, COUNT(*) FROM skill_postings GROUP BY skill_id, date_posted").fetchall()
        posting_days = conn.execute(
            "SELECT COALESCE(p.date_posted, substr(d.first_seen, 1, 10)) AS day, COUNT(*) FROM postings p "
            "JOIN documents d ON d.id = p.document_id WHERE d.kind = 'posting' AND d.is_canonical = 1 "
            "GROUP BY day").fetchall()
        counted = time.perf_counter()
        lo, hi = win.before(win.days), win.as_of.isoformat()
        chosen = []
        for kind, view, column, n in (("skill", "skill_postings", "skill_id", skills),
                                      ("metro", "metro_postings", "metro_id", metros),
                                      ("role", "role_postings", "role_id", roles)):
            if n <= 0:
                continue
            if kind == "skill":  # from the counts just read, not another walk
                totals: dict[str, int] = {}
                for skill_id, day, count in day_counts:
                    if day is not None and lo < day <= hi:
                        totals[skill_id] = totals.get(skill_id, 0) + count
                top = sorted((k for k, v in totals.items() if v >= min_postings), key=lambda k: (-totals[k], k))[:n]
            else:
                top = [r[0] for r in conn.execute(
                    f"SELECT {column} FROM {view} WHERE date_posted > ? AND date_posted <= ? "
                    f"GROUP BY {column} HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, {column} LIMIT ?",
                    [lo, hi, min_postings, n])]
            chosen += [(kind, entity_id) for entity_id in top]
        for done, (kind, entity_id) in enumerate(chosen, 1):
            ref = _entity_ref(db, kind, entity_id)
            if kind == "skill":
                page = skill_metrics(db, ref, as_of=win.as_of, limit=PAGE_LIMIT, articles=PAGE_ARTICLES,
                                     precomputed=False)
            elif kind == "metro":
                page = metro_metrics(db, ref, as_of=win.as_of, limit=PAGE_LIMIT, precomputed=False)
            else:
                page = role_metrics(db, ref, as_of=win.as_of, limit=PAGE_LIMIT, precomputed=False)
            pages.append((kind, entity_id, win.as_of.isoformat(), win.days, PAGE_LIMIT,
                          PAGE_ARTICLES if kind == "skill" else 0, generation, PAGE_FORMAT,
                          json.dumps(page, ensure_ascii=False, separators=(",", ":"))))
            if progress:
                progress(done, len(chosen))
            interrupt.check()  # nothing written yet: the stored pages stay as they were
    computed = time.perf_counter()
    with write_transaction(db):
        conn.execute("DELETE FROM skill_day_counts")
        conn.executemany("INSERT INTO skill_day_counts (skill_id, day, postings) VALUES (?, ?, ?)",
                         [r for r in day_counts if r[1] is not None])
        conn.execute("DELETE FROM posting_day_counts")
        conn.executemany("INSERT INTO posting_day_counts (day, postings) VALUES (?, ?)",
                         [r for r in posting_days if r[0] is not None])
        conn.execute("DELETE FROM metrics_pages")
        conn.executemany("INSERT INTO metrics_pages (kind, entity_id, as_of, window_days, list_limit, "
                         "article_limit, generation, format, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", pages)
        conn.execute("UPDATE metrics_state SET refreshed_at = ?, as_of = ? WHERE id = 1",
                     [utc_now(), win.as_of.isoformat()])
        valid = conn.execute("SELECT generation = ? AND clean FROM metrics_state WHERE id = 1",
                             [generation]).fetchone()[0]
    done = time.perf_counter()
    by_kind: dict[str, int] = {}
    for kind, *_ in pages:
        by_kind[kind] = by_kind.get(kind, 0) + 1
    return {"refreshed": True, "generation": generation, "as_of": win.as_of.isoformat(),
            "valid": bool(valid), "skill_day_rows": len(day_counts), "pages": by_kind,
            "seconds": {"counts": round(counted - started, 2), "pages": round(computed - counted, 2),
                        "write": round(done - computed, 2), "total": round(done - started, 2)}}


def _entity_ref(db, kind: str, entity_id: str) -> dict:
    """The header fields of an entity by id, as the name resolvers give them."""
    if kind == "skill":
        row = db.execute("SELECT id, name, category FROM skills WHERE id = ?", [entity_id]).fetchone()
        return {"id": entity_id, "name": row[1] if row else entity_id, "category": row[2] if row else None}
    if kind == "metro":
        row = db.execute("SELECT name, admin1, country FROM metros WHERE id = ?", [entity_id]).fetchone()
        return _metro_ref(entity_id, *(row or (entity_id, None, None)))
    row = db.execute("SELECT name FROM roles WHERE id = ?", [entity_id]).fetchone()
    return {"id": entity_id, "name": row[0] if row else entity_id}
