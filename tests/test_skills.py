"""Skill taxonomy, matcher, resolver and context features (fast unit tests)."""

import json
import re

import pytest

from skillenai.classify.context import mention_context, word_shape
from skillenai.classify.skills.matcher import (
    SkillMatch,
    find_mentions,
    match_skills,
    resolve_skill,
    suggest_skills,
    tag_skills_batch,
)
from skillenai.classify.skills.taxonomy import (
    CATEGORIES_FILE,
    TaxonomyError,
    load_taxonomy,
)
from skillenai.core.ids import entity_id


def names(text):
    return [m.name for m in match_skills(text, spans=False)]


def by_name(text):
    return {m.name: m for m in match_skills(text, spans=False)}


# --------------------------------------------------------------------------- taxonomy


def test_taxonomy_is_large_and_well_formed():
    t = load_taxonomy()
    assert len(t) >= 1500
    ids = [s.id for s in t]
    assert len(set(ids)) == len(ids)
    for s in t:
        assert re.fullmatch(r"[0-9a-f]{16}", s.id)
        assert s.id == entity_id("skill", s.name)
        assert s.category in t.categories
        assert s.esco_uri is None or s.esco_uri.startswith("http://data.europa.eu/esco/")
    assert sum(1 for s in t if s.esco_uri) > 150


def test_canonical_names_people_expect():
    t = load_taxonomy()
    for name in [
        "Python", "Go", "JavaScript", "TypeScript", "Kubernetes", "PostgreSQL", "React", "Node.js",
        "Amazon Web Services", "Google Cloud Platform", "Microsoft Azure", "C++", "C#", ".NET",
        "CI/CD", "Machine learning", "Distributed systems", "Backend infrastructure", "Debugging",
        "System design", "Data pipelines", "Observability", "Incident response", "Salesforce",
        "HubSpot", "Microsoft Excel", "SAP", "Epic Systems", "Basic Life Support", "Teaching",
        "Communication", "Stakeholder management", "Leadership", "Mentoring", "Problem solving",
    ]:
        skill = t.lookup(name)
        assert skill is not None and skill.name == name, name


def test_rows_for_the_store():
    rows = load_taxonomy().rows()
    row = next(r for r in rows if r["name"] == "Kubernetes")
    assert set(row) == {"id", "name", "category", "aliases", "esco_uri", "lightcast_id", "source"}
    assert row["source"] == "project" and row["lightcast_id"] is None
    assert "k8s" in row["aliases"].split(" | ") or "K8s" in row["aliases"].split(" | ")
    assert row["category"] == "devops"


def test_load_taxonomy_is_cached():
    assert load_taxonomy() is load_taxonomy()


# --------------------------------------------------------------------------- loader errors


def _write_taxonomy(tmp_path, *files, stops=None):
    d = tmp_path / "taxonomy"
    d.mkdir()
    for i, body in enumerate(files):
        (d / f"f{i}.tsv").write_text("name\tcategory\taliases\tesco_uri\n" + body, encoding="utf-8")
    stop_file = tmp_path / "stops.txt"
    stop_file.write_text(stops or "", encoding="utf-8")
    return d, stop_file


def _load(d, stop_file):
    return load_taxonomy(d, CATEGORIES_FILE, stop_file)


def test_loader_duplicate_alias_names_both_places(tmp_path):
    d, s = _write_taxonomy(tmp_path, "Python\tlanguage\tpy3\t\n", "Other\ttool\tx | PY3\t\n")
    with pytest.raises(TaxonomyError) as err:
        _load(d, s)
    msg = str(err.value)
    assert "f1.tsv:2" in msg and "f0.tsv:2" in msg and "'PY3'" in msg and "Python" in msg
    assert err.value.line == 2 and err.value.path.endswith("f1.tsv")


def test_loader_empty_name_and_unknown_category(tmp_path):
    d, s = _write_taxonomy(tmp_path, "Python\tlanguage\t\t\n\tlanguage\tfoo\t\n")
    with pytest.raises(TaxonomyError, match=r"f0\.tsv:3: empty skill name"):
        _load(d, s)
    other = tmp_path / "b"
    other.mkdir()
    d2, s2 = _write_taxonomy(other, "Rust\tlanguges\t\t\n")
    with pytest.raises(TaxonomyError, match=r"f0\.tsv:2: unknown category 'languges'"):
        _load(d2, s2)


