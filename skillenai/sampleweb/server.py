"""Serve a generated sample web on 127.0.0.1, one port per site.

Generated files write absolute URLs with each site's virtual origin
(``http://{site}.sample.test``); every text body is rewritten on the way out so that
links point at the local ports and a crawler following them stays on this server.

Example:
    >>> with SampleWebServer("/tmp/web") as web:                     # doctest: +SKIP
    ...     feed = web.origin("blog") + "/feed.xml"
    ...     seeds = web.localize(open("/tmp/web/seeds.csv").read())
"""

import datetime as dt
import email.utils
import gzip
import hashlib
import json
import logging
import re
import selectors
import socket
import threading
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import arxiv, hosted, smartrecruiters, workable, workday
from .boards import board_file
from .output import file_for

log = logging.getLogger(__name__)

VIRTUAL = re.compile(rb"http://([a-z0-9-]+)\.sample\.test")
VIRTUAL_STR = re.compile(r"http://([a-z0-9-]+)\.sample\.test")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".js": "application/javascript; charset=utf-8",
    ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
}
FEED_TYPES = {"feed.xml": "application/rss+xml; charset=utf-8", "atom.xml": "application/atom+xml; charset=utf-8"}
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
CACHE_BYTES = 64 * 1024 * 1024       # rewritten small files kept in memory
CACHE_FILE_LIMIT = 1024 * 1024
BOARD_CACHE = 64                     # parsed ATS boards kept in memory
GZIP_MIN = 1024                      # smaller text bodies go uncompressed, as web servers do
GZIP_CACHE_BYTES = 256 * 1024 * 1024  # compressed static bodies kept in memory (gzip servers)


class _LRU:
    """A thread-safe LRU cache bounded by total size."""

    def __init__(self, budget: int, size=len):
        self.budget, self.size = budget, size
        self.used = 0
        self.items = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value):
        cost = self.size(value)
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.used += cost
            while self.used > self.budget and len(self.items) > 1:
                _, old = self.items.popitem(last=False)
                self.used -= self.size(old)


class _Response:
    __slots__ = ("status", "ctype", "body", "headers")

    def __init__(self, status, ctype, body: bytes, headers=()):
        self.status, self.ctype, self.body, self.headers = status, ctype, body, list(headers)


REASONS = {200: b"OK", 301: b"Moved Permanently", 302: b"Found", 304: b"Not Modified", 307: b"Temporary Redirect",
           400: b"Bad Request", 404: b"Not Found", 405: b"Method Not Allowed", 429: b"Too Many Requests",
           500: b"Internal Server Error", 502: b"Bad Gateway", 503: b"Service Unavailable"}
MAX_LINE = 65536
MAX_BODY = 1024 * 1024       # largest request body read (an API search's JSON)
IDLE_TIMEOUT = 60            # seconds an idle keep-alive connection is kept open


class _Clock:
    """The Date header, formatted at most once a second."""

    def __init__(self):
        self.second, self.value = None, b""

    def now(self) -> bytes:
        t = int(time.time())
        if t != self.second:
            self.second, self.value = t, email.utils.formatdate(t, usegmt=True).encode()
        return self.value


def _read_request(rfile):
    """(method, target, version, headers) of the next request on a connection, None at
    end of stream; raises ValueError on a malformed request. Header names are lower-cased."""
    line = rfile.readline(MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):            # tolerate stray blank lines between requests
        line = rfile.readline(MAX_LINE + 1)
    if not line:
        return None
    parts = line.split()
    if len(parts) != 3 or len(line) > MAX_LINE or not parts[2].startswith(b"HTTP/"):
        raise ValueError(line[:100])
    headers = {}
    while True:
        h = rfile.readline(MAX_LINE + 1)
        if h in (b"\r\n", b"\n", b""):
            break
        if len(h) > MAX_LINE or len(headers) > 100:
            raise ValueError("header too long")
        name, _, value = h.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return parts[0].decode("ascii", "replace"), parts[1].decode("latin-1"), parts[2], headers


