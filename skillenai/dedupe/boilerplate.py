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

A scope's boilerplate is learned from its ``RECENT_DOCUMENTS`` most recent documents,
through ``scope_lines`` (:mod:`skillenai.store.scope_lines`): which documents carry each
line not yet learned, with their titles. A run reads the rows of its new documents'
lines only, so learning costs what the day's documents cost, however many documents
the scopes they belong to hold.

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
from typing import Iterable, Iterator, Mapping

import numpy as np

from skillenai.dedupe.text import SENIORITY, analyse_text
from skillenai.store import scope_lines

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


class DayLines(Mapping):
    """Scope → the line hashes of the documents a run analysed, read from their
    ``minhashes`` rows (``minhash_ids`` per scope) when asked for."""

    def __init__(self, conn: sqlite3.Connection, minhash_ids: dict[str, list[int]]):
        self.conn = conn
        self.minhash_ids = minhash_ids

    def __getitem__(self, scope: str) -> set[int]:
        ids = self.minhash_ids[scope]
        lines: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for (blob,) in self.conn.execute(
                    f"SELECT lines FROM minhashes WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                lines.update(lines_from_bytes(blob).tolist())
        return lines

    def __iter__(self) -> Iterator[str]:
        return iter(self.minhash_ids)

    def __len__(self) -> int:
        return len(self.minhash_ids)


class LineSet:
    """A scope's lines to leave out: its own and the global ones, the global set shared by
    every scope rather than copied into each (a day touching 5,000 companies held 5,000
    copies of it, and sent one with every document to the signing workers; pickled
    together, documents now share one copy)."""

    __slots__ = ("own", "common")

    def __init__(self, own: frozenset[int], common: frozenset[int]):
        self.own, self.common = own, common

    def __contains__(self, line: object) -> bool:
        return line in self.own or line in self.common

    def __bool__(self) -> bool:
        return bool(self.own) or bool(self.common)

    def __len__(self) -> int:
        return len(self.own) + sum(1 for line in self.common if line not in self.own)

    def __iter__(self) -> Iterator[int]:
        yield from self.own
        yield from (line for line in self.common if line not in self.own)


class Boilerplate:
    """The learned boilerplate of the scopes one run touches, read once per scope, and
    what it is learned from: ``scope_lines`` (:mod:`skillenai.store.scope_lines`), kept
    here as documents are analysed (:meth:`index`, :meth:`unindex`)."""

    def __init__(self, conn: sqlite3.Connection, units_cache: Mapping | None = None):
        self.conn = conn
        # document id → (units, hashes) a run already has in memory
        self.units_cache = units_cache if units_cache is not None else {}
        self._sets: dict[str, LineSet] = {}
        self._own: dict[str, frozenset[int]] = {}
        self._global: frozenset[int] | None = None
        self._ids: dict[str, dict[str, int]] = {"scope": {}, "title_key": {}}
        self._words: dict[int, frozenset[str]] = {}

    def of(self, scope: str) -> "LineSet":
        """Unit hashes to leave out of documents of ``scope`` (its own and the global ones)."""
        found = self._sets.get(scope)
        if found is None:
            if self._global is None:
                self._global = self._read(GLOBAL_SCOPE)
            found = self._sets[scope] = LineSet(self.own(scope), self._global)
        return found

    def own(self, scope: str) -> frozenset[int]:
        """The scope's own learned lines (not the global ones)."""
        found = self._own.get(scope)
        if found is None:
            found = self._own[scope] = self._read(scope)
        return found

    def _read(self, scope: str) -> frozenset[int]:
        return frozenset(from_sql(r[0]) for r in self.conn.execute(
            "SELECT line_hash FROM boilerplate_lines WHERE scope = ?", (scope,)))

    def _key_ids(self, column: str, values: Iterable[str]) -> dict[str, int]:
        cache = self._ids[column]
        missing = {v for v in values if v not in cache}
        if missing:
            cache.update(scope_lines.key_ids(self.conn, column, missing))
        return cache

    def _scope_id(self, scope: str) -> int | None:
        found = self._ids["scope"].get(scope)
        if found is None:
            row = self.conn.execute("SELECT id FROM boilerplate_scopes WHERE scope = ?", (scope,)).fetchone()
            if row is None:
                return None
            found = self._ids["scope"][scope] = row[0]
        return found

    def index(self, rows: list[tuple[int, str, str, list[int]]]) -> None:
        """Record the lines of analysed documents, ``(minhash_id, scope, title_key,
        line_hashes)``, their scope's learned lines left out (call in the transaction that
        writes their ``minhashes`` rows, after :meth:`unindex` of what they held before)."""
        scopes = self._key_ids("scope", {r[1] for r in rows})
        titles = self._key_ids("title_key", {r[2] for r in rows})
        out = []
        for minhash_id, scope, tkey, hashes in rows:
            unique = set(hashes)
            own = self.own(scope)
            sid, tid, count = scopes[scope], titles[tkey], len(unique)
            out.extend((sid, to_sql(h), minhash_id, tid, count) for h in unique if h not in own)
        out.sort()  # in the table's order: each of its pages is visited once
        scope_lines.add(self.conn, out)

    def unindex(self, document_ids: list[str]) -> None:
        """Forget the lines recorded for these documents' ``minhashes`` rows (before the
        rows change or go)."""
        keys = []
        for start in range(0, len(document_ids), 500):
            chunk = document_ids[start:start + 500]
            for minhash_id, scope, blob in self.conn.execute(
                    f"SELECT id, scope, lines FROM minhashes WHERE document_id IN ({','.join('?' * len(chunk))})",
                    chunk):
                sid = self._scope_id(scope)
                if sid is not None:
                    keys.extend((sid, h, minhash_id) for h in lines_from_bytes(blob).view("<i8").tolist())
        keys.sort()
        scope_lines.remove(self.conn, keys)

    def _cutoff(self, scope: str) -> int | None:
        """The smallest ``minhashes.id`` among the scope's ``RECENT_DOCUMENTS`` most recent
        rows (``None``: the scope has none)."""
        row = self.conn.execute(
            "SELECT id FROM minhashes INDEXED BY idx_minhashes_scope WHERE scope = ? ORDER BY id DESC "
            "LIMIT 1 OFFSET ?", (scope, RECENT_DOCUMENTS - 1)).fetchone()
        if row is not None:
            return row[0]
        row = self.conn.execute("SELECT MIN(id) FROM minhashes WHERE scope = ?", (scope,)).fetchone()
        return row[0]

    def _title_words(self, title_ids: set[int]) -> dict[int, frozenset[str]]:
        missing = sorted(title_ids - self._words.keys())
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            for tid, key in self.conn.execute(
                    f"SELECT id, title_key FROM title_keys WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                self._words[tid] = frozenset(key.split()) - SENIORITY
        return self._words

    def _carriers(self, scope_id: int, cutoff: int, candidates: list[int] | None) -> list[tuple[int, int, int]]:
        """``(line_hash, minhash_id, title_id)`` of the scope's recent documents carrying
        ``candidates`` (``None``: any line), by line and most recent first."""
        if candidates is None:
            rows = self.conn.execute(
                "SELECT line_hash, minhash_id, title_id FROM scope_lines WHERE scope_id = ? AND minhash_id >= ? "
                "ORDER BY line_hash, minhash_id DESC", (scope_id, cutoff)).fetchall()
        else:
            rows = []
            values = [to_sql(h) for h in candidates]
            for start in range(0, len(values), 500):
                chunk = values[start:start + 500]
                rows.extend(self.conn.execute(
                    f"SELECT line_hash, minhash_id, title_id FROM scope_lines WHERE scope_id = ? AND line_hash IN "
                    f"({','.join('?' * len(chunk))}) AND minhash_id >= ? ORDER BY line_hash, minhash_id DESC",
                    [scope_id, *chunk, cutoff]))
        return rows

    def learn(self, new_lines: Mapping[str, set[int] | None], *, min_titles: int, now: str) -> dict[str, set[int]]:
        """Learn boilerplate from the lines just indexed: ``new_lines`` maps a scope to
        the line hashes of its new and changed documents (only those can have become
        boilerplate since the last run), or to ``None`` to consider every line.

        A line is learned when, of the scope's ``RECENT_DOCUMENTS`` most recent documents,
        those carrying it have ``min_titles`` mutually unlike titles, counted greedily from
        the most recent one; only the ``scope_lines`` rows of the candidate lines are read.

        Returns the newly learned line hashes per scope (``*`` for global ones).
        """
        learned: dict[str, set[int]] = {}
        for scope in sorted(new_lines):
            scope_id = self._scope_id(scope)
            cutoff = self._cutoff(scope)
            if scope_id is None or cutoff is None:
                continue
            known = self.own(scope)
            fresh = new_lines[scope]
            candidates = None if fresh is None else sorted(fresh - known)
            if candidates == []:
                continue
            rows = self._carriers(scope_id, cutoff, candidates)
            words_of = self._title_words({r[2] for r in rows})
            titles: dict[int, list[frozenset[str]]] = defaultdict(list)
            carrier: dict[int, int] = {}
            for line, minhash_id, title_id in rows:
                h = from_sql(line)
                seen = titles[h]
                if h in known or len(seen) >= min_titles:
                    continue
                words = words_of[title_id]
                if all(_unlike(words, other) for other in seen):
                    seen.append(words)
                    carrier.setdefault(h, minhash_id)
            new = {h for h, seen in titles.items() if len(seen) >= min_titles}
            if new:
                self._store(scope, new, {h: len(titles[h]) for h in new}, self._documents(
                    {carrier[h] for h in new}), carrier, now)
                learned[scope] = new
                self._sets.pop(scope, None)
                self._own.pop(scope, None)
        new_any = set().union(*learned.values()) if learned else set()
        if new_any:
            global_new = self._learn_global(new_any, now)
            if global_new:
                learned[GLOBAL_SCOPE] = global_new
                self._global = None
                self._sets.clear()
        return learned

    def _documents(self, minhash_ids: set[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        ids = sorted(minhash_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            out.update(self.conn.execute(
                f"SELECT id, document_id FROM minhashes WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def stale(self, learned: dict[str, set[int]], share: float) -> list[str]:
        """Signed documents (``minhashes.signature`` set) of which at least ``share`` of
        the lines are among the lines just ``learned`` for their scope, from the
        ``scope_lines`` rows of those lines; the rows are then dropped (a learned line is
        never a candidate again)."""
        found: set[int] = set()
        for scope, lines in sorted(learned.items()):
            scope_id = self._scope_id(scope) if scope != GLOBAL_SCOPE else None
            if scope_id is None:
                continue
            values = sorted(to_sql(h) for h in lines)
            hits: dict[int, int] = defaultdict(int)
            sizes: dict[int, int] = {}
            for start in range(0, len(values), 500):
                chunk = values[start:start + 500]
                for minhash_id, count, n in self.conn.execute(
                        f"SELECT minhash_id, COUNT(*), MIN(line_count) FROM scope_lines WHERE scope_id = ? AND "
                        f"line_hash IN ({','.join('?' * len(chunk))}) GROUP BY minhash_id", [scope_id, *chunk]):
                    hits[minhash_id] += count
                    sizes[minhash_id] = n
            found.update(m for m, count in hits.items() if count / max(sizes[m], 1) >= share)
            scope_lines.remove_lines(self.conn, scope_id, values)
        stale = []
        ids = sorted(found)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            stale.extend(r[0] for r in self.conn.execute(
                f"SELECT document_id FROM minhashes WHERE id IN ({','.join('?' * len(chunk))}) "
                "AND signature IS NOT NULL ORDER BY id", chunk))
        return stale

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

    def _store(self, scope: str, new: set[int], counts: dict[int, int], documents: dict[int, str],
               carrier: dict[int, int], now: str) -> None:
        samples: dict[int, str] = {}
        for document_id in sorted({documents[carrier[h]] for h in new}):
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
