"""Salary lines as postings write them → (min, max, currency, period).

"$140,000 - $180,000 per year", "€60k–75k", "USD 55/hour", "£45,000 to £55,000 a year",
"120K-150K USD annually". Returns ``None`` when the text holds no recognisable range.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Salary(NamedTuple):
    min: float
    max: float
    currency: str | None
    period: str | None


_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "C$": "CAD", "A$": "AUD", "CA$": "CAD"}
_CODES = "USD|EUR|GBP|CAD|AUD|CHF|INR|JPY|SGD|PLN|RON|SEK|NOK|DKK|NZD|BRL|MXN|ZAR|ILS|HKD|CZK|HUF"
_AMOUNT = r"(?P<{n}>\d{{1,3}}(?:[,.\s]\d{{3}})+|\d+(?:\.\d+)?)\s*(?P<{n}k>[kK]\b)?"
_PATTERN = re.compile(
    r"(?P<cur1>US\$|CA\$|C\$|A\$|[$€£¥₹]|\b(?:" + _CODES + r")\b)?\s*"
    + _AMOUNT.format(n="low")
    + r"\s*(?P<cur1b>\b(?:" + _CODES + r")\b)?"
    + r"\s*(?:-|–|—|to|bis|a)\s*(?P<cur2>US\$|CA\$|C\$|A\$|[$€£¥₹]|\b(?:" + _CODES + r")\b)?\s*"
    + _AMOUNT.format(n="high")
    + r"\s*(?P<cur3>\b(?:" + _CODES + r")\b)?"
    + r"(?:\s*(?:/|per|an|a)\s*(?P<period>hour|hr|h|day|week|month|mo|year|yr|annum)\b|\s+(?P<period2>annually|yearly|hourly|monthly))?",
    re.IGNORECASE,
)
_SINGLE = re.compile(
    r"(?P<cur1>US\$|[$€£]|\b(?:" + _CODES + r")\b)\s*" + _AMOUNT.format(n="low")
    + r"\s*(?:/|per|an|a)\s*(?P<period>hour|hr|h|day|week|month|year|yr|annum)\b",
    re.IGNORECASE,
)
_PERIOD = {"hr": "hour", "h": "hour", "mo": "month", "yr": "year", "annum": "year",
           "annually": "year", "yearly": "year", "hourly": "hour", "monthly": "month"}


def _amount(text: str, k: str | None) -> float | None:
    digits = re.sub(r"[,.\s](?=\d{3}\b)", "", text)
    try:
        value = float(digits)
    except ValueError:
        return None
    return value * 1000 if k else value


def _currency(*marks: str | None) -> str | None:
    for mark in marks:
        if mark:
            return _SYMBOLS.get(mark, _SYMBOLS.get(mark.upper(), mark.upper()))
    return None


def parse_salary(text: str | None) -> Salary | None:
    """The first salary range (or single rate with a period) in ``text``."""
    if not text:
        return None
    for match in _PATTERN.finditer(text):
        currency = _currency(match["cur1"], match["cur1b"], match["cur2"], match["cur3"])
        period = match["period"] or match["period2"]
        if not currency and not period and not (match["lowk"] or match["highk"]):
            continue  # "2 - 3 years", "10-20 people": a range of something else
        low = _amount(match["low"], match["lowk"] or match["highk"])
        high = _amount(match["high"], match["highk"])
        if low is None or high is None or high <= 0 or low > high or high > 10_000_000:
            continue
        if not period:
            period = "hour" if high < 500 else "year"
        period = _PERIOD.get(period.lower(), period.lower())
        if period == "year" and high < 1000:
            continue
        return Salary(low, high, currency, period)
    match = _SINGLE.search(text)
    if match:
        value = _amount(match["low"], match["lowk"])
        if value:
            period = match["period"].lower()
            return Salary(value, value, _currency(match["cur1"]), _PERIOD.get(period, period))
    return None
