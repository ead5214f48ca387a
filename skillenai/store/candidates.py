"""Skill candidates: skill spans that link to no skill the taxonomy knows.

The classify stage records, per document, the candidate texts it found (re-tagging a
document replaces them); ``skill_candidates`` keeps each text's first and last sighting
and a few examples with their context. :func:`candidate_rows` lists them by how many
canonical documents name them, for ``skillenai metrics candidates``: the taxonomy's
to-do list, drawn from what the web says.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

import sqlite_utils

from skillenai.store.db import write_transaction

MAX_EXAMPLES = 3


def candidate_key(text: str) -> str:
    """The folded form candidates are counted by: lower case, single spaces.

    >>> candidate_key("  Tencent   Cloud ")
    'tencent cloud'
    """
    return " ".join(text.split()).lower()


def replace_document_candidates(db: sqlite_utils.Database, found: Mapping[str, Sequence[tuple[str, int, str]]],
                                now: str) -> int:
    """Store each document's candidates, ``(text, mentions, context)``, in place of those it
    had; a document mapped to no candidates loses its rows. Returns the rows written."""
    if not found:
        return 0
    with write_transaction(db):
        return write_candidates(db.conn, found, now)


def write_candidates(conn, found: Mapping[str, Sequence[tuple[str, int, str]]], now: str) -> int:
    """:func:`replace_document_candidates` inside a transaction the caller holds (the
    classify stage writes a batch's tags and candidates in one)."""
    written = 0
    ids = list(found)
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        conn.execute(f"DELETE FROM document_skill_candidates WHERE document_id IN ({','.join('?' * len(part))})",
                     part)
    for doc_id, candidates in found.items():
        per_key: dict[str, tuple[str, int, str]] = {}
        for text, mentions, context in candidates:
            key = candidate_key(text)
            if not key:
                continue
            if key in per_key:
                t, m, c = per_key[key]
                per_key[key] = (t, m + mentions, c)
            else:
                per_key[key] = (text, mentions, context)
        for key, (text, mentions, context) in per_key.items():
            conn.execute("INSERT INTO document_skill_candidates (document_id, key, mentions) VALUES (?, ?, ?)",
                         (doc_id, key, mentions))
            example = json.dumps([{"document_id": doc_id, "context": context}], ensure_ascii=False)
            conn.execute(
                "INSERT INTO skill_candidates (key, text, first_seen, last_seen, examples) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET last_seen = excluded.last_seen, examples = CASE "
                "WHEN json_array_length(skill_candidates.examples) >= ? OR EXISTS (SELECT 1 FROM "
                "json_each(skill_candidates.examples) e WHERE json_extract(e.value, '$.document_id') = ?) "
                "THEN skill_candidates.examples "
                "ELSE json_insert(skill_candidates.examples, '$[#]', json(json_extract(excluded.examples, '$[0]'))) "
                "END",
                (key, text, now, now, example, MAX_EXAMPLES, doc_id))
            written += 1
    return written


def candidate_rows(db: sqlite_utils.Database, *, limit: int = 50, min_documents: int = 1,
                   search: str | None = None) -> list[dict[str, Any]]:
    """Candidates named by at least ``min_documents`` canonical documents, the most named
    first: text, documents, mentions, first and last seen, examples."""
    where, params = "", []
    if search:
        where = "WHERE c.key LIKE ?"
        params.append(f"%{candidate_key(search)}%")
    rows = db.execute(
        "SELECT c.text, COUNT(*) AS documents, SUM(dc.mentions) AS mentions, c.first_seen, c.last_seen, c.examples "
        "FROM skill_candidates c JOIN document_skill_candidates dc ON dc.key = c.key "
        f"JOIN documents d ON d.id = dc.document_id AND d.is_canonical = 1 {where} "
        "GROUP BY c.key HAVING COUNT(*) >= ? ORDER BY documents DESC, mentions DESC, c.key LIMIT ?",
        [*params, min_documents, limit]).fetchall()
    return [{"text": text, "documents": documents, "mentions": mentions, "first_seen": first, "last_seen": last,
             "examples": json.loads(examples)} for text, documents, mentions, first, last, examples in rows]

