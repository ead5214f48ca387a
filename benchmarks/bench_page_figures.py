"""What the figures beyond the seed cost a skill page: ``skill_metrics`` computed with them
(pay, workplace, employers, the capped count, year over year:
``skillenai/metrics/market.py``) against the same call without them, interleaved in one
process on one synthetic store (``benchmarks.bench_metrics.build_store``), for a popular,
a middling and a rare skill. Prints the medians and their ratio.

Usage::

    python -m benchmarks.bench_page_figures              # 100k postings
    python -m benchmarks.bench_page_figures --postings 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_metrics import build_store
from skillenai.metrics import queries as metrics
from skillenai.store.db import open_db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-page-figures-") as tmp:
        path = Path(tmp) / "bench.db"
        build_store(path, args.postings)
        db = open_db(path)
        metrics.tune_connection(db)
        ranked = [r[0] for r in db.execute("SELECT skill_id FROM skill_postings GROUP BY skill_id "
                                           "ORDER BY COUNT(*) DESC, skill_id")]
        beyond = metrics._beyond
        print(f"{args.postings:,} postings; skill_metrics median of {args.repeat}, interleaved")
        for rank in (0, 50, len(ranked) // 2):
            ref = {"id": ranked[rank], "name": ranked[rank], "category": None}
            timings: dict[str, list[float]] = {"with": [], "without": []}
            for _ in range(args.repeat):
                for name, figures in (("with", beyond), ("without", lambda *a, **k: {})):
                    metrics._beyond = figures
                    start = time.perf_counter()
                    page = metrics.skill_metrics(db, ref, precomputed=False)
                    timings[name].append((time.perf_counter() - start) * 1000)
            metrics._beyond = beyond
            on, off = statistics.median(timings["with"]), statistics.median(timings["without"])
            print(f"skill rank {rank:>5} ({page['postings']:,} postings in the window): with {on:.1f} ms, "
                  f"without {off:.1f} ms, ratio {on / off:.2f}")
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
