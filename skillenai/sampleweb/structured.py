"""schema.org JobPosting as career sites publish it: plain JSON-LD, JSON-LD inside an
``@graph`` (the Yoast / Rank Math style, with the employer given by ``@id`` reference),
microdata, and the malformed blocks found in the wild."""

import datetime as dt
import html
import json
import re

from .locations import places
from .pay import PERIOD_SCHEMA

ORG_TYPE = "Organization"
_STRING_WITH_SPACE = re.compile(r'": "([^"\\]*? )')     # a string value, up to its first space


def ld_script(obj, pretty: bool = False) -> str:
    text = json.dumps(obj, ensure_ascii=False, indent=2 if pretty else None)
    # "</" inside a string would end the script element early
    return '<script type="application/ld+json">' + text.replace("</", "<\\/") + "</script>"


def address(r, place, company) -> tuple:
    """(PostalAddress, how it reads as text) for one job location."""
    addr = {"@type": "PostalAddress"}
    if r.random() < 0.45:
        addr["streetAddress"] = company.street.get(place.key) or f"{r.randint(1, 999)} {place.streets[0]}"
    locality = place.local if place.local and r.random() < 0.35 else place.name
    addr["addressLocality"] = locality
    if place.country == "US":
        region = place.admin1 if r.random() < 0.85 else place.state
    elif place.abbr:
        region = place.abbr
    else:
        region = place.admin1 if place.admin1 and place.admin1 != place.city and r.random() < 0.5 else None
    if region:
        addr["addressRegion"] = region
    if r.random() < 0.4:
        addr["postalCode"] = company.postal.get(place.key) or place.postal
    roll = r.random()
    if roll < 0.4:
        country = place.country
        addr["addressCountry"] = country
    elif roll < 0.65:
        country = place.country_name
        addr["addressCountry"] = country
    elif roll < 0.85:
        country = place.country
        addr["addressCountry"] = {"@type": "Country", "name": country}
    else:
        country = place.cc3
        addr["addressCountry"] = country
    text = ", ".join(x for x in (locality, region, country) if x)
    return addr, text


def date_text(moment: dt.datetime, style: str) -> str:
    if style == "date":
        return moment.date().isoformat()
    if style == "zulu":
        return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat(timespec="seconds")


def employment(r, etype: str):
    roll = r.random()
    if roll < 0.7:
        return etype
    if roll < 0.9:
        return [etype]
    return {"FULL_TIME": "Full-time", "PART_TIME": "Part-time", "CONTRACTOR": "Contract",
            "INTERN": "Internship", "TEMPORARY": "Temporary"}[etype]


def base_salary(sal: dict) -> dict:
    value = {"@type": "QuantitativeValue", "unitText": PERIOD_SCHEMA[sal["period"]]}
    if sal["min"] == sal["max"]:
        value["value"] = sal["min"]
    else:
        value["minValue"] = sal["min"]
        value["maxValue"] = sal["max"]
    return {"@type": "MonetaryAmount", "currency": sal["currency"], "value": value}


def applicant_requirements(scope):
    if not scope or scope["scope"] is None:
        return None
    if scope["countries"]:
        names = [places().countries[c]["name"] for c in scope["countries"]]
        reqs = [{"@type": "Country", "name": n} for n in names]
        return reqs[0] if len(reqs) == 1 else reqs
    return {"@type": "AdministrativeArea", "name": scope["scope"]}


def job_posting(r, doc, places_ld, description: str, habits: dict, org_ref=None) -> dict:
    """The JobPosting object for a career-site page. ``places_ld`` are the PostalAddress
    dicts of its locations; ``org_ref`` replaces the inline employer with an ``@id``."""
    company = doc.job.company
    jp = {"@context": "https://schema.org/", "@type": "JobPosting", "title": doc.title.text,
          "description": html.escape(description) if habits.get("escaped_jsonld") else description,
          "identifier": {"@type": "PropertyValue", "name": company.name, "value": str(doc.doc_id)},
          "datePosted": date_text(doc.posted, habits["date_style"])}
    if doc.valid_through:
        jp["validThrough"] = doc.valid_through.isoformat() + ("T23:59" if r.random() < 0.5 else "")
    jp["employmentType"] = employment(r, doc.job.employment)
    jp["hiringOrganization"] = org_ref or {"@type": ORG_TYPE, "name": company.name, "sameAs": company.origin + "/",
                                          "logo": company.origin + "/assets/logo.svg"}
    places = [{"@type": "Place", "address": a} for a in places_ld]
    if places:
        jp["jobLocation"] = places[0] if len(places) == 1 and r.random() < 0.7 else places
    if doc.spec.workplace == "remote":
        jp["jobLocationType"] = "TELECOMMUTE"
        req = applicant_requirements(doc.spec.scope)
        if req:
            jp["applicantLocationRequirements"] = req
    if doc.salary and doc.salary_structured:
        jp["baseSalary"] = base_salary(doc.salary)
    jp["url"] = doc.url
    if r.random() < 0.5:
        jp["directApply"] = r.random() < 0.6
    return jp


