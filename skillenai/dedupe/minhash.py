"""MinHash signatures of word shingles, computed for many documents at once with numpy.

The signatures are datasketch's, bit for bit: datasketch 2.0's default ``"affine32"``
scheme with the same permutations (``MinHash(num_perm, seed).permutations``), fed with
:func:`shingle_hash32` instead of SHA-1. So for a document's normalised units
(:func:`skillenai.dedupe.text.split_units`)::

    m = datasketch.MinHash(num_perm=128, seed=1, hashfunc=shingle_hash32)
    m.update_batch(shingles(units, 5))
    assert (m.hashvalues == signatures([units], shingle_size=5)[0][0]).all()

and a stored signature is usable as ``datasketch.LeanMinHash(seed=1, hashvalues=sig,
scheme="affine32")`` (see :func:`to_lean_minhash`).

What makes it fast: a shingle's hash is a polynomial hash of its UTF-8 bytes, and
polynomial hashes of every substring come from one prefix sum over the text (wrapping
uint64 arithmetic), so a whole batch of documents is hashed by a handful of array
operations, with no Python loop over shingles. The permutations are then one
``num_perm × shingles`` matrix operation per block, reduced per document with
``np.minimum.reduceat``. The hash is deterministic across processes and runs (unlike
Python's ``hash``).
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import Callable, Sequence, TypeVar

import numpy as np

from skillenai.core.workers import start_method, usable_cores

logger = logging.getLogger(__name__)

SCHEME = "affine32"
DEFAULT_NUM_PERM = 128
DEFAULT_SEED = 1
EMPTY_VALUE = 0xFFFFFFFF  # datasketch's value for a permutation no shingle reached
SIGNATURE_DTYPE = np.dtype("<u4")  # stored byte order: little-endian uint32

_MASK64 = (1 << 64) - 1
_BASE = 0x9E3779B97F4A7C15  # odd, so invertible modulo 2^64
_BASE_INV = pow(_BASE, -1, 1 << 64)
# Shingles per permutation block: num_perm × block uint32 stays within L2 cache.
_BLOCK = 4096
_DOCS_PER_CHUNK = 64
_STRINGS_PER_CHUNK = 2048


def _fmix64_int(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _MASK64
    return h ^ (h >> 33)


def shingle_hash64(data: bytes) -> int:
    """The 64-bit hash of one shingle (its UTF-8 bytes); reference for the vectorised path.

    A polynomial hash ``Σ (byte_t + 1) · B^t mod 2^64`` finished with MurmurHash3's fmix64.
    """
    h = 0
    power = 1
    for byte in data:
        h = (h + (byte + 1) * power) & _MASK64
        power = (power * _BASE) & _MASK64
    return _fmix64_int(h)


def shingle_hash32(data: bytes) -> int:
    """The 32-bit shingle hash signatures are made of: a ``hashfunc`` for datasketch."""
    return shingle_hash64(data) >> 32


def shingles(units: str | Sequence[str], shingle_size: int) -> list[bytes]:
    """Word shingles of normalised units as bytes (the reference the fast path matches).

    ``units`` is a document's normalised lines and sentences (or one string, one unit).
    Shingles never cross a unit boundary, so reordered bullets or paragraphs keep the
    same shingles. A unit shorter than ``shingle_size`` words is one shingle.

    >>> shingles(["a b c d", "e f"], 3)
    [b'a b c', b'b c d', b'e f']
    """
    if isinstance(units, str):
        units = [units]
    out: list[bytes] = []
    for unit in units:
        words = unit.split(" ") if unit else []
        if not words:
            continue
        if len(words) <= shingle_size:
            out.append(" ".join(words).encode("utf-8"))
        else:
            out.extend(" ".join(words[i:i + shingle_size]).encode("utf-8")
                       for i in range(len(words) - shingle_size + 1))
    return out


@lru_cache(maxsize=8)
def permutations(num_perm: int = DEFAULT_NUM_PERM, seed: int = DEFAULT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``affine32`` permutation parameters ``(a, b)`` for ``num_perm`` and ``seed``.

    Drawn exactly as ``datasketch.MinHash(num_perm, seed, scheme="affine32")`` draws them
    (``tests/test_dedupe.py`` checks they are equal), without importing datasketch, whose
    import pulls in scipy and takes over a second.
    """
    if not 1 <= num_perm <= 1024:
        raise ValueError(f"num_perm must be between 1 and 1024, got {num_perm}")
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class _Powers:
    """B^i and B^-i modulo 2^64 for i < n, grown on demand (per process)."""

    def __init__(self) -> None:
        self.pw = np.ones(1, dtype=np.uint64)
        self.ipw = np.ones(1, dtype=np.uint64)

    def ensure(self, n: int) -> None:
        if len(self.pw) >= n:
            return
        size = max(n, 2 * len(self.pw), 1 << 16)
        with np.errstate(over="ignore"):
            self.pw = self._powers(_BASE, size)
            self.ipw = self._powers(_BASE_INV, size)

    @staticmethod
    def _powers(base: int, size: int) -> np.ndarray:
        factors = np.full(size, base, dtype=np.uint64)
        factors[0] = 1
        return np.cumprod(factors, dtype=np.uint64)


