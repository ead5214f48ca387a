"""Salaries: the numbers behind a posting, and the many ways the text writes them."""

import random

from .rand import pick

LEVEL_PAY = {"Junior ": 0.75, "Jr. ": 0.75, " I": 0.85, "": 1.0, " II": 1.0, "Associate ": 0.85,
             "Senior ": 1.2, "Sr. ": 1.2, " III": 1.15, "Lead ": 1.25, "Staff ": 1.45, "Principal ": 1.6}
SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "CAD": "$", "AUD": "A$", "SGD": "S$"}
PERIOD_SCHEMA = {"year": "YEAR", "hour": "HOUR", "month": "MONTH"}


def salary_for(r: random.Random, role: dict, level: str, place, top_metro: bool):
    """{min, max, currency, period} for a job of ``role`` at ``level`` paid in ``place``'s
    country, or None where that country's pay is not modelled."""
    if not place.pay:
        return None
    lo, hi = role["salary"]
    hourly = role.get("hourly", False)
    f = LEVEL_PAY.get(level, 1.0) * place.pay
    if place.country == "US" and not top_metro:
        f *= 0.88
    lo, hi = lo * f * r.uniform(0.93, 1.07), hi * f * r.uniform(0.93, 1.07)
    if hourly:
        return {"min": int(round(lo)), "max": int(round(hi)), "currency": place.currency, "period": "hour"}
    step = 100000 if lo > 5_000_000 else (10000 if lo > 500_000 else 1000)
    lo, hi = int(round(lo / step) * step), int(round(hi / step) * step)
    return {"min": lo, "max": max(hi, lo + step), "currency": place.currency, "period": "year"}


def shifted(r: random.Random, sal: dict) -> dict:
    """The same range moved a little, as when a repost updates its salary line."""
    step = 1 if sal["period"] == "hour" else (5000 if sal["max"] < 1_000_000 else 50000)
    d = step * (1 if r.random() < 0.7 else -1)
    return {**sal, "min": sal["min"] + d, "max": sal["max"] + d}


def _lakh(n: int) -> str:
    s = str(n)
    head, tail = s[:-3], s[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups + [tail]) if groups else tail


def salary_text(r: random.Random, sal: dict, german: bool = False) -> tuple:
    """(text, truth) for a salary line: ``truth`` is the range as the text states it
    (a single-rate line such as "USD 55/hour" has min == max)."""
    lo, hi, cur, per = sal["min"], sal["max"], sal["currency"], sal["period"]
    truth = dict(sal)
    sym = SYMBOL.get(cur)
    if per == "hour":
        if r.random() < 0.2:
            truth["max"] = lo
            return f"{cur} {lo}/hour", truth
        return pick(r, [(f"{sym or cur + ' '}{lo} - {sym or ''}{hi}/hr", 2),
                        (f"{sym or cur + ' '}{lo}.00 - {sym or ''}{hi}.00 per hour", 2),
                        (f"{cur} {lo}–{hi} per hour", 1)]), truth
    k_lo, k_hi = lo // 1000, hi // 1000
    if cur == "USD":
        text = pick(r, [(f"${lo:,} - ${hi:,} per year", 4), (f"${lo:,}–${hi:,} USD", 3), (f"${k_lo}K - ${k_hi}K", 2),
                        (f"USD {lo:,} - {hi:,} annually", 1), (f"{k_lo}-{k_hi}k USD", 1),
                        (f"${lo:,} to ${hi:,} a year", 1), (f"${lo:,} - ${hi:,} + equity", 1)])
    elif cur == "EUR":
        dotted = f"{lo:,}".replace(",", ".") + " € – " + f"{hi:,}".replace(",", ".") + " €"
        text = pick(r, [(f"€{k_lo}k–{k_hi}k", 3), (f"€{lo:,} - €{hi:,} per year", 3),
                        (f"{lo:,} - {hi:,} EUR".replace(",", "."), 1), (f"EUR {lo:,}–{hi:,} annually", 1),
                        (dotted + " brutto/Jahr", 3 if german else 0)])
    elif cur == "GBP":
        text = pick(r, [(f"£{lo:,} - £{hi:,}", 3), (f"£{k_lo}k-£{k_hi}k + equity", 2), (f"GBP {lo:,} – {hi:,} per annum", 1)])
    elif cur == "INR":
        text = pick(r, [(f"₹{_lakh(lo)} - ₹{_lakh(hi)} per annum", 2), (f"INR {lo // 100000}-{hi // 100000} LPA", 1)])
        if text.endswith("LPA"):
            truth["min"], truth["max"] = lo // 100000 * 100000, hi // 100000 * 100000
    elif cur == "CAD":
        text = pick(r, [(f"CAD {lo:,} – {hi:,}", 2), (f"${lo:,} - ${hi:,} CAD", 2), (f"CA${k_lo}k–{k_hi}k per year", 1)])
    else:
        text = pick(r, [(f"{cur} {lo:,} - {hi:,} per year", 2), (f"{sym or cur + ' '}{lo:,} – {sym or ''}{hi:,} annually", 1)])
    return text, truth
