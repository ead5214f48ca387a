"""Write ``skillenai/classify/data/places/location_contexts.jsonl``: labelled place mentions.

Each line is ``{"text", "start", "end", "label"}``; ``label`` is ``"job"`` when the place
is where the job is (for an article: a place the article is about) and ``"other"`` for
headquarters, other offices, customers, events, authors. Texts are assembled from
sentences written the way postings and market articles phrase these things; the mix is
seeded, so the file is the same on every run::

    python -m tools.make_location_contexts
"""

from __future__ import annotations

import json
import random
import re

from skillenai.classify.resources import CLASSIFY_DATA

OUT = CLASSIFY_DATA / "places" / "location_contexts.jsonl"

CITIES = [
    "Austin", "Austin, TX", "Austin, Texas", "Seattle", "Seattle, WA", "San Francisco", "San Francisco, CA",
    "New York", "New York, NY", "NYC", "Boston", "Boston, MA", "Chicago", "Chicago, IL", "Denver",
    "Denver, CO", "Atlanta", "Atlanta, GA", "Los Angeles", "Los Angeles, CA", "San Diego", "Portland, OR",
    "Pittsburgh", "Raleigh, NC", "Nashville", "Salt Lake City", "Phoenix, AZ", "Minneapolis", "Detroit",
    "Philadelphia", "Washington, DC", "Miami", "Dallas", "Houston", "Toronto", "Toronto, ON", "Vancouver",
    "Montreal", "Ottawa", "London", "London, UK", "Manchester", "Edinburgh", "Dublin", "Berlin",
    "Berlin, Germany", "Munich", "Hamburg", "Amsterdam", "Rotterdam", "Paris", "Paris, France", "Lyon",
    "Madrid", "Barcelona", "Lisbon", "Milan", "Zurich", "Geneva", "Vienna", "Warsaw", "Krakow", "Prague",
    "Bucharest", "Cluj-Napoca", "Budapest", "Stockholm", "Copenhagen", "Oslo", "Helsinki", "Tallinn",
    "Tel Aviv", "Dubai", "Bangalore", "Bengaluru", "Hyderabad", "Pune", "Mumbai", "Chennai", "Singapore",
    "Tokyo", "Seoul", "Sydney", "Melbourne", "Auckland", "Sao Paulo", "Mexico City", "Buenos Aires",
    "Bogota", "Mountain View", "Mountain View, CA", "Sunnyvale", "Palo Alto", "San Mateo", "Menlo Park",
    "Redmond, WA", "Cambridge, MA", "Kitchener", "Waterloo, ON", "Boulder, CO", "Ann Arbor", "Lehi, UT",
]
COMPANIES = [
    "Acme Analytics", "Northwind Labs", "Brightpath", "Helio Systems", "Quillon", "Datavane", "Orbital Health",
    "Fernwood", "Lumen Pay", "Stackline", "Tessellate AI", "Kinetica Robotics", "Parcelhub", "Greenfield Bio",
    "Ridgeview Software", "Mosaic Learning", "Cobalt Security", "Harbor Freight Tech", "Vireo", "Atlas Mobility",
]
ROLES = [
    "Senior Backend Engineer", "Data Scientist", "Product Designer", "Site Reliability Engineer",
    "Machine Learning Engineer", "Account Executive", "Staff Software Engineer", "Engineering Manager",
    "Data Engineer", "Frontend Engineer", "Product Manager", "Security Engineer", "Technical Writer",
    "Customer Success Manager", "Registered Nurse", "QA Engineer", "Solutions Architect", "Recruiter",
]

