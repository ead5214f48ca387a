"""Property tests: every parser that takes outside input returns a value or its documented
error with a message, never another exception, whatever the input (deep nesting, huge
numbers, odd unicode, invalid UTF-8). Examples that once broke a parser are kept."""

from __future__ import annotations

import json
import logging
import math

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from skillenai.classify.places.locations import LocationResult, parse_locations
from skillenai.core.dates import InvalidDate, lenient_datetime, parse_date, parse_datetime
from skillenai.crawler.parsing.discovery import feed_entries, sitemap_entries, xml_root_name
from skillenai.crawler.parsing.pages import decode_html, documents_from_page
from skillenai.crawler.parsing.salary import parse_salary
from skillenai.crawler.parsing.structured import find_typed, posting_fields
from skillenai.crawler.seeds import SeedFileError, read_seeds
from skillenai.store.db import open_db
from skillenai.store.ingest import ingest_lines

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=10**15, max_value=10**40)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)


def nested(depth: int, key: str | None = None) -> str:
    """JSON nested ``depth`` levels deep: lists, or objects under ``key``."""
    if key is None:
        return "[" * depth + "]" * depth
    return ('{"%s": ' % key) * depth + "1" + "}" * depth


deep_json = st.builds(nested, st.integers(1, 6000), st.none() | st.sampled_from(["a", "@graph", "jobLocation"]))
posting_keys = st.sampled_from(["@type", "title", "name", "description", "jobLocation", "jobLocationType",
                                "applicantLocationRequirements", "hiringOrganization", "baseSalary", "datePosted",
                                "validThrough", "employmentType", "identifier", "url", "@graph", "address"])
postings = st.dictionaries(posting_keys, json_values, max_size=10).map(lambda d: {**d, "@type": "JobPosting"})


# JSON-LD ----------------------------------------------------------------------------------

def _page(block: str) -> bytes:
    return (f'<html><head><script type="application/ld+json">{block}</script></head>'
            f'<body><main><h1>Data engineer</h1><p>{"Build pipelines in Python and SQL. " * 4}</p></main></body></html>'
            ).encode("utf-8", errors="surrogatepass")


@settings(PROPERTY, max_examples=50)  # each example parses a page (trafilatura when there is no posting)
@given(st.one_of(json_values.map(lambda v: json.dumps(v, allow_nan=True)), deep_json,
                 postings.map(lambda p: json.dumps(p, allow_nan=True)), st.text(max_size=200)))
@example(nested(5000))
@example('{"@type": "JobPosting", "title": "x", "description": ' + nested(3000) + "}")
@example('{"@type": "ItemList", "itemListElement": [' + ",".join(["{}"] * 50_000) + "]}")
@example('{"@type": "JobPosting", "baseSalary": {"value": {"minValue": 1e400}}, "title": "t", "description": "d"}')
def test_json_ld_pages_give_documents_or_reported_blocks(block):
    found = documents_from_page(_page(block), "https://example.com/jobs/1")
    for error in found.broken_blocks:
        assert str(error).startswith("JSON-LD block ") and error.message
    for fields in found.postings:
        assert isinstance(fields, dict)


@settings(PROPERTY, max_examples=50)
@given(postings)
@example({"@type": "JobPosting", "jobLocation": [{"address": []}], "baseSalary": []})
def test_posting_fields_take_any_job_posting(posting):
    fields = posting_fields(posting)
    assert fields["title"] is None or isinstance(fields["title"], str)
    for key in ("salary_min", "salary_max"):
        assert fields.get(key) is None or fields[key] >= 0


@PROPERTY
@given(json_values)
def test_find_typed_walks_any_json(value):
    assert all(isinstance(node, dict) for node in find_typed(value, "JobPosting"))


# locations, salaries, dates ------------------------------------------------------------------

class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage()[:300])


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except RecursionError:  # deeper than json itself goes: not an input anyone can pass
        return None


@PROPERTY
@given(st.one_of(st.text(max_size=300), json_values, deep_json.map(_json_or_none)))
@example("Remote - US; " * 400)
@example([[[[[["Berlin"]]]]]] * 3)
def test_parse_locations_gives_a_result_and_logs_no_error(value):
    _locations_without_errors(value)


def _locations_without_errors(value) -> None:
    # parse_locations logs and swallows its own exceptions; a logged error is a bug here.
    errors, logger = _Errors(), logging.getLogger("skillenai.classify.places.locations")
    logger.addHandler(errors)
    try:
        result = parse_locations(value)
    finally:
        logger.removeHandler(errors)
    assert isinstance(result, LocationResult)
    assert not errors.messages, errors.messages


