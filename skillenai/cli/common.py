"""What every command module shares: the exit statuses, the user-facing error, argument
types that check values before anything is opened, and the progress display.

Every mistake a user can make on the command line is one line on stderr, worded the same
way for every command (``skillenai: error: argument --date: expected a date YYYY-MM-DD,
got '2026-13-01'``), and exit status 2, before a store, a file or a server is opened.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from skillenai.core.progress import reporter
from skillenai.crawler.seeds import SPIDERS
from skillenai.store.db import StoreError, check_store

# The exit statuses (README.md, "Exit status"): a scheduler can act on them.
EXIT_OK = 0          # done, every check passed
EXIT_FAILED = 1      # done, but something needs a look: a monitor or a stage failed, input was skipped
EXIT_USAGE = 2       # a mistake in the command: nothing was done
EXIT_LOCKED = 3      # `daily`: another run holds the lock
# 130 (SIGINT) and 143 (SIGTERM): stopped by a signal after the current transaction.


class CommandError(Exception):
    """A user-facing failure: printed as ``skillenai: error: …`` with exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (no usage block) in the project's wording."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"skillenai: error: {message} (see '{self.prog} --help')\n")


def progress(stage: str):
    """A ``report(done, total)`` callback showing ``stage``'s progress on stderr
    (:func:`skillenai.core.progress.reporter`)."""
    return reporter(stage)


# Argument types: each says what it expected and what it got.

# Dates a command takes: windows reach back from them and weeks run past them, so the
# calendar's own ends (year 1 and 9999) are out.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
# The largest whole number SQLite stores (a cursor, a limit).
LARGEST = 2**63 - 1


def date_arg(value: str) -> dt.date:
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise argparse.ArgumentTypeError(f"expected a date from {FIRST_DATE} to {LAST_DATE}, got {value!r}")
    return date


def whole_number(low: int, high: int | None = None):
    """An argument type for a whole number in ``[low, high]`` (up to :data:`LARGEST`, what the
    store can hold, when ``high`` is None)."""
    bounded = high is not None
    high = high if bounded else LARGEST

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < low or number > high:
            expected = (f"a whole number from {low} to {high}" if bounded
                        else f"a whole number of at most {high}" if number is not None and number > high
                        else f"a whole number of at least {low}")
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value!r}")
        return number

    parse.__name__ = "whole number"
    return parse


def fraction(value: str) -> float:
    """A number above 0 and at most 1 (a similarity threshold)."""
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is None or not 0 < number <= 1:
        raise argparse.ArgumentTypeError(f"expected a number above 0 and at most 1, got {value!r}")
    return number


def spider_arg(value: str) -> str:
    if value not in SPIDERS:
        raise argparse.ArgumentTypeError(f"unknown spider {value!r} (expected one of {', '.join(SPIDERS)})")
    return value


# Stores: a command that reads one never creates it.

def existing_store(path: str) -> str:
    """``path`` if a store is there; otherwise a :class:`CommandError` saying what to run,
    or that the file there is not a store (looked at read-only)."""
    if path != ":memory:" and not Path(path).is_file():
        what = "is a directory" if Path(path).is_dir() else "does not exist"
        raise CommandError(f"store {path!r} {what} (create one with 'skillenai crawl --db {path}' or "
                           f"'skillenai demo --db {path}', or pass --db)")
    if path != ":memory:":
        _check(path, empty_ok=False)
    return path


def _check(path: str, *, empty_ok: bool) -> None:
    try:
        check_store(path, empty_ok=empty_ok)
    except StoreError as exc:
        raise CommandError(str(exc)) from None


def writable_store(path: str) -> str:
    """``path`` if a store is there or can be created there (its directory exists)."""
    if path == ":memory:":
        return path
    target = Path(path)
    if target.is_dir():
        raise CommandError(f"store {path!r} is a directory")
    if not target.parent.is_dir():
        raise CommandError(f"cannot create store {path!r}: directory {str(target.parent)!r} does not exist")
    if target.is_file():
        _check(path, empty_ok=True)
    return path
