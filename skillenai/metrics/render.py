"""Render metrics (``skillenai.metrics.queries``) as JSON, Markdown or a self-contained HTML page.

The skill page follows the published Skillenai skill page: a title, the headline count,
three figures (postings, demand against the prior 4 weeks, top hiring metro), questions
and answers, the weekly series as an inline SVG chart, tables of metros with their share,
paired skills and roles, recent articles and research papers, and how it was computed. The HTML needs no
script, font or image from elsewhere: one file, readable as it is.

>>> render("skill", skill_metrics(db, "Python"), "html")     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import shlex
from typing import Callable

from skillenai.metrics.links import SECTIONS, Links, entity_name

FORMATS = ("json", "md", "html")
BAR_COLOUR = "#3559e0"
PARTIAL_COLOUR = "#9fb1f0"  # a week only partly inside the window
SOURCE = "Skillenai jobs index, deduplicated daily"

__all__ = ["FORMATS", "render", "demand_phrase", "weekly_svg", "skill_title"]


def render(kind: str, data: dict, fmt: str, links: Links | None = None) -> str:
    """``data`` from :mod:`skillenai.metrics.queries` (``kind``: skill, metro, role, occupation,
    top-skills, occupations, trends) as ``fmt`` (json, md, html). ``links`` places an entity
    page on a site (default: absolute links to the public one)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        renderer = _RENDERERS[kind][fmt]
    except KeyError:
        raise ValueError(f"no page for {kind!r} (known: {', '.join(_RENDERERS)})") from None
    return renderer(data, links) if fmt == "html" or kind in ENTITY_KINDS else renderer(data)


# -- wording -------------------------------------------------------------------------------

def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _year(m: dict) -> str:
    return m["data_as_of"][:4]


def skill_title(m: dict) -> str:
    return f"{m['name']} jobs in {_year(m)} — demand, top roles hiring, and related skills"


def demand_phrase(m: dict) -> str:
    """"down 44% vs the prior 4 weeks", "up 12% …", "flat …", or why there is no comparison."""
    change = m.get("change_vs_prior_4_weeks")
    if change is None:
        if m.get("postings_last_4_weeks"):
            return "new: no postings in the prior 4 weeks"
        return "no postings in the last 8 weeks"
    if round(change) == 0:
        return "flat vs the prior 4 weeks"
    return f"{'up' if change > 0 else 'down'} {abs(change):.0f}% vs the prior 4 weeks"


def _open_line(m: dict) -> str:
    """The postings still open on the last day, however old (absent from older JSON)."""
    if m.get("active_postings") is None:
        return ""
    return f" · {_n(m['active_postings'], 'posting')} open on {m['data_as_of']}"


def _names(items: list[dict], n: int = 5) -> str:
    return ", ".join(i["name"] for i in items[:n])


def _share(count: int, total: int) -> str:
    """A share as the page shows it, from the counts (not the JSON's rounded ``share``)."""
    return f"{count * 100 / total:.1f}%" if total else "—"


def _metro_rows(m: dict) -> list[list]:
    return [[_label(x), x["postings"], _share(x["postings"], m["metro_tags"])] for x in m["top_metros"]]


def _label(item: dict) -> str:
    """A place as pages show it: "Dublin, CA, US", not a bare "Dublin" (older cached pages
    have no label)."""
    return item.get("label") or item["name"]


def _skill_rows(items: list[dict], total: int) -> list[list]:
    return [[x["name"], x["postings"], _share(x["postings"], total)] for x in items]


def _count_rows(items: list[dict]) -> list[list]:
    return [[x["name"], x["postings"]] for x in items]


def _subject(kind: str, m: dict) -> str:
    """What a page is about, as its sentences name it."""
    if kind == "metro":
        return _label(m)
    if kind == "occupation":
        return f"{m['name']} (SOC {m['entity_id']})"
    if kind == "role":
        return f"{m['name']} roles"
    return m["name"]


def _where(kind: str, m: dict) -> str:
    """The postings a non-skill page counts: "in Dublin, CA, US", "for Data Scientist roles"."""
    return f"in {_label(m)}" if kind == "metro" else f"for {_subject(kind, m)}"


def _keep_up(kind: str, m: dict, links: Links) -> tuple[str, str]:
    """The seed's "How can I keep up with new … content and jobs?" and its answer."""
    feed = links.at(None).feed(kind, m)  # in prose, the public address, not a relative path
    subject = _subject(kind, m)
    where = feed or "linked from this page"
    if kind == "skill":
        return (f"How can I keep up with new {subject} content and jobs?",
                f"Skillenai indexes news, blog posts, and research papers mentioning {subject} alongside the jobs "
                f"index. This page's Atom feed ({where}) carries each new posting and article that mentions "
                f"{subject} as it is indexed: follow it in a feed reader, or have a feed-to-email service send it "
                f"as a daily digest.")
    return (f"How can I keep up with new jobs {_where(kind, m)}?",
            f"Skillenai indexes job postings daily. This page's Atom feed ({where}) carries each new posting "
            f"{_where(kind, m)} as it is indexed: follow it in a feed reader, or have a feed-to-email service "
            f"send it as a daily digest.")


def _faq(m: dict, links: Links | None = None) -> list[tuple[str, str]]:
    links = links or Links()
    name, as_of, days = m["name"], m["data_as_of"], m["window_days"]
    if m["postings"]:
        demand = (f"Yes. {name} appears in {_n(m['postings'], 'job posting')} indexed by Skillenai over the "
                  f"{days} days ending {as_of}, with demand {demand_phrase(m)}.")
    else:
        demand = (f"Not in the postings Skillenai indexes: {name} appears in no job posting over the "
                  f"{days} days ending {as_of}.")
    if m["paired_skills"]:
        paired = (f"Across job postings indexed by Skillenai ({days} days ending {as_of}), {name} most often "
                  f"appears alongside {_names(m['paired_skills'])}.")
    else:
        paired = f"No other skill appears with {name} in the job postings of the {days} days ending {as_of}."
    return [
        (f"Is {name} in demand in {_year(m)}?", demand),
        (f"What skills are commonly paired with {name}?", paired),
        (f"Where is {name} most in demand?", _metros_answer(m, f"requiring {name}")),
        _keep_up("skill", m, links),
        (f"Which roles hire for {name}?", _roles_answer(m, f"requiring {name}")),
    ]


