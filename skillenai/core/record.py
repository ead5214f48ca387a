"""The document record, declared once: :class:`Document`, and its validation.

Every spider yields a :class:`Document` (it is the crawl's Scrapy item); an ingest line is
a JSON object with its fields. :func:`normalize_record` checks and normalises either,
raising :class:`InvalidRecord` naming the field that is wrong; the crawl pipeline and
``skillenai ingest`` both go through it, so a document stored from a crawl and the same
document ingested from JSON Lines end up identical. The store's columns follow the
record's fields (``skillenai/store/documents.py``; ``tests/test_records.py`` checks them).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import gzip
import hashlib
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize_url
from w3lib.url import url_query_cleaner

from skillenai.core.dates import InvalidDate, parse_date, parse_datetime

# What a document is: a job posting, a market-insight article, a research paper, or another
# page of a site.
KINDS = ("posting", "article", "paper", "other")
# The kinds a page is told apart as when its source does not say (the document-kind model):
# papers come only from sources that say so.
PAGE_KINDS = ("posting", "article", "other")
# The kinds that are read, not applied to: a title is no job, every place named counts.
WRITTEN_KINDS = ("article", "paper")
WORKPLACES = ("onsite", "hybrid", "remote")
SALARY_PERIODS = ("hour", "day", "week", "month", "year")

# Field metadata: a field only postings carry (stored in ``postings``, not ``documents``).
_POSTING = {"posting": True}


@dataclass
class Document:
    """One document as a source gives it: a posting (with its posting fields), an article
    or another page. The item every spider yields, and the fields of an ingest line."""

    url: str
    kind: str  # one of KINDS
    spider: str | None = None
    source: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    text: str | None = None
    lang: str | None = None
    author: str | None = None  # an article's author; a paper's authors, comma-separated
    published_at: str | None = None
    # Subject categories as the source gives them (a paper's arXiv categories, the primary
    # first): a list of strings, stored space-separated.
    categories: Any = None
    raw: bytes | str | None = None  # the body as fetched (the job's JSON for ATS APIs)
    raw_type: str | None = None  # "html" | "json" | "xml" (a Personio or Teamtailor item, an arXiv entry or record)
    extraction: str | None = None  # how text was obtained: ats, jsonld, microdata, html, trafilatura
    # Posting fields (left empty on articles and other pages).
    external_id: str | None = dataclasses.field(default=None, metadata=_POSTING)
    # The employer's requisition or the ATS's internal job id, when the source gives one
    # (Greenhouse internal_job_id): posts that share it are one job (dedupe).
    requisition_id: str | None = dataclasses.field(default=None, metadata=_POSTING)
    company: str | None = dataclasses.field(default=None, metadata=_POSTING)
    location_raw: str | None = dataclasses.field(default=None, metadata=_POSTING)
    # structured locations as the source gave them (addresses, names)
    locations: Any = dataclasses.field(default=None, metadata=_POSTING)
    employment_type: Any = dataclasses.field(default=None, metadata=_POSTING)
    # How the source says the job is worked (onsite, hybrid, remote): its own field, or a
    # career page's location badge. Evidence for the classify stage, which decides the
    # posting's working arrangement (postings.workplace; skillenai.classify.workplace).
    stated_workplace: str | None = dataclasses.field(default=None, metadata=_POSTING)
    salary_min: float | None = dataclasses.field(default=None, metadata=_POSTING)
    salary_max: float | None = dataclasses.field(default=None, metadata=_POSTING)
    salary_currency: str | None = dataclasses.field(default=None, metadata=_POSTING)
    salary_period: str | None = dataclasses.field(default=None, metadata=_POSTING)
    date_posted: str | None = dataclasses.field(default=None, metadata=_POSTING)
    valid_through: str | None = dataclasses.field(default=None, metadata=_POSTING)
    department: str | None = dataclasses.field(default=None, metadata=_POSTING)


FIELDS = tuple(f.name for f in dataclasses.fields(Document))
POSTING_FIELDS = tuple(f.name for f in dataclasses.fields(Document) if f.metadata.get("posting"))
DOCUMENT_FIELDS = tuple(name for name in FIELDS if name not in POSTING_FIELDS)

# Query parameters that only say where a visitor came from: dropping them keeps one
# document per job however it was linked.
_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|gh_src|lever-source|lever-origin|source|src|ref|referrer|fbclid|gclid|"
    r"mc_cid|mc_eid|trk|trackingid|_hs\w+)$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# What clean_text would change inside a text: a space other than " " (any white space
# but the line break, so also those that only matter at a line's ends), and the runs two
# spaces in a row, a space at either end of a line, three line breaks in a row. The class
# alone is a regex (the engine skips to candidates in one C loop), the runs are substring
# tests: one alternation of both was tried at every space (29 -> 17 us a posting).
_UNCLEAN_SPACE = re.compile(r"[\t\r\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000]")
_UNCLEAN_RUNS = ("  ", " \n", "\n ", "\n\n\n")
_EMPLOYMENT_TYPES = {
    "fulltime": "full_time", "full": "full_time", "permanent": "full_time",
    "parttime": "part_time", "part": "part_time",
    "contract": "contract", "contractor": "contract", "freelance": "contract",
    "temporary": "temporary", "temp": "temporary", "seasonal": "temporary", "fixedterm": "temporary",
    "intern": "intern", "internship": "intern", "werkstudent": "intern",
    "volunteer": "volunteer", "perdiem": "per_diem", "other": "other",
}
_PERIODS = {
    "hour": "hour", "hourly": "hour", "hr": "hour", "h": "hour",
    "day": "day", "daily": "day",
    "week": "week", "weekly": "week", "wk": "week",
    "month": "month", "monthly": "month", "mo": "month",
    "year": "year", "yearly": "year", "annual": "year", "annually": "year", "yr": "year",
    "annum": "year", "peryear": "year",
}


class InvalidRecord(ValueError):
    """A record cannot be stored; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def document_id(canonical_url: str) -> str:
    """The stable id of the document at ``canonical_url`` (16 hex digits)."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def canonicalize_url(url: str, origin_map: dict[str, str] | None = None) -> str:
    """One spelling of a URL, whichever way it was linked: w3lib's ``canonicalize_url``
    (lower-case scheme and host, IDN hosts in punycode, dot segments resolved,
    percent-encoding in one case and only where needed, sorted query, no fragment), then
    no tracking parameters (``url_query_cleaner``), no default port, and ``/`` for an
    empty path.

    ``origin_map`` rewrites origins (``"http://127.0.0.1:8123"`` →
    ``"https://example.com"``), so a mirror or the local sample web stores the public URL.

    >>> canonicalize_url("HTTPS://Example.com:443/a/./b/../c%7e?b=2&utm_source=x&a=1#apply")
    'https://example.com/a/c~?a=1&b=2'
    """
    if url in _CANONICAL_SPELLINGS and (not origin_map or apply_origin_map(url, origin_map) == url):
        return url
    canonical = _canonicalize(url, origin_map)
    if len(_CANONICAL_SPELLINGS) >= _CANONICAL_SPELLINGS_MAX:
        _CANONICAL_SPELLINGS.clear()
    _CANONICAL_SPELLINGS.add(canonical)
    return canonical


# URLs known to be canonical spellings: a crawled page's URL is made canonical by its spider,
# then again by the store's normalisation, and w3lib's canonicalisation is the costlier half
# of that (about 50 us a URL). Emptied when full.
_CANONICAL_SPELLINGS: set[str] = set()
_CANONICAL_SPELLINGS_MAX = 100_000


def _canonicalize(url: str, origin_map: dict[str, str] | None) -> str:
    parts = urlsplit(url.strip())
    url = (apply_origin_map(f"{parts.scheme.lower()}://{parts.netloc.lower()}", origin_map)
           + urlunsplit(("", "", parts.path, parts.query, "")))
    tracking = [key for key, _, _ in (pair.partition("=") for pair in parts.query.split("&"))
                if _TRACKING_PARAMS.match(unquote_plus(key))]
    if tracking:
        url = url_query_cleaner(url, tracking, remove=True, unique=False)
    parts = urlsplit(w3lib_canonicalize_url(url))
    netloc = parts.netloc
    if parts.scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif parts.scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def apply_origin_map(url: str, origin_map: dict[str, str] | None) -> str:
    if origin_map:
        for local, public in origin_map.items():
            if url.startswith(local) and (len(url) == len(local) or url[len(local)] in "/?#"):
                return public + url[len(local):]
    return url


# A UTF-16 surrogate standing alone (a JSON "\ud800" escape): no character, and UTF-8 (so
# SQLite) cannot hold it. It becomes U+FFFD, the replacement character.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def clean_text(text: str) -> str:
    """Collapse spaces within lines, trim lines, and keep at most one blank line in a row.

    >>> clean_text("  Build  APIs " + chr(0xD800) + " \\n\\n\\n in Go ")
    'Build APIs \\ufffd\\n\\nin Go'
    """
    text = _no_surrogates(text)
    if not (_UNCLEAN_SPACE.search(text) or any(run in text for run in _UNCLEAN_RUNS)
            or text[:1].isspace() or text[-1:].isspace()):
        # Text from the crawl's parsing is clean already: one scan instead of a
        # substitution and a strip per line.
        return text
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(text: str | None) -> str | None:
    if text is None:
        return None
    text = _SPACES.sub(" ", _no_surrogates(str(text)).replace("\n", " ")).strip()
    return text or None


def _text_field(field: str, value: Any) -> str | None:
    """A one-line text field (title, company, author): a string, or nothing; a list or an
    object is an error, not its Python spelling."""
    if value is not None and not isinstance(value, (str, int, float)):
        raise InvalidRecord(field, f"expected a string, got {type(value).__name__}")
    return clean_line(value)


def content_hash(text: str) -> str:
    """Hash of the text with case and white space folded: equal for exact duplicates."""
    folded = " ".join(text.casefold().split())
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


def _url(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(field, "missing")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidRecord(field, f"not an absolute http(s) URL: {value[:200]!r}")
    try:
        parts.port
    except ValueError as exc:  # a port that is not a number, or past 65535
        raise InvalidRecord(field, f"{exc}: {value[:200]!r}") from None
    return value.strip()


def _number(field: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidRecord(field, f"not a number: {value!r}")
    if isinstance(value, str):
        value = value.replace(",", "").replace("_", "").strip()
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidRecord(field, f"not a number: {value!r}") from None
    if number != number or number < 0 or number > 1e9:
        raise InvalidRecord(field, f"out of range: {value!r}")
    return number


def normalize_employment_type(value: Any) -> str | None:
    """``"FULL_TIME"``, ``"Full-time"``, ``["FULL_TIME", "CONTRACTOR"]`` → ``"full_time,contract"``."""
    if value is None:
        return None
    values = value if isinstance(value, (list, tuple)) else re.split(r"[,/;|]| or ", str(value))
    found = []
    for item in values:
        key = re.sub(r"[^a-z]", "", str(item).lower())
        kind = _EMPLOYMENT_TYPES.get(key) or next(
            (v for k, v in _EMPLOYMENT_TYPES.items() if len(k) > 4 and key.startswith(k)), None
        )
        if kind and kind not in found:
            found.append(kind)
    return ",".join(found) or None


def normalize_period(value: Any) -> str | None:
    if value is None:
        return None
    key = re.sub(r"[^a-z]", "", str(value).lower())
    return _PERIODS.get(key) or _PERIODS.get(key.removeprefix("per"))


class CompressedRaw(bytes):
    """A page body already compressed as the store may keep it: the gzip stream the server
    sent (see :func:`gzip_stream_of`), stored as it came instead of compressed again."""


def gzip_stream_of(stream: bytes | None, body: bytes) -> CompressedRaw | None:
    """``stream`` as a :class:`CompressedRaw` when it is a gzip stream whose last trailer
    says it holds exactly ``body`` (CRC-32 and length; Scrapy decodes a truncated stream
    as far as it goes, which must not be kept as the page), else ``None``."""
    if not stream or len(stream) < 18 or stream[:2] != b"\x1f\x8b":
        return None
    crc, size = struct.unpack("<II", stream[-8:])
    if size != len(body) & 0xFFFFFFFF or crc != zlib.crc32(body):
        return None
    return CompressedRaw(stream)


def normalize_raw(value: Any) -> bytes | None:
    """Raw bodies are stored zlib-compressed (or as the gzip stream the server sent, a
    :class:`CompressedRaw`); ingest lines may carry text or base64."""
    if value is None or value == b"" or value == "":
        return None
    if isinstance(value, CompressedRaw):
        return bytes(value)
    if isinstance(value, str):
        if value.startswith("base64:"):
            try:
                value = base64.b64decode(value[7:], validate=True)
            except ValueError:
                raise InvalidRecord("raw", "invalid base64 after 'base64:'") from None
        else:
            value = value.encode("utf-8")
    if not isinstance(value, (bytes, bytearray)):
        raise InvalidRecord("raw", f"expected text or bytes, got {type(value).__name__}")
    return zlib.compress(bytes(value), 6)


def decompress_raw(blob: bytes | None) -> bytes | None:
    """A stored raw body as fetched: zlib, or gzip as the server sent it (its magic bytes
    cannot begin a zlib stream; every member of a multi-member stream is read)."""
    if not blob:
        return None
    return gzip.decompress(blob) if blob[:2] == b"\x1f\x8b" else zlib.decompress(blob)


def normalize_record(record: Document | dict[str, Any], *,
                     origin_map: dict[str, str] | None = None) -> dict[str, Any]:
    """Validate one document (a :class:`Document`, or a dict with its fields, as ingest
    reads them) and return the normalised record the store writes, with ``id`` and
    ``content_hash``.

    Raises :class:`InvalidRecord` naming the first field that is unusable. Unknown fields
    of a dict are an error too, so a typo in an ingest file does not pass silently.
    """
    if isinstance(record, Document):
        # Read in place: a copy of every field (the page body included) per item is a cost.
        get: Callable[[str], Any] = functools.partial(getattr, record)
    elif isinstance(record, dict):
        unknown = set(record) - set(FIELDS) - {"id", "content_hash"}
        if unknown:
            raise InvalidRecord(sorted(unknown)[0], f"unknown field (known: {', '.join(FIELDS)})")
        get = record.get
    else:
        raise InvalidRecord("record", f"expected a JSON object, got {type(record).__name__}")
    try:
        return _normalize(get, origin_map)
    except InvalidDate as exc:
        raise InvalidRecord(exc.field, str(exc).split(": ", 1)[1]) from None


def _normalize(get: Callable[[str], Any], origin_map: dict[str, str] | None) -> dict[str, Any]:
    kind = get("kind")
    if kind not in KINDS:
        raise InvalidRecord("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    url = apply_origin_map(_url("url", get("url")), origin_map)
    canonical = canonicalize_url(_url("canonical_url", get("canonical_url") or url), origin_map)
    title = _text_field("title", get("title"))
    text = get("text")
    if text is not None and not isinstance(text, str):
        raise InvalidRecord("text", f"expected a string, got {type(text).__name__}")
    text = clean_text(text) if text else ""
    if kind != "other":
        if not title:
            raise InvalidRecord("title", f"a {kind} needs a title")
        if len(text) < 40:
            raise InvalidRecord("text", f"a {kind} needs its text (got {len(text)} characters)")
    published_at = parse_datetime(get("published_at"), field="published_at")
    out: dict[str, Any] = {
        "id": document_id(canonical),
        "url": url,
        "canonical_url": canonical,
        "source": clean_line(get("source")),
        "spider": clean_line(get("spider")),
        "kind": kind,
        "title": title,
        "text": text,
        "lang": clean_line(get("lang")),
        "author": _text_field("author", get("author")),
        "published_at": published_at,
        "categories": _categories(get("categories")),
        "raw": normalize_raw(get("raw")),
        "raw_type": clean_line(get("raw_type")),
        "extraction": clean_line(get("extraction")),
        "content_hash": content_hash(text) if text else None,
    }
    if kind == "posting":
        out.update(_posting_fields(get, published_at))
    return out


def _categories(value: Any) -> str | None:
    """Categories as stored: ``["cs.CL", "cs.CY"]`` or ``"cs.CL cs.CY"`` → ``"cs.CL cs.CY"``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise InvalidRecord("categories", f"expected a list of strings, got {type(value).__name__}")
    names = list(dict.fromkeys(word for v in value for word in v.split()))
    return " ".join(names) or None


