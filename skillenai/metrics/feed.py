"""A page's digest as an Atom feed (RFC 4287): its newest postings and articles, newest first.

The feed is a pure function of its entries, so a page whose figures and documents did not
change gets the same bytes (``skillenai site`` then leaves the file as it was): ``updated``
is the newest entry's date, not the time of the build.

>>> atom_feed(title="Python", feed_url="https://skillenai.com/skills/python/feed.xml",
...           page_url="https://skillenai.com/skills/python/", entries=[], updated="2026-05-09")[:38]
'<?xml version="1.0" encoding="utf-8"?>'
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

__all__ = ["atom_feed", "xml_text"]

# Characters XML 1.0 cannot carry (controls but tab, newline, return; lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value) -> str:
    """``value`` as XML character data: escaped, with characters XML cannot hold removed."""
    return escape(_NOT_XML.sub("", "" if value is None else str(value)))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("", value))


def _timestamp(day: str) -> str:
    """An RFC 3339 time from a date or a stored ISO time ("2026-05-09" → midnight UTC)."""
    day = str(day)
    if len(day) == 10:
        return f"{day}T00:00:00Z"
    return day if day.endswith("Z") or "+" in day[10:] else day + "Z"


def atom_feed(*, title: str, feed_url: str, page_url: str, entries: list[dict], updated: str,
              subtitle: str = "") -> str:
    """An Atom document. ``entries``: ``[{id, title, url, date, summary, category}]``
    (``id`` a stable document id, ``date`` YYYY-MM-DD); ``updated`` the feed's date when it
    has no entries."""
    newest = max((e["date"] for e in entries if e.get("date")), default=updated)
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{xml_text(title)}</title>"]
    if subtitle:
        out.append(f"<subtitle>{xml_text(subtitle)}</subtitle>")
    out += [f"<id>{xml_text(feed_url)}</id>", f'<link rel="self" type="application/atom+xml" href={_attr(feed_url)}/>',
            f'<link rel="alternate" type="text/html" href={_attr(page_url)}/>',
            f"<updated>{_timestamp(newest)}</updated>", "<author><name>Skillenai</name></author>",
            "<generator>Skillenai</generator>"]
    for e in entries:
        out += ["<entry>", f"<title>{xml_text(e.get('title') or e.get('url'))}</title>",
                f"<id>urn:skillenai:document:{xml_text(e['id'])}</id>",
                f'<link rel="alternate" href={_attr(e["url"])}/>',
                f"<updated>{_timestamp(e['date'])}</updated>"]
        if e.get("category"):
            out.append(f"<category term={_attr(e['category'])}/>")
        if e.get("summary"):
            out.append(f"<summary>{xml_text(e['summary'])}</summary>")
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"
