"""Dedupe on real postings (evaluation/dedupe_real.py): the labelled pairs are whole, the
split is the documented one, and the held-out figures stay above their floors."""

from collections import Counter

import pytest

from evaluation import dedupe_real


@pytest.fixture(scope="module")
def result():
    return dedupe_real.evaluate()


def test_the_labels_are_whole():
    pairs = dedupe_real.read_pairs()
    postings = {r["id"] for r in dedupe_real.read_postings()}
    assert len(postings) == 1216
    assert Counter(p["label"] for p in pairs) == {"same": 34, "same_job_other_place": 175, "different": 561}
    assert all(p["a"] in postings and p["b"] in postings and p["a"] != p["b"] for p in pairs)
    assert len({frozenset((p["a"], p["b"])) for p in pairs}) == len(pairs)


def test_the_pairs_added_after_the_split_are_whole_and_new():
    added = dedupe_real.read_added()
    postings = {r["id"] for r in dedupe_real.read_postings()}
    assert Counter(p["label"] for p in added) == {"same": 1, "different": 60}
    assert all(p["a"] in postings and p["b"] in postings and p["a"] != p["b"] and p["part"] == "added"
               for p in added)
    keys = [frozenset((p["a"], p["b"])) for p in added]
    assert len(set(keys)) == len(keys)
    assert not set(keys) & {frozenset((p["a"], p["b"])) for p in dedupe_real.read_pairs()}


def test_the_split_is_the_documented_one_and_keeps_postings_apart():
    pairs = dedupe_real.read_pairs()
    split = dedupe_real.assign_parts(pairs)
    assert all(p["part"] == split[(p["a"], p["b"])] for p in pairs)
    sides = {part: {x for p in pairs if p["part"] == part for x in (p["a"], p["b"])} for part in dedupe_real.PARTS}
    assert not sides["tune"] & sides["held_out"]
    assert Counter((p["part"], p["label"]) for p in pairs)[("held_out", "same")] == 16


def test_scoring_counts_clusters_and_groups():
    pairs = [{"a": "x", "b": "y", "label": "same", "kind": "k", "why": "", "jaccard": 1.0},
             {"a": "x", "b": "z", "label": "different", "kind": "other_level", "why": "", "jaccard": 1.0},
             {"a": "y", "b": "w", "label": "same_job_other_place", "kind": "per_city", "why": "", "jaccard": 1.0}]
    ids = {"x": "1", "y": "2", "z": "3", "w": "4"}
    got = dedupe_real.score(pairs, ids, {"1": "1", "2": "1", "3": "1", "4": "4"}, {"1": "1", "2": "1", "3": "1",
                                                                                    "4": "1"})
    assert (got["tp"], got["fp"], got["fn"], got["place_grouped"]) == (1, 1, 0, 1)
    assert got["precision"] == 0.5 and got["different_by_kind"] == {"other_level": {"pairs": 1, "merged": 1}}


def test_held_out_figures_stay_above_their_floors(result):
    floors = dedupe_real.floors()
    got = result["held_out"]
    below = {k: (got[k], v) for k, v in floors["held_out"].items() if got[k] < v}
    above = {k: (got[k], v) for k, v in floors["held_out_ceilings"].items() if got[k] > v}
    above.update({f"added {k}": (result["added"][k], v) for k, v in floors.get("added_ceilings", {}).items()
                  if result["added"][k] > v})
    assert not below and not above, f"(got, floor): below {below}, above the ceiling {above}"
    # Three trimmed Lever fixtures carry a text too short to store (record validation):
    # their pairs are the only ones left unscored.
    assert sorted(result["refused_postings"]) == [f"netlify__postings#{x}" for x in (
        "a1b2c3d4-1111-2222-3333-444455556666", "b2c3d4e5-2222-3333-4444-555566667777",
        "c3d4e5f6-3333-4444-5555-666677778888")]
