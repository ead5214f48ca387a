"""The classify stage's side of the store: the entity tables (``skills``, ``roles``,
``metros``, ``occupations``), the documents it reads and the tags it writes (``document_skills``,
``document_metros``, ``document_roles``, ``document_occupations``, a posting's working arrangement, a document's
language and ``classified_at``, and its skill candidates).

Tags are replaced per document, in one transaction per batch: a re-run gives the same
rows and an interrupted run leaves whole batches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator

import sqlite_utils

from skillenai.store.candidates import write_candidates
from skillenai.store.db import write_transaction

# A metros row: (id, name, admin1, country, lat, lon, metro_area_id, metro_area, population,
# region, label).
MetroRow = tuple[str, str, str | None, str | None, float | None, float | None, str | None, str | None, int | None,
                 str | None, str | None]


@dataclass
class DocumentTags:
    """What the classify stage found in one document, as the store keeps it."""

    document_id: str
    # (skill_id, mentions, score, method, in_title): in_title 1 for a skill found only in the title.
    skills: list[tuple[str, int, float, str, int]] = field(default_factory=list)
    places: list[MetroRow] = field(default_factory=list)
    place_source: str | None = None  # "location" or "text"
    role: tuple[str, float | None] | None = None  # (role_id, score)
    # (soc_code, score, unclassified): a SOC code, or None and why (postings only)
    occupation: tuple[str | None, float, str | None] | None = None
    workplace: str | None = None  # onsite | hybrid | remote (postings only)
    remote_scope: str | None = None
    lang: str | None = None  # kept only where the document has none
    # (text, mentions, context) of each skill span that names no known skill
    candidates: list[tuple[str, int, str]] = field(default_factory=list)


# A skills row: (id, name, category, aliases, esco_uri, lightcast_id, source).
SkillRow = tuple[str, str, str | None, list[str], str | None, str | None, str]


def sync_entities(db: sqlite_utils.Database, skills: list[SkillRow], roles: list[tuple[str, str]],
                  occupations: list[tuple[str, str, str, str | None]] = ()) -> None:
    """Make the ``skills`` (:data:`SkillRow` each), ``roles`` ((id, name)) and, when given,
    ``occupations`` ((code, level, title, parent)) tables hold exactly these rows.

    Rows that did not change are left alone: every classify run calls this, and a rewrite
    would mark the precomputed metrics stale (skillenai/store/schema.py, m006) for nothing.
    """
    skill_rows = [(sid, name, category, json.dumps(list(aliases), ensure_ascii=False), esco_uri, lightcast_id, source)
                  for sid, name, category, aliases, esco_uri, lightcast_id, source in skills]
    with write_transaction(db):
        conn = db.conn
        conn.execute("DELETE FROM skills WHERE id NOT IN (SELECT value FROM json_each(?))",
                     [json.dumps([row[0] for row in skill_rows])])
        conn.executemany(
            "INSERT INTO skills (id, name, category, aliases, esco_uri, lightcast_id, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category, "
            "aliases = excluded.aliases, esco_uri = excluded.esco_uri, lightcast_id = excluded.lightcast_id, "
            "source = excluded.source "
            "WHERE (skills.name, skills.category, skills.aliases, skills.esco_uri, skills.lightcast_id, skills.source) "
            "IS NOT (excluded.name, excluded.category, excluded.aliases, excluded.esco_uri, excluded.lightcast_id, "
            "excluded.source)", skill_rows)
        conn.execute("DELETE FROM roles WHERE id NOT IN (SELECT value FROM json_each(?))",
                     [json.dumps([row[0] for row in roles])])
        conn.executemany("INSERT INTO roles (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET "
                         "name = excluded.name WHERE roles.name IS NOT excluded.name", roles)
        if occupations:
            conn.execute("DELETE FROM occupations WHERE code NOT IN (SELECT value FROM json_each(?))",
                         [json.dumps([row[0] for row in occupations])])
            conn.executemany(
                "INSERT INTO occupations (code, level, title, parent) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (code) DO UPDATE SET level = excluded.level, title = excluded.title, "
                "parent = excluded.parent WHERE (occupations.level, occupations.title, occupations.parent) "
                "IS NOT (excluded.level, excluded.title, excluded.parent)", occupations)


def _selection(all_documents: bool) -> tuple[str, str]:
    """``(index, condition)`` that pick the documents to tag: the partial index of the
    untagged ones (m023), so a day's backlog is found without reading every stored row."""
    if all_documents:
        return "", ""
    return "INDEXED BY idx_documents_unclassified", "d.classified_at IS NULL"


