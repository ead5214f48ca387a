"""``skillenai serve``: Datasette on the store, read-only, described and with canned queries.

Datasette is an optional extra (``pip install -e '.[serve]'``). By default the store is
served live and read-only: Datasette opens it with ``mode=ro`` (never ``immutable``,
which assumes a file nothing changes and answers "database disk image is malformed"
while a crawl or a daily run writes it), every connection is ``query_only``, and answers
follow the writes as they commit. With ``snapshot=True`` a consistent copy taken at start
(SQLite's backup API) is served immutable instead, and later writes are not seen. Table
and column descriptions come from ``skillenai/store/schema.md`` (the page ``tests/test_docs.py``
keeps in step with the schema), so they are written once. Canned queries answer the skill
page's questions for any skill name, alias or id: its postings, top metros, paired
skills and weekly series. The same server answers the pages' JSON documents at
``/skills/{name}.json``, ``/metros/…``, ``/roles/…`` and ``/occupations/…``
(``skillenai/metrics/datasette_app.py``).

What one query may cost is bounded (:data:`LIMITS`; ``skillenai/metrics/datasette_app.py``):
the length of any value or row it builds, its time, the rows it returns, how many
arbitrary queries run at once, and the server's memory; ``allow_sql=False`` switches
arbitrary SQL off (canned queries and tables stay).
"""
from __future__ import annotations

import html
import importlib.util
import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from skillenai.store.db import read_only_uri
from skillenai.store.schema import SCHEMA_DOC

logger = logging.getLogger(__name__)

INSTALL_HINT = "pip install -e '.[serve]'"
SQL_TIME_LIMIT_MS = 5000
# What one query may build and return, and what the server may hold.
LIMITS = {
    "max_value_bytes": 32 * 1024 * 1024,  # SQLITE_LIMIT_LENGTH: above any stored page (DOWNLOAD_MAXSIZE 10 MiB)
    "max_returned_rows": 1000,
    "max_sql_queries": 2,                 # arbitrary queries at once, of Datasette's 3 SQL threads
    "max_memory_mb": 2048,                # the server process's address space
}

__all__ = ["ServeError", "datasette_installed", "schema_descriptions", "canned_queries", "build_metadata",
           "prepare_store", "datasette_command", "serve"]


class ServeError(Exception):
    """The store cannot be served; the message says why and what to do."""


def datasette_installed() -> bool:
    return importlib.util.find_spec("datasette") is not None


# -- descriptions from skillenai/store/schema.md ------------------------------------------------------

_CODE = re.compile(r"`([^`]+)`")


def _plain(text: str) -> str:
    return _CODE.sub(r"\1", text).strip()


def _html(text: str) -> str:
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text.strip(), quote=False))


def schema_descriptions(path: Path | str = SCHEMA_DOC) -> dict[str, dict]:
    """``{table or view: {"description": text, "description_html": html, "columns": {column:
    text}}}`` from the schema page: a ``### name`` heading, the paragraph under it, and its
    ``| column | type | meaning |`` table. An unreadable page gives ``{}`` (and a warning)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        logger.warning("no table descriptions: cannot read %s (%s)", path, exc.strerror or exc)
        return {}
    out: dict[str, dict] = {}
    current: dict | None = None
    paragraph: list[str] = []

    def describe() -> None:  # the paragraph under the heading, once it ends
        if current is not None and paragraph and "description" not in current:
            text = " ".join(paragraph)
            current["description"], current["description_html"] = _plain(text), _html(text)
        paragraph.clear()

    for line in lines:
        if line.startswith("#"):
            describe()
            heading = re.match(r"^### (\w+)\s*$", line)
            current = out.setdefault(heading.group(1), {"columns": {}}) if heading else None
            continue
        if current is None:
            continue
        if line.startswith("|"):
            describe()
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            if len(cells) >= 3 and re.fullmatch(r"\w+", cells[0]) and cells[0] != "column":
                current["columns"][cells[0]] = _plain(" | ".join(cells[2:]))
        elif line.strip():
            if "description" not in current:
                paragraph.append(line.strip())
        else:
            describe()
    describe()
    return out


# -- canned queries ------------------------------------------------------------------------

# :skill is a skill's name, one of its aliases or its entity id; :as_of a date (empty: the
# latest posting date in the store); :window days (empty: 90). Every query counts canonical
# postings (skill_postings) dated in (as_of - window, as_of].
_PARAMS = """
WITH params AS (
  SELECT COALESCE(NULLIF(:as_of, ''), (SELECT data_as_of FROM data_as_of)) AS as_of,
         CAST(COALESCE(NULLIF(:window, ''), '90') AS INTEGER) AS days
),
skill AS (
  SELECT id, name FROM skills
  WHERE id = :skill OR name = :skill COLLATE NOCASE
     OR EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(skills.aliases) THEN skills.aliases ELSE '[]' END)
                WHERE value = :skill COLLATE NOCASE)
  ORDER BY id = :skill DESC, name = :skill COLLATE NOCASE DESC
  LIMIT 1
),
win AS (
  SELECT as_of, days, date(as_of, '-' || days || ' days') AS after FROM params
),
hits AS (
  SELECT sp.document_id, sp.date_posted FROM skill, win
  CROSS JOIN skill_postings sp
  WHERE sp.skill_id = skill.id AND sp.date_posted > win.after AND sp.date_posted <= win.as_of
)
"""

_CANNED = {
    "skill_summary": (
        "A skill's postings",
        "Canonical postings asking for a skill in the window, the last 4 weeks against the 4 before.",
        """
