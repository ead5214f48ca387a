"""Duplicate clusters: connected components of ``duplicate_pairs``, each with a canonical.

A cluster is every document linked to another by a verified duplicate pair, directly or
through others, so a new document that matches two existing clusters merges them. Its
canonical document is the employer's own: a posting from a spider that reads one
employer's board or career site (:data:`EMPLOYER_SPIDERS`) wins over an aggregator's
copy; among those, the earliest seen: least ``first_seen``, then least ``published_at``
(documents without one last), then least id — a deterministic choice that does not
depend on the order documents were processed in.

Clusters are written to ``documents.cluster_id`` (the canonical's id, on every member
including the canonical; NULL for a document without duplicates) and
``documents.is_canonical`` (0 on the other members). Only rows whose values change are
written.

A *job group* is the same over duplicate pairs and ``job_group_pairs`` together (one job
offered in several places): ``documents.job_group`` holds the id of the group's first
document by the same order, on every member of a group of more than one cluster, NULL
otherwise.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from skillenai.dedupe.text import cities_in_one_country, locations_compatible

_CHUNK = 500
# Spiders that read one employer's own board or site: their copy of a job is canonical.
EMPLOYER_SPIDERS = frozenset({"greenhouse", "lever", "ashby", "jobpostings", "workday", "smartrecruiters", "workable",
                              "recruitee", "personio", "bamboohr", "teamtailor", "pinpoint", "rippling", "breezy"})


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
        marks = ",".join("?" * len(chunk))
        for cluster, group in conn.execute(
                f"SELECT cluster_id, job_group FROM documents WHERE id IN ({marks}) "
                "AND (cluster_id IS NOT NULL OR job_group IS NOT NULL)", chunk):
            old.update(x for x in (cluster, group) if x)
    for chunk in _chunks(sorted(old)):
        marks = ",".join("?" * len(chunk))
        members.update(r[0] for r in conn.execute(
            f"SELECT id FROM documents WHERE cluster_id IN ({marks}) UNION "
            f"SELECT id FROM documents WHERE job_group IN ({marks})", chunk + chunk))
    # Everything linked to them, transitively, by either kind of pair.
    edges: dict[str, set[tuple]] = {"duplicate_pairs": set(), "job_group_pairs": set()}
    frontier = set(members)
    while frontier:
        found: set[str] = set()
        for chunk in _chunks(sorted(frontier)):
            marks = ",".join("?" * len(chunk))
            for table, a, b, similarity, method in conn.execute(
                f"SELECT 'duplicate_pairs', document_id, other_id, similarity, method FROM duplicate_pairs "
                f"WHERE document_id IN ({marks}) UNION SELECT 'duplicate_pairs', document_id, other_id, similarity, "
                f"method FROM duplicate_pairs WHERE other_id IN ({marks}) UNION "
                f"SELECT 'job_group_pairs', document_id, other_id, similarity, method FROM job_group_pairs "
                f"WHERE document_id IN ({marks}) UNION SELECT 'job_group_pairs', document_id, other_id, similarity, "
                f"method FROM job_group_pairs WHERE other_id IN ({marks})",
                chunk * 4,
            ):
                edges[table].add((a, b, similarity, method))
                found.update((a, b))
        frontier = found - members
        members |= found

    places: dict[str, str] = {}
    linked = {x for a, b, _, _ in edges["duplicate_pairs"] for x in (a, b)}
    for chunk in _chunks(sorted(linked)):
        places.update(conn.execute(
            f"SELECT document_id, location_key FROM minhashes WHERE document_id IN ({','.join('?' * len(chunk))}) "
            "AND location_key <> ''", chunk).fetchall())
    clusters = _components(members, edges["duplicate_pairs"], places)
    groups = _components(members, edges["duplicate_pairs"] | edges["job_group_pairs"], {})
    current: dict[str, tuple] = {}
    for chunk in _chunks(sorted(members)):
        for row in conn.execute(
            f"SELECT id, first_seen, published_at, spider, cluster_id, is_canonical, job_group FROM documents "
            f"WHERE id IN ({','.join('?' * len(chunk))})", chunk,
        ):
            current[row[0]] = row[1:]

    def order(d: str) -> tuple:
        first_seen, published, spider = current[d][:3]
        return spider not in EMPLOYER_SPIDERS, first_seen, published is None, published or "", d

    want: dict[str, list] = {}
    for component in clusters:
        present = [m for m in component if m in current]
        if present:
            canonical = min(present, key=order)
            for doc in present:
                want[doc] = [canonical if len(present) > 1 else None, 1 if doc == canonical else 0, None]
    for component in groups:
        present = [m for m in component if m in current]
        if present and len({want[d][0] or d for d in present}) > 1:
            first = min(present, key=order)
            for doc in present:
                want[doc][2] = first
    updates = [(*w, doc) for doc, w in want.items() if tuple(current[doc][3:]) != tuple(w)]
    conn.executemany("UPDATE documents SET cluster_id = ?, is_canonical = ?, job_group = ? WHERE id = ?", updates)
    return len(updates), len(clusters)


def _components(members: set[str], edges: set[tuple], places: dict[str, str]) -> list[list[str]]:
    """Connected components, strongest pairs first; with ``places`` (document → location
    key), a pair that would put two postings in incompatible places in one component is
    left out: a copy that gives no place is a duplicate of the Berlin posting or of the
    Madrid one, not the link that makes them one. A pair of one job id (method ``id``)
    may join cities of one country (a board restated the place)."""
    parent: dict[str, str] = {}
    keys: dict[str, set[str]] = {}
    for a, b, _, method in sorted(edges, key=lambda e: (-(e[2] or 0.0), e[0], e[1])):
        for x in (a, b):
            if x not in parent:
                parent[x] = x
                keys[x] = {places[x]} if x in places else set()
        ra, rb = _find(parent, a), _find(parent, b)
        if ra == rb:
            continue
        if keys[ra] and keys[rb] and not all(locations_compatible(x, y) or (
                method == "id" and cities_in_one_country(x, y)) for x in keys[ra] for y in keys[rb]):
            continue
        root, other = min(ra, rb), max(ra, rb)
        parent[other] = root
        keys[root] |= keys.pop(other)
    components: dict[str, list[str]] = {}
    for m in parent:
        components.setdefault(_find(parent, m), []).append(m)
    return list(components.values()) + [[m] for m in members if m not in parent]
