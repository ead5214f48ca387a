"""Skill, metro, role and occupation pages carry the seed page whole (``/work/shared/seeds``'s
published skill page): every section, in its order, with the head a search engine reads."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from skillenai.metrics import queries as metrics
from skillenai.metrics.links import Links, slugify
from skillenai.metrics.render import render
from skillenai.store.db import open_db

# The seed's sections in its order (text every page of the kind shows), then the ones the
# project adds at the places it adds them.
SKILL_SECTIONS = [
    "jobs in 2026 — demand, top roles hiring, and related skills",
    "indexed by Skillenai over the past 90 days.",
    "Last updated · 90d ending",
    "Postings · last 90 days", "Demand vs prior month", "Top hiring metro",
    "Get a daily email digest of new",
    "Frequently asked questions about",
    "in demand in 2026?", "What skills are commonly paired with", "most in demand?",
    "How can I keep up with new",
    "Weekly job postings requiring",
    "Top metros hiring for",
    "Skills commonly paired with",
    "Top roles hiring for", "Recent articles mentioning",
    "without doomscrolling", "Same one-click setup as above, plus you can pull the underlying stream",
    "Explore related pages",
    "How this was computed", "Pages refresh daily",
    "Skillenai jobs index, deduplicated daily", "entity_id", "data_as_of", "window_days",
    "Hiring engineers who use", "Skillenai for recruiters →",
    "Compiled by Skillenai · Data sourced from the Skillenai labor market index",
]
ENTITY_SECTIONS = [
    "jobs in 2026 — demand, top skills, and where they hire",
    "Last updated · 90d ending",
    "Postings · last 90 days", "Demand vs prior month",
    "Get a daily email digest of new jobs",
    "Frequently asked questions about jobs",
    "in demand in 2026?", "What skills are most in demand", "How can I keep up with new jobs",
    "Weekly job postings", "Top skills",
    "without doomscrolling", "Explore related pages", "How this was computed", "Pages refresh daily",
    "Hiring ", "Skillenai for recruiters →", "Compiled by Skillenai",
]


class _Text(HTMLParser):
    """The visible text of a page and its head's tags."""

    def __init__(self):
        super().__init__()
        self.text, self.meta, self.links, self.scripts, self._script = [], {}, {}, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta":
            self.meta[a.get("name") or a.get("property")] = a.get("content")
        elif tag == "link":
            self.links[a["rel"]] = a["href"]
        elif tag == "script":
            self._script = a.get("type")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script:
            self.scripts.append((self._script, data))
        else:
            self.text.append(data)


def parse(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    return p


def assert_in_order(text: str, parts: list[str]) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} missing (or out of order) after position {at}"
        at = found + len(part)


@pytest.fixture(scope="module")
def db(make_sample_store):
    store = open_db(make_sample_store(), readonly=True)
    yield store
    store.close()


def pages(db):
    metro = metrics.skill_metrics(db, "Python")["top_metros"][0]
    occupation = db.execute("SELECT soc_code FROM occupation_postings GROUP BY soc_code "
                            "ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    role = metrics.skill_metrics(db, "Python")["top_roles"][0]["name"]
    return {"skill": metrics.skill_metrics(db, "k8s"), "metro": metrics.metro_metrics(db, metro["id"]),
            "role": metrics.role_metrics(db, role), "occupation": metrics.occupation_metrics(db, occupation)}


def test_every_page_carries_the_seed_sections_in_order(db):
    for kind, m in pages(db).items():
        page = parse(render(kind, m, "html"))
        text = re.sub(r"\s+", " ", "".join(page.text))
        assert_in_order(text, SKILL_SECTIONS if kind == "skill" else ENTITY_SECTIONS)
        md = render(kind, m, "md")
        assert_in_order(md, ["# ", "## Get a daily email digest", "## Frequently asked questions",
                             "**How can I keep up with new", "## Weekly job postings", "without doomscrolling",
                             "## Explore related pages", "## How this was computed", "Pages refresh daily",
                             "## Hiring", "_Compiled by Skillenai"])


def test_the_head_has_description_canonical_open_graph_and_faq_json_ld(db):
    for kind, m in pages(db).items():
        html = render(kind, m, "html")
        page = parse(html)
        assert page.meta["description"] and str(m["postings"]) in page.meta["description"]
        canonical = page.links["canonical"]
        assert canonical.startswith("https://skillenai.com/") and canonical.endswith("/")
        assert page.meta["og:url"] == canonical and page.meta["og:title"] in html.split("<title>")[1]
        assert page.meta["og:description"] == page.meta["description"] and page.meta["og:type"] == "website"
        assert page.links["alternate"] == canonical + "feed.xml"
        (kind_, data), = page.scripts
        assert kind_ == "application/ld+json"
        faq = json.loads(data)
        assert faq["@type"] == "FAQPage" and len(faq["mainEntity"]) >= 4
        visible = "".join(page.text)
        for q in faq["mainEntity"]:  # the questions and answers the page shows, no others
            assert q["@type"] == "Question" and q["name"] in visible
            assert q["acceptedAnswer"]["text"] in visible


def test_related_pages_link_where_the_site_puts_them(db):
    m = pages(db)["skill"]
    html = render("skill", m, "html", Links(root="../../"))
    related = html.split('<section id="related">')[1].split("</section>")[0]
    for item in m["paired_skills"]:
        assert f'href="../../skills/{slugify(item["name"])}/index.html"' in related
    for item in m["top_metros"]:
        assert f'href="../../metros/{slugify(item["label"])}/index.html"' in related
        assert item["label"] in related
    assert 'href="../../index.html#recruiters"' in html
    assert 'href="../../skills/kubernetes.json"' in html and 'href="../../skills/kubernetes/feed.xml"' in html


def test_metros_are_named_without_ambiguity(db):
    m = pages(db)["metro"]
    assert m["label"].count(",") >= 1  # "City, CC" at least
    html = render("metro", m, "html")
    assert f"<h1>{m['label']} jobs in 2026" in html


def test_an_occupation_by_code_title_or_unknown(db):
    code = pages(db)["occupation"]["entity_id"]
    by_title = metrics.resolve_occupation_ref(db, pages(db)["occupation"]["name"].upper())
    assert by_title["id"] == code
    assert metrics.resolve_occupation_ref(db, code.replace("-", ""))["id"] == code
    with pytest.raises(metrics.UnknownEntity, match="unknown occupation 'Software Develoeprs'; did you mean"):
        metrics.resolve_occupation_ref(db, "Software Develoeprs")
