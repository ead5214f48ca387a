import dataclasses

import pytest

from skillenai.core.dates import InvalidDate, parse_date, parse_datetime
from skillenai.core.record import (
    DOCUMENT_FIELDS,
    FIELDS,
    POSTING_FIELDS,
    Document,
    InvalidRecord,
    canonicalize_url,
    content_hash,
    decompress_raw,
    document_id,
    normalize_employment_type,
    normalize_record,
)
from skillenai.store.db import open_db
from skillenai.store.documents import STORE_COLUMNS, STORED_AS


def test_normalize_posting(posting_record):
    rec = normalize_record(posting_record)
    assert rec["canonical_url"] == "https://boards.example.com/acme/jobs/123"
    assert rec["id"] == document_id(rec["canonical_url"])
    assert rec["employment_type"] == "full_time"
    assert (rec["salary_min"], rec["salary_max"], rec["salary_currency"], rec["salary_period"]) == (140000, 180000, "USD", "year")
    assert rec["date_posted"] == "2026-05-01"


def test_the_field_lists_come_from_the_document():
    assert FIELDS == tuple(f.name for f in dataclasses.fields(Document))
    assert DOCUMENT_FIELDS + POSTING_FIELDS == FIELDS  # the posting fields come last
    assert {"url", "kind", "title", "text", "raw"} <= set(DOCUMENT_FIELDS)
    assert {"company", "location_raw", "salary_min", "date_posted"} <= set(POSTING_FIELDS)


def test_a_document_and_its_fields_as_a_dict_normalise_alike(posting_record):
    document = Document(**posting_record)
    assert normalize_record(document) == normalize_record(posting_record) == normalize_record(
        dataclasses.asdict(document))
    document.title = " "
    with pytest.raises(InvalidRecord) as info:
        normalize_record(document)
    assert info.value.field == "title"


def test_the_record_and_the_store_columns_agree():
    # Every field of the record is a column, and every column is a field or one the store
    # fills itself (named, with who fills it, in STORE_COLUMNS): after every migration.
    db = open_db(":memory:")
    for table, fields in (("documents", DOCUMENT_FIELDS), ("postings", POSTING_FIELDS)):
        columns = {c.name for c in db[table].columns}
        stored = {STORED_AS.get(name, name) for name in fields}
        assert stored <= columns, f"record fields without a column in {table}: {sorted(stored - columns)}"
        assert not stored & set(STORE_COLUMNS[table])
        assert columns - stored == set(STORE_COLUMNS[table]), f"{table}: columns neither a record field nor the store's"


def test_a_record_is_a_document_or_a_json_object():
    with pytest.raises(InvalidRecord, match="expected a JSON object, got list"):
        normalize_record([1, 2])


@pytest.mark.parametrize("field,value,message", [
    ("url", "ftp://example.com/x", "absolute http(s) URL"),
    ("url", None, "missing"),
    ("kind", "job", "must be one of"),
    ("title", "  ", "needs a title"),
    ("text", "short", "needs its text"),
    ("salary_min", "lots", "not a number"),
    ("salary_currency", "dollars", "ISO 4217"),
    ("date_posted", "next tuesday", "not a recognised date"),
    ("date_posted", "1850-01-01", "year out of range"),
    ("colour", "blue", "unknown field"),
])
def test_invalid_fields_are_named(posting_record, field, value, message):
    posting_record[field] = value
    with pytest.raises(InvalidRecord) as info:
        normalize_record(posting_record)
    assert info.value.field == field
    assert message in str(info.value)


def test_canonical_url_drops_tracking_and_fragment_and_maps_origin():
    url = "HTTP://127.0.0.1:8123/jobs/1/?utm_medium=x&b=2&a=1#apply"
    assert canonicalize_url(url, {"http://127.0.0.1:8123": "https://acme.example"}) == "https://acme.example/jobs/1/?a=1&b=2"
    assert canonicalize_url("https://Example.com:443") == "https://example.com/"


