"""Stopping on SIGINT and SIGTERM between transactions, not in the middle of one.

The command line calls :func:`install` once. A first SIGINT (Ctrl-C) or SIGTERM
(``systemctl stop``, a scheduler's timeout) is only noted; every long loop calls
:func:`check` after each committed transaction, which raises :class:`Interrupted`, so the
store keeps whole batches and the command records ``interrupted`` and exits with
``128 + signal`` (130 for SIGINT, 143 for SIGTERM). A second signal stops at once: it
raises :class:`Interrupted` wherever the process is (an open transaction is rolled back).

While a crawl runs, Scrapy's reactor owns the process: :func:`forward` hands each signal
to the crawl (which stops gracefully on the first and at once on the second) instead.

Example:
    >>> reset()
    >>> check()             # nothing received: returns
    >>> received() is None
    True
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Callable, Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_received: int | None = None
_count = 0
_forward: Callable[[int, int], None] | None = None


class Interrupted(Exception):
    """The process was asked to stop (SIGINT or SIGTERM)."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")

    @property
    def exit_status(self) -> int:
        """The shell's convention: 128 + the signal's number (130 SIGINT, 143 SIGTERM)."""
        return 128 + self.signum


def _handler(signum: int, frame) -> None:
    global _received, _count
    _count += 1
    if _received is None:
        _received = signum
    if _forward is not None:
        _forward(signum, _count)
    elif _count > 1:
        raise Interrupted(signum)


def install() -> None:
    """Note SIGINT and SIGTERM instead of dying on them (see the module's text)."""
    for sig in SIGNALS:
        signal.signal(sig, _handler)


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """:func:`install` for the block (from a clean slate), then the handlers there were
    before; only the main thread can set handlers, elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    installed = [signal.getsignal(sig) for sig in SIGNALS]
    reset()
    install()
    try:
        yield
    finally:
        for sig, handler in zip(SIGNALS, installed):
            signal.signal(sig, handler)


def reset() -> None:
    """Forget signals received (a process that runs several commands, the tests)."""
    global _received, _count
    _received, _count = None, 0


def received() -> int | None:
    """The first signal received since :func:`install` (or :func:`reset`), if any."""
    return _received


def check() -> None:
    """Raise :class:`Interrupted` if a signal was received; call it between transactions."""
    if _received is not None:
        raise Interrupted(_received)


@contextlib.contextmanager
def forward(callback: Callable[[int, int], None]) -> Iterator[None]:
    """For the block, call ``callback(signum, count)`` on each signal (``count``: 1 for
    the first) instead of raising on the second; the signal is still noted."""
    global _forward
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous, _forward = _forward, callback
    installed = [signal.getsignal(sig) for sig in SIGNALS]
    install()
    try:
        yield
    finally:
        _forward = previous
        for sig, handler in zip(SIGNALS, installed):
            signal.signal(sig, handler)
