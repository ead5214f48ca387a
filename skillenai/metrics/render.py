"""Render metrics (``skillenai.metrics.queries``) as JSON, Markdown or a self-contained HTML page.

The skill page follows the published Skillenai skill page: a title, the headline count,
three figures (postings, demand against the prior 4 weeks, top hiring metro), questions
and answers, the weekly series as an inline SVG chart, tables of metros with their share,
paired skills and roles, recent articles, and how it was computed. The HTML needs no
script, font or image from elsewhere: one file, readable as it is.

>>> render("skill", skill_metrics(db, "Python"), "html")     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Callable

FORMATS = ("json", "md", "html")
BAR_COLOUR = "#3559e0"
PARTIAL_COLOUR = "#9fb1f0"  # a week only partly inside the window
SOURCE = "Skillenai jobs index, deduplicated daily"

__all__ = ["FORMATS", "render", "demand_phrase", "weekly_svg", "skill_title"]


def render(kind: str, data: dict, fmt: str) -> str:
    """``data`` from :mod:`skillenai.metrics.queries` (``kind``: skill, top-skills, metro, role, occupations, trends)
    as ``fmt`` (json, md, html)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        renderer = _RENDERERS[kind][fmt]
    except KeyError:
        raise ValueError(f"no page for {kind!r} (known: {', '.join(_RENDERERS)})") from None
    return renderer(data)


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


def _faq(m: dict) -> list[tuple[str, str]]:
    name, as_of, days = m["name"], m["data_as_of"], m["window_days"]
    postings = m["postings"]
    if postings:
        demand = (f"Yes. {name} appears in {_n(postings, 'job posting')} indexed by Skillenai over the "
                  f"{days} days ending {as_of}, with demand {demand_phrase(m)}.")
    else:
        demand = (f"Not in the postings Skillenai indexes: {name} appears in no job posting over the "
                  f"{days} days ending {as_of}.")
    if m["paired_skills"]:
        paired = (f"Across job postings indexed by Skillenai ({days} days ending {as_of}), {name} most often "
                  f"appears alongside {_names(m['paired_skills'])}.")
    else:
        paired = f"No other skill appears with {name} in the job postings of the {days} days ending {as_of}."
    if m["top_metros"]:
        where = (f"As of {as_of}, the metro areas posting the most jobs requiring {name} are "
                 f"{'; '.join(_label(x) for x in m['top_metros'][:5])}, according to the Skillenai jobs index.")
    else:
        where = f"As of {as_of}, no job posting requiring {name} names a metro area (remote or unstated)."
    if m["top_roles"]:
        roles = (f"Over the {days} days ending {as_of}, postings requiring {name} are most often for "
                 f"{_names(m['top_roles'], 3)} roles.")
    else:
        roles = f"No role family stands out among postings requiring {name} over the {days} days ending {as_of}."
    return [
        (f"Is {name} in demand in {_year(m)}?", demand),
        (f"What skills are commonly paired with {name}?", paired),
        (f"Where is {name} most in demand?", where),
        (f"Which roles hire for {name}?", roles),
    ]


def _computed(m: dict) -> str:
    return (f"Counts derive from the Skillenai jobs index over the {m['window_days']} days ending "
            f"{m['data_as_of']}: canonical postings only (reposts and cross-posts of one job count once; one job offered in several "
            f"places counts once, and once in each of its metros), "
            f"dated by their posting date. Skills are resolved against the Skillenai canonical taxonomy, so "
            f"the same entity is counted whether a posting writes 'Python', 'Python 3', or 'python'. A metro's "
            f"share is its postings over the sum of the postings of every metro tagged on them; the change is "
            f"the last 28 days against the 28 before.")


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


