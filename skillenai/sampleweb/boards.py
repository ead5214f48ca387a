"""Job boards read in one response per company, in the shapes their public endpoints serve.

Recruitee (``/api/offers/``), Personio (the ``<workzag-jobs>`` XML feed), BambooHR
(``/careers/list``, ``/careers/{id}/detail`` and the ``embed2.php`` widget), Teamtailor
(``jobs.rss``), Pinpoint (``postings.json``), Rippling (the board API, list and detail) and
Breezy (``/json`` and each position's page). ``generate(..., boards=BOARD_KINDS)`` gives
one company to each; each board's responses are files, which :data:`ROUTES` maps request
paths to, so the server serves them with their content types and validators.

Each writer also sets what the truth says the document states where the board says it
its own way: ``location_raw`` (the places as the board lists them, joined with "; ") and,
for Recruitee, whose times are UTC, the posting time.
"""

import datetime as dt
import email.utils
import html
import json
import re

from .ats import _dept_name, _money, iso
from .rand import rng, uuid4
from .text import render_html, render_plain

BOARD_KINDS = ("recruitee", "personio", "bamboohr", "teamtailor", "pinpoint", "rippling", "breezy")
# Boards with a pay field of their own (the others state pay only in the description).
PAY_FIELDS = ("recruitee", "bamboohr", "pinpoint", "rippling", "breezy")
STYLE = {"h": "h3", "list": "ul", "spacer": False, "p": "p"}

# (path pattern, file under sites/{kind}/): the groups fill the file name.
ROUTES = {
    "recruitee": [(r"/([^/]+)/api/offers/?", "{0}/offers.json")],
    "personio": [(r"/([^/]+)/xml", "{0}/positions.xml")],
    "bamboohr": [(r"/([^/]+)/careers/list", "{0}/list.json"), (r"/([^/]+)/careers/(\d+)/detail", "{0}/detail/{1}.json"),
                 (r"/([^/]+)/jobs/embed2\.php", "{0}/embed2.html")],
    "teamtailor": [(r"/([^/]+)/jobs\.rss", "{0}/jobs.rss")],
    "pinpoint": [(r"/([^/]+)/postings\.json", "{0}/postings.json")],
    "rippling": [(r"/platform/api/ats/v1/board/([^/]+)/jobs/?", "{0}/jobs.json"),
                 (r"/platform/api/ats/v1/board/([^/]+)/jobs/([0-9a-f-]{36})/?", "{0}/jobs/{1}.json")],
    "breezy": [(r"/([^/]+)/json", "{0}/positions.json"), (r"/([^/]+)/p/([0-9a-z-]+)/?", "{0}/p/{1}.html")],
}
_COMPILED = {kind: [(re.compile(p), f) for p, f in routes] for kind, routes in ROUTES.items()}

RECRUITEE_TYPES = {"FULL_TIME": "fulltime_permanent", "PART_TIME": "parttime_permanent", "CONTRACTOR": "freelance",
                   "INTERN": "internship", "TEMPORARY": "fulltime_fixed_term"}
PERSONIO_TYPES = {"FULL_TIME": ("permanent", "full-time"), "PART_TIME": ("permanent", "part-time"),
                  "CONTRACTOR": ("freelance", "full-time"), "INTERN": ("intern", "full-time"),
                  "TEMPORARY": ("temporary", "full-time")}
LABELS = {"FULL_TIME": "Full-Time", "PART_TIME": "Part-Time", "CONTRACTOR": "Contractor", "INTERN": "Intern",
          "TEMPORARY": "Temporary"}
RIPPLING_TYPES = {"FULL_TIME": ("SALARIED_FT", "Salaried, full-time"), "PART_TIME": ("HOURLY_PT", "Hourly, part-time"),
                  "CONTRACTOR": ("CONTRACTOR", "Contractor"), "INTERN": ("INTERN", "Intern"),
                  "TEMPORARY": ("TEMPORARY", "Temporary")}
PINPOINT_TYPES = {"FULL_TIME": "full_time", "PART_TIME": "part_time", "CONTRACTOR": "contract_temp",
                  "INTERN": "internship", "TEMPORARY": "temporary"}
