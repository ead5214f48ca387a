"""Skill words in the employer's own text are not the job's skills.

Each case is a posting written the way real job ads are: the company description, perks,
pay and equal-opportunity text around the requirements, a team or product named by a
concept ("the Payments team", "our threat intelligence feed"), colleagues named by title.
"""

import pytest

from skillenai.classify.sections import boilerplate_ranges, heading_kind, in_ranges, merge_ranges
from skillenai.classify.skills.matcher import match_skills
from skillenai.classify.tagger import tag_documents

FINTECH_POSTING = """About Ledgerly
Ledgerly is a payments infrastructure company. We build fraud detection and expense management tools for 4,000 small businesses across Europe.

The role
You will join the Risk Engineering team and build the services behind card authorisation.

What you'll do
- Design and ship services in Go and PostgreSQL
- Work with Kafka and Kubernetes in production

Requirements
- 4+ years with Go or Java
- Experience with SQL and data modeling

Perks & benefits
- Learning budget (AWS and Coursera courses)
- Private health insurance and Headspace

Ledgerly is an equal opportunity employer. We welcome applicants regardless of race, religion or age, and we provide reasonable accommodations on request."""


def names(text, **kw):
    return {m.name for m in match_skills(text, **kw, spans=False)}


def test_skills_in_about_us_perks_and_eeo_text_are_not_counted():
    got = names(FINTECH_POSTING)
    assert {"Go", "PostgreSQL", "Apache Kafka", "Kubernetes", "Java", "SQL", "Database design"} <= got
    assert not got & {"Payment systems", "Fraud detection", "Expense management", "Amazon Web Services",
                      "Coursera"}, got
    # Asked for, the employer's text is read like the rest.
    assert {"Fraud detection", "Amazon Web Services"} <= names(FINTECH_POSTING, employer_text=True)


def test_an_employer_section_ends_at_the_next_job_heading_or_requirement_line():
    text = ("Über uns\nWir sind ein Softwarehaus mit Fokus auf Cloud-Lösungen.\n"
            "Deine Aufgaben\nEntwicklung von Microservices mit Kotlin und Spring Boot\n"
            "Was wir bieten\n30 Tage Urlaub und ein Jobrad\n"
            "Our stack: Python, Terraform and GCP.")
    got = names(text)
    assert {"Kotlin", "Spring Boot", "Python", "Terraform", "Google Cloud Platform"} <= got
    ranges = boilerplate_ranges(text)
    assert [text[a:b].split("\n")[0] for a, b in ranges] == ["Über uns", "Was wir bieten"]


def test_company_prose_without_a_heading_and_inline_benefits():
    text = ("Preferred qualifications\n- Experience with Snowflake\n"
            "Northwind is a cloud security company. We build the threat intelligence platform SOC teams rely on.\n"
            "Benefits: 401(k) match, a Peloton membership and a MacBook Pro.\n"
            "Nice to have\n- Splunk or threat intelligence experience")
    got = names(text)
    assert "Snowflake" in got and "Splunk" in got
    # "threat intelligence" counts where the requirements ask for it, not in the company blurb.
    spans = next(m.spans for m in match_skills(text, spans=False) if m.name == "Threat intelligence")
    assert len(spans) == 1 and spans[0][0] > text.index("Nice to have")
    assert "Cloud security" not in got


def test_a_long_one_paragraph_posting_keeps_its_requirements():
    # Some boards flatten a posting into one line: only the employer's sentences go.
    text = ("Acme is a leading logistics platform founded in 2015. "
            "You will build route optimisation services in Python and Rust, deploy them on AWS, "
            "and own their reliability. " * 3 + "We are an equal opportunity employer.")
    assert {"Python", "Rust", "Amazon Web Services"} <= names(text)