def count_documents_to_classify(db: sqlite_utils.Database, *, all_documents: bool = False) -> int:
    """How many documents need tagging (never tagged, or changed since); every one with ``all_documents``."""
    index, condition = _selection(all_documents)
    return db.execute(f"SELECT COUNT(*) FROM documents d {index} {'WHERE ' + condition if condition else ''}"
                      ).fetchone()[0]


def documents_to_classify(db: sqlite_utils.Database, *, all_documents: bool = False,
                          batch_size: int = 500) -> Iterator[list[dict[str, Any]]]:
    """The documents that need tagging (all with ``all_documents``), in batches in id order,
    each with its posting fields (``location_raw``, ``locations_json``, ``stated_workplace``,
    ``company``, ``department``; ``None`` for other kinds). Read a batch at a time, so writes in between
    are safe."""
    index, condition = _selection(all_documents)
    last_id = ""
    while True:
        rows = list(db.query(
            f"SELECT d.id, d.kind, d.title, d.text, d.url, d.source, d.spider, d.lang, "
            f"p.location_raw, p.locations_json, p.stated_workplace, p.company, p.department "
            f"FROM documents d {index} LEFT JOIN postings p ON p.document_id = d.id "
            f"WHERE {condition + ' AND' if condition else ''} d.id > ? ORDER BY d.id LIMIT ?",
            [last_id, batch_size],
        ))
        if not rows:
            return
        last_id = rows[-1]["id"]
        yield rows


def write_tags(db: sqlite_utils.Database, tags: list[DocumentTags], classified_at: str) -> None:
    """Replace the tags of these documents and mark them classified at ``classified_at``."""
    ids = [t.document_id for t in tags]
    marks = ",".join("?" * len(ids))
    skill_rows, place_rows, role_rows, flag_rows, lang_rows, occupation_rows = [], [], [], [], [], []
    metro_rows: dict[str, MetroRow] = {}
    for t in tags:
        skill_rows += [(t.document_id, *skill) for skill in t.skills]
        for place in t.places:
            place_rows.append((t.document_id, place[0], t.place_source))
            metro_rows[place[0]] = place
        if t.role is not None:
            role_rows.append((t.document_id, *t.role))
        if t.occupation is not None:
            occupation_rows.append((t.document_id, *t.occupation))
        flag_rows.append((t.workplace, t.remote_scope, t.document_id))
        if t.lang:
            lang_rows.append((t.lang, t.document_id))
    with write_transaction(db):
        conn = db.conn
        for table in ("document_skills", "document_metros", "document_roles", "document_occupations"):
            conn.execute(f"DELETE FROM {table} WHERE document_id IN ({marks})", ids)
        conn.executemany(
            "INSERT OR REPLACE INTO document_skills (document_id, skill_id, mentions, score, method, in_title) "
            "VALUES (?, ?, ?, ?, ?, ?)", skill_rows)
        conn.executemany(
            "INSERT OR REPLACE INTO metros (id, name, admin1, country, lat, lon, metro_area_id, metro_area, population, "
            "region, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(metro_rows.values()))
        conn.executemany(
            "INSERT OR REPLACE INTO document_metros (document_id, metro_id, source) VALUES (?, ?, ?)", place_rows)
        conn.executemany(
            "INSERT OR REPLACE INTO document_roles (document_id, role_id, score) VALUES (?, ?, ?)", role_rows)
        conn.executemany(
            "INSERT OR REPLACE INTO document_occupations (document_id, soc_code, score, unclassified) "
            "VALUES (?, ?, ?, ?)", occupation_rows)
        conn.executemany("UPDATE postings SET workplace = ?, remote_scope = ? WHERE document_id = ?", flag_rows)
        # Structured postings come without a language; the one their text was found in is kept.
        conn.executemany("UPDATE documents SET lang = ? WHERE id = ? AND lang IS NULL", lang_rows)
        write_candidates(conn, {t.document_id: t.candidates for t in tags}, classified_at)
        conn.execute(f"UPDATE documents SET classified_at = ? WHERE id IN ({marks})", [classified_at, *ids])