def graph(doc, jp: dict, crumbs) -> dict:
    """The JobPosting inside a site-wide ``@graph`` with Organization (with the head
    office address: not the job's location), WebSite, WebPage and BreadcrumbList."""
    company = doc.job.company
    origin = company.origin
    org_id = origin + "/#organization"
    hq = company.hq
    jp = dict(jp)
    jp.pop("@context")
    jp["hiringOrganization"] = {"@id": org_id}
    jp["mainEntityOfPage"] = {"@id": doc.url}
    return {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "@id": org_id, "name": company.name, "url": origin + "/",
         "logo": {"@type": "ImageObject", "url": origin + "/assets/logo.svg"},
         "address": {"@type": "PostalAddress", "streetAddress": company.street[hq.key],
                     "addressLocality": hq.name, "addressRegion": hq.state_or_region(),
                     "addressCountry": hq.country},
         "sameAs": [f"https://www.linkedin.com/company/{company.slug}", f"https://twitter.com/{company.slug.replace('-', '')}"]},
        {"@type": "WebSite", "@id": origin + "/#website", "url": origin + "/", "name": f"{company.name} Careers",
         "publisher": {"@id": org_id}},
        {"@type": "WebPage", "@id": doc.url, "url": doc.url, "name": doc.title.text,
         "isPartOf": {"@id": origin + "/#website"}, "breadcrumb": {"@id": doc.url + "#breadcrumb"}},
        breadcrumbs(doc.url + "#breadcrumb", crumbs),
        jp,
    ]}


def breadcrumbs(id_, crumbs) -> dict:
    return {"@type": "BreadcrumbList", "@id": id_, "itemListElement": [
        {"@type": "ListItem", "position": i + 1, "name": name, "item": url} for i, (name, url) in enumerate(crumbs)]}


def malformed(r, obj) -> str:
    """A JSON-LD script whose content does not parse, the ways real sites break it:
    cut off mid-way, a trailing comma, or a raw line break inside a string."""
    text = json.dumps(obj, ensure_ascii=False, indent=2 if r.random() < 0.5 else None)
    kind = r.choice(("truncated", "comma", "newline"))
    if kind == "truncated":
        text = text[: int(len(text) * r.uniform(0.55, 0.9))]
    elif kind == "comma":
        cut = text.rstrip().rfind("}")
        text = text[:cut].rstrip() + ",\n}" + text[cut + 1:]
    else:
        # a raw line break inside a string value (a space outside strings would be valid)
        m = _STRING_WITH_SPACE.search(text, len(text) // 3) or _STRING_WITH_SPACE.search(text)
        if m:
            i = m.end(1) - 1
            text = text[:i] + "\n" + text[i + 1:]
        else:
            text = text[:-1]
    return '<script type="application/ld+json">' + text.replace("</", "<\\/") + "</script>"


# microdata --------------------------------------------------------------------------------

def md_places(places_ld) -> str:
    out = []
    for a in places_ld:
        parts = [f'<span itemprop="addressLocality">{html.escape(a["addressLocality"])}</span>']
        if "addressRegion" in a:
            parts.append(f'<span itemprop="addressRegion">{html.escape(a["addressRegion"])}</span>')
        country = a["addressCountry"]
        country = country["name"] if isinstance(country, dict) else country
        parts.append(f'<span itemprop="addressCountry">{html.escape(country)}</span>')
        out.append('<span itemprop="jobLocation" itemscope itemtype="https://schema.org/Place">'
                   '<span itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">'
                   + ", ".join(parts) + "</span></span>")
    return "; ".join(out)


def md_meta(r, doc, habits) -> str:
    company = doc.job.company
    parts = [f'<meta itemprop="datePosted" content="{date_text(doc.posted, habits["date_style"])}">',
             f'<meta itemprop="employmentType" content="{doc.job.employment}">',
             '<span itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization">'
             f'<meta itemprop="name" content="{html.escape(company.name)}">'
             f'<link itemprop="sameAs" href="{company.origin}/"></span>',
             f'<meta itemprop="identifier" content="{doc.doc_id}">']
    if doc.valid_through:
        parts.append(f'<meta itemprop="validThrough" content="{doc.valid_through.isoformat()}">')
    if doc.spec.workplace == "remote":
        parts.append('<meta itemprop="jobLocationType" content="TELECOMMUTE">')
    if doc.salary and doc.salary_structured:
        s = doc.salary
        vals = (f'<meta itemprop="value" content="{s["min"]}">' if s["min"] == s["max"] else
                f'<meta itemprop="minValue" content="{s["min"]}"><meta itemprop="maxValue" content="{s["max"]}">')
        parts.append('<span itemprop="baseSalary" itemscope itemtype="https://schema.org/MonetaryAmount">'
                     f'<meta itemprop="currency" content="{s["currency"]}">'
                     '<span itemprop="value" itemscope itemtype="https://schema.org/QuantitativeValue">'
                     f'{vals}<meta itemprop="unitText" content="{PERIOD_SCHEMA[s["period"]]}"></span></span>')
    return "".join(parts)
