"""Page parsing in worker processes, so the crawl's reactor thread fetches and stores.

Scrapy runs every callback on one thread of one core, and parsing a page (lxml, JSON-LD,
trafilatura, the document-kind model) costs more CPU than fetching it. With
``SKILLENAI_PARSE_WORKERS`` above 0, the page spiders hand each page to that many worker
processes and await the result, so a second core parses while the first fetches; 0
parses in the callback, as a plain Scrapy project would.

One pool serves every spider of the process (``skillenai demo`` runs five at once). Its
processes are spawned, not forked: a fork would copy the running reactor and its sockets.
They start with the first page-parsing spider and end with the process.

Each worker has a request pipe and a result pipe; the event loop reads the results like
any socket: no helper threads. ``concurrent.futures.ProcessPoolExecutor`` did the same job with a feeder
and a manager thread in this process, and its hand-offs between them and the reactor cost
the crawl's thread 0.3 ms a page, sixfold what the pipe costs (BENCHMARKS.md).
Pages wait in a worker's request pipe, grown to 1 MB, up to half of what it surely holds:
the worker has the next page at hand, and a write never waits and never holds up the reactor.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import logging
import multiprocessing
import pickle
import signal
from collections import deque
from typing import Any, Callable

logger = logging.getLogger(__name__)

# A worker's request pipe, grown to this where the system allows (Linux does), so that it
# still has pages to parse while the reactor is busy elsewhere (a store batch, a sitemap);
# _Worker.pump fills half of it at most, so a write never waits.
_PIPE_BYTES = 1024 * 1024
_DEFAULT_PIPE_BYTES = 64 * 1024


class WorkerDied(RuntimeError):
    """A parsing process ended (killed, out of memory) before answering."""


def _serve(requests: Any, results: Any) -> None:
    """A worker: call what comes down the pipe, send back the result or the exception."""
    # Ctrl-C reaches the whole process group; the crawl decides when parsing ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task_id, fn, args = pickle.loads(requests.recv_bytes())
        except EOFError:
            return
        try:
            reply = (task_id, True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - the caller re-raises it
            reply = (task_id, False, exc)
        try:
            message = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an unpicklable result or exception
            message = pickle.dumps((task_id, False, RuntimeError(f"{getattr(fn, '__name__', fn)}: {exc!r}")))
        try:
            results.send_bytes(message)
        except (BrokenPipeError, ConnectionResetError):
            return  # the crawl ended (or stopped early) and closed its end


def _grow_pipe(conn: Any) -> int:
    """The bytes ``conn``'s pipe holds, grown to :data:`_PIPE_BYTES` where the system allows."""
    try:
        import fcntl

        return fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        return _DEFAULT_PIPE_BYTES


class _Worker:
    def __init__(self, context: Any):
        their_requests, self.requests = context.Pipe(duplex=False)
        self.results, their_results = context.Pipe(duplex=False)
        self.capacity = _grow_pipe(self.requests)
        self.process = context.Process(target=_serve, args=(their_requests, their_results), daemon=True,
                                       name="skillenai-parse")
        self.process.start()
        their_requests.close()
        their_results.close()
        self.sent: dict[int, tuple[asyncio.Future | None, int]] = {}  # task → (future or None, bytes)
        self.sent_bytes = 0
        self.queued: deque[tuple[int, bytes, asyncio.Future | None]] = deque()

    @property
    def load(self) -> int:
        return len(self.sent) + len(self.queued)

    def pump(self) -> None:
        """Send queued pages while the pipe surely has room for them (one at a time when it
        has none). A pipe holds its bytes in 4 KB pages, a write may start a new page and
        long messages are written in two parts: each message is counted as the pages it
        may take, against half of the pipe."""
        while self.queued:
            size = (len(self.queued[0][1]) // 4096 + 2) * 4096
            if self.sent and self.sent_bytes + size > self.capacity // 2:
                return
            task_id, message, future = self.queued.popleft()
            self.sent[task_id] = (future, size)
            self.sent_bytes += size
            self.requests.send_bytes(message)

    def answered(self, task_id: int) -> asyncio.Future | None:
        future, size = self.sent.pop(task_id, (None, 0))
        self.sent_bytes -= size
        return future

    def futures(self) -> list[asyncio.Future]:
        return [f for f, _ in self.sent.values() if f is not None] + [q[2] for q in self.queued if q[2] is not None]


class _Pool:
    def __init__(self, size: int):
        context = multiprocessing.get_context("spawn")
        self.size = size
        self.workers = [_Worker(context) for _ in range(size)]
        self.ids = itertools.count()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.broken = False

    def submit(self, fn: Callable[..., Any], args: tuple, future: asyncio.Future | None) -> None:
        task_id = next(self.ids)
        message = pickle.dumps((task_id, fn, args), protocol=pickle.HIGHEST_PROTOCOL)
        worker = min(self.workers, key=lambda w: w.load)
        worker.queued.append((task_id, message, future))
        try:
            worker.pump()
        except OSError:
            self._died(worker)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read the workers' pipes from ``loop`` (the reactor's)."""
        if self.loop is loop:
            return
        if self.loop is not None:  # a new loop (tests run several): the old one's waiters are gone
            for worker in self.workers:
                self._forget_reader(worker)
                worker.sent = {task_id: (None, size) for task_id, (_, size) in worker.sent.items()}
                worker.queued = deque((i, m, None) for i, m, _ in worker.queued)
        self.loop = loop
        for worker in self.workers:
            loop.add_reader(worker.results.fileno(), self._readable, worker)

    def _readable(self, worker: _Worker) -> None:
        try:
            while worker.results.poll():
                task_id, ok, value = pickle.loads(worker.results.recv_bytes())
                future = worker.answered(task_id)
                if future is not None and not future.done():
                    future.set_result(value) if ok else future.set_exception(value)
            worker.pump()
        except (EOFError, OSError):
            self._died(worker)

    def _died(self, worker: _Worker) -> None:
        self.broken = True
        self._forget_reader(worker)
        for future in worker.futures():
            if not future.done():
                future.set_exception(WorkerDied(f"parsing process {worker.process.pid} ended "
                                                f"(exit code {worker.process.exitcode})"))
        worker.sent.clear()
        worker.sent_bytes = 0
        worker.queued.clear()

    def _forget_reader(self, worker: _Worker) -> None:
        if self.loop is not None and not self.loop.is_closed():
            try:
                self.loop.remove_reader(worker.results.fileno())
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        for worker in self.workers:
            self._forget_reader(worker)
            worker.requests.close()  # the worker ends on end of file
            worker.results.close()
        for worker in self.workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.terminate()


_pool: _Pool | None = None
_warmed = False


def _get_pool(workers: int) -> _Pool:
    global _pool
    if _pool is None or _pool.size != workers or _pool.broken:
        _discard()
        _pool = _Pool(workers)
    return _pool


def _discard() -> None:
    global _pool
    if _pool is not None:
        _pool.close()
        _pool = None


atexit.register(_discard)


def shutdown() -> None:
    """End the parsing processes (a crawl that ran its reactor to the end calls this): their
    memory (lxml, trafilatura, the models) is given back before the stages after the crawl
    run, and their CPU time counts in the crawl's. A later crawl starts new ones."""
    global _warmed
    _discard()
    _warmed = False


