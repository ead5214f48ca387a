"""``skillenai metrics …``: formats, name resolution, errors and exit statuses."""

from __future__ import annotations

import json
import re

import pytest

from skillenai.cli.main import main


@pytest.fixture(scope="module")
def store(make_sample_store):
    return str(make_sample_store())


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_skill_json_for_an_alias(store, capsys):
    status, out, _ = run(capsys, "metrics", "skill", "python3", "--db", store)
    assert status == 0
    data = json.loads(out)
    assert data["name"] == "Python" and data["data_as_of"] == "2026-05-09" and data["window_days"] == 90
    assert set(data) >= {"entity_id", "postings", "change_vs_prior_4_weeks", "top_metros", "paired_skills",
                         "weekly", "articles", "top_roles"}
    assert abs(sum(m["share"] for m in data["top_metros"]) - 1) < 0.01 or data["metro_tags"] > sum(
        m["postings"] for m in data["top_metros"])


def test_skill_as_of_and_window(store, capsys):
    _, out, _ = run(capsys, "metrics", "skill", "Python", "--db", store, "--as-of", "2026-04-01", "--window", "30")
    data = json.loads(out)
    assert data["data_as_of"] == "2026-04-01" and data["window_days"] == 30
    assert data["weekly"][0]["week_start"] == "2026-03-02" and data["weekly"][-1]["week_start"] == "2026-03-30"


def test_unknown_skill_exits_2_with_close_matches(store, capsys):
    status, out, err = run(capsys, "metrics", "skill", "Kubernets", "--db", store)
    assert status == 2 and out == ""
    assert "unknown skill 'Kubernets'" in err and "Kubernetes" in err


def test_missing_store_is_an_error_not_a_new_file(tmp_path, capsys):
    status, _, err = run(capsys, "metrics", "top-skills", "--db", str(tmp_path / "nope.db"))
    assert status == 2 and "does not exist" in err
    assert not (tmp_path / "nope.db").exists()


def test_bad_options_are_usage_errors(store, capsys):
    for argv in (["--window", "0"], ["--as-of", "May 9"], ["--format", "pdf"]):
        with pytest.raises(SystemExit) as exc:
            main(["metrics", "skill", "Python", "--db", store, *argv])
        assert exc.value.code == 2
    capsys.readouterr()


def test_skill_markdown_and_html(store, capsys, tmp_path):
    _, md, _ = run(capsys, "metrics", "skill", "Python", "--db", store, "--format", "md")
    assert md.startswith("# Python jobs in 2026 — demand, top roles hiring, and related skills")
    assert re.search(r"As of 2026-05-09, Python appears in \d+ job postings indexed by Skillenai over the past 90 days",
                     md)
    for heading in ("## Frequently asked questions about Python", "## Top metros hiring for Python",
                    "## Skills commonly paired with Python", "## How this was computed"):
        assert heading in md
    assert "- window_days: 90" in md

    page = tmp_path / "python.html"
    status, _, err = run(capsys, "metrics", "skill", "Python", "--db", store, "--format", "html", "-o", str(page))
    assert status == 0 and "wrote" in err
    html = page.read_text()
    # Nothing fetched from elsewhere: the only script is data (JSON-LD), the only links are
    # the canonical address and the feed, neither of which a browser loads.
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/ld+json">']
    assert {m for m in re.findall(r"<link rel=\"(\w+)\"", html)} == {"canonical", "alternate"}
    assert "http://" not in html.split("<main>")[0]
    assert "<title>Python jobs in 2026 — demand, top roles hiring, and related skills — Skillenai</title>" in html
    assert "Demand vs prior month" in html and "Top hiring metro" in html
    assert html.count('<rect class="bar') == 13


@pytest.mark.parametrize("argv", [["top-skills"], ["metro", "SF"], ["role", "Data Scientist"],
                                  ["trends", "--min-postings", "5"], ["occupations"], ["occupations", "--major", "15"]])
@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_other_metrics_in_every_format(store, capsys, argv, fmt):
    status, out, _ = run(capsys, "metrics", *argv, "--db", store, "--format", fmt)
    assert status == 0 and out.strip()
    if fmt == "json":
        assert json.loads(out)["data_as_of"] == "2026-05-09"
    elif fmt == "html":
        assert out.startswith("<!DOCTYPE html>") and "</html>" in out


def test_metro_resolves_place_names(store, capsys):
    _, out, _ = run(capsys, "metrics", "metro", "San Francisco Bay Area", "--db", store)
    assert json.loads(out)["name"] == "San Francisco"
    status, _, err = run(capsys, "metrics", "metro", "Qwxzv Zzkqj", "--db", store)
    assert status == 2 and "unknown metro" in err


def test_help_describes_every_metrics_command(capsys):
    for name in ("skill", "top-skills", "metro", "role", "occupations", "trends"):
        with pytest.raises(SystemExit):
            main(["metrics", name, "--help"])
        assert "--as-of" in capsys.readouterr().out


def test_occupations_count_postings_by_soc_code(store, capsys):
    _, out, _ = run(capsys, "metrics", "occupations", "--db", store, "--limit", "50")
    m = json.loads(out)
    assert m["classified"] + sum(u["postings"] for u in m["unclassified"]) <= m["postings"]
    assert m["classified"] >= 0.9 * m["postings"]
    top = m["occupations"][0]
    assert re.fullmatch(r"\d{2}-\d{4}", top["code"]) and top["title"] and top["major"] == top["code"][:2] + "-0000"
    assert sum(x["postings"] for x in m["majors"]) == m["classified"]
    by_code = {x["code"]: x for x in m["occupations"]}
    assert by_code["15-1252"]["title"] == "Software Developers" and by_code["15-1252"]["family"] == "Backend Engineer"
    _, out, _ = run(capsys, "metrics", "occupations", "--db", store, "--major", "29-0000")
    assert all(x["major"] == "29-0000" for x in json.loads(out)["occupations"])
    status, _, err = run(capsys, "metrics", "occupations", "--db", store, "--major", "software")
    assert status == 2 and "SOC major group" in err
    _, out, _ = run(capsys, "metrics", "role", "Data Scientist", "--db", store)
    assert json.loads(out)["top_occupations"][0]["code"] == "15-2051"
