"""A company's career site: robots.txt, sitemaps, home and listing pages, posting pages
(with JSON-LD, @graph, microdata, no structured data, or a broken block) and a few
other pages (about, benefits, teams...)."""

import html
import json

from . import chrome, datafiles, feeds
from .companies import slugify
from .locations import display, render
from .rand import pick, rng
from .structured import address, graph, job_posting, ld_script, malformed, md_meta, md_places
from .text import render_html, render_plain

esc = html.escape
PAGE_SIZE = 20
SITEMAP_CHUNK = 500
EMPLOYMENT_LABEL = {"FULL_TIME": "Full-time", "PART_TIME": "Part-time", "CONTRACTOR": "Contract",
                    "INTERN": "Internship", "TEMPORARY": "Temporary"}
INFO_PAGES = [("about", "About us", 1.0), ("benefits", "Benefits", 1.0), ("teams", "Our teams", 0.7),
              ("locations", "Locations", 0.6), ("life", "Life at {company}", 0.4),
              ("students", "Students and graduates", 0.2)]


def posting_path(doc) -> str:
    path = doc.extra.get("path")
    if path is None:
        path = doc.extra["path"] = f"/jobs/{doc.doc_id}-{slugify(doc.title.text)[:60].strip('-')}/"
    return path


def site_style(company) -> dict:
    """How the career site's CMS renders a description: usually not as the ATS does."""
    r = rng(company.slug, "site-style")
    return {"h": pick(r, [("h2", 3), ("h3", 3), ("strong", 1)]), "list": pick(r, [("ul", 6), ("ul_p", 1)]),
            "spacer": False, "p": "p"}


def _when(doc) -> str:
    d = doc.posted
    return f'<time datetime="{d.date().isoformat()}">{d.strftime("%B")} {d.day}, {d.year}</time>'


