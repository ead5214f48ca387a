"""Research papers from arXiv: the search API's Atom feed and OAI-PMH ``ListRecords``.

The search API (``/api/query?search_query=…&start=…&max_results=…``) answers with an
Atom feed: ``opensearch:totalResults`` and ``startIndex``, then one ``<entry>`` a paper
(``id`` the abstract page, ``title``, ``summary`` the abstract, ``author/name``,
``published``, ``category/@term`` with ``arxiv:primary_category`` first). OAI-PMH
(``?verb=ListRecords&metadataPrefix=arXiv``) gives ``<record>``s whose ``arXiv``
metadata has ``id``, ``created``, ``authors/author/(keyname, forenames)``, ``title``,
``categories`` (space-separated) and ``abstract``, then a ``resumptionToken`` naming the
next page (empty on the last). Both are parsed without entity resolution or network
access, like every feed (:mod:`skillenai.crawler.parsing.discovery`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import lxml.etree

from skillenai.crawler.parsing.discovery import XmlCuts, xml_document

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV_ATOM = "{http://arxiv.org/schemas/atom}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV_OAI = "{http://arxiv.org/OAI/arXiv/}"
ABS_URL = "https://arxiv.org/abs/"
_VERSION = re.compile(r"v\d+$")
_SPACES = re.compile(r"\s+")


@dataclass
class Paper:
    """One paper as arXiv describes it."""

    arxiv_id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]  # the primary category first
    published: str | None  # first version's date or time
    url: str  # the abstract page, without a version
    element: Any = field(default=None, repr=False, compare=False)  # the entry or record, as parsed


@dataclass
class PaperPage:
    """One response: its papers, the records it could not use (with why), and where the
    listing goes on (``total`` for the search API, ``token`` for OAI-PMH)."""

    papers: list[Paper] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    total: int | None = None
    start: int | None = None
    token: str | None = None
    error: str | None = None  # an OAI-PMH <error> (noRecordsMatch, badResumptionToken…)
    cuts: XmlCuts = field(default_factory=XmlCuts)


def _line(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def _abstract(text: str | None) -> str:
    """An abstract's lines (arXiv wraps them at ~80 columns) joined; blank lines kept as paragraphs."""
    paragraphs = re.split(r"\n\s*\n", (text or "").strip())
    return "\n\n".join(_line(p) for p in paragraphs if p.strip())


def _paper(element, arxiv_id: str, title: str, abstract: str, authors: list[str], categories: list[str],
           published: str | None, where: str, problems: list[str]) -> Paper | None:
    arxiv_id = _VERSION.sub("", arxiv_id.strip())
    if not arxiv_id:
        problems.append(f"{where}: no arXiv id")
        return None
    if not title or not abstract:
        problems.append(f"{where} ({arxiv_id}): no {'title' if not title else 'abstract'}")
        return None
    return Paper(arxiv_id, title, abstract, authors, list(dict.fromkeys(categories)), published,
                 ABS_URL + arxiv_id, element)


def atom_papers(body: bytes) -> PaperPage:
    """The papers of one search API response (an Atom feed).

    Raises ``ValueError`` when the body is not an Atom feed."""
    root, cuts = xml_document(body)
    if root.tag != ATOM + "feed":
        raise ValueError(f"not an arXiv Atom feed (root element {lxml.etree.QName(root).localname!r})")
    page = PaperPage(cuts=cuts)
    for name, attr in (("totalResults", "total"), ("startIndex", "start")):
        value = _line(root.findtext(OPENSEARCH + name))
        if value.isdigit():
            setattr(page, attr, int(value))
    for number, entry in enumerate(root.iter(ATOM + "entry"), start=1):
        where = f"entry {number}"
        entry_id = _line(entry.findtext(ATOM + "id"))
        if "/api/errors" in entry_id:  # the API reports a bad query as an entry
            page.error = _line(entry.findtext(ATOM + "summary")) or "error entry"
            continue
        arxiv_id = entry_id.split("/abs/", 1)[1] if "/abs/" in entry_id else ""
        primary = entry.find(ARXIV_ATOM + "primary_category")
        categories = ([primary.get("term")] if primary is not None and primary.get("term") else []) + [
            c.get("term") for c in entry.iter(ATOM + "category") if c.get("term")]
        paper = _paper(entry, arxiv_id, _line(entry.findtext(ATOM + "title")), _abstract(entry.findtext(ATOM + "summary")),
                       [n for n in (_line(a.findtext(ATOM + "name")) for a in entry.iter(ATOM + "author")) if n],
                       categories, _line(entry.findtext(ATOM + "published")) or None, where, page.problems)
        if paper is not None:
            page.papers.append(paper)
    return page


def oai_papers(body: bytes) -> PaperPage:
    """The papers of one OAI-PMH ``ListRecords`` response in the ``arXiv`` metadata format,
    and its resumption token (``None`` on the last page). Deleted records are left out.

    Raises ``ValueError`` when the body is not an OAI-PMH response."""
    root, cuts = xml_document(body)
    if root.tag != OAI + "OAI-PMH":
        raise ValueError(f"not an OAI-PMH response (root element {lxml.etree.QName(root).localname!r})")
    page = PaperPage(cuts=cuts)
    error = root.find(OAI + "error")
    if error is not None:
        page.error = f"{error.get('code') or 'error'}: {_line(error.text)}".rstrip(": ")
        return page
    for number, record in enumerate(root.iter(OAI + "record"), start=1):
        header = record.find(OAI + "header")
        where = f"record {number}"
        if header is not None and header.get("status") == "deleted":
            continue
        meta = record.find(f"{OAI}metadata/{ARXIV_OAI}arXiv")
        if meta is None:
            page.problems.append(f"{where}: no arXiv metadata (metadataPrefix=arXiv expected)")
            continue
        authors = []
        for author in meta.iter(ARXIV_OAI + "author"):
            parts = [_line(author.findtext(ARXIV_OAI + n)) for n in ("forenames", "keyname", "suffix")]
            name = " ".join(p for p in parts if p)
            if name:
                authors.append(name)
        paper = _paper(record, _line(meta.findtext(ARXIV_OAI + "id")), _line(meta.findtext(ARXIV_OAI + "title")),
                       _abstract(meta.findtext(ARXIV_OAI + "abstract")), authors,
                       _line(meta.findtext(ARXIV_OAI + "categories")).split(),
                       _line(meta.findtext(ARXIV_OAI + "created")) or None, where, page.problems)
        if paper is not None:
            page.papers.append(paper)
    token = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
    page.token = _line(token.text) or None if token is not None else None
    return page