BREEZY_TYPES = {"FULL_TIME": ("fullTime", "Full-Time"), "PART_TIME": ("partTime", "Part-Time"),
                "CONTRACTOR": ("contract", "Contract"), "INTERN": ("internship", "Internship"),
                "TEMPORARY": ("temporary", "Temporary")}


def board_file(kind: str, path: str):
    """The file (under ``sites/{kind}/``) that answers ``path`` on board site ``kind``, or None."""
    for pattern, name in _COMPILED.get(kind, ()):
        m = pattern.fullmatch(path)
        if m and not any(g.startswith(".") for g in m.groups()):
            return name.format(*m.groups())
    return None


def address(r, kind: str, board: str, title: str) -> tuple:
    """(id, public URL) of a new posting on board ``kind``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
    number = r.randint(1_000_000, 9_999_999)
    if kind == "recruitee":
        return number, f"http://recruitee.sample.test/{board}/o/{slug}-{number % 1000}"
    if kind == "personio":
        return number, f"http://personio.sample.test/{board}/job/{number}"
    if kind == "bamboohr":
        number %= 100_000
        return number, f"http://bamboohr.sample.test/{board}/careers/{number}"
    if kind == "teamtailor":
        return number, f"http://teamtailor.sample.test/{board}/jobs/{number}-{slug}"
    if kind == "pinpoint":
        return number, f"http://pinpoint.sample.test/{board}/postings/{uuid4(r)}"
    if kind == "rippling":
        job_id = uuid4(r)
        return job_id, f"http://rippling.sample.test/{board}/jobs/{job_id}"
    friendly = "%012x" % r.getrandbits(48) + "-" + slug
    return friendly, f"http://breezy.sample.test/{board}/p/{friendly}"


def write_board(files, company, docs, seed) -> None:
    """Write the responses of ``company``'s board (``company.ats`` one of BOARD_KINDS)."""
    kind, board = company.ats, company.board
    for d in docs:
        d.extra["description_lines"] = render_plain(d.blocks, STYLE)
    WRITERS[kind](files, company, board, docs, seed)


def _places(doc) -> list:
    return list(doc.spec.cities)


def _pay_string(s) -> str:
    unit = {"hour": "hour", "month": "month"}.get(s["period"], "year")
    return f"{_money(s['min'], s['currency'])} - {_money(s['max'], s['currency'])} {s['currency']} per {unit}"


def _pay(doc):
    return doc.salary if doc.salary and doc.salary_structured else None


def _recruitee(files, company, board, docs, seed):
    offers = []
    for d in docs:
        d.posted = d.posted.astimezone(dt.timezone.utc)  # Recruitee states UTC times
        places = [{"id": 290000 + i, "name": p.name, "city": p.name, "state": p.state, "country": p.country_name,
                   "country_code": p.country, "postal_code": company.postal.get(p.key)}
                  for i, p in enumerate(_places(d))]
        if places:
            d.location_raw = "; ".join(", ".join(dict.fromkeys(x for x in (p["city"], p["state"], p["country"]) if x))
                                       for p in places)
        pay = _pay(d)
        when = d.posted.strftime("%Y-%m-%d %H:%M:%S UTC")
        offers.append({
            "id": d.doc_id, "slug": d.url.rsplit("/", 1)[1], "guid": "%05x" % (d.doc_id % 0xFFFFF),
            "title": d.title.text, "status": "published", "company_name": company.name,
            "careers_url": d.url, "careers_apply_url": d.url + "/c/new",
            "location": d.location_raw, "locations": places,
            "city": places[0]["city"] if places else None, "country": places[0]["country"] if places else None,
            "remote": d.spec.workplace == "remote", "hybrid": d.spec.workplace == "hybrid",
            "on_site": d.spec.workplace == "onsite",
            "employment_type_code": RECRUITEE_TYPES[d.job.employment], "department": _dept_name(d.job),
            "description": render_html(d.blocks, STYLE), "requirements": "",
            "salary": {"min": str(pay["min"]) if pay else None, "max": str(pay["max"]) if pay else None,
                       "period": pay["period"] if pay else None, "currency": pay["currency"] if pay else None},
            "published_at": when, "created_at": when, "updated_at": when, "close_at": None, "tags": [],
        })
    files.write("recruitee", f"/{board}/offers.json", json.dumps({"offers": offers}, ensure_ascii=False))


