"""Turning a company's jobs into posting documents on its ATS board and career site,
with the duplicates the ground truth expects the dedupe stage to find."""

import datetime as dt
import re

from . import smartrecruiters, workable, workday
from .ats import ashby_locations
from .boards import BOARD_KINDS, PAY_FIELDS
from .boards import address as board_address
from .careers import posting_path
from .locations import display, render
from .postings import Doc, stated_salary
from .rand import pick, rng, uuid4
from .text import Line

# The first two pages of each of the first career sites take turns through every kind of
# structured data, so that even the smallest web has each one; after that each site
# keeps its own habit.
FORCED_STRUCTURED = [("jsonld", False), ("graph", False), ("microdata", False), ("none", False),
                     ("broken", False), ("jsonld", True)]
FORCED_SITES, FORCED_PAGES = 8, 2
# Each company numbers its jobs and Greenhouse ids in its own range, so companies can be
# generated independently (and in parallel) with the same result.
GH_ID_BASE, GH_ID_RANGE = 4_000_000, 200_000
REQ_PREFIX = {"Engineering": "ENG", "Data": "DAT", "Sales": "SAL", "Marketing": "MKT", "Product": "PRD"}


_ABBREVIATIONS = {"sr": "senior", "jr": "junior", "mgr": "manager", "eng": "engineer"}


def _identity(job) -> tuple:
    """What tells two openings apart to a reader: the title (up to spelling) and the places."""
    words = re.findall(r"[a-z0-9+#]+", job.title.text.lower())
    title = " ".join(_ABBREVIATIONS.get(w, w) for w in words)
    return title, frozenset(getattr(p, "key", p) for p in job.spec.cities), job.spec.workplace