def _metros_answer(m: dict, which: str) -> str:
    """Where the postings ``which`` ("requiring Python", "for Data Scientist roles") are."""
    if m.get("top_metros"):
        return (f"As of {m['data_as_of']}, the metro areas posting the most jobs {which} are "
                f"{'; '.join(_label(x) for x in m['top_metros'][:5])}, according to the Skillenai jobs index.")
    return f"As of {m['data_as_of']}, no job posting {which} names a metro area (remote or unstated)."


def _roles_answer(m: dict, which: str) -> str:
    """The role families of the postings ``which``."""
    period = f"the {m['window_days']} days ending {m['data_as_of']}"
    if m.get("top_roles"):
        return f"Over {period}, postings {which} are most often for {_names(m['top_roles'], 3)} roles."
    return f"No role family stands out among postings {which} over {period}."


def _entity_faq(kind: str, m: dict, links: Links) -> list[tuple[str, str]]:
    """The questions of a metro, role or occupation page, in the seed's order."""
    as_of, days, where = m["data_as_of"], m["window_days"], _where(kind, m)
    if m["postings"]:
        demand = (f"Yes. Skillenai indexed {_n(m['postings'], 'job posting')} {where} over the {days} days "
                  f"ending {as_of}, with demand {demand_phrase(m)}.")
    else:
        demand = f"Not in the postings Skillenai indexes: no job posting {where} over the {days} days ending {as_of}."
    if m["top_skills"]:
        skills = (f"Across job postings {where} indexed by Skillenai ({days} days ending {as_of}), the skills "
                  f"most often asked for are {_names(m['top_skills'])}.")
    else:
        skills = f"No skill is tagged on the job postings {where} of the {days} days ending {as_of}."
    faq = [(f"Are jobs {where} in demand in {_year(m)}?", demand),
           (f"What skills are most in demand {where}?", skills)]
    if kind != "metro":
        faq.append((f"Where are jobs {where} most in demand?", _metros_answer(m, where)))
    faq.append(_keep_up(kind, m, links))
    if kind != "role":
        faq.append((f"Which roles hire most {where}?", _roles_answer(m, where)))
    return faq


def _computed(m: dict) -> str:
    return (f"Counts derive from the Skillenai jobs index over the {m['window_days']} days ending "
            f"{m['data_as_of']}: canonical postings only (reposts and cross-posts of one job count once; one job offered in several "
            f"places counts once, and once in each of its metros), "
            f"dated by their posting date. Skills are resolved against the Skillenai canonical taxonomy, so "
            f"the same entity is counted whether a posting writes 'Python', 'Python 3', or 'python'. A metro's "
            f"share is its postings over the sum of the postings of every metro tagged on them; the change is "
            f"the last 28 days against the 28 before.")


CADENCE = ("Pages refresh daily when the site is rebuilt after each daily batch: the batch recomputes the "
           "figures, and skillenai site rewrites a page only when its figures changed.")
BYLINE = "Compiled by Skillenai · Data sourced from the Skillenai labor market index"
RECRUITERS = ("The demand, skills, and geo numbers on this page come from the same Skillenai labor market index "
              "that powers our API. Use it for compensation benchmarking, hiring-competition analysis, and "
              "skill-adoption tracking.")


def _digest(kind: str, m: dict) -> tuple[str, str]:
    """The seed's daily-digest call: its heading and paragraph."""
    subject = _subject(kind, m)
    if kind == "skill":
        return (f"Get a daily email digest of new {subject} content",
                f"Skillenai indexes news articles, blog posts, and research papers that mention {subject}, and the "
                f"job postings that ask for it. This page's Atom feed lists each new one: add it to a feed reader, "
                f"or to a feed-to-email service for a daily digest (or hourly, or weekly, if you prefer).")
    return (f"Get a daily email digest of new jobs {_where(kind, m)}",
            f"Skillenai indexes job postings from company career sites and job boards every day. This page's "
            f"Atom feed lists each new posting {_where(kind, m)}: add it to a feed reader, or to a feed-to-email "
            f"service for a daily digest (or hourly, or weekly, if you prefer).")


def _api(kind: str, m: dict, links: Links) -> tuple[str, str]:
    """The seed's API paragraph: the stream and the figures as data."""
    subject = _subject(kind, m)
    json_url = links.at(None).json(kind, m)
    text = ("Same one-click setup as above, plus you can pull the underlying stream into your own coding agent "
            "via the Skillenai API: ")
    text += (f"this page's figures are the JSON document {json_url}" if json_url else "this page's figures are a JSON "
             "document")
    name = m["entity_id"] if kind == "occupation" else m["name"]
    text += (f" (what skillenai metrics {kind} {shlex.quote(name)} --format json prints, and skillenai serve "
             f"answers at /{SECTIONS[kind]}/NAME.json), and its Atom feed is the stream.")
    heading = (f"Stay current on {subject} without doomscrolling" if kind == "skill"
               else f"Stay current on jobs {_where(kind, m)} without doomscrolling")
    return heading, text


def _recruiters_heading(kind: str, m: dict) -> str:
    if kind == "skill":
        return f"Hiring engineers who use {m['name']}?"
    if kind == "metro":
        return f"Hiring in {_label(m)}?"
    return f"Hiring {m['name']}?"


