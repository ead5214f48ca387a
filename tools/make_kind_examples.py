"""Write ``skillenai/classify/data/kind/examples.jsonl``: pages labelled posting / article / other.

Pages are assembled from paragraphs written the way career sites, blogs, news sites and
company pages read once their markup is gone: job postings without JSON-LD, blog posts
and news about hiring and skills, and everything else a crawler meets on the same sites
(about us, benefits, team pages, privacy policies, product pages, events, 404s, job
listing pages). The mix is seeded, so the file is the same on every run::

    python -m tools.make_kind_examples
"""

from __future__ import annotations

import json
import random
import re

from skillenai.classify.resources import CLASSIFY_DATA

OUT = CLASSIFY_DATA / "kind" / "examples.jsonl"

COMPANIES = ["Acme Analytics", "Northwind Labs", "Brightpath", "Helio Systems", "Quillon", "Datavane",
             "Orbital Health", "Fernwood", "Lumen Pay", "Stackline", "Tessellate", "Kinetica Robotics",
             "Parcelhub", "Greenfield Bio", "Ridgeview Software", "Mosaic Learning", "Cobalt Security", "Vireo"]
DOMAINS = ["acme-analytics.com", "northwindlabs.io", "brightpath.co", "heliosystems.com", "quillon.ai",
           "datavane.io", "orbitalhealth.com", "fernwood.dev", "lumenpay.com", "stackline.io"]
ROLES = ["Senior Backend Engineer", "Data Scientist", "Product Designer", "Site Reliability Engineer",
         "Machine Learning Engineer", "Account Executive", "Staff Software Engineer", "Engineering Manager",
         "Data Engineer", "Frontend Engineer", "Product Manager", "Registered Nurse", "Customer Success Manager",
         "Technical Writer", "Recruiter", "Financial Analyst", "QA Engineer", "Security Engineer"]
CITIES = ["Austin, TX", "Seattle, WA", "San Francisco, CA", "New York, NY", "Berlin, Germany", "London, UK",
          "Toronto, ON", "Remote - US", "Bucharest, Romania", "Mountain View, CA", "Hybrid (Amsterdam)"]
SKILLS = ["Python", "Go", "Kubernetes", "PostgreSQL", "React", "TypeScript", "AWS", "Terraform", "Spark", "SQL",
          "Kafka", "Java", "distributed systems", "machine learning", "data modeling", "Figma", "Salesforce"]