SELECT skill.name AS skill, skill.id AS entity_id, win.as_of AS data_as_of, win.days AS window_days,
       (SELECT COUNT(*) FROM hits) AS postings,
       (SELECT COUNT(*) FROM hits WHERE date_posted > date(win.as_of, '-28 days')) AS last_4_weeks,
       (SELECT COUNT(*) FROM hits WHERE date_posted > date(win.as_of, '-56 days')
                                        AND date_posted <= date(win.as_of, '-28 days')) AS prior_4_weeks
FROM skill, win
""",
    ),
    "skill_posting_list": (
        "A skill's postings, one a row",
        "The canonical postings asking for a skill in the window, latest first.",
        """
SELECT up.date_posted, up.title, up.company, up.location_raw, up.url, up.id
FROM hits CROSS JOIN unique_postings up ON up.id = hits.document_id
ORDER BY up.date_posted DESC, up.id
""",
    ),
    "skill_top_metros": (
        "Top metros for a skill",
        "Cities of the canonical postings asking for a skill in the window; share of the sum of all metro counts.",
        """
SELECT m.name AS metro, m.admin1, m.country, c.postings,
       ROUND(100.0 * c.postings / SUM(c.postings) OVER (), 1) AS share_percent, c.metro_id
FROM (SELECT dm.metro_id, COUNT(*) AS postings
      FROM hits CROSS JOIN document_metros dm ON dm.document_id = hits.document_id
      GROUP BY dm.metro_id) c
LEFT JOIN metros m ON m.id = c.metro_id
ORDER BY c.postings DESC, m.name
""",
    ),
    "skill_paired_skills": (
        "Skills paired with a skill",
        "Skills tagged on the same canonical postings as the skill, in the window.",
        """
SELECT s.name AS skill, c.postings, c.skill_id
FROM (SELECT o.skill_id, COUNT(*) AS postings
      FROM hits CROSS JOIN document_skills o ON o.document_id = hits.document_id
      WHERE o.skill_id <> (SELECT id FROM skill)
      GROUP BY o.skill_id) c
LEFT JOIN skills s ON s.id = c.skill_id
ORDER BY c.postings DESC, s.name
LIMIT 50
""",
    ),
    "skill_weekly_series": (
        "A skill's weekly series",
        "Canonical postings asking for a skill per week (weeks start on Monday) in the window; "
        "weeks without postings are not listed.",
        """
SELECT date(date_posted, '-6 days', 'weekday 1') AS week_start, COUNT(*) AS postings
FROM hits
GROUP BY week_start
ORDER BY week_start
""",
    ),
}


# Why a canned query found nothing, in its first column (the others NULL): no skill given,
# a name that is no skill, a date that is not one, or no posting in the window.
_WHY_EMPTY = """
CASE WHEN TRIM(COALESCE(:skill, '')) = '' THEN 'Give a skill: its name, an alias or its id (Python, python3, k8s).'
     WHEN NOT EXISTS (SELECT 1 FROM skill) THEN 'No skill is named ' || quote(:skill)
          || ': give a name, an alias or an id, in any case (the skills table lists them).'
     WHEN TRIM(COALESCE(:as_of, '')) <> '' AND date(:as_of) IS NULL
          THEN 'as_of must be a date YYYY-MM-DD, got ' || quote(:as_of) || '.'
     WHEN (SELECT days FROM win) IS NULL OR (SELECT days FROM win) < 1
          THEN 'window must be a number of days, got ' || quote(:window) || '.'
     WHEN (SELECT as_of FROM win) IS NULL THEN 'No canonical posting is in the store yet.'
     ELSE 'No canonical posting asks for ' || (SELECT name FROM skill) || ' in the ' || (SELECT days FROM win)
          || ' days ending ' || (SELECT as_of FROM win) || '.'
