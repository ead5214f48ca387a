"""Where a page lives: the slug and address of every skill, metro, role and occupation page,
its Atom feed and its JSON, on the static site (``skillenai site``) and on the public one.

A page's address is ``{section}/{slug}/``: ``skills/python/``, ``metros/dublin-ca-us/``,
``roles/data-scientist/``, ``occupations/15-1252-software-developers/``; beside it its feed
(``…/feed.xml``) and its JSON (``skills/python.json``, the document ``skillenai metrics
skill python --format json`` prints). Within the static site links are relative and name
``index.html``, so the site reads from the file system too; the canonical address is
absolute, under ``base_url``.

>>> Links().page("skill", {"id": "x", "name": "C++"})
'https://skillenai.com/skills/c-plus-plus/'
>>> Links(root="../../").page("metro", {"id": "y", "name": "Dublin", "label": "Dublin, CA, US"})
'../../metros/dublin-ca-us/index.html'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Mapping

DEFAULT_BASE_URL = "https://skillenai.com"
SECTIONS = {"skill": "skills", "metro": "metros", "role": "roles", "occupation": "occupations"}

__all__ = ["DEFAULT_BASE_URL", "SECTIONS", "Links", "slugify", "page_slug", "entity_id", "entity_name"]

_WORDS = {"+": " plus ", "#": " sharp ", "&": " and ", "@": " at "}


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens ("C++" → "c-plus-plus", "Kraków, PL" →
    "krakow-pl"); "x" when nothing is left."""
    text = "".join(_WORDS.get(c, c) for c in str(text))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "x"


def entity_id(item: dict) -> str:
    """The id of a page's entity or of a list item (occupations are keyed by SOC code)."""
    return str(item.get("entity_id") or item.get("id") or item.get("code"))


def entity_name(kind: str, item: dict) -> str:
    """An entity as pages name it: a metro by its unambiguous label, an occupation by title."""
    if kind == "metro":
        return str(item.get("label") or item["name"])
    return str(item.get("name") or item.get("title") or entity_id(item))


def page_slug(kind: str, item: dict) -> str:
    """The slug of an entity's page, from its name (an occupation's from its code and title)."""
    if kind == "occupation":
        return f"{entity_id(item)}-{slugify(entity_name(kind, item))}"
    return slugify(entity_name(kind, item))


@dataclass(frozen=True)
class Links:
    """Addresses as one page links them.

    Args:
        base_url: the public site's address (canonical links, the sitemap, feeds' ids).
        root: the path from the page to the site's root ("../../"); ``None`` links absolutely.
        slugs: ``{(kind, id): slug}`` of every entity page the site has; an entity not in it
            gets no link. ``None``: every entity, slug from its name.
    """

    base_url: str = DEFAULT_BASE_URL
    root: str | None = None
    slugs: Mapping[tuple[str, str], str] | None = None

    def at(self, root: str | None) -> "Links":
        return replace(self, root=root)

    def slug(self, kind: str, item: dict) -> str | None:
        if self.slugs is None:
            return page_slug(kind, item)
        return self.slugs.get((kind, entity_id(item)))

    def absolute(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{path}"

    def href(self, path: str) -> str:
        """A site path ("skills/python/index.html", "" for the index) as this page links it."""
        if self.root is None:
            return self.absolute(path.removesuffix("index.html"))
        return self.root + (path or "index.html")

    def _path(self, kind: str, item: dict, leaf: str) -> str | None:
        slug = self.slug(kind, item)
        return None if slug is None else f"{SECTIONS[kind]}/{slug}/{leaf}"

    def page(self, kind: str, item: dict) -> str | None:
        path = self._path(kind, item, "index.html")
        return None if path is None else self.href(path)

    def canonical(self, kind: str, item: dict) -> str | None:
        path = self._path(kind, item, "")
        return None if path is None else self.absolute(path)

    def feed(self, kind: str, item: dict) -> str | None:
        path = self._path(kind, item, "feed.xml")
        return None if path is None else self.href(path)

    def json(self, kind: str, item: dict) -> str | None:
        slug = self.slug(kind, item)
        return None if slug is None else self.href(f"{SECTIONS[kind]}/{slug}.json")
