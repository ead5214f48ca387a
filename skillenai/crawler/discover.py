"""Which source serves a company's careers URL, as rows of the sources file.

Three steps, each taken only when the one before found nothing:

1. the URL itself: a board's own address (``job-boards.greenhouse.io/acme``,
   ``acme.wd5.myworkdayjobs.com/External``, ``acme.recruitee.com``…), or an address under
   a configured API base (``GREENHOUSE_API_URL``…);
2. the page (after redirects, whose final URL is read as in 1): the board addresses in its
   links, frames and scripts (an embedded Greenhouse board, a "View openings" link to
   Lever), the most frequent first; or schema.org ``JobPosting`` data on the page itself,
   which the ``jobpostings`` spider reads;
3. probing: board tokens guessed from the company's name and domain (``Acme Robotics``,
   ``acme-robotics.com`` → ``acmerobotics``, ``acme-robotics``, ``acme``) asked of each
   configured board API (Greenhouse, Lever, Ashby, and the other boards whose API or
   board URL setting is set); a board that answers is the source.

:func:`discover` answers with :class:`Finding`\\ s, the best first; a finding's
:meth:`~Finding.row` is its line of the sources file. Fetching is plain blocking HTTP
(this runs from the command line, outside any crawl), with the crawl's user agent, a
timeout and a size limit.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import quote, urljoin, urlsplit

from skillenai.core.sites import registrable_domain
from skillenai.crawler.parsing.pages import company_from_site_name, decode_html, job_postings, meta_content, parse_html

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
_TOKEN = r"([A-Za-z0-9][A-Za-z0-9._-]{0,127})"
_SUB = r"([a-z0-9][a-z0-9-]{0,62})"
# Sub-domains of a board host that name the board software, not a company.
_NOT_A_BOARD = {"www", "api", "app", "apply", "jobs", "careers", "help", "support", "status", "blog", "docs",
                "developers", "developer", "info", "cdn", "static", "assets", "mail", "login", "auth"}


@dataclass(frozen=True)
class Finding:
    """A source found for ``url``: the seeds row ``spider,source,target``, and how it was found."""

    url: str
    spider: str
    target: str
    source: str
    how: str  # "url", "html", "jsonld", "probe"
    evidence: str

    def row(self) -> str:
        """The finding as a line of the sources file (CSV, quoted where needed)."""
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow([self.spider, self.source, self.target])
        return out.getvalue()


# Board addresses: (spider, pattern on "host/path?query", seeds target from the match).
# iCIMS, Jobvite and JazzHR boards are career sites the jobpostings spider reads (a
# listing page, then each posting's JSON-LD): their target is that listing page.
_PATTERNS: list[tuple[str, re.Pattern, Callable[[re.Match], str]]] = [
    ("greenhouse", re.compile(r"^(?:boards|job-boards)(?:\.eu)?\.greenhouse\.io/(?:embed/job_board(?:/js)?\?for=)?"
                              + _TOKEN + r"(?:[/?#&]|$)"), lambda m: m.group(1)),
    ("greenhouse", re.compile(r"^(?:boards|job-boards|api)(?:\.eu)?\.greenhouse\.io/.*[?&]for=" + _TOKEN),
     lambda m: m.group(1)),
    ("greenhouse", re.compile(r"^boards-api(?:\.eu)?\.greenhouse\.io/v1/boards/" + _TOKEN), lambda m: m.group(1)),
    ("lever", re.compile(r"^jobs(?:\.eu)?\.lever\.co/" + _TOKEN), lambda m: m.group(1)),
    ("lever", re.compile(r"^api(?:\.eu)?\.lever\.co/v0/postings/" + _TOKEN), lambda m: m.group(1)),
    ("ashby", re.compile(r"^jobs\.ashbyhq\.com/" + _TOKEN), lambda m: m.group(1)),
    ("ashby", re.compile(r"^api\.ashbyhq\.com/posting-api/job-board/" + _TOKEN), lambda m: m.group(1)),
    ("workday", re.compile(r"^" + _SUB + r"\.(wd\d+)\.myworkdayjobs\.com/(?:[a-z]{2}-[A-Z]{2}/)?"
                           r"(?!wday/)([A-Za-z0-9_-]+)"),
     lambda m: f"https://{m.group(1)}.{m.group(2)}.myworkdayjobs.com/{m.group(3)}"),
    ("workday", re.compile(r"^" + _SUB + r"\.(wd\d+)\.myworkdayjobs\.com/wday/cxs/[^/]+/([A-Za-z0-9_-]+)"),
     lambda m: f"https://{m.group(1)}.{m.group(2)}.myworkdayjobs.com/{m.group(3)}"),
    ("smartrecruiters", re.compile(r"^(?:careers|jobs)\.smartrecruiters\.com/" + _TOKEN), lambda m: m.group(1)),
    ("smartrecruiters", re.compile(r"^api\.smartrecruiters\.com/v1/companies/" + _TOKEN), lambda m: m.group(1)),
    ("workable", re.compile(r"^apply\.workable\.com/(?:api/v\d/(?:widget/)?accounts/)?(?!api/|j/)" + _TOKEN),
     lambda m: m.group(1)),
    ("workable", re.compile(r"^" + _SUB + r"\.workable\.com(?:[/?#]|$)"), lambda m: m.group(1)),
    ("recruitee", re.compile(r"^" + _SUB + r"\.recruitee\.com(?:[/?#]|$)"), lambda m: m.group(1)),
    ("personio", re.compile(r"^" + _SUB + r"\.jobs\.personio\.(?:com|de)(?:[/?#]|$)"), lambda m: m.group(1)),
    ("bamboohr", re.compile(r"^" + _SUB + r"\.bamboohr\.com(?:[/?#]|$)"), lambda m: m.group(1)),
    ("teamtailor", re.compile(r"^" + _SUB + r"\.teamtailor\.com(?:[/?#]|$)"), lambda m: m.group(1)),
    ("pinpoint", re.compile(r"^" + _SUB + r"\.pinpointhq\.com(?:[/?#]|$)"), lambda m: m.group(1)),
    ("rippling", re.compile(r"^ats\.rippling\.com/(?:[a-z]{2}-[A-Z]{2}/)?" + _TOKEN), lambda m: m.group(1)),
    ("rippling", re.compile(r"^api\.rippling\.com/platform/api/ats/v1/board/" + _TOKEN), lambda m: m.group(1)),
    ("breezy", re.compile(r"^" + _SUB + r"\.breezy\.hr(?:[/?#]|$)"), lambda m: m.group(1)),
    ("jobpostings", re.compile(r"^((?:careers-)?" + r"[a-z0-9][a-z0-9-]{0,62}\.icims\.com)(?:[/?#]|$)"),
     lambda m: f"https://{m.group(1)}/jobs/search"),
    ("jobpostings", re.compile(r"^jobs\.jobvite\.com/" + _TOKEN), lambda m: f"https://jobs.jobvite.com/{m.group(1)}/jobs"),
    ("jobpostings", re.compile(r"^" + _SUB + r"\.applytojob\.com(?:[/?#]|$)"),
     lambda m: f"https://{m.group(1)}.applytojob.com/apply/"),
]
# What each jobpostings board pattern is, for the evidence line.
_BOARD_NAMES = {"icims.com": "iCIMS", "jobvite.com": "Jobvite", "applytojob.com": "JazzHR"}

# Board APIs to probe: (spider, setting naming the API base or board URL, the default when
# the setting is absent from this installation, the probe URL for a token, does the answer
# show a board). A board whose setting is empty is not probed.
_PROBES: list[tuple[str, str, Callable[[str, str], str], Callable[[Any], bool]]] = [
    ("greenhouse", "GREENHOUSE_API_URL", lambda base, t: f"{base.rstrip('/')}/{t}/jobs",
     lambda body: isinstance(body, dict) and isinstance(body.get("jobs"), list)),
    ("lever", "LEVER_API_URL", lambda base, t: f"{base.rstrip('/')}/{t}?mode=json&limit=1",
     lambda body: isinstance(body, list)),
    ("ashby", "ASHBY_API_URL", lambda base, t: f"{base.rstrip('/')}/{t}",
     lambda body: isinstance(body, dict) and isinstance(body.get("jobs"), list)),
    ("smartrecruiters", "SMARTRECRUITERS_API_URL", lambda base, t: f"{base.rstrip('/')}/{t}/postings?limit=1",
     lambda body: isinstance(body, dict) and (body.get("totalFound") or 0) > 0),
    ("workable", "WORKABLE_API_URL", lambda base, t: f"{base.rstrip('/')}/api/v1/widget/accounts/{t}",
     lambda body: isinstance(body, dict) and isinstance(body.get("jobs"), list)),
    ("recruitee", "RECRUITEE_URL", lambda base, t: base.replace("{board}", t).rstrip("/") + "/api/offers/",
     lambda body: isinstance(body, dict) and isinstance(body.get("offers"), list)),
    ("pinpoint", "PINPOINT_URL", lambda base, t: base.replace("{board}", t).rstrip("/") + "/postings.json",
     lambda body: isinstance(body, dict) and isinstance(body.get("data"), list)),
    ("breezy", "BREEZY_URL", lambda base, t: base.replace("{board}", t).rstrip("/") + "/json",
     lambda body: isinstance(body, list)),
]
PROBE_SPIDERS = tuple(spider for spider, *_ in _PROBES)


def _address(url: str) -> str:
    """``host/path?query`` of ``url``, the host in lower case: what the patterns read."""
    parts = urlsplit(url)
    return (parts.hostname or "") + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _pretty(token: str) -> str:
    """A source name from a board token: ``acme-robotics`` → ``Acme Robotics``."""
    words = re.split(r"[-_.]+", token.split("/")[0])
    return " ".join(w[:1].upper() + w[1:] for w in words if w) or token


def from_url(url: str, settings: Any = None, source: str | None = None, how: str = "url") -> Finding | None:
    """The source whose board ``url`` is, by its address alone (step 1), or ``None``."""
    address = _address(url)
    for spider, pattern, target in _PATTERNS:
        m = pattern.search(address)
        if m and m.group(1).lower() not in _NOT_A_BOARD:
            board = next((v for k, v in _BOARD_NAMES.items() if k in address), spider)
            # A board host's first label, without the software's own words, names the company.
            name = re.sub(r"^(?:careers|jobs|uscareers)-|-(?:careers|jobs)$", "", m.group(1).split(".")[0])
            return Finding(url, spider, target(m), source or _pretty(name), how, f"{board} address {address[:200]}")
    for spider, setting, _probe, _ok in _PROBES:
        base = settings.get(setting) if settings is not None else None
        if base and "{board}" not in base and url.startswith(base.rstrip("/") + "/"):
            token = re.match(_TOKEN, url[len(base.rstrip("/")) + 1:])
            if token:
                return Finding(url, spider, token.group(1), source or _pretty(token.group(1)), how,
                               f"under {setting} {base}")
    return None


def _links(tree: Any, base_url: str, html: str) -> Iterable[str]:
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in ("href", "src", "data-src", "action"):
            value = element.get(attr)
            if value and not value.startswith(("#", "mailto:", "javascript:")):
                try:
                    yield urljoin(base_url, value.strip())
                except ValueError:
                    continue
    # Board addresses written in scripts (an embed's loader, a config object).
    yield from re.findall(r"https?://[A-Za-z0-9.-]+\.(?:greenhouse\.io|lever\.co|ashbyhq\.com|myworkdayjobs\.com|"
                          r"smartrecruiters\.com|workable\.com|recruitee\.com|personio\.(?:com|de)|bamboohr\.com|"
                          r"teamtailor\.com|pinpointhq\.com|rippling\.com|breezy\.hr|icims\.com|jobvite\.com|"
                          r"applytojob\.com)/[^\s\"'<>\\)]*", html)


def from_page(url: str, body: bytes, content_type: str | None = None, settings: Any = None,
              source: str | None = None) -> tuple[list[Finding], dict]:
    """Sources a careers page names (step 2): the boards its links, frames and scripts
    lead to, the most often named first, then ``jobpostings`` when the page itself carries
    JobPosting data. Also returns what the page says of its company (``name``) for probing."""
    html = decode_html(body, content_type)
    tree = parse_html(html)
    if tree is None:
        return [], {}
    site_name = company_from_site_name(meta_content(tree, "og:site_name") or meta_content(tree, "application-name"))
    title = " ".join(" ".join(tree.xpath("//title//text()")).split())
    # A careers page's title names the company ("Careers | Acme"); another page's names a job.
    if not site_name and re.search(r"career|jobs|karriere|emploi", title, re.IGNORECASE):
        site_name = company_from_site_name(title)
    context = {"name": site_name}
    name = source or site_name
    counts: Counter = Counter()
    first: dict[tuple[str, str], Finding] = {}
    for link in _links(tree, url, html):
        finding = from_url(link, settings, name, how="html")
        if finding is None:
            continue
        key = (finding.spider, finding.target.lower())
        counts[key] += 1
        first.setdefault(key, finding)
    findings = [first[key] for key, _ in counts.most_common()]
    postings, _errors, _how = job_postings(tree)
    if postings:
        parts = urlsplit(url)
        findings.append(Finding(url, "jobpostings", f"{parts.scheme}://{parts.netloc}/", name or _site_label(url),
                                "jsonld", f"{len(postings)} JobPosting on the page"))
    return findings, context


def _site_label(url: str) -> str:
    domain = registrable_domain(url) or urlsplit(url).hostname or url
    return _pretty(domain.split(".")[0])


def candidate_tokens(url: str, name: str | None = None) -> list[str]:
    """Board tokens a company may use, most likely first: from its name (``Acme Robotics``
    → ``acmerobotics``, ``acme-robotics``, ``AcmeRobotics``) and its domain's name."""
    out: list[str] = []
    if name:
        words = re.findall(r"[A-Za-z0-9]+", name)
        if words:
            out += ["".join(words).lower(), "-".join(words).lower(), "".join(words), words[0].lower()]
    domain = registrable_domain(url)
    if domain and not re.fullmatch(r"[\d.]+", domain):
        label = domain.split(".")[0].lower()
        out += [label, label.replace("-", "")]
    return [t for t in dict.fromkeys(out) if re.fullmatch(_TOKEN, t)]


