"""What every command module shares: the user-facing error and the progress line."""

from __future__ import annotations

import sys
import time


class CommandError(Exception):
    """A user-facing failure: printed as ``skillenai: error: …`` with exit status 2."""


def progress(stage: str):
    """A progress callback: a line per step on a terminal, sparse log lines otherwise."""
    started = time.monotonic()
    interactive = sys.stderr.isatty()
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if not interactive and now - last[0] < 10 and done < total:
            return
        last[0] = now
        elapsed = now - started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        end = "\r" if interactive and done < total else "\n"
        print(f"{stage}: {done}/{total} ({rate:.0f}/s, {left:.0f} s left)", end=end, file=sys.stderr, flush=True)

    return report
