"""Finding documents on a site: robots.txt sitemaps, sitemaps, RSS/Atom feeds, listings.

XML from the web is parsed without entity resolution or network access, so entity
expansion bombs and external entities are inert.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.etree
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

logger = logging.getLogger(__name__)

MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit
_PAGINATION_WORDS = {"next", "next page", "older", "older posts", "more", "›", "»", "→", "next ›", "next »"}


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str | None = None
    published: str | None = None
    author: str | None = None


def maybe_gunzip(body: bytes) -> bytes:
    """``body``, decompressed when it is gzip data; ``ValueError`` when that data is broken."""
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
                return handle.read(MAX_XML_BYTES + 1)[:MAX_XML_BYTES]
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"broken gzip data: {exc}") from None
    return body


def _skip_literal(body: bytes, i: int) -> int:
    """Past the quoted literal starting at ``body[i]`` (or the end of the body)."""
    end = body.find(body[i:i + 1], i + 1)
    return len(body) if end < 0 else end + 1


def _skip_past(body: bytes, i: int, marker: bytes) -> int:
    end = body.find(marker, i)
    return len(body) if end < 0 else end + len(marker)


def _doctype_end(body: bytes, i: int) -> int:
    """The offset just past a document type declaration whose name starts at ``i``.

    Quoted literals (entity values, system ids), comments and processing instructions are
    read whole, so a ``]`` or ``>`` inside them does not end the declaration early."""
    n = len(body)
    in_subset = False
    while i < n:
        c = body[i:i + 1]
        if c in (b'"', b"'"):
            i = _skip_literal(body, i)
        elif in_subset and body.startswith(b"<!--", i):
            i = _skip_past(body, i + 4, b"-->")
        elif in_subset and body.startswith(b"<?", i):
            i = _skip_past(body, i + 2, b"?>")
        elif c == b"[" and not in_subset:
            in_subset, i = True, i + 1
        elif c == b"]" and in_subset:
            in_subset, i = False, i + 1
        elif c == b">" and not in_subset:
            return i + 1
        else:
            i += 1
    return n


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def without_doctype(body: bytes) -> tuple[bytes, list[bytes]]:
    """``body`` without document type declarations, and the declarations removed.

    Sitemaps and feeds need no DTD, and its internal subset is where entity-expansion bombs
    and external entities live; even unexpanded, a declared entity's reference makes libxml2
    give up on the rest of the document. Every declaration goes, wherever it stands (after
    any length of prolog, or misplaced inside the document), and its literals are read
    whole, so an entity value holding ``]>`` does not end it early."""
    if not _DOCTYPE.search(body):
        return body, []
    kept, removed, pos = [], [], 0
    while (match := _DOCTYPE.search(body, pos)) is not None:
        end = _doctype_end(body, match.end())
        kept.append(body[pos:match.start()])
        removed.append(body[match.start():end])
        pos = end
    kept.append(body[pos:])
    return b"".join(kept), removed


@dataclass
class XmlCuts:
    """What reading an XML body left out: its DTD, the entity references that were not
    expanded, and the parser's recoveries from broken markup (each may drop content)."""

    dtd_bytes: int = 0
    dtd_entities: int = 0
    unexpanded: int = 0
    recovered: int = 0
    first_error: str | None = None

    def add_errors(self, error_log) -> None:
        for error in error_log:
            if error.level < lxml.etree.ErrorLevels.ERROR:
                continue
            if error.type_name == "ERR_UNDECLARED_ENTITY":
                self.unexpanded += 1
            else:
                self.recovered += 1
                self.first_error = self.first_error or f"line {error.line}: {error.message}"

    def __bool__(self) -> bool:
        return bool(self.dtd_bytes or self.unexpanded or self.recovered)

    def __str__(self) -> str:
        parts = []
        if self.dtd_bytes:
            parts.append(f"document type declaration ignored ({self.dtd_bytes} bytes, "
                         f"{self.dtd_entities} entity declarations)")
        if self.unexpanded:
            parts.append(f"{self.unexpanded} entity references left out")
        if self.recovered:
            parts.append(f"{self.recovered} markup errors recovered from, content may be missing "
                         f"(first: {self.first_error})")
        return "; ".join(parts)


def _xml_body(body: bytes) -> tuple[bytes, XmlCuts]:
    """An XML body ready for lxml: decompressed, without a document type declaration, in
    UTF-8 when it declared no encoding and is not UTF-8, without character references to
    characters XML forbids."""
    body, doctypes = without_doctype(maybe_gunzip(body))
    cuts = XmlCuts()
    for doctype in doctypes:
        cuts.dtd_bytes += len(doctype)
        cuts.dtd_entities += doctype.count(b"<!ENTITY")
    body = _undeclared_to_utf8(body)
    if b"&#" in body:
        body = _BAD_CHAR_REF.sub(_drop_bad_char_ref, body)
    return body, cuts


