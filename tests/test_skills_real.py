"""Skill tagging on real job ads (evaluation/skills_real.py): the figures stay above their
floors, and the labelled data the figures rest on is sound."""

import json

import pytest

from evaluation import skills_real
from skillenai.classify.skills.spandata import LABELLED, LabelledPosting, labelled_postings


@pytest.fixture(scope="module")
def results():
    return skills_real.evaluate()


@pytest.mark.parametrize("name", sorted(skills_real.SETS))
def test_figures_stay_above_their_floors(results, name):
    floors = skills_real.floors()[name]
    got = results[name]
    below = {k: (got[k], v) for k, v in floors.items() if got[k] < v}
    assert not below, f"{name}: below the floor (got, floor): {below}"


def test_skillspan_dev_is_the_tech_postings_rebuilt_as_text():
    postings = skills_real.skillspan_postings(skills_real.SKILLSPAN_DEV)
    assert len(postings) == 29
    assert sum(len(p.knowledge) for p in postings) == 806
    for post in postings:
        for a, b in post.knowledge + post.skill:
            assert post.text[a:b] == post.text[a:b].strip() and "\n" not in post.text[a:b]


def test_labelled_postings_have_exact_offsets_and_no_overlaps():
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({r["id"] for r in rows}) == len(rows) >= 40
    for row in rows:
        spans = sorted((s["start"], s["end"]) for s in row["spans"])
        assert all(b <= c for (_, b), (c, _) in zip(spans, spans[1:])), row["id"]
        for s in row["spans"]:
            assert row["text"][s["start"]:s["end"]] == s["text"] and s["label"] in ("KNOWLEDGE", "SKILL"), row["id"]
    held = labelled_postings(held=True)
    train = labelled_postings(held=False)
    assert len(held) + len(train) == len(rows) and held and train


def test_scores_count_overlaps_and_exact_spans():
    post = LabelledPosting("x", "Python and SQL, talking", knowledge=[(0, 6), (11, 14)], skill=[(16, 23)])
    r = skills_real.score([post], [[(0, 6), (11, 13), (7, 10)]])
    assert r["knowledge_recall"] == 1.0 and r["predicted"] == 3
    assert r["precision"] == round(2 / 3, 4) and r["strict_p"] == round(1 / 3, 4) and r["strict_r"] == 0.5
    assert r["false_tags"] == [("and", 1)]


def test_strict_figures_count_only_the_spans_read_as_knowledge():
    post = LabelledPosting("x", "Python and SQL, talking", knowledge=[(0, 6), (11, 14)], skill=[(16, 23)])
    # "talking" is read as an ability: it counts for precision, not as a KNOWLEDGE span.
    r = skills_real.score([post], [([(0, 6), (11, 14), (16, 23)], [(0, 6), (11, 14)])])
    assert r["precision"] == 1.0 and r["strict_p"] == 1.0 and r["strict_r"] == 1.0


def test_the_tagger_tells_abilities_from_knowledge():
    from skillenai.classify.skills.matcher import detect_skills

    text = "We need strong communication skills and Python."
    found = detect_skills([text])[0]
    named = {text[a:b] for a, b in found.spans}
    assert named == {"communication skills", "Python"}, named
    assert {text[a:b] for a, b in found.knowledge} == {"Python"}


def test_a_titles_span_counts_only_where_the_title_alone_names_the_tool():
    body = ("About the role\nYou will build and run the services behind our payments platform, working with product "
            "and design to ship features every week.\nWhat you'll do\n- Design and build reliable services\n"
            "- Own features from design to production\nRequirements\n- 3+ years of experience with Python and Django\n"
            "- Experience with PostgreSQL")
    title = "Senior Python Developer (Django, AWS)"
    glued = "Python Developer " + " ".join(["We build payment services for small shops across Europe."] * 3)
    [(spans, knowledge), (glued_spans, _)] = skills_real.tagger_spans([title + "\n" + body, glued + "\n" + body])
    # As tag_documents tags it: AWS from the title; Python and Django from the text alone.
    assert [title[a:b] for a, b in spans if b <= len(title)] == ["AWS"]
    assert {(title + "\n" + body)[a:b] for a, b in knowledge} >= {"AWS", "Python", "Django", "PostgreSQL"}
    # A first line longer than a title is the posting's own text glued to its title: its tools count.
    assert "Python" in {glued[a:b] for a, b in glued_spans if b <= len(glued)}
