"""Salary lines as postings write them → (min, max, currency, period).

"$140,000 - $180,000 per year", "€60k–75k", "USD 55/hour", "£45,000 to £55,000 a year",
"120K-150K USD annually", "between $137,000 and $181,000 USD", "CHF 120'000 - 140'000",
"R$ 12.000 a R$ 15.000". Returns ``None`` when the text holds no recognisable range.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple


class Salary(NamedTuple):
    min: float
    max: float
    currency: str | None
    period: str | None


_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "C$": "CAD", "A$": "AUD",
            "CA$": "CAD", "R$": "BRL", "S$": "SGD", "NZ$": "NZD", "HK$": "HKD", "MX$": "MXN"}
_CODES = "USD|EUR|GBP|CAD|AUD|CHF|INR|JPY|SGD|PLN|RON|SEK|NOK|DKK|NZD|BRL|MXN|ZAR|ILS|HKD|CZK|HUF"
_SYMBOL = r"(?:(?<![A-Za-z])(?:US|CA|C|A|R|S|NZ|HK|MX)\$|[$€£¥₹])"
# A symbol, a code, or both ("CAD $110,000": the code says which dollar).
_MARK = r"(?:(?:\b(?:" + _CODES + r")\s?)?" + _SYMBOL + r"|\b(?:" + _CODES + r")\b)"
_CODE = re.compile(r"\b(?:" + _CODES + r")\b")
# 140,000 / 140.000 / 140 000 / 140'000 (Swiss) / 23,40,000 (Indian grouping) / 55 / 55.50,
# each optionally "k".
# Grouped amounts may carry cents ("$173,000.00", "140.000,50").
_AMOUNT = (r"(?P<{n}>\d{{1,2}}(?:,\d{{2}})+,\d{{3}}(?:\.\d{{2}})?|\d{{1,3}}(?:[,.\s'’]\d{{3}})+(?:[.,]\d{{2}}(?!\d))?"
           r"|\d+(?:\.\d+)?)(?:\s*(?P<{n}k>[kK]\b))?")
# Between a range's amounts: a dash or a word; "and" and its like only after "between"
# ("between $137,000 and $181,000"; not "2 and 3 days").
_TO = r"-|–|—|to|bis|à|a|and|und|et|y|e"
_AFTER_BETWEEN_ONLY = frozenset({"and", "und", "et", "y", "e"})
_PERIOD_WORDS = r"hour|hr|h|day|week|month|mo|year|yr|annum|jahr|monat|stunde|an|mois|heure"
_PATTERN = re.compile(
    r"(?P<between>\b(?:between|zwischen|entre)\s+)?"
    + r"(?P<cur1>" + _MARK + r")?\s*" + _AMOUNT.format(n="low") + r"\s*(?P<cur1b>" + _MARK + r")?"
    + r"\s*(?P<to>" + _TO + r")\s*"
    + r"(?P<cur2>" + _MARK + r")?\s*" + _AMOUNT.format(n="high") + r"(?:\s*(?P<cur3>" + _MARK + r"))?"
    + r"(?:\s*(?:brutto|gross|base)?\s*(?:/|per|an|a|pro|par)\s*(?P<period>" + _PERIOD_WORDS + r")\b"
    + r"|\s+(?P<period2>annually|yearly|hourly|monthly|jährlich|LPA))?",
    re.IGNORECASE,
)
_SINGLE = re.compile(
    r"(?P<cur1>" + _MARK + r")\s*" + _AMOUNT.format(n="low")
    + r"\s*(?:/|per|an|a)\s*(?P<period>hour|hr|h|day|week|month|year|yr|annum)\b",
    re.IGNORECASE,
)
# What lies between the two amounts of a range as _PATTERN reads it, and the end of a single
# rate as _SINGLE does, each from a digit: a text matching neither holds no salary. Both
# start with a digit, which the regex engine looks for quickly, where _PATTERN, starting
# with an optional currency, is tried at every position of the text.
_RANGE_MIDDLE = re.compile(
    r"\d(?:\s*[kK])?\s*(?:" + _MARK + r")?\s*(?:" + _TO + r")\s*(?:" + _MARK + r")?\s*\d", re.IGNORECASE)
_RATE_END = re.compile(r"\d(?:\s*[kK])?\s*(?:/|per|an|a)\s*(?:hour|hr|h|day|week|month|year|yr|annum)\b", re.IGNORECASE)
_PERIOD = {"hr": "hour", "h": "hour", "mo": "month", "yr": "year", "annum": "year", "an": "year",
           "annually": "year", "yearly": "year", "hourly": "hour", "monthly": "month", "jahr": "year",
           "jährlich": "year", "monat": "month", "stunde": "hour", "mois": "month", "heure": "hour"}


_CENTS = re.compile(r"(?<=\d{3})[.,](\d{2})$")


def _amount(text: str, k: str | None) -> float | None:
    cents = 0.0
    grouped = _CENTS.search(text)
    if grouped and re.search(r"[,.\s'’]\d{3}[.,]\d{2}$", text):  # "173,000.00", "140.000,50"
        cents = int(grouped.group(1)) / 100
        text = text[:grouped.start()]
    digits = re.sub(r"[,.\s'’](?=\d{2,3}\b)", "", text) if re.search(r"[,.\s'’]\d{3}$", text) else text
    try:
        value = float(digits) + cents
    except ValueError:
        return None
    return value * 1000 if k else value


def _currency(*marks: str | None, dollar: str = "USD") -> str | None:
    """An ISO code written anywhere wins over a symbol ("$84,000 - $132,000 CAD" is CAD); a
    bare "$" is ``dollar``."""
    written = [m.strip() for m in marks if m]
    for mark in written:
        code = _CODE.search(mark.upper())
        if code:
            return code.group(0)
    for mark in written:
        if mark == "$":
            return dollar
        return _SYMBOLS.get(mark, _SYMBOLS.get(mark.upper()))
    return None


# The currency a bare "$" means where the job is, outside the US.
DOLLARS = {"CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "MX": "MXN"}


def parse_salary(text: str | None, dollar: str = "USD") -> Salary | None:
    """The first salary range (or single rate with a period) in ``text``; a bare "$" is
    ``dollar`` (:data:`DOLLARS` by the job's country).

    >>> parse_salary("$173,000.00 - $259,600.00/yr.")
    Salary(min=173000.0, max=259600.0, currency='USD', period='year')
    >>> parse_salary("$120,000 - $150,000", dollar="CAD").currency
    'CAD'
    """
    if not text or not (_RANGE_MIDDLE.search(text) or _RATE_END.search(text)):
        return None
    for match in _PATTERN.finditer(text):
        currency = _currency(match["cur1"], match["cur1b"], match["cur2"], match["cur3"], dollar=dollar)
        period = match["period"] or match["period2"]
        if period and period.upper() == "LPA":  # lakhs per annum: "25-35 LPA"
            low, high = _amount(match["low"], None), _amount(match["high"], None)
            if low is None or high is None or high > 1000:
                continue
            return Salary(low * 100_000, high * 100_000, currency or "INR", "year")
        if match["to"].lower() in _AFTER_BETWEEN_ONLY and not match["between"]:
            continue
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
            return Salary(value, value, _currency(match["cur1"], dollar=dollar), _PERIOD.get(period, period))
    return None


@functools.lru_cache(maxsize=4096)  # one employer's postings repeat their few locations
def local_dollar(location: str | None) -> str:
    """The currency a bare "$" means for a posting in ``location``: the local dollar where
    every place it names is in one dollar country other than the US, else US dollars."""
    if not location:
        return "USD"
    from skillenai.classify.places.locations import parse_locations

    result = parse_locations(location)
    countries = {p.country for p in result.places} | {r.split("-")[0] for r in result.regions if len(r) >= 2}
    if len(countries) == 1:
        return DOLLARS.get(countries.pop(), "USD")
    return "USD"