_ENCODING_DECLARED = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=", re.IGNORECASE)


def _undeclared_to_utf8(body: bytes) -> bytes:
    """A body that names no encoding must be UTF-8 (XML 1.0, 4.3.3), yet feeds are served
    in Latin-1 without saying so: read so, libxml2 turns every accented letter into a
    replacement character. Such a body is read as Windows-1252 (Latin-1's superset on the
    web) and written as UTF-8."""
    if body[:3] == b"\xef\xbb\xbf" or body[:2] in (b"\xff\xfe", b"\xfe\xff") or _ENCODING_DECLARED.match(body):
        return body
    try:
        body.decode("utf-8")
        return body
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace").encode("utf-8")


# A numeric character reference (&#31;, &#x1F;): libxml2 recovering from one to a character
# XML forbids went on to drop every later entity reference of the document (each "&amp;"
# in the links after it), so those are dropped before parsing.
_BAD_CHAR_REF = re.compile(rb"&#(?:x([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")


def _drop_bad_char_ref(match: re.Match) -> bytes:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    allowed = (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
               or 0x10000 <= code <= 0x10FFFF)
    return match.group(0) if allowed else b""


def sitemaps_in_robots(body: bytes, base_url: str) -> list[str]:
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url=base_url)))


def xml_root_name(body: bytes) -> str | None:
    """Local name of the XML document element (``urlset``, ``rss``, ``feed``…), or ``None``."""
    try:
        body, _ = _xml_body(body)
    except ValueError:
        return None
    head = body.lstrip()[:2048]
    if not head.startswith(b"<"):
        return None
    try:
        for _event, element in lxml.etree.iterparse(
            io.BytesIO(body), events=("start",), resolve_entities=False, no_network=True,
            recover=True, huge_tree=False, load_dtd=False,
        ):
            return lxml.etree.QName(element).localname.lower()
    except lxml.etree.LxmlError:
        return None
    return None


def sitemap_entries(body: bytes) -> tuple[str, list[dict], XmlCuts]:
    """``("sitemapindex" | "urlset", entries, cuts)`` of a sitemap; entries carry ``loc`` and
    ``lastmod``; ``cuts`` says what of the body was left out (false when nothing was).

    Raises ``ValueError`` for a body that is not a parseable sitemap (empty, broken gzip)."""
    body, cuts = _xml_body(body)
    try:
        sitemap = Sitemap(body)
        entries = [entry for entry in sitemap if entry.get("loc")]
    except (lxml.etree.LxmlError, StopIteration) as exc:  # StopIteration: no element at all
        raise ValueError(f"not a parseable sitemap: {str(exc) or 'no XML element'}") from None
    cuts.add_errors(sitemap.xmliter.error_log)
    return sitemap.type, entries, cuts


def _parser() -> lxml.etree.XMLParser:
    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                                huge_tree=False, load_dtd=False, remove_comments=True)


def xml_document(body: bytes, what: str = "XML document") -> tuple:
    """``(root element, cuts)`` of an XML body, parsed without its document type
    declaration, entities or network; raises ``ValueError`` naming ``what`` when there is
    no document to read."""
    body, cuts = _xml_body(body)
    parser = _parser()
    try:
        root = lxml.etree.fromstring(body, parser=parser)
    except lxml.etree.LxmlError as exc:
        raise ValueError(f"not a parseable {what}: {exc}") from None
    if root is None:
        raise ValueError(f"not a parseable {what}: empty document")
    cuts.add_errors(parser.error_log)
    return root, cuts


def feed_entries(body: bytes, base_url: str) -> tuple[list[FeedEntry], XmlCuts]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in feed order, and what of the
    body was left out (false when nothing was)."""
    root, cuts = xml_document(body, "feed")
    entries: list[FeedEntry] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = lxml.etree.QName(element).localname
        if name == "item":
            link = child_text(element, "link") or child_text(element, "guid")
            entry = FeedEntry(
                url=urljoin(base_url, link) if link else "",
                title=child_text(element, "title"),
                # <a10:updated>: .NET's SyndicationFeed dates RSS items in the Atom namespace.
                published=(child_text(element, "pubDate") or child_text(element, "date")
                           or child_text(element, "updated")),
                author=child_text(element, "creator") or child_text(element, "author"),
            )
        elif name == "entry":
            link = _atom_link(element)
            author = element.find("{*}author")
            entry = FeedEntry(
                url=urljoin(base_url, link) if link else "",
                title=child_text(element, "title"),
                published=child_text(element, "published") or child_text(element, "updated"),
                author=child_text(author, "name") if author is not None else None,
            )
        else:
            continue
        if entry.url and urlsplit(entry.url).scheme in ("http", "https"):
            entries.append(entry)
    return entries, cuts


def child_text(element, name: str) -> str | None:
    """The text of ``element``'s first child called ``name`` (any namespace), or ``None``."""
    for child in element:
        if isinstance(child.tag, str) and lxml.etree.QName(child).localname == name:
            text = "".join(child.itertext()).strip()
            return text or None
    return None