def _posting_fields(get: Callable[[str], Any], published_at: str | None) -> dict[str, Any]:
    workplace = clean_line(get("stated_workplace"))
    if workplace is not None:
        workplace = workplace.lower().replace("-", "").replace(" ", "")
        workplace = {"onsite": "onsite", "inoffice": "onsite", "office": "onsite",
                     "hybrid": "hybrid", "remote": "remote", "telecommute": "remote"}.get(workplace)
    salary_min = _number("salary_min", get("salary_min"))
    salary_max = _number("salary_max", get("salary_max"))
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        salary_min, salary_max = salary_max, salary_min
    currency = clean_line(get("salary_currency"))
    if currency is not None:
        currency = currency.upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise InvalidRecord("salary_currency", f"not an ISO 4217 code: {currency!r}")
    locations = get("locations")
    if locations is not None and not isinstance(locations, (list, dict, str)):
        raise InvalidRecord("locations", f"expected a list, object or string, got {type(locations).__name__}")
    date_posted = parse_date(get("date_posted"), field="date_posted") or (
        published_at[:10] if published_at else None
    )
    return {
        "external_id": clean_line(get("external_id")),
        "requisition_id": clean_line(get("requisition_id")),
        "company": _text_field("company", get("company")),
        "location_raw": clean_line(get("location_raw")),
        "locations": locations,
        "employment_type": normalize_employment_type(get("employment_type")),
        "stated_workplace": workplace,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "salary_currency": currency,
        "salary_period": normalize_period(get("salary_period")),
        "date_posted": date_posted,
        "valid_through": parse_date(get("valid_through"), field="valid_through"),
        "department": clean_line(get("department")),
    }
