"""Career-site pages as heavy as real ones: a sample web's HTML padded to 100–300 KB.

The sample web's career pages are 10–20 KB: the posting, its JSON-LD and a little site
furniture. Real career sites send 100–300 KB a page, most of it not the posting: a
front-end framework's inline runtime, the app state it hydrates from (navigation, other
openings, translations), inline CSS with hashed class names, an SVG icon sprite. They
send it gzip-compressed (3–6× smaller on the wire; the furniture made here compresses about 3.5×). ``inflate`` copies a generated web
and pads every HTML page of its career sites with such furniture to a size drawn
between two bounds, so a crawl benchmark can measure what decompressing, carrying and
parsing real-sized pages costs (``python -m benchmarks.bench_crawl --page-kb 100-300``).

The furniture is generated, never copied from a real site: identifiers, numbers and
words drawn from a seeded generator, so it compresses about as real minified code and
JSON do. A page's furniture sits in ``<head>`` (style, runtime) and at the end of
``<body>`` (state, sprite), where it is in real pages, so the posting's own markup, its
JSON-LD and the text an extractor reads are unchanged: the project's crawl must store the
same documents from the inflated web as from the original.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

_WORDS = ("account apply benefits button career close company container content cookie data department "
          "description dialog engineering filter footer form grid header hidden icon item job label language "
          "layout link list location menu modal nav office open overlay page panel position remote role "
          "search section select share sidebar team title toggle wrapper").split()
_CSS_PROPS = ("display:flex", "display:none", "display:block", "position:relative", "position:absolute",
              "margin:0", "padding:0", "align-items:center", "justify-content:space-between", "font-weight:600",
              "overflow:hidden", "cursor:pointer", "text-decoration:none", "box-sizing:border-box",
              "flex-direction:column", "white-space:nowrap", "opacity:0", "transition:opacity .2s ease")
_JS_WORDS = ("function", "return", "var", "const", "let", "if", "else", "for", "new", "this", "null",
             "void 0", "typeof", "undefined", "Object", "Array", "Promise", "prototype", "length", "push",
             "call", "apply", "default", "exports", "module", "__esModule", "Symbol", "iterator")
_CITIES = ("London", "Berlin", "Austin, TX", "Toronto", "Remote", "New York, NY", "Paris", "Singapore", "Dublin",
           "San Francisco, CA", "Amsterdam", "Sydney", "Bangalore", "Seattle, WA", "Madrid", "Warsaw")
_TITLES = ("Software Engineer", "Senior Data Scientist", "Product Manager", "Account Executive", "Designer",
           "Site Reliability Engineer", "Recruiter", "Customer Success Manager", "Backend Engineer",
           "Marketing Lead", "Financial Analyst", "Support Specialist", "Engineering Manager")


# Minified code reuses a few hundred short names; so does the generator.
_IDENTS = ["".join(random.Random(i).choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_$") for _ in range(1 + i % 3))
           for i in range(300)]


def _ident(rng: random.Random) -> str:
    return rng.choice(_IDENTS)


_PALETTE = ("fff", "000", "1a1a1a", "333", "666", "999", "e5e5e5", "f5f5f5", "0057b8", "d0021b", "2e7d32", "ffb300")


def _hash(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def _style(rng: random.Random, size: int) -> str:
    rules, total = [], 0
    while total < size:
        rule = (f".{rng.choice(_WORDS)}_{rng.choice(_WORDS)}__{rng.choice(_IDENTS)}{rng.randint(0, 9)}"
                f"{{{';'.join(rng.sample(_CSS_PROPS, rng.randint(2, 5)))};"
                f"width:{rng.randrange(0, 1200, 4)}px;color:#{rng.choice(_PALETTE)}}}")
        rules.append(rule)
        total += len(rule)
    return "<style>" + "".join(rules) + "</style>"


def _runtime(rng: random.Random, size: int) -> str:
    parts, total = [], 0
    while total < size:
        a, b, c = _ident(rng), _ident(rng), _ident(rng)
        kind = rng.random()
        if kind < 0.4:
            part = (f"{rng.choice(_JS_WORDS)} {a}=function({b},{c}){{return {b}&&{b}.{rng.choice(_WORDS)}"
                    f"?{c}[{rng.randint(0, 999)}]:{rng.choice(_JS_WORDS)}}};")
        elif kind < 0.7:
            part = f'{a}.{rng.choice(_WORDS)}("{rng.choice(_WORDS)}-{_hash(rng, 4)}",{b}.{rng.choice(_WORDS)}|{rng.randint(0, 65535)});'
        else:
            part = f"if({a}!=={b}){{{c}.push({a},{rng.randint(0, 9999)});{b}=new {rng.choice(_JS_WORDS)}({c})}}"
        parts.append(part)
        total += len(part)
    return '<script>(self.webpackChunk=self.webpackChunk||[]).push([[' + str(rng.randint(100, 999)) + \
        "],{" + "".join(parts) + "}]);</script>"


def _state(rng: random.Random, size: int) -> str:
    jobs, total = [], 0
    while total < size:
        job = {"id": _hash(rng, 12), "title": rng.choice(_TITLES), "location": rng.choice(_CITIES),
               "team": rng.choice(_WORDS).title(), "url": f"/jobs/{_hash(rng, 8)}",
               "tags": rng.sample(_WORDS, 3), "postedDaysAgo": rng.randint(0, 90)}
        text = json.dumps(job, separators=(",", ":"))
        jobs.append(job)
        total += len(text) + 1
    state = {"props": {"pageProps": {"nav": jobs, "locale": "en", "build": _hash(rng, 20)}}}
    # '<' escaped as frameworks do, so the block cannot close the script early.
    return ('<script id="__APP_STATE__" type="application/json">'
            + json.dumps(state, separators=(",", ":")).replace("<", "\\u003c") + "</script>")


def _sprite(rng: random.Random, size: int) -> str:
    symbols, total = [], 0
    while total < size:
        d = "M" + " ".join(f"{rng.randint(0, 240) / 10} {rng.randint(0, 240) / 10}" + rng.choice("LCQ")
                           for _ in range(rng.randint(6, 20)))
        symbol = f'<symbol id="icon-{rng.choice(_WORDS)}-{_hash(rng, 3)}" viewBox="0 0 24 24"><path d="{d}Z"/></symbol>'
        symbols.append(symbol)
        total += len(symbol)
    return '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">' + "".join(symbols) + "</svg>"


def pad_page(html: str, target_bytes: int, rng: random.Random) -> str:
    """``html`` with furniture added in its ``<head>`` and at the end of its ``<body>`` to
    about ``target_bytes`` (UTF-8): 20% style, 45% runtime, 25% app state, 10% sprite."""
    room = target_bytes - len(html.encode("utf-8"))
    if room <= 0:
        return html
    head = _style(rng, room // 5) + _runtime(rng, room * 45 // 100)
    tail = _state(rng, room // 4) + _sprite(rng, room // 10)
    lower = html.lower()
    h = lower.find("</head>")
    b = lower.rfind("</body>")
    if h < 0 or b < 0 or b < h:
        return html  # not a page with a head and a body (a fragment): left as it is
    return html[:h] + head + html[h:b] + tail + html[b:]


def inflate(web_dir: Path, out_dir: Path, lo_kb: int, hi_kb: int, seed: int = 7) -> dict:
    """Copy the sample web in ``web_dir`` to ``out_dir`` (files other than career-site
    HTML hard-linked where the file system allows) with every career-site HTML page
    padded to a size drawn uniformly between ``lo_kb`` and ``hi_kb`` KB. Returns the
    pages padded and their mean size in KB."""
    web_dir, out_dir = Path(web_dir), Path(out_dir)
    if lo_kb <= 0 or hi_kb < lo_kb:
        raise ValueError(f"page sizes {lo_kb}-{hi_kb} KB: give two sizes, the smaller first")
    sites = json.loads((web_dir / "manifest.json").read_text(encoding="utf-8"))["sites"]
    careers = {site for site, kind in sites.items() if kind == "careers"}
    if out_dir.exists():
        shutil.rmtree(out_dir)
    rng = random.Random(seed)
    padded = total = 0
    for path in sorted(web_dir.rglob("*")):
        target = out_dir / path.relative_to(web_dir)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        rel = path.relative_to(web_dir).parts
        if path.suffix == ".html" and len(rel) > 2 and rel[0] == "sites" and rel[1] in careers:
            html = path.read_text(encoding="utf-8")
            page = pad_page(html, rng.randint(lo_kb, hi_kb) * 1024, rng)
            target.write_text(page, encoding="utf-8")
            # the server's Last-Modified comes from the file: keep the generator's
            shutil.copystat(path, target)
            padded += 1
            total += len(page.encode("utf-8"))
            continue
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
    return {"pages": padded, "mean_kb": round(total / max(padded, 1) / 1024, 1)}