def skill_markdown(m: dict) -> str:
    name, as_of, days = m["name"], m["data_as_of"], m["window_days"]
    top_metro = _label(m["top_metros"][0]) if m["top_metros"] else "—"
    out = [
        f"# {skill_title(m)}\n",
        f"As of {as_of}, {name} appears in {_n(m['postings'], 'job posting')} indexed by Skillenai over the "
        f"past {days} days.\n",
        f"Last updated · {days}d ending {as_of}{_open_line(m)}\n",
        _md_table(["Postings · last %d days" % days, "Demand vs prior month", "Top hiring metro"],
                  [[f"{m['postings']:,}", demand_phrase(m), top_metro]]),
        f"## Frequently asked questions about {name}\n",
    ]
    for question, answer in _faq(m):
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
        f"## Recent articles mentioning {name}\n",
    ]
    if m["articles"]:
        out.append("\n".join(f"- {a['date']} · [{_md_link_text(a['title'] or a['url'])}](<{a['url']}>)"
                             for a in m["articles"]) + "\n")
    else:
        out.append("_None in this window._\n")
    out += [
        "## How this was computed\n",
        _computed(m) + "\n",
        f"- source: {SOURCE}\n- entity_id: `{m['entity_id']}`\n- data_as_of: {as_of}\n- window_days: {days}\n",
    ]
    return "\n".join(out)


def _ranked_markdown(title: str, lead: str, headers: list[str], rows: list[list], m: dict) -> str:
    return (f"# {title}\n\n{lead}\n\n{_md_table(headers, rows)}\n"
            f"data_as_of: {m['data_as_of']} · window_days: {m.get('window_days', m.get('period_days'))}\n")


def top_skills_markdown(m: dict) -> str:
    return _ranked_markdown(
        f"Top skills in job postings — {m['window_days']} days ending {m['data_as_of']}",
        f"{_n(m['postings'], 'canonical job posting')} in the window.",
        ["#", "Skill", "Postings", "Share of postings"],
        [[i, *row] for i, row in enumerate(_skill_rows(m["skills"], m["postings"]), 1)], m)


def _entity_markdown(m: dict, what: str) -> str:
    lead = (f"As of {m['data_as_of']}, {_n(m['postings'], 'job posting')} {what} over the past "
            f"{m['window_days']} days, {demand_phrase(m)}.")
    body = _md_table(["Skill", "Postings", "Share of postings"],
                     _skill_rows(m["top_skills"], m["postings"]))
    extra = ""
    if "top_metros" in m:
        extra += "\n## Top metros\n\n" + _md_table(["Name", "Postings", "Share"],
                                                   _metro_rows(m))
    if "top_roles" in m:
        extra += "\n## Top roles\n\n" + _md_table(["Role", "Postings"], _count_rows(m["top_roles"]))
    if m.get("top_occupations"):
        extra += "\n## Occupations (SOC 2018)\n\n" + _md_table(["Occupation", "SOC", "Postings"],
                                                                _occupation_rows(m["top_occupations"]))
    return (f"# {_label(m)} — skills in demand, {m['window_days']} days ending {m['data_as_of']}\n\n{lead}\n\n"
            f"## Top skills\n\n{body}{extra}\nentity_id: `{m['entity_id']}` · data_as_of: {m['data_as_of']} · "
            f"window_days: {m['window_days']}\n")


def metro_markdown(m: dict) -> str:
    return _entity_markdown(m, f"in {_label(m)}")


def role_markdown(m: dict) -> str:
    return _entity_markdown(m, f"for {m['name']} roles")


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


def occupations_html(m: dict) -> str:
    title = f"Occupations in job postings — {m['window_days']} days ending {m['data_as_of']}"
    h1, rows, h2, majors, unclassified = _occupations_tables(m)
    body = (f"<h1>{_e(title)}</h1><p class=\"lead\">{_e(_occupations_lead(m))}</p>"
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
details{border-bottom:1px solid #e6e9f0;padding:8px 0}summary{font-weight:600;cursor:pointer}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e6e9f0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:0}svg{max-width:100%;height:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{color:#5b6475}
dd{margin:0;font-family:ui-monospace,monospace}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)} — Skillenai</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")


