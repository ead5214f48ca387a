"""Reading the labelled JSON Lines data files, with errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator


def read_objects(path: Path | str, error: type[Exception]) -> Iterator[tuple[str, int, dict]]:
    """``(where, line_number, object)`` for each non-blank line; ``error`` for a bad line.

    ``where`` is ``"file:line"``, for callers' own validation messages.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{where}: invalid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise error(f"{where}: expected a JSON object")
        yield where, lineno, row