_POWERS = _Powers()


def _fmix64(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def _fmix32(h: np.ndarray) -> np.ndarray:
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def shingle_hashes(texts: Sequence[str], shingle_size: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of the shingles of many normalised texts, and where each text's start.

    Returns ``(hashes, offsets)``: the shingles of ``texts[i]`` are
    ``hashes[offsets[i]:offsets[i + 1]]``, in text order (repeats kept).
    """
    if shingle_size < 1:
        raise ValueError(f"shingle_size must be at least 1, got {shingle_size}")
    n_docs = len(texts)
    present = [i for i, t in enumerate(texts) if t]
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    if not present:
        return np.zeros(0, dtype=np.uint64), offsets
    buf = np.frombuffer("\n".join(texts[i] for i in present).encode("utf-8"), dtype=np.uint8)
    length = len(buf)
    separators = np.flatnonzero((buf == 32) | (buf == 10))
    word_starts = np.concatenate(([0], separators + 1))
    word_ends = np.concatenate((separators, [length]))
    ends_doc = np.concatenate((buf[separators] == 10, [True]))
    doc_of_word = np.concatenate(([0], np.cumsum(ends_doc)[:-1]))
    words_per_doc = np.bincount(doc_of_word, minlength=len(present))
    first_word = np.concatenate(([0], np.cumsum(words_per_doc)[:-1]))

    k = shingle_size
    n_words = len(word_starts)
    if n_words >= k:
        full = doc_of_word[:n_words - k + 1] == doc_of_word[k - 1:]
        starts = word_starts[:n_words - k + 1][full]
        ends = word_ends[k - 1:][full]
        docs = doc_of_word[:n_words - k + 1][full]
    else:
        starts = ends = docs = np.zeros(0, dtype=np.int64)
    short = np.flatnonzero(words_per_doc < k)
    if len(short):  # a text shorter than k words is one shingle
        starts = np.concatenate((starts, word_starts[first_word[short]]))
        ends = np.concatenate((ends, word_ends[first_word[short] + words_per_doc[short] - 1]))
        docs = np.concatenate((docs, short))
        order = np.argsort(docs, kind="stable")
        starts, ends, docs = starts[order], ends[order], docs[order]

    _POWERS.ensure(length + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(length + 1, dtype=np.uint64)
        np.cumsum((buf.astype(np.uint64) + np.uint64(1)) * _POWERS.pw[:length], out=prefix[1:])
        hashes = _fmix64((prefix[ends] - prefix[starts]) * _POWERS.ipw[starts])
    counts = np.zeros(n_docs, dtype=np.int64)
    counts[present] = np.bincount(docs, minlength=len(present))
    offsets[1:] = np.cumsum(counts)
    return hashes, offsets


def string_hashes(strings: Sequence[str]) -> np.ndarray:
    """:func:`shingle_hash64` of each whole string (none may contain a newline), vectorised.

    >>> int(string_hashes(["about us"])[0]) == shingle_hash64(b"about us")
    True
    """
    if len(strings) > _STRINGS_PER_CHUNK:  # keep the prefix sums in cache
        return np.concatenate([string_hashes(strings[i:i + _STRINGS_PER_CHUNK])
                               for i in range(0, len(strings), _STRINGS_PER_CHUNK)])
    if not strings:
        return np.zeros(0, dtype=np.uint64)
    buf = np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)
    length = len(buf)
    breaks = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [length]))
    _POWERS.ensure(length + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(length + 1, dtype=np.uint64)
        np.cumsum((buf.astype(np.uint64) + np.uint64(1)) * _POWERS.pw[:length], out=prefix[1:])
        return _fmix64((prefix[ends] - prefix[starts]) * _POWERS.ipw[starts])


def shingle_set(units: str | Sequence[str], shingle_size: int) -> np.ndarray:
    """The distinct 64-bit shingle hashes of one document's units, sorted (for exact Jaccard)."""
    if isinstance(units, str):
        units = [units]
    hashes, _ = shingle_hashes(list(units), shingle_size)
    return np.unique(hashes)


def shingle_sets(docs: Sequence[Sequence[str]], shingle_size: int) -> list[np.ndarray]:
    """:func:`shingle_set` of each of many documents' units, hashed ``_DOCS_PER_CHUNK``
    documents at a time (one call per document costs several times more in numpy's
    per-call overhead than in hashing).

    >>> [s.tolist() for s in shingle_sets([["a b"], []], 3)] == [shingle_set(["a b"], 3).tolist(), []]
    True
    """
    out: list[np.ndarray] = []
    for start in range(0, len(docs), _DOCS_PER_CHUNK):
        part = docs[start:start + _DOCS_PER_CHUNK]
        units = [u for doc in part for u in doc]
        hashes, offsets = shingle_hashes(units, shingle_size)
        bounds = np.cumsum([0] + [len(doc) for doc in part])
        out.extend(np.unique(hashes[offsets[bounds[i]]:offsets[bounds[i + 1]]]) for i in range(len(part)))
    return out


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted distinct shingle-hash arrays (0 if both empty)."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def signatures(
    docs: Sequence[str | Sequence[str]],
    *,
    shingle_size: int,
    num_perm: int = DEFAULT_NUM_PERM,
    seed: int = DEFAULT_SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of documents: ``(signatures, shingle_counts)``.

    Each document is a list of normalised units (or one normalised string). The result is
    ``uint32[len(docs), num_perm]``; a document without shingles gets datasketch's empty
    signature (all ``0xFFFFFFFF``) and a count of 0. Counts include repeated shingles.

    >>> sigs, counts = signatures([["the quick brown fox jumps", "over it"]], shingle_size=3, num_perm=4)
    >>> sigs.shape, counts.tolist()
    ((1, 4), [4])
    """
    a, b = permutations(num_perm, seed)
    sigs = np.full((len(docs), num_perm), EMPTY_VALUE, dtype=np.uint32)
    counts = np.zeros(len(docs), dtype=np.int64)
    # A few dozen documents at a time: the prefix sums then stay in cache.
    for first in range(0, len(docs), _DOCS_PER_CHUNK):
        chunk = docs[first:first + _DOCS_PER_CHUNK]
        units: list[str] = []
        unit_bounds = [0]
        for doc in chunk:
            if isinstance(doc, str):
                units.append(doc)
            else:
                units.extend(doc)
            unit_bounds.append(len(units))
        hashes, unit_offsets = shingle_hashes(units, shingle_size)
        offsets = unit_offsets[unit_bounds]
        chunk_counts = np.diff(offsets)
        counts[first:first + len(chunk)] = chunk_counts
        if len(hashes):
            _minima(hashes, offsets, chunk_counts, a, b, sigs[first:first + len(chunk)])
    return sigs, counts


def _minima(hashes, offsets, counts, a, b, out) -> None:
    """Apply every permutation to every shingle, one matrix per block; min per text."""
    h32 = _fmix32((hashes >> np.uint64(32)).astype(np.uint32))
    docs = np.flatnonzero(counts)
    starts = offsets[docs]
    a_col = a[:, None]
    b_col = b[:, None]
    i = 0
    while i < len(docs):
        # The next run of texts whose shingles fill about one block.
        j = max(int(np.searchsorted(starts, starts[i] + _BLOCK, side="right")), i + 1)
        lo, hi = int(starts[i]), int(offsets[docs[j - 1] + 1])
        block = np.multiply(a_col, h32[lo:hi])
        block += b_col
        out[docs[i:j]] = np.minimum.reduceat(block, starts[i:j] - lo, axis=1).T
        i = j


def to_bytes(signature: np.ndarray) -> bytes:
    """A signature as stored: ``num_perm`` little-endian uint32."""
    return np.asarray(signature, dtype=SIGNATURE_DTYPE).tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    """A stored signature back as ``uint32`` values (native order)."""
    if len(blob) % 4:
        raise ValueError(f"a signature is a whole number of uint32 values, got {len(blob)} bytes")
    return np.frombuffer(blob, dtype=SIGNATURE_DTYPE).astype(np.uint32)


def to_lean_minhash(signature: np.ndarray | bytes, seed: int = DEFAULT_SEED):
    """The signature as a ``datasketch.LeanMinHash`` (for MinHashLSH, ``jaccard``, ...)."""
    from datasketch import LeanMinHash

    values = from_bytes(signature) if isinstance(signature, (bytes, bytearray, memoryview)) else signature
    return LeanMinHash(seed=seed, hashvalues=np.asarray(values, dtype=np.uint32), scheme=SCHEME)


def estimate(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal signature values."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def estimates(sigs_a: np.ndarray, sigs_b: np.ndarray) -> np.ndarray:
    """:func:`estimate` of many pairs at once: row ``i`` of ``sigs_a`` against row ``i``
    of ``sigs_b`` (both ``(pairs, num_perm)``)."""
    if not len(sigs_a):
        return np.zeros(0)
    return np.count_nonzero(sigs_a == sigs_b, axis=1) / sigs_a.shape[1]


# Both cores for a large backlog -------------------------------------------------------------

T = TypeVar("T")
R = TypeVar("R")


def default_workers(n_items: int, min_per_worker: int = 2000) -> int:
    """Processes worth starting for ``n_items`` documents: 1 unless there is a backlog."""
    return max(1, min(usable_cores(), n_items // min_per_worker))


def parallel_map(fn: Callable[[T], R], chunks: Sequence[T], workers: int) -> list[R]:
    """``[fn(c) for c in chunks]``, in ``workers`` processes when more than one."""
    if workers <= 1 or len(chunks) <= 1:
        return [fn(c) for c in chunks]
    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(fn, chunks))
