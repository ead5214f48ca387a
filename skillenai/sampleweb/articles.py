"""Market-insight articles: blog posts and news stories about skills, metros and hiring.

Bodies are assembled from sentence pools (``data/articles.json``) around a few chosen
skills and metros, in the voice of the article's kind (trend piece, guide, city report,
listicle, news story). Every skill and city written is recorded for the ground truth.
"""

import datetime as dt
from dataclasses import dataclass, field

from . import datafiles
from .locations import places
from .rand import Weighted, pick, rng
from .text import Block, Line, fill, heading, items, para, skills_of

MIN_WORDS, MAX_WORDS = 300, 900
WINDOW_DAYS = 180
CITY_SLOTS = ("city", "city2", "city3")
FILLER_HEADINGS = {"trend": "h_trend", "advice": "h_advice", "metro": "h_metro", "pairing": "h_pairing",
                   "role": "h_role", "remote": "h_remote", "salary": "h_salary", "interview": "h_interview"}


@dataclass
class Article:
    cluster: str
    site: str                  # blog | news
    lang: str
    kind: str
    title: Line
    author: str
    published: dt.datetime
    blocks: list
    places: list               # Place objects named in the body
    category: str
    summary: str
    comments: list = field(default_factory=list)
    url: str = ""
    slug: str = ""
    copy_of: str = None        # cluster of the original, for syndicated copies

    @property
    def body_lines(self) -> list:
        out = []
        for b in self.blocks:
            out.extend([b.heading] if b.kind == "h" else [ln.text for ln in b.lines])
        return out

    @property
    def skills(self) -> list:
        return list(dict.fromkeys([*self.title.skills, *skills_of(self.blocks)]))

    @property
    def phrases(self) -> list:
        return list(dict.fromkeys(p for b in self.blocks for ln in b.lines for p in ln.phrases))