# (template, labels for {c}, {c2}, {c3} in order)
POSTING_JOB = [
    ("This role is based in {c}.", "j"),
    ("This position is located in {c}.", "j"),
    ("Location: {c}", "j"),
    ("Job location: {c}", "j"),
    ("Work location: {c}", "j"),
    ("Where you'll work: {c}", "j"),
    ("Based in: {c}", "j"),
    ("Office: {c}", "j"),
    ("The role is on-site at our {c} office.", "j"),
    ("You will join our team in {c}.", "j"),
    ("We are hiring a {role} to join our growing team in {c}.", "j"),
    ("This is a hybrid role based out of our {c} office, with three days a week on site.", "j"),
    ("Candidates must live within commuting distance of {c}.", "j"),
    ("The successful candidate will work from our {c} office.", "j"),
    ("This job is based in {c} and requires you to be in the office twice a week.", "j"),
    ("Relocation support to {c} is available for this position.", "j"),
    ("You'll be working out of our new office in downtown {c}.", "j"),
    ("As our {role}, you will sit with the product team in {c}.", "j"),
    ("This opening is for our {c} location.", "j"),
    ("The position is based at our engineering hub in {c}.", "j"),
    ("Applicants must be authorized to work locally and be located in or near {c}.", "j"),
    ("We are looking for someone in {c} to lead our platform team.", "j"),
    ("{company} is looking for a {role} in {c}.", "j"),
    ("This is a full-time, in-person role in {c}.", "j"),
    ("You will be expected to come into the {c} office on Tuesdays and Thursdays.", "j"),
    ("The team you'll join is located in {c}.", "j"),
    ("Position based in {c} (hybrid).", "j"),
    ("Must be able to commute to our {c} site four days a week.", "j"),
    ("The role can be based in {c} or {c2}.", "jj"),
    ("We are open to candidates in {c} or {c2}.", "jj"),
    ("{role} - {c}", "j"),
    ("Join the {company} team in {c} as a {role}.", "j"),
    ("This hybrid position requires three days per week in our {c} office.", "j"),
    ("The {role} will be located in {c}, reporting to the Head of Engineering.", "j"),
    ("Our {c} team is hiring!", "j"),
    ("Please note: this role requires working on site in {c}.", "j"),
    ("Shift: Nights, 7p-7a. Facility: {c} Medical Center campus.", "j"),
    ("This role is remote-friendly but you must live near {c} for quarterly on-sites.", "j"),
    ("We're building a new team in {c} and this is one of the first hires.", "j"),
    ("Our offices: {c} (this role), {c2}, {c3}.", "joo"),
    ("This role sits in {c}; the wider team is spread across {c2} and {c3}.", "joo"),
    ("Preferred locations: {c}, {c2}.", "jj"),
    ("Hiring location(s): {c}", "j"),
    ("Start date: ASAP. Location: {c}. Employment type: Full-time.", "j"),
]
POSTING_OTHER = [
    ("{company} is headquartered in {c}.", "o"),
    ("Founded in {c} in {year}, {company} now employs over {n} people.", "o"),
    ("We also have offices in {c}, {c2} and {c3}.", "ooo"),
    ("Our headquarters are in {c}, with engineering hubs around the world.", "o"),
    ("You may occasionally travel to our headquarters in {c}.", "o"),
    ("Our customers include hospitals and clinics in {c}.", "o"),
    ("{company} recently opened a new office in {c}.", "o"),
    ("The role reports to the VP of Engineering, who is based in {c}.", "o"),
    ("You will collaborate closely with teams in {c}.", "o"),
    ("Each year we meet for a company-wide offsite in {c}.", "o"),
    ("Our sales team in {c} works with enterprise clients across the region.", "o"),
    ("{company} was founded by two engineers who met in {c}.", "o"),
    ("Our European headquarters is in {c}.", "o"),
    ("We serve customers from {c} to {c2}.", "oo"),
    ("Join us at our annual user conference in {c} this fall.", "o"),
    ("Our data centers in {c} serve millions of requests per second.", "o"),
    ("Last year we expanded to {c}.", "o"),
    ("We are backed by leading investors in {c} and {c2}.", "oo"),
    ("The final interview takes place with the leadership team in {c}.", "o"),
    ("Some travel to client sites in {c} may be required.", "o"),
    ("Our parent company is based in {c}.", "o"),
    ("We are a distributed team with colleagues in {c}, {c2} and beyond.", "oo"),
    ("Our research lab in {c} publishes regularly at top conferences.", "o"),
    ("{company} has offices in {c}, {c2}, {c3} and more.", "ooo"),
    ("Onboarding is a two-week program held at our {c} headquarters.", "o"),
    ("Our founders previously built and sold a startup in {c}.", "o"),
    ("The product is used by city governments in {c} and {c2}.", "oo"),
    ("About us: {company} is a {c}-based startup.", "o"),
    ("{company} ({c}) is an equal opportunity employer.", "o"),
    ("Our largest customer base is in {c}.", "o"),
    ("We recently partnered with a logistics provider in {c}.", "o"),
    ("The engineering org is led out of {c}.", "o"),
    ("Trips to our {c} office are covered by the company.", "o"),
    ("Benefits vary for employees outside {c}.", "o"),
    ("We host meetups in {c} every quarter.", "o"),
    ("Our support center in {c} runs around the clock.", "o"),
]
ARTICLE_ABOUT = [
    ("Tech hiring in {c} rose {p}% in the first quarter, according to new data.", "j"),
    ("Employers in {c} posted more than {n} openings for data engineers last month.", "j"),
    ("{c} has become one of the fastest-growing markets for machine learning talent.", "j"),
    ("Salaries for software engineers in {c} climbed to a median of ${k},000.", "j"),
    ("Demand for cloud skills in {c} outpaced every other metro we track.", "j"),
    ("In {c}, job postings mentioning Kubernetes doubled year over year.", "j"),
    ("The {c} job market cooled slightly in the spring.", "j"),
    ("Startups in {c} are hiring aggressively for AI roles.", "j"),
    ("Our analysis of postings in {c} shows a shift toward hybrid work.", "j"),
    ("Compared with {c2}, {c} saw stronger growth in backend roles.", "jj"),
    ("{c} and {c2} together accounted for a third of all new postings.", "jj"),
    ("Why {c} is quietly becoming a hub for fintech engineering jobs.", "j"),
    ("Remote postings fell while on-site roles in {c} held steady.", "j"),
    ("Hiring for nurses in {c} reached a five-year high.", "j"),
    ("Among large metros, {c} led in postings for security engineers.", "j"),
    ("The number of open data analyst roles in {c} fell {p}% from a year earlier.", "j"),
]
ARTICLE_OTHER = [
    ("The report was published by a research firm based in {c}.", "o"),
    ("\"We're seeing real momentum,\" said a recruiter who splits her time between {c} and {c2}.", "oo"),
    ("The findings were presented at a conference in {c} last week.", "o"),
    ("The author previously worked as an engineer in {c}.", "o"),
    ("The study's authors are economists at a university in {c}.", "o"),
    ("The data provider, headquartered in {c}, aggregates postings from thousands of sites.", "o"),
    ("Questions about the methodology can be sent to our team in {c}.", "o"),
    ("This article was first published in our newsletter from {c}.", "o"),
    ("Subscribe to our weekly digest, written by analysts in {c}.", "o"),
    ("Photo: a co-working space in {c}.", "o"),
]
POSTING_FILLER = [
    "We are hiring a {role} to help us build the next generation of our platform.",
    "You will design, build and operate services used by thousands of customers.",
    "Requirements: 5+ years of experience, strong communication skills, and a bias for action.",
    "We offer competitive pay, equity, and generous parental leave.",
    "{company} builds tools that help teams ship faster.",
    "Responsibilities include mentoring engineers and improving reliability.",
    "The salary range for this role is $140,000 - $180,000.",
    "About the team: we are a small, senior group that owns the data pipeline end to end.",
]
ARTICLE_FILLER = [
    "Job postings for data roles have been volatile this year.",
    "Skills such as Python, SQL and cloud infrastructure remain in high demand.",
    "Employers continue to favor candidates with production experience.",
    "The share of postings that mention remote work has dropped since 2022.",
    "Analysts expect hiring to pick up again in the second half of the year.",
]