def _sections(blocks) -> list:
    """(heading, blocks) groups: each heading with the blocks up to the next."""
    groups = [("", [])]
    for b in blocks:
        if b.kind == "h":
            groups.append((b.heading, []))
        else:
            groups[-1][1].append(b)
    return [(h, bs) for h, bs in groups if h or bs]


def _personio(files, company, board, docs, seed):
    out = ["<?xml version='1.0' encoding='UTF-8'?>", "<workzag-jobs>"]
    for d in docs:
        cities = _places(d)
        offices = [p.name for p in cities] or [d.location_raw]
        d.location_raw = "; ".join(dict.fromkeys(offices))
        contract, schedule = PERSONIO_TYPES[d.job.employment]
        lines, parts = [], []
        for heading, blocks in _sections(d.blocks):
            body = render_html(blocks, STYLE)
            parts.append(f"<jobDescription><name>{html.escape(heading)}</name><value><![CDATA[{body}]]></value>"
                         "</jobDescription>")
            lines += ([heading] if heading else []) + render_plain(blocks, STYLE)
        d.extra["description_lines"] = lines
        extra = "".join(f"<office>{html.escape(o)}</office>" for o in offices[1:])
        out.append(
            f"<position><id>{d.doc_id}</id><subcompany>{html.escape(company.name)}</subcompany>"
            f"<office>{html.escape(offices[0])}</office><additionalOffices>{extra}</additionalOffices>"
            f"<department>{html.escape(_dept_name(d.job))}</department><recruitingCategory>{html.escape(d.job.team)}"
            f"</recruitingCategory><name>{html.escape(d.title.text)}</name><jobDescriptions>{''.join(parts)}"
            f"</jobDescriptions><employmentType>{contract}</employmentType><seniority>experienced</seniority>"
            f"<schedule>{schedule}</schedule><yearsOfExperience>3-5</yearsOfExperience>"
            f"<createdAt>{iso(d.posted)}</createdAt></position>")
    out.append("</workzag-jobs>")
    files.write("personio", f"/{board}/positions.xml", "\n".join(out) + "\n")


def _bamboo_location(p) -> dict:
    return {"city": p.name, "state": p.state, "addressCountry": None if p.country == "US" else p.country_name}


def _bamboohr(files, company, board, docs, seed):
    listed, items = [], []
    for d in docs:
        cities = _places(d)
        place = _bamboo_location(cities[0]) if cities else {"city": None, "state": None, "addressCountry": None}
        d.location_raw = ", ".join(v for v in place.values() if v) or None
        remote = d.spec.workplace == "remote"
        entry = {"id": str(d.doc_id), "jobOpeningName": d.title.text, "departmentId": "18244",
                 "departmentLabel": _dept_name(d.job), "employmentStatusLabel": LABELS[d.job.employment],
                 "location": {"city": place["city"], "state": place["state"]},
                 "atsLocation": {"country": place["addressCountry"], "state": None, "province": None, "city": None},
                 "isRemote": True if remote else None,
                 "locationType": {"onsite": "0", "remote": "1", "hybrid": "2"}[d.spec.workplace]}
        listed.append(entry)
        pay = _pay(d)
        detail = {"meta": {"success": True}, "result": {"jobOpening": {
            **entry, "jobOpeningShareUrl": d.url, "jobOpeningStatus": "Open",
            "location": {**entry["location"], "addressCountry": place["addressCountry"], "postalCode": None},
            "description": render_html(d.blocks, STYLE), "datePosted": d.posted.date().isoformat(),
            "compensation": _pay_string(pay) if pay else None, "minimumExperience": None}}}
        files.write("bamboohr", f"/{board}/detail/{d.doc_id}.json", json.dumps(detail, ensure_ascii=False))
        items.append(f'<li class="BambooHR-ATS-Jobs-Item"><a href="//bamboohr.sample.test/{board}/careers/{d.doc_id}">'
                     f'{html.escape(d.title.text)}</a><span class="BambooHR-ATS-Location">'
                     f'{html.escape(d.location_raw or "Remote")}</span></li>')
    files.write("bamboohr", f"/{board}/list.json",
                json.dumps({"meta": {"totalCount": len(listed)}, "result": listed}, ensure_ascii=False))
    files.write("bamboohr", f"/{board}/embed2.html",
                '<div id="BambooHR-ATS"><div class="BambooHR-ATS-board"><h2>Current Openings</h2>'
                f'<ul class="BambooHR-ATS-Department-List"><li><ul class="BambooHR-ATS-Jobs-List">{"".join(items)}'
                '</ul></li></ul></div></div>\n')


