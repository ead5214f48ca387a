"""Day-to-day change of a generated sample web, for incremental re-crawls.

A web generated with ``day=N`` is the same web seen on day N of a series: every posting
URL has a lifecycle drawn from the seed (the day it opens and the day it is taken down),
and only the postings open on day N are published. Day 0 shows about 85% of them; on each
of days 1-5 about 3% open; on every day about 3% of the open ones close. Whatever is
open on two days is byte-identical on both (same board records, same page files), so a
server's validators and a crawler's content hashes match; a board or sitemap changes
only when one of its postings opens or closes. Without ``day`` the web is untouched.

The posting's own dates are not moved: a posting opening on day 3 keeps the date the
generator gave it (some days before the web's ``as_of``).
"""

import json
import math
import re
from pathlib import Path
from urllib.parse import urlsplit

from .boards import BOARD_KINDS
from .output import file_for
from .rand import rng

PENDING_SHARE = 0.15      # postings not yet open on day 0
OPENING_DAYS = 5          # the pending ones open on days 1..OPENING_DAYS
CLOSE_RATE = 0.03         # chance an open posting closes on a given day


def lifecycle(seed, url: str) -> tuple[int, int]:
    """``(opens, closes)``: the posting at ``url`` is listed on days ``opens <= day < closes``."""
    r = rng(seed, "lifecycle", url)
    x, y = r.random(), r.random()
    opens = 0 if x >= PENDING_SHARE else 1 + int(x / PENDING_SHARE * OPENING_DAYS)
    # Geometric: a CLOSE_RATE chance on each day after the day it opened.
    return opens, opens + 1 + int(math.log1p(-y) / math.log1p(-CLOSE_RATE))


def listed(seed, url: str, day: int) -> bool:
    opens, closes = lifecycle(seed, url)
    return opens <= day < closes


def apply_day(out_dir, seed, day: int) -> dict:
    """Unpublish, in the web generated in ``out_dir``, every posting not open on ``day``.

    Rewrites only the boards and sitemaps that lose a posting (the extra boards of
    ``boards.py`` keep every posting) and deletes the pages of
    unlisted career-site postings; filters ``truth/postings.jsonl`` to the listed ones and
    writes ``truth/changes.json`` (``opened`` and ``closed`` URLs against the day before).
    Returns that change record.
    """
    if not isinstance(day, int) or day < 0:
        raise ValueError(f"day must be a non-negative integer, got {day!r}")
    out = Path(out_dir)
    truth_path = out / "truth" / "postings.jsonl"
    rows = [json.loads(line) for line in truth_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    hidden, opened, closed = set(), set(), set()
    # The extra boards (generate(boards=...)) list every posting every day.
    for url in {row["url"] for row in rows if row["spider"] not in BOARD_KINDS}:
        today, yesterday = listed(seed, url, day), day > 0 and listed(seed, url, day - 1)
        if not today:
            hidden.add(url)
        if day > 0 and today and not yesterday:
            opened.add(url)
        if day > 0 and yesterday and not today:
            closed.add(url)
    sites = out / "sites"
    _filter_json_boards(sites / "greenhouse" / "v1" / "boards", "*/jobs.json", "absolute_url", hidden,
                        lambda jobs: {"jobs": jobs, "meta": {"total": len(jobs)}})
    _filter_json_boards(sites / "ashby" / "posting-api" / "job-board", "*.json", "jobUrl", hidden, None)
    _filter_json_boards(sites / "workday" / "boards", "*/*.json", "url", hidden, None)
    _filter_json_boards(sites / "smartrecruiters" / "companies", "*.json", "postingUrl", hidden, None)
    _filter_json_boards(sites / "workable" / "accounts", "*.json", "url", hidden, None)
    for board in sorted((sites / "lever" / "v0" / "postings").glob("*.jsonl")):
        lines = board.read_text(encoding="utf-8").splitlines()
        kept = [ln for ln in lines if ln.strip() and json.loads(ln).get("hostedUrl") not in hidden]
        if len(kept) != len([ln for ln in lines if ln.strip()]):
            board.write_text("".join(ln + "\n" for ln in kept), encoding="utf-8")
    pages = {row["url"] for row in rows if row["spider"] == "jobpostings" and row["url"] in hidden}
    by_site: dict[str, set[str]] = {}
    for url in pages:
        parts = urlsplit(url)
        site = parts.hostname.split(".", 1)[0]
        (sites / site / file_for(parts.path)).unlink(missing_ok=True)
        by_site.setdefault(site, set()).add(url)
    for site, urls in by_site.items():
        for sitemap in sorted((sites / site).rglob("*.xml")):
            text = sitemap.read_text(encoding="utf-8")
            if "<urlset" not in text:
                continue
            kept = _URL_ENTRY.sub(lambda m: "" if _unescape(m.group(1)) in urls else m.group(0), text)
            if kept != text:
                sitemap.write_text(kept, encoding="utf-8")
    with open(truth_path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            if row["url"] not in hidden:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    changes = {"day": day, "listed": sum(1 for row in rows if row["url"] not in hidden),
               "opened": sorted(opened), "closed": sorted(closed)}
    (out / "truth" / "changes.json").write_text(json.dumps(changes, indent=2) + "\n", encoding="utf-8")
    return changes


_URL_ENTRY = re.compile(r"  <url>\n    <loc>([^<]*)</loc>\n.*?  </url>\n", re.DOTALL)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _filter_json_boards(folder: Path, pattern: str, url_field: str, hidden: set, wrap) -> None:
    for board in sorted(folder.glob(pattern)):
        data = json.loads(board.read_text(encoding="utf-8"))
        jobs = [job for job in data["jobs"] if job.get(url_field) not in hidden]
        if len(jobs) != len(data["jobs"]):
            data = wrap(jobs) if wrap else {**data, "jobs": jobs}
            board.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
