"""Fictional employers: names, industries, offices, boards and their boilerplate.

Each company keeps one template (section order, headings, markup style) and one block
of boilerplate ("about us", benefits, equal-opportunity statement) across all its
postings, as real employers do; that shared text is what makes different jobs at the
same company look alike to a near-duplicate detector.
"""

import re
from dataclasses import dataclass, field

from . import datafiles
from .boards import BOARD_KINDS
from .locations import Place, display, places
from .rand import Weighted, pick, rng
from .text import Line, fill, finish

RESERVED_SITES = {"greenhouse", "lever", "ashby", "blog", "news", "www", "api", "workday", "smartrecruiters",
                  "workable", *BOARD_KINDS}
ATS_KINDS = ("greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable")

# The first companies are laid out by hand so that even a 50-posting web has every
# kind of source: each ATS, career sites with and without a sitemap, and employers
# whose roles are not engineering (nurses, teachers).
#            (ats,         career site, sitemap, industry)
FIRST_PLAN = [("greenhouse", True, True, "saas"),
              ("lever", False, False, "fintech"),
              ("ashby", True, True, "ai"),
              (None, True, False, "ecommerce"),
              ("greenhouse", False, False, "hospital"),
              ("lever", True, True, "devtools"),
              ("ashby", False, False, "security"),
              (None, True, True, "education"),
              ("workday", False, False, "hospital"),
              ("smartrecruiters", True, True, "retail"),
              ("workable", False, False, "saas")]

# Sites whose HTML comes from very different stacks: a CMS theme, a single-page app
# framework, and an older corporate portal.
SKELETONS = ("classic", "spa", "portal")
# Hospitals, schools and shops: one country, big headcount, no tech-startup boilerplate.
LOCAL_INDUSTRIES = ("hospital", "education", "retail")
STRUCTURED = ("jsonld", "graph", "microdata", "none")


@dataclass
class Company:
    slug: str
    name: str
    industry: str
    offices: list                       # Place objects, headquarters first
    ats: str = None                     # greenhouse | lever | ashby | a board kind | None
    board: str = None                   # board token / site / board name on the ATS
    has_site: bool = False
    sitemap: bool = False
    weight: float = 1.0
    founded: int = 2015
    size: int = 100
    desc: str = ""
    products: list = field(default_factory=list)
    about: list = field(default_factory=list)        # Lines
    eeo: Line = None
    benefits: list = field(default_factory=list)     # Lines
    layouts: list = field(default_factory=list)
    headings: dict = field(default_factory=dict)
    html_style: dict = field(default_factory=dict)
    site: dict = field(default_factory=dict)         # career-site look and habits
    departments: dict = field(default_factory=dict)  # name -> id
    office_ids: dict = field(default_factory=dict)   # place key -> id
    street: dict = field(default_factory=dict)       # place key -> street address
    postal: dict = field(default_factory=dict)       # place key -> postal code

    @property
    def hq(self) -> Place:
        return self.offices[0]

    @property
    def origin(self) -> str:
        return f"http://{self.slug}.sample.test"


