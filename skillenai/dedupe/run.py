"""The daily dedupe run: index what is new, link duplicates, keep clusters current.

:func:`run_dedupe` works incrementally against what earlier runs left in the store:

1. **Analyse** documents that are new or changed since the last run (``documents.seq``
   past the last run's mark, and differing from ``minhashes.seq``): their units' hashes,
   title key, location key and boilerplate scope go to ``minhashes``, and their lines not
   yet learned as boilerplate to ``scope_lines``; a changed document's old bands, pairs
   and lines are taken out first.
2. **Learn boilerplate** for the scopes (companies, sources) those documents belong to
   (:mod:`skillenai.dedupe.boilerplate`), from the ``scope_lines`` rows of their lines;
   an already-signed document a quarter of whose lines were just learned to be
   boilerplate is signed again.
3. **Index and link**, in batches of ``batch_size`` with one transaction each:
   signatures for documents without one (numpy, both cores for a large backlog), their
   bands into ``lsh_bands``, candidates from the bands and from equal ``content_hash``,
   verification (:mod:`skillenai.dedupe.verify`), new ``duplicate_pairs`` and
   ``job_group_pairs``, the clusters and job groups they touch
   (:mod:`skillenai.dedupe.clusters`), and ``template_pairs``: candidates of one employer
   whose signatures say their job-specific texts are near identical, whatever the
   verification decided.

Old documents' signatures are never recomputed unless their text changed or much of it
turned out to be boilerplate, so a day's run costs what the day's new documents cost,
plus one index seek per band per document and the verification of its candidates.
Memory holds one batch, never the index. Re-running changes nothing. Changing a
threshold re-links every document from the stored signatures; changing the shingle
size, number of permutations, seed or ``boilerplate_titles`` rebuilds the index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np
import sqlite_utils

from skillenai.core import interrupt
from skillenai.core.gcpause import gc_paused
from skillenai.core.workers import start_method
from skillenai.dedupe import boilerplate as bp
from skillenai.dedupe import lsh
from skillenai.dedupe.clusters import recluster
from skillenai.dedupe.minhash import (
    DEFAULT_NUM_PERM,
    DEFAULT_SEED,
    default_workers,
    estimates,
    from_bytes,
    shingle_set,
    shingle_sets,
    signatures,
    to_bytes,
)
from skillenai.dedupe.text import (
    NORMALISER_VERSION,
    analyse_many,
    analyse_text,
    kept_units_many,
    posting_location_key,
    text_script,
    title_key,
)
from skillenai.dedupe.verify import Candidate, Thresholds, decide, gate, needs_texts, prejudge
from skillenai.store.db import utc_now, write_transaction

logger = logging.getLogger(__name__)

# Measured on planted duplicates and hard negatives (benchmarks/bench_dedupe.py): see
# skillenai/store/schema.md and the benchmark's output for the figures behind them.
DEFAULT_THRESHOLD = 0.5
DEFAULT_PAGE_THRESHOLD = 0.8
DEFAULT_ARTICLE_THRESHOLD = 0.6
DEFAULT_SHINGLE_SIZE = 3
DEFAULT_TITLE_THRESHOLD = 0.7
DEFAULT_BOILERPLATE_TITLES = 3
DEFAULT_MIN_RECALL = 0.99
DEFAULT_LSH_THRESHOLD = 0.75
DEFAULT_BATCH_SIZE = 2000
DEFAULT_MAX_CANDIDATES = 2000
DEFAULT_TEMPLATE_THRESHOLD = 0.8
KINDS = tuple(lsh.KIND_CODES)
_CHUNK = 500
# A run keeps the normalised units of up to this many documents in memory between its
# stages, instead of normalising them again (about 3.4 KB each, see _UnitsCache).
CACHE_DOCUMENTS = 50_000
# SQLite page cache while a run lasts, in KiB (the connection's own is restored after).
PAGE_CACHE_KIB = 131_072
# A signed document is signed again when this share of its lines turned out to be its
# company's boilerplate after it was signed.
RESIGN_SHARE = 0.25


@dataclass(frozen=True)
class DedupeSettings:
    """How dedupe decides; every field has a measured default.

    Args:
        threshold: for postings, the exact Jaccard similarity of the shingle sets with
            boilerplate left out from which two can be duplicates, in (0, 1].
        page_threshold: for postings, the similarity of the whole pages a pair needs as
            well (:func:`skillenai.dedupe.verify.page_similarity`), in [0, 1].
        article_threshold: for articles, the Jaccard similarity with boilerplate left
            out, in (0, 1].
        shingle_size: words per shingle, 1–10.
        num_perm: MinHash permutations, 16–1024.
        seed: seed of the permutations (datasketch's).
        title_threshold: word Jaccard two postings' titles need, in [0, 1].
        boilerplate_titles: a line is boilerplate for a company once it appears under
            this many different titles, at least 2.
        min_recall: chance that LSH proposes a pair exactly at ``lsh_threshold``, which
            fixes the band layout, in [0.5, 1).
        lsh_threshold: the similarity LSH is tuned for (``None``: the lower of
            ``threshold`` and ``article_threshold``). Higher means fewer candidates per
            document in a large index, at some recall for pairs just above
            ``threshold``.
        batch_size: documents per transaction, at least 1.
        max_candidates: candidates checked per document per batch, at least 1.
        lsh_redis: keep the LSH index in Redis at this URL (datasketch ``MinHashLSH``
            with Redis storage, :mod:`skillenai.dedupe.lsh_redis`) instead of the
            ``lsh_bands`` table; the clusters are the same.
        template_threshold: two postings of one employer whose signatures estimate their
            similarity (boilerplate left out) at least this high are near identical,
            whatever their titles and places (``template_pairs``: what an employer-flood
            cap counts by), in (0, 1].
    """

    threshold: float = DEFAULT_THRESHOLD
    page_threshold: float = DEFAULT_PAGE_THRESHOLD
    article_threshold: float = DEFAULT_ARTICLE_THRESHOLD
    shingle_size: int = DEFAULT_SHINGLE_SIZE
    num_perm: int = DEFAULT_NUM_PERM
    seed: int = DEFAULT_SEED
    title_threshold: float = DEFAULT_TITLE_THRESHOLD
    boilerplate_titles: int = DEFAULT_BOILERPLATE_TITLES
    min_recall: float = DEFAULT_MIN_RECALL
    lsh_threshold: float | None = DEFAULT_LSH_THRESHOLD
    batch_size: int = DEFAULT_BATCH_SIZE
    max_candidates: int = DEFAULT_MAX_CANDIDATES
    lsh_redis: str | None = None
    template_threshold: float = DEFAULT_TEMPLATE_THRESHOLD

    def __post_init__(self) -> None:
        checks = [
            ("threshold", 0.0 < self.threshold <= 1.0, "in (0, 1]"),
            ("page_threshold", 0.0 <= self.page_threshold <= 1.0, "in [0, 1]"),
            ("article_threshold", 0.0 < self.article_threshold <= 1.0, "in (0, 1]"),
            ("shingle_size", 1 <= self.shingle_size <= 10, "between 1 and 10"),
            ("num_perm", 16 <= self.num_perm <= 1024, "between 16 and 1024"),
            ("title_threshold", 0.0 <= self.title_threshold <= 1.0, "in [0, 1]"),
            ("boilerplate_titles", self.boilerplate_titles >= 2, "at least 2"),
            ("min_recall", 0.5 <= self.min_recall < 1.0, "in [0.5, 1)"),
            ("lsh_threshold", self.lsh_threshold is None or 0.0 < self.lsh_threshold <= 1.0, "in (0, 1] or None"),
            ("batch_size", self.batch_size >= 1, "at least 1"),
            ("max_candidates", self.max_candidates >= 1, "at least 1"),
            ("template_threshold", 0.0 < self.template_threshold <= 1.0, "in (0, 1]"),
        ]
        for name, ok, allowed in checks:
            if not ok:
                raise ValueError(f"{name} must be {allowed}, got {getattr(self, name)!r}")

    @property
    def layout(self) -> tuple[int, int]:
        """``(bands, rows)`` of the LSH index: ``min_recall`` at ``lsh_threshold``."""
        target = self.lsh_threshold or min(self.threshold, self.article_threshold)
        return lsh.band_layout(target, self.num_perm, self.min_recall)

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(self.threshold, self.page_threshold, self.article_threshold, self.title_threshold)

    def signing(self) -> dict[str, Any]:
        """What a signature depends on: a change rebuilds the index."""
        return {"num_perm": self.num_perm, "seed": self.seed, "shingle_size": self.shingle_size,
                "normaliser": NORMALISER_VERSION, "boilerplate_titles": self.boilerplate_titles}

    def linking(self) -> dict[str, Any]:
        """What a pair decision depends on: a change re-links from stored signatures."""
        bands, rows = self.layout
        return {"threshold": self.threshold, "page_threshold": self.page_threshold,
                "article_threshold": self.article_threshold,
                "title_threshold": self.title_threshold,
                "bands": bands, "rows": rows, "max_candidates": self.max_candidates,
                "template_threshold": self.template_threshold,
                # Switching index store re-links everything into the new one.
                **({"lsh_store": "redis"} if self.lsh_redis else {})}

    def as_dict(self) -> dict[str, Any]:
        # The Redis URL may carry a password: the report records only that Redis was used.
        return {**dataclasses.asdict(self), "lsh_redis": bool(self.lsh_redis),
                "bands": self.layout[0], "rows": self.layout[1]}


@dataclass
class DedupeReport:
    """What one run did, and how long each stage took (``seconds``; ``cpu_seconds``: this
    process's CPU time, worker processes not counted)."""

    date: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    indexed_before: int = 0
    analysed: int = 0
    dropped: int = 0
    boilerplate_learned: int = 0
    resigned: int = 0
    relinked: int = 0
    signatures_computed: int = 0
    lsh_candidates: int = 0
    hash_candidates: int = 0
    pairs_checked: int = 0
    rejected_kind: int = 0
    rejected_title: int = 0
    rejected_location: int = 0
    rejected_similarity: int = 0
    id_candidates: int = 0
    title_candidates: int = 0
    pairs_added: int = 0
    group_pairs_added: int = 0
    template_pairs_added: int = 0
    pairs_removed: int = 0
    documents_updated: int = 0
    indexed: int = 0
    clusters: int = 0
    duplicates: int = 0
    workers: int = 1
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # this process's CPU time (workers' not counted)

    @property
    def changed(self) -> bool:
        return bool(self.analysed or self.dropped or self.resigned or self.relinked or self.pairs_added
                    or self.pairs_removed or self.documents_updated or self.boilerplate_learned)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def summary(self) -> str:
        """A few lines for the operator."""
        t = self.seconds
        return "\n".join([
            f"dedupe{' ' + self.date if self.date else ''}: {self.analysed} new or changed documents "
            f"({self.signatures_computed} signatures, {self.resigned} re-signed, {self.dropped} dropped), "
            f"{self.indexed} indexed",
            f"  candidates: {self.lsh_candidates} from LSH, {self.hash_candidates} by content hash, "
            f"{self.id_candidates} by job id, {self.title_candidates} by title; "
            f"{self.pairs_checked} checked, rejected {self.rejected_title} by title, "
            f"{self.rejected_location} by location, {self.rejected_similarity} by similarity",
            f"  pairs: +{self.pairs_added} -{self.pairs_removed}; one job in other places: "
            f"+{self.group_pairs_added}; near-identical postings of one employer: +{self.template_pairs_added}; "
            f"{self.documents_updated} documents updated; "
            f"{self.clusters} clusters hold {self.duplicates} duplicates",
            f"  boilerplate lines learned: {self.boilerplate_learned}; workers: {self.workers}; "
            f"seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in t.items()),
            "  CPU seconds (this process): " + ", ".join(f"{k} {v:.2f}" for k, v in self.cpu_seconds.items()),
        ])


class _UnitsCache:
    """Document id → ``(units, hashes)`` as :func:`analyse_many` gives them, held as one
    string of the units and one ``uint64`` array of the hashes: a 3 KB posting's ~40 unit
    strings and ~40 int objects are 8.1 KB of objects (9.7 KB of RSS a document measured at
    50,000 documents, 0.5 GB), these 3.4 KB.
    Units never hold a newline (:func:`~skillenai.dedupe.text.split_units`)."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, np.ndarray]] = {}

    def update(self, items) -> None:
        for doc_id, (units, hashes) in items:
            self._held[doc_id] = ("\n".join(units), np.array(hashes, dtype=np.uint64))

    def get(self, doc_id: str) -> tuple[list[str], list[int]] | None:
        found = self._held.get(doc_id)
        if found is None:
            return None
        text, hashes = found
        return (text.split("\n") if len(hashes) else []), hashes.tolist()

    def __getitem__(self, doc_id: str) -> tuple[list[str], list[int]]:
        found = self.get(doc_id)
        if found is None:
            raise KeyError(doc_id)
        return found

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._held

    def __len__(self) -> int:
        return len(self._held)


class _Pool:
    """Worker processes for a large backlog, started once per run and only if needed."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable, chunks: Sequence) -> list:
        if self.workers <= 1 or len(chunks) <= 1:
            return [fn(c) for c in chunks]
        if self._pool is None:
            import multiprocessing

            context = multiprocessing.get_context(start_method())
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return list(self._pool.map(fn, chunks))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _sign_chunk(args: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Signatures of documents given as kept units, or as ``(text, boilerplate)``."""
    work, shingle_size, num_perm, seed = args
    raw = [i for i, w in enumerate(work) if isinstance(w, tuple)]
    docs = list(work)
    if raw:
        for i, units in zip(raw, kept_units_many([work[i][0] for i in raw], [work[i][1] for i in raw])):
            docs[i] = units
    return signatures(docs, shingle_size=shingle_size, num_perm=num_perm, seed=seed)


def _one_employer(a: Candidate, b: Candidate) -> bool:
    """Two postings of one named employer (boilerplate scope ``company:``)?"""
    return a.kind == b.kind == "posting" and a.scope == b.scope and a.scope.startswith("company:")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _split(items: Sequence, parts: int) -> list:
    size = max(1, -(-len(items) // parts))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _check_date(date: str | dt.date | None) -> str | None:
    if date is None:
        return None
    text = date.isoformat() if isinstance(date, dt.date) else str(date)
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"date must be YYYY-MM-DD, got {date!r}") from None


def run_dedupe(
    db: sqlite_utils.Database,
    *,
    date: str | dt.date | None = None,
    threshold: float | None = None,
    shingle_size: int | None = None,
    workers: int | None = None,
    settings: DedupeSettings | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DedupeReport:
    """Find and record duplicates among the store's postings and articles.

    Args:
        db: the store (:func:`skillenai.store.db.open_db`).
        date: the day being processed (``YYYY-MM-DD``): documents first seen after it are
            left for a later run. ``None``: everything stored.
        threshold, shingle_size: override those fields of ``settings``.
        workers: processes for signatures; ``None`` uses both cores for a backlog of
            more than a few thousand documents and one otherwise.
        settings: :class:`DedupeSettings` (defaults when ``None``).
        rebuild: forget every signature, pair and learned boilerplate line first.
        progress: called as ``progress(done, total)`` while new and changed documents are
            read, then again (from 0) while they are signed, indexed and linked.

    Returns:
        A :class:`DedupeReport`.

    Example:
        >>> from skillenai.store.db import open_db
        >>> run_dedupe(open_db(":memory:")).analysed
        0
    """
    settings = settings or DedupeSettings()
    overrides = {k: v for k, v in (("threshold", threshold), ("shingle_size", shingle_size)) if v is not None}
    if overrides:
        settings = dataclasses.replace(settings, **overrides)
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    run = _Run(db, settings, _check_date(date), workers, rebuild)
    run.progress = progress
    # A larger page cache for the run: inserting bands touches pages all over the index.
    cache_size = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute(f"PRAGMA cache_size = {-PAGE_CACHE_KIB}")
    try:
        return run.execute()
    finally:
        run.pool.close()
        db.conn.execute(f"PRAGMA cache_size = {cache_size}")


class _Run:
    def __init__(self, db: sqlite_utils.Database, settings: DedupeSettings, date: str | None,
                 workers: int | None, rebuild: bool):
        self.db = db
        self.conn = db.conn
        self.s = settings
        self.date = date
        self.requested_workers = workers
        self.rebuild = rebuild
        self.bands, self.rows = settings.layout
        self.redis_lsh = None
        self.progress: Callable[[int, int], None] | None = None
        if settings.lsh_redis:
            from skillenai.dedupe.lsh_redis import RedisLSH

            self.redis_lsh = RedisLSH(settings.lsh_redis, self.bands, self.rows, settings.num_perm,
                                      seed=settings.seed)
        self.report = DedupeReport(date=date, settings=settings.as_dict())
        self.pool = _Pool(1)
        self.units = _UnitsCache()
        self.cache_units = False
        self.boilerplate = bp.Boilerplate(self.conn, self.units)
        self.now = utc_now()

    # -- the run --------------------------------------------------------------------------
    def execute(self) -> DedupeReport:
        started, started_cpu = time.perf_counter(), time.process_time()
        r = self.report
        last = self.conn.execute(
            "SELECT next_seq, settings FROM dedupe_runs ORDER BY id DESC LIMIT 1").fetchone()
        last_settings = json.loads(last[1]) if last else None
        next_seq = last[0] if last else 0
        r.indexed_before = self.conn.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0]
        settings_changed = last_settings is not None and (
            last_settings.get("signing") != self.s.signing() or last_settings.get("linking") != self.s.linking())
        if self.rebuild or (last_settings and last_settings.get("signing") != self.s.signing()):
            self._forget_all()
            next_seq = 0
        elif last_settings and last_settings.get("linking") != self.s.linking():
            self._unlink_all()
        elif self.redis_lsh is not None and self.redis_lsh.count() != self.conn.execute(
                "SELECT COUNT(*) FROM minhashes WHERE bands IS NOT NULL AND shingles > 0").fetchone()[0]:
            self._unlink_all()  # the Redis index was lost or belongs to another store: rebuild it

        timer, timer_cpu = time.perf_counter(), time.process_time()
        # The collector paused while a stage or batch runs: its objects form no reference
        # cycles, and every full collection would walk the whole process (its imports, the
        # gazetteer, the batch): an eighth of a run's time.
        with gc_paused():
            _, next_seq, new_lines = self._analyse(next_seq)
        r.seconds["analyse"] = time.perf_counter() - timer
        r.cpu_seconds["analyse"] = time.process_time() - timer_cpu

        timer, timer_cpu = time.perf_counter(), time.process_time()
        with gc_paused():
            self._learn_boilerplate(new_lines)
        r.seconds["boilerplate"] = time.perf_counter() - timer
        r.cpu_seconds["boilerplate"] = time.process_time() - timer_cpu
        # Stopped while analysing: what was analysed is kept, with its boilerplate learned;
        # the next run analyses the rest (its mark in dedupe_runs is not moved).
        interrupt.check()

        timer, timer_cpu = time.perf_counter(), time.process_time()
        self._index_and_link()
        r.seconds["index_and_link"] = time.perf_counter() - timer
        r.cpu_seconds["index_and_link"] = time.process_time() - timer_cpu

        r.indexed = self.conn.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0]
        members, clusters = self.conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT cluster_id) FROM documents WHERE cluster_id IS NOT NULL").fetchone()
        r.clusters, r.duplicates = clusters, members - clusters
        r.seconds["total"] = time.perf_counter() - started
        r.cpu_seconds["total"] = time.process_time() - started_cpu
        if r.changed or settings_changed or self.rebuild:
            with write_transaction(self.db):
                self.conn.execute(
                    "INSERT INTO dedupe_runs (date, started, finished, next_seq, settings, report) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (self.date, self.now, utc_now(), next_seq,
                     json.dumps({"signing": self.s.signing(), "linking": self.s.linking()}, sort_keys=True),
                     json.dumps(r.as_dict(), sort_keys=True, default=str)))
        logger.info("%s", r.summary())
        return r

    def _forget_all(self) -> None:
        with write_transaction(self.db):
            for table in ("lsh_bands", "duplicate_pairs", "job_group_pairs", "template_pairs", "minhashes",
                          "boilerplate_lines", "scope_lines", "boilerplate_scopes", "title_keys"):
                self.conn.execute(f"DELETE FROM {table}")
            if self.redis_lsh is not None:
                self.redis_lsh.clear()
            self.conn.execute("UPDATE documents SET cluster_id = NULL, is_canonical = 1, job_group = NULL "
                              "WHERE cluster_id IS NOT NULL OR job_group IS NOT NULL")

    def _unlink_all(self) -> None:
        """Settings that decide pairs changed: keep signatures, drop bands and pairs."""
        with write_transaction(self.db):
            self.report.pairs_removed += self.conn.execute("DELETE FROM duplicate_pairs").rowcount
            self.conn.execute("DELETE FROM job_group_pairs")
            self.conn.execute("DELETE FROM template_pairs")
            self.conn.execute("DELETE FROM lsh_bands")
            if self.redis_lsh is not None:
                self.redis_lsh.clear()
            self.report.relinked = self.conn.execute(
                "UPDATE minhashes SET bands = NULL, rows = NULL, threshold = NULL").rowcount
            self.conn.execute("UPDATE documents SET cluster_id = NULL, is_canonical = 1, job_group = NULL "
                              "WHERE cluster_id IS NOT NULL OR job_group IS NOT NULL")

    # -- 1. analyse new and changed documents -----------------------------------------------
    def _analyse(self, next_seq: int) -> tuple[int, int, bp.DayLines | dict]:
        """Read new and changed documents page by page (a backlog of any size streams)."""
        r = self.report
        backlog = self.conn.execute("SELECT COUNT(*) FROM documents WHERE seq >= ?", (next_seq,)).fetchone()[0]
        if not backlog:
            return 0, next_seq, {}
        workers = self._ensure_pool(backlog)
        self.cache_units = backlog <= CACHE_DOCUMENTS
        analysed_rows: dict[str, list[int]] = {}
        skipped_seqs = []
        position, new_next, todo_count = next_seq, next_seq, 0
        read = 0
        while True:
            page = self.conn.execute(
                "SELECT d.id, d.seq, d.kind, m.id, m.seq FROM documents d LEFT JOIN minhashes m "
                "ON m.document_id = d.id WHERE d.seq >= ? ORDER BY d.seq LIMIT ?",
                (position, self.s.batch_size)).fetchall()
            if not page:
                break
            position = new_next = page[-1][1] + 1
            read += len(page)
            if self.progress:
                self.progress(min(read, backlog), backlog)
            todo = [row for row in page if row[2] in KINDS and (row[3] is None or row[4] != row[1])]
            gone = [row for row in page if row[2] not in KINDS and row[3] is not None]
            if gone:
                self._drop([row[0] for row in gone])
            todo_count += len(todo)
            docs = self._load_documents([row[0] for row in todo])
            if self.date:
                late = [d for d in docs if d["first_seen"][:10] > self.date]
                skipped_seqs.extend(d["seq"] for d in late)
                docs = [d for d in docs if d["first_seen"][:10] <= self.date]
            if not docs:
                continue
            analysed = [x for part in self.pool.map(
                partial(analyse_many, keep_units=self.cache_units), _split([d["text"] for d in docs], workers))
                for x in part]
            if self.cache_units:
                self.units.update((d["id"], a) for d, a in zip(docs, analysed))
            rows, keyed = [], []
            for doc, (_, lines) in zip(docs, analysed):
                scope = bp.scope_of(doc["kind"], doc["company"], doc["source"], doc["spider"])
                location = doc["location_raw"] if doc["kind"] == "posting" else None
                tkey = title_key(doc["title"], location)
                rows.append((doc["id"], doc["kind"], scope, doc["seq"], doc["content_hash"], tkey,
                             posting_location_key(doc["title"], location) if doc["kind"] == "posting" else "",
                             text_script(doc["text"]), bp.lines_to_bytes(lines)))
                keyed.append((doc["id"], scope, tkey, lines))
            ids = [d["id"] for d in docs]
            with write_transaction(self.db):
                self._retire(ids, delete_rows=False)
                self.boilerplate.unindex(ids)
                self._write_rows(rows)
                minhash_of = self._minhash_ids(ids)
                indexed = [(minhash_of[doc_id], scope, tkey, lines) for doc_id, scope, tkey, lines in keyed]
                for minhash_id, scope, _, _ in indexed:
                    analysed_rows.setdefault(scope, []).append(minhash_id)
                self.boilerplate.index(indexed)
            r.analysed += len(docs)
            if interrupt.received() is not None:
                break
        if skipped_seqs:
            new_next = min(skipped_seqs)
        # The lines that may have become boilerplate, per scope: read back when its turn
        # comes, so a backlog of any size holds one scope's lines at a time.
        return todo_count, new_next, bp.DayLines(self.conn, analysed_rows)

    def _load_documents(self, ids: list[str]) -> list[dict]:
        docs = []
        for chunk in _chunks(ids):
            cursor = self.conn.execute(
                "SELECT d.id, d.seq, d.kind, d.title, d.text, d.source, d.spider, d.first_seen, d.content_hash, "
                "p.company, p.location_raw FROM documents d LEFT JOIN postings p ON p.document_id = d.id "
                f"WHERE d.id IN ({','.join('?' * len(chunk))})", chunk)
            names = [c[0] for c in cursor.description]
            docs.extend(dict(zip(names, row)) for row in cursor)
        docs.sort(key=lambda d: d["seq"])
        return docs

    def _write_rows(self, rows: list[tuple]) -> None:
        """``minhashes`` rows of analysed documents: ``(document id, kind, scope, seq,
        content hash, title key, location key, script, lines)`` each."""
        s = self.s
        self.conn.executemany(
            "INSERT INTO minhashes (document_id, kind, scope, seq, content_hash, title_key, location_key, script, "
            "lines, num_perm, seed, shingle_size, normaliser, computed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (document_id) DO UPDATE SET kind = excluded.kind, scope = excluded.scope, "
            "seq = excluded.seq, content_hash = excluded.content_hash, title_key = excluded.title_key, "
            "location_key = excluded.location_key, script = excluded.script, "
            "lines = excluded.lines, num_perm = excluded.num_perm, seed = excluded.seed, "
            "shingle_size = excluded.shingle_size, normaliser = excluded.normaliser, shingles = NULL, "
            "signature = NULL, threshold = NULL, bands = NULL, rows = NULL, computed_at = excluded.computed_at",
            [(*row, s.num_perm, s.seed, s.shingle_size, NORMALISER_VERSION, self.now) for row in rows])

    def _minhash_ids(self, document_ids: list[str]) -> dict[str, int]:
        """The ``minhashes`` row id of each document."""
        out: dict[str, int] = {}
        for chunk in _chunks(document_ids):
            out.update(self.conn.execute(
                f"SELECT document_id, id FROM minhashes WHERE document_id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def _retire(self, document_ids: list[str], *, delete_rows: bool, keep_signature: bool = False) -> None:
        """Take documents out of the index and drop their pairs (their clusters are
        recomputed when they are linked again, or at once when they leave for good)."""
        for chunk in _chunks(document_ids):
            rows = self.conn.execute(
                "SELECT id, kind, signature, bands, rows, shingles FROM minhashes "
                f"WHERE document_id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            self._delete_bands(rows)
            marks = ",".join("?" * len(chunk))
            self.report.pairs_removed += self.conn.execute(
                f"DELETE FROM duplicate_pairs WHERE document_id IN ({marks}) OR other_id IN ({marks})",
                chunk + chunk).rowcount
            for table in ("job_group_pairs", "template_pairs"):
                self.conn.execute(f"DELETE FROM {table} WHERE document_id IN ({marks}) OR other_id IN ({marks})",
                                  chunk + chunk)
            if delete_rows:
                self.conn.execute(f"DELETE FROM minhashes WHERE document_id IN ({marks})", chunk)
            elif keep_signature:
                self.conn.execute(f"UPDATE minhashes SET bands = NULL, rows = NULL, threshold = NULL "
                                  f"WHERE document_id IN ({marks})", chunk)
            else:
                self.conn.execute(f"UPDATE minhashes SET signature = NULL, shingles = NULL, bands = NULL, "
                                  f"rows = NULL, threshold = NULL WHERE document_id IN ({marks})", chunk)

    def _delete_bands(self, rows: list[tuple]) -> None:
        by_layout: dict[tuple[int, int], list[tuple]] = {}
        for row in rows:
            minhash_id, kind, signature, bands, nrows, shingles = row
            if bands and signature and shingles and kind in KINDS:
                by_layout.setdefault((bands, nrows), []).append((minhash_id, kind, signature))
        for (bands, nrows), items in by_layout.items():
            if self.redis_lsh is not None:
                self.redis_lsh.remove([i for i, _, _ in items], [kind for _, kind, _ in items])
                continue
            sigs = np.stack([from_bytes(sig) for _, _, sig in items])
            keys = lsh.band_keys(sigs, [kind for _, kind, _ in items], bands, nrows)
            lsh.delete(self.conn, [i for i, _, _ in items], keys)

    def _drop(self, document_ids: list[str]) -> None:
        """Documents that are no longer postings or articles leave the index and clusters."""
        with write_transaction(self.db):
            self.boilerplate.unindex(document_ids)
            self._retire(document_ids, delete_rows=True)
            updated, _ = recluster(self.conn, document_ids)
            self.report.documents_updated += updated
        self.report.dropped += len(document_ids)

    # -- 2. boilerplate --------------------------------------------------------------------
    def _learn_boilerplate(self, new_lines: bp.DayLines | dict) -> None:
        if not new_lines:
            return
        with write_transaction(self.db):
            learned = self.boilerplate.learn(new_lines, min_titles=self.s.boilerplate_titles, now=self.now)
            self.report.boilerplate_learned = sum(len(v) for v in learned.values())
            # Indexed documents of whose lines a large share was just learned to be their
            # company's boilerplate: their signatures still count it, so they are signed
            # again. Smaller changes are left to verification, which always compares
            # current texts with the current boilerplate (as are global lines).
            stale = self.boilerplate.stale(learned, RESIGN_SHARE)
            if stale:
                self._retire(stale, delete_rows=False)
                self.report.resigned = len(stale)

    # -- 3. index and link ------------------------------------------------------------------
    def _ensure_pool(self, backlog: int) -> int:
        """Start worker processes once, when the backlog is worth it (or as asked)."""
        workers = self.requested_workers or default_workers(backlog)
        if workers > self.pool.workers:
            self.pool.close()
            self.pool = _Pool(workers)
            self.report.workers = workers
        return self.pool.workers

    def _index_and_link(self) -> None:
        unindexed = self.conn.execute("SELECT COUNT(*) FROM minhashes WHERE bands IS NULL").fetchone()[0]
        self._ensure_pool(unindexed)
        done = 0
        if self.progress and unindexed:
            self.progress(0, unindexed)
        while True:
            ids = [r[0] for r in self.conn.execute(
                "SELECT id FROM minhashes WHERE bands IS NULL ORDER BY id LIMIT ?", (self.s.batch_size,))]
            if not ids:
                return
            with gc_paused():
                self._index_batch(ids)
            done += len(ids)
            if self.progress:
                self.progress(min(done, unindexed), unindexed)
            interrupt.check()  # each batch is its own transaction: the rest is indexed by the next run

    def _candidates(self, minhash_ids: list[int], *, signatures: bool = True) -> dict[int, Candidate]:
        out: dict[int, Candidate] = {}
        signature = "m.signature" if signatures else "NULL"
        for chunk in _chunks(minhash_ids):
            for row in self.conn.execute(
                "SELECT m.id, m.document_id, m.kind, m.scope, m.title_key, m.location_key, m.content_hash, "
                f"{signature}, m.shingles, m.script, p.date_posted FROM minhashes m "
                "LEFT JOIN postings p ON p.document_id = m.document_id "
                f"WHERE m.id IN ({','.join('?' * len(chunk))})", chunk,
            ):
                sig = from_bytes(row[7]) if row[7] is not None else None
                out[row[0]] = Candidate(row[0], row[1], row[2], row[3], row[4], row[5], row[6], sig, row[8] or 0,
                                        row[9], row[10])
        return out

    def _fill_signatures(self, candidates: list[Candidate]) -> None:
        by_id = {c.minhash_id: c for c in candidates if c.signature is None}
        for chunk in _chunks(sorted(by_id)):
            for minhash_id, blob in self.conn.execute(
                    f"SELECT id, signature FROM minhashes WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                if blob is not None:
                    by_id[minhash_id].signature = from_bytes(blob)

    def _index_batch(self, ids: list[int]) -> None:
        r = self.report
        s = self.s
        batch = self._candidates(ids)
        texts = self._texts(ids)
        unsigned = [i for i in ids if batch[i].signature is None]
        if unsigned:
            # A document normalised earlier in this run is sent as its kept units, any
            # other as its text (normalised by the worker).
            work = []
            for i in unsigned:
                cached = self.units.get(batch[i].document_id)
                boilerplate = self.boilerplate.of(batch[i].scope)
                if cached is not None:
                    units, hashes = cached
                    work.append([u for u, h in zip(units, hashes) if h not in boilerplate])
                else:
                    work.append((texts[i], boilerplate))
            jobs = _split(list(zip(unsigned, work)), self.pool.workers)
            results = self.pool.map(_sign_chunk, [
                ([w for _, w in job], s.shingle_size, s.num_perm, s.seed) for job in jobs])
            for job, (sigs, counts) in zip(jobs, results):
                for (i, _), sig, count in zip(job, sigs, counts):
                    batch[i].signature = sig
                    batch[i].shingles = int(count)
            r.signatures_computed += len(unsigned)

        indexed = [i for i in ids if batch[i].shingles > 0]
        keys = lsh.band_keys(np.stack([batch[i].signature for i in indexed]) if indexed else
                             np.zeros((0, s.num_perm), np.uint32), [batch[i].kind for i in indexed],
                             self.bands, self.rows)
        with write_transaction(self.db):
            if self.redis_lsh is not None:
                indexed_sigs = [batch[i].signature for i in indexed]
                indexed_kinds = [batch[i].kind for i in indexed]
                self.redis_lsh.insert(indexed, indexed_sigs, indexed_kinds)
                candidates = self.redis_lsh.query_many(indexed, indexed_sigs, indexed_kinds, s.max_candidates)
            else:
                lsh.insert(self.conn, indexed, keys)
                candidates = lsh.query_many(self.conn, indexed, keys, s.max_candidates)
            self.conn.executemany(
                "UPDATE minhashes SET signature = ?, shingles = ?, bands = ?, rows = ?, threshold = ?, "
                "computed_at = CASE WHEN signature IS NULL THEN ? ELSE computed_at END WHERE id = ?",
                [(to_bytes(batch[i].signature), batch[i].shingles, self.bands, self.rows, s.threshold,
                  self.now, i) for i in ids])
            pairs: dict[tuple[int, int], str] = {}
            for a, b in candidates:
                pairs.setdefault((min(a, b), max(a, b)), "lsh")
            r.lsh_candidates += len(pairs)
            for a, b in self._hash_candidates(batch):
                if (min(a, b), max(a, b)) not in pairs:
                    r.hash_candidates += 1
                pairs[(min(a, b), max(a, b))] = "hash"
            for a, b in self._id_candidates(batch):
                if (min(a, b), max(a, b)) not in pairs:
                    r.id_candidates += 1
                pairs[(min(a, b), max(a, b))] = "id"
            for a, b in self._title_candidates(batch):
                if (min(a, b), max(a, b)) not in pairs:
                    r.title_candidates += 1
                    pairs[(min(a, b), max(a, b))] = "title"
            # Cheap tests first, on what the index rows say; signatures and texts are read
            # only for the pairs that pass them.
            others = self._candidates(sorted({x for pair in pairs for x in pair} - set(batch)), signatures=False)
            known = {**others, **batch}
            thresholds = s.thresholds
            survivors = []
            for a, b in sorted(pairs):
                if a not in known or b not in known:
                    continue  # an orphaned band row (its document was deleted)
                r.pairs_checked += 1
                rejected = gate(known[a], known[b], thresholds, pairs[(a, b)] == "id")
                if rejected is not None:
                    self._count_rejection(rejected)
                else:
                    survivors.append((a, b))
            # One employer's postings: near identical (a template, a flood) or not, whatever
            # the titles and places said.
            templates = [(a, b) for a, b in sorted(pairs) if a in known and b in known
                         and _one_employer(known[a], known[b])]
            self._fill_signatures([known[x] for pair in survivors + templates for x in pair])
            templates = [(a, b) for a, b in templates
                         if known[a].signature is not None and known[b].signature is not None]
            template_rows = [
                (*sorted((known[a].document_id, known[b].document_id)), _round(float(est)), self.now)
                for (a, b), est in zip(templates, estimates(
                    np.array([known[a].signature for a, _ in templates]),
                    np.array([known[b].signature for _, b in templates])))
                if est >= s.template_threshold]
            # Texts only for the pairs the signatures leave open.
            first = {(a, b): prejudge(known[a], known[b], thresholds, pairs[(a, b)] == "id", gated=True)
                     for a, b in survivors}
            needed = sorted({x for pair, f in first.items() if needs_texts(f) for x in pair} - set(texts)
                            - {x for x in known if known[x].document_id in self.units})
            texts.update(self._texts(needed))
            # Every document of a pair left open is compared by its units without its
            # boilerplate: all of them normalised and shingled here in a few calls, not
            # one call each as they come up.
            self._fill_sets([known[x] for x in sorted({x for pair, f in first.items() if needs_texts(f)
                                                        for x in pair})], texts)

            def sets_of(c: Candidate, with_boilerplate: bool = False) -> None:
                boilerplate = self.boilerplate.of(c.scope)
                if c.kept_set is None:
                    found = self.units.get(c.document_id)
                    if found is None:
                        text = texts.get(c.minhash_id)
                        if text is None:
                            text = self.conn.execute("SELECT text FROM documents WHERE id = ?",
                                                     (c.document_id,)).fetchone()[0]
                        found = analyse_text(text)
                    c.analysed = found
                    kept = [u for u, h in zip(*found) if h not in boilerplate]
                    c.kept_set = shingle_set(kept, s.shingle_size)
                    c.kept_units = frozenset(kept)
                if with_boilerplate and c.boilerplate_set is None:
                    units, hashes = c.analysed
                    c.boilerplate_set = shingle_set([u for u, h in zip(units, hashes) if h in boilerplate],
                                                    s.shingle_size)

            edges, group_edges = [], []
            for a, b in survivors:
                d = decide(known[a], known[b], thresholds, sets_of, pairs[(a, b)] == "id", first[(a, b)])
                x, y = sorted((known[a].document_id, known[b].document_id))
                if d.group:
                    group_edges.append((x, y, d.method, _round(d.similarity), _round(d.title_similarity), self.now))
                if not d.duplicate:
                    self._count_rejection(d)
                    continue
                edges.append((x, y, d.reason, _round(d.similarity), _round(d.page_similarity), _round(d.estimate),
                              _round(d.title_similarity), self.now))
            before = self.conn.total_changes
            self.conn.executemany(
                "INSERT OR IGNORE INTO duplicate_pairs (document_id, other_id, method, similarity, "
                "page_similarity, estimate, title_similarity, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", edges)
            r.pairs_added += self.conn.total_changes - before
            before = self.conn.total_changes
            self.conn.executemany(
                "INSERT OR IGNORE INTO job_group_pairs (document_id, other_id, method, similarity, "
                "title_similarity, found_at) VALUES (?, ?, ?, ?, ?, ?)", group_edges)
            r.group_pairs_added += self.conn.total_changes - before
            before = self.conn.total_changes
            self.conn.executemany("INSERT OR IGNORE INTO template_pairs (document_id, other_id, estimate, found_at) "
                                  "VALUES (?, ?, ?, ?)", template_rows)
            r.template_pairs_added += self.conn.total_changes - before
            seeds = ({batch[i].document_id for i in ids} | {e[0] for e in edges} | {e[1] for e in edges}
                     | {e[0] for e in group_edges} | {e[1] for e in group_edges})
            updated, _ = recluster(self.conn, seeds)
            r.documents_updated += updated

    def _fill_sets(self, candidates: list[Candidate], texts: dict[int, str]) -> None:
        """``analysed``, ``kept_set`` and ``kept_units`` of the candidates whose text is at
        hand (this run's units, or ``texts``), as ``sets_of`` in :meth:`_index_batch`
        makes them one at a time."""
        todo = [c for c in candidates if c.kept_set is None
                and (c.document_id in self.units or c.minhash_id in texts)]
        unread = [c for c in todo if c.document_id not in self.units]
        for c, found in zip(unread, analyse_many([texts[c.minhash_id] for c in unread], keep_units=True)):
            c.analysed = found
        kept_of = []
        for c in todo:
            if c.analysed is None:
                c.analysed = self.units[c.document_id]
            boilerplate = self.boilerplate.of(c.scope)
            kept_of.append([u for u, h in zip(*c.analysed) if h not in boilerplate])
        for c, kept, shingles in zip(todo, kept_of, shingle_sets(kept_of, self.s.shingle_size)):
            c.kept_set = shingles
            c.kept_units = frozenset(kept)

    def _count_rejection(self, decision) -> None:
        name = f"rejected_{decision.reason}"
        setattr(self.report, name, getattr(self.report, name) + 1)

    def _texts(self, ids: list[int]) -> dict[int, str]:
        out = {}
        for chunk in _chunks(ids):
            out.update(self.conn.execute(
                f"SELECT m.id, d.text FROM minhashes m JOIN documents d ON d.id = m.document_id "
                f"WHERE m.id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        return out

    def _id_candidates(self, batch: dict[int, Candidate]) -> list[tuple[int, int]]:
        """Postings of one employer (boilerplate scope) that share a job id
        (``postings.external_id``) or a requisition id with a posting of the batch."""
        by_doc = {c.document_id: c for c in batch.values() if c.kind == "posting"}
        mine: dict[tuple[str, str], list[Candidate]] = {}
        for chunk in _chunks(sorted(by_doc)):
            for doc, external, requisition in self.conn.execute(
                    f"SELECT document_id, external_id, requisition_id FROM postings WHERE document_id IN "
                    f"({','.join('?' * len(chunk))}) AND (external_id IS NOT NULL OR requisition_id IS NOT NULL)",
                    chunk):
                for column, value in (("external_id", external), ("requisition_id", requisition)):
                    if value is not None:
                        mine.setdefault((column, value), []).append(by_doc[doc])
        out = []
        for column in ("external_id", "requisition_id"):
            values = sorted(v for c, v in mine if c == column)
            for chunk in _chunks(values):
                for value, other, scope in self.conn.execute(
                    f"SELECT p.{column}, m.id, m.scope FROM postings p JOIN minhashes m ON m.document_id = p.document_id "
                    f"WHERE p.{column} IN ({','.join('?' * len(chunk))}) AND (m.bands IS NOT NULL OR m.id IN "
                    f"({','.join('?' * len(batch))}))", chunk + sorted(batch),
                ):
                    out.extend((c.minhash_id, other) for c in mine[(column, value)]
                               if c.minhash_id != other and c.scope == scope)
        return out

    def _title_candidates(self, batch: dict[int, Candidate]) -> list[tuple[int, int]]:
        """Postings of one employer under one title key that LSH may not propose: one of
        them incomparable by shingles with the other (no job-specific text, or another
        script), or both posted the same day (a reworded second posting of one
        requisition)."""
        mine: dict[tuple[str, str], list[Candidate]] = {}
        for c in batch.values():
            if c.kind == "posting" and c.title_key and c.scope.startswith("company:"):
                mine.setdefault((c.scope, c.title_key), []).append(c)
        # (The batch's own rows are indexed by now: ``bands`` is set on them.)
        others: dict[tuple[str, str], set[int]] = {}
        # Every posting under the key of an incomparable one (rare) ...
        for scope, key in [k for k, members in mine.items() if any(not c.shingles or c.script for c in members)]:
            others.setdefault((scope, key), set()).update(row[0] for row in self.conn.execute(
                "SELECT id FROM minhashes INDEXED BY idx_minhashes_title WHERE scope = ? AND title_key = ? "
                "AND kind = 'posting' AND bands IS NOT NULL LIMIT ?", (scope, key, self.s.max_candidates)))
        # ... and under the others' keys, the incomparable ones (a small partial index) and
        # the ones posted the same day: one statement each per chunk of keys.
        keys = [list(k) for k, members in mine.items() if any(c.shingles and not c.script for c in members)]
        days = sorted({(*k, c.posted) for k, members in mine.items() for c in members if c.posted})
        for statement, values in (
                ("SELECT m.id, m.scope, m.title_key FROM json_each(?) j JOIN minhashes m INDEXED BY "
                 "idx_minhashes_incomparable ON m.scope = json_extract(j.value, '$[0]') "
                 "AND m.title_key = json_extract(j.value, '$[1]') "
                 "WHERE (m.shingles = 0 OR m.script IS NOT NULL) AND m.kind = 'posting' AND m.bands IS NOT NULL",
                 keys),
                ("SELECT m.id, m.scope, m.title_key FROM json_each(?) j JOIN minhashes m INDEXED BY "
                 "idx_minhashes_title ON m.scope = json_extract(j.value, '$[0]') "
                 "AND m.title_key = json_extract(j.value, '$[1]') JOIN postings p ON p.document_id = m.document_id "
                 "AND p.date_posted = json_extract(j.value, '$[2]') WHERE m.kind = 'posting' AND m.bands IS NOT NULL",
                 [list(d) for d in days])):
            for chunk in _chunks(values):
                for other, scope, key in self.conn.execute(statement, [json.dumps(chunk)]):
                    others.setdefault((scope, key), set()).add(other)
        return [(c.minhash_id, other) for k, found in others.items() for other in found for c in mine[k]
                if c.minhash_id != other]

    def _hash_candidates(self, batch: dict[int, Candidate]) -> list[tuple[int, int]]:
        """Pairs with identical text (``content_hash``), whatever their shingles."""
        by_hash: dict[str, list[int]] = {}
        for c in batch.values():
            if c.content_hash:
                by_hash.setdefault(c.content_hash, []).append(c.minhash_id)
        out = []
        hashes = sorted(by_hash)
        for chunk in _chunks(hashes):
            for content_hash, other in self.conn.execute(
                "SELECT d.content_hash, m.id FROM documents d JOIN minhashes m ON m.document_id = d.id "
                f"WHERE d.content_hash IN ({','.join('?' * len(chunk))}) AND m.bands IS NOT NULL", chunk,
            ):
                out.extend((mine, other) for mine in by_hash[content_hash] if mine != other)
        return out
