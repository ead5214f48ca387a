import json
import subprocess
import sys
from pathlib import Path

import pytest

from skillenai.cli.main import build_parser

ROOT = Path(__file__).parent.parent

ARTICLE = """<!doctype html><html lang="en"><head><title>Rust hiring in 2026 | The Ledger</title>
<meta property="og:title" content="Rust hiring in 2026">
<meta name="author" content="Dana Whitfield">
<meta property="article:published_time" content="2026-04-14T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/jobs">Jobs</a> <a href="/about">About us</a></nav>
<div class="cookie">We use cookies to improve your experience. <button>Accept</button></div>
<article><h1>Rust hiring in 2026</h1><p class="byline">By Dana Whitfield</p>
<p>Demand for Rust engineers kept climbing this spring. Across the postings we track, infrastructure
teams in Berlin and Seattle asked for Rust alongside Kubernetes and Terraform more often than a year ago.</p>
<h2>Where the jobs are</h2>
<p>Most openings sit in platform and backend infrastructure groups, where memory safety and predictable
latency matter. Fintech firms in London follow closely, and several cloud vendors are hiring in Toronto.</p>
<p>Salaries moved too: the median advertised range rose by about six percent against the same quarter last year,
with the largest gains in senior and staff roles that own production systems.</p>
</article>
<footer>© 2026 The Ledger · Privacy · Terms</footer></body></html>"""


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "skillenai.cli", *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT)


def test_extract_prints_main_text_without_chrome():
    result = run_cli("extract", "--url", "https://ledger.example/rust-2026", stdin=ARTICLE)
    assert result.returncode == 0, result.stderr
    assert "Demand for Rust engineers kept climbing" in result.stdout
    assert "Where the jobs are" in result.stdout
    assert "cookies" not in result.stdout and "Privacy" not in result.stdout


def test_extract_json_has_metadata():
    result = run_cli("extract", "--json", stdin=ARTICLE)
    data = json.loads(result.stdout)
    assert data["title"] == "Rust hiring in 2026"
    assert data["author"] == "Dana Whitfield"
    assert data["date"] == "2026-04-14"
    assert data["lang"] == "en"


def test_extract_on_empty_input_is_a_clear_error():
    result = run_cli("extract", stdin="")
    assert result.returncode == 2 and "no HTML on standard input" in result.stderr


def test_scrapy_list_from_the_repository_root():
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == sorted(["articles", "ashby", "greenhouse", "jobpostings", "lever", "smartrecruiters", "workable",
                                            "workday", "papers", "recruitee",
                                            "personio", "bamboohr", "teamtailor", "pinpoint", "rippling", "breezy"])


@pytest.mark.parametrize("command", sorted(next(a for a in build_parser()._actions if a.dest == "command").choices))
def test_every_command_has_help(command):
    result = run_cli(command, "--help")
    assert result.returncode == 0 and len(result.stdout) > 200


def test_export_of_a_missing_store_is_a_clear_error(tmp_path):
    result = run_cli("export", "--db", str(tmp_path / "nope.db"))
    assert result.returncode == 2 and "does not exist" in result.stderr