class CareerSite:
    """Writes one company's career site through ``files`` (an ``output.SiteFiles``)."""

    def __init__(self, company, docs, files, seed, as_of, disallowed):
        self.c = company
        self.docs = sorted(docs, key=lambda d: (d.posted, str(d.doc_id)), reverse=True)
        self.files = files
        self.seed = seed
        self.as_of = as_of
        self.cls = chrome.classes(company)
        self.style = site_style(company)
        self.disallowed = disallowed
        self.year = as_of.year
        self._pieces = {}
        self.info = [(slug, title.replace("{company}", company.name)) for slug, title, p in INFO_PAGES
                     if rng(seed, "info", company.slug, slug).random() < p]
        for label, path in chrome.internal_links(company):
            disallowed.add((company.slug, path))

    @property
    def site(self):
        return self.c.slug

    def _chrome(self, key, make) -> str:
        """Page furniture is the same on every page of a site: build each piece once."""
        piece = self._pieces.get(key)
        if piece is None:
            piece = self._pieces[key] = make()
        return piece

    def write(self) -> list:
        """Write every file of the site; returns the "other" pages as truth rows."""
        c = self.c
        for doc in self.docs:
            self.files.write(self.site, posting_path(doc), self.posting_page(doc))
        pages = max(1, -(-len(self.docs) // PAGE_SIZE))
        for k in range(1, pages + 1):
            self.files.write(self.site, "/jobs/", self.listing_page(k, pages), page=k)
        self.files.write(self.site, "/", self.home_page())
        others = []
        for slug, title in self.info:
            path = f"/{slug}/"
            self.files.write(self.site, path, self.info_page(slug, title))
            others.append({"url": c.origin + path, "site": self.site, "title": title, "in_sitemap": c.sitemap})
        for label, path in chrome.internal_links(c):
            self.files.write(self.site, path, self.internal_page(label))
        self.files.write(self.site, "/robots.txt", self.robots())
        self.files.write(self.site, "/assets/site.css", chrome.site_css(c))
        self.files.write(self.site, "/assets/logo.svg", chrome.logo_svg(c))
        self.files.write(self.site, "/assets/app.js", chrome.APP_JS)
        if c.sitemap:
            self.write_sitemaps()
        return others

    # robots and sitemaps ---------------------------------------------------------------
    def robots(self) -> str:
        c = self.c
        lines = ["User-agent: *", "Disallow: /internal/"]
        if c.site["extra_robots"]:
            lines += ["Disallow: /*?sort=", "Disallow: /search"]
        lines.append("")
        if c.site["extra_robots"]:
            lines += ["User-agent: GPTBot", "Disallow: /", ""]
        if c.sitemap:
            lines.append(f"Sitemap: {c.origin}/sitemap_index.xml")
        return "\n".join(lines) + "\n"

    def write_sitemaps(self):
        c = self.c
        r = rng(self.seed, "sitemap", c.slug)
        entries = [(c.origin + posting_path(d), d.posted.date()) for d in self.docs]
        # Real sitemaps lag behind: a few list jobs that have been taken down (404).
        for i in range(len(entries) // 80):
            gone_id = 900000 + r.randint(0, 99999)
            entries.insert(r.randint(0, len(entries)), (f"{c.origin}/jobs/{gone_id}-position-filled/",
                                                        self.as_of.replace(day=1)))
        chunks = [entries[i:i + SITEMAP_CHUNK] for i in range(0, len(entries), SITEMAP_CHUNK)] or [[]]
        index = []
        for n, chunk in enumerate(chunks, 1):
            path = f"/sitemaps/jobs-{n}.xml"
            self.files.write(self.site, path, feeds.urlset(chunk, changefreq="daily"))
            newest = max((d for _, d in chunk), default=self.as_of)
            index.append((c.origin + path, newest))
        pages = [(c.origin + f"/{slug}/", self.as_of.replace(day=1)) for slug, _ in self.info]
        self.files.write(self.site, "/sitemaps/pages.xml", feeds.urlset(pages, changefreq="monthly"))
        index.append((c.origin + "/sitemaps/pages.xml", self.as_of.replace(day=1)))
        self.files.write(self.site, "/sitemap_index.xml", feeds.sitemap_index(index))

    # pages ------------------------------------------------------------------------------
    def _frame(self, title, url, description, main, head_extra="", body_extra="", nav_target="",
               skip_cities=()) -> str:
        c, cls = self.c, self.cls
        sk = c.site["skeleton"]
        cookie = self._chrome("cookie", lambda: chrome.cookie_banner(c, cls))
        top = cookie if sk == "portal" else ""
        bottom = "" if sk == "portal" else cookie
        header = self._chrome(("header", nav_target), lambda: chrome.header(c, cls, nav_target))
        footer = self._chrome(("footer", tuple(p.key for p in skip_cities)),
                              lambda: chrome.footer(c, cls, self.year, skip_cities))
        newsletter = self._chrome("newsletter", lambda: chrome.newsletter(c, cls))
        body = (f'{header}{top}<main id="main" class="{cls("main")}">\n{main}</main>\n'
                f'{newsletter}{footer}{bottom}{body_extra}')
        if sk == "spa":
            body = f'<div id="__next"><div class="{cls("layout")}">{body}</div></div>\n'
        elif sk == "portal":
            body = f'<div class="container"><div class="row">{body}</div></div>\n'
        return (chrome.head(c, title, url, description, head_extra)
                + f'<body class="{cls("body")}">\n<a class="skip-link" href="#main">Skip to content</a>\n'
                + body + chrome.tail(c))

    def posting_page(self, doc) -> str:
        c = self.c
        r = rng(self.seed, "page", c.slug, doc.doc_id)
        url = doc.url
        desc_html = render_html(doc.blocks, self.style)
        doc.extra["description_lines"] = render_plain(doc.blocks, self.style)
        located = [address(r, p, c) for p in doc.spec.cities]
        places_ld = [a for a, _ in located]
        visible_loc = doc.location_raw
        if doc.structured in ("jsonld", "graph", "microdata") and located:
            doc.location_raw = "; ".join(text for _, text in located)
            if doc.structured == "microdata":
                visible_loc = doc.location_raw
        crumbs = [("Home", c.origin + "/"), ("Jobs", c.origin + "/jobs/"), (doc.title.text, url)]
        head_extra, body_extra = "", ""
        scripts = []
        if doc.structured in ("jsonld", "graph", "broken"):
            jp = job_posting(r, doc, places_ld, desc_html, c.site)
            if doc.structured == "graph":
                scripts.append(ld_script(graph(doc, jp, crumbs), pretty=r.random() < 0.15))
            elif doc.structured == "jsonld":
                scripts.append(ld_script(jp, pretty=r.random() < 0.2))
            else:
                scripts.append(malformed(r, jp))
        if doc.malformed:
            extra = malformed(r, {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": i + 1, "name": n, "item": u} for i, (n, u) in enumerate(crumbs)]})
            scripts.insert(int(r.random() * (len(scripts) + 1)), extra)
        if c.site["skeleton"] == "spa":
            nd = {"props": {"pageProps": {"jobId": str(doc.doc_id), "slug": posting_path(doc).split("/")[2],
                                          "locale": "en"}, "__N_SSG": True},
                  "page": "/jobs/[slug]", "query": {"slug": posting_path(doc).split("/")[2]},
                  "buildId": c.site["hash"] + "Xk2", "isFallback": False}
            body_extra = ('<script id="__NEXT_DATA__" type="application/json">' + json.dumps(nd) + "</script>\n"
                          + "".join(s + "\n" for s in scripts))
        else:
            head_extra = "".join(s + "\n" for s in scripts)

        meta_desc = " ".join(doc.extra["description_lines"])[:155]
        title_tag = pick(r, [(f"{doc.title.text} - {c.name} Careers", 2), (f"{doc.title.text} | {c.name}", 2),
                             (f"Careers at {c.name} | {doc.title.text}", 1)])
        main = self._posting_main(r, doc, desc_html, visible_loc, crumbs, located)
        return self._frame(title_tag, url, meta_desc, main, head_extra, body_extra, "/jobs/",
                           skip_cities=doc.spec.cities)

    def _posting_main(self, r, doc, desc_html, visible_loc, crumbs, located) -> str:
        c, cls = self.c, self.cls
        ch = datafiles.load("chrome")
        title = esc(doc.title.text)
        dept = esc(datafiles.load("roles")[doc.job.family]["department"])
        etype = EMPLOYMENT_LABEL[doc.job.employment]
        crumb_html = "".join(
            f'<li><a href="{u}">{esc(n)}</a></li>' if i < 2 else f'<li aria-current="page">{esc(n)}</li>'
            for i, (n, u) in enumerate(crumbs))
        crumb_html = f'<nav class="{cls("breadcrumbs")}" aria-label="Breadcrumb"><ol>{crumb_html}</ol></nav>\n'
        microdata = doc.structured == "microdata"
        if microdata:
            loc_html = md_places([a for a, _ in located]) if located else esc(visible_loc)
        else:
            loc_html = esc(visible_loc)
        label = pick(r, [("Location:", 3), ("📍", 1), ("Where:", 1), ("Location", 2)])
        sk = c.site["skeleton"]
        if sk == "portal":
            meta = (f'<table class="table job-details"><tr><th>{label.rstrip(":")}</th><td class="job-location">{loc_html}</td></tr>'
                    f'<tr><th>Department</th><td>{dept}</td></tr><tr><th>Employment type</th><td>{etype}</td></tr>'
                    f'<tr><th>Job ID</th><td>{doc.doc_id}</td></tr><tr><th>Posted</th><td>{_when(doc)}</td></tr></table>')
        elif sk == "spa":
            meta = (f'<div class="{cls("badges")}"><span class="{cls("badge")} job-location">{label} {loc_html}</span>'
                    f'<span class="{cls("badge")}">{dept}</span><span class="{cls("badge")}">{etype}</span></div>'
                    f'<p class="{cls("posted")}">Posted {_when(doc)}</p>')
        else:
            meta = (f'<p class="{cls("job-location")}"><strong>{label}</strong> {loc_html}</p>'
                    f'<ul class="{cls("job-meta")}"><li>{dept}</li><li>{etype}</li><li>Posted {_when(doc)}</li></ul>')
        apply_label = ch["apply"][c.site["apply"]]
        back = ch["back"][c.site["back"]]
        body_attr = ' itemprop="description"' if microdata else ""
        article_attr = ' itemscope itemtype="https://schema.org/JobPosting"' if microdata else ""
        md = md_meta(r, doc, c.site) if microdata else ""
        related = self._related(r, doc)
        share = chrome.share(c, cls, doc.url, doc.title.text)
        apply_form = (f'<section id="apply" class="{cls("apply")}"><h2>{esc(apply_label)}</h2>'
                      f'<form action="/jobs/{doc.doc_id}/apply" method="post" enctype="multipart/form-data">'
                      '<label>First name <input name="first_name" required></label>'
                      '<label>Last name <input name="last_name" required></label>'
                      '<label>Email <input type="email" name="email" required></label>'
                      '<label>Resume/CV <input type="file" name="resume"></label>'
                      f'<button type="submit">{esc(apply_label)}</button></form></section>\n')
        title_attr = ' itemprop="title"' if microdata else ""
        main = (f'{crumb_html}<article class="{cls("job")}"{article_attr}>{md}\n'
                f'<header class="{cls("job-header")}"><h1 class="{cls("title")}"{title_attr}>{title}</h1>\n{meta}\n'
                f'<a class="{cls("button")}" href="#apply">{esc(apply_label)}</a></header>\n'
                f'<div class="{cls("body")}"{body_attr}>{desc_html}</div>\n{apply_form}</article>\n'
                f'<aside class="{cls("aside")}">{share}{related}<a href="/jobs/">{esc(back)}</a></aside>\n')
        return main

    def _related(self, r, doc) -> str:
        c, cls = self.c, self.cls
        others = [d for d in self.docs if d is not doc]
        if not others:
            return ""
        picks = r.sample(others, min(len(others), r.randint(3, 5)))
        head = datafiles.load("chrome")["related"][c.site["related"]].replace("{company}", c.name)
        lis = "".join(f'<li><a href="{posting_path(d)}">{esc(d.title.text)}</a> <span>{esc(display(d.spec.cities[0]) if d.spec.cities else "Remote")}</span></li>'
                      for d in picks)
        return f'<section class="{cls("related")}"><h2>{esc(head)}</h2><ul>{lis}</ul></section>\n'

    def listing_page(self, k: int, pages: int) -> str:
        c, cls = self.c, self.cls
        ch = datafiles.load("chrome")
        chunk = self.docs[(k - 1) * PAGE_SIZE: k * PAGE_SIZE]
        title = ch["listing_titles"][c.site["listing"]].replace("{company}", c.name)
        intro = ch["listing_intro"][c.site["listing_intro"]].replace("{company}", c.name)
        r = rng(self.seed, "listing", c.slug, k)
        cards = []
        for d in chunk:
            loc = esc(render(r, d.spec)) if r.random() < 0.3 else esc(d.extra.get("listing_loc", d.location_raw))
            dept = esc(datafiles.load("roles")[d.job.family]["department"])
            cards.append(f'<li class="{cls("job-card")}"><a href="{posting_path(d)}"><h3>{esc(d.title.text)}</h3></a>'
                         f'<span class="{cls("card-location")}">{loc}</span> · <span>{dept}</span></li>')
        nav = []
        if k > 1:
            prev = "/jobs/" if k == 2 and r.random() < 0.5 else f"/jobs/?page={k - 1}"
            nav.append(f'<a rel="prev" href="{prev}">← Previous</a>')
        for n in range(max(1, k - 2), min(pages, k + 2) + 1):
            href = "/jobs/" if n == 1 else f"/jobs/?page={n}"
            nav.append(f'<span aria-current="page">{n}</span>' if n == k else f'<a href="{href}">{n}</a>')
        if k < pages:
            nav.append(f'<a rel="next" href="/jobs/?page={k + 1}">Next →</a>')
        sort = ""
        if c.site["extra_robots"]:
            sort = (f'<div class="{cls("sort")}">Sort by: <a href="/jobs/?sort=newest">Newest</a> '
                    f'<a href="/jobs/?sort=title">Title</a></div>')
            self.disallowed.add((c.slug, "/jobs/?sort=newest"))
            self.disallowed.add((c.slug, "/jobs/?sort=title"))
        depts = sorted({datafiles.load("roles")[d.job.family]["department"] for d in self.docs})
        options = "".join(f"<option>{esc(x)}</option>" for x in depts)
        first, last = (k - 1) * PAGE_SIZE + 1, (k - 1) * PAGE_SIZE + len(chunk)
        main = (f'<h1 class="{cls("title")}">{esc(title)}</h1><p>{esc(intro)}</p>'
                f'<form class="{cls("filters")}" role="search"><label>Department <select name="department">'
                f'<option value="">All</option>{options}</select></label></form>{sort}'
                f'<p class="{cls("count")}">Showing {first}–{last} of {len(self.docs)} jobs</p>'
                f'<ul class="{cls("job-list")}">{"".join(cards)}</ul>'
                f'<nav class="{cls("pagination")}" aria-label="Pagination">{" ".join(nav)}</nav>\n')
        url = c.origin + ("/jobs/" if k == 1 else f"/jobs/?page={k}")
        return self._frame(f"{title} | {c.name}", url, intro, main, nav_target="/jobs/")

    def home_page(self) -> str:
        c, cls = self.c, self.cls
        ch = datafiles.load("chrome")
        cdata = datafiles.load("companies")
        tagline = cdata["taglines"][len(c.slug) % len(cdata["taglines"])]
        hero = ch["home_hero"][c.site["hero"]].replace("{tagline}", tagline).replace("{company}", c.name)
        text = ch["home_text"][c.site["home"]]
        featured = "".join(f'<li><a href="{posting_path(d)}">{esc(d.title.text)}</a></li>' for d in self.docs[:5])
        links = "".join(f'<li><a href="/{slug}/">{esc(title)}</a></li>' for slug, title in self.info)
        main = (f'<section class="{cls("hero")}"><h1>{esc(hero)}</h1><p>{esc(text)}</p>'
                f'<a class="{cls("button")}" href="/jobs/">View open positions</a></section>'
                f'<section><h2>Featured roles</h2><ul>{featured}</ul></section>'
                f'<section><h2>Get to know us</h2><ul>{links}</ul></section>\n')
        return self._frame(f"Careers | {c.name}", c.origin + "/", text, main, nav_target="/")

    def info_page(self, slug: str, title: str) -> str:
        c, cls = self.c, self.cls
        cdata = datafiles.load("companies")
        if slug == "about":
            body = "".join(f"<p>{esc(a.text)}</p>" for a in c.about)
            body += "<h2>Our values</h2><ul>" + "".join(
                f"<li>{esc(v)}</li>" for v in cdata["values"][len(c.slug) % 4:len(c.slug) % 4 + 4]) + "</ul>"
        elif slug == "benefits":
            body = "<p>We take care of our people.</p><ul>" + "".join(f"<li>{esc(b.text)}</li>" for b in c.benefits) + "</ul>"
        elif slug == "teams":
            depts = sorted({v["department"] for v in datafiles.load("roles").values()})[: 4 + len(c.slug) % 4]
            blurbs = cdata["teams_blurbs"]
            body = "".join(f"<h2>{esc(d)}</h2><p>Our {esc(d)} team {esc(blurbs[i % len(blurbs)])}.</p>"
                           for i, d in enumerate(depts))
        elif slug == "locations":
            body = "<ul>" + "".join(f"<li><h2>{esc(p.name)}</h2><p>{chrome.office_lines(c, p)}</p></li>"
                                    for p in c.offices) + "</ul>"
        elif slug == "life":
            body = ("<p>We work hard, we celebrate together, and we look after each other.</p><ul>"
                    + "".join(f"<li>{esc(v)}</li>" for v in cdata["values"][:5]) + "</ul>")
        else:
            body = ("<p>Internships and graduate roles open every autumn. Follow this page or join our talent "
                    "community to hear when applications open.</p>")
        main = f'<article class="{cls("page")}"><h1>{esc(title)}</h1>{body}</article>\n'
        return self._frame(f"{title} | {c.name}", f"{c.origin}/{slug}/", title, main, nav_target=f"/{slug}/")

    def internal_page(self, label: str) -> str:
        c = self.c
        return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">'
                f"<title>{esc(label)} | {esc(c.name)}</title></head><body><h1>{esc(label)}</h1>"
                '<form method="post"><label>Email <input name="u"></label><label>Password '
                '<input type="password" name="p"></label><button>Sign in</button></form></body></html>\n')