POSTING_INTRO = [
    "{company} is hiring a {role} to join our {team} team.",
    "We're looking for a {role} who loves solving hard problems.",
    "About the role: As a {role} at {company}, you will own critical parts of our platform.",
    "Join {company} as a {role} and help us build the future of {domain_word}.",
    "The {team} team at {company} is growing and we need an experienced {role}.",
    "Job description: {company} seeks a motivated {role}.",
]
POSTING_RESP = [
    "What you'll do: Design, build and operate services that handle millions of requests a day. "
    "Partner with product managers and designers to ship features. Mentor other engineers.",
    "Responsibilities: Build and maintain data pipelines; improve the reliability of our infrastructure; "
    "participate in the on-call rotation; write design documents.",
    "In this role you will: lead projects from idea to launch, review code, and improve our tooling.",
    "Key responsibilities include owning customer relationships, forecasting pipeline, and closing new business.",
    "You will provide direct patient care, coordinate with physicians, and document care plans.",
    "Day to day, you will write and maintain documentation, work with engineers to understand features, "
    "and review API references.",
]
POSTING_REQ = [
    "Requirements: {years}+ years of experience with {s1} and {s2}. Experience with {s3} is a plus. "
    "Strong written and verbal communication skills.",
    "What we're looking for: You have shipped production systems in {s1}; you are comfortable with {s2}; "
    "you have a bachelor's degree in Computer Science or equivalent experience.",
    "Qualifications: {years}+ years in a similar role, proficiency in {s1}, familiarity with {s2} and {s3}.",
    "You might be a good fit if you have {years}+ years of experience, hands-on {s1} skills and a passion for learning.",
    "Minimum qualifications: active RN license, BLS certification, {years} years of acute care experience.",
]
POSTING_TAIL = [
    "Location: {city}. Employment type: Full-time.",
    "This role is based in {city}. Salary range: ${lo},000 - ${hi},000 per year plus equity.",
    "Benefits: medical, dental and vision insurance, 401(k) matching, unlimited PTO.",
    "{company} is an equal opportunity employer. We celebrate diversity and are committed to creating an "
    "inclusive environment for all employees.",
    "How to apply: submit your resume and a short cover letter. Apply now!",
    "Compensation: ${lo}k–${hi}k base. Apply for this job.",
    "To apply, click the Apply button below. We review every application.",
]
POSTING_SHORT = [
    "We are hiring a {role}. Apply now.",
    "Requirements: {s1}, {s2}. Apply for this position.",
    "{role} ({city}). Full-time. Apply today.",
    "Responsibilities: build and ship features. Qualifications: {years}+ years with {s1}.",
    "Submit your application for the {role} role. Salary: ${lo}k-${hi}k.",
    "Job type: Full-time. Experience: {years} years. Apply.",
]
ARTICLE_TITLES = [
    "{skill} jobs in 2026: demand, salaries and top employers",
    "Why hiring for {skill} slowed this quarter",
    "The {n} skills data teams are hiring for right now",
    "What {count} job postings tell us about the market for {role}s",
    "How we hire engineers at {company}",
    "Is {skill} still worth learning? What the job data says",
    "Tech layoffs and rehiring: a look at the numbers",
    "Remote work is shrinking in job postings. Here's where it's holding on",
    "Salary trends for {role}s in {city_short}",
    "Lessons from scaling our {team} team",
    "{company} raises Series B to expand hiring",
    "The state of the {skill} job market",
]
ARTICLE_BODY = [
    "Job postings that mention {skill} fell {p}% over the past three months, according to an analysis of "
    "{count} listings. Employers in {city_short} led the decline, while demand held steady elsewhere.",
    "When we started analysing job postings last year, {skill} appeared in roughly one in {k} listings. "
    "Today it is closer to one in {k2}, and the mix of employers has changed.",
    "\"We're seeing companies ask for fewer years of experience,\" said a recruiter we interviewed. "
    "\"But they want people who can own a system end to end.\"",
    "The data suggests that {skill} is increasingly paired with {skill2}. Among postings that mention "
    "both, {p}% are for senior roles.",
    "In this post, we share what we learned while growing our {team} team from five to forty people, "
    "including how we structure interviews and onboarding.",
    "Median advertised salaries for {role}s rose to ${hi},000, up from ${lo},000 a year earlier. "
    "The gap between the largest metros and the rest narrowed.",
    "Analysts expect hiring to recover in the second half of the year, though the pace will vary by sector. "
    "Healthcare and energy continue to add roles, while consumer tech remains cautious.",
    "Methodology: we deduplicated postings across job boards and counted each opening once. "
    "Skills were matched against a canonical taxonomy.",
    "The company said it plans to double its engineering headcount by the end of next year, with new hubs "
    "in {city_short} and {city_short2}.",
    "Read on for our breakdown by region, seniority and role family, and for the skills most often listed together.",
]
ARTICLE_TAIL = [
    "Posted by {author} on {date}. Filed under: Hiring, Data.",
    "{author} is a data journalist covering the labor market. Share this article.",
    "Subscribe to our newsletter for weekly job market insights.",
    "Related articles: {skill} salaries; The best cities for {role}s; Hiring trends to watch.",
    "Comments (12). Leave a reply.",
    "Published {date} · {n} min read",
]
OTHER_PAGES = {
    "about": (["About us | {company}", "Our story - {company}", "About {company}"], [
        "{company} was founded in {year} with a simple mission: make {domain_word} work for everyone.",
        "Today we serve more than {count} customers in {n} countries from offices in {city_short} and {city_short2}.",
        "Our values: customer obsession, ownership, and doing the right thing even when nobody is watching.",
        "Meet our leadership team and board of directors.",
        "We are backed by leading investors and have raised ${n}0 million to date.",
    ], "/about"),
    "benefits": (["Benefits & perks | {company} Careers", "Life at {company}", "Why work with us"], [
        "We take care of our people. Every employee gets comprehensive health, dental and vision coverage.",
        "Perks include a home office stipend, a learning budget of ${n},000 a year, and 20 weeks of parental leave.",
        "We offer flexible working hours, company-wide wellness days and an annual team retreat.",
        "Our offices have free lunch, standing desks and bike storage.",
        "See open positions on our careers page.",
    ], "/careers/benefits"),
    "team": (["Meet the team | {company}", "Our people", "The {team} team"], [
        "Jane Doe, CEO. Jane previously led product at a large payments company.",
        "John Smith, CTO. John has spent fifteen years building distributed systems.",
        "Priya Patel, VP of Engineering. Priya loves mentoring and trail running.",
        "Our team is spread across {n} time zones and speaks {k} languages.",
        "Want to join us? We're always looking for great people.",
    ], "/team"),
    "privacy": (["Privacy Policy | {company}", "Privacy notice", "Cookie Policy"], [
        "This Privacy Policy explains how {company} collects, uses and shares personal information.",
        "We collect information you provide directly, such as your name and email address, and information "
        "collected automatically, such as cookies and usage data.",
        "You have the right to access, correct or delete your personal data under the GDPR and the CCPA.",
        "We retain personal data only as long as necessary for the purposes described in this policy.",
        "Contact our Data Protection Officer at privacy@{domain}. Last updated {date}.",
    ], "/legal/privacy"),
    "product": (["{product} - {company}", "Pricing | {company}", "{product}: features"], [
        "{product} helps teams {verb} faster with automated workflows and real-time dashboards.",
        "Plans start at ${n}9 per user per month. Start your free trial today, no credit card required.",
        "Integrates with Slack, Salesforce, Jira and more than {count} other tools.",
        "Trusted by thousands of companies. Book a demo with our sales team.",
        "Features: single sign-on, audit logs, role-based access control, 99.9% uptime SLA.",
    ], "/product"),
    "event": (["{event} {year2} | Register now", "Webinar: {skill} at scale", "Join us at {event}"], [
        "Join us on {date} in {city_short} for a day of talks, workshops and networking.",
        "Speakers include engineering leaders from leading companies. Seats are limited.",
        "Agenda: 9:00 Registration and coffee. 10:00 Keynote. 12:30 Lunch. 14:00 Breakout sessions.",
        "Register now to save your spot. Early-bird tickets end soon.",
        "Can't make it in person? Watch the livestream on our channel.",
    ], "/events"),
    "notfound": (["Page not found", "404 - Not Found", "Oops! That page can't be found"], [
        "Sorry, we couldn't find the page you were looking for.",
        "The page may have been moved or deleted. Check the URL or go back to the homepage.",
        "Error 404. Try searching our site or visit our help center.",
        "Return home",
    ], "/404"),
    "listing": (["Open positions | {company} Careers", "Jobs at {company}", "Careers - Search jobs"], [
        "Showing {n}{k} open roles. Filter by team, location or employment type.",
        "{role} - {city}. {role2} - {city2}. {role3} - {city}.",
        "Engineering ({n}) · Sales ({k}) · Marketing ({k2}) · Operations ({n})",
        "Don't see the right role? Join our talent community.",
        "Sort by: Most recent. Page 1 of {k}. Next page.",
    ], "/careers"),
    "contact": (["Contact us | {company}", "Get in touch", "Support"], [
        "Questions about {product}? Our support team is available 24/7.",
        "Sales inquiries: sales@{domain}. Press: press@{domain}.",
        "Visit us at 123 Market Street, {city_short}.",
        "Fill out the form below and we'll get back to you within one business day.",
    ], "/contact"),
    "docs": (["Getting started - {product} Docs", "API reference", "Release notes"], [
        "Install the SDK with pip install {product_lower}. Then authenticate with your API key.",
        "The /v1/items endpoint returns a paginated list of items. Parameters: limit, cursor.",
        "Version {n}.{k}.0 adds support for webhooks and fixes a bug in CSV export.",
        "See also: authentication, rate limits, error codes.",
    ], "/docs"),
}

