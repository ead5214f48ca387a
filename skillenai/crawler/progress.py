"""The crawl's progress on stderr while ``skillenai crawl``, ``daily`` or ``demo`` runs it.

Every half second, the stats of every crawler in the process are summed into one bar
(:func:`skillenai.core.progress.bar`): pages fetched against the requests known so far
(the total grows as pages reveal more), their rate, items stored, requests that failed.
"""

from __future__ import annotations

from typing import Any

from skillenai.core.progress import bar

TICK = 0.5  # seconds between updates of the counts


def crawl_counts(crawlers: list[Any]) -> dict[str, int]:
    """Pages fetched, requests known, items and failed fetches, summed over ``crawlers``."""
    counts = {"pages": 0, "known": 0, "items": 0, "errors": 0}
    for crawler in crawlers:
        stats = getattr(crawler, "stats", None)
        if stats is None:
            continue
        get = stats.get_value
        counts["pages"] += get("downloader/response_count", 0)
        # Requests the scheduler took, plus the ones fetched without it (robots.txt).
        counts["known"] += get("scheduler/enqueued", 0) + get("robotstxt/request_count", 0)
        counts["items"] += get("item_scraped_count", 0)
        counts["errors"] += get("skillenai/skipped/fetch_failed", 0)
    counts["known"] = max(counts["known"], counts["pages"])
    return counts


def watch(crawlers: list[Any]) -> None:
    """Show the crawl's progress from when the reactor runs until it stops."""
    from twisted.internet import reactor, task

    state: dict[str, Any] = {}

    def tick() -> None:
        counts = crawl_counts(crawlers)
        if not counts["known"]:
            return
        current = state.get("bar")
        if current is None:
            current = state["bar"] = bar("crawl", counts["known"], unit="page")
        current.total = counts["known"]
        current.set_postfix_str(f"{counts['items']} items, {counts['errors']} failed", refresh=False)
        current.update(counts["pages"] - current.n)

    def stop() -> None:
        if loop.running:
            loop.stop()
        tick()
        if "bar" in state:
            state["bar"].close()

    loop = task.LoopingCall(tick)
    reactor.callWhenRunning(loop.start, TICK, now=False)
    reactor.addSystemEventTrigger("before", "shutdown", stop)
