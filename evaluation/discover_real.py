"""Board discovery (``skillenai discover``) scored on real careers URLs nobody here wrote.

``evaluation/data/discover/urls.tsv``: 142 real URLs, each with the source that serves it
(``spider`` and seeds ``target``; ``none`` where no spider of this project reads it,
several targets ``|``-separated where either is right) and the file it was taken from:
104 boards of the 13 board lists (every n-th row of each), 21 job, board and API URLs
from saved ATS responses, 17 saved career pages (their HTML in ``pages/``). Discovery runs
offline: the URL step as it is, the page step on the saved HTML where there is one, no
probing (that needs the live board APIs; the tests probe a local server). Figures:

- ``accuracy``: the first finding is the labelled source (or nothing, for ``none``);
- ``found``: the share of URLs with a source whose source was found right;
- ``none_kept``: the share of ``none`` URLs given no source;
- per spider, and the misses.

    python -m evaluation.discover_real [--json]
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import sys
from pathlib import Path

from skillenai.crawler.discover import discover
from skillenai.crawler.run import project_settings

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "discover"
FLOORS_FILE = HERE / "discover_floors.json"


class SavedPages:
    """A fetcher that answers from the saved pages (status 0, unreachable, for the rest)."""

    def __init__(self, pages: dict[str, Path]):
        self.pages = pages
        self.requests: list[str] = []

    def get(self, url: str) -> tuple[int, str, bytes, str]:
        self.requests.append(url)
        path = self.pages.get(url)
        if path is None:
            return 0, url, b"", ""
        return 200, url, path.read_bytes(), "text/html; charset=utf-8"


def read_rows(path: Path = DATA / "urls.tsv") -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def evaluate(rows: list[dict] | None = None) -> dict:
    rows = rows if rows is not None else read_rows()
    settings = project_settings()
    fetcher = SavedPages({r["url"]: DATA / r["page"] for r in rows if r["page"]})
    per_spider: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    misses = []
    for row in rows:
        findings = discover(row["url"], settings, fetcher=fetcher, probing=False)
        first = findings[0] if findings else None
        if row["spider"] == "none":
            right = first is None
        else:
            targets = {t.lower() for t in row["target"].split("|")}
            right = first is not None and first.spider == row["spider"] and first.target.lower() in targets
        per_spider[row["spider"]][0] += right
        per_spider[row["spider"]][1] += 1
        if not right:
            misses.append({"url": row["url"], "labelled": f"{row['spider']} {row['target']}".strip(),
                           "found": f"{first.spider} {first.target} ({first.how})" if first else None})
    sourced = [counts for spider, counts in per_spider.items() if spider != "none"]
    none = per_spider.get("none", [0, 0])
    return {
        "urls": len(rows),
        "accuracy": round(sum(c[0] for c in per_spider.values()) / len(rows), 4),
        "found": round(sum(c[0] for c in sourced) / max(1, sum(c[1] for c in sourced)), 4),
        "none_kept": round(none[0] / none[1], 4) if none[1] else None,
        "per_spider": {s: {"right": c[0], "of": c[1]} for s, c in sorted(per_spider.items())},
        "misses": misses,
    }


def floors() -> dict:
    return {k: v for k, v in json.loads(FLOORS_FILE.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = evaluate()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['urls']} real careers URLs: {result['accuracy']:.1%} identified right; "
          f"{result['found']:.1%} of those with a source, {result['none_kept']:.1%} of the others left without one")
    for spider, counts in result["per_spider"].items():
        print(f"  {spider:16s} {counts['right']:3d} of {counts['of']:3d}")
    for miss in result["misses"]:
        print(f"  miss: {miss['url']}  labelled {miss['labelled']}, found {miss['found']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
