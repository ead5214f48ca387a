"""The sample web's arXiv stand-in: the search API and OAI-PMH, in arXiv's own shapes.

``GET /api/query?search_query=Q&start=S&max_results=N`` answers an Atom feed with
OpenSearch totals and one ``<entry>`` a paper (newest first), as
``export.arxiv.org/api/query`` does; a query it cannot read gets arXiv's error entry.
``GET /oai?verb=ListRecords&metadataPrefix=arXiv[&set=S]`` answers ``OAI_PAGE`` records
a page and a ``resumptionToken`` for the next (empty on the last), deleted records as
headers with ``status="deleted"``; ``noRecordsMatch`` and ``badResumptionToken`` are
OAI-PMH errors. Queries understand ``all:``, ``ti:``, ``abs:``, ``au:`` and ``cat:``
terms, quoted phrases, and ``AND``/``OR``/``ANDNOT`` read left to right.
"""

import re
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

OAI_PAGE = 10
_TERM = re.compile(r'\s*(?:(AND|OR|ANDNOT)\s+)?(\w+):("([^"]*)"|\S+)')


def matches(paper: dict, query: str) -> bool | None:
    """Whether ``paper`` answers ``query``; ``None`` for a query that cannot be read."""
    query = query.replace("(", " ").replace(")", " ").strip()
    result, pos = None, 0
    while pos < len(query):
        m = _TERM.match(query, pos)
        if m is None or (result is None) != (m.group(1) is None):
            return None if query[pos:].strip() else result
        field, value = m.group(2), (m.group(4) if m.group(4) is not None else m.group(3)).lower()
        texts = {"ti": [paper["title"]], "abs": [paper["abstract"]], "au": paper["authors"],
                 "cat": paper["categories"], "all": [paper["title"], paper["abstract"], *paper["authors"]]}.get(field)
        if texts is None:
            return None
        if field == "cat":
            hit = any(c.lower() == value or c.lower().startswith(value.rstrip("*")) and value.endswith("*")
                      for c in texts)
        else:
            hit = any(value in t.lower() for t in texts)
        op = m.group(1)
        result = hit if op is None else (result and hit) if op == "AND" else (result or hit) if op == "OR" \
            else (result and not hit)
        pos = m.end()
    return result


def _abs(paper: dict) -> str:
    return f"http://arxiv.org/abs/{paper['arxiv_id']}v{paper['version']}"


