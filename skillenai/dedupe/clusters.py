"""Duplicate clusters: connected components of ``duplicate_pairs``, each with a canonical.

A cluster is every document linked to another by a verified duplicate pair, directly or
through others, so a new document that matches two existing clusters merges them. Its
canonical document is the earliest seen: least ``first_seen``, then least
``published_at`` (documents without one last), then least id — a deterministic choice
that does not depend on the order documents were processed in.

Clusters are written to ``documents.cluster_id`` (the canonical's id, on every member
including the canonical; NULL for a document without duplicates) and
``documents.is_canonical`` (0 on the other members). Only rows whose values change are
written.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

_CHUNK = 500


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _find(parent: dict[str, str], x: str) -> str:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


def recluster(conn: sqlite3.Connection, seeds: Iterable[str]) -> tuple[int, int]:
    """Recompute the clusters containing ``seeds`` (and the clusters they used to be in).

    Returns ``(documents_updated, clusters_touched)``.
    """
    members = set(seeds)
    if not members:
        return 0, 0
    # The clusters the seeds were in: a seed that lost its links may have split one.
    old = set()
    for chunk in _chunks(sorted(members)):
        old.update(r[0] for r in conn.execute(
            f"SELECT cluster_id FROM documents WHERE id IN ({','.join('?' * len(chunk))}) "
            "AND cluster_id IS NOT NULL", chunk))
    for chunk in _chunks(sorted(old)):
        members.update(r[0] for r in conn.execute(
            f"SELECT id FROM documents WHERE cluster_id IN ({','.join('?' * len(chunk))})", chunk))
    # Everything linked to them, transitively.
    edges: set[tuple[str, str]] = set()
    frontier = set(members)
    while frontier:
        found: set[str] = set()
        for chunk in _chunks(sorted(frontier)):
            marks = ",".join("?" * len(chunk))
            for a, b in conn.execute(
                f"SELECT document_id, other_id FROM duplicate_pairs WHERE document_id IN ({marks}) "
                f"UNION SELECT document_id, other_id FROM duplicate_pairs WHERE other_id IN ({marks})",
                chunk + chunk,
            ):
                edges.add((a, b))
                found.update((a, b))
        frontier = found - members
        members |= found

    parent = {m: m for m in members}
    for a, b in edges:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    components: dict[str, list[str]] = {}
    for m in members:
        components.setdefault(_find(parent, m), []).append(m)

    current: dict[str, tuple] = {}
    for chunk in _chunks(sorted(members)):
        for row in conn.execute(
            f"SELECT id, first_seen, published_at, cluster_id, is_canonical FROM documents "
            f"WHERE id IN ({','.join('?' * len(chunk))})", chunk,
        ):
            current[row[0]] = row[1:]
    updates = []
    for component in components.values():
        present = [m for m in component if m in current]
        if not present:
            continue
        canonical = min(present, key=lambda d: (current[d][0], current[d][1] is None, current[d][1] or "", d))
        cluster_id = canonical if len(present) > 1 else None
        for doc in present:
            want = (cluster_id, 1 if doc == canonical else 0)
            if (current[doc][2], current[doc][3]) != want:
                updates.append((*want, doc))
    conn.executemany("UPDATE documents SET cluster_id = ?, is_canonical = ? WHERE id = ?", updates)
    return len(updates), len(components)
