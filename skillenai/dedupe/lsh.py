"""MinHash LSH with its hash tables in SQLite: the ``lsh_bands`` table.

A signature of ``bands × rows`` values is cut into ``bands`` slices; each slice is hashed
to a 32-bit bucket. Two documents become candidates when they share a bucket in any band,
which happens with probability ``1 - (1 - J^rows)^bands`` for Jaccard similarity ``J``.
Candidates are verified afterwards (:mod:`skillenai.dedupe.verify`), so the layout is chosen
for recall: the fewest, longest bands that still make a pair *at* the threshold a
candidate with probability ``min_recall``.

The table is ``(band, bucket, minhash_id)``, a ``WITHOUT ROWID`` B-tree keyed by all three:
a query is one index seek per band, and the index lives on disk, so memory does not grow
with the corpus (datasketch's in-memory ``MinHashLSH`` holds ~3.5 KB per document).
Buckets are namespaced by document kind, so postings and articles never meet.
"""

from __future__ import annotations

import sqlite3
from typing import Sequence

import numpy as np

KIND_CODES = {"posting": 1, "article": 2}
_MIX = np.uint64(0x9E3779B97F4A7C15)
_BAND_SALT = np.uint64(0xD6E8FEB86659FD93)


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Chance that two documents of Jaccard ``similarity`` share at least one bucket."""
    return 1.0 - (1.0 - similarity ** rows) ** bands


def band_layout(threshold: float, num_perm: int, min_recall: float = 0.995) -> tuple[int, int]:
    """``(bands, rows)`` for a threshold: the longest bands that keep recall at the threshold.

    >>> band_layout(0.5, 128)
    (42, 3)
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if not 0.5 <= min_recall < 1.0:
        raise ValueError(f"min_recall must be in [0.5, 1), got {min_recall}")
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if bands < 1:
            break
        if candidate_probability(threshold, bands, rows) >= min_recall:
            best = (bands, rows)
    return best


def band_keys(signatures: np.ndarray, kinds: Sequence[str], bands: int, rows: int) -> np.ndarray:
    """Bucket of every band of every signature: ``int64[len(signatures), bands]``.

    Buckets are signed 32-bit values (SQLite stores them in 4 bytes); the kind and the
    band number are mixed in, so equal slices of a posting and an article differ.
    """
    sigs = np.asarray(signatures, dtype=np.uint32)
    if sigs.ndim != 2 or sigs.shape[1] < bands * rows:
        raise ValueError(f"signatures of {bands * rows} values needed, got shape {sigs.shape}")
    n = len(sigs)
    codes = np.array([KIND_CODES[k] for k in kinds], dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = np.empty((n, bands), dtype=np.uint64)
        h[:] = (codes[:, None] * _BAND_SALT) ^ (np.arange(bands, dtype=np.uint64)[None, :] * _MIX)
        sliced = sigs[:, :bands * rows].reshape(n, bands, rows).astype(np.uint64)
        for j in range(rows):
            h = (h ^ sliced[:, :, j]) * _MIX
            h ^= h >> np.uint64(29)
        h ^= h >> np.uint64(32)
        h *= np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
    return (h >> np.uint64(32)).astype(np.uint32).view(np.int32).astype(np.int64)


def _rows(ids: Sequence[int], keys: np.ndarray, *, ordered: bool = False) -> list[list[int]]:
    """``[band, bucket, minhash_id]`` for every band of every document (in key order when
    ``ordered``), built in numpy: a day's batch has tens of thousands."""
    n, bands = keys.shape
    table = np.empty((n, bands, 3), dtype=np.int64)
    table[:, :, 0] = np.arange(bands, dtype=np.int64)
    table[:, :, 1] = keys
    table[:, :, 2] = np.asarray(ids, dtype=np.int64).reshape(n, 1)
    table = table.reshape(n * bands, 3)
    if ordered:
        table = table[np.lexsort((table[:, 2], table[:, 1], table[:, 0]))]
    return table.tolist()


def insert(conn: sqlite3.Connection, ids: Sequence[int], keys: np.ndarray) -> int:
    """Index the documents ``ids`` (``minhashes.id``) under their band keys.

    Rows go in in key order, so consecutive inserts land on the same B-tree pages.
    """
    cursor = conn.executemany(
        "INSERT OR IGNORE INTO lsh_bands (band, bucket, minhash_id) VALUES (?, ?, ?)", _rows(ids, keys, ordered=True))
    return cursor.rowcount


def delete(conn: sqlite3.Connection, ids: Sequence[int], keys: np.ndarray) -> int:
    """Take documents out of the index (their keys are recomputed from the stored signature)."""
    cursor = conn.executemany(
        "DELETE FROM lsh_bands WHERE band = ? AND bucket = ? AND minhash_id = ?", _rows(ids, keys))
    return cursor.rowcount


def query(conn: sqlite3.Connection, keys: Sequence[int]) -> set[int]:
    """``minhashes.id`` of every indexed document sharing a bucket with one signature's keys."""
    found: set[int] = set()
    for band, bucket in enumerate(keys):
        found.update(r[0] for r in conn.execute(
            "SELECT minhash_id FROM lsh_bands WHERE band = ? AND bucket = ?", (band, int(bucket))))
    return found


def query_many(conn: sqlite3.Connection, ids: Sequence[int], keys: np.ndarray,
               max_per_document: int | None = None) -> list[tuple[int, int]]:
    """Candidate pairs ``(id, other)`` for many documents at once, through one join.

    ``other`` is any indexed document (these ones included) sharing a bucket with ``id``.
    ``max_per_document`` caps the candidates of one document, keeping those that share
    the most bands (a bucket shared by thousands of identical template postings would
    otherwise make the batch quadratic).
    """
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS dedupe_probe (band INTEGER, bucket INTEGER, minhash_id INTEGER)")
    conn.execute("DELETE FROM temp.dedupe_probe")
    conn.executemany("INSERT INTO temp.dedupe_probe VALUES (?, ?, ?)", _rows(ids, keys))
    rows = conn.execute(
        "SELECT p.minhash_id, l.minhash_id, COUNT(*) FROM temp.dedupe_probe p "
        "JOIN lsh_bands l ON l.band = p.band AND l.bucket = p.bucket "
        "WHERE l.minhash_id <> p.minhash_id GROUP BY p.minhash_id, l.minhash_id"
    ).fetchall()
    conn.execute("DELETE FROM temp.dedupe_probe")
    if max_per_document:
        # Over the cap, keep the candidates sharing the most bands (the most similar).
        by_probe: dict[int, list[tuple[int, int]]] = {}
        for a, b, shared in rows:
            by_probe.setdefault(a, []).append((-shared, b))
        kept: list[tuple[int, int]] = []
        for a, found in by_probe.items():
            if len(found) > max_per_document:
                found = sorted(found)[:max_per_document]
            kept.extend((a, b) for _, b in found)
        return kept
    return [(a, b) for a, b, _ in rows]