def company_count(postings: int) -> int:
    return max(len(FIRST_PLAN), min(400, postings // 120))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def build_companies(seed, n: int, year: int, vocab, boards=()) -> list:
    """``n`` companies, deterministic in ``seed``; ``vocab`` spells their tech stacks. Then
    one more for each board kind of ``boards`` (``boards.BOARD_KINDS``), with no career
    site: the first ``n`` are the same with or without them."""
    data = datafiles.load("companies")
    pdata = datafiles.load("postings")
    r = rng(seed, "companies")
    industries = data["industries"]
    ind_pick = Weighted(list(industries), [v["weight"] for v in industries.values()])
    used_slugs = set(RESERVED_SITES)
    companies = []
    for i in range(n + len(boards)):
        if i >= n:
            industry, ats, has_site, sitemap = ind_pick.pick(r), boards[i - n], False, False
        elif i < len(FIRST_PLAN):
            ats, has_site, sitemap, industry = FIRST_PLAN[i]
        else:
            industry = ind_pick.pick(r)
            kind = pick(r, [("ats", 40), ("both", 40), ("site", 20)])
            ats = None if kind == "site" else pick(r, [("greenhouse", 45), ("lever", 30), ("ashby", 25), ("workday", 12),
                                                       ("smartrecruiters", 8), ("workable", 8)])
            has_site = kind != "ats"
            sitemap = has_site and r.random() < 0.75
        ind = industries[industry]
        name = _name(r, data, ind, used_slugs)
        slug = slugify(name)
        used_slugs.add(slug)
        c = Company(slug=slug, name=name, industry=industry, offices=_offices(r, industry),
                    ats=ats, has_site=has_site, sitemap=sitemap)
        # hospitals, schools and shops post fewer jobs online than tech employers
        c.weight = r.lognormvariate(0, 0.7) * (0.4 if industry in LOCAL_INDUSTRIES else 1.0)
        c.founded = r.randint(1890, 1990) if industry in LOCAL_INDUSTRIES else r.randint(1998, 2022)
        if industry in LOCAL_INDUSTRIES and r.random() < 0.25:
            c.founded = year - 40   # old enough for a "ruby anniversary"
        c.size = (r.randint(800, 20000) if industry in LOCAL_INDUSTRIES else
                  pick(r, [(r.randint(25, 150), 3), (r.randint(150, 900), 4), (r.randint(900, 9000), 2)]))
        c.desc = ind["desc"][int(r.random() * len(ind["desc"]))]
        c.products = r.sample(ind["products"], min(3, len(ind["products"])))
        if ats == "greenhouse":
            c.board = slug.replace("-", "")
        elif ats == "lever":
            c.board = slug
        elif ats == "ashby":
            c.board = slug if r.random() < 0.5 else re.sub(r"[^A-Za-z0-9]", "", name)
        elif ats == "workday":  # tenant/site
            c.board = slug.replace("-", "") + "/" + ("External" if r.random() < 0.5 else f"{slug.split('-')[0].title()}_Careers")
        elif ats == "smartrecruiters":
            c.board = re.sub(r"[^A-Za-z0-9]", "", name) + ("1" if r.random() < 0.3 else "")
        elif ats:  # workable and the extra boards (boards.py)
            c.board = slug
        _boilerplate(r, c, data, industry, year, vocab)
        _template(r, c, pdata)
        _site_habits(r, c)
        c.departments = {}
        c.office_ids = {p.key: 4000000 + r.randint(0, 99999) * 10 + k for k, p in enumerate(c.offices)}
        c.street = {p.key: f"{r.randint(1, 999)} {p.streets[int(r.random() * len(p.streets))]}"
                    for p in c.offices}
        c.postal = {p.key: postal_code(r, p) for p in c.offices}
        companies.append(c)
    return companies


def postal_code(r, p) -> str:
    """A postal code in the country's format, starting with the city's prefix."""
    pre, cc = p.postal, p.country
    if cc == "GB":
        return f"{pre} {r.randint(1, 9)}{r.choice('ABDEFGHJLNPQRSTUWXY')}{r.choice('ABDEFGHJLNPQRSTUWXY')}"
    if cc == "CA":
        return f"{pre} {r.randint(1, 9)}{r.choice('ABCEGHJKLMNPRSTVXY')}{r.randint(1, 9)}"
    if cc == "NL":
        return f"{pre}{r.randint(0, 9)} {r.choice('ABCDEGHJKLMNPRSTVWXZ')}{r.choice('ABCDEGHJKLMNPRSTVWXZ')}"
    if cc == "IE":
        return f"{pre} {r.choice('ACDEFHKNPRTVWXY')}{r.randint(100, 999)}"
    if cc in ("US", "DE", "FR", "ES", "IT", "FI", "MX"):
        return pre + "".join(str(r.randint(0, 9)) for _ in range(5 - len(pre)))
    if cc == "PL":
        return pre + f"{r.randint(0, 999):03d}"
    if cc in ("IN", "RO", "SG", "JP", "CZ", "SE"):
        return pre + "".join(str(r.randint(0, 9)) for _ in range(6 - len(pre)))
    return pre + str(r.randint(0, 9))


def _name(r, data, ind, used) -> str:
    for _ in range(200):
        roll = r.random()
        suffix = ind["suffixes"][int(r.random() * len(ind["suffixes"]))]
        if roll < 0.3:
            name = data["coined"][int(r.random() * len(data["coined"]))]
            if r.random() < 0.3 and " " not in name:
                name = f"{name} {suffix}"
        else:
            first = data["first"][int(r.random() * len(data["first"]))]
            if roll < 0.45 and suffix.isalpha() and " " not in suffix and len(suffix) > 2:
                name = first + suffix.lower()
            else:
                name = f"{first} {suffix}"
        if slugify(name) not in used:
            return name
    raise RuntimeError("ran out of company names; add name parts to data/companies.json")


def _offices(r, industry) -> list:
    pl = places()
    local_only = industry in LOCAL_INDUSTRIES
    # local employers here are American (nursing licences, school grades and BLS cards are)
    region = "US" if local_only else pick(r, [("US", 62), ("EMEA", 26), ("OTHER", 12)])
    if region == "US":
        hq = pl.us.pick(r)
    elif region == "EMEA":
        hq = pl.by_region["EMEA"].pick(r)
    else:
        hq = pick(r, [(p, p.weight) for p in pl.cities if p.region in ("APAC", "LATAM") or p.country == "CA"])
    offices = [hq]
    for _ in range(pick(r, [(0, 2), (1, 3), (2, 3), (3, 2), (4, 1)])):
        if local_only:
            cand = pick(r, [(p, p.weight) for p in pl.cities if p.country == hq.country])
        else:
            cand = pl.all.pick(r)
        if cand not in offices:
            offices.append(cand)
    return offices


def _and_list(names) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _boilerplate(r, c: Company, data, industry, year, v):
    ind = data["industries"][industry]
    others = [display(p) for p in c.offices[1:]] or [display(c.hq)]
    ctx = {"company": c.name, "desc": c.desc, "product": c.products[0],
           "customers": ind["customers"][int(r.random() * len(ind["customers"]))],
           "customers_n": f"{r.randint(2, 90) * 100:,}", "year": c.founded, "hq": display(c.hq),
           "offices": _and_list(others), "size": f"{c.size:,}",
           "mission": ind["missions"][int(r.random() * len(ind["missions"]))],
           "money": r.randint(4, 30) * 5}
    about = [fill(data["about"][int(r.random() * len(data["about"]))], ctx)]
    kinds = {"any", "local" if industry in LOCAL_INDUSTRIES else "tech"}
    if industry == "education":
        kinds.add("education")
    if c.founded == year - 40:
        kinds.add("anniversary")
    extras = [e["text"] for e in data["about_extra"] if e["for"] in kinds]
    for t in r.sample(extras, pick(r, [(0, 3), (1, 4), (2, 2)])):
        if "{stack}" in t:
            names = r.sample(["Python", "Go", "TypeScript", "React", "PostgreSQL", "Kubernetes", "Amazon Web Services",
                              "Google Cloud Platform", "Apache Kafka", "Snowflake", "Terraform", "Rust", "Java",
                              "Ruby on Rails", "Node.js"], r.randint(3, 5))
            # company-wide boilerplate: the same spelling on every posting of this company
            surfaces = [v.variant(r, n) for n in names]
            ctx["stack"] = Line(_and_list(surfaces), names)
        about.append(fill(t, ctx))
    if len(about) > 1 and r.random() < 0.6:
        about = [Line(" ".join(a.text for a in about), [s for a in about for s in a.skills],
                      [p for a in about for p in a.phrases])]
    c.about = about
    c.eeo = fill(data["eeo"][int(r.random() * len(data["eeo"]))], {"company": c.name})
    region = "US" if c.hq.country == "US" else ("GB" if c.hq.country == "GB" else ("EU" if c.hq.region == "EMEA" else "any"))
    pool = (data["benefits"].get(region, []) if region != "any" else []) + data["benefits"]["any"]
    picked = r.sample(pool, min(len(pool), r.randint(5, 9)))
    # perks that plant an ambiguous word ("chef", "java") go to a few companies only
    picked += [b for b in data["benefits"]["planted"] if r.random() < 0.2]
    c.benefits = [finish(b) for b in picked]


def _template(r, c: Company, pdata):
    layouts = pdata["layouts"]
    first = int(r.random() * len(layouts))
    second = int(r.random() * len(layouts))
    c.layouts = [layouts[first], layouts[second]]
    c.headings = {sec: opts[int(r.random() * len(opts))] for sec, opts in pdata["headings"].items()}
    c.html_style = {"h": pick(r, [("h3", 4), ("h2", 2), ("h4", 1), ("strong", 3), ("b", 1), ("colon", 1)]),
                    "list": pick(r, [("ul", 8), ("ul_p", 2), ("bullet", 1), ("dash", 1)]),
                    "spacer": r.random() < 0.2,
                    "p": "p" if r.random() < 0.9 else "div"}


def _site_habits(r, c: Company):
    c.site = {
        "skeleton": SKELETONS[int(r.random() * len(SKELETONS))],
        # most sites settle on one way of publishing structured data; a few mix
        "structured": pick(r, [("jsonld", 50), ("graph", 20), ("microdata", 14), ("none", 16)]),
        "mixed": r.random() < 0.25,
        "prefix": pick(r, [("cs", 1), ("jb", 1), ("careers", 1), ("wp", 1), ("c", 1), ("x", 1)]),
        "hash": "%05x" % r.getrandbits(20),
        "nav": int(r.random() * 5), "cookie": int(r.random() * 4), "newsletter": int(r.random() * 3),
        "share": int(r.random() * 3), "related": int(r.random() * 5), "apply": int(r.random() * 5),
        "back": int(r.random() * 4), "footer": int(r.random() * 4), "listing": int(r.random() * 5),
        "listing_intro": int(r.random() * 4), "hero": int(r.random() * 4), "home": int(r.random() * 3),
        "color": "#%06x" % r.getrandbits(24),
        "escaped_jsonld": r.random() < 0.12,   # JSON-LD description HTML-entity encoded
        "date_style": pick(r, [("date", 5), ("datetime", 3), ("zulu", 1)]),
        "internal": r.sample(range(4), r.randint(1, 3)),
        "extra_robots": r.random() < 0.3,
    }
