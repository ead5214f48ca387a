"""Page furniture shared by career sites: head, header, cookie banner, newsletter box,
share buttons, footer. Three site "stacks" (a CMS theme, a single-page-app framework,
an old corporate portal) name and nest things differently, so extractors cannot key on
one set of class names."""

import html
from urllib.parse import quote

from . import datafiles

esc = html.escape


def classes(company):
    """A function mapping a semantic part name to this site's class attribute."""
    s = company.site
    sk, p, hsh = s["skeleton"], s["prefix"], s["hash"]
    if sk == "spa":
        return lambda name: f"{name.title().replace('-', '')}_root__{hsh}{len(name) % 7}"
    if sk == "portal":
        grid = {"main": "col-md-8 col-sm-12", "aside": "col-md-4 hidden-xs", "title": "page-title h2",
                "body": "job-description clearfix", "footer": "site-footer container-fluid"}
        return lambda name: grid.get(name, f"{name} panel-{name}")
    return lambda name: f"{p}-{name}"


def head(company, title: str, url: str, description: str, extra: str = "") -> str:
    s = company.site
    ga = f"G-{s['hash'].upper()}{len(company.slug)}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f'<meta name="description" content="{esc(description)}">\n'
        f'<link rel="canonical" href="{url}">\n'
        f'<meta property="og:title" content="{esc(title)}">\n<meta property="og:type" content="website">\n'
        f'<meta property="og:url" content="{url}">\n<meta property="og:site_name" content="{esc(company.name)} Careers">\n'
        f'<meta property="og:image" content="{company.origin}/assets/logo.svg">\n'
        f'<link rel="stylesheet" href="/assets/site.css?v={s["hash"]}">\n<link rel="icon" href="/assets/logo.svg">\n'
        f"{extra}"
        f'<script async src="https://www.googletagmanager.com/gtag/js?id={ga}"></script>\n'
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
        f"gtag('js',new Date());gtag('config','{ga}',{{anonymize_ip:true}});</script>\n"
        "</head>\n"
    )


def header(company, cls, nav_target: str = "") -> str:
    c = datafiles.load("chrome")
    labels = [x.replace("{company}", company.name) for x in c["nav"][company.site["nav"]]]
    targets = ["/", "/about/", "/teams/", "/benefits/", "/jobs/"]
    if len(labels) == 4:
        targets = ["/about/", "/about/", "/benefits/", "/jobs/"]
    current = ' aria-current="page"'
    links = "".join(f'<li><a href="{t}"{current if t == nav_target else ""}>{esc(lbl)}</a></li>'
                    for lbl, t in zip(labels, targets))
    return (f'<header class="{cls("header")}" role="banner"><div class="{cls("header-inner")}">'
            f'<a class="{cls("logo")}" href="/"><img src="/assets/logo.svg" alt="{esc(company.name)} logo" width="120" height="32"></a>'
            f'<button class="{cls("menu-toggle")}" aria-expanded="false" aria-controls="primary-nav">'
            '<span class="sr-only">Menu</span><svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">'
            '<path d="M3 6h18M3 12h18M3 18h18" stroke="currentColor" stroke-width="2"/></svg></button>'
            f'<nav id="primary-nav" class="{cls("nav")}" aria-label="Main"><ul>{links}</ul></nav>'
            f'<a class="{cls("cta")}" href="/jobs/">See open roles</a></div></header>\n')


def cookie_banner(company, cls) -> str:
    text, accept, reject, more = datafiles.load("chrome")["cookie"][company.site["cookie"]]
    return (f'<div id="cookie-consent" class="{cls("cookie-banner")}" role="dialog" aria-live="polite" '
            f'aria-label="Cookie consent"><p>{esc(text)} <a href="/privacy/">{esc(more)}</a></p>'
            f'<div class="{cls("cookie-actions")}"><button type="button" data-consent="all">{esc(accept)}</button>'
            f'<button type="button" data-consent="essential">{esc(reject)}</button></div></div>\n')


def newsletter(company, cls) -> str:
    title, text, button = datafiles.load("chrome")["newsletter"][company.site["newsletter"]]
    return (f'<section class="{cls("newsletter")}" aria-labelledby="nl-title"><h2 id="nl-title">{esc(title)}</h2>'
            f'<p>{esc(text)}</p><form action="/subscribe" method="post"><label for="nl-email" class="sr-only">Email</label>'
            '<input id="nl-email" type="email" name="email" placeholder="you@example.com" required>'
            f'<button type="submit">{esc(button)}</button></form></section>\n')


