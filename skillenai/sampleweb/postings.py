"""Jobs, and the posting documents they are published as.

A ``Job`` is one real opening (one ground-truth cluster). It becomes one or more
``Doc``s: the original, the same job cross-posted on the company's ATS and on its
career site, a repost a few days later with small edits, or a re-listing with one
more location. Hard negatives are planted too: the same role in another city, or one
level up, written from the same template - similar text, different jobs.
"""

import datetime as dt
from dataclasses import dataclass, field

from . import datafiles
from .companies import Company
from .locations import TOP_PAY_US, LocSpec, display, extra_city, pick_spec, places, scope_name
from .pay import LEVEL_PAY, salary_for, salary_text, shifted
from .rand import Weighted, pick, rng
from .skills import SkillFeed
from .text import Line, can_fill, decapitalize, fill, finish, heading, items, join_lines, para, phrases_of, skills_of

WINDOW_DAYS = 150
# Fewer postings go up at weekends; Monday to Thursday are the busy days.
WEEKDAY_WEIGHT = (1.0, 1.1, 1.05, 1.0, 0.75, 0.2, 0.15)
LEVELS = {
    "eng": [("", 30), ("Senior ", 25), ("Sr. ", 5), ("Staff ", 6), ("Principal ", 3), ("Lead ", 4),
            ("Junior ", 4), ("Jr. ", 1), (" I", 2), (" II", 5), (" III", 3)],
    "biz": [("", 55), ("Senior ", 25), ("Associate ", 8), ("Lead ", 5), ("Principal ", 3)],
    "sales": [("", 65), ("Senior ", 25), ("Associate ", 5)],
    "plain": [("", 70), ("Senior ", 18), ("Junior ", 12)],
}
YEARS = {"Junior ": 1, "Jr. ": 1, " I": 1, "Associate ": 2, "": 3, " II": 3, " III": 5, "Senior ": 5,
         "Sr. ": 5, "Lead ": 6, "Staff ": 8, "Principal ": 10}
LEVEL_WORDS = ("Senior", "Sr.", "Staff", "Principal", "Lead", "Junior", "Jr.", "Head", "Director",
               "Chief", "VP", "Group", "Manager", "Associate")
EMPLOYMENT = [("FULL_TIME", 88), ("PART_TIME", 3), ("CONTRACTOR", 5), ("INTERN", 2.5), ("TEMPORARY", 1.5)]
GERMAN_SPEAKING = {"DE", "AT", "CH"}


@dataclass
class Job:
    cluster: str
    company: Company
    family: str
    level: str
    title: Line
    team: str
    spec: LocSpec
    employment: str
    posted: dt.date
    salary: dict
    blocks: list
    sibling_of: str = None


@dataclass
class Doc:
    job: Job
    channel: str                 # greenhouse | lever | ashby | site
    doc_id: object
    url: str
    title: Line
    spec: LocSpec
    location_raw: str
    blocks: list
    posted: dt.datetime          # aware, in the company's time zone
    salary: dict                 # as stated by this document (None if it states none)
    salary_structured: bool      # also in the ATS fields / JSON-LD, not only in the text
    dup_kind: str = "original"   # original | crosspost | repost | relist
    structured: str = "ats"
    malformed: bool = False
    valid_through: dt.date = None
    extra: dict = field(default_factory=dict)

    @property
    def skills(self) -> list:
        return list(dict.fromkeys([*self.title.skills, *skills_of(self.blocks)]))

    @property
    def phrases(self) -> list:
        return list(dict.fromkeys([*self.title.phrases, *phrases_of(self.blocks)]))


def _tz(offset: str) -> dt.timezone:
    sign = -1 if offset[0] == "-" else 1
    h, m = int(offset[1:3]), int(offset[4:6])
    return dt.timezone(sign * dt.timedelta(hours=h, minutes=m))


