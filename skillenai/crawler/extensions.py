"""Scrapy extensions of the project.

``CollectorTuning`` sets Python's cyclic garbage collector for the length of a crawl. A
crawl allocates and drops a request, a response and their Deferreds per page, so with the
defaults (a young-generation pass every 700 net allocations) the collector ran ~400 times
on a 1,800-page crawl and, four times, walked every object of the process: Scrapy,
Twisted and the rest of what the process imported, none of it ever garbage. Together a
tenth of the crawl thread's time (BENCHMARKS.md). When the first engine of the process
starts, what exists then is frozen (:func:`gc.freeze`: left out of every collection) and
the young generation's threshold is raised to ``SKILLENAI_GC_THRESHOLD``; when the last
engine stops, both are undone, so a process that goes on after the crawl (``skillenai
demo``, the tests) collects its leftovers as before. ``SKILLENAI_GC_THRESHOLD = 0`` leaves
the collector alone.
"""

from __future__ import annotations

import gc
import threading

from scrapy import signals
from scrapy.exceptions import NotConfigured

_lock = threading.Lock()
_engines = 0  # engines running in this process with the collector tuned
_saved_threshold: tuple[int, ...] | None = None


def tune_collector(threshold: int) -> None:
    """Freeze what the process holds now and collect the young generation every
    ``threshold`` allocations; the process's first caller does it, see :func:`restore_collector`."""
    global _engines, _saved_threshold
    with _lock:
        _engines += 1
        if _engines == 1:
            _saved_threshold = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(threshold, *_saved_threshold[1:])


def restore_collector() -> None:
    """Undo :func:`tune_collector` once its last caller is done."""
    global _engines, _saved_threshold
    with _lock:
        if _engines == 0:
            return
        _engines -= 1
        if _engines == 0 and _saved_threshold is not None:
            gc.set_threshold(*_saved_threshold)
            gc.unfreeze()
            _saved_threshold = None


class CollectorTuning:
    def __init__(self, threshold: int):
        self.threshold = threshold
        self.tuned = False

    @classmethod
    def from_crawler(cls, crawler):
        threshold = crawler.settings.getint("SKILLENAI_GC_THRESHOLD", 0)
        if threshold <= 0:
            raise NotConfigured("SKILLENAI_GC_THRESHOLD is 0")
        extension = cls(threshold)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self):
        if not self.tuned:
            self.tuned = True
            tune_collector(self.threshold)

    def engine_stopped(self):
        if self.tuned:
            self.tuned = False
            restore_collector()
