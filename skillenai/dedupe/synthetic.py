"""A small deterministic corpus with planted duplicates and hard negatives.

For the dedupe tests and as a stand-in for the sample web's ground truth
(``skillenai.sampleweb``) where that is not available. Rows have the sample web's truth
fields — postings: url, title, company, location_raw, role, cluster, description_text;
articles: url, title, body, cluster — plus ``source``, ``spider`` and ``day`` (days after
the first, when the copy appears).

What is planted, per company (each with its own "about us", benefits and
equal-opportunity paragraphs, and a shared template):

- **duplicates** of a job: cross-posts on another board (location spelt differently,
  bullets marked up differently), reposts days later with one to three edits (a reworded
  sentence, reordered bullets, a new salary line), re-listings with one more city;
- **hard negatives**: the same template and draws for another city, or one level up;
  different roles at the same company sharing all the boilerplate.

Articles: publications with their own boilerplate (newsletter, author lines), and
syndicated copies of an article on other publications with their own lead-in line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

_WORDS = (
    "able build clear close code common complex create customer data deliver design detail drive "
    "early effort enable engineer ensure evolve fast feature focus grow help high impact improve "
    "include inform issue keep lead learn level lift local make manage measure model modern move "
    "need next offer open operate own part plan platform practice process product quality reach "
    "real reliable review right run scale secure serve service share ship simple small solve "
    "stable strong support system team test tool track trust user value work write across "
    "between through within toward alongside partner partners metrics roadmap signals pipelines "
    "latency throughput incidents dashboards experiments releases migrations contracts vendors "
    "budgets forecasts stakeholders launches audits campaigns accounts renewals workflows "
    "schemas queries services clusters devices firmware sensors models reports tickets"
).split()
_FAMILIES = {
    "backend": (["Backend Engineer", "Software Engineer, Backend", "Backend Developer"], "eng"),
    "frontend": (["Frontend Engineer", "Software Engineer, Frontend", "UI Engineer"], "eng"),
    "data_engineer": (["Data Engineer", "Analytics Engineer"], "eng"),
    "data_scientist": (["Data Scientist", "Applied Scientist"], "eng"),
    "sre": (["Site Reliability Engineer", "DevOps Engineer", "Platform Engineer"], "eng"),
    "product_manager": (["Product Manager", "Technical Product Manager"], "biz"),
    "designer": (["Product Designer", "UX Designer"], "biz"),
    "account_executive": (["Account Executive", "Enterprise Account Executive"], "biz"),
    "recruiter": (["Technical Recruiter", "Talent Partner"], "biz"),
    "support": (["Customer Support Specialist", "Support Engineer"], "biz"),
}
_LEVELS = {"eng": ["", "Senior ", "Staff ", "Junior ", "Principal "], "biz": ["", "Senior ", "Associate ", "Lead "]}
_CITIES = [
    ("San Francisco", ["San Francisco, CA", "SF Bay Area", "San Francisco, California, United States"]),
    ("New York", ["New York, NY", "NYC", "New York City, NY"]),
    ("Seattle", ["Seattle, WA", "Seattle, Washington"]),
    ("Austin", ["Austin, TX", "Austin, Texas"]),
    ("Boston", ["Boston, MA", "Greater Boston"]),
    ("Chicago", ["Chicago, IL", "Chicago, Illinois"]),
    ("Denver", ["Denver, CO", "Denver, Colorado"]),
    ("London", ["London, UK", "London, England, United Kingdom"]),
    ("Berlin", ["Berlin, Germany", "Berlin, DE"]),
    ("Toronto", ["Toronto, ON", "Toronto, Ontario, Canada"]),
]
_REMOTE = [("the US", ["Remote - US", "United States (Remote)", "Remote (US)"]),
           ("Europe", ["Remote - Europe", "Remote (Europe)"])]
_EEO_COMMON = [
    "We are an equal opportunity employer and value diversity at our company. We do not discriminate on "
    "the basis of race, religion, color, national origin, gender, sexual orientation, age, marital status, "
    "veteran status, or disability status.",
    "All qualified applicants will receive consideration for employment without regard to race, color, "
    "religion, sex, sexual orientation, gender identity, national origin, disability or protected veteran status.",
]
_HEADINGS = ["About the role", "What you will do", "What we are looking for", "Benefits", "About us"]
_PUBLICATIONS = ["hiringwire", "talentdaily", "workforcejournal", "techjobsweekly"]


@dataclass
class Corpus:
    postings: list[dict] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)


def _sentence(r: random.Random, n: int) -> str:
    words = [r.choice(_WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


class _Company:
    def __init__(self, r: random.Random, index: int):
        self.name = f"{r.choice(['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell'])}" \
                    f" {r.choice(['Robotics', 'Labs', 'Systems', 'Health', 'Finance', 'Logistics'])} {index}"
        self.slug = self.name.lower().replace(" ", "-")
        self.about = [_sentence(r, r.randint(14, 22)) for _ in range(r.randint(2, 3))]
        self.benefits = [_sentence(r, r.randint(5, 9)) for _ in range(r.randint(5, 7))]
        self.eeo = r.choice(_EEO_COMMON) if r.random() < 0.5 else _sentence(r, 24)
        self.closing = _sentence(r, 10)
        self.offices = r.sample(range(len(_CITIES)), r.randint(2, 4))
        self.boards = r.sample(["greenhouse", "lever", "ashby"], 2)


class _Family:
    def __init__(self, r: random.Random, key: str):
        self.key = key
        self.titles, self.level_kind = _FAMILIES[key]
        self.duties = [_sentence(r, r.randint(8, 14)) for _ in range(14)]
        self.reqs = [_sentence(r, r.randint(7, 12)) for _ in range(8)]
        self.teams = [r.choice(_WORDS).capitalize() for _ in range(4)]


@dataclass
class _Job:
    cluster: str
    company: _Company
    family: _Family
    title: str
    level: str
    city: int | None  # index into _CITIES, or None when remote
    cities: list[int]
    remote: int | None  # index into _REMOTE
    duties: list[str]
    reqs: list[str]
    intro: str
    years: int
    salary: tuple[int, int] | None
    day: int


def _place_line(job: _Job, r: random.Random) -> str:
    if job.remote is not None:
        return f"This is a remote role open to candidates in {_REMOTE[job.remote][0]}."
    names = [_CITIES[c][0] for c in job.cities]
    if len(names) > 1:
        return f"This role is based in {', '.join(names[:-1])} or {names[-1]}."
    return r.choice([f"This role is based in our {names[0]} office.",
                     f"You will work from our {names[0]} office three days a week."])


def _location_raw(job: _Job, r: random.Random) -> str:
    if job.remote is not None:
        return r.choice(_REMOTE[job.remote][1])
    return "; ".join(r.choice(_CITIES[c][1]) for c in job.cities)


def _text(job: _Job, r: random.Random, *, bullet: str = "", drop_about: bool = False) -> str:
    c = job.company
    lines = []
    if not drop_about:
        lines += ["About us"] + [" ".join(c.about)]
    lines.append(job.intro)
    lines.append(_place_line(job, r))
    lines.append("What you will do")
    lines += [bullet + d for d in job.duties]
    lines.append("What we are looking for")
    lines.append(f"{bullet}{job.years}+ years of experience in a similar role.")
    lines += [bullet + q for q in job.reqs]
    if job.salary:
        lines.append(f"The salary range for this role is ${job.salary[0]:,} - ${job.salary[1]:,} per year.")
    lines.append("Benefits")
    lines += [bullet + b for b in c.benefits]
    lines.append(c.eeo)
    lines.append(c.closing)
    return "\n".join(lines)


def _new_job(r: random.Random, cluster: str, company: _Company, family: _Family, day: int,
             like: _Job | None = None, variation: str | None = None, taken: set | None = None) -> _Job:
    """A job; with ``like``, a hard negative of it that differs visibly (another city or
    level than ``like`` and than its other hard negatives, recorded in ``taken``)."""
    taken = taken if taken is not None else set()
    draws = random.Random(f"{like.cluster if like else cluster}-text")
    level = draws.choice(_LEVELS[family.level_kind])
    base = draws.choice(family.titles)
    team = draws.choice(family.teams)
    duties = draws.sample(family.duties, draws.randint(4, 6))
    reqs = draws.sample(family.reqs, draws.randint(3, 5))
    years = 3 + _LEVELS[family.level_kind].index(level)
    salary = (draws.randrange(90, 160) * 1000, draws.randrange(170, 240) * 1000) if draws.random() < 0.6 else None
    remote = None
    cities = [r.choice(company.offices)]
    if r.random() < 0.15:
        remote, cities = r.randrange(len(_REMOTE)), []
    title = level + base
    if like is not None and variation == "city":
        remote = None
        choices = [c for c in company.offices if c not in like.cities and ("city", c) not in taken] or \
            [c for c in range(len(_CITIES)) if c not in like.cities and ("city", c) not in taken]
        cities = [r.choice(choices)]
        taken.add(("city", cities[0]))
        title = like.title + (f" - {_CITIES[cities[0]][0]}" if r.random() < 0.5 else "")
    elif like is not None and variation == "level":
        ups = [lv for lv in _LEVELS[family.level_kind] if lv != like.level and ("level", lv) not in taken]
        level = r.choice(ups or [lv for lv in _LEVELS[family.level_kind] if lv != like.level])
        taken.add(("level", level))
        title = level + base
        years = 3 + _LEVELS[family.level_kind].index(level)
        remote, cities = like.remote, list(like.cities)
    intro = f"{company.name} is looking for a {title.strip()} to join the {team} team."
    return _Job(cluster, company, family, title.strip(), level, cities[0] if cities else None, cities, remote,
                duties, reqs, intro, years, salary, day)


def _posting(job: _Job, r: random.Random, *, channel: str, n: int, day: int, text: str,
             location_raw: str, dup: str) -> dict:
    company = job.company
    if channel == "site":
        url = f"https://careers.{company.slug}.example.com/jobs/{job.cluster}-{n}"
        spider, source = "jobpostings", company.slug
    else:
        url = f"https://boards.{channel}.example.com/{company.slug}/{job.cluster}-{n}"
        spider, source = channel, company.slug
    return {"url": url, "title": job.title, "company": company.name, "location_raw": location_raw,
            "role": job.family.key, "cluster": job.cluster, "description_text": text, "source": source,
            "spider": spider, "day": day, "dup_kind": dup}


def _reposted(job: _Job, r: random.Random) -> _Job:
    duties, reqs, salary = list(job.duties), list(job.reqs), job.salary
    edits = r.sample(["reword", "reorder", "salary"], r.randint(1, 3))
    if "reorder" in edits:
        r.shuffle(duties)
    if "reword" in edits:
        i = r.randrange(len(duties))
        words = duties[i].rstrip(".").split()
        j = r.randrange(len(words))
        words[j] = r.choice(_WORDS)
        duties[i] = " ".join(words) + "."
    if "salary" in edits and salary:
        salary = (salary[0] + 5000, salary[1] + 5000)
    return _Job(**{**job.__dict__, "duties": duties, "reqs": reqs, "salary": salary})


def generate_corpus(postings: int = 300, articles: int = 60, seed: int = 7) -> Corpus:
    """Postings and articles with planted duplicate clusters (``cluster``), deterministic."""
    r = random.Random(seed)
    corpus = Corpus()
    n_companies = max(2, postings // 18)
    companies = [_Company(r, i) for i in range(n_companies)]
    families = {key: _Family(random.Random(f"{seed}-{key}"), key) for key in _FAMILIES}
    jobs: list[_Job] = []
    variants_of: set[str] = set()  # hard negatives are never modelled on hard negatives
    taken: dict[str, set] = {}  # cities and levels a job's hard negatives already use
    k = 0
    while len(corpus.postings) < postings:
        company = companies[k % n_companies]
        family = families[r.choice(list(families))]
        day = r.randrange(0, 20)
        roll = r.random()
        originals = [j for j in jobs[-30:] if j.cluster not in variants_of]
        if originals and roll < 0.15:
            like = r.choice(originals)
            variation = r.choice(["city", "level"])
            job = _new_job(r, f"j{k}", like.company, like.family, day, like=like, variation=variation,
                           taken=taken.setdefault(like.cluster, set()))
            variants_of.add(job.cluster)
        else:
            job = _new_job(r, f"j{k}", company, family, day)
        jobs.append(job)
        k += 1
        board = job.company.boards[0]
        docs = [_posting(job, r, channel=board, n=0, day=day, text=_text(job, r),
                         location_raw=_location_raw(job, r), dup="original")]
        if r.random() < 0.3:  # cross-posted on the career site (or a second board)
            channel = r.choice(["site", job.company.boards[1]])
            docs.append(_posting(job, r, channel=channel, n=1, day=day + r.randint(0, 1),
                                 text=_text(job, r, bullet=r.choice(["", "- ", "• "]),
                                            drop_about=r.random() < 0.3),
                                 location_raw=_location_raw(job, r), dup="crosspost"))
        if r.random() < 0.2:  # reposted days later with small edits
            again = _reposted(job, r)
            docs.append(_posting(again, r, channel=board, n=2, day=day + r.randint(3, 10),
                                 text=_text(again, r), location_raw=_location_raw(again, r), dup="repost"))
        if r.random() < 0.08 and job.remote is None:  # re-listed with one more city
            extra = [c for c in job.company.offices if c not in job.cities]
            if extra:
                more = _Job(**{**job.__dict__, "cities": job.cities + [r.choice(extra)]})
                docs.append(_posting(more, r, channel=board, n=3, day=day + r.randint(2, 6),
                                     text=_text(more, r), location_raw=_location_raw(more, r), dup="relist"))
        corpus.postings.extend(docs)
    del corpus.postings[postings:]

    site_lines = {p: [_sentence(r, 12), _sentence(r, 8)] for p in _PUBLICATIONS}
    topics = [_sentence(r, 15) for _ in range(30)]
    a = 0
    while len(corpus.articles) < articles:
        pub = r.choice(_PUBLICATIONS)
        title = _sentence(r, 6).rstrip(".")
        paragraphs = [" ".join([r.choice(topics)] + [_sentence(r, r.randint(12, 20)) for _ in range(3)])
                      for _ in range(r.randint(4, 7))]
        day = r.randrange(0, 20)
        cluster = f"a{a}"
        a += 1
        corpus.articles.append(_article(pub, cluster, 0, title, paragraphs, site_lines[pub], day, None))
        if r.random() < 0.4:
            for i, other in enumerate(r.sample([p for p in _PUBLICATIONS if p != pub], r.randint(1, 2)), 1):
                copy = list(paragraphs)
                if r.random() < 0.4:
                    copy = copy[:-1]  # syndication often trims the last paragraph
                lead = f"This article first appeared on {pub.capitalize()} and is republished with permission."
                corpus.articles.append(_article(other, cluster, i, title if r.random() < 0.7 else _sentence(r, 6),
                                                copy, site_lines[other], day + r.randint(0, 3), lead))
    del corpus.articles[articles:]
    return corpus


def _article(pub: str, cluster: str, n: int, title: str, paragraphs: list[str], site: list[str],
             day: int, lead: str | None) -> dict:
    body = "\n".join(([lead] if lead else []) + paragraphs + site)
    return {"url": f"https://{pub}.example.com/posts/{cluster}-{n}", "title": title.rstrip("."), "body": body,
            "cluster": cluster, "source": pub, "spider": "articles", "day": day}
