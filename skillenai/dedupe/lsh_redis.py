"""The LSH index in Redis, through datasketch's ``MinHashLSH`` with Redis storage.

An alternative to the ``lsh_bands`` table (:mod:`skillenai.dedupe.lsh`) for candidate lookup,
for deployments where several machines share one index: the same band layout
(``params=(bands, rows)``), one index per document kind, keys are ``minhashes.id``.
Two documents are candidates when a band of their signatures is equal, exactly as with
the table, so the verified pairs and the clusters are the same. Needs the ``redis`` package.
"""

from __future__ import annotations

import pickle
from typing import Sequence
from urllib.parse import unquote, urlsplit

import numpy as np

from skillenai.dedupe.minhash import DEFAULT_SEED, to_lean_minhash


def redis_params(url: str) -> dict:
    """``redis://[:password@]host[:port][/db]`` as keyword arguments of ``redis.Redis``."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"expected a redis://host:port/db URL, got {url!r}")
    params = {"host": parts.hostname, "port": parts.port or 6379}
    db = parts.path.strip("/")
    if db:
        if not db.isdigit():
            raise ValueError(f"the Redis database in {url!r} must be a number, got {db!r}")
        params["db"] = int(db)
    if parts.password:
        params["password"] = unquote(parts.password)
    if parts.username:
        params["username"] = unquote(parts.username)
    if parts.scheme == "rediss":
        params["ssl"] = True
    return params


class RedisLSH:
    """Candidate lookup for dedupe in Redis (datasketch ``MinHashLSH``, Redis storage).

    Args:
        url: the Redis server (``redis://host:6379/0``).
        bands, rows: the band layout (:func:`skillenai.dedupe.lsh.band_layout`).
        num_perm: signature length.
        prefix: key prefix; one store's index must not share it with another store's.

    Example:
        >>> index = RedisLSH("redis://127.0.0.1:6379/0", 9, 13, 128, prefix="demo")  # doctest: +SKIP
    """

    def __init__(self, url: str, bands: int, rows: int, num_perm: int, *, prefix: str = "skillenai:lsh",
                 seed: int = DEFAULT_SEED):
        import redis
        from datasketch import MinHashLSH

        self.params = redis_params(url)
        self.client = redis.Redis(**self.params)
        self.seed = seed
        self.base = f"{prefix}:{bands}x{rows}".encode()
        self.indexes = {
            kind: MinHashLSH(num_perm=num_perm, params=(bands, rows), storage_config={
                "type": "redis", "basename": self.base + b":" + kind.encode() + b":", "redis": self.params})
            for kind in ("posting", "article")
        }

    def insert(self, ids: Sequence[int], signatures: Sequence[np.ndarray], kinds: Sequence[str]) -> None:
        by_kind: dict[str, list[tuple[int, np.ndarray]]] = {}
        for i, sig, kind in zip(ids, signatures, kinds):
            by_kind.setdefault(kind, []).append((int(i), sig))
        for kind, items in by_kind.items():
            index = self.indexes[kind]
            with index.insertion_session() as session:
                for i, sig in items:
                    if i not in index:
                        session.insert(i, to_lean_minhash(sig, self.seed), check_duplication=False)

    def query_many(self, ids: Sequence[int], signatures: Sequence[np.ndarray], kinds: Sequence[str],
                   max_per_document: int | None = None) -> list[tuple[int, int]]:
        """Pairs ``(id, other)``: ``other`` shares a band with ``id`` (see :func:`skillenai.dedupe.lsh.query_many`).

        Over ``max_per_document``, the candidates sharing the most bands are kept.
        """
        pairs = []
        for i, sig, kind in zip(ids, signatures, kinds):
            found = [int(k) for k in self.indexes[kind].query(to_lean_minhash(sig, self.seed)) if int(k) != int(i)]
            if max_per_document and len(found) > max_per_document:
                found = self._closest(sig, kind, found, max_per_document)
            pairs.extend((int(i), other) for other in found)
        return pairs

    def _closest(self, sig: np.ndarray, kind: str, found: list[int], limit: int) -> list[int]:
        index = self.indexes[kind]
        keys = [index._H(np.asarray(sig, dtype=np.uint64)[start:end]) for start, end in index.hashranges]
        shared = dict.fromkeys(found, 0)
        # Keys are pickled in Redis (datasketch's prepickle); only keys this index wrote are read.
        for table, key in zip(index.hashtables, keys):
            for other in table.get(key):
                other = int(pickle.loads(other))
                if other in shared:
                    shared[other] += 1
        return [k for _, k in sorted((-n, k) for k, n in shared.items())[:limit]]

    def remove(self, ids: Sequence[int], kinds: Sequence[str]) -> None:
        for i, kind in zip(ids, kinds):
            index = self.indexes.get(kind)
            if index is not None and int(i) in index:
                index.remove(int(i))

    def count(self) -> int:
        """Documents indexed (all kinds)."""
        return sum(len(index.keys) for index in self.indexes.values())

    def clear(self) -> None:
        """Forget every indexed document of this layout."""
        keys = list(self.client.scan_iter(match=self.base + b":*", count=1000))
        for start in range(0, len(keys), 1000):
            self.client.delete(*keys[start:start + 1000])