def test_loader_other_errors(tmp_path):
    cases = {
        "a": ("Python\tlanguage\tpy | | py3\t\n", r"f0\.tsv:2: empty alias"),
        "b": ("Python\tlanguage\tpy (3)\t\n", r"f0\.tsv:2: alias 'py \(3\)' contains '\('"),
        "c": ("Python\tlanguage\tpy\thttp://example.com/x\n", r"f0\.tsv:2: esco_uri must start"),
        "d": ("Python\tlanguage\tpy\t\nPython\tlanguage\tcpy\t\n", r"f0\.tsv:3: duplicate skill 'Python'"),
        "e": ("Python\tlanguage\tpyth | PYTH\t\n", r"f0\.tsv:2: alias 'PYTH' is listed twice"),
    }
    for sub, (body, pattern) in cases.items():
        root = tmp_path / sub
        root.mkdir()
        d, s = _write_taxonomy(root, body)
        with pytest.raises(TaxonomyError, match=pattern):
            _load(d, s)
    root = tmp_path / "hdr"
    root.mkdir()
    (root / "taxonomy").mkdir()
    (root / "taxonomy" / "x.tsv").write_text("skill\tcat\nPython\tlanguage\n", encoding="utf-8")
    (root / "stops.txt").write_text("", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"x\.tsv:1: first line must be the header"):
        _load(root / "taxonomy", root / "stops.txt")


def test_loader_stop_phrase_conflict_and_case_variants(tmp_path):
    d, s = _write_taxonomy(tmp_path, "Python\tlanguage\tpy3\t\n", stops="# comment\npy3\n")
    with pytest.raises(TaxonomyError, match=r"stops\.txt:2: stop phrase 'py3' is an alias of 'Python'"):
        _load(d, s)
    root = tmp_path / "ok"
    root.mkdir()
    # Exact-case aliases that differ only in case may belong to two skills.
    d, s = _write_taxonomy(root, "dbt\tdata\t=dbt\t\nDialectical behavior therapy\thealthcare\t=DBT\t\n")
    t = _load(d, s)
    assert t.lookup("dbt").name == "dbt" and t.lookup("DBT").name == "Dialectical behavior therapy"


# --------------------------------------------------------------------------- matcher


def test_python_variants_are_one_entity_with_every_span():
    text = "Python 3, python, Python and Python3.11 — or just PYTHON."
    hits = match_skills(text, spans=False)
    assert [m.name for m in hits] == ["Python"]
    m = hits[0]
    assert isinstance(m, SkillMatch) and m.method == "alias" and m.score == 1.0
    assert [text[a:b] for a, b in m.spans] == ["Python 3", "python", "Python", "Python3.11", "PYTHON"]
    assert m.id == entity_id("skill", "Python")


def test_spans_point_into_the_original_text():
    text = "• Experience with  Google   Cloud\nPlatform (GCP), k8s\tand Postgres 15.\n"
    found = by_name(text)
    assert [text[a:b] for a, b in found["Google Cloud Platform"].spans] == ["Google   Cloud\nPlatform", "GCP"]
    assert [text[a:b] for a, b in found["Kubernetes"].spans] == ["k8s"]
    assert [text[a:b] for a, b in found["PostgreSQL"].spans] == ["Postgres 15"]


def test_google_cloud_platform_is_one_skill():
    assert names("Deep knowledge of Google Cloud Platform and Amazon Web Services.") == [
        "Google Cloud Platform",
        "Amazon Web Services",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("C++", ["C++"]),
        ("C#", ["C#"]),
        (".NET", [".NET"]),
        ("Node.js", ["Node.js"]),
        ("C, C++ and C#", ["C", "C++", "C#"]),
        ("C/C++", ["C", "C++"]),
        ("ASP.NET and .NET 8", ["ASP.NET", ".NET Core"]),
        ("Objective-C", ["Objective-C"]),
        ("HTML/CSS", ["HTML", "CSS"]),
        ("Java/J2EE", ["Java", "Java EE"]),
        ("CI/CD pipelines", ["CI/CD"]),
        ("ReactJS, React.js, Vue.js and VueJS", ["React", "Vue.js"]),
        ("NodeJS or Node", ["Node.js"]),
        ("Golang (Go)", ["Go"]),
    ],
)
def test_boundaries(text, expected):
    assert names(f"We use {text} in production.") == expected


def test_boundary_spans_are_exact():
    text = "Stack: C/C++, C#, .NET, Node.js."
    got = {m.name: [text[a:b] for a, b in m.spans] for m in match_skills(text, spans=False)}
    assert got == {"C": ["C"], "C++": ["C++"], "C#": ["C#"], ".NET": [".NET"], "Node.js": ["Node.js"]}


@pytest.mark.parametrize(
    "text",
    [
        "We react to incidents within minutes.",
        "You will go to market with our partners.",
        "Our R&D group is growing.",
        "The C-suite approved it.",
        "Take Vitamin C daily.",
        "Microsoft(R) products only.",
        "Visit www.python.org for details.",
        "snake_python_case is not a skill",
    ],
)
def test_not_skills(text):
    assert names(text) == []


def test_case_rules_for_short_and_common_aliases():
    assert names("Let's go build it with js") == []
    assert names("Experience with JS and ML") == ["JavaScript", "Machine learning"]
    assert "Microsoft Access" not in names("access to the building")
    assert "GNU Make" not in names("make it happen")


