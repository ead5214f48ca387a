"""``skillenai site``: every page as a static site, with an index, a sitemap, and per page
its Atom feed and its JSON.

The site holds a page for every skill, city, role family and SOC occupation with at least
one canonical posting in the window, and the top-skills, trends and occupations lists::

    index.html  sitemap.xml  top-skills/index.html  trends/index.html  occupations/index.html
    skills/python/index.html  skills/python/feed.xml  skills/python.json   (metros/, roles/, occupations/ alike)

A page's JSON is the document ``skillenai metrics KIND NAME --format json`` prints (the same
window and list lengths). Links within the site are relative, so it reads from the file
system as well as from any web server; canonical links, the sitemap and feed ids use
``base_url``.

Incremental: a file is written only when its bytes differ from what the last build wrote
(a manifest, ``.skillenai-site.json``, keeps each file's SHA-256), and files of pages that
no longer exist are removed; a page whose figures did not change is left untouched, and
so is its modification time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

import sqlite_utils

from skillenai.metrics import queries as metrics
from skillenai.metrics.feed import atom_feed
from skillenai.metrics.links import DEFAULT_BASE_URL, SECTIONS, Links, page_slug
from skillenai.metrics.render import index_html, render

logger = logging.getLogger(__name__)

MANIFEST = ".skillenai-site.json"
FEED_ITEMS = 20

__all__ = ["SiteError", "SiteReport", "build_site", "site_entities", "internal_links", "MANIFEST", "FEED_ITEMS"]


class SiteError(Exception):
    """The site cannot be built where asked; the message says why."""


# Entities with canonical postings in (:lo, :hi], the busiest first: kind → SQL of (id, name, count).
_ENTITIES = {
    "skill": "SELECT v.skill_id, COALESCE(s.name, v.skill_id), COUNT(*) AS n FROM skill_postings v "
             "LEFT JOIN skills s ON s.id = v.skill_id WHERE v.date_posted > :lo AND v.date_posted <= :hi "
             "GROUP BY v.skill_id ORDER BY n DESC, 2, 1",
    "metro": "SELECT v.metro_id, COALESCE(m.label, m.name, v.metro_id), COUNT(*) AS n FROM metro_postings v "
             "LEFT JOIN metros m ON m.id = v.metro_id WHERE v.date_posted > :lo AND v.date_posted <= :hi "
             "GROUP BY v.metro_id ORDER BY n DESC, 2, 1",
    "role": "SELECT v.role_id, COALESCE(r.name, v.role_id), COUNT(*) AS n FROM role_postings v "
            "LEFT JOIN roles r ON r.id = v.role_id WHERE v.date_posted > :lo AND v.date_posted <= :hi "
            "GROUP BY v.role_id ORDER BY n DESC, 2, 1",
    "occupation": "SELECT v.soc_code, COALESCE(o.title, v.soc_code), COUNT(*) AS n FROM occupation_postings v "
                  "LEFT JOIN occupations o ON o.code = v.soc_code WHERE v.date_posted > :lo AND v.date_posted <= :hi "
                  "GROUP BY v.soc_code ORDER BY n DESC, 2, 1",
}


def site_entities(db: sqlite_utils.Database, window: metrics.Window) -> dict[str, list[dict]]:
    """``{kind: [{id, name, postings, slug}]}``: every entity with a canonical posting in the
    window, the busiest first, each with a slug unique within its kind."""
    params = {"lo": window.before(window.days), "hi": window.as_of.isoformat()}
    out: dict[str, list[dict]] = {}
    for kind, sql in _ENTITIES.items():
        items = [{"id": r[0], "name": r[1], "postings": r[2]} for r in db.execute(sql, params)]
        for item in items:
            named = {"id": item["id"], "name": item["name"], "label": item["name"], "title": item["name"]}
            item["slug"] = page_slug(kind, named)
        taken: dict[str, int] = {}
        for item in items:
            taken[item["slug"]] = taken.get(item["slug"], 0) + 1
        for item in items:  # namesakes ("C#" and "C♯" alike) keep apart by their ids
            if taken[item["slug"]] > 1:
                item["slug"] = f"{item['slug']}-{re.sub(r'[^a-z0-9]', '', item['id'].lower())[:8]}"
        out[kind] = items
    return out


@dataclass
class SiteReport:
    """What a build did: files by state, the pages and the links between them."""

    out: str
    as_of: str
    pages: dict[str, int] = field(default_factory=dict)
    files: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    links: int = 0
    broken_links: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"out": self.out, "as_of": self.as_of, "pages": self.pages, "files": self.files,
                "written": len(self.written), "unchanged": self.unchanged, "removed": len(self.removed),
                "links": self.links, "broken_links": self.broken_links}


class _Writer:
    """Writes a file only when its bytes changed since the last build (the manifest's hash)."""

    def __init__(self, out: Path, report: SiteReport):
        self.out, self.report = out, report
        try:
            self.previous = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            self.previous = {}
        self.current: dict[str, str] = {}

    def __call__(self, path: str, text: str) -> None:
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        self.current[path] = digest
        target = self.out / path
        if self.previous.get(path) == digest and target.is_file():
            self.report.unchanged += 1
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        self.report.written.append(path)

    def finish(self) -> None:
        for path in sorted(set(self.previous) - set(self.current)):
            target = self.out / path
            try:
                target.unlink()
                self.report.removed.append(path)
            except FileNotFoundError:
                pass
            for parent in target.parents:  # the page's own folder, once empty
                if parent == self.out or any(parent.iterdir()):
                    break
                parent.rmdir()
        self.report.files = len(self.current)
        manifest = json.dumps({"files": dict(sorted(self.current.items()))}, indent=0)
        (self.out / MANIFEST).write_text(manifest + "\n", encoding="utf-8")


_PAGE = {
    "skill": lambda db, ref, win: metrics.skill_metrics(db, ref, as_of=win.as_of, window=win.days),
    "metro": lambda db, ref, win: metrics.metro_metrics(db, ref, as_of=win.as_of, window=win.days),
    "role": lambda db, ref, win: metrics.role_metrics(db, ref, as_of=win.as_of, window=win.days),
    "occupation": lambda db, ref, win: metrics.occupation_metrics(db, ref, as_of=win.as_of, window=win.days),
}

_REF = {
    "skill": lambda db, item: metrics.resolve_skill_ref(db, item["id"]),
    "metro": lambda db, item: metrics.resolve_metro_ref(db, item["id"]),
    "role": lambda db, item: {"id": item["id"], "name": item["name"]},
    "occupation": lambda db, item: metrics.resolve_occupation_ref(db, item["id"]),
}


def _feed_entries(db, kind: str, m: dict, win: metrics.Window) -> list[dict]:
    entries = [{"id": p["id"], "title": p["title"], "url": p["url"], "date": p["date"], "category": "posting",
                "summary": " · ".join(x for x in (p["company"], p["location"]) if x)}
               for p in metrics.recent_postings(db, kind, m["entity_id"], as_of=win.as_of, window=win.days,
                                                limit=FEED_ITEMS)]
    if kind == "skill":
        for written in ("article", "paper"):
            entries += [{"id": a["id"], "title": a["title"], "url": a["url"], "date": a["date"], "category": written}
                        for a in metrics.recent_articles(db, m["entity_id"], as_of=win.as_of, window=win.days,
                                                         limit=FEED_ITEMS, kind=written)]
    entries.sort(key=lambda e: (e["date"] or "", e["id"]), reverse=True)
    return entries[:FEED_ITEMS]


def _sitemap(links: Links, paths: list[str], as_of: str) -> str:
    rows = "".join(f"<url><loc>{escape(links.absolute(p.removesuffix('index.html')))}</loc>"
                   f"<lastmod>{as_of}</lastmod></url>\n" for p in paths)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</urlset>\n')


_HREF = re.compile(r'<a\s[^>]*href="([^"#]*)(?:#[^"]*)?"')


def internal_links(out: Path, path: str, html: str) -> list[tuple[str, Path]]:
    """The links of a page at ``path`` that stay in the site: ``[(href, file it names)]``."""
    found = []
    for href in _HREF.findall(html):
        if not href or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) or href.startswith("//"):
            continue
        found.append((href, (out / path).parent.joinpath(href).resolve()))
    return found


