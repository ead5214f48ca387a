"""py3langid's language model, read once from an uncompressed copy kept in a cache folder.

py3langid ships its model LZMA-compressed and decompresses it in every process that
detects a language: 0.6-0.7 s of CPU (most of it LZMA) before the first page of a crawl's
parsing process, a tenth of that process's work on a crawl of 2,000 pages
(BENCHMARKS.md). The first process to need the model writes its arrays uncompressed to
``$SKILLENAI_CACHE_DIR`` (default ``$XDG_CACHE_HOME/skillenai``, else
``~/.cache/skillenai``); later ones map them from there in about 0.05 s, and share the
pages of the largest array through the system's page cache.

The copy is named after py3langid's version and the model file's size and modification
time, so an upgrade writes a new one. Anything that goes wrong with the cache (no
writable folder, a truncated copy, a py3langid whose internals changed) falls back to
py3langid's own loading; a copy that cannot be read is named in a warning and replaced.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from array import array
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_ARRAYS = ("ptc", "pc", "nextmove", "row", "output")
_TYPECODES = {2: "H", 4: "I", 8: "Q"}


def cache_root() -> Path:
    explicit = os.environ.get("SKILLENAI_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "skillenai"


def _model_file() -> Path:
    from py3langid import langid

    return Path(langid.MODEL_DIR) / langid.MODEL_FILE


def _cache_dir() -> Path:
    import py3langid

    stat = _model_file().stat()
    version = getattr(py3langid, "__version__", "unknown")
    return cache_root() / f"py3langid-{version}-{stat.st_size}-{stat.st_mtime_ns}"


def _as_array(values: Any) -> array:
    """A NumPy integer array as the stdlib ``array`` py3langid walks its DFA over."""
    import numpy as np

    values = np.ascontiguousarray(values)
    out = array(_TYPECODES[values.dtype.itemsize])
    out.frombytes(memoryview(values).cast("B"))  # one copy, straight from the mapped file
    return out


def _read(folder: Path) -> Any:
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    classes = json.loads((folder / "classes.json").read_text(encoding="utf-8"))
    # Mapped, not read: the pages of the 28 MB table are loaded as features touch them,
    # and shared by every process that maps them.
    ptc, pc, nextmove, row, output = (np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                                      for name in _ARRAYS)
    if ptc.ndim != 2 or ptc.shape[1] != len(classes) or pc.shape != (len(classes),):
        raise ValueError(f"inconsistent arrays in {folder}")
    return LanguageIdentifier(ptc, np.array(pc), classes, _as_array(nextmove), output.tolist(), tk_row=_as_array(row))


def _write(folder: Path, identifier: Any) -> None:
    import numpy as np

    folder.parent.mkdir(parents=True, exist_ok=True)
    # Written beside it and renamed into place: a reader never sees half a copy.
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        arrays = {
            "ptc": np.asarray(identifier.nb_ptc),
            "pc": np.asarray(identifier.nb_pc),
            "nextmove": np.frombuffer(identifier.tk_nextmove, dtype=f"u{identifier.tk_nextmove.itemsize}"),
            "row": np.frombuffer(identifier.tk_row, dtype=f"u{identifier.tk_row.itemsize}"),
            "output": np.asarray(identifier.tk_output, dtype=np.int32),
        }
        for name, values in arrays.items():
            np.save(staging / f"{name}.npy", values, allow_pickle=False)
        (staging / "classes.json").write_text(json.dumps(list(identifier.nb_classes)), encoding="utf-8")
        try:
            os.replace(staging, folder)
        except OSError:  # another process got there first
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def identifier() -> Any:
    """py3langid's identifier, installed as the one ``py3langid.classify`` uses."""
    from py3langid import langid

    if langid.IDENTIFIER is not None:
        return langid.IDENTIFIER
    loaded = folder = None
    try:
        folder = _cache_dir()
        if folder.is_dir():
            loaded = _read(folder)
    except Exception as exc:  # noqa: BLE001 - any failure here means: load it the usual way
        logger.warning("cached language model %s unusable (%s); reading py3langid's own and caching it anew",
                       folder, exc)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if loaded is None:
        loaded = langid._get_identifier()
        if folder is not None:
            try:
                _write(folder, loaded)
            except Exception as exc:  # noqa: BLE001 - a cache that cannot be written is only slower
                logger.info("language model not cached in %s: %s", folder, exc)
    langid.IDENTIFIER = loaded
    return loaded