def test_versions_are_part_of_the_span_but_not_counts():
    text = "Java 17+, Vue 3, Python 3.11 and 5 years of Python experience; AWS 3 years"
    got = {m.name: [text[a:b] for a, b in m.spans] for m in match_skills(text, spans=False)}
    assert got["Java"] == ["Java 17+"]
    assert got["Vue.js"] == ["Vue 3"]
    assert got["Python"] == ["Python 3.11", "Python"]
    assert got["Amazon Web Services"] == ["AWS"]


def test_concept_skills():
    text = (
        "You'll work on distributed systems and backend infrastructure, improve observability, "
        "own data pipelines, practice debugging, and join the incident response rotation. "
        "Strong system design and written and verbal communication."
    )
    assert set(names(text)) >= {
        "Distributed systems", "Backend infrastructure", "Observability", "Data pipelines", "Debugging",
        "Incident response", "System design", "Communication",
    }


def test_ambiguous_aliases_use_context():
    assert "Go" in names("Our services are written in Go and Rust.")
    assert "Go" not in names("Go above and beyond for every customer.")
    assert "Microsoft Excel" in names("Advanced Excel and SQL skills required.")
    assert "Microsoft Excel" not in names("You will excel in a fast-paced team.")
    hit = by_name("Backend in Go, Python and Rust.")["Go"]
    assert hit.method == "model" and 0.5 <= hit.score <= 1.0


def test_batch_equals_single_and_handles_empty():
    texts = ["Python and Go", "", "Kubernetes on GCP", None]
    batch = tag_skills_batch(texts, spans=False)
    assert [[m.name for m in r] for r in batch] == [names(t or "") for t in texts]
    assert match_skills("", spans=False) == [] and match_skills(None, spans=False) == []


def test_find_mentions_are_sorted_and_disjoint():
    text = "Apache Spark, Spark SQL and PySpark on Amazon EMR; Spark Streaming too."
    ms = find_mentions(text)
    assert all(a.end <= b.start for a, b in zip(ms, ms[1:]))
    assert [text[m.start:m.end] for m in ms][:3] == ["Apache Spark", "Spark SQL", "PySpark"]


def test_match_as_dict_is_json_ready():
    m = match_skills("Python", spans=False)[0]
    json.dumps(m.as_dict())
    assert m.as_dict()["spans"] == [[0, 6]]


# --------------------------------------------------------------------------- resolve / suggest


@pytest.mark.parametrize(
    "name, canonical",
    [
        ("python3", "Python"),
        ("Python 3.11", "Python"),
        ("  PYTHON  ", "Python"),
        ("golang", "Go"),
        ("go", "Go"),
        ("k8s", "Kubernetes"),
        ("Postgres", "PostgreSQL"),
        ("ReactJS", "React"),
        ("React.js", "React"),
        ("node js", "Node.js"),
        ("AWS", "Amazon Web Services"),
        ("Amazon Web Services", "Amazon Web Services"),
        ("GCP", "Google Cloud Platform"),
        ("c++", "C++"),
        ("java 17", "Java"),
        ("machine learning", "Machine learning"),
        ("NLP", "Natural language processing"),
        ("Python programming language", "Python"),
        ("distributed  systems", "Distributed systems"),
    ],
)
def test_resolve_skill(name, canonical):
    skill = resolve_skill(name)
    assert skill is not None and skill.name == canonical


def test_resolve_unknown_and_suggestions():
    assert resolve_skill("qwertyuiop") is None
    assert resolve_skill("") is None
    assert suggest_skills("kubernets")[0] == "Kubernetes"
    assert "PostgreSQL" in suggest_skills("postgress")
    assert suggest_skills("") == []
    with pytest.raises(ValueError):
        suggest_skills("x", n=0)


# --------------------------------------------------------------------------- context


def test_mention_context_is_generic():
    text = "Experience with Python, Go, and Rust.\nGo to market."
    c = mention_context(text, 24, 26)
    assert c["mention"] == "Go" and c["in_list"] and not c["sentence_start"]
    assert c["left"][-2:] == ["Python", ","] and c["right"][:3] == [",", "and", "Rust"]
    c2 = mention_context(text, 38, 40)
    assert c2["sentence_start"] and c2["line_start"] and c2["left"] == ["<s>"]
    assert word_shape("Node.js") == "Xx.x"
    with pytest.raises(ValueError):
        mention_context(text, 5, 2)


def test_a_link_or_an_address_is_no_mention_of_a_protocol():
    found = match_skills("Apply at https://careers.example.com/jobs/123, email jobs@acme.io, or see "
                         "www.acme.io/http-guide. We serve HTTP/2 APIs in Python.", spans=False)
    spans = {m.name: m.spans for m in found}
    assert "Python" in spans
    # The HTTP of the sentence ("HTTP/2", a version), none of the addresses'.
    assert spans["HTTP"] == [(107, 113)]
