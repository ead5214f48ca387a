"""Saving and loading the models shipped in ``skillenai/classify/models`` (skops, never pickle)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


def save_model(model: Any, path: Path) -> None:
    from skops.io import dump

    path.parent.mkdir(parents=True, exist_ok=True)
    dump(model, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)


def load_model(path: Path) -> Any:
    """Load a shipped skops model, trusting only scikit-learn, NumPy and SciPy types."""
    from skops.io import get_untrusted_types, load

    untrusted = get_untrusted_types(file=path)
    unexpected = [t for t in untrusted if not t.startswith(_TRUSTED_PREFIXES)]
    if unexpected:
        raise ValueError(f"{path}: refusing to load unexpected types {unexpected}")
    return load(path, trusted=untrusted)