# Single pages written out in full, unlike the assembled ones above.
HANDWRITTEN = [
    ("Why Rust is eating infrastructure jobs", "Postings mentioning Rust doubled last year, our analysis shows. "
     "Infrastructure teams cite memory safety and performance.", "https://news.techwire.com/rust-infrastructure-jobs",
     "article"),
    ("Five takeaways from this year's developer survey", "More developers than ever use AI assistants at work, but "
     "only a third trust their output. Here is what else stood out.", "https://blog.devpulse.io/survey-takeaways",
     "article"),
    ("Hiring freeze thaws at big tech", "After two years of cuts, several large employers are posting engineering "
     "roles again, though mostly for senior and AI positions.", "https://www.marketnews.com/2026/03/hiring-thaw",
     "article"),
    ("What a data engineer actually does", "If you are considering a move into data engineering, this guide walks "
     "through a typical week, the tools you will use and how to prepare for interviews.",
     "https://learn.example.org/guides/what-a-data-engineer-does", "article"),
    ("Interview: building a nursing workforce", "We spoke with a hospital's chief nursing officer about staffing "
     "shortages, travel nurses and retention.", "https://healthcareweekly.com/interviews/nursing-workforce",
     "article"),
    ("Q3 labor market report", "Demand for cloud and security skills rose for the third straight quarter. "
     "Download the full report for charts by metro.", "https://insights.jobdata.com/reports/q3-labor-market",
     "article"),
    ("Backend Engineer (Go)", "Apply. Go, PostgreSQL, Kubernetes. Berlin or remote in the EU.",
     "https://jobs.lever.co/acme/4f1c2d", "posting"),
    ("Night Shift RN - Med/Surg", "Sign-on bonus $10,000. Three 12-hour shifts. Active RN license required.",
     "https://careers.stmarys.org/job/rn-med-surg-nights-20391", "posting"),
    ("Warehouse Associate", "Pay: $19/hr. Shifts: days or nights. Lift up to 50 lbs. No experience needed. Apply now.",
     "https://jobs.shipfast.com/warehouse-associate-1182", "posting"),
    ("Werkstudent Data Analytics (m/w/d)", "Deine Aufgaben: Analyse von Vertriebsdaten, Erstellung von Dashboards. "
     "Dein Profil: Studium der Informatik oder Statistik. Jetzt bewerben!", "https://karriere.beispiel.de/jobs/werkstudent-data-analytics",
     "posting"),
    ("Stage - Développeur Python (H/F)", "Missions : développer des API, écrire des tests. Profil : école "
     "d'ingénieur, Python. Postulez dès maintenant.", "https://emplois.exemple.fr/offres/stage-developpeur-python",
     "posting"),
    ("Terms of Service", "By using this website you agree to these terms. We may update them at any time. "
     "Governing law: Delaware.", "https://acme.com/terms", "other"),
    ("Cookie settings", "We use cookies to improve your experience. Accept all. Reject non-essential. Manage preferences.",
     "https://acme.com/cookies", "other"),
    ("Login", "Sign in to your account. Email. Password. Forgot your password? Create an account.",
     "https://app.acme.com/login", "other"),
    ("Acme - The data platform for modern teams", "Ship analytics in minutes. Start free. Trusted by 2,000 teams. "
     "Request a demo.", "https://acme.com/", "other"),
    ("Search results for 'engineer'", "48 jobs found. Sort by relevance. Backend Engineer - Remote. Data Engineer - NYC. "
     "Page 1 of 5.", "https://jobs.acme.com/search?q=engineer", "other"),
    ("Our offices", "San Francisco: 500 Howard St. London: 1 Finsbury Ave. Berlin: Torstrasse 1. Visit us.",
     "https://acme.com/company/offices", "other"),
    ("Investor relations", "Quarterly results, SEC filings, annual reports and shareholder information.",
     "https://ir.acme.com/", "other"),
    ("Press releases", "Acme announces new CFO. Acme opens Toronto office. Acme wins industry award. Read more.",
     "https://acme.com/press", "other"),
    ("Diversity at Acme", "We publish our workforce demographics every year and set goals for representation.",
     "https://acme.com/careers/diversity", "other"),
]