class SampleWebServer:
    """Serves the sample web generated in ``root``: one listening port per site on
    ``host`` (the OS picks free ports), handled in background threads.

    ``requests`` lists ``(site, method, path_with_query, status)`` for every request
    served. ``faults`` is a :class:`~skillenai.sampleweb.faults.FaultProfile` (errors, rate
    limits, resets, truncation, slow, oversize and hostile responses, crawler traps) or
    ``None`` for a web that always answers well. ``gzip``: text bodies of 1 KB and more go
    gzip-compressed to a client that accepts it, as real web servers send them;
    ``cache_mb``: the memory for file bodies (and as much again for compressed ones).
    """

    def __init__(self, root, host: str = "127.0.0.1", faults=None, gzip: bool = False, cache_mb: int | None = None):
        self.root = Path(root)
        manifest_path = self.root / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"{manifest_path}: no sample web here (run `python -m skillenai.sampleweb "
                                    f"generate {self.root}` first)") from None
        self.sites = dict(manifest["sites"])
        self.as_of = dt.date.fromisoformat(manifest["as_of"])  # the day Workday's "Posted N Days Ago" counts from
        self.workday_result_cap = workday.RESULT_CAP  # most results one Workday search gives
        self.workable_widget_only = set()  # Workable accounts without the v3 search (only the v1 widget)
        self.host = host
        self.faults = faults
        self._local = re.compile(r"http://" + re.escape(host) + r":(\d+)")
        self.requests = []
        self.request_times = []  # time.monotonic() of each request in self.requests
        self._ports = {}
        self._origins = {}            # site -> local origin (str)
        self._origin_bytes = {}       # site -> local origin (bytes)
        self._site_by_port = {}
        self._listeners = []
        self._conns = set()
        self._conn_lock = threading.Lock()
        self._thread = None
        self._stopping = threading.Event()
        cache = CACHE_BYTES if cache_mb is None else cache_mb * 1024 * 1024
        self._files = _LRU(cache, size=lambda v: len(v.body) + 200)
        self.gzip = gzip
        self._gzipped = _LRU(GZIP_CACHE_BYTES if cache_mb is None else cache, size=len)
        self._clock = _Clock()
        self._boards = _LRU(BOARD_CACHE, size=lambda v: 1)

    # lifecycle ----------------------------------------------------------------------------
    def start(self) -> "SampleWebServer":
        if self._thread is not None:
            raise RuntimeError("SampleWebServer already started")
        self._selector = selectors.DefaultSelector()
        for site in self.sites:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, 0))
            sock.listen(128)
            sock.setblocking(False)
            port = sock.getsockname()[1]
            self._ports[site] = port
            self._site_by_port[port] = site
            self._origins[site] = f"http://{self.host}:{port}"
            self._origin_bytes[site.encode()] = self._origins[site].encode()
            self._listeners.append(sock)
            self._selector.register(sock, selectors.EVENT_READ, site)
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._thread = threading.Thread(target=self._accept_loop, name="sampleweb-accept", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._thread is None:
            return
        self._stopping.set()
        self._wake_w.send(b"x")
        self._thread.join(timeout=5)
        for sock in self._listeners:
            sock.close()
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()
        with self._conn_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _accept_loop(self):
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=1.0):
                if key.data is None:
                    return
                try:
                    conn, addr = key.fileobj.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    if self._stopping.is_set():
                        return
                    raise
                conn.setblocking(True)
                threading.Thread(target=self._serve, args=(conn, addr, key.data),
                                 name=f"sampleweb-{key.data}", daemon=True).start()

    def _serve(self, conn, addr, site):
        """One connection: HTTP/1.1 with keep-alive, requests answered in order."""
        with self._conn_lock:
            self._conns.add(conn)
        rfile = None
        try:
            conn.settimeout(IDLE_TIMEOUT)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rfile = conn.makefile("rb", buffering=MAX_LINE)
            while not self._stopping.is_set():
                try:
                    request = _read_request(rfile)
                except ValueError:
                    self._send(conn, site, "?", "?", _Response(400, HTML_TYPE, b"<h1>400 Bad Request</h1>"),
                               keep_alive=False)
                    break
                if request is None:
                    break
                method, target, version, headers = request
                length = int(headers.get("content-length", "0") or 0)
                if length > MAX_BODY:
                    self._send(conn, site, method, target, _Response(400, HTML_TYPE, b"<h1>400 Bad Request</h1>"),
                               keep_alive=False)
                    break
                body = rfile.read(length) if length > 0 else b""  # a form post, an API search
                connection = headers.get("connection", "").lower()
                keep_alive = connection != "close" if version == b"HTTP/1.1" else connection == "keep-alive"
                # The extra job boards (boards.py) always answer well: no fault truth covers them.
                if self.faults is not None and method in ("GET", "HEAD") and self.sites.get(site) != "board":
                    # The fault profile answers (or drops) what it breaks; None: serve as usual.
                    answered = self.faults.intercept(self, conn, site, method, target, headers, keep_alive)
                    if answered is not None:
                        if not answered:
                            break
                        continue
                if method in ("GET", "HEAD"):
                    try:
                        resp = self.route(site, target, headers)
                        if self.gzip:
                            resp = self._encoded(resp, headers)
                    except Exception:   # a bug in a route must not take the connection down silently
                        log.exception("sample web: error serving %s %s", site, target)
                        resp = _Response(500, HTML_TYPE, b"<h1>500 Internal Server Error</h1>")
                elif method == "POST" and self.sites.get(site) in self._POST_APIS:
                    try:
                        resp = self.route_post(site, target, body)
                    except Exception:
                        log.exception("sample web: error serving POST %s %s", site, target)
                        resp = _Response(500, HTML_TYPE, b"<h1>500 Internal Server Error</h1>")
                else:
                    resp = _Response(405, HTML_TYPE, b"<h1>405 Method Not Allowed</h1>", [("Allow", "GET, HEAD")])
                self._send(conn, site, method, target, resp, keep_alive, head=method == "HEAD")
                if not keep_alive:
                    break
        except (OSError, ValueError):   # the client went away, timed out, or we are stopping
            pass
        finally:
            with self._conn_lock:
                self._conns.discard(conn)
            try:
                if rfile is not None:
                    rfile.close()
                conn.close()
            except OSError:
                pass

    def _send(self, conn, site, method, target, resp: _Response, keep_alive: bool, head: bool = False):
        lines = [b"HTTP/1.1 %d %s" % (resp.status, REASONS.get(resp.status, b"Unknown")),
                 b"Server: SampleWeb/1.0", b"Date: " + self._clock.now(),
                 b"Content-Type: " + resp.ctype.encode(), b"Content-Length: %d" % len(resp.body),
                 b"Connection: keep-alive" if keep_alive else b"Connection: close"]
        lines.extend(f"{k}: {v}".encode("latin-1") for k, v in resp.headers)
        head_bytes = b"\r\n".join(lines) + b"\r\n\r\n"
        # Recorded before sending: a client that has its answer finds the request logged.
        self.requests.append((site, method, target, resp.status))
        self.request_times.append(time.monotonic())
        conn.sendall(head_bytes if head or not resp.body else head_bytes + resp.body)

    # URLs ------------------------------------------------------------------------------------
    def load(self, since: int = 0, window: float = 2.0) -> dict:
        """What the crawlers asked of this server from its ``since``-th request on:
        ``requests``, ``seconds`` from first to last, the mean ``rate`` and the ``peak`` rate
        (the most requests any ``window`` seconds held, per second), both per second."""
        times = sorted(self.request_times[since:])
        most, first = 0, 0
        for last, t in enumerate(times):
            while t - times[first] > window:
                first += 1
            most = max(most, last - first + 1)
        seconds = times[-1] - times[0] if len(times) > 1 else 0.0
        return {"requests": len(times), "seconds": round(seconds, 2),
                "rate": round((len(times) - 1) / seconds, 2) if seconds else None, "peak": round(most / window, 2)}

    def origin(self, site: str) -> str:
        """``http://127.0.0.1:PORT`` of a started site."""
        try:
            return self._origins[site]
        except KeyError:
            raise KeyError(f"unknown or not started site {site!r}; sites: {sorted(self.sites)}") from None

    def localize(self, text: str) -> str:
        """``text`` with every virtual origin replaced by the site's local origin."""
        return VIRTUAL_STR.sub(lambda m: self._origins.get(m.group(1), m.group(0)), text)

    def virtualize(self, url: str) -> str:
        """The reverse of :meth:`localize`."""
        def sub(m):
            site = self._site_by_port.get(int(m.group(1)))
            return f"http://{site}.sample.test" if site else m.group(0)
        return self._local.sub(sub, url)

    def crawl_settings(self) -> dict:
        """Scrapy settings that point the crawler's spiders at this server: the sources file
        with local URLs (written as ``seeds.local.csv`` beside ``seeds.csv``), the ATS API
        bases, and the origin map that stores the sample web's own (virtual) URLs, so
        document ids do not depend on the ports. A local server needs no throttling."""
        seeds = self.root / "seeds.local.csv"
        seeds.write_text(self.localize((self.root / "seeds.csv").read_text(encoding="utf-8")), encoding="utf-8")
        return {
            "SKILLENAI_SEEDS": str(seeds),
            "GREENHOUSE_API_URL": self.origin("greenhouse") + "/v1/boards",
            "LEVER_API_URL": self.origin("lever") + "/v0/postings",
            "ASHBY_API_URL": self.origin("ashby") + "/posting-api/job-board",
            # A web generated before these boards existed has none of them.
            **({"SMARTRECRUITERS_API_URL": self.origin("smartrecruiters") + "/v1/companies"}
               if "smartrecruiters" in self.sites else {}),
            **({"WORKABLE_API_URL": self.origin("workable")} if "workable" in self.sites else {}),
            "WORKDAY_RESULT_CAP": self.workday_result_cap,
            **{f"{site.upper()}_URL": self.origin(site) + ("/platform/api/ats/v1/board" if site == "rippling" else "")
               + "/{board}" for site, kind in self.sites.items() if kind == "board"},
            **({"ARXIV_API_URL": self.origin("arxiv") + "/api/query", "ARXIV_OAI_URL": self.origin("arxiv") + "/oai",
                "ARXIV_DOWNLOAD_DELAY": 0, "ARXIV_PAGE_SIZE": 10} if "arxiv" in self.sites else {}),
            "SKILLENAI_ORIGIN_MAP": {self.origin(site): f"http://{site}.sample.test" for site in self.sites},
            # Served on 127.0.0.1, which a crawl of the web refuses to fetch.
            "SKILLENAI_ALLOWED_NETWORKS": ["127.0.0.1"],
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS": 32,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        }

    def _rewrite(self, body: bytes) -> bytes:
        return VIRTUAL.sub(lambda m: self._origin_bytes.get(m.group(1), m.group(0)), body)

    # routing ---------------------------------------------------------------------------------
    def route(self, site: str, raw_path: str, headers=None) -> _Response:
        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        query = parse_qs(parts.query)
        kind = self.sites.get(site)
        if "/.." in path or "\\" in path or "\x00" in path:
            return self._not_found()
        api = self._COMPUTED_APIS.get(kind)
        if api is not None and path != "/robots.txt":
            return self._conditional(api(self, path, query, None), headers)
        if kind == "board" and path != "/robots.txt":
            name = board_file(site, path)
            resp = self._file(self.root / "sites" / site / name) if name else None
            return self._conditional(resp, headers) if resp is not None else self._not_found({"error": "Not found"})
        if kind == "arxiv" and path in ("/api/query", "/oai"):
            return self._arxiv(site, path, query)
        handler = {"greenhouse": self._greenhouse, "lever": self._lever, "ashby": self._ashby}.get(kind)
        if handler is not None and path != "/robots.txt":
            if path.startswith(("/v0/", "/v1/", "/posting-api/")):
                return self._conditional(handler(site, path, query), headers)
            # hosted job pages are rendered from the board: keep the rendered page
            return self._cached(("hosted", site, path), lambda: handler(site, path, query))
        return self._static(site, path, parts.query, query, headers)

    def route_post(self, site: str, raw_path: str, body: bytes) -> _Response:
        """A POST to an API that searches with a JSON body (Workday, Workable)."""
        parts = urlsplit(raw_path)
        if "/.." in parts.path:
            return self._not_found()
        try:
            payload = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return _Response(400, JSON_TYPE, b'{"error": "the body is not JSON"}')
        if not isinstance(payload, dict):
            return _Response(400, JSON_TYPE, b'{"error": "the body is not a JSON object"}')
        return self._POST_APIS[self.sites[site]](self, unquote(parts.path), parse_qs(parts.query), payload)

    def _api_board(self, site: str, relative: str):
        """The parsed board file ``sites/{site}/{relative}`` of a computed API, or None."""
        key = (site, relative)
        board = self._boards.get(key)
        if board is None:
            try:
                board = json.loads((self.root / "sites" / site / relative).read_bytes())
            except (FileNotFoundError, NotADirectoryError):
                return None
            self._boards.put(key, board)
        return board

    def _answer(self, status_and_body) -> _Response:
        status, body = status_and_body
        return _Response(status, JSON_TYPE, self._rewrite(json.dumps(body, ensure_ascii=False).encode("utf-8")))

    def _workday(self, path, query, payload) -> _Response:
        hosted_page = re.fullmatch(r"/en-US/recruiting/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/job/.+)", path)
        if hosted_page and payload is None:
            board = self._api_board("workday", f"boards/{hosted_page.group(1)}/{hosted_page.group(2)}.json")
            return self._hosted(board and workday.page(board["jobs"], hosted_page.group(3)))
        m = re.fullmatch(r"/wday/cxs/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)(/jobs|/job/.+)/?", path)
        board = m and self._api_board("workday", f"boards/{m.group(1)}/{m.group(2)}.json")
        if not board:
            return self._not_found({"errorCode": "HTTP_404", "httpStatus": 404, "message": "Not found"})
        if m.group(3) == "/jobs":
            if payload is None:
                return _Response(405, JSON_TYPE, b'{"httpStatus": 405}', [("Allow", "POST")])
            return self._answer(workday.search(board["jobs"], payload, self.as_of, self.workday_result_cap))
        return self._answer(workday.detail(board["jobs"], m.group(3), self.as_of))

    def _smartrecruiters(self, path, query, payload) -> _Response:
        hosted_page = re.fullmatch(r"/([A-Za-z0-9_.-]+)/([0-9]+)-[a-z0-9-]*/?", path)
        if hosted_page:
            board = self._api_board("smartrecruiters", f"companies/{hosted_page.group(1)}.json")
            return self._hosted(board and smartrecruiters.page(board["jobs"], hosted_page.group(2)))
        m = re.fullmatch(r"/v1/companies/([A-Za-z0-9_.-]+)/postings(?:/([0-9]+))?/?", path)
        board = m and self._api_board("smartrecruiters", f"companies/{m.group(1)}.json")
        if not board:
            return self._not_found({"message": "Company not found"})
        if m.group(2):
            return self._answer(smartrecruiters.posting(board["jobs"], m.group(2)))
        return self._answer(smartrecruiters.postings(board["jobs"], query))

    def _workable(self, path, query, payload) -> _Response:
        hosted_page = re.fullmatch(r"/([A-Za-z0-9_.-]+)/j/([A-Za-z0-9]+)/?", path)
        if hosted_page and payload is None:
            board = self._api_board("workable", f"accounts/{hosted_page.group(1)}.json")
            return self._hosted(board and workable.page(board, hosted_page.group(2)))
        m = re.fullmatch(r"/api/(v1/widget|v2|v3)/accounts/([A-Za-z0-9_.-]+)(?:/jobs(?:/([A-Za-z0-9]+))?)?/?", path)
        board = m and self._api_board("workable", f"accounts/{m.group(2)}.json")
        if not board:
            return self._not_found({"error": "Not found"})
        version, account, shortcode = m.groups()
        if version == "v3" and payload is not None and shortcode is None:
            if account in self.workable_widget_only:
                return self._not_found({"error": "Not found"})
            return self._answer(workable.search(board, payload))
        if version == "v2" and shortcode:
            return self._answer(workable.job(board, shortcode))
        if version == "v1/widget" and shortcode is None:
            return self._answer(workable.widget(board))
        return self._not_found({"error": "Not found"})

    def _hosted(self, page) -> _Response:
        return self._html(page) if page else self._not_found()

    # Computed APIs: every request to these sites (robots.txt aside) is answered from a board file.
    _COMPUTED_APIS = {"workday": _workday, "smartrecruiters": _smartrecruiters, "workable": _workable}
    _POST_APIS = {"workday": _workday, "workable": _workable}

    def _not_found(self, json_body=None) -> _Response:
        if json_body is not None:
            return _Response(404, JSON_TYPE, json.dumps(json_body).encode())
        return _Response(404, HTML_TYPE, b"<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
                                         b"<body><h1>Page not found</h1></body></html>\n")

    def _static(self, site, path, raw_query, query, headers) -> _Response:
        page = 1
        if path.endswith("/") and "page" in query:
            try:
                page = int(query["page"][0])
            except ValueError:
                return self._not_found()
            if page < 1:
                return self._not_found()
        target = self.root / "sites" / site / file_for(path, page)
        resp = self._file(target)
        if resp is None:
            if not path.endswith("/") and (self.root / "sites" / site / (path.lstrip("/") + "/index.html")).is_file():
                location = self._origins.get(site, "") + path + "/" + (f"?{raw_query}" if raw_query else "")
                return _Response(301, HTML_TYPE, b"", [("Location", location)])
            return self._not_found()
        return self._conditional(resp, headers)

    @staticmethod
    def _conditional(resp: _Response, headers) -> _Response:
        """304 Not Modified when the request's If-None-Match names the response's tag."""
        if headers is not None and resp.status == 200:
            tag = headers.get("if-none-match")
            if tag and tag == dict(resp.headers).get("ETag"):
                return _Response(304, resp.ctype, b"", resp.headers)
        return resp

    def _encoded(self, resp: _Response, headers) -> _Response:
        """``resp`` gzip-compressed if the request accepts it and it is a text body worth
        compressing; a static file's compressed body is kept (known by its ETag)."""
        if (resp.status != 200 or len(resp.body) < GZIP_MIN or "charset" not in resp.ctype
                or "gzip" not in headers.get("accept-encoding", "").lower()):
            return resp
        etag = dict(resp.headers).get("ETag")
        body = self._gzipped.get(etag) if etag else None
        if body is None:
            body = gzip.compress(resp.body, compresslevel=6, mtime=0)
            if etag:
                self._gzipped.put(etag, body)
        return _Response(200, resp.ctype, body,
                         [*resp.headers, ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")])

    def precompress(self, sites) -> int:
        """Compress every HTML file of ``sites`` now (a benchmark's warm-up, so that no
        measured crawl pays for it); returns the files compressed."""
        done = 0
        for site in sites:
            for path in (self.root / "sites" / site).rglob("*.html"):
                resp = self._file(path)
                if resp is not None:
                    self._encoded(resp, {"accept-encoding": "gzip"})
                    done += 1
        return done

    def _file(self, target: Path):
        key = str(target)
        cached = self._files.get(key)
        if cached is not None:
            return cached
        try:
            st = target.stat()
            if not target.is_file():
                return None
            body = target.read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        ctype = FEED_TYPES.get(target.name) or CONTENT_TYPES.get(target.suffix, "application/octet-stream")
        # The tag hashes the file as generated (before the local origins are written in), so
        # a regenerated web keeps the tags of the files that did not change, whatever the port.
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        if "charset" in ctype:
            body = self._rewrite(body)
        resp = _Response(200, ctype, body, [("Last-Modified", email.utils.formatdate(st.st_mtime, usegmt=True)),
                                             ("ETag", etag)])
        if len(body) <= CACHE_FILE_LIMIT:
            self._files.put(key, resp)
        return resp

    def _json(self, obj) -> _Response:
        return _Response(200, JSON_TYPE, self._rewrite(json.dumps(obj, ensure_ascii=False).encode("utf-8")))

    def _html(self, text: str) -> _Response:
        return _Response(200, HTML_TYPE, self._rewrite(text.encode("utf-8")))

    def _board(self, site: str, name: str):
        """The parsed board ``name`` of ATS ``site``: (records, {id: record}), or None."""
        key = (site, name)
        board = self._boards.get(key)
        if board is not None:
            return board
        if not name or name.startswith(".") or "/" in name:
            return None
        base = self.root / "sites" / site
        try:
            if site == "lever":
                with open(base / "v0" / "postings" / f"{name}.jsonl", "rb") as fh:
                    lines = [ln.rstrip(b"\n") for ln in fh if ln.strip()]
                records = [json.loads(ln) for ln in lines]
                extra = [self._rewrite(ln) for ln in lines]      # pre-rewritten, for paging
            elif site == "arxiv":
                with open(base / "papers.jsonl", "rb") as fh:
                    records = [json.loads(ln) for ln in fh if ln.strip()]
                records = [dict(r, id=r["arxiv_id"]) for r in records]
                extra = None
            elif site == "greenhouse":
                records = json.loads((base / "v1" / "boards" / name / "jobs.json").read_bytes())["jobs"]
                extra = None
            else:
                records = json.loads((base / "posting-api" / "job-board" / f"{name}.json").read_bytes())["jobs"]
                extra = None
        except FileNotFoundError:
            return None
        board = (records, {str(r["id"]): r for r in records}, extra)
        self._boards.put(key, board)
        return board

    def _cached(self, key, make) -> _Response:
        resp = self._files.get(key)
        if resp is None:
            resp = make()
            if resp.status == 200 and len(resp.body) <= CACHE_FILE_LIMIT * 4:
                self._files.put(key, resp)
        return resp

    def _greenhouse(self, site, path, query) -> _Response:
        missing = {"status": 404, "error": "Job board not found"}
        m = re.fullmatch(r"/v1/boards/([^/]+)/jobs/?", path)
        if m:
            token = m.group(1)
            if query.get("content", [""])[0] == "true":
                resp = self._file(self.root / "sites" / site / "v1" / "boards" / token / "jobs.json")
                return resp if resp is not None else self._not_found(missing)
            board = self._board(site, token)
            if board is None:
                return self._not_found(missing)
            return self._cached(("gh-nocontent", token), lambda: self._json(
                {"jobs": [{k: v for k, v in j.items() if k != "content"} for j in board[0]],
                 "meta": {"total": len(board[0])}}))
        m = re.fullmatch(r"/v1/boards/([^/]+)/jobs/(\d+)/?", path)
        if m:
            board = self._board(site, m.group(1))
            job = board and board[1].get(m.group(2))
            return self._json(job) if job else self._not_found({"status": 404, "error": "Job not found"})
        m = re.fullmatch(r"/v1/boards/([^/]+)/?", path)
        if m:
            board = self._board(site, m.group(1))
            if board is None:
                return self._not_found(missing)
            name = board[0][0]["company_name"] if board[0] else m.group(1)
            return self._json({"name": name, "content": ""})
        m = re.fullmatch(r"/([^/]+)/jobs/(\d+)/?", path)
        if m:
            board = self._board(site, m.group(1))
            job = board and board[1].get(m.group(2))
            return self._html(hosted.greenhouse_job(job, m.group(1))) if job else self._not_found()
        m = re.fullmatch(r"/([^/]+)/?", path)
        if m:
            board = self._board(site, m.group(1))
            return self._html(hosted.greenhouse_board(board[0], m.group(1))) if board else self._not_found()
        return self._not_found()

    def _lever(self, site, path, query) -> _Response:
        missing = {"ok": False, "error": "Document not found"}
        m = re.fullmatch(r"/v0/postings/([^/]+)/?", path)
        if m:
            board = self._board(site, m.group(1))
            if board is None:
                return self._not_found(missing)
            lines = board[2]
            try:
                skip = max(0, int(query.get("skip", ["0"])[0]))
                limit = int(query["limit"][0]) if "limit" in query else None
            except ValueError:
                return _Response(400, JSON_TYPE, b'{"ok": false, "error": "Invalid skip or limit"}')
            chosen = lines[skip:] if limit is None else lines[skip:skip + max(0, limit)]
            return _Response(200, JSON_TYPE, b"[" + b",".join(chosen) + b"]")
        m = re.fullmatch(r"/v0/postings/([^/]+)/([0-9a-f-]+)/?", path)
        if m:
            board = self._board(site, m.group(1))
            post = board and board[1].get(m.group(2))
            return self._json(post) if post else self._not_found(missing)
        m = re.fullmatch(r"/([^/]+)/([0-9a-f-]{36})(/apply)?/?", path)
        if m:
            board = self._board(site, m.group(1))
            post = board and board[1].get(m.group(2))
            if not post:
                return self._not_found()
            return self._html(hosted.lever_apply(post) if m.group(3) else hosted.lever_posting(post))
        m = re.fullmatch(r"/([^/]+)/?", path)
        if m:
            board = self._board(site, m.group(1))
            return self._html(hosted.lever_board(board[0], m.group(1))) if board else self._not_found()
        return self._not_found()

    def _arxiv(self, site, path, query) -> _Response:
        papers = self._board(site, "papers")
        papers = papers[0] if papers else []
        one = {k: v[0] for k, v in query.items()}
        if path == "/oai":
            _, body = arxiv.oai_list_records(papers, one, self.origin(site) + "/oai")
            return _Response(200, "text/xml; charset=utf-8", body.encode("utf-8"))
        try:
            start = max(0, int(one.get("start", "0")))
            size = max(0, min(int(one.get("max_results", "10")), 2000))
        except ValueError:
            return _Response(400, "application/atom+xml; charset=utf-8", b"<feed/>")
        return _Response(200, "application/atom+xml; charset=utf-8",
                         arxiv.atom_feed(papers, one.get("search_query", ""), start, size).encode("utf-8"))

    def _ashby(self, site, path, query) -> _Response:
        missing = {"success": False, "error": "Job board not found"}
        m = re.fullmatch(r"/posting-api/job-board/([^/]+)/?", path)
        if m:
            name = m.group(1)
            if query.get("includeCompensation", [""])[0] == "true":
                resp = self._file(self.root / "sites" / site / "posting-api" / "job-board" / f"{name}.json")
                return resp if resp is not None else self._not_found(missing)
            board = self._board(site, name)
            if board is None:
                return self._not_found(missing)
            return self._cached(("ashby-nocomp", name), lambda: self._json(
                {"apiVersion": "1", "jobs": [{k: v for k, v in j.items() if k != "compensation"} for j in board[0]]}))
        m = re.fullmatch(r"/([^/]+)/([0-9a-f-]{36})(/application)?/?", path)
        if m:
            board = self._board(site, m.group(1))
            job = board and board[1].get(m.group(2))
            if not job:
                return self._not_found()
            return self._html(hosted.ashby_application(job) if m.group(3) else hosted.ashby_job(job))
        m = re.fullmatch(r"/([^/]+)/?", path)
        if m:
            board = self._board(site, m.group(1))
            return self._html(hosted.ashby_board(board[0], m.group(1))) if board else self._not_found()
        return self._not_found()
