"""The ATS-hosted job pages (what ``absolute_url`` / ``hostedUrl`` / ``jobUrl`` point
at), rendered on request from the board records, so they cost no disk space."""

import html

esc = html.escape

_HEAD = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
         '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
         '<link rel="canonical" href="{url}"></head>\n<body class="{body}">\n')
_TAIL = "</body></html>\n"


def greenhouse_job(job: dict, token: str) -> str:
    content = html.unescape(job.get("content", ""))
    url = job["absolute_url"]
    return (_HEAD.format(title=esc(f"Job Application for {job['title']} at {job['company_name']}"), url=url, body="gh-job")
            + f'<div id="app_body"><div id="header"><span class="company-name">at {esc(job["company_name"])}</span>'
            f'<h1 class="app-title">{esc(job["title"])}</h1><div class="location">{esc(job["location"]["name"])}</div></div>'
            f'<div id="content">{content}</div>'
            f'<a class="button" href="{url}#app">Apply for this job</a>'
            f'<p><a href="http://greenhouse.sample.test/{token}">View all jobs at {esc(job["company_name"])}</a></p>'
            '<p class="powered-by">Powered by Greenhouse</p></div>' + _TAIL)


def greenhouse_board(jobs: list, token: str) -> str:
    name = jobs[0]["company_name"] if jobs else token
    items = "".join(f'<div class="opening"><a href="{j["absolute_url"]}">{esc(j["title"])}</a>'
                    f'<span class="location">{esc(j["location"]["name"])}</span></div>' for j in jobs)
    return (_HEAD.format(title=esc(f"Jobs at {name}"), url=f"http://greenhouse.sample.test/{token}", body="gh-board")
            + f"<h1>Current openings at {esc(name)}</h1><section class=\"level-0\">{items}</section>" + _TAIL)


def lever_posting(p: dict) -> str:
    lists = "".join(f'<div class="section"><h3>{esc(x["text"])}</h3><ul class="posting-requirements">{x["content"]}</ul></div>'
                    for x in p.get("lists", []))
    cats = p["categories"]
    return (_HEAD.format(title=esc(p["text"]), url=p["hostedUrl"], body="lever-posting")
            + f'<div class="posting-headline"><h2>{esc(p["text"])}</h2><div class="posting-categories">'
            f'<div class="location">{esc(cats.get("location") or "")}</div><div class="department">{esc(cats.get("team") or "")}</div>'
            f'<div class="commitment">{esc(cats.get("commitment") or "")}</div></div></div>'
            f'<div class="section page-centered">{p.get("description", "")}</div>{lists}'
            f'<div class="section page-centered">{p.get("additional", "")}</div>'
            f'<a class="postings-btn" href="{p["applyUrl"]}">Apply for this job</a>' + _TAIL)


def lever_apply(p: dict) -> str:
    return (_HEAD.format(title=esc(f"Apply: {p['text']}"), url=p["applyUrl"], body="lever-apply")
            + f'<h2>{esc(p["text"])}</h2><form method="post"><label>Full name <input name="name"></label>'
            '<label>Email <input name="email"></label><label>Resume <input type="file" name="resume"></label>'
            '<button>Submit application</button></form>' + _TAIL)


def lever_board(postings: list, site: str) -> str:
    items = "".join(f'<div class="posting"><a class="posting-title" href="{p["hostedUrl"]}"><h5>{esc(p["text"])}</h5></a>'
                    f'<span class="sort-by-location">{esc(p["categories"].get("location") or "")}</span></div>' for p in postings)
    return (_HEAD.format(title=esc(site), url=f"http://lever.sample.test/{site}", body="lever-board")
            + f'<div class="postings-wrapper">{items}</div>' + _TAIL)


def ashby_job(j: dict) -> str:
    return (_HEAD.format(title=esc(j["title"]), url=j["jobUrl"], body="ashby-job")
            + f'<div id="root"><h1>{esc(j["title"])}</h1><p class="location">{esc(j.get("location") or "")}</p>'
            f'<div class="description">{j.get("descriptionHtml", "")}</div>'
            f'<a href="{j["applyUrl"]}">Apply for this Job</a></div>' + _TAIL)


def ashby_application(j: dict) -> str:
    return (_HEAD.format(title=esc(f"Application: {j['title']}"), url=j["applyUrl"], body="ashby-apply")
            + f'<h1>{esc(j["title"])}</h1><form method="post"><input name="name"><input name="email">'
            '<button>Submit Application</button></form>' + _TAIL)


def ashby_board(jobs: list, board: str) -> str:
    items = "".join(f'<li><a href="{j["jobUrl"]}">{esc(j["title"])}</a> <span>{esc(j.get("location") or "")}</span></li>'
                    for j in jobs)
    return (_HEAD.format(title=esc(f"Jobs at {board}"), url=f"http://ashby.sample.test/{board}", body="ashby-board")
            + f"<h1>Open positions</h1><ul>{items}</ul>" + _TAIL)


def job_page(title: str, url: str, location: str, description_html: str, body: str) -> str:
    """A job page as the ATS hosts it: title, place, description (Workday, SmartRecruiters, Workable)."""
    return (_HEAD.format(title=esc(title), url=url, body=body)
            + f'<main><h1>{esc(title)}</h1><p class="location">{esc(location)}</p>'
            f'<div class="description">{description_html}</div></main>' + _TAIL)