class Publisher:
    """Publishes the jobs of one company (the ``index``-th of the web)."""

    def __init__(self, writer, seed, as_of: dt.date, industries: dict, index: int):
        self.w = writer
        self.seed = seed
        self.as_of = as_of
        self.industries = industries
        self.index = index
        self.gh_id = GH_ID_BASE + index * GH_ID_RANGE
        self.clusters = 0
        self.site_pages = 0

    def company_docs(self, company, budget: int) -> list:
        """``budget`` posting documents for ``company``."""
        r = rng(self.seed, "publish", company.slug)
        channels = ([company.ats] if company.ats else []) + (["site"] if company.has_site else [])
        self.budget = budget
        docs, jobs = [], []
        site_id = r.randint(10000, 60000)
        while len(docs) < budget:
            remaining = budget - len(docs)
            cluster = f"job-{self.index:03d}-{self.clusters:05d}"
            self.clusters += 1
            like = variation = None
            if jobs and r.random() < 0.1:
                like = jobs[int(r.random() * len(jobs))]
                variation = "city" if r.random() < 0.7 else "level"
            job = self.w.job(company, cluster, cluster, self.industries, like, variation)
            if like is not None and any(_identity(job) == _identity(other) for other in jobs):
                # The variant came out with the title and places of a job already planted
                # (a title that already names its level, two city variants in one city):
                # nothing in it could tell the two jobs apart, so it is no hard negative.
                job = self.w.job(company, cluster, cluster, self.industries)
            jobs.append(job)
            if len(channels) == 2:
                primary = channels[(len(jobs) - 1) % 2] if len(jobs) <= 2 else pick(r, [(channels[0], 55), ("site", 45)])
            else:
                primary = channels[0]
            kinds = []
            roll = r.random()
            if remaining >= 2:
                if len(channels) == 2:
                    kinds = ["crosspost"] if roll < 0.12 else (["repost"] if roll < 0.145 else (["relist"] if roll < 0.16 else []))
                else:
                    kinds = ["repost"] if roll < 0.05 else (["relist"] if roll < 0.07 else [])
                if kinds and remaining >= 3 and r.random() < 0.08:
                    kinds.append("repost")
            span = {"crosspost": 2, "repost": 14, "relist": 10}
            latest_offset = sum(span[k] for k in kinds)
            if (self.as_of - job.posted).days < latest_offset:
                job.posted = self.as_of - dt.timedelta(days=latest_offset)
            day = job.posted
            original = self._doc(r, job, primary, "original", job.blocks, job.spec, job.salary, day, site_id)
            site_id += r.randint(1, 37)
            docs.append(original)
            prev = original
            for kind in kinds:
                if kind == "crosspost":
                    other = [c for c in channels if c != primary][0]
                    day = min(self.as_of, day + dt.timedelta(days=r.randint(0, 2)))
                    blocks = job.blocks
                    if r.random() < 0.4:
                        blocks = [b for b in blocks if b.section != "about_us"]
                    doc = self._doc(r, job, other, "crosspost", blocks, job.spec, job.salary, day, site_id,
                                    title=self._title_variant(r, job))
                elif kind == "repost":
                    day = min(self.as_of, day + dt.timedelta(days=r.randint(3, 14)))
                    blocks, salary = self.w.reposted(r, prev.blocks, job.salary, prev.spec)
                    doc = self._doc(r, job, prev.channel, "repost", blocks, prev.spec, salary, day, site_id,
                                    title=prev.title)
                else:
                    day = min(self.as_of, day + dt.timedelta(days=r.randint(1, 10)))
                    relisted = self.w.relisted(r, job, prev.blocks)
                    if relisted is None:
                        blocks, salary = self.w.reposted(r, prev.blocks, job.salary, prev.spec)
                        doc = self._doc(r, job, prev.channel, "repost", blocks, prev.spec, salary, day, site_id,
                                        title=prev.title)
                    else:
                        spec, blocks = relisted
                        doc = self._doc(r, job, prev.channel, "relist", blocks, spec, job.salary, day, site_id,
                                        title=prev.title)
                site_id += r.randint(1, 37)
                docs.append(doc)
                prev = doc
        return docs

    def _title_variant(self, r, job):
        """The title as the other channel writes it (sometimes exactly the same)."""
        t = job.title.text
        roll = r.random()
        if roll < 0.5:
            return job.title
        if " (m/f/d)" in t or " (m/w/d)" in t:
            t = t.replace(" (m/f/d)", "").replace(" (m/w/d)", "")
        elif t.startswith("Senior "):
            t = "Sr. " + t[len("Senior "):]
        elif t.startswith("Sr. "):
            t = "Senior " + t[len("Sr. "):]
        elif job.spec.cities and " - " not in t:
            t = f"{t} - {display(job.spec.cities[0])}"
        return Line(t, job.title.skills, job.title.phrases)

    def _doc(self, r, job, channel, kind, blocks, spec, salary, day, site_id, title=None) -> Doc:
        company = job.company
        moment = self.w.when(r, day, company)
        title = title or job.title
        if channel == "greenhouse":
            self.gh_id += r.randint(1, max(1, min(3000, GH_ID_RANGE // 3 // max(1, self.budget))))
            doc_id = self.gh_id
            url = f"http://greenhouse.sample.test/{company.board}/jobs/{doc_id}"
        elif channel == "lever":
            doc_id = uuid4(r)
            url = f"http://lever.sample.test/{company.board}/{doc_id}"
        elif channel == "ashby":
            doc_id = uuid4(r)
            url = f"http://ashby.sample.test/{company.board}/{doc_id}"
        elif channel == "workday":
            doc_id = f"JR{100000 + self.index * 10000 + self.clusters * 3 + r.randint(0, 2):06d}"
            url = None  # its path names the job's place and title: set below
        elif channel == "smartrecruiters":
            doc_id = str(743999700000000 + self.index * 1_000_000 + r.randint(0, 999_999))
            url = None
        elif channel == "workable":
            doc_id = f"{r.getrandbits(40):010X}"
            url = workable.public_url(company.board, doc_id)
        elif channel in BOARD_KINDS:
            doc_id, url = board_address(r, channel, company.board, title.text)
        else:
            doc_id = site_id
            url = None
        structured, malformed = ("ats", False) if channel != "site" else self._structured(r, company)
        if channel == "site":
            structured_salary = structured in ("jsonld", "graph", "microdata") and r.random() < 0.75
        else:
            structured_salary = channel in ("lever", "ashby", *PAY_FIELDS) and r.random() < 0.85
        has_comp = any(b.section == "comp" for b in blocks)
        if has_comp:
            doc_salary = stated_salary(blocks)
        elif salary and (structured_salary or channel == "greenhouse"):
            doc_salary = salary
        else:
            doc_salary = None
        doc = Doc(job=job, channel=channel, doc_id=doc_id, url=url, title=title, spec=spec,
                  location_raw=render(r, spec), blocks=blocks, posted=moment, salary=doc_salary,
                  salary_structured=bool(doc_salary) and (structured_salary or channel == "greenhouse"),
                  dup_kind=kind, structured=structured, malformed=malformed)
        if channel == "site":
            doc.url = company.origin + posting_path(doc)
            if structured in ("jsonld", "graph", "microdata") and r.random() < 0.35:
                vt = day + dt.timedelta(days=r.choice((30, 45, 60, 90)))
                doc.valid_through = vt if vt > self.as_of else self.as_of + dt.timedelta(days=r.randint(14, 60))
        elif channel == "greenhouse":
            doc.extra["internal_id"] = doc_id - 1500000 + r.randint(0, 999)
            dept = self.w.roles[job.family]["department"]
            roll = r.random()
            doc.extra["requisition"] = (f"{REQ_PREFIX.get(dept, 'REQ')}-{r.randint(1, 9999):04d}" if roll < 0.45 else
                                        (str(r.randint(1000, 99999)) if roll < 0.6 else None))
            end = dt.datetime(self.as_of.year, self.as_of.month, self.as_of.day, 20, 0, tzinfo=moment.tzinfo)
            doc.extra["latest"] = max(end, moment)
        elif channel == "ashby":
            primary, secondary = ashby_locations(r, doc)
            doc.extra["ashby_locations"] = (primary, secondary)
            doc.location_raw = "; ".join([primary, *secondary])
        elif channel == "workday":
            doc.url = workday.public_url(company, workday.external_path(doc))
        elif channel == "smartrecruiters":
            doc.url = smartrecruiters.public_url(company, doc_id, title.text)
            doc.extra["ref"] = f"REF{r.randint(1, 99999)}{'ABCDEFGHJKLMNPQRSTUVWXYZ'[r.randint(0, 23)]}"
        elif channel == "workable":
            # Workable gives only structured places: the location is what they spell.
            doc.location_raw = workable.location_text(workable.places(doc))
        return doc

    def _structured(self, r, company) -> tuple:
        n = self.site_pages
        self.site_pages += 1
        if self.index < FORCED_SITES and n < FORCED_PAGES:
            return FORCED_STRUCTURED[(n + self.index) % len(FORCED_STRUCTURED)]
        habits = company.site
        kind = habits["structured"]
        if habits["mixed"]:
            kind = pick(r, [("jsonld", 50), ("graph", 20), ("microdata", 14), ("none", 16)])
        if kind in ("jsonld", "graph") and r.random() < 0.05:
            return "broken", False
        return kind, kind in ("jsonld", "graph") and r.random() < 0.06
