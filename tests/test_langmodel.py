"""The language model's cached copy: same answers as py3langid's own, and a safe fallback."""

import logging

import numpy as np
import pytest
from py3langid import langid

from skillenai.classify import langmodel

TEXTS = [
    "We are hiring a senior data engineer to build pipelines in Python and SQL on AWS.",
    "Wir suchen eine erfahrene Entwicklerin für unser Plattform-Team in Berlin, gerne auch remote.",
    "Nous recherchons un ingénieur logiciel passionné pour rejoindre notre équipe à Lyon.",
    "Buscamos un desarrollador con experiencia en Python y bases de datos para Madrid.",
    "Ищем опытного разработчика для работы над нашей платформой данных в Москве.",
    "我们正在寻找一名有经验的软件工程师加入我们在上海的团队。",
]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, and py3langid's identifier unloaded (restored afterwards)."""
    monkeypatch.setenv("SKILLENAI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(langid, "IDENTIFIER", None)
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def reference():
    own = langid._load_identifier()
    return [own.classify(text) for text in TEXTS]


def _unload(monkeypatch):
    monkeypatch.setattr(langid, "IDENTIFIER", None)


def test_the_cached_copy_answers_as_py3langids_own_model(cache, reference, monkeypatch):
    first = langmodel.identifier()  # reads py3langid's model and writes the copy
    assert [first.classify(text) for text in TEXTS] == reference
    [folder] = cache.iterdir()
    assert folder.name.startswith("py3langid-") and (folder / "ptc.npy").exists()
    _unload(monkeypatch)
    cached = langmodel.identifier()
    assert isinstance(cached.nb_ptc, np.memmap)  # read from the copy this time
    assert [cached.classify(text) for text in TEXTS] == reference
    assert langid.IDENTIFIER is cached  # py3langid.classify uses it too
    assert [langid.classify(text) for text in TEXTS] == reference


def test_a_damaged_copy_is_named_replaced_and_the_packaged_model_used(cache, reference, monkeypatch, caplog):
    langmodel.identifier()
    [folder] = cache.iterdir()
    (folder / "ptc.npy").write_bytes(b"\x93NUMPY not an array")
    _unload(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="skillenai.classify.langmodel"):
        again = langmodel.identifier()
    assert "cached language model" in caplog.text and "unusable" in caplog.text and folder.name in caplog.text
    assert [again.classify(text) for text in TEXTS] == reference
    _unload(monkeypatch)  # the damaged copy was replaced
    assert isinstance(langmodel.identifier().nb_ptc, np.memmap)


def test_an_unwritable_cache_only_costs_time(tmp_path, reference, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SKILLENAI_CACHE_DIR", str(blocker / "cache"))
    _unload(monkeypatch)
    loaded = langmodel.identifier()
    assert [loaded.classify(text) for text in TEXTS] == reference
    assert blocker.read_text() == "not a folder"
