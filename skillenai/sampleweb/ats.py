"""Job records in the shapes the Greenhouse, Lever and Ashby job-board APIs return."""

import datetime as dt
import html

from . import datafiles
from .locations import city_form
from .pay import SYMBOL
from .rand import rng, uuid4
from .text import render_html, render_plain

COMMITMENT = {"FULL_TIME": "Full-time", "PART_TIME": "Part-time", "CONTRACTOR": "Contract",
              "INTERN": "Intern", "TEMPORARY": "Temporary"}
ASHBY_EMPLOYMENT = {"FULL_TIME": "FullTime", "PART_TIME": "PartTime", "CONTRACTOR": "Contract",
                    "INTERN": "Intern", "TEMPORARY": "Temporary"}
ASHBY_WORKPLACE = {"onsite": "OnSite", "remote": "Remote", "hybrid": "Hybrid"}
PAY_RANGE_TITLE = {"year": "Pay range", "hour": "Hourly pay range", "month": "Monthly pay range"}
LEVER_INTERVAL = {"year": "per-year-salary", "hour": "per-hour-wage", "month": "per-month-salary"}


def iso(moment: dt.datetime, ms: bool = False) -> str:
    if ms:
        return moment.isoformat(timespec="milliseconds")
    return moment.isoformat(timespec="seconds")


def _money(amount, currency) -> str:
    sym = SYMBOL.get(currency)
    return f"{sym}{amount:,}" if sym else f"{amount:,} {currency}"


def _short(amount, currency) -> str:
    sym = SYMBOL.get(currency, "")
    return f"{sym}{amount // 1000}K" if amount >= 10000 else f"{sym}{amount}"


def department(company, name: str) -> int:
    """A stable department id within the company."""
    if name not in company.departments:
        company.departments[name] = 40000 + 17 * len(company.departments) + (sum(map(ord, company.slug)) % 997) * 100
    return company.departments[name]


# Greenhouse -----------------------------------------------------------------------------

def greenhouse_content(doc, style, pay_box: bool = True) -> tuple:
    """(HTML, plain lines) of a Greenhouse job's content: the company intro and the
    closing statement sit in Greenhouse's own wrapper divs, and a salary not written
    in the text goes into the pay-transparency box (unless ``pay_box`` is false: then
    the board gives it only in ``pay_input_ranges``), as on real boards."""
    blocks = doc.blocks
    intro, body, outro = [], list(blocks), []
    while body and body[0].section == "about_us":
        intro.append(body.pop(0))
    while body and body[-1].section == "eeo":
        outro.insert(0, body.pop())
    parts, lines = [], []
    if intro:
        parts.append(f'<div class="content-intro">{render_html(intro, style)}</div>')
        lines += render_plain(intro, style)
    parts.append(render_html(body, style))
    lines += render_plain(body, style)
    if pay_box and doc.salary and not any(b.section == "comp" for b in blocks):
        s = doc.salary
        unit = {"hour": " per hour"}.get(s["period"], "")
        lo, hi = _money(s["min"], s["currency"]), _money(s["max"], s["currency"])
        parts.append('<div class="content-pay-transparency"><div class="pay-input">'
                     '<div class="description"><p>The salary range for this position is:</p></div>'
                     f'<div class="title">Pay range</div><div class="pay-range"><span>{lo}</span>'
                     f'<span class="divider">&mdash;</span><span>{hi} {s["currency"]}{unit}</span>'
                     '</div></div></div>')
        lines += ["The salary range for this position is:", "Pay range", f"{lo} — {hi} {s['currency']}{unit}"]
    if outro:
        parts.append(f'<div class="content-conclusion">{render_html(outro, style)}</div>')
        lines += render_plain(outro, style)
    return "".join(parts), lines


