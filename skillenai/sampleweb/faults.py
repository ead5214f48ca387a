"""A fault profile for the sample web: what goes wrong, where, and what a crawler can recover.

``SampleWebServer(root, faults=FaultProfile(seed=3))`` serves the same web as without
faults, except that some URLs misbehave. Which URL gets which fault is decided by a hash
of the profile's seed, the site and the URL, so the same profile always breaks the same
URLs, and :func:`fault_truth` can say beforehand which documents a good crawler recovers
and which it can never fetch ("lost by design").

Transient faults clear after a few attempts, within the crawler's ``RETRY_TIMES`` (3):

- ``error_burst``: 503 then 500, then the page;
- ``rate_limited``: 429 with ``Retry-After``, then the page;
- ``reset``: the connection is reset before any response, once;
- ``truncated``: the body stops half-way (``Content-Length`` promises all of it), once;
- ``slow_once``: the first response comes ``slow_seconds`` late (past the crawler's timeout);
- ``redirect_chain``: three redirects (302, 301, 307), the last to the URL with a tracking
  parameter that canonical URLs drop.

Hostile documents still hold their document (a crawler must store it, unharmed):

- ``wrong_charset``: UTF-8 body served as ``charset=windows-1252``, no ``<meta charset>``;
- ``no_charset``: no charset in the header or the page;
- ``invalid_utf8``: stray bytes that are not UTF-8 in the page's head;
- ``jsonld_bomb``: beside the page's own JSON-LD, a block nested thousands deep and one
  with a huge array;
- ``xml_bomb`` (sitemaps and feeds): an entity-expansion bomb in the DOCTYPE, referenced
  in the document.

Permanent faults lose the document by design:

- ``always_error`` (500 on every attempt), ``redirect_loop`` (``A`` → ``A?loop=1`` → ``A``),
  ``always_slow`` (every response past the timeout), ``oversize`` (a body of
  ``oversize_bytes``, over ``DOWNLOAD_MAXSIZE``), ``not_html`` (a PDF at an HTML URL).

API responses (ATS boards), sitemaps, feeds and listing pages only get transient faults (or
the XML bomb): losing one would lose every document behind it, which is not a fault of
one page. With ``traps=True`` the listing pages of career sites also carry crawler traps:
a "Next" link to the same page under a new session id on every request, and a link into an
endless calendar (``/jobs/calendar/YYYY/MM/``, each month linking to the next).

Example:
    >>> profile = FaultProfile(seed=3, rate=0.3)                     # doctest: +SKIP
    >>> with SampleWebServer("/tmp/web", faults=profile) as web:     # doctest: +SKIP
    ...     ...
    >>> lost = [f for f in fault_truth("/tmp/web", profile) if f["outcome"] == "lost"]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import struct
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

TRANSIENT = ("error_burst", "rate_limited", "reset", "truncated", "slow_once", "redirect_chain")
HOSTILE = ("wrong_charset", "no_charset", "invalid_utf8", "jsonld_bomb", "xml_bomb")
PERMANENT = ("always_error", "redirect_loop", "always_slow", "oversize", "not_html")
FAULTS = TRANSIENT + HOSTILE + PERMANENT

# What each kind of URL may suffer; a page's transient faults are weighted twice.
_WIRE = ("error_burst", "rate_limited", "reset", "truncated")
_CHOICES = {
    "api": _WIRE,
    "xml": _WIRE + ("xml_bomb",),
    "listing": _WIRE + ("slow_once",),
    "page": TRANSIENT * 2 + ("wrong_charset", "no_charset", "invalid_utf8", "jsonld_bomb") + PERMANENT,
}
# Query parameters the faults themselves add; a URL's fault is decided without them.
_OWN_PARAMS = frozenset({"hop", "loop", "sessionid"})
CHAIN_MARK = ("utm_source", "sampleweb-redirect")
_LISTING = re.compile(r"/(?:jobs|blog)/(?:page/\d+/)?")
_CALENDAR = re.compile(r"/jobs/calendar/(\d{4})/(\d{2})/")
_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
_BOMB_DTD = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
             + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                        for i in range(1, 10))
             + b"]>\n")
_META_CHARSET = re.compile(rb'<meta\s+charset=["\']?[\w-]+["\']?\s*/?>\s*', re.IGNORECASE)


def resource_class(path: str) -> str | None:
    """``api``, ``xml``, ``listing`` or ``page``: what a URL path serves (``None``: never faulty)."""
    if path == "/robots.txt" or path.startswith("/assets/"):
        return None
    # Board APIs (Lever, Greenhouse, SmartRecruiters, Ashby; Workday's CXS, Workable's) and
    # the arXiv stand-in's search and OAI-PMH answer API requests: transient faults only.
    if path.startswith(("/v0/", "/v1/", "/posting-api/", "/wday/cxs/", "/api/")) or path == "/oai":
        return "api"
    if path.endswith((".xml", ".xml.gz")):
        return "xml"
    if _LISTING.fullmatch(path):
        return "listing"
    return "page"


class FaultProfile:
    """Which URLs of the sample web fail and how; deterministic from ``seed``.

    Args:
        seed: chooses the faulty URLs and their faults.
        rate: share of URLs (0-1) that get a fault.
        kinds: only these faults (default: all of :data:`FAULTS`).
        slow_seconds: how late slow responses are; set it above the crawler's DOWNLOAD_TIMEOUT.
        oversize_bytes: body size of ``oversize`` pages; set it above DOWNLOAD_MAXSIZE.
        retry_after: the ``Retry-After`` seconds of 429 answers.
        traps: put session-id and calendar traps on career sites' listing pages.

    The profile counts attempts per URL, so one profile serves one crawl; :meth:`reset`
    forgets the counts.
    """

    def __init__(self, seed: int = 1, rate: float = 0.25, *, kinds=None, slow_seconds: float = 35.0,
                 oversize_bytes: int = 11 * 1024 * 1024, retry_after: int = 1, traps: bool = True):
        if not 0 <= rate <= 1:
            raise ValueError(f"rate must be between 0 and 1, got {rate!r}")
        unknown = set(kinds or ()) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(sorted(unknown))}; known: {', '.join(FAULTS)}")
        self.seed, self.rate = seed, rate
        self.kinds = frozenset(kinds) if kinds else frozenset(FAULTS)
        self.slow_seconds, self.oversize_bytes = slow_seconds, oversize_bytes
        self.retry_after, self.traps = retry_after, traps
        self._attempts: Counter = Counter()
        self._sessions = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FaultProfile(seed={self.seed}, rate={self.rate})"

    def reset(self) -> None:
        with self._lock:
            self._attempts.clear()

    # deciding -------------------------------------------------------------------------------
    def _unit(self, *parts: str) -> float:
        digest = hashlib.blake2b("\x1f".join((str(self.seed),) + parts).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2 ** 64

    @staticmethod
    def _key(target: str) -> tuple[str, str]:
        parts = urlsplit(target)
        query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if k not in _OWN_PARAMS and (k, v) != CHAIN_MARK)
        return parts.path or "/", parts.path + ("?" + urlencode(query) if query else "")

    def fault_for(self, site: str, target: str) -> str | None:
        """The fault of ``target`` (a path with its query) on ``site``, or ``None``."""
        path, key = self._key(target)
        kind = resource_class(path)
        choices = [f for f in _CHOICES.get(kind, ()) if f in self.kinds]
        if not choices or self._unit(site, key, "faulty") >= self.rate:
            return None
        return choices[int(self._unit(site, key, "which") * len(choices))]

    def _attempt(self, site: str, key: str) -> int:
        with self._lock:
            self._attempts[(site, key)] += 1
            return self._attempts[(site, key)]

    # serving ----------------------------------------------------------------------------------
    def intercept(self, server, conn, site: str, method: str, target: str, headers: dict,
                  keep_alive: bool) -> bool | None:
        """Answer one request the faulty way. ``None``: no fault here, serve it normally;
        otherwise the request was answered (or dropped), and the result says whether the
        connection stays open."""
        from .server import _Response

        path, key = self._key(target)
        query = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
        trap_site = self.traps and server.sites.get(site) == "careers"
        if trap_site and _CALENDAR.fullmatch(path):
            return self._send(server, conn, site, method, target, _Response(200, "text/html; charset=utf-8",
                                                                            _calendar_page(path)), keep_alive)
        fault = self.fault_for(site, target)
        if fault == "redirect_chain" and CHAIN_MARK not in query.items():
            hop = int(query.get("hop", "0")) if query.get("hop", "0").isdigit() else 0
            status, nxt = ((302, _with(target, hop=1)), (301, _with(target, hop=2)),
                           (307, _with(target, **{CHAIN_MARK[0]: CHAIN_MARK[1]})))[min(hop, 2)]
            return self._redirect(server, conn, site, method, target, status, nxt, keep_alive)
        if fault == "redirect_loop":
            nxt = _with(target, loop=None) if "loop" in query else _with(target, loop=1)
            return self._redirect(server, conn, site, method, target, 302, nxt, keep_alive)

        def normal():
            if trap_site and resource_class(path) == "listing" and path.startswith("/jobs/"):
                resp = server.route(site, target, headers)
                if resp.status == 200:
                    resp = _Response(200, resp.ctype, self._with_traps(resp.body, path, query), resp.headers)
                return self._send(server, conn, site, method, target, resp, keep_alive)
            return None

        if fault is None or CHAIN_MARK in query.items():
            return normal()
        attempt = self._attempt(site, key)
        if fault == "error_burst" and attempt <= 2:
            return self._send(server, conn, site, method, target,
                              _Response(503 if attempt == 1 else 500, "text/html; charset=utf-8",
                                        b"<h1>Service unavailable</h1>"), keep_alive)
        if fault == "rate_limited" and attempt == 1:
            return self._send(server, conn, site, method, target,
                              _Response(429, "text/html; charset=utf-8", b"<h1>Too many requests</h1>",
                                        [("Retry-After", str(self.retry_after))]), keep_alive)
        if fault == "always_error":
            return self._send(server, conn, site, method, target,
                              _Response(500, "text/html; charset=utf-8", b"<h1>Internal Server Error</h1>"),
                              keep_alive)
        if fault == "reset" and attempt == 1:
            server.requests.append((site, method, target, "reset"))
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if fault == "always_slow" or (fault == "slow_once" and attempt == 1):
            time.sleep(self.slow_seconds)           # the client has given up by now
            return normal() if fault == "slow_once" else False
        if fault == "not_html":
            return self._send(server, conn, site, method, target, _Response(200, "application/pdf", _PDF), keep_alive)
        if fault not in ("truncated", "oversize", "wrong_charset", "no_charset", "invalid_utf8",
                         "jsonld_bomb", "xml_bomb"):
            return normal()                         # a transient fault that has cleared
        if fault == "truncated" and attempt > 1:
            return normal()
        resp = server.route(site, target, headers)
        if resp.status != 200 or method == "HEAD":
            return None
        if fault == "truncated":
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                    % (resp.ctype.encode(), len(resp.body)))
            conn.sendall(head + resp.body[: len(resp.body) // 2])
            server.requests.append((site, method, target, "truncated"))
            return False
        ctype, body = resp.ctype, resp.body
        if fault == "oversize":
            body = body + b"<!--" + b" " * max(0, self.oversize_bytes - len(body)) + b"-->"
        elif fault in ("wrong_charset", "no_charset"):
            body = _META_CHARSET.sub(b"", body, count=1)
            ctype = "text/html; charset=windows-1252" if fault == "wrong_charset" else "text/html"
        elif fault == "invalid_utf8":
            # In the head, where a CMS leaves them: the page's text itself must come out unharmed.
            body = _after_tag(body, b"<head", b'<meta name="generator" content="\xff\xfe stray \xc3\x28 bytes \x80\x81">')
        elif fault == "jsonld_bomb":
            deep = b'{"@context": "https://schema.org", "@type": "WebPage", "about": ' + b"[" * 5000 + b"]" * 5000 + b"}"
            wide = b'{"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [' \
                   + b'{"@type": "ListItem"},' * 20_000 + b'{"@type": "ListItem"}]}'
            blocks = b"".join(b'<script type="application/ld+json">%s</script>\n' % b for b in (deep, wide))
            body = body.replace(b"</head>", blocks + b"</head>", 1)
        elif fault == "xml_bomb":
            body = _xml_bomb(body)
        return self._send(server, conn, site, method, target, _Response(200, ctype, body, resp.headers), keep_alive)

    def _send(self, server, conn, site, method, target, resp, keep_alive) -> bool:
        server._send(conn, site, method, target, resp, keep_alive, head=method == "HEAD")
        return keep_alive

    def _redirect(self, server, conn, site, method, target, status, location, keep_alive) -> bool:
        from .server import _Response

        resp = _Response(status, "text/html; charset=utf-8", b"", [("Location", server.origin(site) + location)])
        return self._send(server, conn, site, method, target, resp, keep_alive)

    def _with_traps(self, body: bytes, path: str, query: dict) -> bytes:
        with self._lock:
            self._sessions += 1
            session = hashlib.blake2b(b"%d:%d" % (self.seed, self._sessions), digest_size=8).hexdigest()
        page = query.get("page", "1")
        links = (b'<p class="listing-tools"><a href="%s">Next &rsaquo;</a> '
                 b'<a class="calendar-next" href="/jobs/calendar/2026/06/">&raquo;</a></p>'
                 % _with(path, page=page, sessionid=session).encode())
        return body.replace(b"</main>", links + b"</main>", 1) if b"</main>" in body else \
            body.replace(b"</body>", links + b"</body>", 1)


def _with(target: str, **params) -> str:
    """``target`` with query parameters set (``None`` removes one)."""
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for name, value in params.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = str(value)
    return parts.path + ("?" + urlencode(query) if query else "")


def _after_tag(body: bytes, tag: bytes, insert: bytes) -> bytes:
    start = body.find(tag)
    end = body.find(b">", start) if start >= 0 else -1
    return body[: end + 1] + insert + body[end + 1:] if end >= 0 else insert + body


def _xml_bomb(body: bytes) -> bytes:
    """The XML document with a billion-laughs DOCTYPE, referenced just before its end tag."""
    decl_end = body.find(b"?>") + 2 if body.startswith(b"<?xml") else 0
    close = body.rfind(b"</")
    if close < decl_end:
        return body
    return body[:decl_end] + b"\n" + _BOMB_DTD + body[decl_end:close] + b"<bomb>&lol9;</bomb>\n" + body[close:]


def _calendar_page(path: str) -> bytes:
    year, month = map(int, _CALENDAR.fullmatch(path).groups())
    nxt = (year + (month == 12), month % 12 + 1)
    prev = (year - (month == 1), (month - 2) % 12 + 1)
    return (b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Events %d-%02d</title></head>"
            b"<body><main><h1>Events in %d-%02d</h1><p>No events this month.</p>"
            b"<a href=\"/jobs/calendar/%d/%02d/\">&laquo;</a> <a href=\"/jobs/calendar/%d/%02d/\">&raquo;</a>"
            b"</main></body></html>" % (year, month, year, month, *prev, *nxt))


# ground truth ---------------------------------------------------------------------------------

def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fault_truth(web_dir, profile: FaultProfile) -> list[dict]:
    """Every document of the web at ``web_dir`` whose own URL is faulty under ``profile``:
    ``{"url", "doc" ("posting", "article" or "other"), "fault", "outcome"}``, where outcome
    is ``"lost"`` for permanent faults (never fetched, by design) and ``"recovered"``
    otherwise. ATS postings come from board APIs, which only get transient faults, so none
    of them is listed."""
    truth = Path(web_dir) / "truth"
    documents = ([("posting", t["url"]) for t in _read_jsonl(truth / "postings.jsonl") if t.get("spider") == "jobpostings"]
                 + [("article", t["url"]) for t in _read_jsonl(truth / "articles.jsonl")]
                 + [("other", t["url"]) for t in _read_jsonl(truth / "others.jsonl")])
    out = []
    for doc, url in documents:
        parts = urlsplit(url)
        site = parts.hostname.split(".", 1)[0]
        fault = profile.fault_for(site, parts.path + (f"?{parts.query}" if parts.query else ""))
        if fault is not None:
            out.append({"url": url, "doc": doc, "fault": fault,
                        "outcome": "lost" if fault in PERMANENT else "recovered"})
    return out
