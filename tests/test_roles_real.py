"""Role families and SOC occupations on real titles (evaluation/roles_real.py): the figures
stay above their floors, the training data holds no held-out title, and the failure kinds
seen on real postings each stay fixed."""

import csv
import json

import pytest

from evaluation import roles_real
from skillenai.classify import roles
from skillenai.classify.occupations import NOT_A_JOB, classify_occupation, family_of, soc_structure
from skillenai.classify.roles import normalize_title
from skillenai.classify.titles import classify_title, classify_titles


@pytest.fixture(scope="module")
def figures():
    return roles_real.evaluate()


@pytest.mark.parametrize("part", ["held_out", "all"])
def test_real_titles_stay_above_their_floors(figures, part):
    got, floors = figures[part], roles_real.floors()[part]
    below = {k: (got[k], v) for k, v in floors.items() if k != "unclassified" and got[k] < v}
    assert not below, f"below the floor (got, floor): {below}; errors: {got['errors'][:10]}"
    assert got["unclassified"] <= floors["unclassified"], got["unclassified"]


def test_the_labels_are_whole_and_the_training_data_holds_no_held_out_title():
    rows = roles_real.read_titles()
    assert len(rows) == len({r["title"] for r in rows}) == 504
    assert {r["split"] for r in rows} == {"train", "held_out"}
    structure = soc_structure()
    for r in rows:
        assert r["family"] in set(roles.families()) | {"Other"}, r
        assert structure[r["soc"]].level == "detailed", r
    held = {normalize_title(r["title"]) for r in rows if r["split"] == "held_out"}
    training_only = roles_real.read_titles(roles_real.TRAINING_ONLY)
    assert len(training_only) == len({r["title"] for r in training_only}) >= 300
    assert {r["split"] for r in training_only} == {"train"}
    assert not {r["title"] for r in training_only} & {r["title"] for r in rows}
    for r in training_only:
        assert r["family"] in set(roles.families()) | {"Other"}, r
        assert structure[r["soc"]].level == "detailed", r
        assert r["source"] and r["soc_confidence"] in ("high", "low"), r
    train = [r["title"] for r in rows if r["split"] == "train"] + [r["title"] for r in training_only]
    with roles.REAL_TITLES_PATH.open(encoding="utf-8", newline="") as fh:
        shipped = [row["title"] for row in csv.DictReader(fh)]
    assert shipped == train  # python -m tools.make_role_labels
    with roles.WRITTEN_TITLES_PATH.open(encoding="utf-8", newline="") as fh:
        written = [row["title"] for row in csv.DictReader(fh)]
    leaked = [t for t in shipped + written if normalize_title(t) in held]
    assert not leaked, leaked


# Clinical, manufacturing, IT support and networking titles fell in no family and had no
# occupation: each now has its SOC code (and the family where one of the 36 fits).
@pytest.mark.parametrize("title, family, code", [
    ("Surgical Tech II - Main OR", None, "29-2055"),
    ("Certified Surgical Technologist", None, "29-2055"),
    ("Pharmacist in Charge", None, "29-1051"),
    ("Outpatient Physical Therapist", None, "29-1123"),
    ("Medical Assistant - Pediatrics", None, "31-9092"),
    ("Assembler I - 2nd Shift", None, "51-2092"),
    ("Senior Process Engineer", None, "17-2112"),
    ("IT Support Technician", "IT Support", "15-1232"),
    ("Service Desk Technician", "IT Support", "15-1232"),
    ("Senior Network Engineer", "IT Support", "15-1241"),
    ("LPN - Skilled Nursing Facility", "Nursing", "29-2061"),
])
def test_titles_outside_the_tech_families_get_an_occupation(title, family, code):
    role, occupation = classify_title(title)
    assert (role.name if role else None) == family
    assert occupation.code == code, occupation


# One word decided the family: a pitch after the title, a "for ..." clause, "Design" in an
# engineer's title.
def test_a_pitch_after_the_title_does_not_decide():
    role, occupation = classify_title("Biomedical Engineer - Amazing Company Culture!")
    assert role is None or role.name != "People / HR"
    assert occupation.code == "17-2031"


def test_what_the_job_is_for_does_not_decide():
    role, occupation = classify_title("Atmospheric Scientist for Aviation Support")
    assert role is not None and role.name == "Research Scientist"
    assert occupation.code == "19-2021"


def test_the_department_tells_a_design_engineer_apart():
    role, occupation = classify_title("Design Engineer", "Web Frontend")
    assert role.name == "Frontend Engineer" and occupation.code == "15-1254"
    role, _ = classify_title("Design Engineer", "Hardware")
    assert role.name == "Hardware Engineer"


def test_every_title_gets_an_occupation_or_a_reason():
    got = classify_titles(["", "Open Application", "Talent Pool - Future Opportunities", "zzqx vvbn"])
    assert [o.reason for _, o in got[:3]] == ["empty title", NOT_A_JOB, NOT_A_JOB]
    assert got[3][1].code is None and got[3][1].reason.startswith("low confidence: top score ")
    assert all(role is None for role, _ in got)
    occupation = classify_occupation("Staff Software Engineer, Payments")
    assert occupation.code == "15-1252" and occupation.title == "Software Developers"
    assert occupation.as_dict()["major_title"] == "Computer and Mathematical Occupations"


def test_the_families_roll_up_from_occupations():
    assert family_of("15-1212") == "Security Engineer"
    assert family_of("19-2021") == "Research Scientist"  # through its minor group 19-2000
    assert family_of("51-2092") == "Other"  # through its major group
    assert family_of(None) is None


def test_the_evaluation_prints(capsys):
    assert roles_real.main(["--errors", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("held out: 145 real titles: family ") and "all (training titles included)" in out
    assert roles_real.main(["--json", "--errors", "0"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"held_out", "all"}
