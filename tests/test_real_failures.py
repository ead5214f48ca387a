"""Failures seen crawling real pages and feeds (issue 17, part 4), each from real-looking input."""

from __future__ import annotations

from skillenai.crawler.parsing.discovery import feed_entries

# -- feeds -----------------------------------------------------------------------------------

# A job board's RSS as .NET's SyndicationFeed writes it: items dated only by <a10:updated>.
DOTNET_RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0"><channel><title>Careers at Northwind</title><link>https://careers.northwind.example/</link><description>Open positions</description><item><guid isPermaLink="false">4711</guid><link>https://careers.northwind.example/jobs/4711?src=rss&amp;lang=en</link><title>Payroll Specialist</title><description>Process payroll for 2,000 staff.</description><a10:updated>2026-04-30T09:15:00+02:00</a10:updated></item></channel></rss>"""


def test_a10_updated_dates_an_rss_item():
    [entry], cuts = feed_entries(DOTNET_RSS, "https://careers.northwind.example/feed")
    assert entry.published == "2026-04-30T09:15:00+02:00"
    assert entry.url == "https://careers.northwind.example/jobs/4711?src=rss&lang=en" and not cuts


def test_one_bad_character_reference_keeps_every_later_ampersand():
    feed = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Jobs</title>'
            b"<item><title>Forklift Driver &#x1A; Night Shift</title>"
            b"<link>https://jobs.example/view?id=1&amp;ref=rss</link></item>"
            b"<item><title>Sales &amp; Marketing Lead</title>"
            b"<link>https://jobs.example/view?id=2&amp;ref=rss</link></item>"
            b"<item><title>R&amp;D Chemist &#8211; Lab</title>"
            b"<link>https://jobs.example/view?id=3&amp;ref=rss</link></item></channel></rss>")
    entries, cuts = feed_entries(feed, "https://jobs.example/rss")
    assert [e.url for e in entries] == [f"https://jobs.example/view?id={i}&ref=rss" for i in (1, 2, 3)]
    assert [" ".join(e.title.split()) for e in entries] == ["Forklift Driver Night Shift", "Sales & Marketing Lead", "R&D Chemist – Lab"]


def test_a_latin1_feed_without_a_declaration_reads_its_accents():
    feed = ('<rss version="2.0"><channel><title>Offres d\'emploi</title>'
            "<item><title>Ingénieur d\u2019études – Sûreté</title><link>https://emploi.example/o/12</link>"
            "<pubDate>Thu, 30 Apr 2026 08:00:00 +0200</pubDate></item></channel></rss>").encode("cp1252")
    [entry], cuts = feed_entries(feed, "https://emploi.example/rss")
    assert entry.title == "Ingénieur d\u2019études – Sûreté" and not cuts
    # A declared encoding is the feed's own word, and UTF-8 stays UTF-8.
    declared = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + feed.replace(b"\x92", b"'").replace(b"\x96", b"-")
    assert feed_entries(declared, "https://emploi.example/rss")[0][0].title == "Ingénieur d'études - Sûreté"
    utf8 = feed.decode("cp1252").encode("utf-8")
    assert feed_entries(utf8, "https://emploi.example/rss")[0][0].title == "Ingénieur d\u2019études – Sûreté"
