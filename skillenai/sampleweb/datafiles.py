"""The sample web's data files (``skillenai/sampleweb/data/*.json``), read once on first use."""

import json
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """The parsed data file ``data/{name}.json``. Keys starting with ``_`` are comments."""
    path = DATA_DIR / f"{name}.json"
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
    return {k: v for k, v in data.items() if not k.startswith("_")} if isinstance(data, dict) else data
