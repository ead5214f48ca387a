"""Small helpers the ATS spiders share."""

from __future__ import annotations

import json
import re

import scrapy

from skillenai.core.record import Document
from skillenai.crawler.parsing.salary import local_dollar, parse_salary

_DIGIT = re.compile(r"\d")
_LONG_LINE = 300
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_SALARY_LINE = re.compile(r"(salary|compensation|pay range|pay|base|range|gehalt|rémunération)", re.IGNORECASE)


def _salary_lines(text: str):
    """The description's lines with a digit; a long one (a pay-transparency paragraph)
    sentence by sentence, so that the salary found is the one its sentence states."""
    for line in text.splitlines():
        # Every salary has digits; most description lines have none, and the salary pattern
        # tried at every position of every line was a fifth of a career page's cost.
        if not _DIGIT.search(line):
            continue
        if len(line) <= _LONG_LINE:
            yield line
        else:
            yield from (part for part in _SENTENCE_END.split(line) if len(part) <= _LONG_LINE and _DIGIT.search(part))


# A benefit's money, not pay: "$500 per month credit for waiving medical benefits",
# "Fertility HRA (up to $10,000 per year)", "a development budget of $500 per annum".
_BENEFIT_LINE = re.compile(
    r"\b(?:credit|budget|stipend|allowance|reimburs\w*|HRA|HSA|FSA|fertility|wellness|learning|per diem|"
    r"relocation|sign[- ]?on|signing|401\s?\(?k\)?|perks?|benefits?|insurance|waiv\w*|up to|childcare|commuter|"
    r"gym|home office|equipment)\b", re.IGNORECASE)
_PAY_WORDS = re.compile(r"\b(?:salary|compensation|pay range|base pay|rate of pay|hourly rate|wage|OTE|earnings)\b",
                        re.IGNORECASE)


def salary_fields_from_text(text: str, location: str | None = None) -> dict:
    """Salary fields from the first salary line of a description, when there is one; a
    line about a benefit's money is no salary. ``location`` (the posting's) says which
    dollar a bare "$" is."""
    dollar = local_dollar(location) if "$" in text else "USD"  # the location is read only when it matters
    for line in _salary_lines(text):
        if _BENEFIT_LINE.search(line) and not _PAY_WORDS.search(line):
            continue
        salary = parse_salary(line, dollar=dollar)
        if salary and (_SALARY_LINE.search(line) or salary.currency):
            return {"salary_min": salary.min, "salary_max": salary.max,
                    "salary_currency": salary.currency, "salary_period": salary.period}
    return {}


# A source's own words for how a job is worked (Lever's and Ashby's workplaceType, Workday's
# remoteType, Workable's workplace, the boards' fields), letters only, lower case.
_WORKPLACES = {"onsite": "onsite", "office": "onsite", "inoffice": "onsite", "remote": "remote", "fully": "remote",
               "fullyremote": "remote", "hybrid": "hybrid", "flexible": "hybrid"}


def stated_workplace(value) -> str | None:
    """A source's word for how the job is worked → onsite, hybrid or remote (else ``None``).

    >>> [stated_workplace(v) for v in ("OnSite", "on_site", "Fully Remote", "Flexible", "unspecified", None)]
    ['onsite', 'onsite', 'remote', 'hybrid', None, None]
    """
    return _WORKPLACES.get(re.sub(r"[^a-z]", "", str(value or "").lower()))


def json_post(url: str, payload: dict, **kwargs) -> scrapy.Request:
    """A POST of ``payload`` as JSON (the searches of Workday and Workable)."""
    return scrapy.Request(url, method="POST", body=json.dumps(payload, sort_keys=True),
                          headers={"Content-Type": "application/json", "Accept": "application/json"}, **kwargs)


def ats_posting(spider, seed, record: dict, **fields) -> Document:
    """A posting from one ATS API record: the fields every ATS spider sets (the record as
    the raw JSON, extraction ``ats``), then ``fields``; a salary not given in ``fields`` is
    read from the text."""
    item = Document(kind="posting", spider=spider.name, source=seed.source, raw=json.dumps(record, ensure_ascii=False),
                    raw_type="json", extraction="ats", **fields)
    if item.salary_min is None and item.salary_max is None:
        item.__dict__.update(salary_fields_from_text(item.text or "", item.location_raw))
    return item