class Writer:
    """Writes jobs for one generation (one seed, one as_of date)."""

    def __init__(self, seed, as_of: dt.date, vocab):
        self.seed = seed
        self.as_of = as_of
        self.vocab = vocab
        self.p = datafiles.load("postings")
        self.roles = datafiles.load("roles")
        days = [as_of - dt.timedelta(days=WINDOW_DAYS - 1 - i) for i in range(WINDOW_DAYS)]
        # mild growth over the window on top of the weekly rhythm
        self.days = Weighted(days, [WEEKDAY_WEIGHT[d.weekday()] * (1 + 0.35 * i / WINDOW_DAYS)
                                    for i, d in enumerate(days)])
        self._family_pickers = {}

    # choosing -------------------------------------------------------------------------
    def family_picker(self, industry: str, industries: dict) -> Weighted:
        if industry not in self._family_pickers:
            ind = industries[industry]
            names = list(self.roles)
            weights = [self.roles[n]["weight"] * ind["role_boost"].get(n, 1.0)
                       * (ind["tech_scale"] if self.roles[n]["tech"] else 1.0) for n in names]
            self._family_pickers[industry] = Weighted(names, weights)
        return self._family_pickers[industry]

    def position(self, day: dt.date) -> float:
        return 1.0 - (self.as_of - day).days / (WINDOW_DAYS - 1)

    # a new job ------------------------------------------------------------------------
    def job(self, company: Company, cluster: str, key: str, industries: dict, like: Job = None,
            variation: str = None) -> Job:
        """A new job. With ``like``, a hard negative of that job: same template and
        draws, but another city (``variation="city"``) or another level ("level")."""
        seed = self.seed
        text_key = like.cluster if like else key
        rf = rng(seed, "job", text_key, "family")
        family = like.family if like else self.family_picker(company.industry, industries).pick(rf)
        role = self.roles[family]
        rt = rng(seed, "job", text_key, "text")
        rl = rng(seed, "job", key, "loc")
        posted = self.days.pick(rng(seed, "job", key, "date"))
        # a hard negative draws its skills as its model did, so the texts stay alike
        t = self.position(like.posted if like else posted)

        spec = pick_spec(rl, company.offices, family, role["tech"])
        if like and variation == "level":
            spec = like.spec
        elif like and variation == "city":
            others = [p for p in company.offices if p not in like.spec.cities]
            place = others[int(rl.random() * len(others))] if others else self._any_other_city(rl, like.spec)
            spec = LocSpec([place], "onsite" if like.spec.workplace == "remote" else like.spec.workplace)

        employment = pick(rt, EMPLOYMENT)
        if employment == "INTERN" and not role["tech"]:
            employment = "FULL_TIME"
        level_kind = role["level"]
        level = pick(rt, LEVELS[level_kind]) if level_kind in LEVELS else ""
        if like and variation == "level":
            ups = [lv for lv, _ in LEVELS.get(level_kind, [("", 1)]) if lv != like.level]
            level = ups[int(rl.random() * len(ups))] if ups else like.level
        if employment == "INTERN":
            level = ""

        tools = {n: w for n, w in role["skills"].items() if self.vocab.category[n] != "soft"}
        softs = {n: w for n, w in role["skills"].items() if self.vocab.category[n] == "soft"}
        k = rt.randint(5, 10) if role["tech"] else rt.randint(3, 6)
        chosen = self.vocab.draw(rt, tools, k, t) + self.vocab.draw(rt, softs, pick(rt, [(0, 3), (1, 4), (2, 2)]), t)
        feed = SkillFeed(self.vocab, rt, chosen)

        team = role["teams"][int(rt.random() * len(role["teams"]))]
        title, base_title, level = self._title(rt, rl, role, family, level, team, spec, employment, feed,
                                               city_suffix=bool(like and variation == "city"))
        place = spec.cities[0] if spec.cities else company.hq
        if spec.workplace == "remote" and spec.scope and spec.scope["countries"]:
            home = [p for p in places().cities if p.country == spec.scope["countries"][0]]
            place = home[0] if home else place
        salary = None
        show = {"US": 0.6, "CA": 0.5, "GB": 0.35, "DE": 0.3, "NL": 0.3, "IE": 0.3, "FR": 0.25, "IN": 0.15}
        if rt.random() < show.get(place.country, 0.1) or (family == "Nursing" and rt.random() < 0.8):
            salary = salary_for(rt, role, level, place, place.key in TOP_PAY_US)
        ctx = {"title": base_title, "a_title": with_article(base_title), "company": company.name, "team": team,
               "product": company.products[int(rt.random() * len(company.products))],
               "city": display(spec.cities[0]) if spec.cities else display(company.hq),
               "n": YEARS.get(level, 3) + (1 if rt.random() < 0.3 else 0),
               "state": (spec.cities[0].state if spec.cities and spec.cities[0].state else "your state")}
        blocks = self._blocks(rt, company, role, spec, employment, salary, ctx, feed)
        return Job(cluster=key, company=company, family=family, level=level, title=title, team=team,
                   spec=spec, employment=employment, posted=posted, salary=salary, blocks=blocks,
                   sibling_of=like.cluster if like else None)

    def _any_other_city(self, r, spec):
        while True:
            p = places().all.pick(r)
            if p not in spec.cities:
                return p

    def _title(self, rt, rl, role, family, level, team, spec, employment, feed, city_suffix):
        base_t = role["titles"][int(rt.random() * len(role["titles"]))]
        base = fill(base_t, {"team": team}, feed)
        text = base.text
        skills, phrases = list(base.skills), list(base.phrases)
        if text.startswith(LEVEL_WORDS):
            # the title already says its level ("Senior iOS Developer"): pay follows it
            level = next((lv for lv in LEVEL_PAY if lv.strip() and text.startswith(lv)), "")
        elif level:
            if level.startswith(" "):
                head, sep, tail = text.partition(", ")
                text = head + level + sep + tail
            else:
                text = level + text
        if rt.random() < 0.22 and role["specialisations"] and not any(c in text for c in (",", "(", " - ")):
            spec_line = fill(role["specialisations"][int(rt.random() * len(role["specialisations"]))], {})
            text += spec_line.text
            skills += spec_line.skills
        if employment == "INTERN":
            text = pick(rt, [(f"{text} Intern", 2), (f"Intern - {text}", 1), (f"{text} (Internship)", 1)])
        elif employment == "CONTRACTOR" and rt.random() < 0.5:
            text += " (Contract)"
        elif employment == "TEMPORARY" and rt.random() < 0.5:
            text += " (12-month FTC)" if spec.cities and spec.cities[0].country == "GB" else " (Temporary)"
        first = spec.cities[0] if spec.cities else None
        if city_suffix and first:
            text += f" - {display(first)}"
        elif spec.workplace == "remote" and rl.random() < 0.25:
            text += pick(rl, [(" - Remote", 2), (" (Remote)", 2), (" (Remote, US)" if spec.scope and spec.scope["scope"] == "US" else " (Remote)", 1)])
        elif first and first.country in GERMAN_SPEAKING and rl.random() < 0.45:
            text += pick(rl, [(" (m/f/d)", 2), (" (m/w/d)", 2), (" (w/m/d)", 1), (" (all genders)", 1)])
        elif first and rl.random() < 0.07:
            text += f" - {display(first)}"
        if rt.random() < 0.01 and not skills:      # the odd SHOUTED title (never one naming a skill)
            text = text.upper()
        return Line(text, skills, phrases), base, level

    # the description -------------------------------------------------------------------
    def _blocks(self, r, company, role, spec, employment, salary, ctx, feed) -> list:
        p = self.p
        layout = company.layouts[0] if r.random() < 0.8 else company.layouts[1]
        heads = {k: v.replace("{company}", company.name) for k, v in company.headings.items()}
        duties = [d for d in role["duties"] if "{city}" not in d or spec.cities]
        duties = r.sample(duties, len(duties))
        planted = self._planted(r)
        blocks = []
        used_duties = 0

        def duty_lines(n, capitalize=True):
            nonlocal used_duties
            out = []
            while len(out) < n and used_duties < len(duties):
                line = fill(duties[used_duties], ctx, feed, capitalize=capitalize)
                used_duties += 1
                if line is not None:
                    out.append(line)
            return out

        workplace = self._workplace(r, spec, employment, ctx)
        for sec in layout:
            if sec == "about_us":
                if r.random() < 0.7:
                    blocks.append(heading("about_us", heads["about_us"]))
                blocks.extend(para("about_us", ln) for ln in company.about)
            elif sec == "intro":
                blocks.append(para("intro", self._pick_fill(r, role.get("intros", p["intros"]), ctx, feed)))
                if "workplace" not in layout:
                    blocks.extend(para("workplace", ln) for ln in workplace)
                for ph in planted.get("para", [])[:1]:
                    blocks.append(para("planted", ph))
            elif sec == "workplace":
                blocks.extend(para("workplace", ln) for ln in workplace)
            elif sec == "team":
                c = dict(ctx, size=r.choice(("five", "six", "eight", "ten", "12", "15", "20")),
                         blurb=p["team_blurbs"][int(r.random() * len(p["team_blurbs"]))],
                         offices=", ".join(display(o) for o in company.offices[:3]))
                if r.random() < 0.6:
                    blocks.append(heading("team", heads["team"]))
                blocks.append(para("team", fill(p["team_paras"][int(r.random() * len(p["team_paras"]))], c)))
            elif sec == "first90":
                blocks.append(heading("first90", heads["first90"]))
                blocks.append(items("first90", [Line(t) for t in r.sample(p["first90"], r.randint(3, 5))]))
            elif sec == "about_role":
                blocks.append(heading("about_role", heads["about_role"]))
                blocks.append(para("about_role", self._prose(r, duty_lines(3, False), ctx)))
            elif sec == "role_prose":
                blocks.append(heading("about_role", heads["about_role"]))
                blocks.append(para("intro", self._pick_fill(r, role.get("intros", p["intros"]), ctx, feed)))
                blocks.extend(para("workplace", ln) for ln in workplace)
                blocks.append(para("about_role", self._prose(r, duty_lines(3, False), ctx)))
            elif sec == "resp":
                lines = duty_lines(r.randint(4, 7)) + planted.get("duty", [])
                if lines:
                    blocks.append(heading("resp", heads["responsibilities"]))
                    blocks.append(items("resp", lines))
            elif sec in ("req", "req_prose"):
                lines = self._requirements(r, role, ctx, feed) + planted.get("req", [])
                blocks.append(heading("req", heads["requirements"]))
                if sec == "req":
                    blocks.append(items("req", lines))
                else:
                    blocks.append(para("req", self._run_on(r, "You have ", lines)))
            elif sec == "nice":
                lines = self._nice(r, ctx, feed)
                if lines:
                    blocks.append(heading("nice", heads["nice"]))
                    blocks.append(items("nice", lines))
            elif sec == "stack":
                rest = feed.leftovers("tool")
                if len(rest) >= 2:
                    names = [self.vocab.variant(r, n) for n in rest]
                    tools = ", ".join(names[:-1]) + " and " + names[-1]
                    line = fill(p["stack_lines"][int(r.random() * len(p["stack_lines"]))],
                                {"tools": Line(tools, rest)})
                    if r.random() < 0.5:
                        blocks.append(heading("stack", heads["stack"]))
                    blocks.append(para("stack", line))
            elif sec == "comp":
                if salary is not None:
                    line = self.salary_line(r, salary, ctx, spec)
                    if r.random() < 0.6:
                        blocks.append(heading("comp", heads["compensation"]))
                    blocks.append(para("comp", line))
            elif sec in ("benefits", "benefits_prose"):
                n = min(len(company.benefits), r.randint(4, 8))
                lines = company.benefits[:n]
                blocks.append(heading("benefits", heads["benefits"]))
                if sec == "benefits":
                    blocks.append(items("benefits", lines))
                else:
                    blocks.append(para("benefits", self._run_on(r, "We offer ", lines)))
                for ph in planted.get("para", [])[1:]:
                    blocks.append(para("planted", ph))
            elif sec == "process":
                steps = p["process_steps"][: r.randint(3, 5)]
                blocks.append(heading("process", heads["process"]))
                blocks.append(items("process", [Line(s) for s in steps], ordered=True))
            elif sec == "eeo":
                if r.random() < 0.2:
                    blocks.append(heading("eeo", "Equal opportunity"))
                blocks.append(para("eeo", company.eeo))
            elif sec == "closing":
                blocks.append(para("closing", Line(p["closings"][int(r.random() * len(p["closings"]))])))
        return blocks

    def _pick_fill(self, r, templates, ctx, feed, capitalize=False):
        """One of ``templates`` that the job's remaining skills can fill (or an empty Line)."""
        t = templates[int(r.random() * len(templates))]
        if not can_fill(t, feed):
            usable = [t for t in templates if can_fill(t, feed)]
            if not usable:
                return Line("")
            t = usable[int(r.random() * len(usable))]
        return fill(t, ctx, feed, capitalize)

    def _planted(self, r) -> dict:
        """The non-skill phrases this posting carries, by where they go."""
        out = {}
        for entry in r.sample(self.p["planted"], pick(r, [(0, 50), (1, 40), (2, 10)])):
            text = entry["text"]
            if entry["where"] == "duty":   # duties are bullets here: capitalise
                i = 2 if text.startswith("[[") else 0
                text = text[:i] + text[i].upper() + text[i + 1:]
            out.setdefault(entry["where"], []).append(finish(text))
        return out

    def _prose(self, r, duty_lines, ctx) -> Line:
        if len(duty_lines) < 3:
            return join_lines([Line("You'll")] + [join_lines([d]) for d in duty_lines]) if duty_lines else Line("")
        t = self.p["role_prose"][int(r.random() * len(self.p["role_prose"]))]
        return fill(t, {"d1": duty_lines[0], "d2": duty_lines[1], "d3": duty_lines[2]})

    def _run_on(self, r, lead: str, lines) -> Line:
        parts = [decapitalize(ln) for ln in lines]
        texts = [ln.text.rstrip(".") for ln in parts]
        text = lead + (", ".join(texts[:-1]) + " and " + texts[-1] if len(texts) > 1 else texts[0]) + "."
        return Line(text, [s for ln in parts for s in ln.skills], [p for ln in parts for p in ln.phrases])

    def _requirements(self, r, role, ctx, feed) -> list:
        p = self.p
        out = []
        reqs = r.sample(role["reqs"], min(len(role["reqs"]), r.randint(1, 2)))
        out += [fill(t, ctx, feed) for t in reqs]
        for pool, count in (("req_tool", r.randint(2, 4)), ("req_concept", r.randint(1, 2)),
                            ("req_soft", r.randint(0, 2)), ("req_generic", r.randint(1, 2))):
            kind = pool[4:]
            if kind != "generic":
                count = min(count, feed.available(kind))
            for _ in range(count):
                line = self._pick_fill(r, p[pool], ctx, feed) if pool != "req_generic" else \
                    Line(p[pool][int(r.random() * len(p[pool]))])
                if line.text and line.text not in (o.text for o in out if o):
                    out.append(line)
        return [ln for ln in out if ln and ln.text]

    def _nice(self, r, ctx, feed) -> list:
        p = self.p
        out = []
        for pool, count in (("nice_tool", r.randint(1, 2)), ("nice_concept", r.randint(0, 1)),
                            ("nice_generic", r.randint(0, 2))):
            for _ in range(count):
                if pool == "nice_generic":
                    line = Line(p[pool][int(r.random() * len(p[pool]))])
                else:
                    line = self._pick_fill(r, p[pool], ctx, feed)
                if line and line.text and line.text not in (o.text for o in out):
                    out.append(line)
        return out

    def _workplace(self, r, spec, employment, ctx) -> list:
        p = self.p
        lines = []
        c = dict(ctx)
        if spec.workplace == "remote":
            c["scope"] = scope_name(spec.scope)
            if spec.cities:
                c["city"] = display(spec.cities[0])
                pool = p["remote_or_city"]
            elif spec.scope is None or spec.scope["scope"] is None:
                pool = p["remote_anywhere"]
            else:
                pool = p["remote"]
        elif spec.workplace == "hybrid":
            c["n"] = r.choice((2, 3, 3, 4))
            c["city"] = display(spec.cities[0])
            pool = p["hybrid"]
        elif len(spec.cities) > 1:
            names = [display(x) for x in spec.cities]
            c["cities"] = ", ".join(names[:-1]) + " or " + names[-1]
            pool = p["multi"]
        else:
            pool = p["onsite"]
        lines.append(fill(pool[int(r.random() * len(pool))], c))
        if spec.workplace == "hybrid" and len(spec.cities) > 1:
            names = [display(x) for x in spec.cities]
            lines.append(Line("Other office options: " + ", ".join(names[1:]) + "."))
        extra = {"CONTRACTOR": "contract", "PART_TIME": "part_time", "INTERN": "intern",
                 "TEMPORARY": "temporary"}.get(employment)
        if extra:
            t = p[extra][int(r.random() * len(p[extra]))]
            lines.append(fill(t, {"months": r.choice((3, 6, 6, 9, 12)), "hours": r.choice((20, 24, 30))}))
        return lines

    def salary_line(self, r, salary, ctx, spec) -> Line:
        german = bool(spec.cities) and spec.cities[0].country in GERMAN_SPEAKING
        text, truth = salary_text(r, salary, german)
        t = self.p["comp_intro"][int(r.random() * len(self.p["comp_intro"]))]
        if "{city}" in t and not spec.cities:
            t = "Salary: {range}"
        return _SalaryLine(fill(t, {**ctx, "range": text}).text, truth)

    # publishing -----------------------------------------------------------------------
    def when(self, r, day: dt.date, company: Company) -> dt.datetime:
        """A publication time on ``day`` in the company's time zone, during office hours,
        chosen so that the UTC date is the same day (the truth is a date)."""
        tz = _tz(company.hq.tz)
        off_h = int(tz.utcoffset(None).total_seconds() // 3600)
        lo, hi = max(8, off_h), min(17, 23 + off_h)
        return dt.datetime(day.year, day.month, day.day, r.randint(lo, hi), r.randint(0, 59),
                           r.randint(0, 59), tzinfo=tz)

    # variants of a job --------------------------------------------------------------------
    def reposted(self, r, blocks, salary, ctx_spec) -> tuple:
        """Blocks and salary of a repost: one to three small edits (a reworded sentence,
        reordered bullets, an updated salary line)."""
        blocks = [b.copy() for b in blocks]
        edits = r.sample(["reword", "reorder", "salary"], r.randint(1, 3))
        if "salary" in edits and salary is not None:
            salary = shifted(r, salary)
            for i, b in enumerate(blocks):
                if b.section == "comp" and b.kind == "p":
                    blocks[i] = para("comp", self.salary_line(r, salary, {"city": ""}, ctx_spec))
        if "reorder" in edits:
            lists = [b for b in blocks if b.kind == "ul" and len(b.lines) >= 3]
            if lists:
                b = lists[int(r.random() * len(lists))]
                first = b.lines[:]
                while b.lines == first:
                    r.shuffle(b.lines)
        if "reword" in edits or not edits:
            self._reword(r, blocks)
        return blocks, salary

    def _reword(self, r, blocks):
        pairs = self.p["rewordings"]
        spots = [(i, j, old, new) for i, b in enumerate(blocks) if b.kind != "h" and b.section != "comp"
                 for j, ln in enumerate(b.lines) for old, new in pairs if old in ln.text]
        if not spots:
            return
        for i, j, old, new in r.sample(spots, min(len(spots), r.randint(1, 2))):
            ln = blocks[i].lines[j]
            if old in ln.text:
                blocks[i].lines[j] = Line(ln.text.replace(old, new, 1), ln.skills, ln.phrases)

    def relisted(self, r, job: Job, blocks) -> tuple:
        """Spec and blocks of the job re-listed with one more city, or None."""
        if job.spec.workplace == "remote":
            return None
        place = extra_city(r, job.spec, job.company.offices)
        if place is None:
            return None
        spec = job.spec.with_city(place)
        ctx = {"city": display(spec.cities[0]), "company": job.company.name}
        lines = self._workplace(r, spec, job.employment, ctx)
        out, done = [], False
        for b in blocks:
            if b.section == "workplace":
                if not done:
                    out.extend(para("workplace", ln) for ln in lines)
                    done = True
                continue
            out.append(b)
        return spec, out


def with_article(title: Line) -> Line:
    """"an iOS Engineer", "an SRE", "a UX Designer", "a Backend Engineer"."""
    text = title.text
    first = text.split(" ", 1)[0]
    if first.isupper() and len(first) > 1:      # read as letters: an SRE, an ML..., a UX...
        vowel = first[0] in "AEFHILMNORSX"
    else:
        vowel = text[:1].lower() in "aeio" or text[:2] == "iO"
    return Line(("an " if vowel else "a ") + text, title.skills, title.phrases)


class _SalaryLine(Line):
    """A salary line that also knows the range it states (for the truth)."""

    __slots__ = ("salary",)

    def __init__(self, text, salary):
        super().__init__(text)
        self.salary = salary


def stated_salary(blocks):
    """The salary a document's text states, or None."""
    for b in blocks:
        if b.section == "comp":
            for ln in b.lines:
                if isinstance(ln, _SalaryLine):
                    return ln.salary
    return None