def greenhouse_job(doc, seed) -> tuple:
    """(record, plain description lines) of one job on a Greenhouse board."""
    job, company = doc.job, doc.job.company
    r = rng(seed, "gh", doc.doc_id)
    updated = min(doc.posted + dt.timedelta(days=r.randint(0, 20), hours=r.randint(0, 6)), doc.extra["latest"])
    metadata = None
    if r.random() < 0.4:
        metadata = [{"id": 2100000 + r.randint(0, 99999), "name": "Employment Type",
                     "value": COMMITMENT[job.employment], "value_type": "single_select"}]
        if r.random() < 0.5:
            metadata.append({"id": 2200000 + r.randint(0, 99999), "name": "Remote Eligible",
                             "value": "Yes" if doc.spec.workplace == "remote" else "No", "value_type": "single_select"})
    offices = []
    for p in doc.spec.cities:
        offices.append({"id": company.office_ids.get(p.key, 4900000 + sum(map(ord, p.key))),
                        "name": p.short[0] if not p.qualify else p.short[-1],
                        "location": f"{p.name}, {p.state_or_region()}, {p.country_name}".replace(", ,", ","),
                        "child_ids": [], "parent_id": None})
    if not offices:
        offices.append({"id": 4999000 + (sum(map(ord, company.slug)) % 997), "name": "Remote",
                        "location": doc.location_raw, "child_ids": [], "parent_id": None})
    dept = _dept_name(job)
    # Half the stated salaries not written in the text are given only as pay ranges
    # (pay_transparency=true), the others also in the content's pay box.
    ranges = doc.salary and not any(b.section == "comp" for b in doc.blocks)
    only_ranges = bool(ranges) and r.random() < 0.5
    inner, lines = greenhouse_content(doc, company.html_style, pay_box=not only_ranges)
    record = {
        "absolute_url": doc.url,
        "data_compliance": [{"type": "gdpr", "requires_consent": False, "requires_processing_consent": False,
                             "requires_retention_consent": False, "retention_period": None,
                             "demographic_data_consent_applies": False}],
        "internal_job_id": doc.extra["internal_id"],
        "location": {"name": doc.location_raw},
        "metadata": metadata,
        "id": doc.doc_id,
        "updated_at": iso(updated),
        "requisition_id": doc.extra.get("requisition"),
        "title": doc.title.text,
        "company_name": company.name,
        "first_published": iso(doc.posted),
        "content": html.escape(inner, quote=True),
        "departments": [{"id": department(company, dept), "name": dept, "child_ids": [], "parent_id": None}],
        "offices": offices,
    }
    if ranges:
        s = doc.salary
        record["pay_input_ranges"] = [{"min_cents": s["min"] * 100, "max_cents": s["max"] * 100,
                                       "currency_type": s["currency"], "title": PAY_RANGE_TITLE[s["period"]],
                                       "blurb": "<p>The salary range for this position is:</p>"}]
    return record, lines


def _dept_name(job) -> str:
    return datafiles.load("roles")[job.family]["department"]


# Lever ----------------------------------------------------------------------------------

LEVER_STYLE = {"h": "b", "list": "ul", "spacer": False, "p": "div"}


def lever_parts(blocks):
    """Split a body the way Lever stores it: the opening text, then (heading, list)
    pairs as ``lists``, then whatever follows as ``additional``."""
    desc, lists, additional = [], [], []
    i = 0
    while i < len(blocks) and not (blocks[i].kind == "h" and i + 1 < len(blocks) and blocks[i + 1].kind in ("ul", "ol")):
        desc.append(blocks[i])
        i += 1
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "h" and i + 1 < len(blocks) and blocks[i + 1].kind in ("ul", "ol"):
            lists.append((b, blocks[i + 1]))
            i += 2
        else:
            additional.append(b)
            i += 1
    return desc, lists, additional


def lever_posting(doc, seed) -> tuple:
    """(record, plain description lines) of one Lever posting."""
    job = doc.job
    r = rng(seed, "lever", doc.doc_id)
    desc, lists, additional = lever_parts(doc.blocks)
    desc_plain = render_plain(desc, LEVER_STYLE)
    add_plain = render_plain(additional, LEVER_STYLE)
    lines = list(desc_plain)
    lists_out = []
    for h, lst in lists:
        lists_out.append({"text": h.heading, "content": "".join(f"<li>{html.escape(ln.text, quote=False)}</li>" for ln in lst.lines)})
        lines.append(h.heading)
        lines.extend(ln.text for ln in lst.lines)
    lines.extend(add_plain)
    all_locations = [city_form(r, p, plain=True) for p in doc.spec.cities] or [doc.location_raw]
    workplace = doc.spec.workplace if r.random() < 0.92 else "unspecified"
    country = (doc.spec.cities[0].country if doc.spec.cities else
               (doc.spec.scope["countries"][0] if doc.spec.scope and doc.spec.scope["countries"] else None))
    record = {
        "additional": render_html(additional, LEVER_STYLE),
        "additionalPlain": "\n".join(add_plain) + ("\n" if add_plain else ""),
        "categories": {"commitment": COMMITMENT[job.employment], "department": _dept_name(job),
                       "location": doc.location_raw, "team": job.team, "allLocations": all_locations},
        "createdAt": int(doc.posted.timestamp() * 1000),
        "descriptionPlain": "\n".join(desc_plain) + "\n",
        "description": render_html(desc, LEVER_STYLE),
        "id": doc.doc_id,
        "lists": lists_out,
        "text": doc.title.text,
        "country": country,
        "workplaceType": workplace,
        "hostedUrl": doc.url,
        "applyUrl": doc.url + "/apply",
    }
    if doc.salary and doc.salary_structured:
        s = doc.salary
        record["salaryRange"] = {"min": s["min"], "max": s["max"], "currency": s["currency"],
                                 "interval": LEVER_INTERVAL[s["period"]]}
    return record, lines