def _html_table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), caption: str = "") -> str:
    if not rows:
        return '<p class="muted">None in this window.</p>'
    cap = f'<caption class="muted">{_e(caption)}</caption>' if caption else ""

    def cell(tag: str, i: int, value) -> str:
        return f'<{tag} class="num">{_e(value)}</{tag}>' if i in numeric else f"<{tag}>{_e(value)}</{tag}>"

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


def skill_html(m: dict) -> str:
    name, as_of, days = m["name"], m["data_as_of"], m["window_days"]
    change = m.get("change_vs_prior_4_weeks")
    trend_class = "" if change is None or round(change) == 0 else ("up" if change > 0 else "down")
    top_metro = _label(m["top_metros"][0]) if m["top_metros"] else "—"
    faq = "".join(f"<details open><summary>{_e(q)}</summary><p>{_e(a)}</p></details>" for q, a in _faq(m))
    chart_label = f"Weekly job postings requiring {name}, {days} days ending {as_of}"
    partial = [w for w in m["weekly"] if w.get("days", 7) < 7]
    note = (f'<p class="muted">Weeks start on Monday; lighter bars are weeks only partly inside the window '
            f'({", ".join(w["week_start"] for w in partial)}).</p>' if partial else
            '<p class="muted">Weeks start on Monday.</p>')
    numbers = _html_table(["Week starting", "Postings", "Days in window"],
                          [[w["week_start"], w["postings"], w["days"]] for w in m["weekly"]], {1, 2})
    articles = ("<ul>" + "".join(
        f'<li><a href="{_e(a["url"])}">{_e(a["title"] or a["url"])}</a> <span class="muted">{_e(a["date"])}</span></li>'
        for a in m["articles"]) + "</ul>") if m["articles"] else '<p class="muted">None in this window.</p>'
    body = f"""
<header>
<h1>{_e(skill_title(m))}</h1>
<p class="lead">As of {_e(as_of)}, {_e(name)} appears in {_e(_n(m['postings'], 'job posting'))} indexed by Skillenai over the past {days} days.</p>
<p class="muted">Last updated · {days}d ending {_e(as_of)}{_open_line(m)}</p>
</header>
<section class="cards" aria-label="Key figures">
<div class="card"><div class="label">Postings · last {days} days</div><div class="value" id="postings">{m['postings']:,}</div></div>
<div class="card"><div class="label">Demand vs prior month</div><div class="value {trend_class}" id="demand">{_e(demand_phrase(m))}</div></div>
<div class="card"><div class="label">Top hiring metro</div><div class="value" id="top-metro">{_e(top_metro)}</div></div>
</section>
<section id="faq">
<h2>Frequently asked questions about {_e(name)}</h2>
{faq}
</section>
<section id="weekly">
<h2>Weekly job postings requiring {_e(name)} — last {days} days</h2>
<figure>{weekly_svg(m['weekly'], chart_label)}<figcaption class="muted">{_e(chart_label)}.</figcaption></figure>
{note}
<details><summary>The numbers</summary>{numbers}</details>
</section>
<section id="metros">
<h2>Top metros hiring for {_e(name)}</h2>
{_html_table(['Name', 'Postings', 'Share'], _metro_rows(m), {1, 2})}
</section>
<section id="paired">
<h2>Skills commonly paired with {_e(name)}</h2>
{_html_table(['Name', 'Postings'], _count_rows(m['paired_skills']), {1})}
</section>
<section id="roles">
<h2>Top roles hiring for {_e(name)}</h2>
{_html_table(['Role', 'Postings'], _count_rows(m['top_roles']), {1})}
</section>
<section id="articles">
<h2>Recent articles mentioning {_e(name)}</h2>
{articles}
</section>
<section id="computed">
<h2>How this was computed</h2>
<p>{_e(_computed(m))}</p>
<dl>
<dt>source</dt><dd>{_e(SOURCE)}</dd>
<dt>entity_id</dt><dd>{_e(m['entity_id'])}</dd>
<dt>data_as_of</dt><dd>{_e(as_of)}</dd>
<dt>window_days</dt><dd>{days}</dd>
</dl>
</section>"""
    return _page(skill_title(m), body)


