"""What every shipped model shares: the held-out split, the floors, and how a model is
saved, trusted, loaded, and trained when its file is missing.

Models live in ``skillenai/classify/models`` as skops files, never pickles; a file is
loaded only if every type in it is one of the trusted libraries'. A missing model is
trained from the shipped data on first use; where the install is read-only (a system
package, a container image) the trained model is kept in memory instead of saved.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

log = logging.getLogger(__name__)

# The only code a shipped model may name: scikit-learn, NumPy and SciPy, and plain containers.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")

T = TypeVar("T")


def held_out(key: str, percent: int) -> bool:
    """Whether the example keyed ``key`` is in the held-out ``percent`` of the data.

    The same key always lands on the same side, whatever else the data holds, so the
    split survives added examples and near-identical examples share a side when they
    share a key (a URL, a normalised title, a posting's text).

    >>> held_out("https://example.com/jobs/1", 25), held_out("https://example.com/jobs/1", 25)
    (False, False)
    """
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be between 0 and 100, got {percent}")
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 100 < percent


def split(items: Sequence[T], keys: Sequence[str], percent: int) -> tuple[list[T], list[T]]:
    """``(train, test)``: the items whose key is :func:`held_out` go to ``test``, order kept."""
    train, test = [], []
    for item, key in zip(items, keys, strict=True):
        (test if held_out(key, percent) else train).append(item)
    return train, test


def read_floors(path: Path | str) -> dict:
    """A model's quality floors (a JSON object): the minimum scores its evaluation must
    reach; tests enforce them, and they are raised, never lowered."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None


def save_model(model: Any, path: Path) -> None:
    from skops.io import dump

    path.parent.mkdir(parents=True, exist_ok=True)
    dump(model, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)


def check_trusted(path: Path, trusted: Callable[[str], bool] | None = None) -> list[str]:
    """The types a skops file asks to trust, after refusing any outside the trust policy.

    ``trusted`` narrows or widens the policy for one model (default: :data:`TRUSTED_PREFIXES`).
    """
    from skops.io import get_untrusted_types

    allowed = trusted or (lambda name: name.startswith(TRUSTED_PREFIXES))
    untrusted = get_untrusted_types(file=path)
    unexpected = [t for t in untrusted if not allowed(t)]
    if unexpected:
        raise ValueError(f"{path}: refusing to load unexpected types {unexpected}")
    return untrusted


def load_model(path: Path, trusted: Callable[[str], bool] | None = None) -> Any:
    """Load a shipped skops model under the trust policy (see :func:`check_trusted`)."""
    from skops.io import load

    return load(path, trusted=check_trusted(path, trusted))


def load_or_train(path: Path, fit: Callable[[], T], save: Callable[[T, Path], None] = save_model,
                  load: Callable[[Path], T] = load_model) -> T:
    """The model at ``path``; when the file is missing, ``fit()`` one from the shipped data
    and save it there, or keep it in memory when the install cannot be written."""
    if path.exists():
        return load(path)
    log.warning("%s is missing: training it from the shipped data", path)
    model = fit()
    try:
        save(model, path)
    except OSError as exc:  # read-only install: the model still serves this process
        log.warning("could not save %s (%s); using the model trained in memory", path, exc)
    return model