class ArticleWriter:
    def __init__(self, seed, as_of: dt.date, vocab, company_names):
        self.seed = seed
        self.as_of = as_of
        self.vocab = vocab
        self.data = datafiles.load("articles")
        self.roles = datafiles.load("roles")
        self.company_names = company_names or ["Northwind Labs"]
        days = [as_of - dt.timedelta(days=WINDOW_DAYS - 1 - i) for i in range(WINDOW_DAYS)]
        self.days = Weighted(days, [(1.0, 1.1, 1.1, 1.0, 0.8, 0.25, 0.2)[d.weekday()] for d in days])

    def article(self, cluster: str, site: str, lang: str) -> Article:
        r = rng(self.seed, "article", cluster)
        data = self.data
        langdata = data[lang]
        kinds = langdata["kinds"]
        names = list(kinds)
        weights = [kinds[k]["weight"] * (2.5 if kinds[k].get("news") and site == "news" else 1.0) for k in names]
        kind = Weighted(names, weights).pick(r)
        spec = kinds[kind]
        day = self.days.pick(r)
        published = dt.datetime(day.year, day.month, day.day, r.randint(6, 18), r.choice((0, 15, 30, 45)),
                                tzinfo=dt.timezone.utc)
        ctx, skills, cities = self._context(r, lang, published)
        used = set()
        title_t = spec["titles"][int(r.random() * len(spec["titles"]))]
        title = self._fill(r, title_t, ctx, skills)
        title = Line(title.text[0].upper() + title.text[1:], title.skills, title.phrases)
        blocks = []
        for section in spec["sections"]:
            pool, head_key, n_paras = section[0], section[1], section[2]
            if head_key:
                heads = langdata["headings"][head_key]
                blocks.append(heading(head_key, heads[int(r.random() * len(heads))]))
            for _ in range(n_paras if pool in langdata["pools"] else 0):   # a list-only section
                size = 2 if pool.endswith("lede") else (1 if pool == "quote" else 3)
                line = self._paragraph(r, langdata["pools"][pool], ctx, skills, used, size)
                if line is not None:
                    blocks.append(para(pool, line))
            if len(section) > 3:
                blocks.append(self._list(r, langdata, section[3], ctx, skills))
        if lang != "en" or r.random() < 0.3:
            planted = langdata["pools"]["planted"]
            pos = [i for i, b in enumerate(blocks) if b.kind == "p"]
            i = pos[int(r.random() * len(pos))]
            b = blocks[i]
            extra = fill(planted[int(r.random() * len(planted))], ctx)
            blocks[i] = para(b.section, Line(b.lines[0].text + " " + extra.text, b.lines[0].skills, extra.phrases))
        blocks = self._fit(r, blocks, langdata, ctx, skills, used)
        named = set()
        if kind.startswith("news") and lang == "en" and blocks and blocks[0].kind == "p":
            # a news dateline names the city the story is filed from
            blocks[0] = para(blocks[0].section, Line(f"{cities[0].name.upper()} — " + blocks[0].lines[0].text,
                                                     blocks[0].lines[0].skills, blocks[0].lines[0].phrases))
            named.add(0)
        text = title.text + "\n" + "\n".join(b.heading if b.kind == "h" else b.lines[0].text if b.kind == "p"
                                              else "\n".join(ln.text for ln in b.lines) for b in blocks)
        named |= {i for i, slot in enumerate(CITY_SLOTS) if ctx[slot] in text}
        named = [cities[i] for i in sorted(named)]
        author = data["authors"][int(r.random() * len(data["authors"]))]
        category = {"skill_trend": "Insights", "role_market": "Guides", "metro_report": "Data",
                    "salary_report": "Salaries", "remote_work": "Remote work", "listicle": "Career advice"}.get(kind, "Work")
        first_para = next((b.lines[0].text for b in blocks if b.kind == "p"), "")
        summary = first_para if len(first_para) < 240 else first_para[:237].rsplit(" ", 1)[0] + "…"
        comments = []
        for _ in range(pick(r, [(0, 3), (1, 3), (2, 3), (3, 2), (5, 1)])):
            comments.append((data["commenters"][int(r.random() * len(data["commenters"]))],
                             data["comments"][int(r.random() * len(data["comments"]))],
                             published + dt.timedelta(hours=r.randint(2, 200))))
        return Article(cluster=cluster, site=site, lang=lang, kind=kind, title=title, author=author,
                       published=published, blocks=blocks, places=named, category=category,
                       summary=summary, comments=comments)

    # pieces -------------------------------------------------------------------------------
    def _context(self, r, lang, published):
        data = self.data
        if lang == "en":
            family = pick(r, [(f, self.roles[f]["weight"]) for f in data["role_display"]])
            names = data["role_display"][family]
            named = names[3] if len(names) > 3 else []
            role, role_lc, role_pl = (Line(n, named) for n in names[:3])
        else:
            family = pick(r, [(f, 1) for f in data["role_names"][lang]])
            names = data["role_names"][lang][family]
            named = names[2] if len(names) > 2 else []
            role_lc, role_pl = Line(names[0], named), Line(names[1], named)
            role = role_lc
        pool = {n: w for n, w in self.roles[family]["skills"].items() if self.vocab.category[n] != "soft"}
        t = 1.0 - (self.as_of - published.date()).days / WINDOW_DAYS
        skills = self.vocab.draw(r, pool, 9, t)
        pl = places()
        cities = []
        while len(cities) < 3:
            p = pl.all.pick(r)
            if p not in cities and all(p.city != c.city for c in cities):
                cities.append(p)
        up = self.vocab.trend[skills[0]] >= 0
        months = data["months"][lang]
        m2 = published.month - 1
        ctx = {"role": role, "role_lc": role_lc, "role_pl": role_pl,
               "role_pl_de": role_pl, "role_pl_fr": role_pl, "role_fr": role_lc,
               "pct": r.randint(4, 46), "n": r.choice((120, 250, 480, 900, 1200, 2500, 4000)) + r.randint(0, 99),
               "k": r.randint(5, 7), "m": r.randint(8, 13), "window": r.choice((30, 60, 90)),
               "year": published.year, "lastyear": published.year - 1,
               "month": months[(m2 - 1) % 12], "month2": months[m2],
               "month_de": months[(m2 - 1) % 12], "month2_de": months[m2],
               "month_fr": months[(m2 - 1) % 12], "month2_fr": months[m2],
               "company": self.company_names[int(r.random() * len(self.company_names))],
               "person": data["people"][int(r.random() * len(data["people"]))],
               "person2": data["people"][int(r.random() * len(data["people"]))],
               "persona": data["en"]["personas"][int(r.random() * len(data["en"]["personas"]))],
               "scope": r.choice(("the United States", "Europe", "their home country")),
               "rose_fell": "rose" if up else "fell", "risen_fallen": "risen" if up else "fallen", "up_down": "up" if up else "down",
               "rising_falling": "rising" if up else "cooling", "moved": "grown" if up else "cooled",
               "rising_falling_de": "steigt" if up else "sinkt", "gestiegen_gesunken": "gestiegen" if up else "gesunken",
               "hoeher_niedriger": "höher" if up else "niedriger",
               "rising_falling_fr": "progresse" if up else "recule", "augmente_baisse": "augmenté" if up else "baissé",
               "hausse_baisse": "hausse" if up else "baisse"}
        lo = r.randint(70, 140) * 1000
        ctx.update({"sal_lo": f"${lo:,}", "sal_hi": f"${lo + r.randint(30, 80) * 1000:,}",
                    "sal_mid": f"${lo + r.randint(10, 30) * 1000:,}"})
        for slot, p in zip(CITY_SLOTS, cities):
            ctx[slot] = p.local if lang == "de" and p.local else (p.name if not p.qualify else p.short[-1])
        return ctx, skills, cities

    def _fill(self, r, template, ctx, skills) -> Line:
        # each mention of a skill may be spelled differently ("Kubernetes", then "k8s")
        for slot, name in zip(("skill", "skill2", "skill3"), skills):
            ctx[slot] = Line(self.vocab.variant(r, name), [name])
        return fill(template, ctx)

    def _paragraph(self, r, pool, ctx, skills, used, n):
        fresh = [t for t in pool if t not in used]
        if not fresh:
            return None
        chosen = r.sample(fresh, min(len(fresh), n + (1 if r.random() < 0.4 else 0)))
        used.update(chosen)
        lines = [self._fill(r, t, ctx, skills) for t in chosen]
        return Line(" ".join(ln.text for ln in lines), [s for ln in lines for s in ln.skills],
                    [p for ln in lines for p in ln.phrases])

    def _list(self, r, langdata, list_key, ctx, skills) -> Block:
        lists = langdata["lists"]
        templates = lists.get(list_key, lists["list_skills"])
        reasons = lists["reasons"]
        # a listicle lists as many skills as its title promises ({k})
        count = ctx["k"] if list_key.endswith("long") else r.randint(3, 5)
        out = []
        for name in skills[:count]:
            t = templates[int(r.random() * len(templates))]
            c = dict(ctx)
            c["skill"] = Line(self.vocab.variant(r, name), [name])
            c["reason"] = reasons[int(r.random() * len(reasons))]
            out.append(fill(t, c))
        return items("list", out)

    def _fit(self, r, blocks, langdata, ctx, skills, used):
        """Pad the body towards a length drawn for this article, then trim to 300-900
        words. Sentences are never repeated: a short pool makes a shorter article."""
        def words():
            return sum(len(t.split()) for b in blocks for t in ([b.heading] if b.kind == "h" else [ln.text for ln in b.lines]))

        fillers = [k for k in ("trend", "advice", "metro", "pairing", "role", "remote", "salary", "interview")
                   if k in langdata["pools"]]
        target = max(MIN_WORDS, int(r.triangular(MIN_WORDS, MAX_WORDS - 50, 420)))
        guard = 0
        while words() < target and guard < 24:
            guard += 1
            pool = fillers[guard % len(fillers)]
            line = self._paragraph(r, langdata["pools"][pool], ctx, skills, used, 3)
            if line is None:
                continue
            at = max(1, len(blocks) - 1)
            heads = langdata["headings"].get(FILLER_HEADINGS[pool])
            if heads and r.random() < 0.35:
                blocks.insert(at, heading(pool, heads[int(r.random() * len(heads))]))
                at += 1
            blocks.insert(at, para(pool, line))
        while words() > MAX_WORDS and len(blocks) > 4:
            for i in range(len(blocks) - 2, 0, -1):
                if blocks[i].kind == "p":
                    del blocks[i]
                    break
        return blocks