@pytest.mark.parametrize("line, kind", [
    ("About us", "employer"), ("ABOUT ACME", "employer"), ("About Vivid Ledger:", "employer"),
    ("🎁 Perks & Benefits", "employer"), ("What we offer", "employer"), ("Why you'll love working here", "employer"),
    ("Equal Opportunity Employer", "employer"), ("Qui sommes-nous ?", "employer"),
    ("About the role", "job"), ("What You'll Do", "job"), ("Requirements:", "job"), ("Nice to have", "job"),
    ("Ihr Profil", "job"), ("Tech stack", "job"),
    ("About 40% of our work is in Python", None), ("Experience with Python and Go.", None),
    ("Why Kubernetes matters to us", None),
])
def test_heading_kind(line, kind):
    assert heading_kind(line) == kind


def test_concept_words_naming_a_team_a_product_or_colleagues():
    text = ("Hi! We're the Payments team at Ledgerly, hiring a Data Analyst.\n"
            "You'll work on the cloud security platform and our threat intelligence feed.\n"
            "Cloud Security at Ledgerly helps customers ship safely.\n"
            "Partner with data scientists and product managers to size opportunities.\n"
            "You will report to the head of Developer Experience and help us build real-time fraud detection.\n"
            "Requirements\n- SQL and Python\n- Experience in cloud security and payment systems\n"
            "- 2+ years managing engineers")
    got = {m.name: m.spans for m in match_skills(text, spans=False)}
    assert {"SQL", "Python", "Engineering management"} <= set(got)
    req = text.index("Requirements")
    for name in ("Cloud security", "Payment systems"):
        assert all(s >= req for s, _ in got[name]), (name, got[name])
    for name in ("Threat intelligence", "Data science", "Product management", "Developer experience", "Fraud detection"):
        assert name not in got, name


def test_product_nouns_keep_tools_and_unqualified_requirements():
    got = names("Experience building fraud models and a data platform. Run our Kubernetes platform and Jenkins service.")
    assert {"Fraud detection", "Kubernetes", "Jenkins"} <= got


def test_multi_word_aliases_across_line_breaks():
    assert "Machine learning" in names("Experience applying machine\nlearning to ranking problems")
    assert "Google Cloud Platform" in names("Deploy on Google Cloud\nPlatform")
    # A new line that starts with a capital is a new item, not the rest of a phrase.
    text = "Feed what you learn back to product\nDesign reference architectures on GCP"
    assert "Product design" not in names(text)


def test_the_employer_name_is_not_a_skill():
    docs = [{"id": 1, "kind": "posting", "company": "Ember Credit", "title": "Data Engineer",
             "text": "Ember Credit is hiring. Requirements: Ember.js is not needed; Python and dbt are."},
            {"id": 2, "kind": "posting", "company": "Marble CI", "title": "Backend Engineer",
             "text": "Join Marble CI to build our CI/CD product in Go.\nRequirements\nGo and Docker"}]
    first, second = tag_documents(docs, spans=False)  # the alias layer: the employer-name rule
    assert {"Python", "dbt"} <= {m.name for m in first.skills}
    assert "Ember.js" in {m.name for m in first.skills}  # written as the skill it is
    ember = next(m for m in first.skills if m.name == "Ember.js")
    assert docs[0]["text"][ember.spans[0][0]:ember.spans[0][1]] == "Ember.js"
    assert {"Go", "Docker"} <= {m.name for m in second.skills}
    assert all(docs[1]["text"][s:e] != "CI" for m in second.skills for s, e in m.spans)


def test_skip_spans_from_the_caller_are_left_out():
    text = "We use Kafka at scale.\nRequirements\nPython and SQL"
    doc = {"id": 1, "kind": "posting", "title": "", "text": text, "skip_spans": [[0, text.index("\n")]]}
    assert {m.name for m in tag_documents([doc])[0].skills} == {"Python", "SQL"}


def test_range_helpers():
    ranges = merge_ranges([(10, 20), (0, 5), (15, 30), (31, 40)])
    assert ranges == [(0, 5), (10, 40)]
    assert in_ranges(ranges, 12, 18) and in_ranges(ranges, 0, 5) and not in_ranges(ranges, 4, 11)
    assert boilerplate_ranges("") == []