def atom_feed(papers: list, query: str, start: int, size: int) -> str:
    """The search API's answer (``papers`` newest first)."""
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f'  <link href={quoteattr("http://arxiv.org/api/query?" + urlencode({"search_query": query}))} rel="self" '
            'type="application/atom+xml"/>\n'
            f'  <title type="html">ArXiv Query: search_query={escape(query)}&amp;id_list=&amp;start={start}'
            f'&amp;max_results={size}</title>\n  <id>http://arxiv.org/api/sample</id>\n')
    if not papers or matches(papers[0], query) is None:
        return (head + '  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1'
                '</opensearch:totalResults>\n  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format</id>\n'
                '    <title>Error</title>\n    <summary>malformed query</summary>\n  </entry>\n</feed>\n')
    found = [p for p in papers if not p["deleted"] and matches(p, query)]
    found.sort(key=lambda p: (p["created"], p["arxiv_id"]), reverse=True)
    out = [head,
           f'  <updated>{found[0]["created"] if found else "2026-01-01"}T00:00:00-05:00</updated>\n'
           f'  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(found)}'
           '</opensearch:totalResults>\n'
           f'  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}'
           '</opensearch:startIndex>\n'
           f'  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{size}'
           '</opensearch:itemsPerPage>\n']
    for p in found[start:start + size]:
        when = f"{p['created']}T17:{int(p['arxiv_id'][-2:]) % 60:02d}:11Z"
        out.append(
            f"  <entry>\n    <id>{_abs(p)}</id>\n    <updated>{when}</updated>\n    <published>{when}</published>\n"
            f"    <title>{escape(_wrap(p['title']))}</title>\n    <summary>  {escape(_wrap(p['abstract']))}\n</summary>\n"
            + "".join(f"    <author>\n      <name>{escape(a)}</name>\n    </author>\n" for a in p["authors"])
            + f'    <link href="{_abs(p)}" rel="alternate" type="text/html"/>\n'
            f'    <link title="pdf" href="{_abs(p).replace("/abs/", "/pdf/")}" rel="related" type="application/pdf"/>\n'
            f'    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{p["categories"][0]}" '
            'scheme="http://arxiv.org/schemas/atom"/>\n'
            + "".join(f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>\n' for c in p["categories"])
            + "  </entry>\n")
    out.append("</feed>\n")
    return "".join(out)


def _wrap(text: str, width: int = 78) -> str:
    """``text`` broken into lines as arXiv serves titles and abstracts."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line])


def oai_list_records(papers: list, params: dict, base_url: str) -> tuple[int, str]:
    """(status, body) of an OAI-PMH request."""
    request = "".join(f" {k}={quoteattr(v)}" for k, v in sorted(params.items()))
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/'
            'OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n<responseDate>2026-05-09T00:00:00Z'
            f'</responseDate>\n<request{request}>{escape(base_url)}</request>\n')

    def error(code: str, message: str) -> tuple[int, str]:
        return 200, head + f'<error code="{code}">{escape(message)}</error>\n</OAI-PMH>\n'

    if params.get("verb") != "ListRecords":
        return error("badVerb", "Illegal verb")
    token = params.get("resumptionToken")
    if token:
        m = re.fullmatch(r"([A-Za-z.-]*)\|(\d+)", token)
        if m is None or len(params) != 2:
            return error("badResumptionToken", "Invalid or expired resumption token")
        set_spec, cursor = m.group(1), int(m.group(2))
    else:
        if params.get("metadataPrefix") != "arXiv":
            return error("cannotDisseminateFormat", "Only the arXiv format is served here")
        set_spec, cursor = params.get("set", ""), 0
    chosen = sorted((p for p in papers if not set_spec or any(c.split(".")[0] == set_spec for c in p["categories"])),
                    key=lambda p: p["arxiv_id"])
    if not chosen:
        return error("noRecordsMatch", "No records match")
    out = [head, "<ListRecords>\n"]
    for p in chosen[cursor:cursor + OAI_PAGE]:
        sets = "".join(f"<setSpec>{c.split('.')[0]}</setSpec>" for c in dict.fromkeys(p["categories"]))
        if p["deleted"]:
            out.append(f'<record><header status="deleted"><identifier>oai:arXiv.org:{p["arxiv_id"]}</identifier>'
                       f'<datestamp>{p["created"]}</datestamp>{sets}</header></record>\n')
            continue
        authors = "".join(f"<author><keyname>{escape(last)}</keyname><forenames>{escape(first)}</forenames></author>"
                          for last, first in p["author_parts"])
        out.append(
            f'<record><header><identifier>oai:arXiv.org:{p["arxiv_id"]}</identifier><datestamp>{p["created"]}'
            f'</datestamp>{sets}</header><metadata>\n<arXiv xmlns="http://arxiv.org/OAI/arXiv/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ '
            f'http://arxiv.org/OAI/arXiv.xsd">\n<id>{p["arxiv_id"]}</id><created>{p["created"]}</created>'
            f'<authors>{authors}</authors><title>{escape(_wrap(p["title"]))}</title>'
            f'<categories>{" ".join(p["categories"])}</categories>'
            '<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>'
            f'<abstract>  {escape(_wrap(p["abstract"]))}\n</abstract></arXiv>\n</metadata></record>\n')
    following = cursor + OAI_PAGE
    next_token = f"{set_spec}|{following}" if following < len(chosen) else ""
    out.append(f'<resumptionToken cursor="{cursor}" completeListSize="{len(chosen)}">{next_token}</resumptionToken>\n'
               "</ListRecords>\n</OAI-PMH>\n")
    return 200, "".join(out)