END"""

# The columns each canned query returns (the row saying why it is empty fills as many).
_COLUMNS = {"skill_summary": 7, "skill_posting_list": 6, "skill_top_metros": 6, "skill_paired_skills": 3,
            "skill_weekly_series": 2}

_PAY_BY_OCCUPATION = """
WITH params AS (
  SELECT COALESCE(NULLIF(:as_of, ''), (SELECT data_as_of FROM data_as_of)) AS as_of,
         CAST(COALESCE(NULLIF(:window, ''), '90') AS INTEGER) AS days
),
postings AS (
  SELECT up.soc_code, up.occupation, up.salary_currency AS currency,
         CASE WHEN up.salary_annual_min > 0 AND up.salary_annual_max > 0
              THEN (up.salary_annual_min + up.salary_annual_max) / 2.0
              ELSE NULLIF(MAX(COALESCE(up.salary_annual_min, 0), COALESCE(up.salary_annual_max, 0)), 0) END AS annual
  FROM unique_postings up, params
  WHERE up.date_posted > date(params.as_of, '-' || params.days || ' days') AND up.date_posted <= params.as_of
    AND up.soc_code IS NOT NULL
    AND (TRIM(:occupation) = '' OR up.soc_code = TRIM(:occupation) OR up.occupation LIKE '%' || TRIM(:occupation) || '%')
),
totals AS (SELECT soc_code, COUNT(*) AS postings FROM postings GROUP BY soc_code),
ranked AS (
  SELECT soc_code, occupation, currency, annual,
         ROW_NUMBER() OVER (PARTITION BY soc_code, currency ORDER BY annual) - 1 AS i,
         COUNT(*) OVER (PARTITION BY soc_code, currency) AS n
  FROM postings WHERE annual IS NOT NULL AND currency IS NOT NULL
),
result AS (
  SELECT r.occupation, r.soc_code, r.currency, r.n AS postings_stating_pay, t.postings,
         ROUND(100.0 * r.n / t.postings, 1) AS percent_stating_pay,
         ROUND(AVG(CASE WHEN r.i IN ((r.n - 1) / 2, r.n / 2) THEN r.annual END)) AS median_annual_pay,
         ROUND(MIN(r.annual)) AS lowest_annual_pay, ROUND(MAX(r.annual)) AS highest_annual_pay
  FROM ranked r JOIN totals t ON t.soc_code = r.soc_code
  GROUP BY r.soc_code, r.currency
  ORDER BY r.n DESC, r.occupation, r.currency
)
SELECT * FROM result
UNION ALL
SELECT CASE WHEN TRIM(COALESCE(:as_of, '')) <> '' AND date(:as_of) IS NULL
            THEN 'as_of must be a date YYYY-MM-DD, got ' || quote(:as_of) || '.'
            WHEN (SELECT as_of FROM params) IS NULL THEN 'No canonical posting is in the store yet.'
            WHEN TRIM(:occupation) <> '' AND NOT EXISTS (SELECT 1 FROM occupations WHERE code = TRIM(:occupation)
                 OR title LIKE '%' || TRIM(:occupation) || '%')
            THEN 'No SOC 2018 occupation has the code or a title containing ' || quote(:occupation)
                 || ' (the occupations table lists them).'
            ELSE 'No canonical posting coded to ' || CASE WHEN TRIM(:occupation) = '' THEN 'an occupation'
                 ELSE quote(:occupation) END || ' states pay in the window.' END,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