def _atom_link(entry) -> str | None:
    fallback = None
    for link in entry.findall("{*}link"):
        rel = link.get("rel", "alternate")
        if rel == "alternate" and link.get("href"):
            return link.get("href")
        fallback = fallback or link.get("href")
    return fallback


_PAGE_PARAMS = frozenset({"page", "p", "pg", "paged", "offset", "start", "from"})


def is_pagination_link(anchor, listing_url: str | None = None) -> bool:
    """An ``<a>`` that leads to another page of a listing.

    ``rel="next"``, a "Next"-like label, or (given the listing's URL) a link to the same
    path with a page-number parameter (``/jobs/?page=3``) or a ``/page/3/`` path.
    """
    href = anchor.get("href") or ""
    if listing_url is not None and same_site(href, listing_url):
        parts, base = urlsplit(href), urlsplit(listing_url)
        params = {k.lower() for k, _ in parse_qsl(parts.query)}
        if parts.path == base.path and params & _PAGE_PARAMS:
            return True
        if re.fullmatch(re.escape(base.path.rstrip("/")) + r"/page/\d+/?", parts.path):
            return True
    rel = (anchor.get("rel") or "").lower().split()
    if "next" in rel:
        return True
    classes = (anchor.get("class") or "").lower()
    if "next" in classes.split() or "pagination-next" in classes:
        return True
    label = " ".join(anchor.itertext()).strip().lower()
    return label in _PAGINATION_WORDS or (anchor.get("aria-label") or "").lower().startswith("next")


def same_site(url: str, other: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(other).netloc.lower()


def is_below(url: str, listing_url: str) -> bool:
    """``url``'s path lies strictly below the listing's directory (``/jobs/`` → ``/jobs/123/``)."""
    base = urlsplit(listing_url).path
    base = base if base.endswith("/") else base.rsplit("/", 1)[0] + "/"
    path = urlsplit(url).path
    return path.startswith(base) and len(path.rstrip("/")) > len(base.rstrip("/"))


def in_chrome(anchor) -> bool:
    """A link in the page's navigation, header or footer (they lead elsewhere on the site)."""
    return bool(anchor.xpath("ancestor::nav or ancestor::header or ancestor::footer"))


# Crawler traps ------------------------------------------------------------------------------

# Query parameters that only carry a visitor's session: a page linking to itself under a
# fresh session id on every visit would otherwise be an endless supply of "new" URLs.
_SESSION_PARAMS = frozenset({"sessionid", "session_id", "session", "sid", "jsessionid", "phpsessid",
                             "aspsessionid", "sessid", "cfid", "cftoken", "zenid", "s_id", "in_iframe"})
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#]*", re.IGNORECASE)
# Calendar-like URLs (/calendar/…, /events/2026/06/, ?month=2026-06): each period links to
# the next, without end. A dated path with more after it (/2026/05/08/a-story/) is a document.
_CALENDAR_PATH = re.compile(r"/(?:calendar|events?|agenda)/|/(?:19|20)\d{2}[/-](?:0?[1-9]|1[0-2])(?:[/-]\d{1,2})?/?$",
                            re.IGNORECASE)
_CALENDAR_PARAMS = frozenset({"month", "year", "date", "day", "week", "cal", "calendar"})


def without_session(url: str) -> str:
    """``url`` without session-id query or path parameters (``;jsessionid=…``, ``?sid=…``),
    nor ``in_iframe``, which says how a page is framed, not which page it is (iCIMS
    listings link each posting with ``?in_iframe=1``)."""
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in _SESSION_PARAMS]
    if path == parts.path and len(kept) == len(pairs):
        return url
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(kept), parts.fragment))


def calendar_trap(url: str, listing_url: str) -> bool:
    """A link from a listing into a calendar (a date-keyed path or query below or beside it)
    that the listing itself is not: followed as pagination it never ends."""
    parts, base = urlsplit(url), urlsplit(listing_url)
    if _CALENDAR_PATH.search(parts.path) and not _CALENDAR_PATH.search(base.path):
        return True
    return any(k.lower() in _CALENDAR_PARAMS for k, _ in parse_qsl(parts.query))
