"""The two article sites: ``blog`` (a WordPress-style market-insight blog with an RSS
feed and a sitemap) and ``news`` (a labour-market news site with an Atom feed)."""

import datetime as dt
import html
from urllib.parse import quote

from . import datafiles, feeds
from .companies import slugify
from .rand import rng
from .structured import ld_script

esc = html.escape


def _t(text: str) -> str:
    """Escape text content (apostrophes and quotes stay as written)."""
    return html.escape(text, quote=False)


BLOG = "http://blog.sample.test"
NEWS = "http://news.sample.test"
BLOG_PAGE = 10
FEED_ITEMS = 20


def long_date(d: dt.datetime) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def body_html(article, promo: str = "") -> str:
    """The article body; ``promo`` (a "read more" box, not part of the text) goes
    after the second paragraph, as news sites do."""
    out, paras = [], 0
    for b in article.blocks:
        if b.kind == "h":
            out.append(f"<h2>{_t(b.heading)}</h2>")
        elif b.kind == "p":
            out.append(f"<p>{_t(b.lines[0].text)}</p>")
            paras += 1
            if paras == 2 and promo:
                out.append(promo)
        else:
            out.append("<ul>" + "".join(f"<li>{_t(ln.text)}</li>" for ln in b.lines) + "</ul>")
    return "\n".join(out)


def assign_urls(articles):
    """Give each article its URL on its site, keeping slugs unique per site."""
    taken = set()
    for a in articles:
        base = slugify(a.title.text)[:70].strip("-") or "post"
        slug, n = base, 2
        while (a.site, slug) in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add((a.site, slug))
        a.slug = slug
        d = a.published
        a.url = f"{BLOG}/blog/{slug}/" if a.site == "blog" else f"{NEWS}/{d.year}/{d.month:02d}/{d.day:02d}/{slug}/"


def _path(url: str) -> str:
    return url.split(".sample.test", 1)[1]


def _comments(article, cls_list="comment-list") -> str:
    if not article.comments:
        return ""
    lis = "".join(f'<li class="comment"><article class="comment-body"><footer class="comment-meta">'
                  f'<b class="fn">{esc(name)}</b> <time datetime="{when.isoformat()}">{long_date(when)}</time></footer>'
                  f'<div class="comment-content"><p>{esc(text)}</p></div></article></li>'
                  for name, text, when in article.comments)
    n = len(article.comments)
    return (f'<div id="comments" class="comments-area"><h2 class="comments-title">{n} '
            f'{"comment" if n == 1 else "comments"}</h2><ol class="{cls_list}">{lis}</ol></div>')


def _share(url, title) -> str:
    u, t = quote(url, safe=""), quote(title, safe="")
    return (f'<div class="share-buttons"><span>Share:</span>'
            f'<a href="https://www.linkedin.com/sharing/share-offsite/?url={u}">LinkedIn</a>'
            f'<a href="https://twitter.com/intent/tweet?url={u}&amp;text={t}">X</a>'
            f'<a href="https://www.facebook.com/sharer/sharer.php?u={u}">Facebook</a>'
            f'<a href="mailto:?subject={t}&amp;body={u}">Email</a></div>')


