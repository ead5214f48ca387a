"""Where generated files go: ``{out}/sites/{site}/...``, laid out so the server can map
a request path straight to a file."""

import os
from pathlib import Path


def file_for(path: str, page: int = 1) -> str:
    """The file (relative to the site's folder) that serves URL ``path`` (and, for
    paginated listings, ``?page=N``): "/jobs/" -> "jobs/index.html",
    "/jobs/?page=2" -> "jobs/index.page-2.html", "/feed.xml" -> "feed.xml"."""
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        return rel + ("index.html" if page <= 1 else f"index.page-{page}.html")
    return rel


class SiteFiles:
    """Writes site files, creating folders once."""

    def __init__(self, root):
        self.root = Path(root) / "sites"
        self._made = set()
        self.count = 0
        self.bytes = 0

    def path(self, site: str, path: str, page: int = 1) -> Path:
        return self.root / site / file_for(path, page)

    def write(self, site: str, path: str, text: str, page: int = 1):
        target = self.path(site, path, page)
        parent = target.parent
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)
        data = text.encode("utf-8")
        with open(target, "wb") as fh:
            fh.write(data)
        self.count += 1
        self.bytes += len(data)

    def open_text(self, site: str, path: str):
        """A text file to stream into (for large files such as JSON Lines boards)."""
        target = self.path(site, path)
        os.makedirs(target.parent, exist_ok=True)
        self._made.add(target.parent)
        self.count += 1
        return open(target, "w", encoding="utf-8", newline="\n")