def _teamtailor(files, company, board, docs, seed):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:tt="https://teamtailor.com/locations"><channel>',
           f"<title>{html.escape(company.name)}</title><link>http://teamtailor.sample.test/{board}/jobs</link>",
           f"<description>Jobs at {html.escape(company.name)}</description>"]
    for d in docs:
        d.extra["employment_stated"] = False
        cities = _places(d)
        d.location_raw = "; ".join(f"{p.name}, {p.country_name}" for p in cities) or None
        locations = "".join(f"<tt:location><tt:name>{html.escape(p.name)}</tt:name>"
                            f"<tt:address>{html.escape(company.street.get(p.key, ''))}</tt:address>"
                            f"<tt:zip>{company.postal.get(p.key, '')}</tt:zip><tt:city>{html.escape(p.name)}</tt:city>"
                            f"<tt:country>{html.escape(p.country_name)}</tt:country></tt:location>" for p in cities)
        status = {"onsite": "none", "hybrid": "hybrid", "remote": "fully"}[d.spec.workplace]
        out.append(
            f"<item><title>{html.escape(d.title.text)}</title>"
            f"<description><![CDATA[{render_html(d.blocks, STYLE)}]]></description>"
            f"<pubDate>{email.utils.format_datetime(d.posted)}</pubDate><remoteStatus>{status}</remoteStatus>"
            f"<link>{d.url}</link><guid>{uuid4(rng(seed, 'teamtailor', d.doc_id))}</guid>"
            f"<tt:locations>{locations}</tt:locations><tt:department>{html.escape(_dept_name(d.job))}</tt:department>"
            f"<tt:role>{html.escape(d.job.team)}</tt:role></item>")
    out.append("</channel></rss>")
    files.write("teamtailor", f"/{board}/jobs.rss", "\n".join(out) + "\n")


def _pinpoint(files, company, board, docs, seed):
    data = []
    for d in docs:
        cities = _places(d)
        if cities:
            p = cities[0]
            location = {"city": p.name, "name": f"{p.name}, {p.country_name}", "province": p.state,
                        "postal_code": company.postal.get(p.key), "country": p.country_name}
        else:
            location = {"city": None, "name": d.location_raw, "province": None, "postal_code": None, "country": None}
        d.location_raw = location["name"]
        pay = _pay(d)
        data.append({
            "id": d.doc_id, "title": d.title.text, "url": d.url, "requisition_id": f"REQ-{d.doc_id % 10000:04d}",
            "location": location, "employment_type": PINPOINT_TYPES[d.job.employment],
            "employment_type_text": LABELS[d.job.employment], "workplace_type": d.spec.workplace,
            "workplace_type_text": d.spec.workplace.title(), "description": render_html(d.blocks, STYLE),
            "key_responsibilities": None, "skills_knowledge_expertise": None, "benefits": None,
            "compensation_visible": bool(pay), "compensation_minimum": pay["min"] if pay else None,
            "compensation_maximum": pay["max"] if pay else None, "compensation_currency": pay["currency"] if pay else None,
            "compensation_frequency": pay["period"] if pay else None, "deadline_at": None,
            "published_at": iso(d.posted), "department": {"id": 90210, "name": _dept_name(d.job)},
        })
    files.write("pinpoint", f"/{board}/postings.json", json.dumps({"data": data}, ensure_ascii=False))


