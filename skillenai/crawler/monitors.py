"""Checks after every crawl: did each source yield, and is what it yielded usable?

Run by ``skillenai crawl`` and ``skillenai daily`` over the crawl runs just finished (their
Scrapy stats in ``crawl_runs`` and the documents they stored or re-saw), with thresholds
from the settings:

- ``SKILLENAI_MONITOR_MIN_ITEMS``: documents per source of the seeds file;
- ``SKILLENAI_MONITOR_MAX_ERROR_RATE``: failed fetches per request, per spider;
- ``SKILLENAI_MONITOR_MAX_DROP_RATE``: dropped items per item, per spider;
- ``SKILLENAI_MONITOR_MIN_FIELD_COVERAGE``: share of a spider's postings with a location,
  a date, a description (``{"location": 0.5, ...}``; a field left out is not checked);
- ``SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS``: unusable rows of the sources file the crawl
  skipped (default 0: a sources file with a bad row fails, so its author hears of it).

A failed check names the spider, the source where it applies, the setting, the actual
value and the limit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from skillenai.crawler.seeds import SeedFileError, read_seeds
from skillenai.store.report import COVERAGE_FIELDS, run_documents, run_postings
from skillenai.store.runs import bad_seed_rows, crawl_runs


@dataclass
class Check:
    monitor: str          # min_items | max_error_rate | max_drop_rate | min_field_coverage | max_bad_seed_rows
    spider: str
    source: str | None
    setting: str
    actual: float
    limit: float
    passed: bool
    detail: str = ""

    def message(self) -> str:
        where = f"{self.spider} source {self.source!r}" if self.source else self.spider
        op = ">=" if self.monitor.startswith("min") else "<="
        fmt = "{:g}" if self.monitor in ("min_items", "max_bad_seed_rows") else "{:.3f}"
        verdict = "ok" if self.passed else "FAILED"
        return (f"monitor {verdict}: {where}: {self.detail or self.monitor} {fmt.format(self.actual)}, "
                f"must be {op} {fmt.format(self.limit)} ({self.setting})")


def run_monitors(db, run_ids: list[int], settings) -> list[Check]:
    """Every check over the crawl runs ``run_ids``; see :attr:`Check.passed`."""
    if not run_ids:
        return []
    runs = crawl_runs(db, run_ids)
    min_items = settings.getint("SKILLENAI_MONITOR_MIN_ITEMS", 1)
    max_errors = settings.getfloat("SKILLENAI_MONITOR_MAX_ERROR_RATE", 0.2)
    max_drops = settings.getfloat("SKILLENAI_MONITOR_MAX_DROP_RATE", 0.1)
    coverage = {k: float(v) for k, v in settings.getdict("SKILLENAI_MONITOR_MIN_FIELD_COVERAGE").items()}
    unknown = sorted(set(coverage) - set(COVERAGE_FIELDS))
    if unknown:
        raise ValueError(f"SKILLENAI_MONITOR_MIN_FIELD_COVERAGE: unknown field(s) {', '.join(unknown)}; "
                         f"known: {', '.join(COVERAGE_FIELDS)}")
    checks: list[Check] = []
    for run in runs:
        run_id, spider, dropped = run["id"], run["spider"], run["items_dropped"]
        stats = json.loads(run["stats"] or "{}")
        for source in _expected_sources(spider, json.loads(run["args"] or "{}"), settings):
            items = run_documents(db, run_id, spider, source)
            checks.append(Check("min_items", spider, source, "SKILLENAI_MONITOR_MIN_ITEMS", items, min_items,
                                items >= min_items, "documents"))
        requests = stats.get("downloader/request_count", 0)
        failed = stats.get("skillenai/skipped/fetch_failed", 0)
        if requests:
            rate = failed / requests
            checks.append(Check("max_error_rate", spider, None, "SKILLENAI_MONITOR_MAX_ERROR_RATE", rate, max_errors,
                                rate <= max_errors, f"failed fetches {failed} of {requests} requests, rate"))
        seen = stats.get("skillenai/items/posting", 0) + stats.get("skillenai/items/article", 0) + \
            stats.get("skillenai/items/other", 0) + stats.get("skillenai/incremental/unchanged_documents", 0)
        if seen + dropped:
            rate = dropped / (seen + dropped)
            checks.append(Check("max_drop_rate", spider, None, "SKILLENAI_MONITOR_MAX_DROP_RATE", rate, max_drops,
                                rate <= max_drops, f"dropped items {dropped} of {seen + dropped}, rate"))
        postings = run_postings(db, run_id)
        for field, limit in sorted(coverage.items()):
            if not postings:
                break
            having = run_postings(db, run_id, having=field)
            share = having / postings
            checks.append(Check("min_field_coverage", spider, None, f"SKILLENAI_MONITOR_MIN_FIELD_COVERAGE[{field}]",
                                share, limit, share >= limit, f"postings with a {field} {having} of {postings}, share"))
    bad_rows = bad_seed_rows(db, run_ids)
    max_bad = settings.getint("SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS", 0)
    first = f" (the first: {bad_rows[0]})" if bad_rows else ""
    checks.append(Check("max_bad_seed_rows", "sources file", None, "SKILLENAI_MONITOR_MAX_BAD_SEED_ROWS",
                        len(bad_rows), max_bad, len(bad_rows) <= max_bad, f"unusable rows skipped{first}"))
    return checks


def _expected_sources(spider: str, args: dict, settings) -> list[str]:
    """The sources a run was asked to crawl: one from the command line, else the seeds file's."""
    if args.get("source") or args.get("target"):
        return [args.get("source") or args.get("target")]
    path = args.get("seeds") or settings.get("SKILLENAI_SEEDS")
    try:
        seeds, _problems = read_seeds(Path(path), spider=spider)
    except SeedFileError:
        return []  # the crawl itself reported the unusable file
    return list(dict.fromkeys(seed.source for seed in seeds))


def report(checks: list[Check], out) -> bool:
    """Print the failed checks (all of them with a verdict line); True when all passed."""
    failed = [c for c in checks if not c.passed]
    for check in failed:
        print(check.message(), file=out)
    print(f"monitors: {len(checks) - len(failed)} of {len(checks)} checks passed", file=out)
    return not failed


def as_json(checks: list[Check]) -> dict:
    return {"checks": len(checks), "failed": [asdict(c) for c in checks if not c.passed]}