WHERE NOT EXISTS (SELECT 1 FROM result)
"""


def canned_queries() -> dict[str, dict]:
    """Datasette canned queries (``{name: {title, description, sql, params}}``): the skill
    page's figures for a skill (the skill first among the parameters), and pay by
    occupation. A query that finds nothing answers one row saying why."""
    out = {}
    for name, (title, description, body) in _CANNED.items():
        nulls = ", NULL" * (_COLUMNS[name] - 1)
        sql = (f"{_PARAMS.rstrip()},\nresult AS ({body.strip()}\n)\nSELECT * FROM result\nUNION ALL\n"
               f"SELECT {_WHY_EMPTY.strip()}{nulls}\nWHERE NOT EXISTS (SELECT 1 FROM result)\n")
        out[name] = {"title": title, "params": ["skill", "as_of", "window"], "sql": sql,
                     "description": description + " Parameters: skill (a name, alias or id), as_of (YYYY-MM-DD; "
                                    "empty: the latest posting date in the store), window (days; empty: 90). "
                                    "When nothing is found, one row says why."}
    out["pay_by_occupation"] = {
        "title": "Pay by occupation",
        "params": ["occupation", "as_of", "window"],
        "sql": _PAY_BY_OCCUPATION.strip() + "\n",
        "description": "Yearly pay of the canonical postings of each SOC 2018 occupation in the window, per "
                       "currency (never converted): how many state pay, and the median, lowest and highest "
                       "(postings.salary_annual_min/max: hourly x 2,080, daily x 260, weekly x 52, monthly x 12; "
                       "a posting's pay is the middle of its range). Parameters: occupation (a SOC code or part "
                       "of a title; empty: all), as_of (YYYY-MM-DD; empty: the latest posting date), window "
                       "(days; empty: 90). When nothing is found, one row says why."}
    return out


# The store's machinery, hidden from Datasette's table lists (still queryable by name):
# migrations, signatures and LSH bands, boilerplate lines and what they are learned from,
# HTTP validators, metrics caches.
HIDDEN_TABLES = ("_sqlite_migrations", "minhashes", "lsh_bands", "boilerplate_lines", "scope_lines",
                 "boilerplate_scopes", "title_keys", "http_validators", "metrics_state", "metrics_pages",
                 "skill_day_counts", "posting_day_counts")
# Characters of a cell shown in a table view before it is cut (a posting's text or raw page
# made each documents row about 1,500 px tall).
TRUNCATE_CELLS = 300


def build_metadata(db_path: str | Path, schema_doc: Path | str = SCHEMA_DOC) -> dict:
    """Datasette metadata for the store at ``db_path``: title, descriptions, canned queries."""
    name = Path(db_path).stem
    tables = {}
    for table, info in schema_descriptions(schema_doc).items():
        entry = {k: v for k, v in info.items() if k in ("description", "description_html") and v}
        if info.get("columns"):
            entry["columns"] = info["columns"]
        tables[table] = entry
    for table in HIDDEN_TABLES:
        tables.setdefault(table, {})["hidden"] = True
    # The search box on unique_postings: documents_fts is keyed by the documents' rowid.
    tables.setdefault("unique_postings", {}).update(fts_table="documents_fts", fts_pk="document_rowid")
    return {
        "title": "Skillenai job-market store",
        "description_html": "Job postings and articles crawled by Skillenai, deduplicated and tagged with "
                            "skills, cities and roles. Every metric counts canonical postings "
                            "(<code>unique_postings</code>, searchable); start from the canned queries for a skill "
                            "page's figures and pay by occupation, or from the views <code>skill_postings</code>, <code>skill_weekly</code>, "
                            "<code>skill_pairs</code>, <code>metro_postings</code>.",
        "source": "Skillenai crawler",
        "databases": {name: {"tables": tables, "queries": canned_queries()}},
    }


# -- running it ----------------------------------------------------------------------------

def prepare_store(db_path: str | Path) -> None:
    """Bring the store to the latest schema (the views the queries use)."""
    from skillenai.store.db import StoreError, open_db

    path = Path(db_path)
    if not path.exists():
        raise ServeError(f"store {str(db_path)!r} does not exist")
    try:
        open_db(path, existing=True).close()
    except StoreError as exc:
        raise ServeError(str(exc)) from None


def snapshot_store(db_path: str | Path, target: Path) -> None:
    """A consistent copy of the store as of now, with what its write-ahead log holds, in
    ``target`` (SQLite's online backup: a writer may go on meanwhile)."""
    source = sqlite3.connect(read_only_uri(db_path), uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # one file, readable immutable
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"cannot take a snapshot of {db_path}: {exc}") from None
    finally:
        copy.close()
        source.close()


def datasette_command(db_path: str | Path, metadata_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001,
                      immutable: bool = False, allow_sql: bool = True, extra: list[str] | None = None) -> list[str]:
    """The ``datasette serve`` command line for the store (live and read-only, or immutable),
    with the limits of :data:`LIMITS` and the plugin that applies the rest."""
    store = ["--immutable", str(db_path)] if immutable else [str(db_path)]
    return [sys.executable, "-m", "skillenai.metrics.datasette_app", "serve", *store, "--metadata",
            str(metadata_path), "--host", host, "--port", str(port),
            "--setting", "sql_time_limit_ms", str(SQL_TIME_LIMIT_MS),
            "--setting", "max_returned_rows", str(LIMITS["max_returned_rows"]),
            "--setting", "default_allow_sql", "on" if allow_sql else "off",
            "--setting", "truncate_cells_html", str(TRUNCATE_CELLS), *(extra or [])]


def _limit_memory(megabytes: int):
    def limit() -> None:  # in the child, before Datasette starts
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (megabytes * 1024 * 1024, megabytes * 1024 * 1024))
    return limit


