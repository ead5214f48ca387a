"""One fetched HTML page → the documents it holds.

Structured data first: JSON-LD JobPosting (plain, in lists, in ``@graph``), then
microdata. A page without either goes through trafilatura, and a document-kind
classifier decides whether it is a posting, an article or some other page.
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from skillenai.classify.workplace import label_workplace
from skillenai.crawler.parsing.extract import element_text, extract_page, page_metadata
from skillenai.crawler.parsing.structured import BlockError, find_typed, json_ld_blocks, microdata_items, posting_fields

logger = logging.getLogger(__name__)

_LOCATION_LABEL = re.compile(
    r"^\s*(?:job\s+)?(?:location|locations|office|standort|lieu|ubicación)s?\s*[:：|\-–]\s*(?P<value>.{2,120})$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class PageDocuments:
    """What a page yielded: item field dicts, and the JSON-LD blocks that were broken."""

    postings: list[dict[str, Any]] = field(default_factory=list)
    unstructured: dict[str, Any] | None = None
    broken_blocks: list[BlockError] = field(default_factory=list)
    extraction: str | None = None
    kind: str | None = None  # of the unstructured page, when a ``kind_of`` was given
    canonical_url: str | None = None  # the page's <link rel=canonical>, resolved against its URL


# (title, main text, url) → "posting", "article" or "other"
KindOf = Callable[[str | None, str, str], str]

# The kinds of page whose author and publication date each page spider reads (None: every
# kind; see ``metadata_kinds`` below). The career-site spider stores them for articles only:
# a posting's dates come from the page, and a team or benefits page ("other") needs neither.
# The articles spider reads them everywhere: a page its feed lists is an article whatever
# the kind model says. Re-extraction (skillenai/pipeline/reextract.py) follows the same rule.
METADATA_KINDS: dict[str, tuple[str, ...] | None] = {"jobpostings": ("article",), "articles": None}


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_DECLARED = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_FURNITURE_OPEN = re.compile(r"<(script|style|svg)\b[^>]*>", re.IGNORECASE)
_FURNITURE_CLOSE = {name: re.compile(rf"</{name}[^>]*>", re.IGNORECASE) for name in ("script", "style", "svg")}


def strip_furniture(html: str) -> str:
    """``html`` without its inline scripts (other than JSON-LD), style sheets and SVG.

    They are most of a real career page's 100-300 KB (a framework's runtime, the app state
    it hydrates from, CSS, icons) and nothing reads them: not the page parser, not
    trafilatura (which drops them), yet lxml parsed them twice and htmldate's date
    patterns scanned them (a 200 KB page took twice as long as its posting alone;
    ``python -m benchmarks.bench_crawl --page-kb 100-300``). As an HTML parser ends a
    script, an element ends at the first closing tag of its name after it opens (an SVG
    nested in an SVG leaves the outer one's rest, which holds no text); one never closed
    runs to the end.
    """
    parts, done = [], 0
    for m in _FURNITURE_OPEN.finditer(html):
        if m.start() < done:
            continue  # inside an element already dropped
        name = m.group(1).lower()
        if name == "script" and "ld+json" in m.group(0).lower():
            continue
        close = _FURNITURE_CLOSE[name].search(html, m.end())
        parts.append(html[done:m.start()])
        done = close.end() if close else len(html)
    if not parts:
        return html
    parts.append(html[done:])
    return "".join(parts)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """A fetched page as text, whatever its charset labels say.

    Servers send wrong or no charsets, and pages carry stray bytes. A byte order mark wins;
    then UTF-8 when the bytes are valid UTF-8 (text in another encoding almost never is);
    then the charset the page declares, then the one the header declares, then
    windows-1252. Undecodable bytes become U+FFFD instead of garbling the whole page.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED.search(body[:4096])
    header = _HEADER_CHARSET.search(content_type or "")
    name = (_codec(declared.group(1).decode("ascii")) if declared else None) or \
        (_codec(header.group(1)) if header else None) or "cp1252"
    if name.startswith("utf-16"):  # a UTF-16 label on bytes without a BOM that are not UTF-16
        name = "utf-8"
    return body.decode(name, errors="replace")


def parse_html(body: str | bytes) -> Any | None:
    try:
        return lxml.html.document_fromstring(body)
    except (lxml.etree.ParserError, ValueError):
        return None


_META = lxml.etree.XPath("//meta[@content]")
_META_ATTRS = ("property", "name", "itemprop")


def meta_content(tree: Any, *names: str) -> str | None:
    """The content of the first of ``names`` a ``<meta property|name|itemprop>`` gives.

    For each name and attribute in turn, the first such tag with a content counts; a blank
    one passes to the next. One walk over the page's meta tags, not an XPath per name and
    attribute (a page asks for seven names)."""
    first: dict[tuple[str, str], str] = {}
    for meta in _META(tree):
        for attr in _META_ATTRS:
            value = meta.get(attr)
            if value is not None:
                first.setdefault((attr, value), meta.get("content"))
    for name in names:
        for attr in _META_ATTRS:
            content = first.get((attr, name))
            if content and content.strip():
                return content.strip()
    return None


def declared_language(tree: Any) -> str | None:
    """The language a page says it is in: ``<html lang>``, ``xml:lang`` or ``og:locale``."""
    return tree.get("lang") or tree.get("xml:lang") or meta_content(tree, "og:locale")


def canonical_link(tree: Any) -> str | None:
    values = tree.xpath('//link[translate(@rel, "CANONICAL", "canonical")="canonical"]/@href')
    return values[0].strip() if values and values[0].strip() else None


def _first_heading(tree: Any, xpaths: tuple[str, ...]) -> str | None:
    for xpath in xpaths:
        for heading in tree.xpath(xpath):
            text = " ".join(" ".join(heading.itertext()).split())
            if text:
                return text
    return None


def page_title(tree: Any) -> str | None:
    """The page's heading: its ``<h1>``; without one, its ``og:title`` or ``<title>`` unless
    that only names the site ("Acme Careers"), in which case the first ``<h2>`` of its
    main content (pages that set the job's title in an ``<h2>``)."""
    heading = _first_heading(tree, ("//main//h1", "//article//h1", "//h1"))
    if heading:
        return heading
    title = meta_content(tree, "og:title") or " ".join(" ".join(tree.xpath("//title//text()")).split())
    site = meta_content(tree, "og:site_name", "application-name")
    names_site = bool(title) and (company_from_site_name(title) != title.strip()
                                  or (site is not None and _folded(title) in (_folded(site), _folded(company_from_site_name(site)))))
    if not title or names_site:
        heading = _first_heading(tree, ("//main//h2", "//article//h2", '//*[@role="main"]//h2', "//h2"))
    return heading or title or None


def _folded(text: str | None) -> str:
    return re.sub(r"[\W_]+", "", (text or "").casefold())


def _job_boards() -> frozenset[str]:
    lines = (Path(__file__).parent.parent / "data" / "job_boards.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(_folded(line) for line in lines if line.strip() and not line.startswith("#"))


_JOB_BOARDS = functools.cache(_job_boards)


def employer_name(name: str | None) -> str | None:
    """``name`` as a posting's employer, or ``None`` when it names a job board, an
    aggregator or an applicant-tracking system (``Indeed``, ``Jobvite``), not the employer."""
    if not name or _folded(name) in _JOB_BOARDS():
        return None
    return name


_CAREERS_WORDS = re.compile(
    r"^(?:careers?|jobs?)\s+(?:at|@|with)\s+|^(?:careers?|jobs?)\s*[|\-–·:]\s*|\s*[|\-–·:]?\s*(?:careers?|jobs?|job board|"
    r"karriere|carrières|empleos|open (?:roles|positions))\s*$",
    re.IGNORECASE,
)
# Compiled once; the containers by name and the candidates by attribute first, which is
# twice as fast as testing every element (0.36 → 0.18 ms a page).
_LOCATION_CLASS = lxml.etree.XPath(
    '(//main | //article | //*[@role="main"])//*[@class or @id or @itemprop or @data-testid]'
    '[contains(translate(@class, "LOCATION", "location"), "location") '
    'or contains(translate(@id, "LOCATION", "location"), "location") or @itemprop="jobLocation" '
    'or contains(translate(@data-testid, "LOCATION", "location"), "location")]'
)
_LABEL_PREFIX = re.compile(
    r"^\s*(?:(?:job|work)\s+)?(?:locations?|where|based in|office|standort|arbeitsort|ort|lieu|ubicación)\b"
    r"\s*[:：|\-–]?\s*",
    re.IGNORECASE,
)


# Pins, globes and bullets that label location badges ("📍 Berlin", "• Remote").
_LEADING_SYMBOLS = re.compile(r"^[^\w(]+")


def company_from_site_name(name: str | None) -> str | None:
    """``"Corvid Careers"``, ``"Careers at Corvid"``, ``"Corvid | Jobs"``, ``"Careers | Corvid"`` → ``"Corvid"``."""
    if not name:
        return None
    cleaned = _CAREERS_WORDS.sub("", name.strip()).strip(" |-–·:")
    return cleaned or name.strip()


def location_element(tree: Any) -> str | None:
    """The text of the page's location badge (``class="job-location"`` and the like)."""
    for element in _LOCATION_CLASS(tree)[:20]:
        if element.xpath("ancestor::footer or ancestor::nav or ancestor::aside"):
            continue
        text = " ".join(" ".join(element.itertext()).split())
        text = _LABEL_PREFIX.sub("", _LEADING_SYMBOLS.sub("", text)).strip()
        if 2 <= len(text) <= 120:
            return text
    return None


def posted_date(tree: Any) -> str | None:
    """The date a page without structured data says it was posted (``<time datetime>``)."""
    for xpath in ('//*[self::main or self::article]//time[@datetime]', '//time[@datetime]'):
        for element in tree.xpath(xpath)[:5]:
            if element.xpath("ancestor::footer or ancestor::aside"):
                continue
            return element.get("datetime").strip() or None
    return None


def labelled_location(text: str) -> str | None:
    """The value of a "Location: …" line, as career pages without structured data write it."""
    match = _LOCATION_LABEL.search(text)
    return match.group("value").strip() if match else None


def job_postings(tree: Any) -> tuple[list[dict], list[BlockError], str | None]:
    blocks, errors = json_ld_blocks(tree)
    found = [p for block in blocks for p in find_typed(block, "JobPosting")]
    if found:
        graph = any(isinstance(b, dict) and "@graph" in b for b in blocks)
        return found, errors, "jsonld_graph" if graph else "jsonld"
    found = microdata_items(tree, "JobPosting")
    return found, errors, "microdata" if found else None


def _absolute(link: str | None, page_url: str) -> str | None:
    """A URL a page gives for itself (``<link rel=canonical>``, JSON-LD ``url``), resolved
    against the page's URL ("/jobs/42" is as good as the full address); ``None`` when it is
    no http(s) URL."""
    if not link:
        return None
    link = link.strip()
    try:
        # Most pages name themselves in full: urljoin would only split and join it again.
        resolved = link if link.startswith(("https://", "http://")) else urljoin(page_url, link)
        parts = urlsplit(resolved)
    except ValueError:
        return None
    return resolved if parts.scheme in ("http", "https") and parts.netloc else None


def documents_from_page(body: str | bytes, url: str, content_type: str | None = None, *,
                        with_location: bool = True, kind_of: KindOf | None = None,
                        metadata_kinds: tuple[str, ...] | None = None) -> PageDocuments:
    """Postings from structured data, else the page's main text for kind classification.

    ``body`` as fetched; bytes are decoded with :func:`decode_html` (``content_type`` is the
    response's header), so a wrong or missing charset does not garble the text.
    ``with_location=False`` leaves a page without structured data its ``location_raw`` unread.
    ``kind_of(title, text, url)`` names the kind of a page without structured data
    (``result.kind``); with ``metadata_kinds`` only a page of one of those kinds gets
    trafilatura's metadata search (author, publication date), which costs as much as the
    main text: a posting's dates and company come from the page, and a career site's
    team or benefits page ("other") has no use for them either."""
    result = PageDocuments()
    if isinstance(body, bytes):
        body = decode_html(body, content_type)
    # lxml refuses text that still declares an encoding.
    body = strip_furniture(_XML_DECLARATION.sub("", body, count=1))
    tree = parse_html(body)
    if tree is None:
        return result
    postings, result.broken_blocks, result.extraction = job_postings(tree)
    page_canonical = result.canonical_url = _absolute(canonical_link(tree), url)
    site_name = employer_name(company_from_site_name(meta_content(tree, "og:site_name", "application-name")))
    badge = functools.cache(lambda: location_element(tree))  # read once, if at all
    for posting in postings:
        fields = posting_fields(posting)
        if not fields.get("title") or not fields.get("text"):
            # A JobPosting without its description: fill from the page itself.
            main = extract_page(body, url, with_metadata=False)
            fields["title"] = fields.get("title") or page_title(tree)
            fields["text"] = fields.get("text") or (main or {}).get("text")
        fields["company"] = employer_name(fields.get("company")) or site_name
        if fields.get("stated_workplace") == "remote" and not posting.get("jobLocation"):
            # Remote postings name no place; the page's own label says where applicants may be.
            fields["location_raw"] = badge() or fields.get("location_raw")
        elif not fields.get("stated_workplace"):
            # JSON-LD has no word for hybrid, and many sites leave TELECOMMUTE out: the
            # page's location badge ("Hybrid (Singapore)", "Remote - US") says it.
            fields["stated_workplace"] = label_workplace(badge())
        fields["canonical_url"] = _absolute(fields.get("canonical_url"), url) or page_canonical
        result.postings.append(fields)
    if result.postings:
        return result
    choosy = kind_of is not None and metadata_kinds is not None
    main = extract_page(body, url, with_metadata=not choosy, declared_lang=declared_language(tree))
    if main is None:
        return result
    title = page_title(tree) or main.get("title")
    if kind_of is not None:
        result.kind = kind_of(title, main["text"], url)
        if choosy and result.kind in metadata_kinds:
            main.update(page_metadata(body, url))
            title = title or main.get("title")
    result.extraction = "trafilatura"
    result.unstructured = {
        "title": title,
        "text": main["text"],
        "author": main.get("author") or meta_content(tree, "author", "article:author"),
        "published_at": meta_content(tree, "article:published_time", "datePublished") or main.get("date"),
        "lang": main["lang"],
        "canonical_url": page_canonical,
        "company": site_name,
        # A tenth of an article's cost; re-extraction (skillenai/pipeline/reextract.py) needs no location.
        "location_raw": badge() or labelled_location(
            element_text(tree.body) if tree.body is not None else main["text"]) if with_location else None,
        "date_posted": posted_date(tree),
        "og_type": meta_content(tree, "og:type"),
        "has_article": bool(tree.xpath("//article")),
    }
    return result