# Whole texts written out by hand: (text, [(place as written, label), ...]) in order of
# appearance; a place written twice is listed twice.
HANDWRITTEN = [
    ("Parcelhub is a logistics startup founded in Chicago in 2019. We are opening an engineering hub in Denver "
     "and this is one of our first hires there. Expect occasional trips to Chicago for planning weeks.",
     [("Chicago", "other"), ("Denver", "job"), ("Chicago", "other")]),
    ("Hi! I'm the hiring manager for this role. Our team is split between Toronto and Montreal, and we'd love "
     "for you to sit with us in Toronto. Our parent company is in Paris.",
     [("Toronto", "other"), ("Montreal", "other"), ("Toronto", "job"), ("Paris", "other")]),
    ("Schedule: Mon-Fri, 8am-5pm. Work site: Houston, TX. Travel to refineries in Baton Rouge, LA up to 20%.",
     [("Houston, TX", "job"), ("Baton Rouge, LA", "other")]),
    ("We are a remote-first company with hubs in London, Lisbon and Berlin. For this role we can only hire in "
     "Lisbon because of the team's time zone.",
     [("London", "other"), ("Lisbon", "other"), ("Berlin", "other"), ("Lisbon", "job")]),
    ("Staffing agency notice: our client, a bank headquartered in Charlotte, is hiring a contract data analyst "
     "to work on site in Jacksonville, Florida.",
     [("Charlotte", "other"), ("Jacksonville, Florida", "job")]),
    ("The median salary for data engineers in Austin reached $150,000, still below San Francisco but ahead of "
     "Dallas, our data shows. Austin also led in year-over-year growth.",
     [("Austin", "job"), ("San Francisco", "job"), ("Dallas", "job"), ("Austin", "job")]),
    ("Speaking at a summit in Davos, the company's chief executive said it would add 2,000 jobs in Bangalore "
     "and Hyderabad over the next two years.",
     [("Davos", "other"), ("Bangalore", "job"), ("Hyderabad", "job")]),
    ("About the clinic: Orbital Health operates 40 clinics across Arizona. This opening is at our Tempe clinic. "
     "Our corporate office is in Scottsdale.",
     [("Tempe", "job"), ("Scottsdale", "other")]),
    ("You'll be joining the Seattle-based Cloud team, working out of our Bellevue office. The broader org has "
     "teams in Redmond and Vancouver.",
     [("Bellevue", "job"), ("Redmond", "other"), ("Vancouver", "other")]),
    ("Bucharest has quietly become one of Europe's busiest markets for backend engineers, with postings up a "
     "fifth this year; Cluj-Napoca and Iasi are following.",
     [("Bucharest", "job"), ("Cluj-Napoca", "job"), ("Iasi", "job")]),
    ("Note for applicants from Singapore: this position is based in Sydney and visa sponsorship is not available.",
     [("Singapore", "other"), ("Sydney", "job")]),
    ("Our customers range from hospitals in Boston to farms in Iowa. Position location: Minneapolis, MN (hybrid).",
     [("Boston", "other"), ("Minneapolis, MN", "job")]),
    ("In Munich, where the company has its largest office, engineers are returning four days a week; in Berlin "
     "the policy is looser, according to employees.",
     [("Munich", "job"), ("Berlin", "job")]),
    ("The conference, held in Las Vegas, drew 30,000 attendees. Recruiters there said hiring in Phoenix and "
     "Salt Lake City had picked up.",
     [("Las Vegas", "other"), ("Phoenix", "job"), ("Salt Lake City", "job")]),
    ("Relocation package available for candidates moving to Amsterdam. Interviews can be held in London or "
     "online.",
     [("Amsterdam", "job"), ("London", "other")]),
]


