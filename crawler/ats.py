"""Small helpers the ATS spiders share."""

from __future__ import annotations

import re

from crawler.salary import parse_salary

_REMOTE = re.compile(r"\b(remote|telecommute|work from home|wfh|anywhere)\b", re.IGNORECASE)
_HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_SALARY_LINE = re.compile(r"(salary|compensation|pay range|pay|base|range|gehalt|rémunération)", re.IGNORECASE)


def workplace_from_text(*texts: str | None) -> str | None:
    """``"hybrid"`` or ``"remote"`` when a location string says so, else ``None``."""
    joined = " ".join(t for t in texts if t)
    if _HYBRID.search(joined):
        return "hybrid"
    if _REMOTE.search(joined):
        return "remote"
    return None


def salary_fields_from_text(text: str) -> dict:
    """Salary fields from the first salary line of a description, when there is one."""
    for line in text.splitlines():
        # Every salary has digits; most description lines have none, and the salary pattern
        # tried at every position of every line was a fifth of a career page's cost.
        if len(line) > 300 or not _DIGIT.search(line):
            continue
        salary = parse_salary(line)
        if salary and (_SALARY_LINE.search(line) or salary.currency):
            return {"salary_min": salary.min, "salary_max": salary.max,
                    "salary_currency": salary.currency, "salary_period": salary.period}
    return {}
