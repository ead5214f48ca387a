"""XML the crawler discovers pages through: sitemaps, sitemap indexes, RSS 2.0, Atom."""

import datetime as dt
import email.utils
import html

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _x(text) -> str:
    return html.escape(str(text), quote=True)


def urlset(entries, changefreq: str = None) -> str:
    """A sitemap of ``(url, lastmod date)`` pairs."""
    out = [XML_HEAD, '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for url, lastmod in entries:
        out.append(f"  <url>\n    <loc>{_x(url)}</loc>\n    <lastmod>{lastmod.isoformat()}</lastmod>\n")
        if changefreq:
            out.append(f"    <changefreq>{changefreq}</changefreq>\n")
        out.append("  </url>\n")
    out.append("</urlset>\n")
    return "".join(out)


def sitemap_index(entries) -> str:
    out = [XML_HEAD, '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for url, lastmod in entries:
        out.append(f"  <sitemap>\n    <loc>{_x(url)}</loc>\n    <lastmod>{lastmod.isoformat()}</lastmod>\n  </sitemap>\n")
    out.append("</sitemapindex>\n")
    return "".join(out)


def rfc822(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment)


def rss(title: str, link: str, description: str, self_url: str, items, built: dt.datetime) -> str:
    """RSS 2.0 with dc:creator; ``items`` are dicts with title, link, date, author,
    summary, categories."""
    out = [XML_HEAD, '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n',
           f"<channel>\n  <title>{_x(title)}</title>\n  <link>{_x(link)}</link>\n"
           f"  <description>{_x(description)}</description>\n  <language>en-us</language>\n"
           f"  <lastBuildDate>{rfc822(built)}</lastBuildDate>\n"
           f'  <atom:link href="{_x(self_url)}" rel="self" type="application/rss+xml"/>\n'
           "  <generator>https://wordpress.org/?v=6.5.2</generator>\n"]
    for it in items:
        cats = "".join(f"    <category><![CDATA[{c}]]></category>\n" for c in it["categories"])
        out.append(f"  <item>\n    <title>{_x(it['title'])}</title>\n    <link>{_x(it['link'])}</link>\n"
                   f"    <dc:creator><![CDATA[{it['author']}]]></dc:creator>\n"
                   f"    <pubDate>{rfc822(it['date'])}</pubDate>\n{cats}"
                   f'    <guid isPermaLink="false">{_x(it["guid"])}</guid>\n'
                   f"    <description><![CDATA[{it['summary']}]]></description>\n  </item>\n")
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def atom(title: str, site_url: str, self_url: str, entries, updated: dt.datetime) -> str:
    """An Atom 1.0 feed; ``entries`` are dicts with title, link, date, author, summary, id."""
    out = [XML_HEAD, '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n',
           f"  <title>{_x(title)}</title>\n  <id>{_x(site_url)}/</id>\n",
           f'  <link href="{_x(site_url)}/" rel="alternate" type="text/html"/>\n',
           f'  <link href="{_x(self_url)}" rel="self" type="application/atom+xml"/>\n',
           f"  <updated>{updated.isoformat(timespec='seconds')}</updated>\n"]
    for e in entries:
        out.append(f"  <entry>\n    <title>{_x(e['title'])}</title>\n"
                   f'    <link href="{_x(e["link"])}" rel="alternate" type="text/html"/>\n'
                   f"    <id>{_x(e['id'])}</id>\n    <published>{e['date'].isoformat(timespec='seconds')}</published>\n"
                   f"    <updated>{e['updated'].isoformat(timespec='seconds')}</updated>\n"
                   f"    <author><name>{_x(e['author'])}</name></author>\n"
                   f'    <summary type="html">{_x(e["summary"])}</summary>\n  </entry>\n')
    out.append("</feed>\n")
    return "".join(out)
