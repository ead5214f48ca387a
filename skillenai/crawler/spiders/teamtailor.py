"""Teamtailor career sites: the RSS feed ``GET {TEAMTAILOR_URL}/jobs.rss``, every published
job at once with its description, locations (``tt:locations``), department and remote
status. The site's JSON Feed (``TEAMTAILOR_FEED = "jobs.json"``: each item carrying a
schema.org JobPosting in ``_jobposting``) is read too."""

from __future__ import annotations

import lxml.etree

from skillenai.crawler.parsing.discovery import child_text
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.parsing.structured import posting_fields
from skillenai.crawler.spiders.boards import BoardSpider, join_places

# remoteStatus: "none" (at the office), "hybrid", "fully" remote, "temporary" remote.
_REMOTE_STATUS = {"none": "onsite", "hybrid": "hybrid", "fully": "remote", "temporary": "remote"}


class TeamtailorSpider(BoardSpider):
    name = "teamtailor"
    url_setting = "TEAMTAILOR_URL"

    def requests_for(self, seed):
        feed = self.settings.get("TEAMTAILOR_FEED", "jobs.rss").lstrip("/")
        yield self.listing_request(seed, f"{self.base_url(seed)}/{feed}")

    def jobs(self, response, seed):
        if response.body.lstrip()[:1] in (b"{", b"["):
            return self.json_list(response, "items", "JSON Feed")
        items = self.xml_elements(response, "item", "RSS feed")
        return None if items is None else [_rss_item(item) for item in items]

    def job_results(self, job, seed, response):
        if "_jobposting" in job or "content_html" in job or "date_published" in job:
            yield self._json_feed_posting(job, seed)
            return
        places = job["locations"]
        location = join_places(_label(p) for p in places)
        yield self.posting(
            seed, job["xml"], raw_type="xml", url=job.get("link") or job.get("guid"), title=job.get("title"),
            text=html_to_text(job.get("description")), date=job.get("pubDate"),
            external_id=job.get("guid"), location_raw=location, locations=places or None,
            stated_workplace=_REMOTE_STATUS.get(str(job.get("remoteStatus") or "").lower()),
            department=job.get("department"))

    def _json_feed_posting(self, item: dict, seed):
        structured = item.get("_jobposting") if isinstance(item.get("_jobposting"), dict) else {}
        fields = {k: v for k, v in posting_fields(structured).items() if v not in (None, "", [])}
        given_title, given_text = fields.pop("title", None), fields.pop("text", "")
        for key in ("canonical_url", "date_posted"):
            fields.pop(key, None)
        fields.setdefault("external_id", item.get("id"))
        return self.posting(seed, item, url=item.get("url"), title=item.get("title") or given_title,
                            text=html_to_text(item.get("content_html")) or item.get("content_text") or given_text,
                            date=structured.get("datePosted") or item.get("date_published"), **fields)


def _rss_item(item) -> dict:
    job = {name: child_text(item, name) for name in
           ("title", "description", "pubDate", "link", "guid", "remoteStatus", "department")}
    job["locations"] = []
    for place in item.iterfind(".//{*}location"):
        parts = {"name": child_text(place, "name"), "locality": child_text(place, "city"),
                 "country": child_text(place, "country")}
        job["locations"].append({k: v for k, v in parts.items() if v})
    job["xml"] = lxml.etree.tostring(item, encoding="unicode")
    return job


def _label(place: dict) -> str | None:
    return ", ".join(p for p in (place.get("locality"), place.get("country")) if p) or place.get("name")