class Fetcher:
    """Blocking GETs with the crawl's user agent, a timeout and a size limit."""

    def __init__(self, user_agent: str, timeout: float = 15.0):
        self.user_agent = user_agent
        self.timeout = timeout
        self.requests: list[str] = []

    def get(self, url: str) -> tuple[int, str, bytes, str]:
        """(status, final URL, body, content type); status 0 when the server could not be reached."""
        self.requests.append(url)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                       "Accept": "text/html,application/json;q=0.9,*/*;q=0.8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                return (response.status, response.geturl(), response.read(MAX_BYTES),
                        response.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            return exc.code, url, b"", exc.headers.get("Content-Type", "") if exc.headers else ""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            logger.info("discover: %s: %s", url, getattr(exc, "reason", exc))
            return 0, url, b"", ""


def probe(tokens: list[str], settings: Any, fetcher: Fetcher, url: str, source: str | None) -> list[Finding]:
    """Step 3: the configured board APIs that answer for one of ``tokens`` (a board per API)."""
    found = []
    for spider, setting, probe_url, shows_board in _PROBES:
        base = settings.get(setting)
        if not base:
            continue
        for token in tokens:
            status, _final, body, _ctype = fetcher.get(probe_url(base, quote(token, safe="")))
            if status != 200:
                continue
            try:
                data = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                continue
            if shows_board(data):
                found.append(Finding(url, spider, token, source or _pretty(token), "probe",
                                     f"{setting} answered for {token!r}"))
                break
    return found


def discover(url: str, settings: Any, fetcher: Fetcher | None = None, source: str | None = None,
             probing: bool = True) -> list[Finding]:
    """Sources that serve careers URL ``url``, the most likely first; empty when none is found.

    ``settings`` gives the API bases (a Scrapy ``Settings`` or a dict); ``source`` names the
    company in the rows (else it is taken from the page or the token)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    finding = from_url(url, settings, source)
    if finding is not None:
        return [finding]
    fetcher = fetcher or Fetcher(settings.get("USER_AGENT") or "SkillenaiBot")
    status, final, body, ctype = fetcher.get(url)
    context: dict = {}
    if status == 200:
        if final != url and (finding := from_url(final, settings, source)) is not None:
            return [Finding(url, finding.spider, finding.target, finding.source, "url",
                            f"redirected to {final[:200]}; {finding.evidence}")]
        findings, context = from_page(final, body, ctype, settings, source)
        boards = [f for f in findings if f.how == "html"]
        if boards:
            return findings
    else:
        findings = []
    if probing:
        name = source or context.get("name")
        probed = probe(candidate_tokens(url, name), settings, fetcher, url, source or name)
        findings = probed + findings
    return findings