# What a page links to under "Explore related pages": (heading, kind of page, list key).
_RELATED = {
    "skill": [("Skills paired with {s}", "skill", "paired_skills"), ("Metros hiring for {s}", "metro", "top_metros"),
              ("Roles hiring for {s}", "role", "top_roles")],
    "metro": [("Skills in demand {w}", "skill", "top_skills"), ("Roles hiring {w}", "role", "top_roles")],
    "role": [("Skills asked for {w}", "skill", "top_skills"), ("Metros hiring {w}", "metro", "top_metros"),
             ("Occupations {w}", "occupation", "top_occupations")],
    "occupation": [("Skills asked for {w}", "skill", "top_skills"), ("Metros hiring {w}", "metro", "top_metros"),
                   ("Roles {w}", "role", "top_roles")],
}


def _related(kind: str, m: dict, links: Links) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """``[(heading, [(name, href or None)])]``: the pages this one leads to."""
    out = []
    for heading, other, key in _RELATED[kind]:
        items = m.get(key) or []
        if items:
            title = heading.format(s=m["name"], w=_where(kind, m))
            out.append((title, [(entity_name(other, x), links.page(other, x)) for x in items]))
    return out


# -- beyond the seed: pay, workplace, employers ---------------------------------------------

def _concentration(index: float) -> str:
    """The US merger guidelines' reading of an HHI."""
    if index > 2500:
        return "highly concentrated"
    if index >= 1500:
        return "moderately concentrated"
    return "unconcentrated"


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _capped_line(capped: dict | None) -> str:
    """The employer-capped count, when the cap takes anything from the page's jobs."""
    if not capped or not capped["employers"]:
        return ""
    takes = ", ".join(f"{e['company'] or 'unnamed'} {e['postings']:,} → {e['counted']:,}"
                      for e in capped["employers"][:3])
    return (f" With each employer's family of near-identical openings counted at most {capped['cap']} times: "
            f"{_n(capped['jobs'], 'job')} ({takes}).")


def _market(kind: str, m: dict) -> dict | None:
    """The beyond-the-seed section as text and tables, or ``None`` for a document without it."""
    if "pay" not in m:
        return None
    pay, place, employers = m["pay"], m["workplace"], m["employers"]
    where = f"requiring {m['name']}" if kind == "skill" else _where(kind, m)
    lines = [
        f"{_n(pay['postings_stating_pay'], 'posting')} of {m['raw_postings']:,} {where} state pay "
        f"({_pct(pay['share_stating_pay'])}); yearly pay (hourly × 2,080, daily × 260, weekly × 52, "
        f"monthly × 12; the middle of a stated range), per currency, never converted:",
        f"Remote {place['remote']:,} ({_pct(place['remote_share'])}) · hybrid {place['hybrid']:,} "
        f"({_pct(place['hybrid_share'])}) · onsite {place['onsite']:,} ({_pct(place['onsite_share'])}) · "
        f"not stated {place['unstated']:,}.",
        f"{_n(employers['distinct'], 'employer')}; concentration (HHI) {employers['hhi']:,.0f} of 10,000, "
        f"{_concentration(employers['hhi'])}.",
        f"{_n(m['postings'], 'job')}: each employer's near-identical postings (one job in several places, or "
        f"reposts) count once, against {m['raw_postings']:,} postings counted raw."
        + _capped_line(m.get("employer_capped")),
    ]
    yoy = m.get("year_over_year")
    if yoy is None:
        lines.append("Year over year: the store does not reach back a year before this window.")
    else:
        change = "no postings a year before" if yoy["change"] is None else f"{yoy['change']:+.1f}%"
        lines.append(f"Year over year: {yoy['postings_year_before']:,} postings in the same window a year before "
                     f"({change}).")
    pay_rows = [[c["currency"], c["postings"], f"{c['median']:,}", f"{c['p25']:,} – {c['p75']:,}"]
                for c in pay["annual_by_currency"]]
    employer_rows = [[e["name"], e["postings"], _pct(e["share"])] for e in employers["top"]]
    return {"heading": f"Pay, remote work and employers {where}", "lines": lines,
            "pay": (["Currency", "Postings", "Median yearly pay", "Interquartile range"], pay_rows, {1, 2, 3}),
            "employers": (["Employer", "Postings", "Share"], employer_rows, {1, 2})}


def _market_md(kind: str, m: dict) -> list[str]:
    part = _market(kind, m)
    if part is None:
        return []
    first, *rest = part["lines"]
    return [f"## {part['heading']}\n", first + "\n", _md_table(*part["pay"][:2]), *(line + "\n" for line in rest),
            "### Top employers\n", _md_table(*part["employers"][:2])]


def _market_html(kind: str, m: dict) -> str:
    part = _market(kind, m)
    if part is None:
        return ""
    first, *rest = part["lines"]
    content = (f"<p>{_e(first)}</p>{_html_table(*part['pay'])}" + "".join(f"<p>{_e(x)}</p>" for x in rest)
               + "<h3>Top employers</h3>" + _html_table(*part["employers"]))
    return _section("market", part["heading"], content)


def _description(kind: str, m: dict) -> str:
    """The page's ``<meta name="description">``: its headline figures in one or two sentences."""
    subject = _subject(kind, m)
    if kind == "skill":
        text = (f"{subject} appears in {_n(m['postings'], 'job posting')} over the {m['window_days']} days ending "
                f"{m['data_as_of']}, {demand_phrase(m)}.")
        if m["top_metros"]:
            text += f" Top hiring metro: {_label(m['top_metros'][0])}."
        if m["paired_skills"]:
            text += f" Often paired with {_names(m['paired_skills'], 3)}."
    else:
        text = (f"{_n(m['postings'], 'job posting')} {_where(kind, m)} over the {m['window_days']} days ending "
                f"{m['data_as_of']}, {demand_phrase(m)}.")
        if m.get("top_skills"):
            text += f" Top skills: {_names(m['top_skills'], 3)}."
    return text


