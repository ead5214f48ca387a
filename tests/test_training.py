"""The scaffolding every shipped model shares (skillenai/classify/training.py): the split,
the trust policy, and training a missing model, also where the install is read-only."""

import logging

import pytest

from skillenai.classify import roles, training


def test_held_out_is_stable_and_near_the_share():
    keys = [f"https://example.com/jobs/{i}" for i in range(4000)]
    first = [training.held_out(k, 20) for k in keys]
    assert first == [training.held_out(k, 20) for k in keys]
    assert 0.17 < sum(first) / len(keys) < 0.23
    train, test = training.split(keys, keys, 20)
    assert len(train) + len(test) == len(keys) and set(test) == {k for k, t in zip(keys, first) if t}
    with pytest.raises(ValueError, match="percent"):
        training.held_out("x", 101)


def test_a_model_with_foreign_types_is_refused(tmp_path):
    path = tmp_path / "model.skops"
    training.save_model({"weights": logging.Formatter()}, path)  # code from outside the trusted libraries
    with pytest.raises(ValueError, match="refusing to load unexpected types"):
        training.load_model(path)


def test_missing_model_is_trained_and_saved(tmp_path):
    path = tmp_path / "models" / "role.skops"
    model = training.load_or_train(path, roles._fit_final)
    assert path.exists()
    # Reproducible from the files in the repository: the same predictions as the shipped model.
    titles = ["Senior Data Engineer", "Staff Software Engineer, Payments", "Registered Nurse - ICU", "Barista"]
    shipped = training.load_model(roles.MODEL_PATH)
    assert [f for f, _ in roles.family_scores(titles, model)] == [f for f, _ in roles.family_scores(titles, shipped)]


def test_read_only_install_keeps_the_trained_model_in_memory(tmp_path, caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    path = blocker / "model.skops"  # its parent is a file: saving fails as on a read-only install
    fitted = []
    with caplog.at_level(logging.WARNING, logger="skillenai.classify.training"):
        model = training.load_or_train(path, lambda: fitted.append(1) or {"fitted": True})
    assert model == {"fitted": True} and fitted == [1]
    assert not path.exists()
    assert "using the model trained in memory" in caplog.text
