"""Quality gate for skill tagging: floors in skillenai/classify/data/skills/floors.json never go down."""

import json

import pytest

from skillenai.classify.skills import disambiguate
from skillenai.classify.skills.disambiguate import (
    CONTEXTS_FILE,
    FEATURE_VERSION,
    DisambiguatorDataError,
    data_digest,
    evaluate,
    load_disambiguator,
    read_examples,
)
from skillenai.classify.skills.matcher import EVAL_FILE, SnippetDataError, evaluate_snippets, read_snippets
from skillenai.classify.skills.taxonomy import DATA_DIR, load_taxonomy

FLOORS = json.loads((DATA_DIR / "floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def held_out():
    return evaluate()


def test_snippet_precision_and_recall_floors():
    report = evaluate_snippets()
    floors = FLOORS["snippets"]
    detail = json.dumps(report["errors"][:10], indent=1)
    assert report["snippets"] >= 150
    assert report["precision"] >= floors["precision"], detail
    assert report["recall"] >= floors["recall"], detail


def test_snippets_cover_many_industries():
    snippets = read_snippets()
    t = load_taxonomy()
    categories = {t.lookup(name).category for s in snippets for name in s["skills"]}
    assert len(categories) >= 25
    assert {s["kind"] for s in snippets} == {"posting", "article"}


def test_disambiguator_floors(held_out):
    floors = FLOORS["disambiguator"]
    overall = held_out["overall"]
    assert overall["n"] >= 300
    for key in ("accuracy", "precision", "recall"):
        assert overall[key] >= floors[key], (key, overall)
    weak = {
        alias: row["accuracy"]
        for alias, row in held_out["aliases"].items()
        if row["n"] >= floors["alias_min_examples"] and row["accuracy"] < floors["alias_accuracy"]
    }
    assert not weak


def test_training_data_is_large_and_balanced():
    examples = read_examples()
    assert len(examples) >= 1500
    by_alias = {}
    for ex in examples:
        by_alias.setdefault(ex.alias, set()).add(ex.label)
    assert len(by_alias) >= 30
    assert sum(1 for labels in by_alias.values() if labels == {0, 1}) >= 30
    held = sum(ex.held_out for ex in examples)
    assert 0.1 < held / len(examples) < 0.3


def test_shipped_model_matches_the_data():
    model = load_disambiguator()
    assert model.meta["feature_version"] == FEATURE_VERSION
    assert model.meta["data_sha1"] == data_digest(), (
        "the skill data changed since the model was trained: run skillenai.classify.skills.matcher.train_skill_models()"
    )


def test_fast_scorer_equals_predict_proba():
    model = load_disambiguator()
    taxonomy = load_taxonomy()
    examples = [ex for ex in read_examples(taxonomy=taxonomy) if ex.held_out][:200]
    feats = disambiguate._featurise(examples, taxonomy)
    expected = model.pipeline.predict_proba(feats)[:, 1]
    got = [model.probability(f) for f in feats]
    assert max(abs(a - b) for a, b in zip(got, expected)) < 1e-9


def test_contexts_loader_names_file_and_line(tmp_path):
    bad = tmp_path / "ctx.jsonl"
    good = json.dumps({"text": "We write Go.", "alias": "Go", "start": 9, "end": 11, "label": 1})
    bad.write_text(good + "\n{not json\n", encoding="utf-8")
    with pytest.raises(DisambiguatorDataError, match=r"ctx\.jsonl:2: invalid JSON"):
        read_examples(bad)
    bad.write_text(json.dumps({"text": "We write Go.", "alias": "Go", "start": 0, "end": 2, "label": 1}) + "\n")
    with pytest.raises(DisambiguatorDataError, match=r"ctx\.jsonl:1: text\[0:2\] is 'We', not the alias 'Go'"):
        read_examples(bad)
    bad.write_text(json.dumps({"text": "Python", "alias": "Python", "start": 0, "end": 6, "label": 1}) + "\n")
    with pytest.raises(DisambiguatorDataError, match=r"ctx\.jsonl:1: 'Python' is not an ambiguous alias"):
        read_examples(bad)


def test_snippets_loader_names_file_and_line(tmp_path):
    bad = tmp_path / "snips.jsonl"
    bad.write_text(json.dumps({"id": "x", "kind": "posting", "text": "Go", "skills": ["Kubernets"]}) + "\n")
    with pytest.raises(SnippetDataError, match=r"snips\.jsonl:1: skills names 'Kubernets'.*Kubernetes"):
        read_snippets(bad)


def test_eval_file_is_the_shipped_one():
    assert EVAL_FILE.exists() and CONTEXTS_FILE.exists()


@pytest.mark.heavy
def test_retraining_reproduces_the_shipped_model(tmp_path):
    """Training is deterministic: a fresh model scores every held-out mention identically."""
    taxonomy = load_taxonomy()
    examples = read_examples(taxonomy=taxonomy)
    fresh = disambiguate.fit_disambiguator([ex for ex in examples if not ex.held_out], taxonomy)
    shipped = load_disambiguator()
    feats = disambiguate._featurise([ex for ex in examples if ex.held_out], taxonomy)
    assert max(abs(fresh.probability(f) - shipped.probability(f)) for f in feats) < 1e-9


@pytest.mark.heavy
def test_missing_model_is_retrained(tmp_path, monkeypatch):
    target = tmp_path / "skill_disambiguator.skops"
    load_disambiguator.cache_clear()
    try:
        model = load_disambiguator(str(target))
        assert target.exists() and model.meta["feature_version"] == FEATURE_VERSION
    finally:
        load_disambiguator.cache_clear()
