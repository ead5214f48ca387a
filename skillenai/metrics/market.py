"""Figures beyond the seed page, for any set of canonical postings (a skill's, a city's, a
role family's, an occupation's in the window): pay, remote and hybrid work, employers and
their concentration, the raw count beside the page's count of jobs, and year over year.

- ``pay``: the share of postings that state pay, and per currency the median and
  interquartile range of the yearly pay (``postings.salary_annual_min/max``: hourly × 2,080,
  daily × 260, weekly × 52, monthly × 12; a posting's pay is the middle of its range, or
  the one end it states). Currencies are never converted into one another.
- ``workplace``: remote, hybrid and onsite postings (``postings.workplace``, the classify
  stage's decision) and their shares of all the postings; ``unstated`` the rest.
- ``employers``: distinct employers (by name, case and spacing folded), the top ones with
  their share, and the Herfindahl-Hirschman index over employers' postings (shares in
  percent, squared and summed: 10,000 is one employer, below 1,500 unconcentrated, above
  2,500 highly concentrated in the US merger guidelines' terms).
- ``raw_postings``: every canonical posting, one job offered in several places counted in
  each; the page's own count (``postings``) counts such a job group once
  (``document_job_groups``), and the shares above are of the raw postings.
- ``year_over_year``: the same window a year earlier, when the store reaches back that far.

>>> median_iqr([50_000, 60_000, 70_000, 80_000])
(65000.0, 57500.0, 72500.0)
"""

from __future__ import annotations

import statistics
from typing import Any

__all__ = ["market_figures", "median_iqr", "hhi", "year_over_year"]


def median_iqr(values: list[float]) -> tuple[float, float, float]:
    """The median, 25th and 75th percentiles (linear interpolation between order statistics,
    as ``numpy.percentile`` does by default)."""
    if not values:
        raise ValueError("no values")
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return median, q1, q3


def hhi(counts: list[int]) -> float:
    """The Herfindahl-Hirschman index of ``counts`` (0 to 10,000), one decimal."""
    total = sum(counts)
    return round(sum((c * 100 / total) ** 2 for c in counts), 1) if total else 0.0


def _employer_key(name: str | None) -> str | None:
    return " ".join(name.split()).casefold() if name and name.strip() else None


def market_figures(rows: list[tuple], limit: int) -> dict[str, Any]:
    """The figures above over ``rows``: one a posting, ``(document_id, job_id, day, open,
    company, workplace, salary_currency, salary_annual_min, salary_annual_max, ...)`` (a
    ``posting_facts`` row as ``skillenai.metrics.queries`` reads it)."""
    total = len(rows)
    pay: dict[str, list[float]] = {}
    workplace = {"remote": 0, "hybrid": 0, "onsite": 0, "unstated": 0}
    employers: dict[str, list] = {}  # key → [display name, postings]
    keys: dict[str | None, str | None] = {}  # a company's key, worked out once per spelling
    for company, place, currency, low, high in (row[4:9] for row in rows):
        if low is not None or high is not None:
            stated = [v for v in (low, high) if v is not None and v > 0]
            if stated and currency:
                pay.setdefault(currency.upper(), []).append(sum(stated) / len(stated))
        workplace[place if place in workplace else "unstated"] += 1
        try:
            key = keys[company]
        except KeyError:
            key = keys[company] = _employer_key(company)
        if key is not None:
            entry = employers.get(key)
            if entry is None:
                entry = employers[key] = [" ".join(company.split()), 0]
            entry[1] += 1
    stating = sum(map(len, pay.values()))
    by_currency = []
    for currency, values in sorted(pay.items(), key=lambda x: (-len(x[1]), x[0])):
        median, q1, q3 = median_iqr(sorted(values))
        by_currency.append({"currency": currency, "postings": len(values), "median": round(median),
                            "p25": round(q1), "p75": round(q3)})
    named = sum(e[1] for e in employers.values())
    top = sorted(employers.values(), key=lambda e: (-e[1], e[0]))[:limit]
    return {
        "pay": {"postings_stating_pay": stating, "share_stating_pay": _share(stating, total),
                "annual_by_currency": by_currency},
        "workplace": {**workplace, **{f"{k}_share": _share(workplace[k], total) for k in ("remote", "hybrid", "onsite")}},
        "employers": {"distinct": len(employers), "postings_naming_employer": named, "hhi": hhi([e[1] for e in employers.values()]),
                      "top": [{"name": n, "postings": c, "share": _share(c, named)} for n, c in top]},
        "raw_postings": total,
    }


def year_over_year(db, postings: int, before: int, lo: str) -> dict[str, Any] | None:
    """``before`` (an entity's postings in the window a year earlier, which starts after
    ``lo``) and the change to ``postings``; ``None`` when the store's earliest posting is
    later than ``lo``."""
    earliest = db.execute("SELECT MIN(date_posted) FROM postings").fetchone()[0]
    if earliest is None or earliest > lo:
        return None
    change = round((postings - before) * 100.0 / before, 1) if before else None
    return {"postings_year_before": before, "change": change}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