# -- Markdown ------------------------------------------------------------------------------

def _md_cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_link_text(text: str) -> str:
    return _md_cell(text).replace("[", "\\[").replace("]", "\\]")


def _md_table(headers: list[str], rows: list[list]) -> str:
    if not rows:
        return "_None in this window._\n"
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


_SPARK = "▁▂▃▄▅▆▇█"


def _sparkline(weekly: list[dict]) -> str:
    top = max((w["postings"] for w in weekly), default=0)
    if not top:
        return _SPARK[0] * len(weekly)
    return "".join(_SPARK[min(len(_SPARK) - 1, round(w["postings"] / top * (len(_SPARK) - 1)))] for w in weekly)


def _md_link(name: str, href: str | None) -> str:
    return f"[{_md_link_text(name)}](<{href}>)" if href else _md_cell(name)


def _md_tail(kind: str, m: dict, links: Links) -> list[str]:
    """The seed's closing sections: the API, related pages, how it was computed, the
    refresh cadence, the recruiters' line and the byline."""
    heading, text = _api(kind, m, links)
    out = [f"## {heading}\n", text + "\n", "## Explore related pages\n"]
    for title, items in _related(kind, m, links):
        out.append(f"**{title}:** " + ", ".join(_md_link(n, h) for n, h in items) + "\n")
    out += [
        "## How this was computed\n",
        _computed(m) + " " + CADENCE + "\n",
        f"- source: {SOURCE}\n- entity_id: `{m['entity_id']}`\n- data_as_of: {m['data_as_of']}\n"
        f"- window_days: {m['window_days']}\n",
        f"## {_recruiters_heading(kind, m)}\n",
        RECRUITERS + "\n",
        f"_{BYLINE}_\n",
    ]
    return out


def _md_digest(kind: str, m: dict) -> str:
    heading, text = _digest(kind, m)
    return f"## {heading}\n\n{text}\n"


def skill_markdown(m: dict, links: Links | None = None) -> str:
    links = links or Links()
    name, as_of, days = m["name"], m["data_as_of"], m["window_days"]
    top_metro = _label(m["top_metros"][0]) if m["top_metros"] else "—"
    out = [
        f"# {skill_title(m)}\n",
        f"As of {as_of}, {name} appears in {_n(m['postings'], 'job posting')} indexed by Skillenai over the "
        f"past {days} days.\n",
        f"Last updated · {days}d ending {as_of}{_open_line(m)}\n",
        _md_table(["Postings · last %d days" % days, "Demand vs prior month", "Top hiring metro"],
                  [[f"{m['postings']:,}", demand_phrase(m), top_metro]]),
        _md_digest("skill", m),
        f"## Frequently asked questions about {name}\n",
    ]
    for question, answer in _faq(m, links):
        out.append(f"**{question}**\n\n{answer}\n")
    out += [
        f"## Weekly job postings requiring {name} — last {days} days\n",
        f"`{_sparkline(m['weekly'])}`\n",
        _md_table(["Week starting", "Postings", "Days in window"],
                  [[w["week_start"], w["postings"], w["days"]] for w in m["weekly"]]),
        f"## Top metros hiring for {name}\n",
        _md_table(["Name", "Postings", "Share"], _metro_rows(m)),
        f"## Skills commonly paired with {name}\n",
        _md_table(["Name", "Postings"], _count_rows(m["paired_skills"])),
        f"## Top roles hiring for {name}\n",
        _md_table(["Role", "Postings"], _count_rows(m["top_roles"])),
    ]
    for key, what in (("articles", "articles"), ("papers", "research papers")):
        count = m.get(key[:-1] + "_count")
        out.append(f"## Recent {what} mentioning {name}" + (f" ({count:,} in the window)" if count else "") + "\n")
        if m.get(key):
            out.append("\n".join(f"- {a['date']} · [{_md_link_text(a['title'] or a['url'])}](<{a['url']}>)"
                                 for a in m[key]) + "\n")
        else:
            out.append("_None in this window._\n")
    return "\n".join(out + _market_md("skill", m) + _md_tail("skill", m, links))


def _ranked_markdown(title: str, lead: str, headers: list[str], rows: list[list], m: dict) -> str:
    return (f"# {title}\n\n{lead}\n\n{_md_table(headers, rows)}\n"
            f"data_as_of: {m['data_as_of']} · window_days: {m.get('window_days', m.get('period_days'))}\n")


def top_skills_markdown(m: dict) -> str:
    return _ranked_markdown(
        f"Top skills in job postings — {m['window_days']} days ending {m['data_as_of']}",
        f"{_n(m['postings'], 'canonical job posting')} in the window.",
        ["#", "Skill", "Postings", "Share of postings"],
        [[i, *row] for i, row in enumerate(_skill_rows(m["skills"], m["postings"]), 1)], m)


def _entity_title(kind: str, m: dict) -> str:
    return f"{_subject(kind, m)} jobs in {_year(m)} — demand, top skills, and where they hire"


def _entity_lead(kind: str, m: dict) -> str:
    return (f"As of {m['data_as_of']}, {_n(m['postings'], 'job posting')} {_where(kind, m)} over the past "
            f"{m['window_days']} days, {demand_phrase(m)}.")