def share(company, cls, url: str, title: str) -> str:
    labels = datafiles.load("chrome")["share"][company.site["share"]]
    u, t = quote(url, safe=""), quote(title, safe="")
    hrefs = {"LinkedIn": f"https://www.linkedin.com/sharing/share-offsite/?url={u}",
             "Share on LinkedIn": f"https://www.linkedin.com/sharing/share-offsite/?url={u}",
             "X": f"https://twitter.com/intent/tweet?url={u}&text={t}",
             "Twitter": f"https://twitter.com/intent/tweet?url={u}&text={t}",
             "Facebook": f"https://www.facebook.com/sharer/sharer.php?u={u}",
             "Email": f"mailto:?subject={t}&body={u}", "Share by email": f"mailto:?subject={t}&body={u}",
             "Copy link": "#copy"}
    links = "".join(f'<a class="{cls("share-link")}" href="{esc(hrefs[lbl])}" rel="noopener" target="_blank">{esc(lbl)}</a>'
                    for lbl in labels[1:])
    return f'<div class="{cls("share")}"><span>{esc(labels[0])}</span>{links}</div>\n'


def office_lines(company, p) -> str:
    street = company.street[p.key]
    region = p.state_or_region()
    town = f"{p.name}, {region}" if region and region != p.name else p.name
    return f"{esc(street)}<br>{esc(town)} {esc(company.postal[p.key])}<br>{esc(p.country_name)}"


def internal_links(company) -> list:
    """(label, path) of the links into the robots-disallowed /internal/ area."""
    items = datafiles.load("chrome")["internal"]
    return [items[i] for i in company.site["internal"]]


def footer(company, cls, year: int, skip_cities=()) -> str:
    """The site footer: the head office and the other offices' addresses (which are
    not where the job on the page is), legal links, and the employee-only links."""
    c = datafiles.load("chrome")
    offices = [f'<li><strong>Headquarters</strong><br>{office_lines(company, company.hq)}</li>']
    offices += [f'<li><strong>{esc(p.name)}</strong><br>{office_lines(company, p)}</li>'
                for p in company.offices[1:] if p not in skip_cities]
    legal_paths = ["/privacy/", "/terms/", "/accessibility/", "#cookie-consent", "/imprint/", "/privacy/candidates/",
                   "/modern-slavery/"]
    legal = "".join(f'<a href="{href}">{esc(lbl)}</a>' for lbl, href in
                    zip(c["footer_links"][:4], legal_paths[:4]))
    internal = "".join(f'<a href="{path}" rel="nofollow">{esc(lbl)}</a>' for lbl, path in internal_links(company))
    return (f'<footer class="{cls("footer")}" role="contentinfo"><div class="{cls("footer-offices")}">'
            f'<h2>{esc(c["footer_heads"][company.site["footer"]])}</h2><ul>{"".join(offices)}</ul></div>'
            f'<nav class="{cls("footer-nav")}" aria-label="Footer"><a href="/about/">About</a><a href="/jobs/">Careers</a>'
            f'{legal}{internal}</nav>'
            f'<div class="{cls("social")}"><a href="https://www.linkedin.com/company/{company.slug}">LinkedIn</a>'
            f'<a href="https://github.com/{company.slug}">GitHub</a></div>'
            f'<p class="{cls("copyright")}">© {year} {esc(company.name)}. All rights reserved.</p></footer>\n')


def tail(company) -> str:
    return '<script src="/assets/app.js" defer></script>\n</body>\n</html>\n'


def site_css(company) -> str:
    color = company.site["color"]
    return (":root{--brand:%s}body{font-family:system-ui,sans-serif;margin:0;color:#1f2328}"
            "a{color:var(--brand)}header,footer{padding:1rem 2rem}footer{background:#f6f8fa}"
            "[role=dialog]{position:fixed;bottom:0;left:0;right:0;background:#fff;padding:1rem;box-shadow:0 -2px 8px #0002}"
            ".sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}\n" % color)


def logo_svg(company) -> str:
    initials = "".join(w[0] for w in company.name.split()[:2]).upper()
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32">'
            f'<rect width="32" height="32" rx="6" fill="{company.site["color"]}"/>'
            f'<text x="16" y="21" font-size="14" text-anchor="middle" fill="#fff">{esc(initials)}</text>'
            f'<text x="40" y="21" font-size="13">{esc(company.name)}</text></svg>\n')


APP_JS = ("document.addEventListener('click',function(e){var b=e.target.closest('[data-consent]');"
          "if(b){document.getElementById('cookie-consent').remove();}});\n")
