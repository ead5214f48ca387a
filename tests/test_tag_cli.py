"""`skillenai tag` and `skillenai resolve`: the command-line contract other components use."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def run(args, stdin=""):
    return subprocess.run([sys.executable, "-m", "skillenai.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def test_tag_streams_documents_with_spans_metros_role_and_flags():
    docs = [
        {"id": "p1", "title": "Senior Backend Engineer", "location": "NYC or SF",
         "text": "You will build backend infrastructure in Python 3 and Go, run it on k8s, and react to incidents."},
        {"id": "p2", "title": "Registered Nurse - ICU", "location": ["Remote - US"],
         "text": "Care for critically ill patients. BLS certification required. Excel at teamwork."},
    ]
    result = run(["tag"], "\n".join(json.dumps(d) for d in docs) + "\n{broken\n")
    assert result.returncode == 1
    assert "<stdin>:3: skipped" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["p1", "p2"]
    first = out[0]
    names = {s["name"]: s for s in first["skills"]}
    assert {"Python", "Go", "Kubernetes", "Backend infrastructure"} <= set(names)
    assert "React" not in names
    text = docs[0]["text"]
    for skill in first["skills"]:
        for start, end in skill["spans"]:
            assert 0 <= start < end <= len(text)
    [[start, end]] = names["Python"]["spans"]
    assert text[start:end] == "Python 3"
    assert {m["name"] for m in first["metros"]} == {"New York City", "San Francisco"}
    assert first["role"]["name"] == "Backend Engineer"
    assert first["remote"] is False and first["kind"] == "posting" and first["workplace"] in (None, "onsite")
    second = out[1]
    assert second["remote"] is True and second["workplace"] == "remote" and second["metros"] == []
    assert second["role"]["name"] == "Nursing"
    assert "Microsoft Excel" not in {s["name"] for s in second["skills"]}


def test_resolve_skills_and_places():
    result = run(["resolve", "python3", "k8s", "Bengaluru", "qqzzxx"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["type"], r.get("name")) for r in lines] == [
        ("skill", "Python"), ("skill", "Kubernetes"), ("place", "Bengaluru"), (None, None)]
    assert lines[3]["suggestions"] == [] or isinstance(lines[3]["suggestions"], list)
    assert result.returncode == 1


def test_resolve_puts_a_skill_before_a_town_of_the_same_name():
    # Skill strings as employers type them; each is also a town or a role somewhere.
    result = run(["resolve", "Sales", "AJAX", "Mobile", "Testing", "Security", "Cloud", "UI", "DBA"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["type"], r["name"]) for r in lines] == [
        ("skill", "Sales"), ("skill", "AJAX"), ("skill", "Mobile development"), ("skill", "Software testing"),
        ("skill", "Cybersecurity"), ("skill", "Cloud computing"), ("skill", "User interface design"),
        ("skill", "Database administration")]
    sales = {c["type"]: c for c in lines[0]["candidates"]}
    assert sales["place"]["country"] == "BR" and sales["place"]["score"] < sales["skill"]["score"]
    assert result.returncode == 0


def test_resolve_one_kind():
    result = run(["resolve", "--kind", "place", "Sales", "Mobile"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["type"], r["name"], r["country"]) for r in lines] == [("place", "Sales", "BR"), ("place", "Mobile", "US")]
    assert "candidates" not in lines[0]
    role = json.loads(run(["resolve", "--kind", "role", "Sr. Data Engineer"]).stdout)
    assert role["type"] == "role" and role["name"] == "Data Engineer"
    bad = run(["resolve", "--kind", "metro", "NYC"])
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