def top_skills_html(m: dict) -> str:
    title = f"Top skills in job postings — {m['window_days']} days ending {m['data_as_of']}"
    body = (f"<h1>{_e(title)}</h1><p class=\"lead\">{_e(_n(m['postings'], 'canonical job posting'))} in the window.</p>"
            + _html_table(["#", "Skill", "Postings", "Share of postings"],
                          [[i, *row] for i, row in enumerate(_skill_rows(m["skills"], m["postings"]), 1)],
                          {0, 2, 3})
            + f"<p class=\"muted\">data_as_of {_e(m['data_as_of'])} · window_days {m['window_days']}</p>")
    return _page(title, body)


def _entity_html(m: dict, what: str) -> str:
    title = f"{_label(m)} — skills in demand, {m['window_days']} days ending {m['data_as_of']}"
    lead = (f"As of {m['data_as_of']}, {_n(m['postings'], 'job posting')} {what} over the past "
            f"{m['window_days']} days, {demand_phrase(m)}.")
    body = (f"<h1>{_e(title)}</h1><p class=\"lead\">{_e(lead)}</p>"
            f"<h2>Weekly postings</h2>{weekly_svg(m['weekly'], 'Weekly postings ' + what)}"
            "<h2>Top skills</h2>" + _html_table(["Skill", "Postings", "Share of postings"],
                                                _skill_rows(m["top_skills"], m["postings"]),
                                                {1, 2}))
    if "top_metros" in m:
        body += "<h2>Top metros</h2>" + _html_table(
            ["Name", "Postings", "Share"], _metro_rows(m), {1, 2})
    if "top_roles" in m:
        body += "<h2>Top roles</h2>" + _html_table(["Role", "Postings"], _count_rows(m["top_roles"]), {1})
    if m.get("top_occupations"):
        body += "<h2>Occupations (SOC 2018)</h2>" + _html_table(
            ["Occupation", "SOC", "Postings"], _occupation_rows(m["top_occupations"]), {2})
    body += (f"<p class=\"muted\">entity_id {_e(m['entity_id'])} · data_as_of {_e(m['data_as_of'])} · "
             f"window_days {m['window_days']}</p>")
    return _page(title, body)


def metro_html(m: dict) -> str:
    return _entity_html(m, f"in {_label(m)}")


def role_html(m: dict) -> str:
    return _entity_html(m, f"for {m['name']} roles")


def trends_html(m: dict) -> str:
    title = f"Rising and falling skills — 4 weeks ending {m['data_as_of']}"
    headers = ["Skill", "Prior 4 weeks", "Last 4 weeks", "Change"]
    body = (f"<h1>{_e(title)}</h1><p class=\"lead\">Canonical postings in the last 28 days ({m['postings']:,}) "
            f"against the 28 before ({m['postings_prior']:,}); skills with at least {m['min_postings']} postings "
            f"over both.</p><h2>Rising</h2>{_html_table(headers, _trend_rows(m['rising']), {1, 2, 3})}"
            f"<h2>Falling</h2>{_html_table(headers, _trend_rows(m['falling']), {1, 2, 3})}"
            f"<p class=\"muted\">data_as_of {_e(m['data_as_of'])} · period_days {m['period_days']}</p>")
    return _page(title, body)


_RENDERERS: dict[str, dict[str, Callable[[dict], str]]] = {
    "skill": {"md": skill_markdown, "html": skill_html},
    "top-skills": {"md": top_skills_markdown, "html": top_skills_html},
    "metro": {"md": metro_markdown, "html": metro_html},
    "role": {"md": role_markdown, "html": role_html},
    "occupations": {"md": occupations_markdown, "html": occupations_html},
    "trends": {"md": trends_markdown, "html": trends_html},
}
