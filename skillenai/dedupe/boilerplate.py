"""Each company's (or publication's) boilerplate, learned from the store.

A unit (line or sentence, see :mod:`skillenai.dedupe.text`) is boilerplate in a *scope* (a
company for postings, the source otherwise) when the scope's documents carrying it have
at least ``min_titles`` mutually unlike titles (seniority aside, word Jaccard below one
half): an "about us" paragraph or an equal-opportunity statement appears under every
kind of job the company posts, while the lines of one job's description recur only in
copies of that job, and a role's duty lines only under variants of that role's title.
Counting unlike titles rather than documents keeps a job cross-posted on three boards
from turning its own description into boilerplate, and keeps a company's three product
manager openings from losing their duties (leaving two of them alike in what is left).

Learned lines are kept in ``boilerplate_lines`` and never forgotten (a scope's
boilerplate only grows), so dedupe decisions stay stable from day to day. A unit that is
boilerplate in ``GLOBAL_MIN_SCOPES`` scopes becomes boilerplate everywhere (scope ``*``):
the standard equal-opportunity wording small employers copy.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import unicodedata
from collections import defaultdict
from typing import Iterable

import numpy as np

from skillenai.dedupe.text import SENIORITY, analyse_text

logger = logging.getLogger(__name__)

GLOBAL_SCOPE = "*"
GLOBAL_MIN_SCOPES = 3
# Documents of a scope read to learn its boilerplate: the most recent ones are enough.
RECENT_DOCUMENTS = 1000
LINES_DTYPE = np.dtype("<u8")
_WORDS = re.compile(r"[^\W_]+")


def _unlike(a: frozenset[str], b: frozenset[str]) -> bool:
    """Titles of different jobs, not variants of one ("Product Manager" and "Senior
    Technical Product Manager" are variants): word Jaccard below one half."""
    if not a and not b:
        return False
    return len(a & b) * 2 < len(a | b)


def scope_of(kind: str, company: str | None, source: str | None, spider: str | None) -> str:
    """The boilerplate scope of a document: ``company:<name>`` for postings that name
    their employer, else ``source:<source id>``."""
    if kind == "posting" and company:
        folded = unicodedata.normalize("NFKD", company).casefold()
        return "company:" + " ".join(_WORDS.findall(folded))
    return f"source:{source or spider or ''}"


def lines_to_bytes(hashes: Iterable[int]) -> bytes:
    return np.array(sorted(set(hashes)), dtype=LINES_DTYPE).tobytes()


def lines_from_bytes(blob: bytes | None) -> np.ndarray:
    return np.frombuffer(blob or b"", dtype=LINES_DTYPE)


def to_sql(h: int) -> int:
    """An unsigned 64-bit hash as SQLite's signed INTEGER."""
    return h - (1 << 64) if h >= 1 << 63 else h


def from_sql(v: int) -> int:
    return v + (1 << 64) if v < 0 else v


class Boilerplate:
    """The learned boilerplate of the scopes one run touches, read once per scope."""

    def __init__(self, conn: sqlite3.Connection, units_cache: dict | None = None):
        self.conn = conn
        # document id → (units, hashes) a run already has in memory
        self.units_cache = units_cache if units_cache is not None else {}
        self._sets: dict[str, frozenset[int]] = {}
        self._global: frozenset[int] | None = None

    def of(self, scope: str) -> frozenset[int]:
        """Unit hashes to leave out of documents of ``scope`` (its own and the global ones)."""
        found = self._sets.get(scope)
        if found is None:
            if self._global is None:
                self._global = self._read(GLOBAL_SCOPE)
            found = self._sets[scope] = self._read(scope) | self._global
        return found

    def _read(self, scope: str) -> frozenset[int]:
        return frozenset(from_sql(r[0]) for r in self.conn.execute(
            "SELECT line_hash FROM boilerplate_lines WHERE scope = ?", (scope,)))

    def learn(self, new_lines: dict[str, set[int] | None], *, min_titles: int, now: str) -> dict[str, set[int]]:
        """Learn boilerplate from the lines just indexed: ``new_lines`` maps a scope to
        the line hashes of its new and changed documents (only those can have become
        boilerplate since the last run), or to ``None`` to consider every line.

        Returns the newly learned line hashes per scope (``*`` for global ones).
        """
        learned: dict[str, set[int]] = {}
        for scope in sorted(new_lines):
            known = self._read(scope)
            rows = self.conn.execute(
                "SELECT document_id, title_key, lines FROM minhashes WHERE scope = ? ORDER BY id DESC LIMIT ?",
                (scope, RECENT_DOCUMENTS)).fetchall()
            # Which of the candidate lines each row carries, in one vectorised pass.
            arrays = [lines_from_bytes(blob) for _, _, blob in rows]
            if not arrays:
                continue
            flat = np.concatenate(arrays)
            fresh = new_lines[scope] if new_lines[scope] is not None else set(np.unique(flat).tolist())
            candidates = np.array(sorted(fresh - known), dtype=LINES_DTYPE)
            if not len(candidates):
                continue
            owner = np.repeat(np.arange(len(rows)), [len(a) for a in arrays])
            hit = np.isin(flat, candidates)
            titles: dict[int, list[frozenset[str]]] = defaultdict(list)
            carrier: dict[int, str] = {}
            words_of: dict[int, frozenset[str]] = {}
            for row, h in zip(owner[hit].tolist(), flat[hit].tolist()):
                words = words_of.get(row)
                if words is None:
                    words = words_of[row] = frozenset(rows[row][1].split()) - SENIORITY
                seen = titles[h]
                if len(seen) < min_titles and all(_unlike(words, other) for other in seen):
                    seen.append(words)
                    carrier.setdefault(h, rows[row][0])
            new = {h for h, seen in titles.items() if len(seen) >= min_titles}
            if new:
                self._store(scope, new, {h: len(titles[h]) for h in new}, carrier, now)
                learned[scope] = new
                self._sets.pop(scope, None)
        new_any = set().union(*learned.values()) if learned else set()
        if new_any:
            global_new = self._learn_global(new_any, now)
            if global_new:
                learned[GLOBAL_SCOPE] = global_new
                self._global = None
                self._sets.clear()
        return learned

    def _learn_global(self, candidates: set[int], now: str) -> set[int]:
        known = self._read(GLOBAL_SCOPE)
        found: dict[int, int] = {}
        values = [to_sql(h) for h in candidates if h not in known]
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            found.update((from_sql(h), n) for h, n in self.conn.execute(
                f"SELECT line_hash, COUNT(*) FROM boilerplate_lines WHERE scope <> ? "
                f"AND line_hash IN ({','.join('?' * len(chunk))}) GROUP BY line_hash HAVING COUNT(*) >= ?",
                [GLOBAL_SCOPE, *chunk, GLOBAL_MIN_SCOPES]))
        if found:
            samples = dict(self.conn.execute(
                f"SELECT line_hash, MIN(sample) FROM boilerplate_lines WHERE line_hash IN "
                f"({','.join('?' * len(found))}) GROUP BY line_hash", [to_sql(h) for h in found]).fetchall())
            self.conn.executemany(
                "INSERT OR IGNORE INTO boilerplate_lines (scope, line_hash, titles, sample, learned_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(GLOBAL_SCOPE, to_sql(h), n, samples.get(to_sql(h)), now) for h, n in found.items()])
        return set(found)

    def _store(self, scope: str, new: set[int], counts: dict[int, int], carrier: dict[int, str], now: str) -> None:
        samples: dict[int, str] = {}
        for document_id in sorted({carrier[h] for h in new}):
            cached = self.units_cache.get(document_id)
            if cached is None:
                row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
                cached = analyse_text(row[0]) if row else None
            if cached:
                units, hashes = cached
                for unit, h in zip(units, hashes):
                    if h in new and h not in samples:
                        samples[h] = unit[:200]
        self.conn.executemany(
            "INSERT OR IGNORE INTO boilerplate_lines (scope, line_hash, titles, sample, learned_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(scope, to_sql(h), counts[h], samples.get(h), now) for h in sorted(new)])
