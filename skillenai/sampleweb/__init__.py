"""The sample web: a deterministic, realistic web of job boards, career sites and
market-insight articles, with its ground truth, for tests, benchmarks and the demo.

``generate(out_dir, postings=...)`` writes it; ``SampleWebServer(out_dir)`` serves it.
"""

from .generate import generate
from .server import SampleWebServer

__all__ = ["generate", "SampleWebServer"]