def test_a_remembered_canonical_spelling_still_meets_the_origin_map():
    # The first call remembers its answer as canonical; an origin map given later for that
    # origin still rewrites it, and the remembered spelling is what the uncached path gives.
    local = canonicalize_url("http://127.0.0.1:8124/jobs/2?b=1&a=2")
    assert local == "http://127.0.0.1:8124/jobs/2?a=2&b=1"
    assert canonicalize_url(local) == local
    assert canonicalize_url(local, {"http://127.0.0.1:8124": "https://acme.example"}) == "https://acme.example/jobs/2?a=2&b=1"
    assert canonicalize_url(local, {"http://127.0.0.1:9": "https://other.example"}) == local


def test_origin_map_does_not_match_longer_ports():
    assert canonicalize_url("http://127.0.0.1:8123/x", {"http://127.0.0.1:812": "https://a.example"}).startswith("http://127.0.0.1:8123")


def test_content_hash_ignores_case_and_spacing():
    assert content_hash("Hello   World\n") == content_hash("hello world")


def test_raw_is_compressed_and_recoverable(posting_record):
    posting_record["raw"] = "<html>" + "x" * 1000 + "</html>"
    rec = normalize_record(posting_record)
    assert len(rec["raw"]) < 100
    assert decompress_raw(rec["raw"]).decode() == posting_record["raw"]


def test_employment_types():
    assert normalize_employment_type(["FULL_TIME", "CONTRACTOR"]) == "full_time,contract"
    assert normalize_employment_type("Part-time") == "part_time"
    assert normalize_employment_type("Werkstudent") == "intern"
    assert normalize_employment_type("") is None


@pytest.mark.parametrize("value,expected", [
    ("2026-05-09", "2026-05-09"),
    ("2026-05-09T23:30:00-07:00", "2026-05-10T06:30:00Z"),
    ("2026-05-09T10:00:00Z", "2026-05-09T10:00:00Z"),
    ("Sat, 09 May 2026 10:00:00 +0200", "2026-05-09T08:00:00Z"),
    (1778320800000, "2026-05-09T10:00:00Z"),
    ("May 9th, 2026", "2026-05-09"),
    ("", None),
])
def test_dates(value, expected):
    assert parse_datetime(value) == expected


def test_bad_date_names_its_field():
    with pytest.raises(InvalidDate, match="valid_through"):
        parse_date("2026-02-30", field="valid_through")


@pytest.mark.parametrize("url, canonical", [
    # Real URLs from the development data (pages of Gildan's careers site and of two articles).
    ("https://careers-gildan.icims.com/jobs/52508/coordinator%2c-cash-applications/login",
     "https://careers-gildan.icims.com/jobs/52508/coordinator,-cash-applications/login"),
    ("https://www.rechtambild.de/2010/04/das-berechtigte-interesse-im-sinne-des-%c2%a7-23-abs-2-kug/",
     "https://www.rechtambild.de/2010/04/das-berechtigte-interesse-im-sinne-des-%C2%A7-23-abs-2-kug/"),
    ("https://www.sonntag-sachsen.de/sites/all/themes/eva_ns/../../libraries/flexslider/jquery.flexslider-min.js?q1it2w=",
     "https://www.sonntag-sachsen.de/sites/all/libraries/flexslider/jquery.flexslider-min.js?q1it2w="),
    ("https://de.wikipedia.org/wiki/RedTube-Abmahnaffäre", "https://de.wikipedia.org/wiki/RedTube-Abmahnaff%C3%A4re"),
    ("https://Bücher.example:443/Jobs/./1?utm_source=x&b=2&a=1#apply", "https://xn--bcher-kva.example/Jobs/1?a=1&b=2"),
    ("https://jobs.lever.co/acme/abc?lever-source=LinkedIn&lever-origin=applied", "https://jobs.lever.co/acme/abc"),
])
def test_canonical_url_is_w3libs_spelling(url, canonical):
    assert canonicalize_url(url) == canonical
    assert canonicalize_url(canonical) == canonical


def test_a_url_with_an_impossible_port_is_a_bad_record(posting_record):
    posting_record["url"] = "https://acme.example:99999/jobs/1"
    with pytest.raises(InvalidRecord, match="url: Port out of range"):
        normalize_record(posting_record)
