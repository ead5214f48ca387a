"""Pinpoint career sites: ``GET {PINPOINT_URL}/postings.json``, every open posting at once
(``data[]``: description sections as HTML, location, employment and workplace type, and the
compensation range when the employer shows it)."""

from __future__ import annotations

from skillenai.crawler.ats import stated_workplace
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.spiders.boards import BoardSpider, pay_range

# Description sections in the order the posting page shows them.
_SECTIONS = ("description", "key_responsibilities", "skills_knowledge_expertise", "benefits")


class PinpointSpider(BoardSpider):
    name = "pinpoint"
    url_setting = "PINPOINT_URL"
    listing_path = "/postings.json"
    jobs_key, listing_name = "data", "postings response"

    def job_results(self, job, seed, response):
        sections = []
        for key in _SECTIONS:
            text = html_to_text(job.get(key))
            header = job.get(f"{key}_header")
            if text:
                sections += [header, text] if isinstance(header, str) and header.strip() else [text]
        place = job.get("location") if isinstance(job.get("location"), dict) else {}
        location = place.get("name") or ", ".join(
            p for p in (place.get("city"), place.get("province"), place.get("country")) if isinstance(p, str) and p)
        department = job.get("department") if isinstance(job.get("department"), dict) else {}
        yield self.posting(
            seed, job, url=job.get("url"), title=job.get("title"), text="\n".join(sections),
            date=job.get("published_at") or job.get("created_at"),
            external_id=str(job["id"]) if job.get("id") is not None else None,
            requisition_id=job.get("requisition_id"), location_raw=location or None,
            locations=[{"name": location, "locality": place.get("city"), "region": place.get("province"),
                        "country": place.get("country")}] if location else None,
            employment_type=job.get("employment_type"), stated_workplace=stated_workplace(job.get("workplace_type")),
            department=department.get("name"), valid_through=job.get("deadline_at"), **_compensation(job))


def _compensation(job: dict) -> dict:
    if not job.get("compensation_visible"):
        return {}
    return pay_range(job.get("compensation_minimum"), job.get("compensation_maximum"),
                     job.get("compensation_currency"), job.get("compensation_frequency"))