def _fill(template: str, labels: str, rng: random.Random, used: set[str]) -> tuple[str, list[tuple[int, int, str]]]:
    slots = re.findall(r"\{(c|c2|c3)\}", template)
    picks = {}
    for s in slots:
        while True:
            city = rng.choice(CITIES)
            base = city.split(",")[0]
            if base not in used:
                used.add(base)
                picks[s] = city
                break
    values = {
        "role": rng.choice(ROLES), "company": rng.choice(COMPANIES), "year": str(rng.randint(1998, 2021)),
        "n": f"{rng.randint(2, 90) * 100:,}", "p": str(rng.randint(3, 48)), "k": str(rng.randint(95, 210)),
    }
    out, spans, pos = [], [], 0
    label_of = dict(zip(("c", "c2", "c3"), labels))
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(template[pos:m.start()])
        key = m.group(1)
        if key in picks:
            start = sum(len(x) for x in out)
            out.append(picks[key])
            spans.append((start, start + len(picks[key]), "job" if label_of[key] == "j" else "other"))
        else:
            out.append(values[key])
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), spans


def make(seed: int = 20261123, postings: int = 240, articles: int = 80) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for kind, count in (("posting", postings), ("article", articles)):
        for _ in range(count):
            used: set[str] = set()
            parts: list[tuple[str, str]] = []
            if kind == "posting":
                parts.append((rng.choice(POSTING_FILLER), ""))
                parts.append(POSTING_JOB[rng.randrange(len(POSTING_JOB))])
                for t in rng.sample(POSTING_OTHER, rng.randint(1, 2)):
                    parts.append(t)
                if rng.random() < 0.5:
                    parts.append((rng.choice(POSTING_FILLER), ""))
                head, rest = parts[:2], parts[2:]
                rng.shuffle(rest)
                parts = head + rest if rng.random() < 0.6 else [parts[0]] + rest + [parts[1]]
            else:
                parts.append((rng.choice(ARTICLE_FILLER), ""))
                for t in rng.sample(ARTICLE_ABOUT, rng.randint(1, 2)):
                    parts.append(t)
                parts.append(rng.choice(ARTICLE_OTHER))
                if rng.random() < 0.5:
                    parts.insert(rng.randint(1, len(parts)), (rng.choice(ARTICLE_FILLER), ""))
            text, spans = "", []
            for template, labels in parts:
                sep = "\n" if template.split(":")[0] in ("Location", "Job location", "Work location", "Office",
                                                          "Based in", "Where you'll work", "Hiring location(s)") else " "
                piece, sp = _fill(template, labels, rng, used)
                if text:
                    text += sep
                offset = len(text)
                text += piece
                spans += [(s + offset, e + offset, lab) for s, e, lab in sp]
            for s, e, lab in spans:
                rows.append({"text": text, "start": s, "end": e, "label": lab})
    for text, places in HANDWRITTEN:
        pos = 0
        for place, label in places:
            start = text.index(place, pos)
            rows.append({"text": text, "start": start, "end": start + len(place), "label": label})
            pos = start + len(place)
    return rows


def main() -> None:
    rows = make()
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} contexts → {OUT}")


if __name__ == "__main__":
    main()
