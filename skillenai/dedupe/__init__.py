"""Near-duplicate detection: every job (and article) counted once.

A job is posted on its ATS board and on the company's career site, reposted next week
with a new location line, syndicated; counted naively, demand is inflated. The daily
:func:`run_dedupe` links exact duplicates (same ``content_hash``) and near duplicates
(MinHash LSH over word shingles of the text with the company's boilerplate left out,
verified by exact Jaccard plus, for postings, compatible titles and locations), and
keeps ``documents.cluster_id`` / ``documents.is_canonical`` current: the earliest-seen
document of a cluster is its canonical one, the one metrics count.

Modules, one structure each:

- :mod:`~skillenai.dedupe.text` — units, normalisation, title and location keys;
- :mod:`~skillenai.dedupe.boilerplate` — per-company boilerplate learned from the store;
- :mod:`~skillenai.dedupe.minhash` — vectorised, datasketch-compatible signatures;
- :mod:`~skillenai.dedupe.lsh` — the LSH index as a SQLite table;
- :mod:`~skillenai.dedupe.verify` — the pair decision;
- :mod:`~skillenai.dedupe.clusters` — connected components and canonical documents;
- :mod:`~skillenai.dedupe.run` — the incremental daily run;
- :mod:`~evaluation.dedupe_sampleweb` — precision and recall against ground truth.
"""

from skillenai.dedupe.minhash import (
    DEFAULT_NUM_PERM,
    DEFAULT_SEED,
    SCHEME,
    from_bytes,
    shingle_hash32,
    shingles,
    signatures,
    to_bytes,
    to_lean_minhash,
)
from skillenai.dedupe.run import (
    DEFAULT_SHINGLE_SIZE,
    DEFAULT_THRESHOLD,
    DedupeReport,
    DedupeSettings,
    run_dedupe,
)

__all__ = [
    "DEFAULT_NUM_PERM", "DEFAULT_SEED", "DEFAULT_SHINGLE_SIZE", "DEFAULT_THRESHOLD", "DedupeReport",
    "DedupeSettings", "SCHEME", "from_bytes", "run_dedupe", "shingle_hash32", "shingles", "signatures",
    "to_bytes", "to_lean_minhash",
]
