"""Progress of a long stage on stderr, through tqdm.

On a terminal: tqdm's bar, with the count, the rate and the time left, redrawn in place.
Otherwise (a log file, a journal, a pipe): one plain line at the start, one every
:data:`PLAIN_INTERVAL` seconds while the stage goes on, and one at the end, so a
scheduler's log shows how far a run got without a stream of carriage returns.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> report = reporter("classify", stream=out)
    >>> report(0, 3); report(3, 3)
    >>> out.getvalue().splitlines()[-1].split(",")[0]
    'classify: 3/3 docs (100%)'
"""

from __future__ import annotations

import sys
from typing import IO, Callable

from tqdm import tqdm

PLAIN_INTERVAL = 5.0  # seconds between plain lines

# Plain lines: the count, the share done, the rate, the time left and the time so far.
_PLAIN = "{desc}: {n_fmt}/{total_fmt} {unit}s ({percentage:.0f}%), {rate_fmt}, {remaining} left, {elapsed} elapsed{postfix}"
_PLAIN_OPEN = "{desc}: {n_fmt} {unit}s, {rate_fmt}, {elapsed} elapsed{postfix}"  # no total known


class _Lines:
    """A stream for tqdm that writes each refresh as a line of its own."""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def write(self, text: str) -> None:
        line = text.strip("\r\n").rstrip()
        if line:
            self.stream.write(line + "\n")

    def flush(self) -> None:
        self.stream.flush()


def bar(stage: str, total: int | None = None, *, unit: str = "doc", initial: int = 0,
        stream: IO[str] | None = None) -> tqdm:
    """A tqdm bar for ``stage`` on ``stream`` (default stderr): a redrawn bar on a terminal,
    plain lines every few seconds otherwise. ``total`` may be ``None`` (unknown)."""
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return tqdm(total=total, desc=stage, unit=unit, initial=initial, file=stream, dynamic_ncols=True,
                    smoothing=0.1)
    return tqdm(total=total, desc=stage, unit=unit, initial=initial, file=_Lines(stream),
                mininterval=PLAIN_INTERVAL, maxinterval=PLAIN_INTERVAL,
                bar_format=_PLAIN if total is not None else _PLAIN_OPEN)


def reporter(stage: str, *, unit: str = "doc", stream: IO[str] | None = None) -> Callable[[int, int | None], None]:
    """A ``report(done, total)`` callback for the stages (dedupe, classify, extract, …).

    The bar starts at the first call, counting from the ``done`` it is given, so what the
    stage did before (loading models) does not count in the rate; it closes when ``done``
    reaches ``total``; a call after that starts another bar (a stage's next pass).
    """
    state: dict[str, tqdm] = {}

    def report(done: int, total: int | None) -> None:
        current = state.get("bar")
        if current is None or (current.disable and done < (current.total or 0)):
            # The first call, or a new pass after the last one closed (dedupe reads, then links).
            current = state["bar"] = bar(stage, total, unit=unit, initial=done, stream=stream)
            if done == 0 and total:
                return
        else:
            if total != current.total:
                current.total = total
            current.update(done - current.n)
        if total is not None and done >= total:
            current.close()

    return report
