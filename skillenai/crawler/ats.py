"""Small helpers the ATS spiders share."""

from __future__ import annotations

import re

from skillenai.crawler.parsing.salary import parse_salary

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


def salary_fields_from_text(text: str) -> dict:
    """Salary fields from the first salary line of a description, when there is one."""
    for line in _salary_lines(text):
        salary = parse_salary(line)
        if salary and (_SALARY_LINE.search(line) or salary.currency):
            return {"salary_min": salary.min, "salary_max": salary.max,
                    "salary_currency": salary.currency, "salary_period": salary.period}
    return {}
