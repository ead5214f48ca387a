"""CollectorTuning: the garbage collector set for a crawl and given back after it."""

from __future__ import annotations

import gc
import weakref

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from skillenai.crawler.extensions import CollectorTuning
from skillenai.crawler.run import project_settings


def extension(threshold: int) -> CollectorTuning:
    return CollectorTuning.from_crawler(get_crawler(settings_dict={"SKILLENAI_GC_THRESHOLD": threshold}))


def test_the_collector_is_tuned_while_engines_run_and_restored_after_the_last():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    first, second = extension(12345), extension(999)
    first.engine_started()
    assert gc.get_threshold() == (12345, *before[1:])
    assert gc.get_freeze_count() > frozen
    second.engine_started()  # a second crawler of the same process changes nothing
    assert gc.get_threshold() == (12345, *before[1:])
    first.engine_stopped()
    first.engine_stopped()  # a repeated signal does not end the other engine's tuning
    assert gc.get_threshold() == (12345, *before[1:])
    second.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


class _Node:
    other: "_Node | None" = None


def test_garbage_made_during_the_crawl_is_still_collected():
    before = gc.get_threshold()
    tuning = extension(50)
    tuning.engine_started()
    try:
        refs = []
        for _ in range(100):  # pairs that refer to each other and to nothing else
            a, b = _Node(), _Node()
            a.other, b.other = b, a
            refs += [weakref.ref(a), weakref.ref(b)]
        del a, b
        gc.collect()
        assert not any(ref() for ref in refs)
    finally:
        tuning.engine_stopped()
    assert gc.get_threshold() == before


def test_zero_leaves_the_collector_alone():
    with pytest.raises(NotConfigured):
        extension(0)


def test_the_project_enables_it():
    settings = project_settings()
    assert settings.getwithbase("EXTENSIONS")["skillenai.crawler.extensions.CollectorTuning"] == 0
    assert settings.getint("SKILLENAI_GC_THRESHOLD") > 700
