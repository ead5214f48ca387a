"""The SOC 2018 data shipped for the occupation model (tools/build_soc.py) and the model's
own data files."""

import csv
from collections import Counter

from skillenai.classify import occupations
from skillenai.classify.occupations import soc_structure, soc_title


def test_the_structure_is_whole():
    structure = soc_structure()
    assert Counter(g.level for g in structure.values()) == {"major": 23, "minor": 98, "broad": 459, "detailed": 867}
    for g in structure.values():
        assert g.title, g
        if g.level != "major":
            parent = structure[g.parent]
            assert ["major", "minor", "broad", "detailed"].index(parent.level) + 1 == \
                ["major", "minor", "broad", "detailed"].index(g.level), g
    assert soc_title("15-1252") == "Software Developers"
    assert soc_title("29-1210") == "Physicians"  # the broad group that spans 29-1211..29-1229


def test_every_onet_occupation_and_alias_names_a_detailed_code():
    structure = soc_structure()
    with occupations.ONET_PATH.open(encoding="utf-8", newline="") as fh:
        onet = list(csv.DictReader(fh, delimiter="\t"))
    assert len(onet) == 1016
    assert {r["soc_code"] for r in onet} == {c for c, g in structure.items() if g.level == "detailed"}
    titles, codes = occupations.training_examples()
    assert len(titles) == len(codes) > 4000
    assert all(structure[c].level == "detailed" for c in codes)


def test_bad_data_is_reported_with_its_place(tmp_path, monkeypatch):
    bad = tmp_path / "aliases.csv"
    bad.write_text("title,soc\nbackend engineer,15-1250\n", encoding="utf-8")
    monkeypatch.setattr(occupations, "ALIASES_PATH", bad)
    try:
        occupations.training_examples()
    except ValueError as exc:
        assert str(exc) == f"{bad}:2: '15-1250' is not a SOC 2018 detailed occupation"
    else:
        raise AssertionError("a broad group accepted as an occupation")


def test_the_neighbour_search_is_scikit_learns_exactly():
    # nearest_titles skips scaling the labelled titles again on every call; the distances,
    # the neighbours and the order of ties must stay kneighbors' own, on real titles.
    import numpy as np
    from sklearn.preprocessing import normalize

    from skillenai.classify.roles import normalize_title, read_labelled_titles

    model = occupations._model()
    norms = [normalize_title(r["title"]) for r in read_labelled_titles()]
    norms += occupations.training_examples()[0][::7]
    matrix = normalize(model["features"].transform(norms))
    want = model["index"].kneighbors(matrix)
    got = occupations.nearest_titles(model["index"], matrix)
    assert len(norms) > 1000
    assert np.array_equal(got[1], want[1])
    assert np.array_equal(got[0], want[0])