def _rippling(files, company, board, docs, seed):
    listed = []
    for d in docs:
        labels = [f"{p.name}, {p.country}" for p in _places(d)] or [d.location_raw]
        d.location_raw = "; ".join(dict.fromkeys(labels))
        about = [b for b in d.blocks if b.section == "about_us"]
        role = [b for b in d.blocks if b.section != "about_us"]
        d.extra["description_lines"] = render_plain(about, STYLE) + render_plain(role, STYLE)
        department = {"id": _dept_name(d.job), "label": _dept_name(d.job)}
        for label in dict.fromkeys(labels):
            listed.append({"uuid": d.doc_id, "name": d.title.text, "department": department, "url": d.url,
                           "workLocation": {"label": label, "id": label}})
        type_id, type_label = RIPPLING_TYPES[d.job.employment]
        pay = _pay(d)
        detail = {"uuid": d.doc_id, "name": d.title.text, "url": d.url, "department": department,
                  "description": {"company": render_html(about, STYLE), "role": render_html(role, STYLE)},
                  "workLocations": [{"label": x, "id": x} for x in dict.fromkeys(labels)],
                  "employmentType": {"label": type_label, "id": type_id}, "createdOn": iso(d.posted),
                  "payRangeDetails": [{"rangeStart": pay["min"], "rangeEnd": pay["max"], "currency": pay["currency"],
                                       "frequency": pay["period"].upper()}] if pay else []}
        files.write("rippling", f"/{board}/jobs/{d.doc_id}.json", json.dumps(detail, ensure_ascii=False))
    files.write("rippling", f"/{board}/jobs.json", json.dumps(listed, ensure_ascii=False))


def _breezy(files, company, board, docs, seed):
    listed = []
    for d in docs:
        cities = _places(d)
        p = cities[0] if cities else None
        type_id, type_name = BREEZY_TYPES[d.job.employment]
        pay = _pay(d)
        listed.append({
            "id": d.doc_id.split("-")[0],
            "friendly_id": d.doc_id, "name": d.title.text, "url": d.url, "published_date": iso(d.posted, ms=True),
            "type": {"id": type_id, "name": type_name},
            "location": {"country": {"name": p.country_name, "id": p.country} if p else None,
                         "state": {"id": p.admin1, "name": p.state} if p and p.state else None,
                         "city": p.name if p else None, "name": d.location_raw,
                         "is_remote": d.spec.workplace == "remote"},
            "department": _dept_name(d.job), "salary": _pay_string(pay) if pay else "",
            "company": {"name": company.name, "logo_url": None, "friendly_id": board},
        })
        description = render_html(d.blocks, STYLE)
        posting = {"@context": "https://schema.org", "@type": "JobPosting", "title": d.title.text,
                   "description": description, "datePosted": iso(d.posted),
                   "hiringOrganization": {"@type": "Organization", "name": company.name},
                   "employmentType": d.job.employment}
        files.write("breezy", f"/{board}/p/{d.doc_id}.html",
                    f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(d.title.text)}'
                    f'</title><script type="application/ld+json">{json.dumps(posting, ensure_ascii=False)}</script>'
                    f'</head><body><div class="banner"><h1>{html.escape(company.name)}</h1></div>'
                    f'<div class="position"><h2>{html.escape(d.title.text)}</h2><ul class="meta"><li>'
                    f'{html.escape(d.location_raw or "")}</li><li>{type_name}</li></ul>'
                    f'<div class="description">{description}</div><a class="button" href="{d.url}/apply">Apply</a>'
                    '</div></body></html>\n')
    files.write("breezy", f"/{board}/positions.json", json.dumps(listed, ensure_ascii=False))


WRITERS = {"recruitee": _recruitee, "personio": _personio, "bamboohr": _bamboohr, "teamtailor": _teamtailor,
           "pinpoint": _pinpoint, "rippling": _rippling, "breezy": _breezy}
