"""The one item type every spider yields: a document, with posting fields when it is one.

Its fields are exactly :data:`skillenai.core.record.FIELDS`, so a crawled item and a line given to
``skillenai ingest`` are validated and stored the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class DocumentItem:
    url: str
    kind: str  # posting | article | other
    spider: str | None = None
    source: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    text: str | None = None
    lang: str | None = None
    author: str | None = None
    published_at: str | None = None
    raw: bytes | str | None = None  # the body as fetched (the job's JSON for ATS APIs)
    raw_type: str | None = None  # "html" | "json"
    extraction: str | None = None  # how text was obtained: ats, jsonld, microdata, html, trafilatura
    # Posting fields (left empty on articles and other pages).
    external_id: str | None = None
    company: str | None = None
    location_raw: str | None = None
    locations: Any = None  # structured locations as the source gave them (addresses, names)
    employment_type: Any = None
    workplace: str | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    date_posted: str | None = None
    valid_through: str | None = None
    department: str | None = None