class Press:
    def __init__(self, files, seed, as_of: dt.date, disallowed):
        self.files = files
        self.seed = seed
        self.as_of = as_of
        self.disallowed = disallowed
        self.c = datafiles.load("chrome")
        self.bios = datafiles.load("articles")["bios"]

    # blog -------------------------------------------------------------------------------
    def write_blog(self, posts, drafts) -> list:
        b = self.c["blog"]
        posts = sorted(posts, key=lambda a: (a.published, a.url), reverse=True)
        for d in drafts:
            d.url = f"{BLOG}/drafts/{d.slug}/"
            self.disallowed.add(("blog", _path(d.url)))
        for i, a in enumerate(posts):
            related = [p for p in posts if p is not a and p.category == a.category][:3] or posts[i + 1:i + 4]
            newer = posts[i - 1] if i > 0 else None
            older = posts[i + 1] if i + 1 < len(posts) else None
            self.files.write("blog", _path(a.url), self._blog_post(a, related, newer, older))
        for d in drafts:
            self.files.write("blog", _path(d.url), self._blog_post(d, [], None, None, draft=True))
        pages = max(1, -(-len(posts) // BLOG_PAGE))
        for k in range(1, pages + 1):
            path = "/blog/" if k == 1 else f"/blog/page/{k}/"
            self.files.write("blog", path, self._blog_list(posts[(k - 1) * BLOG_PAGE:k * BLOG_PAGE], k, pages,
                                                           drafts if k == 1 else []))
        self.files.write("blog", "/", self._blog_list(posts[:5], 1, 1, [], home=True))
        about = "\n".join(f"<p>{esc(t)}</p>" for t in b["about_body"])
        self.files.write("blog", "/about/", self._blog_frame(b["about_title"], f"{BLOG}/about/", b["about_body"][0],
                                                             f'<article class="page"><h1 class="entry-title">'
                                                             f'{esc(b["about_title"])}</h1><div class="entry-content">'
                                                             f'{about}</div></article>', "en"))
        built = max((a.published for a in posts), default=dt.datetime(self.as_of.year, 1, 1, tzinfo=dt.timezone.utc))
        items = [{"title": a.title.text, "link": a.url, "date": a.published, "author": a.author,
                  "summary": a.summary, "categories": [a.category], "guid": f"{BLOG}/?p={1000 + i}"}
                 for i, a in enumerate(posts[:FEED_ITEMS])]
        self.files.write("blog", "/feed.xml", feeds.rss(b["name"], BLOG + "/", b["tagline"], BLOG + "/feed.xml",
                                                         items, built))
        entries = [(a.url, a.published.date()) for a in posts] + [(f"{BLOG}/about/", self.as_of.replace(day=1))]
        self.files.write("blog", "/sitemap.xml", feeds.urlset(entries))
        self.files.write("blog", "/robots.txt", "User-agent: *\nDisallow: /drafts/\nDisallow: /wp-admin/\n"
                                                "Allow: /wp-admin/admin-ajax.php\n\n"
                                                f"Sitemap: {BLOG}/sitemap.xml\n")
        return [{"url": f"{BLOG}/about/", "site": "blog", "title": b["about_title"], "in_sitemap": True}]

    def _blog_frame(self, title, url, description, main, lang, head_extra="", aside_extra="") -> str:
        b = self.c["blog"]
        nav = "".join(f'<li class="menu-item"><a href="{href}">{esc(lbl)}</a></li>'
                      for lbl, href in zip(("Home", "Blog", "About"), ("/", "/blog/", "/about/")))
        nl_title, nl_text, nl_button = b["newsletter"]
        cookie = self.c["cookie"][0]
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="UTF-8">\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<title>{esc(title)} – {esc(b["name"])}</title>\n<meta name="description" content="{esc(description)}">\n'
                f'<link rel="canonical" href="{url}">\n'
                f'<link rel="alternate" type="application/rss+xml" title="{esc(b["name"])} &raquo; Feed" href="{BLOG}/feed.xml">\n'
                f'{head_extra}<link rel="stylesheet" href="/wp-content/themes/signal/style.css?ver=2.1">\n</head>\n'
                '<body class="post-template-default single single-post">\n<div id="page" class="site">\n'
                '<a class="skip-link screen-reader-text" href="#primary">Skip to content</a>\n'
                f'<header id="masthead" class="site-header"><p class="site-title"><a href="/" rel="home">{esc(b["name"])}</a></p>'
                f'<p class="site-description">{esc(b["tagline"])}</p>'
                f'<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{nav}</ul></nav></header>\n'
                f'<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">\n'
                f'{main}\n</main></div>\n'
                f'<aside id="secondary" class="widget-area"><section class="widget widget_newsletter"><h2 class="widget-title">'
                f'{esc(nl_title)}</h2><p>{esc(nl_text)}</p><form action="/subscribe/" method="post"><input type="email" '
                f'name="email" placeholder="Email address"><button>{esc(nl_button)}</button></form></section>{aside_extra}</aside></div>\n'
                f'<footer id="colophon" class="site-footer"><p>© {self.as_of.year} {esc(b["name"])} · '
                '<a href="/about/">About</a> · <a href="/feed.xml">RSS</a></p></footer></div>\n'
                f'<div id="cookie-notice" role="dialog"><p>{esc(cookie[0])}</p><button>{esc(cookie[1])}</button></div>\n'
                '</body>\n</html>\n')

    def _blog_post(self, a, related, newer, older, draft=False) -> str:
        b = self.c["blog"]
        r = rng(self.seed, "blogpost", a.cluster)
        iso = a.published.isoformat(timespec="seconds")
        head = (f'<meta property="og:type" content="article">\n<meta property="og:title" content="{esc(a.title.text)}">\n'
                f'<meta property="og:url" content="{a.url}">\n<meta property="article:published_time" content="{iso}">\n'
                f'<meta property="article:section" content="{esc(a.category)}">\n<meta name="author" content="{esc(a.author)}">\n')
        if draft:
            head += '<meta name="robots" content="noindex, nofollow">\n'
        if r.random() < 0.5:
            head += ld_script({"@context": "https://schema.org", "@type": "BlogPosting", "headline": a.title.text,
                               "datePublished": iso, "author": {"@type": "Person", "name": a.author},
                               "publisher": {"@type": "Organization", "name": b["name"]},
                               "mainEntityOfPage": a.url, "inLanguage": a.lang}) + "\n"
        bio = self.bios[int(r.random() * len(self.bios))].format(author=a.author, since=2015 + int(r.random() * 8))
        nav = ""
        if newer or older:
            nav = '<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links">'
            if older:
                nav += f'<div class="nav-previous"><a href="{_path(older.url)}" rel="prev">← {esc(older.title.text)}</a></div>'
            if newer:
                nav += f'<div class="nav-next"><a href="{_path(newer.url)}" rel="next">{esc(newer.title.text)} →</a></div>'
            nav += "</div></nav>"
        rel = ""
        if related:
            rel = (f'<section class="related-posts"><h2>{esc(b["related"])}</h2><ul>'
                   + "".join(f'<li><a href="{_path(p.url)}">{esc(p.title.text)}</a></li>' for p in related)
                   + "</ul></section>")
        main = (f'<article id="post-{1000 + sum(map(ord, a.cluster)) * 7 % 9000}" class="post type-post status-publish format-standard hentry">'
                f'<header class="entry-header"><h1 class="entry-title">{esc(a.title.text)}</h1>'
                f'<div class="entry-meta"><span class="byline">By <span class="author vcard">{esc(a.author)}</span></span> · '
                f'<span class="posted-on"><time class="entry-date published" datetime="{iso}">{long_date(a.published)}</time></span> · '
                f'<span class="cat-links">{esc(a.category)}</span></div></header>\n'
                f'<div class="entry-content">\n{body_html(a)}\n</div>\n'
                f'<footer class="entry-footer">{_share(a.url, a.title.text)}</footer></article>\n'
                f'<div class="author-bio"><h2>About the author</h2><p>{esc(bio)}</p></div>\n{nav}\n{rel}\n'
                f'{_comments(a)}<div id="respond" class="comment-respond"><h3>Leave a Reply</h3>'
                '<form action="/wp-comments-post.php" method="post"><textarea name="comment"></textarea>'
                '<input name="author" placeholder="Name"><button>Post Comment</button></form></div>')
        return self._blog_frame(a.title.text, a.url, a.summary, main, a.lang, head)

    def _blog_list(self, posts, k, pages, drafts, home=False) -> str:
        b = self.c["blog"]
        cards = "".join(f'<article class="post"><h2 class="entry-title"><a href="{_path(a.url)}">{esc(a.title.text)}</a></h2>'
                        f'<div class="entry-meta"><time datetime="{a.published.isoformat(timespec="seconds")}">'
                        f'{long_date(a.published)}</time> · {esc(a.author)}</div><p>{esc(a.summary)}</p>'
                        f'<a class="more-link" href="{_path(a.url)}">Continue reading</a></article>' for a in posts)
        nav = ""
        if home:
            nav = '<p><a href="/blog/">All posts →</a></p>'
        elif pages > 1:
            links = []
            if k > 1:
                links.append(f'<a class="prev page-numbers" href="{"/blog/" if k == 2 else f"/blog/page/{k - 1}/"}">« Newer</a>')
            links.append(f'<span aria-current="page" class="page-numbers current">{k}</span>')
            if k < pages:
                links.append(f'<a class="next page-numbers" href="/blog/page/{k + 1}/">Older »</a>')
            nav = f'<nav class="navigation pagination"><div class="nav-links">{"".join(links)}</div></nav>'
        aside = ""
        if drafts:
            aside = ('<section class="widget"><h2 class="widget-title">Coming soon</h2><ul>'
                     + "".join(f'<li><a href="{_path(d.url)}">{esc(b["drafts_link"])}: {esc(d.title.text)}</a></li>'
                               for d in drafts) + "</ul></section>")
        title = b["name"] if home else ("Blog" if k == 1 else f"Blog – Page {k}")
        url = f"{BLOG}/" if home else (f"{BLOG}/blog/" if k == 1 else f"{BLOG}/blog/page/{k}/")
        return self._blog_frame(title, url, b["tagline"], f'<h1 class="page-title">{esc(title)}</h1>{cards}{nav}', "en",
                                aside_extra=aside)

    # news -------------------------------------------------------------------------------
    def write_news(self, stories) -> list:
        n = self.c["news"]
        stories = sorted(stories, key=lambda a: (a.published, a.url), reverse=True)
        self.disallowed.add(("news", "/search/?q=jobs"))
        self.disallowed.add(("news", "/account/login/"))
        for i, a in enumerate(stories):
            most_read = [s for s in stories[:8] if s is not a][:5]
            promo = next((s for s in stories[i + 1:i + 6] if s.lang == a.lang), None)
            self.files.write("news", _path(a.url), self._news_story(a, most_read, promo))
        self.files.write("news", "/", self._news_front(stories[:30]))
        self.files.write("news", "/about/", self._news_frame(
            f"About {n['name']}", f"{NEWS}/about/", n["tagline"],
            f'<article><h1>About {esc(n["name"])}</h1><p>{esc(n["name"])} reports on work, hiring and the economy. '
            'Our data desk tracks public job postings every day.</p></article>', "en"))
        updated = max((a.published for a in stories), default=dt.datetime(self.as_of.year, 1, 1, tzinfo=dt.timezone.utc))
        entries = [{"title": a.title.text, "link": a.url, "id": f"tag:news.sample.test,{a.published.year}:{a.slug}",
                    "date": a.published, "updated": a.published + dt.timedelta(minutes=42), "author": a.author,
                    "summary": a.summary} for a in stories]
        self.files.write("news", "/atom.xml", feeds.atom(n["name"], NEWS, NEWS + "/atom.xml", entries, updated))
        self.files.write("news", "/robots.txt", "User-agent: *\nDisallow: /search/\nDisallow: /account/\n\n"
                                                "User-agent: GPTBot\nDisallow: /\n")
        return [{"url": f"{NEWS}/about/", "site": "news", "title": f"About {n['name']}", "in_sitemap": False}]

    def _news_frame(self, title, url, description, main, lang, head_extra="", aside="") -> str:
        n = self.c["news"]
        sections = "".join(f"<li><span>{esc(s)}</span></li>" for s in n["sections"])
        nl_title, nl_text, nl_button = n["newsletter"]
        cookie = self.c["cookie"][2]
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
                f'<title>{esc(title)} | {esc(n["name"])}</title>\n<meta name="description" content="{esc(description)}">\n'
                f'<link rel="canonical" href="{url}">\n<link rel="alternate" type="application/atom+xml" href="{NEWS}/atom.xml">\n'
                f'{head_extra}</head>\n<body class="layout-story">\n'
                f'<div class="consent-overlay" role="dialog"><p>{esc(cookie[0])}</p><button>{esc(cookie[1])}</button>'
                f'<button>{esc(cookie[2])}</button></div>\n'
                f'<header class="masthead"><div class="top-bar"><a href="/account/login/">{esc(n["signin"])}</a> '
                f'<a href="/search/?q=jobs">{esc(n["search"])}</a></div>'
                f'<a class="brand" href="/">{esc(n["name"])}</a><nav class="sections"><ul>{sections}</ul></nav></header>\n'
                f'<div class="ad-slot ad-leaderboard" aria-hidden="true">{esc(n["advert"])}</div>\n'
                f'<div class="page-grid"><main class="main-column">\n{main}\n</main>\n<aside class="rail">{aside}'
                f'<div class="ad-slot ad-mpu">{esc(n["advert"])}</div></aside></div>\n'
                f'<section class="newsletter-band"><h2>{esc(nl_title)}</h2><p>{esc(nl_text)}</p>'
                f'<form action="/newsletters/subscribe" method="post"><input type="email" name="email"><button>{esc(nl_button)}</button></form></section>\n'
                f'<footer class="site-footer"><a href="/about/">About us</a> · <a href="/atom.xml">Atom feed</a> · '
                f'© {self.as_of.year} {esc(n["name"])}</footer>\n</body>\n</html>\n')

    def _news_story(self, a, most_read, promo_story) -> str:
        n = self.c["news"]
        iso = a.published.isoformat(timespec="seconds")
        upd = (a.published + dt.timedelta(minutes=42)).isoformat(timespec="seconds")
        head = (f'<meta property="og:type" content="article">\n<meta property="og:title" content="{esc(a.title.text)}">\n'
                f'<meta property="article:published_time" content="{iso}">\n<meta name="author" content="{esc(a.author)}">\n'
                + ld_script({"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title.text,
                             "datePublished": iso, "dateModified": upd,
                             "author": [{"@type": "Person", "name": a.author}],
                             "publisher": {"@type": "Organization", "name": n["name"]},
                             "mainEntityOfPage": {"@type": "WebPage", "@id": a.url}}) + "\n")
        promo = ""
        if promo_story:
            promo = (f'<aside class="inline-promo"><strong>Read more:</strong> '
                     f'<a href="{_path(promo_story.url)}">{esc(promo_story.title.text)}</a></aside>')
        section = "Work" if a.kind != "news_cooling" else "Economy"
        main = (f'<article class="story"><p class="kicker">{section}</p><h1 class="headline">{esc(a.title.text)}</h1>'
                f'<div class="byline">By <span class="author-name">{esc(a.author)}</span> · '
                f'<time datetime="{iso}">{long_date(a.published)}</time> · Updated <time datetime="{upd}">'
                f'{(a.published + dt.timedelta(minutes=42)).strftime("%H:%M")} UTC</time></div>\n'
                f'<div class="story-body">\n{body_html(a, promo)}\n</div>\n{_share(a.url, a.title.text)}'
                f'{_comments(a, "comments-list")}</article>')
        aside = (f'<section class="most-read"><h2>{esc(n["most_read"])}</h2><ol>'
                 + "".join(f'<li><a href="{_path(s.url)}">{esc(s.title.text)}</a></li>' for s in most_read) + "</ol></section>")
        return self._news_frame(a.title.text, a.url, a.summary, main, a.lang, head, aside)

    def _news_front(self, stories) -> str:
        n = self.c["news"]
        items = "".join(f'<li><a href="{_path(a.url)}">{esc(a.title.text)}</a> <time datetime="{a.published.date().isoformat()}">'
                        f'{long_date(a.published)}</time></li>' for a in stories)
        return self._news_frame(n["name"], NEWS + "/", n["tagline"], f'<h1>Latest</h1><ul class="river">{items}</ul>', "en")
