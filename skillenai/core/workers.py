"""Worker processes for the batch stages: how many, how they start, and a bounded map.

The stages that work through a store's backlog (dedupe's signatures, the classify stage,
re-extraction) hand chunks of documents to worker processes while this process reads the
next chunks and writes the finished ones. Workers only compute on what they are sent; they
never touch the parent's database connection.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def start_method() -> str:
    """``fork`` where there is one: workers start at once, share what the parent loaded
    before the pool started (models, taxonomies), and unlike ``spawn`` and ``forkserver``
    do not re-import the caller's ``__main__`` (a script without an ``if __name__ ==
    "__main__"`` guard would run again)."""
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def map_as_completed(fn: Callable[[T], R], chunks: Iterable[T], workers: int, *,
                     pending_per_worker: int = 2, inline: bool = False) -> Iterator[R]:
    """``fn`` of every chunk, in ``workers`` processes, yielded as each one finishes (not
    in order). At most ``pending_per_worker`` chunks a worker are read ahead, so the
    caller writes results while the workers go on, and a large backlog is never held in
    memory whole. With one worker, runs in this process, in order. Closing the iterator
    early cancels the chunks not yet started.

    With ``inline``, this process is one of the ``workers``: it starts ``workers - 1``
    processes and works on a chunk itself whenever theirs have their chunks queued. A
    stage whose models are large (the classify stage) then holds them in ``workers``
    processes, not ``workers + 1``: a forked worker soon has its own copy of every page
    it reads (reference counts are writes), so the parent's would be one copy more."""
    if workers <= 1:
        yield from map(fn, chunks)
        return
    started = workers - 1 if inline else workers
    context = multiprocessing.get_context(start_method())
    # Forked workers share this process's pages (models, taxonomies) until they write to
    # them, and the cyclic collector writes to every object it walks: objects frozen before
    # the fork are never walked, so their pages stay shared (the classify stage's workers
    # took ~110 MB less PSS between them, BENCHMARKS.md).
    froze = context.get_start_method() == "fork" and gc.get_freeze_count() == 0
    if froze:
        gc.freeze()
    pool = ProcessPoolExecutor(max_workers=started, mp_context=context)
    try:
        in_flight: set = set()
        for chunk in chunks:
            if inline and len(in_flight) >= pending_per_worker * started:
                yield fn(chunk)  # this process's share, while the workers' chunks wait
                done = {future for future in in_flight if future.done()}
                in_flight -= done
                for future in done:
                    yield future.result()
                continue
            in_flight.add(pool.submit(fn, chunk))
            if not inline and len(in_flight) >= pending_per_worker * started:
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        for future in in_flight:
            yield future.result()
    finally:
        # The caller stopped early (an error, an interrupt): chunks not started are dropped,
        # the ones being worked on are finished and their workers end.
        pool.shutdown(wait=True, cancel_futures=True)
        if froze:
            gc.unfreeze()
