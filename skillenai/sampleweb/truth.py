"""Ground-truth rows (JSON Lines under ``{out}/truth/``)."""

import json

from .boards import BOARD_KINDS

ATS = ("greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable")
SPIDER = {**{ats: ats for ats in ATS}, "site": "jobpostings"}
SITE = {ats: ats for ats in ATS}
# Boards read in one response per company (boards.py): spider, site and channel share the name.
SPIDER.update({kind: kind for kind in BOARD_KINDS})
SITE.update({kind: kind for kind in BOARD_KINDS})


def posting_row(doc) -> dict:
    """The truth for one posting document. Field list: see ``docs`` in generate.py."""
    job, company = doc.job, doc.job.company
    where = doc.spec.truth()
    salary = doc.salary
    return {
        "url": doc.url,
        "spider": SPIDER[doc.channel],
        "source": company.name,
        "company": company.name,
        "title": doc.title.text,
        "location_raw": doc.location_raw,
        "locations": where["locations"],
        "remote": where["remote"],
        "hybrid": where["hybrid"],
        "remote_scope": where["remote_scope"],
        "skills": sorted(doc.skills),
        "non_skill_phrases": sorted(doc.phrases),
        "role": job.family,
        "date_posted": doc.posted.date().isoformat(),
        "valid_through": doc.valid_through.isoformat() if doc.valid_through else None,
        # None where the document does not state it (a Teamtailor RSS item has no field for it).
        "employment_type": job.employment if doc.extra.get("employment_stated", True) else None,
        "workplace": doc.spec.workplace,
        "salary": ({"min": salary["min"], "max": salary["max"], "currency": salary["currency"],
                    "period": salary["period"]} if salary else None),
        "cluster": job.cluster,
        "structured": doc.structured,
        "description_text": "\n".join(line for line in doc.extra["description_lines"] if line),
        "site": SITE.get(doc.channel, company.slug),
        "lang": "en",
        "malformed_jsonld": doc.malformed,
        "dup_kind": doc.dup_kind,
        "sibling_of": job.sibling_of,
    }


def article_row(a) -> dict:
    return {
        "url": a.url,
        "site": a.site,
        "title": a.title.text,
        "author": a.author,
        "date": a.published.date().isoformat(),
        "lang": a.lang,
        "body": "\n".join(a.body_lines),
        "skills": sorted(a.skills),
        "places": [p.truth() for p in a.places],
        "cluster": a.cluster,
        "kind": a.kind,
        "non_skill_phrases": sorted(a.phrases),
        "syndicated_from": a.copy_of,
    }


class JsonLines:
    """An append-only JSON Lines file."""

    def __init__(self, path):
        self.fh = open(path, "w", encoding="utf-8", newline="\n")
        self.count = 0

    def write(self, row: dict):
        self.fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.count += 1

    def write_raw(self, lines):
        """Write rows already encoded as JSON (one string each)."""
        for line in lines:
            self.fh.write(line + "\n")
            self.count += 1

    def close(self):
        self.fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