def build_site(db: sqlite_utils.Database, out: str | Path, *, base_url: str = DEFAULT_BASE_URL, as_of=None,
               window: int = metrics.DEFAULT_WINDOW,
               progress: Callable[[int, int], None] | None = None) -> SiteReport:
    """Write the site for the window ending at ``as_of`` (default: the latest posting date)
    into ``out``, rewriting only the files whose content changed; see the module's doc."""
    if not re.match(r"^https?://[^/\s]+", base_url or ""):
        raise SiteError(f"base URL must be an absolute http(s) address, got {base_url!r}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SiteError(f"{str(out)!r} is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise SiteError(f"{str(out)!r} is a folder with other files in it (no {MANIFEST}); give an empty or new one")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SiteError(f"cannot create {str(out)!r}: {exc.strerror or exc}") from None
    win = metrics.make_window(db, as_of, window)
    entities = site_entities(db, win)
    report = SiteReport(out=str(out), as_of=win.as_of.isoformat())
    write = _Writer(out, report)
    slugs = {(kind, item["id"]): item["slug"] for kind, items in entities.items() for item in items}
    site = Links(base_url=base_url, slugs=slugs)
    pages: dict[str, str] = {}  # path → HTML, for the link check
    total = sum(map(len, entities.values()))
    done = 0
    for kind, items in entities.items():
        links = site.at("../../")
        for item in items:
            m = _PAGE[kind](db, _REF[kind](db, item), win)
            base = f"{SECTIONS[kind]}/{item['slug']}"
            pages[f"{base}/index.html"] = render(kind, m, "html", links)
            write(f"{base}/index.html", pages[f"{base}/index.html"])
            write(f"{SECTIONS[kind]}/{item['slug']}.json", render(kind, m, "json"))
            write(f"{base}/feed.xml", atom_feed(
                title=f"{m.get('label') or m['name']} — new on Skillenai", feed_url=site.absolute(f"{base}/feed.xml"),
                page_url=site.absolute(f"{base}/"), entries=_feed_entries(db, kind, m, win),
                updated=m["data_as_of"], subtitle=f"New job postings and articles: {m.get('label') or m['name']}"))
            done += 1
            if progress:
                progress(done, total)
        report.pages[kind] = len(items)
    for name, kind, data in (
            ("top-skills", "top-skills", metrics.top_skills(db, as_of=win.as_of, window=win.days)),
            ("trends", "trends", metrics.trends(db, as_of=win.as_of)),
            ("occupations", "occupations", metrics.occupations(db, as_of=win.as_of, window=win.days))):
        pages[f"{name}/index.html"] = render(kind, data, "html", site.at("../"))
        write(f"{name}/index.html", pages[f"{name}/index.html"])
        write(f"{name}.json", render(kind, data, "json"))
        report.pages[kind] = 1
    pages["index.html"] = index_html(entities, site.at(""), as_of=win.as_of.isoformat(), window=win.days)
    write("index.html", pages["index.html"])
    report.pages["index"] = 1
    write("sitemap.xml", _sitemap(site, sorted(pages), win.as_of.isoformat()))
    files = set(write.current)
    for path, html in pages.items():
        for href, target in internal_links(out, path, html):
            report.links += 1
            inside = target.is_relative_to(out.resolve())
            if not inside or target.relative_to(out.resolve()).as_posix() not in files:
                report.broken_links.append(f"{path} → {href}")
    write.finish()
    return report