# Ashby ----------------------------------------------------------------------------------

ASHBY_STYLE = {"h": "h2", "list": "ul", "spacer": False, "p": "p"}


def postal(place) -> dict:
    return {"postalAddress": {"addressLocality": place.name, "addressRegion": place.state or place.admin1 or "",
                              "addressCountry": place.country_name}}


def ashby_locations(r, doc) -> tuple:
    """(primary location, [secondary locations]) as Ashby names them."""
    cities = doc.spec.cities
    if not cities:
        return doc.location_raw, []
    names = [city_form(r, p, plain=True) for p in cities]
    return names[0], names[1:]


def ashby_job(doc, seed) -> tuple:
    """(record, plain description lines) of one Ashby job (with compensation)."""
    job = doc.job
    r = rng(seed, "ashby", doc.doc_id)
    primary, secondary = doc.extra["ashby_locations"]
    lines = render_plain(doc.blocks, ASHBY_STYLE)
    record = {
        "id": doc.doc_id,
        "title": doc.title.text,
        "department": _dept_name(job),
        "team": job.team,
        "employmentType": ASHBY_EMPLOYMENT[job.employment],
        "location": primary,
        "secondaryLocations": [{"location": name, "address": postal(p)}
                               for name, p in zip(secondary, doc.spec.cities[1:])],
        "publishedAt": iso(doc.posted.astimezone(dt.timezone.utc), ms=True),
        "isListed": True,
        "isRemote": doc.spec.workplace == "remote",
        "workplaceType": ASHBY_WORKPLACE[doc.spec.workplace],
        "address": postal(doc.spec.cities[0]) if doc.spec.cities else None,
        "jobUrl": doc.url,
        "applyUrl": doc.url + "/application",
        "descriptionHtml": render_html(doc.blocks, ASHBY_STYLE),
        "descriptionPlain": "\n\n".join(lines),
        "shouldDisplayCompensationOnJobPostings": bool(doc.salary and doc.salary_structured),
    }
    if doc.salary and doc.salary_structured:
        s = doc.salary
        interval = {"year": "1 YEAR", "hour": "1 HOUR", "month": "1 MONTH"}[s["period"]]
        summary = f"{_short(s['min'], s['currency'])} – {_short(s['max'], s['currency'])}"
        equity = r.random() < 0.5
        component = {"id": uuid4(r), "summary": summary, "compensationType": "Salary", "interval": interval,
                     "currencyCode": s["currency"], "minValue": s["min"], "maxValue": s["max"]}
        comps = [component]
        if equity:
            comps.append({"id": uuid4(r), "summary": "Offers Equity", "compensationType": "EquityPercentage",
                          "interval": "NONE", "currencyCode": None, "minValue": None, "maxValue": None})
        record["compensation"] = {
            "compensationTierSummary": summary + (" • Offers Equity" if equity else ""),
            "scrapeableCompensationSalarySummary": summary.replace(" – ", " - "),
            "compensationTiers": [{"id": uuid4(r), "tierSummary": summary, "title": None,
                                   "additionalConsiderations": None, "components": comps}],
            "summaryComponents": comps,
        }
    else:
        record["compensation"] = {"compensationTierSummary": None, "scrapeableCompensationSalarySummary": None,
                                  "compensationTiers": [], "summaryComponents": []}
    return record, lines