@pytest.mark.parametrize("key", ["address", "name", "addressCountry", "jobLocation"])
def test_parse_locations_of_deeply_nested_objects(key):
    # Not an @example: Hypothesis prints explicit examples, and cannot print these.
    _locations_without_errors(json.loads(nested(900, key)))


@PROPERTY
@given(st.one_of(st.text(max_size=200), st.from_regex(r"\$\d{1,400} - \$\d{1,400}( per year)?", fullmatch=True)))
@example("$" + "9" * 400 + " - $" + "9" * 401)
@example("€60k–75k " * 300)
def test_parse_salary_gives_a_range_or_none(text):
    salary = parse_salary(text)
    if salary is not None:
        assert 0 <= salary.min <= salary.max and math.isfinite(salary.max)


@PROPERTY
@given(st.one_of(scalars, json_values, st.datetimes().map(str), st.dates().map(str)))
@example(float("nan"))
@example(10**40)
@example("9999-99-99T99:99:99Z")
@example("Sat, 09 May 99999 10:00:00 +0200")
def test_dates_give_iso_text_or_invalid_date(value):
    try:
        parsed = parse_datetime(value, field="date_posted")
    except InvalidDate as exc:
        assert str(exc).startswith("date_posted: ")
    else:
        assert parsed is None or (isinstance(parsed, str) and parsed[:4].isdigit())
    lenient_datetime(value)
    try:
        parse_date(value)
    except InvalidDate:
        pass


# ingest lines --------------------------------------------------------------------------------

_RECORD = {"url": "https://example.com/jobs/1", "kind": "posting", "title": "Data engineer",
           "text": "Build pipelines in Python and SQL for the analytics team, every day."}
records = st.dictionaries(st.sampled_from(["url", "kind", "title", "text", "published_at", "salary_min",
                                           "salary_max", "salary_currency", "locations", "raw", "employment_type",
                                           "date_posted", "company", "stated_workplace", "canonical_url", "bogus"]),
                          json_values, max_size=6).map(lambda d: {**_RECORD, **d})
lines = st.one_of(records.map(lambda r: json.dumps(r, allow_nan=True).encode()),
                  json_values.map(lambda v: json.dumps(v, allow_nan=True).encode()),
                  deep_json.map(str.encode), st.binary(max_size=200))


@pytest.fixture(scope="module")
def ingest_db():
    db = open_db(":memory:")  # one store for every example: the schema takes a while to create
    yield db
    db.close()


@PROPERTY
@given(batch=st.lists(lines, max_size=6))
@example([nested(100_000).encode()])
@example([json.dumps({**_RECORD, "locations": json.loads(nested(900))}).encode()])
@example([b"\xff\xfe{}", json.dumps(_RECORD).encode()])
def test_ingest_stores_good_lines_and_reports_bad_ones(ingest_db, batch):
    report = ingest_lines(ingest_db, batch + [json.dumps(_RECORD).encode()], name="in.jsonl")
    assert report.skipped == len(report.errors)
    assert all(message.startswith("in.jsonl:") for message in report.errors)
    assert ingest_db.execute("SELECT COUNT(*) FROM documents WHERE url = ?", [_RECORD["url"]]).fetchone()[0] == 1


# seed files, sitemaps, feeds -------------------------------------------------------------------

@PROPERTY
@given(st.one_of(st.binary(max_size=300),
                 st.lists(st.text(max_size=60), max_size=5).map(lambda rows: ("spider,source,target\n" + "\n".join(rows)).encode()),
                 st.text(max_size=300).map(lambda t: ("spider,source,target\n" + t).encode("utf-8", "surrogatepass"))))
@example(b"spider,source,target\n" + b"greenhouse,acme," + b"x" * 200_000)
@example(b"spider,source,target\ngreenhouse,ac\x00me,acme\n")
@example(b'spider,source,target\n"greenhouse,acme,acme\n')
def test_seed_files_give_rows_or_a_seed_file_error(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("seeds") / "sources.csv"
    path.write_bytes(content)
    try:
        seeds, problems = read_seeds(path)
    except SeedFileError as exc:
        assert str(path) in str(exc)
        return
    assert all(problem.message for problem in problems)
    assert all(seed.target and seed.spider for seed in seeds)


BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
        + b"]>\n")
xml_bodies = st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                       st.sampled_from([b"<urlset>", b"<rss><channel><item><link>", b"\x1f\x8b\x08\x00garbage",
                                        b"<?xml version='1.0' encoding='utf-16'?><feed/>"]))