# What ends a path or starts an escape in an SQLite URI.
_URI_SPECIAL = re.compile(r"[#?%]")


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8001, metadata_out: str | None = None,
          datasette_args: list[str] | None = None, snapshot: bool = False, allow_sql: bool = True,
          max_memory_mb: int = LIMITS["max_memory_mb"]) -> int:
    """Serve the store until interrupted (or, with ``metadata_out``, only write the metadata).
    Returns Datasette's exit status, 0 when stopped by Ctrl-C or SIGTERM."""
    extra = list(datasette_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    metadata = build_metadata(db_path)
    metadata["plugins"] = {"skillenai-limits": {"max_value_bytes": LIMITS["max_value_bytes"],
                                                "max_sql_queries": LIMITS["max_sql_queries"]}}
    if metadata_out:
        Path(metadata_out).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {metadata_out}", file=sys.stderr)
        return 0
    if not datasette_installed():
        raise ServeError(f"Datasette is not installed; install the 'serve' extra: {INSTALL_HINT}")
    prepare_store(db_path)
    with tempfile.TemporaryDirectory(prefix="skillenai-serve-") as tmp:
        meta_path = Path(tmp) / "metadata.json"
        meta_path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        served = Path(db_path).resolve()
        if snapshot:
            # Named like the store: Datasette's database name (and every URL) is the file's stem.
            served = Path(tmp) / Path(db_path).name
            snapshot_store(db_path, served)
            how = (f"a snapshot of {db_path} taken at {time.strftime('%Y-%m-%d %H:%M:%S')} (immutable; "
                   "later writes to the store are not seen)")
        else:
            how = f"{db_path} live, read-only (not immutable: answers follow a crawl or daily run's writes as they commit)"
            if _URI_SPECIAL.search(str(served)):
                # Datasette pastes the path into its URI unescaped ('a#b.db' would open 'a'):
                # it is given a link with a plain name instead (SQLite follows it to the
                # store, and finds the store's write-ahead log beside it).
                link = Path(tmp) / _URI_SPECIAL.sub("_", served.name)
                link.symlink_to(served)
                served = link
                how += f", as {link.stem!r}"
        command = datasette_command(served, meta_path, host=host, port=port, immutable=snapshot,
                                    allow_sql=allow_sql, extra=extra)
        sql = "arbitrary SQL allowed" if allow_sql else "arbitrary SQL off (tables and canned queries only)"
        print(f"serving {how} on http://{host}:{port}/; {sql} (Ctrl-C to stop)", file=sys.stderr)
        # Many small heaps would spend the address space on reservations, not data.
        env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        child = subprocess.Popen(command, env=env, preexec_fn=_limit_memory(max_memory_mb) if max_memory_mb else None)
        stopped = []

        def stop(*_):  # a supervisor's SIGTERM stops the server too, rather than orphaning it
            stopped.append(True)
            child.terminate()

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            status = child.wait()
        except KeyboardInterrupt:  # the terminal sent SIGINT to the server as well
            status = child.wait()
            stopped.append(True)
        finally:
            signal.signal(signal.SIGTERM, previous)
            if child.poll() is None:
                child.terminate()
                child.wait()
        return 0 if stopped else status
