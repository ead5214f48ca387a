"""Personio career sites: the XML feed ``GET {PERSONIO_URL}/xml?language=en`` (``<workzag-jobs>``),
every position at once; a position's page is ``{PERSONIO_URL}/job/{id}``."""

from __future__ import annotations

import lxml.etree

from skillenai.crawler.parsing.discovery import child_text
from skillenai.crawler.parsing.extract import html_to_text
from skillenai.crawler.spiders.boards import BoardSpider, join_places

# Personio's employmentType says the contract; its schedule says the hours.
_CONTRACTS = {"intern": "intern", "trainee": "intern", "working_student": "intern", "freelance": "contract",
              "temporary": "temporary"}


class PersonioSpider(BoardSpider):
    name = "personio"
    url_setting = "PERSONIO_URL"
    listing_path = "/xml?language=en"

    def jobs(self, response, seed):
        positions = self.xml_elements(response, "position", "XML feed")
        return None if positions is None else [_position(p) for p in positions]

    def job_results(self, job, seed, response):
        if not job.get("id"):
            self.bad_shape(response, f"a position without <id> ({job.get('name')!r})")
            return
        sections = []
        for heading, value in job["descriptions"]:
            sections += [heading, html_to_text(value)]
        offices = [job.get("office"), *job["offices"]]
        employment = _CONTRACTS.get(str(job.get("employmentType") or "").lower()) or job.get("schedule")
        yield self.posting(
            seed, job["xml"], raw_type="xml", url=f"{self.base_url(seed)}/job/{job['id']}", title=job.get("name"),
            text="\n".join(s for s in sections if s), date=job.get("createdAt"), external_id=job["id"],
            company=job.get("subcompany") or seed.source, location_raw=join_places(offices),
            locations=[{"name": o} for o in dict.fromkeys(offices) if o] or None,
            employment_type=employment, department=job.get("department"))


def _position(element) -> dict:
    """A ``<position>`` as a dict of its simple fields, with its offices and descriptions."""
    fields = {lxml.etree.QName(child).localname: (child.text or "").strip()
              for child in element if isinstance(child.tag, str) and len(child) == 0}
    fields = {k: v for k, v in fields.items() if v}
    fields["offices"] = [(o.text or "").strip() for o in element.iterfind("{*}additionalOffices/{*}office")]
    fields["descriptions"] = [(child_text(d, "name") or "", child_text(d, "value") or "")
                              for d in element.iterfind("{*}jobDescriptions/{*}jobDescription")]
    fields["xml"] = lxml.etree.tostring(element, encoding="unicode")
    return fields