def _entity_tables(kind: str, m: dict) -> list[tuple[str, str, list[str], list[list], set[int]]]:
    """``[(section id, heading, headers, rows, numeric columns)]`` of a metro, role or
    occupation page, after its weekly chart."""
    where = _where(kind, m)
    out = [("skills", f"Top skills {where}", ["Skill", "Postings", "Share of postings"],
            _skill_rows(m["top_skills"], m["postings"]), {1, 2})]
    if "top_metros" in m:
        out.append(("metros", f"Top metros hiring {where}", ["Name", "Postings", "Share"], _metro_rows(m), {1, 2}))
    if "top_roles" in m:
        out.append(("roles", f"Top roles {where}", ["Role", "Postings"], _count_rows(m["top_roles"]), {1}))
    if m.get("top_occupations"):
        out.append(("occupations", f"Occupations (SOC 2018) {where}", ["Occupation", "SOC", "Postings"],
                    _occupation_rows(m["top_occupations"]), {2}))
    return out


def _entity_markdown(kind: str, m: dict, links: Links | None = None) -> str:
    links = links or Links()
    top = (_label(m["top_metros"][0]) if kind != "metro" and m.get("top_metros")
           else (m["top_skills"][0]["name"] if m["top_skills"] else "—"))
    out = [f"# {_entity_title(kind, m)}\n", _entity_lead(kind, m) + "\n",
           f"Last updated · {m['window_days']}d ending {m['data_as_of']}{_open_line(m)}\n",
           _md_table([f"Postings · last {m['window_days']} days", "Demand vs prior month",
                      "Top skill" if kind == "metro" else "Top hiring metro"],
                     [[f"{m['postings']:,}", demand_phrase(m), top]]),
           _md_digest(kind, m),
           f"## Frequently asked questions about jobs {_where(kind, m)}\n"]
    out += [f"**{q}**\n\n{a}\n" for q, a in _entity_faq(kind, m, links)]
    out += [f"## Weekly job postings {_where(kind, m)} — last {m['window_days']} days\n",
            f"`{_sparkline(m['weekly'])}`\n"]
    for _, heading, headers, rows, _ in _entity_tables(kind, m):
        out += [f"## {heading}\n", _md_table(headers, rows)]
    return "\n".join(out + _market_md(kind, m) + _md_tail(kind, m, links))


def _occupation_rows(items: list[dict]) -> list[list]:
    return [[x["title"], x["code"], x["postings"]] for x in items]


def _occupations_lead(m: dict) -> str:
    return (f"{_n(m['postings'], 'canonical job posting')} in the {m['window_days']} days ending "
            f"{m['data_as_of']}; {m['classified']:,} coded to a SOC 2018 occupation.")


def _occupations_tables(m: dict) -> tuple[list[str], list[list], list[str], list[list], list[list]]:
    rows = [[i, x["title"], x["code"], x["family"] or "", x["postings"], _share(x["postings"], m["postings"])]
            for i, x in enumerate(m["occupations"], 1)]
    majors = [[x["title"], x["code"], x["postings"], _share(x["postings"], m["postings"])] for x in m["majors"]]
    unclassified = [[x["reason"], x["postings"]] for x in m["unclassified"]]
    return (["#", "Occupation", "SOC", "Role family", "Postings", "Share"], rows,
            ["Major group", "SOC", "Postings", "Share"], majors, unclassified)


def occupations_markdown(m: dict) -> str:
    h1, rows, h2, majors, unclassified = _occupations_tables(m)
    out = (f"# Occupations in job postings — {m['window_days']} days ending {m['data_as_of']}\n\n"
           f"{_occupations_lead(m)}\n\n{_md_table(h1, rows)}\n## By major group\n\n{_md_table(h2, majors)}")
    if unclassified:
        out += "\n## Unclassified\n\n" + _md_table(["Reason", "Postings"], unclassified)
    return out + f"\ndata_as_of: {m['data_as_of']} · window_days: {m['window_days']}\n"


def occupations_html(m: dict, links: Links | None = None) -> str:
    title = f"Occupations in job postings — {m['window_days']} days ending {m['data_as_of']}"
    if links is not None:
        m = {**m, "occupations": [{**x, "title": _link(x["title"], links.page("occupation", x))}
                                  for x in m["occupations"]]}
    h1, rows, h2, majors, unclassified = _occupations_tables(m)
    body = (f"{_nav(links, 'Occupations')}<h1>{_e(title)}</h1><p class=\"lead\">{_e(_occupations_lead(m))}</p>"
            + _html_table(h1, rows, {0, 4, 5}) + "<h2>By major group</h2>" + _html_table(h2, majors, {2, 3}))
    if unclassified:
        body += "<h2>Unclassified</h2>" + _html_table(["Reason", "Postings"], unclassified, {1})
    body += f"<p class=\"muted\">data_as_of {_e(m['data_as_of'])} · window_days {m['window_days']}</p>"
    return _page(title, body)


def _trend_rows(items: list[dict]) -> list[list]:
    return [[x["name"], x["prior"], x["postings"], f"{x['change']:+.1f}%"] for x in items]


def trends_markdown(m: dict) -> str:
    headers = ["Skill", "Prior 4 weeks", "Last 4 weeks", "Change"]
    return (f"# Rising and falling skills — 4 weeks ending {m['data_as_of']}\n\n"
            f"Canonical postings in the last 28 days ({m['postings']:,}) against the 28 before "
            f"({m['postings_prior']:,}); skills with at least {m['min_postings']} postings over both.\n\n"
            f"## Rising\n\n{_md_table(headers, _trend_rows(m['rising']))}\n"
            f"## Falling\n\n{_md_table(headers, _trend_rows(m['falling']))}\n"
            f"data_as_of: {m['data_as_of']} · period_days: {m['period_days']}\n")