def _values(rng: random.Random) -> dict:
    city, city2 = rng.sample(CITIES, 2)
    s = rng.sample(SKILLS, 4)
    roles = rng.sample(ROLES, 3)
    domain = rng.choice(DOMAINS)
    product = rng.choice(["Flowboard", "Ledgerly", "Signalhub", "Pipewise", "Beacon", "Atlas"])
    return {
        "company": rng.choice(COMPANIES), "role": roles[0], "role2": roles[1], "role3": roles[2],
        "team": rng.choice(["platform", "data", "payments", "growth", "infrastructure", "mobile", "sales"]),
        "domain_word": rng.choice(["payments", "healthcare", "logistics", "education", "analytics", "security"]),
        "years": str(rng.randint(2, 8)), "s1": s[0], "s2": s[1], "s3": s[2], "skill": s[0], "skill2": s[3],
        "city": city, "city2": city2, "city_short": city.split(",")[0].split("(")[-1].strip(" )"),
        "city_short2": city2.split(",")[0].split("(")[-1].strip(" )"),
        "lo": str(rng.randint(80, 140)), "hi": str(rng.randint(150, 240)), "p": str(rng.randint(4, 45)),
        "n": str(rng.randint(2, 9)), "k": str(rng.randint(3, 9)), "k2": str(rng.randint(10, 30)),
        "count": f"{rng.randint(2, 90) * 1000:,}", "author": rng.choice(["Jared Rand", "Maya Chen", "Tom Okafor"]),
        "date": f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}", "year": str(rng.randint(1999, 2020)),
        "year2": "2026", "event": rng.choice(["DataConf", "DevSummit", "Future of Work Forum"]),
        "domain": domain, "product": product, "product_lower": product.lower(),
        "verb": rng.choice(["ship", "analyse data", "close deals", "hire"]),
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make(seed: int = 7, postings: int = 130, articles: int = 120, others: int = 150) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(postings):
        v = _values(rng)
        if rng.random() < 0.3:  # thin pages: a title, a line or two and the apply button
            paras = [rng.choice(POSTING_INTRO + POSTING_SHORT), rng.choice(POSTING_TAIL + POSTING_SHORT)]
        else:
            paras = [rng.choice(POSTING_INTRO), rng.choice(POSTING_RESP), rng.choice(POSTING_REQ)]
            paras += rng.sample(POSTING_TAIL, rng.randint(1, 3))
        if rng.random() < 0.3:
            paras.insert(0, "{company} Careers | Home | Teams | Locations")
        text = "\n\n".join(p.format(**v) for p in paras)
        title = rng.choice(["{role}", "{role} - {company}", "{role} | {company} Careers", "Job: {role} ({city})",
                            "{role} - {city}"]).format(**v)
        path = rng.choice(["/careers/{slug}", "/jobs/{n}{k}{k2}", "/job/{slug}-{n}{k}", "/en/careers/job/{n}{k}"])
        url = f"https://{v['domain']}" + path.format(slug=_slug(v["role"]), **v)
        rows.append({"title": title, "text": text, "url": url, "label": "posting"})
    for _ in range(articles):
        v = _values(rng)
        title = rng.choice(ARTICLE_TITLES).format(**v)
        paras = rng.sample(ARTICLE_BODY, rng.randint(1, 4)) + [rng.choice(ARTICLE_TAIL)] * (rng.random() < 0.7)
        text = "\n\n".join(p.format(**v) for p in paras)
        path = rng.choice(["/blog/{slug}", "/news/2026/{slug}", "/insights/{slug}", "/{slug}", "/posts/{slug}"])
        host = rng.choice(["blog." + v["domain"], v["domain"], "news.example.com", "jobmarketweekly.com"])
        rows.append({"title": title, "text": text, "url": f"https://{host}" + path.format(slug=_slug(title)),
                     "label": "article"})
    kinds = list(OTHER_PAGES)
    for i in range(others):
        v = _values(rng)
        titles, paras, path = OTHER_PAGES[kinds[i % len(kinds)]]
        title = rng.choice(titles).format(**v)
        body = rng.sample(paras, rng.randint(2, len(paras)))
        text = "\n\n".join(p.format(**v) for p in body)
        url = f"https://{v['domain']}{path}" + (rng.choice(["", "/", "?ref=nav", "/" + _slug(title)]))
        rows.append({"title": title, "text": text, "url": url, "label": "other"})
    rows += [{"title": t, "text": x, "url": u, "label": lab} for t, x, u, lab in HANDWRITTEN]
    return rows


def main() -> None:
    rows = make()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} examples → {OUT}")


if __name__ == "__main__":
    main()