async def run_parse(workers: int, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a worker process (``workers`` > 0) or here; ``fn`` must be a
    module-level function whose arguments and result pickle (bytes, strings, dataclasses)."""
    if workers <= 0:
        return fn(*args)
    loop = asyncio.get_running_loop()
    pool = _get_pool(workers)
    pool.attach(loop)
    future = loop.create_future()
    pool.submit(fn, args, future)
    try:
        return await future
    except WorkerDied as exc:
        # Start new workers for the next pages, and parse this one here rather than lose it.
        logger.warning("%s; restarting the page-parsing processes", exc)
        _discard()
        return fn(*args)


def warm_up(workers: int) -> None:
    """Start the workers and have them load what parsing needs (lxml, trafilatura, the
    language and kind models: about a second) while the spider is still fetching robots.txt
    and sitemaps. Returns at once; the pages queue behind it."""
    global _warmed
    if workers > 0 and not _warmed:
        _warmed = True
        pool = _get_pool(workers)
        for _ in range(workers):
            pool.submit(_load_parsers, (), None)


def _load_parsers() -> None:
    """Import and load everything a page's parsing uses (0.5 s of CPU once py3langid's
    model is cached, see skillenai/classify/langmodel.py), so that the first pages do not wait on it."""
    import trafilatura.metadata  # noqa: F401

    import skillenai.crawler.parsing.pages  # noqa: F401
    from skillenai.classify.kind import _model
    from skillenai.classify.language import detect_language

    _model()
    detect_language("Warming up the language model with a sentence long enough to classify.")


def parse_page(body: bytes, url: str, content_type: str,
               metadata_kinds: tuple[str, ...] | None = None) -> tuple[Any, str | None]:
    """A fetched HTML page's documents (:func:`skillenai.crawler.parsing.pages.documents_from_page`) and the
    kind its main text reads as when it holds no structured posting.

    Postings without a structured salary get one read from their text (``salary_*``
    fields; an unstructured posting page's under ``"salary"``). All of this is CPU work
    done here so that the crawl's own thread only fetches and stores. The kept body is
    compressed by the crawl's thread (``normalize_raw``): this process is the busier of
    the two on a career-site crawl (BENCHMARKS.md).
    ``metadata_kinds``: see :func:`~skillenai.crawler.parsing.pages.documents_from_page`.
    """
    from skillenai.classify.kind import classify_kind
    from skillenai.crawler.ats import salary_fields_from_text
    from skillenai.crawler.parsing.pages import documents_from_page

    found = documents_from_page(body, url, content_type, kind_of=classify_kind, metadata_kinds=metadata_kinds)
    for fields in found.postings:
        if fields.get("salary_min") is None:
            fields.update(salary_fields_from_text(fields.get("text") or "", fields.get("location_raw")))
    if found.kind == "posting":  # set only for a page without structured postings
        found.unstructured["salary"] = salary_fields_from_text(found.unstructured["text"])
    return found, found.kind