# -- HTML ----------------------------------------------------------------------------------

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;background:#fff;margin:0}
main{max-width:860px;margin:0 auto;padding:24px}
h1{font-size:1.7rem;line-height:1.25;margin:.2em 0 .4em}h2{font-size:1.25rem;margin:1.8em 0 .5em}
.lead{font-size:1.1rem}.muted{color:#5b6475;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{flex:1 1 200px;border:1px solid #d9dee8;border-radius:8px;padding:12px 16px}
.card .label{color:#5b6475;font-size:.85rem}.card .value{font-size:1.5rem;font-weight:600}
.down{color:#b42318}.up{color:#067647}
a.button{display:inline-block;background:#3559e0;color:#fff;padding:6px 14px;border-radius:6px;text-decoration:none}
ul.related{columns:2;padding-left:1.2em}#recruiters{border:1px solid #d9dee8;border-radius:8px;padding:4px 16px;margin-top:24px}
details{border-bottom:1px solid #e6e9f0;padding:8px 0}summary{font-weight:600;cursor:pointer}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e6e9f0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:0}svg{max-width:100%;height:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{color:#5b6475}
dd{margin:0;font-family:ui-monospace,monospace}
"""


class _Html(str):
    """Markup already escaped (a link in a table cell)."""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str, head: str = "") -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)} — Skillenai</title>\n{head}<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")


def json_ld(data: dict) -> str:
    """A ``<script type="application/ld+json">`` block; ``</`` is escaped so no text can end it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def _head(kind: str, m: dict, links: Links, title: str, faq: list[tuple[str, str]]) -> str:
    """What search engines and link previews read: description, canonical address, the
    feed, Open Graph tags and the questions as FAQPage JSON-LD."""
    description = _description(kind, m)
    canonical = links.canonical(kind, m)
    feed = links.feed(kind, m)
    out = f'<meta name="description" content="{_e(description)}">\n'
    if canonical:
        out += f'<link rel="canonical" href="{_e(canonical)}">\n'
    if feed:
        out += f'<link rel="alternate" type="application/atom+xml" title="{_e(title)}" href="{_e(feed)}">\n'
    og = {"og:type": "website", "og:site_name": "Skillenai", "og:title": title, "og:description": description,
          "og:url": canonical}
    out += "".join(f'<meta property="{k}" content="{_e(v)}">\n' for k, v in og.items() if v)
    out += '<meta name="twitter:card" content="summary">\n'
    return out + json_ld({"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a in faq]})


def _html_table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), caption: str = "") -> str:
    if not rows:
        return '<p class="muted">None in this window.</p>'
    cap = f'<caption class="muted">{_e(caption)}</caption>' if caption else ""

    def cell(tag: str, i: int, value) -> str:
        text = value if isinstance(value, _Html) else _e(value)
        return f'<{tag} class="num">{text}</{tag}>' if i in numeric else f"<{tag}>{text}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _short_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.strftime('%b')} {day.day}"


def weekly_svg(weekly: list[dict], label: str, width: int = 720, height: int = 240) -> str:
    """An SVG bar chart of ``weekly`` (``[{week_start, postings, days}]``): one ``<rect
    class="bar">`` per week, partial weeks lighter, each with a ``<title>`` tooltip. Colours
    are attributes, so the chart also stands alone, outside the page."""
    left, right, top, bottom = 44, 8, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((w["postings"] for w in weekly), default=0)
    scale_top = max(peak, 1)
    n = max(len(weekly), 1)
    slot = plot_w / n
    bar_w = max(slot * 0.78, 1.0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{_e(label)}">']
    for value in sorted({0, scale_top // 2, scale_top} if scale_top > 1 else {0, scale_top}):
        y = top + plot_h - value / scale_top * plot_h
        parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#c4cad6"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#5b6475">{value:,}</text>')
    every = 1 if n <= 14 else 2
    for i, w in enumerate(weekly):
        h = w["postings"] / scale_top * plot_h
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        partial = w.get("days", 7) < 7
        tip = f"Week of {w['week_start']}: {_n(w['postings'], 'posting')}"
        if partial:
            tip += f" ({w['days']} of its 7 days in the window)"
        parts.append(f'<rect class="bar{" partial" if partial else ""}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                     f'height="{h:.1f}" fill="{PARTIAL_COLOUR if partial else BAR_COLOUR}" '
                     f'data-week="{w["week_start"]}" data-postings="{w["postings"]}"><title>{_e(tip)}</title></rect>')
        if i % every == 0:
            parts.append(f'<text class="tick" x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                         f'font-size="11" fill="#5b6475">{_e(_short_date(w["week_start"]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _faq_html(faq: list[tuple[str, str]]) -> str:
    return "".join(f"<details open><summary>{_e(q)}</summary><p>{_e(a)}</p></details>" for q, a in faq)


def _weekly_html(m: dict, heading: str, chart_label: str) -> str:
    partial = [w for w in m["weekly"] if w.get("days", 7) < 7]
    note = (f'<p class="muted">Weeks start on Monday; lighter bars are weeks only partly inside the window '
            f'({", ".join(w["week_start"] for w in partial)}).</p>' if partial else
            '<p class="muted">Weeks start on Monday.</p>')
    numbers = _html_table(["Week starting", "Postings", "Days in window"],
                          [[w["week_start"], w["postings"], w["days"]] for w in m["weekly"]], {1, 2})
    return (f'<section id="weekly">\n<h2>{_e(heading)}</h2>\n<figure>{weekly_svg(m["weekly"], chart_label)}'
            f'<figcaption class="muted">{_e(chart_label)}.</figcaption></figure>\n{note}\n'
            f"<details><summary>The numbers</summary>{numbers}</details>\n</section>")


def _link(name: str, href: str | None) -> str:
    return _Html(f'<a href="{_e(href)}">{_e(name)}</a>') if href else _e(name)


def _nav(links: Links | None, where: str) -> str:
    if links is None:
        return ""
    return f'<nav class="muted"><a href="{_e(links.href(""))}">Skillenai</a> › {_e(where)}</nav>'


def _linked(kind: str, items: list[dict], links: Links | None) -> list[dict]:
    """List items with their names as links to their pages (when the site has them)."""
    if links is None:
        return items
    return [{**x, "name": _link(x["name"], links.page(kind, x))} for x in items]


def _seed_html(kind: str, m: dict, links: Links, *, title: str, lead: str, cards: list[tuple[str, str, str]],
               faq: list[tuple[str, str]], weekly: str, sections: str) -> str:
    """A page in the seed's order: header and figures, the digest, the questions, the
    weekly chart, the page's tables (``sections``), the API, related pages, how it was
    computed (with the refresh cadence), the recruiters' line and the byline."""
    change = m.get("change_vs_prior_4_weeks")
    trend_class = "" if change is None or round(change) == 0 else ("up" if change > 0 else "down")
    card_html = "".join(
        f'<div class="card"><div class="label">{_e(label)}</div><div class="value{" " + trend_class if key == "demand" and trend_class else ""}" '
        f'id="{key}">{_e(value)}</div></div>' for label, value, key in cards)
    digest_heading, digest_text = _digest(kind, m)
    feed, json_url = links.feed(kind, m), links.json(kind, m)
    subscribe = (f'<p><a class="button" href="{_e(feed)}">Subscribe to the {_e(_subject(kind, m))} feed</a></p>'
                 if feed else "")
    api_heading, api_text = _api(kind, m, links)
    api_links = " · ".join(_link(t, h) for t, h in (("Atom feed", feed), ("JSON", json_url)) if h)
    related = "".join(f"<h3>{_e(heading)}</h3><ul class=\"related\">" +
                      "".join(f"<li>{_link(n, h)}</li>" for n, h in items) + "</ul>"
                      for heading, items in _related(kind, m, links))
    related += ('<p class="muted">' + " · ".join(_link(t, links.href(p)) for t, p in (
        ("Top skills", "top-skills/index.html"), ("Rising and falling skills", "trends/index.html"),
        ("All pages", ""))) + "</p>")
    body = f"""
{_nav(links, SECTIONS[kind].capitalize())}
<header>
<h1>{_e(title)}</h1>
<p class="lead">{_e(lead)}</p>
<p class="muted">Last updated · {m['window_days']}d ending {_e(m['data_as_of'])}{_open_line(m)}</p>
</header>
<section class="cards" aria-label="Key figures">{card_html}</section>
<section id="digest">
<h2>{_e(digest_heading)}</h2>
<p>{_e(digest_text)}</p>
{subscribe}
</section>
<section id="faq">
<h2>Frequently asked questions about {_e(_subject(kind, m) if kind == "skill" else "jobs " + _where(kind, m))}</h2>
{_faq_html(faq)}
</section>
{weekly}
{sections}
<section id="api">
<h2>{_e(api_heading)}</h2>
<p>{_e(api_text)}</p>
<p>{api_links}</p>
</section>
<section id="related">
<h2>Explore related pages</h2>
{related}
</section>
<section id="computed">
<h2>How this was computed</h2>
<p>{_e(_computed(m))}</p>
<p id="cadence">{_e(CADENCE)}</p>
<dl>
<dt>source</dt><dd>{_e(SOURCE)}</dd>
<dt>entity_id</dt><dd>{_e(m['entity_id'])}</dd>
<dt>data_as_of</dt><dd>{_e(m['data_as_of'])}</dd>
<dt>window_days</dt><dd>{m['window_days']}</dd>
</dl>
</section>
<aside id="recruiters">
<h2>{_e(_recruiters_heading(kind, m))}</h2>
<p>{_e(RECRUITERS)}</p>
<p><a href="{_e(links.href('') + '#recruiters')}">Skillenai for recruiters →</a></p>
</aside>
<footer><p class="muted" id="byline">{_e(BYLINE)}</p></footer>"""
    return _page(title, body, _head(kind, m, links, title, faq))


def _section(section_id: str, heading: str, content: str) -> str:
    return f'<section id="{section_id}">\n<h2>{_e(heading)}</h2>\n{content}\n</section>\n'


def skill_html(m: dict, links: Links | None = None) -> str:
    links = links or Links()
    name, as_of, days = m["name"], m["data_as_of"], m["window_days"]
    top_metro = _label(m["top_metros"][0]) if m["top_metros"] else "—"
    chart_label = f"Weekly job postings requiring {name}, {days} days ending {as_of}"
    articles, papers = (("<ul>" + "".join(
        f'<li><a href="{_e(a["url"])}">{_e(a["title"] or a["url"])}</a> <span class="muted">{_e(a["date"])}</span></li>'
        for a in m[key]) + "</ul>") if m.get(key) else '<p class="muted">None in this window.</p>'
        for key in ("articles", "papers"))
    counts = {key: f" ({m[key]:,} in the window)" if m.get(key) else "" for key in ("article_count", "paper_count")}
    sections = (
        _section("metros", f"Top metros hiring for {name}", _html_table(['Name', 'Postings', 'Share'], _metro_rows(m), {1, 2}))
        + _section("paired", f"Skills commonly paired with {name}",
                   _html_table(['Name', 'Postings'], _count_rows(m['paired_skills']), {1}))
        + _section("roles", f"Top roles hiring for {name}", _html_table(['Role', 'Postings'], _count_rows(m['top_roles']), {1}))
        + _section("articles", f"Recent articles mentioning {name}{counts['article_count']}", articles)
        + _section("papers", f"Recent research papers mentioning {name}{counts['paper_count']}", papers)
        + _market_html("skill", m))
    return _seed_html(
        "skill", m, links, title=skill_title(m),
        lead=f"As of {as_of}, {name} appears in {_n(m['postings'], 'job posting')} indexed by Skillenai over the past {days} days.",
        cards=[(f"Postings · last {days} days", f"{m['postings']:,}", "postings"),
               ("Demand vs prior month", demand_phrase(m), "demand"), ("Top hiring metro", top_metro, "top-metro")],
        faq=_faq(m, links), weekly=_weekly_html(m, f"Weekly job postings requiring {name} — last {days} days", chart_label),
        sections=sections)


def top_skills_html(m: dict, links: Links | None = None) -> str:
    title = f"Top skills in job postings — {m['window_days']} days ending {m['data_as_of']}"
    body = (f"{_nav(links, 'Top skills')}<h1>{_e(title)}</h1><p class=\"lead\">"
            f"{_e(_n(m['postings'], 'canonical job posting'))} in the window.</p>"
            + _html_table(["#", "Skill", "Postings", "Share of postings"],
                          [[i, *row] for i, row in enumerate(_skill_rows(_linked("skill", m["skills"], links),
                                                                         m["postings"]), 1)],
                          {0, 2, 3})
            + f"<p class=\"muted\">data_as_of {_e(m['data_as_of'])} · window_days {m['window_days']}</p>")
    return _page(title, body)


def _entity_html(kind: str, m: dict, links: Links | None = None) -> str:
    links = links or Links()
    where, days = _where(kind, m), m["window_days"]
    if kind == "metro":
        top = ("Top skill", m["top_skills"][0]["name"] if m["top_skills"] else "—", "top-skill")
    else:
        top = ("Top hiring metro", _label(m["top_metros"][0]) if m.get("top_metros") else "—", "top-metro")
    chart_label = f"Weekly job postings {where}, {days} days ending {m['data_as_of']}"
    sections = "".join(_section(sid, heading, _html_table(headers, rows, numeric))
                       for sid, heading, headers, rows, numeric in _entity_tables(kind, m)) + _market_html(kind, m)
    return _seed_html(
        kind, m, links, title=_entity_title(kind, m), lead=_entity_lead(kind, m),
        cards=[(f"Postings · last {days} days", f"{m['postings']:,}", "postings"),
               ("Demand vs prior month", demand_phrase(m), "demand"), top],
        faq=_entity_faq(kind, m, links), weekly=_weekly_html(m, f"Weekly job postings {where} — last {days} days",
                                                             chart_label),
        sections=sections)


def trends_html(m: dict, links: Links | None = None) -> str:
    title = f"Rising and falling skills — 4 weeks ending {m['data_as_of']}"
    headers = ["Skill", "Prior 4 weeks", "Last 4 weeks", "Change"]
    m = {**m, "rising": _linked("skill", m["rising"], links), "falling": _linked("skill", m["falling"], links)}
    body = (f"{_nav(links, 'Trends')}<h1>{_e(title)}</h1><p class=\"lead\">Canonical postings in the last 28 days ({m['postings']:,}) "
            f"against the 28 before ({m['postings_prior']:,}); skills with at least {m['min_postings']} postings "
            f"over both.</p><h2>Rising</h2>{_html_table(headers, _trend_rows(m['rising']), {1, 2, 3})}"
            f"<h2>Falling</h2>{_html_table(headers, _trend_rows(m['falling']), {1, 2, 3})}"
            f"<p class=\"muted\">data_as_of {_e(m['data_as_of'])} · period_days {m['period_days']}</p>")
    return _page(title, body)


def index_html(entities: dict[str, list[dict]], links: Links, *, as_of: str, window: int) -> str:
    """The site's front page: the lists, then every page by kind with its postings, the
    API and the recruiters' section. ``entities``: ``{kind: [{id, name, postings}]}``."""
    title = f"Skillenai job-market pages — {window} days ending {as_of}"
    counts = ", ".join(f"{len(items):,} {SECTIONS[kind]}" for kind, items in entities.items())
    body = [f"<h1>{_e(title)}</h1>",
            f'<p class="lead">Demand, skills, places and roles in the job postings Skillenai indexes: {_e(counts)}.</p>',
            "<ul>" + "".join(f"<li>{_link(t, links.href(p))}</li>" for t, p in (
                ("Top skills", "top-skills/index.html"), ("Rising and falling skills", "trends/index.html"),
                ("Occupations (SOC 2018)", "occupations/index.html"))) + "</ul>"]
    for kind, items in entities.items():
        rows = [[_link(x["name"], links.page(kind, x)), x["postings"]] for x in items]
        body.append(_section(SECTIONS[kind], f"{SECTIONS[kind].capitalize()} ({len(items):,})",
                             _html_table(["Name", f"Postings, {window} days"], rows, {1})))
    body.append(_section("api", "The API", _e(
        "Every page has its figures as JSON beside it (skills/NAME.json, metros/NAME.json, roles/NAME.json, "
        "occupations/NAME.json: the documents skillenai metrics prints with --format json) and an Atom feed of "
        "its new postings and articles (…/feed.xml). skillenai serve answers the same documents at "
        "/skills/NAME.json, /metros/NAME.json and /occupations/CODE.json for any name or alias.")))
    body.append(f'<aside id="recruiters"><h2>Skillenai for recruiters</h2><p>{_e(RECRUITERS)}</p></aside>')
    body.append(f'<footer><p class="muted">{_e(BYLINE)} · {_e(CADENCE)} · '
                f'{_link("sitemap", links.href("sitemap.xml"))}</p></footer>')
    head = f'<link rel="canonical" href="{_e(links.absolute(""))}">\n'
    return _page(title, "\n".join(body), head)


# Pages of one entity take the site's links in both formats; the lists link in HTML only.
ENTITY_KINDS = ("skill", "metro", "role", "occupation")

_RENDERERS: dict[str, dict[str, Callable[..., str]]] = {
    "skill": {"md": skill_markdown, "html": skill_html},
    "top-skills": {"md": top_skills_markdown, "html": top_skills_html},
    **{kind: {"md": functools.partial(_entity_markdown, kind), "html": functools.partial(_entity_html, kind)}
       for kind in ("metro", "role", "occupation")},
    "occupations": {"md": occupations_markdown, "html": occupations_html},
    "trends": {"md": trends_markdown, "html": trends_html},
}
