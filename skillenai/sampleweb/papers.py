"""Research papers for the sample web's arXiv stand-in, with their ground truth.

The stand-in (``server.py``) answers arXiv's search API (Atom) and OAI-PMH
``ListRecords`` (``metadataPrefix=arXiv``, resumption tokens) from
``sites/arxiv/papers.jsonl``. The sample seeds search ``abs:"job postings"`` and harvest
the OAI-PMH set ``cs``; ``truth/papers.jsonl`` says which of the two finds each paper
(``queries``; a paper neither finds is not to be stored) and which skills its abstract
names. A few records are deleted (OAI-PMH ``status="deleted"``, no metadata).
"""

import datetime as dt

from . import datafiles
from .rand import rng

JOB_QUERY = 'abs:"job postings"'
OAI_SET = "oai:cs"


def default_papers(postings: int) -> int:
    return min(400, max(24, postings // 8))


def generate_papers(seed, as_of: dt.date, total: int) -> list[dict]:
    """``total`` papers: about half on the labour market, the rest on other subjects,
    dated in the year before ``as_of``; every twelfth one deleted."""
    data = datafiles.load("papers")
    papers = []
    for i in range(total):
        r = rng(seed, "paper", i)
        on_jobs = i % 2 == 0
        skills = r.sample(data["skills"], 2)
        fill = {"skill": skills[0], "skill2": skills[1], "n": r.randint(2, 40)}
        titles = data["job_titles"] if on_jobs else data["other_titles"]
        sentences = data["job_sentences"] if on_jobs else data["other_sentences"]
        categories = list(r.choice(data["job_categories"] if on_jobs else data["other_categories"]))
        chosen = r.sample(sentences, 3)
        abstract = " ".join(s.format(**fill) for s in chosen) + " " + data["closing"]
        title = r.choice(titles).format(**fill)
        written = {name for name in skills if name in title or name in abstract}
        created = as_of - dt.timedelta(days=r.randint(0, 360))
        month = created.strftime("%y%m")
        arxiv_id = f"{month}.{10000 + i * 37 % 90000:05d}"
        authors = [(r.choice(data["first_names"]), r.choice(data["last_names"])) for _ in range(r.randint(1, 4))]
        deleted = i % 12 == 11
        queries = []
        if not deleted:
            if on_jobs:
                queries.append(JOB_QUERY)
            if any(c.startswith("cs.") for c in categories):
                queries.append(OAI_SET)
        papers.append({
            "arxiv_id": arxiv_id, "version": 1 + (i % 3 == 0), "title": title, "abstract": abstract,
            "authors": [f"{first} {last}" for first, last in authors],
            "author_parts": [[last, first] for first, last in authors],
            "categories": categories, "created": created.isoformat(), "deleted": deleted,
            "skills": sorted(written), "queries": queries,
        })
    return papers


def truth_row(paper: dict) -> dict:
    return {"url": f"https://arxiv.org/abs/{paper['arxiv_id']}", "arxiv_id": paper["arxiv_id"],
            "title": paper["title"], "authors": paper["authors"], "abstract": paper["abstract"],
            "categories": paper["categories"], "date": paper["created"], "skills": paper["skills"],
            "queries": paper["queries"]}
