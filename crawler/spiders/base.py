"""What every Skillenai spider shares: sources from the seeds file, and failure reporting.

A spider crawls the rows of the sources file that name it (``SKILLENAI_SEEDS``, or
``-a seeds=PATH``), or one source given on the command line
(``scrapy crawl greenhouse -a source=acme -a target=acme``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import scrapy
from scrapy.exceptions import CloseSpider

from crawler.issues import report_skipped
from crawler.seeds import Seed, SeedFileError, check_row, read_seeds


class SeededSpider(scrapy.Spider):
    """Base class: subclasses implement :meth:`requests_for` for one source."""

    def __init__(self, *args: Any, seeds: str | None = None, source: str | None = None,
                 target: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.seeds_path = seeds
        self.one_source = (source, target) if (source or target) else None
        self.run_args = {k: v for k, v in {"seeds": seeds, "source": source, "target": target}.items() if v}
        self.crawl_run_id = None
        self._listing_pages: dict[str, set[str]] = {}

    def load_seeds(self) -> list[Seed]:
        if self.one_source:
            source, target = self.one_source
            target = target or source
            source = source or target
            problem = check_row(self.name, source, target)
            if problem:
                raise CloseSpider(f"bad source on the command line: {problem}")
            return [Seed(self.name, source, target, "command line")]
        path = self.seeds_path or self.settings.get("SKILLENAI_SEEDS")
        try:
            seeds, problems = read_seeds(Path(path), spider=self.name)
        except SeedFileError as exc:
            self.logger.error("%s", exc)
            raise CloseSpider(str(exc)) from None
        for problem in problems:
            report_skipped(self, problem.where, "bad_seed_row", problem.message)
        if not seeds:
            self.logger.warning("no %s sources in %s", self.name, path)
        return seeds

    async def start(self):
        for seed in self.load_seeds():
            for request in self.requests_for(seed):
                yield request

    def requests_for(self, seed: Seed) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    # Helpers for subclasses ------------------------------------------------------------

    def json_body(self, response, what: str) -> Any:
        """The response's JSON, or ``None`` after reporting why it is unusable."""
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            report_skipped(self, response.url, "invalid_json", f"{what}: {exc}")
            return None

    def allow_listing_page(self, seed: Seed, url: str) -> bool:
        """Whether listing page ``url`` of ``seed`` may be followed (SKILLENAI_MAX_LISTING_PAGES)."""
        seen = self._listing_pages.setdefault(seed.target, set())
        if url in seen:
            return False  # already followed (pages link to each other many times)
        if len(seen) >= self.settings.getint("SKILLENAI_MAX_LISTING_PAGES", 200):
            self.crawler.stats.inc_value("skillenai/listing_pages_cut")
            return False
        seen.add(url)
        return True

    def request_failed(self, failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        status = f"HTTP {response.status}" if response is not None else failure.getErrorMessage()
        report_skipped(self, request.url, "fetch_failed", status)