@PROPERTY
@given(xml_bodies)
@example(BOMB + b"<urlset><url><loc>https://example.com/a</loc></url><x>&lol9;</x></urlset>")
@example(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03truncated")
@example(b"")
def test_sitemaps_give_entries_or_value_error(body):
    xml_root_name(body)
    try:
        kind, entries, _cuts = sitemap_entries(body)
    except ValueError as exc:
        assert str(exc)
        return
    assert all(isinstance(entry["loc"], str) for entry in entries)


@PROPERTY
@given(xml_bodies)
@example(BOMB + b"<rss><channel><item><title>&lol9;</title><link>https://example.com/a</link></item></channel></rss>")
def test_feeds_give_entries_or_value_error(body):
    try:
        entries, _cuts = feed_entries(body, "https://example.com/feed.xml")
    except ValueError as exc:
        assert str(exc)
        return
    assert all(entry.url.startswith("http") for entry in entries)


def test_entity_bombs_are_not_expanded():
    urlset = BOMB + b"<urlset><url><loc>https://example.com/a</loc></url><x>&lol9;</x></urlset>"
    kind, entries, cuts = sitemap_entries(urlset)
    assert (kind, entries) == ("urlset", [{"loc": "https://example.com/a"}])
    assert "document type declaration ignored" in str(cuts) and "10 entity declarations" in str(cuts)
    feed = BOMB + b"<rss><channel><item><title>&lol9;</title><link>https://example.com/a</link></item></channel></rss>"
    [entry], cuts = feed_entries(feed, "https://example.com/feed.xml")
    assert entry.url == "https://example.com/a" and len(entry.title or "") < 100
    assert cuts


def _urlset(entries: int, prolog: bytes) -> bytes:
    urls = b"".join(b"<url><loc>https://example.com/jobs/%d%s</loc></url>" % (i, b"&lol9;" if i == 1 else b"")
                    for i in range(entries))
    return b'<?xml version="1.0"?>\n' + prolog + b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + b"</urlset>"


def _rss(entries: int, prolog: bytes) -> bytes:
    items = b"".join(b"<item><title>Post %d%s</title><link>https://example.com/p/%d</link></item>"
                     % (i, b"&lol9;" if i == 1 else b"", i) for i in range(entries))
    return b'<?xml version="1.0"?>\n' + prolog + b'<rss version="2.0"><channel>' + items + b"</channel></rss>"


# A declaration anywhere: after a prolog longer than any head that is looked at, with
# "]>" inside an entity value, a comment and a processing instruction of its subset.
_PADDED = b"<!--" + b" padding" * 1000 + b"-->\n" + BOMB.split(b"\n", 1)[1]
_TRICKY = (b"<!DOCTYPE urlset [<!-- ]> --><?pi ]> ?><!ENTITY lol9 \"a]>b\">"
           b"<!ENTITY other 'q\"]>'>]>\n")


@pytest.mark.parametrize("prolog", [BOMB.split(b"\n", 1)[1], _PADDED, _TRICKY], ids=["bomb", "padded", "tricky"])
def test_a_dtd_anywhere_is_ignored_and_reported_and_no_entry_lost(prolog):
    kind, entries, cuts = sitemap_entries(_urlset(50, prolog))
    assert kind == "urlset" and len(entries) == 50
    assert xml_root_name(_urlset(50, prolog)) == "urlset"
    assert "document type declaration ignored" in str(cuts) and "1 entity references left out" in str(cuts)
    entries, cuts = feed_entries(_rss(50, prolog.replace(b"urlset", b"rss")), "https://example.com/feed.xml")
    assert len(entries) == 50 and "document type declaration ignored" in str(cuts)


def test_what_the_xml_parser_could_not_read_is_reported():
    kind, entries, cuts = sitemap_entries(_urlset(5, b"")[:-40])  # cut short inside its last <loc>
    assert entries[-1]["loc"] == "https:/" and "1 markup errors recovered from" in str(cuts)
    assert not sitemap_entries(_urlset(5, b"").replace(b"&lol9;", b""))[2]  # a clean sitemap: nothing cut


@PROPERTY
@given(st.binary(max_size=400), st.none() | st.text(max_size=40))
@example(b"\xff\xfe\x00<\x00h", "text/html; charset=utf-16")
@example(b"<meta charset='no-such-codec'>caf\xe9", None)
def test_decode_html_always_gives_text(body, content_type):
    assert isinstance(decode_html(body, content_type), str)


# Every character str.strip() removes, and the zero-width space clean_text also collapses.
_WHITE = [chr(c) for c in range(0x3001) if chr(c).isspace()] + ["\u200b"]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_WHITE + list("ab.")), max_size=14) | st.text(max_size=40))
@example("a \nb")
@example("a\n\n\nb")
@example("a\u2028")
def test_clean_text_skips_only_text_it_would_not_change(text):
    from skillenai.core.record import _BLANK_LINES, _SPACES, clean_text

    by_lines = "\n".join(_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    assert clean_text(text) == _BLANK_LINES.sub("\n\n", by_lines).strip()
