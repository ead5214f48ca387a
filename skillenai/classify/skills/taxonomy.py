"""The skill taxonomy: canonical skills, their categories and aliases, read from data files.

The data lives in ``skillenai/classify/data/skills/`` (see the README there):

- ``categories.tsv``: the allowed categories, and whether version numbers may follow a skill's
  name ("Python 3.11", "Java 17").
- ``taxonomy/*.tsv``: the project's own skills, one a row, ``name<TAB>category<TAB>aliases<TAB>esco_uri``.
  Aliases are separated by ``|``; a prefix on an alias sets how it is matched:
  ``=`` exact case only ("=JS"), ``?`` ambiguous in exact case ("?Go": a classifier decides
  from the context), ``~`` ambiguous in any case ("~React"), ``!`` for linking only: a word
  too common to look for in running text ("testing", "cloud") that still names the skill
  once a span detector or a person has said it is one (entity linking, ``resolve``).
  Aliases of one or two characters always match in exact case. The canonical name is an alias of its own unless it is listed
  among the aliases with a prefix.

- ``esco/esco_skills.tsv.gz``: ESCO v1.1.1's skills the project's own do not cover
  (derived by ``tools/build_esco.py``), and the ESCO concept of project skills whose row
  names none. ESCO skills are entities to link spans to and to resolve names to, never
  aliases to look for in running text: their labels are everyday phrases far more often
  than skill mentions ("be responsible", "continue").

Nothing is read at import time; :func:`load_taxonomy` reads, validates and caches.
Every error names the file and line it comes from.
"""

from __future__ import annotations

import functools
import gzip
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from skillenai.classify.resources import CLASSIFY_DATA
from skillenai.core.ids import entity_id

logger = logging.getLogger(__name__)

DATA_DIR = CLASSIFY_DATA / "skills"
TAXONOMY_DIR = DATA_DIR / "taxonomy"
CATEGORIES_FILE = DATA_DIR / "categories.tsv"
ESCO_FILE = DATA_DIR / "esco" / "esco_skills.tsv.gz"
ESCO_HEADER = ("id", "name", "category", "aliases", "esco_uri", "lightcast_id", "status", "esco_type", "esco_related")
STOP_PHRASES_FILE = DATA_DIR / "stop_phrases.txt"
HEADER = ("name", "category", "aliases", "esco_uri")
ESCO_PREFIX = "http://data.europa.eu/esco/"
ALIAS_SEPARATOR = "|"
_FLAGS = "=?~!"
_SPACES = re.compile(r"\s+")
# Characters an alias may not contain: they never survive the matcher's normalisation.
_FORBIDDEN = re.compile(r"[()\[\]{}<>\"“”,;\t]")


class TaxonomyError(ValueError):
    """A taxonomy data file is malformed; the message names the file and line."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


def alias_key(text: str) -> str:
    """The normalised form two aliases are compared by: lower case, single spaces.

    >>> alias_key("  Google   Cloud Platform ")
    'google cloud platform'
    """
    return _SPACES.sub(" ", text).strip().lower()


@dataclass(frozen=True, slots=True)
class Skill:
    """One canonical skill.

    ``aliases`` are the surface forms written in the data file (without matching flags and
    without generated spelling variants); ``esco_uri`` and ``lightcast_id`` are the same
    skill in ESCO and in Lightcast Open Skills, if known (no Lightcast id is shipped: see
    ``skillenai/classify/data/skills/README.md``); ``source`` is ``project`` or ``esco``.
    """

    id: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    esco_uri: str | None = None
    lightcast_id: str | None = None
    source: str = "project"

    def as_row(self) -> dict:
        """A plain dict for a ``skills`` table (aliases joined by ``" | "``)."""
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "aliases": " | ".join(self.aliases),
            "esco_uri": self.esco_uri,
            "lightcast_id": self.lightcast_id,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class AliasEntry:
    """One surface form the matcher looks for, and how it is matched."""

    text: str
    key: str
    skill: int  # index into Taxonomy.skills
    case_sensitive: bool
    ambiguous: bool
    derived: bool  # a generated variant (plural, hyphenation, "VueJS" for "Vue.js")
    source: str  # "file:line"
    link_only: bool = False  # "!": never looked for in running text, only linked to


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    versioned: bool
    description: str


@dataclass
class Taxonomy:
    """All skills, their aliases and categories. Build with :func:`load_taxonomy`."""

    skills: tuple[Skill, ...]
    aliases: tuple[AliasEntry, ...]
    categories: dict[str, Category]
    stop_phrases: tuple[AliasEntry, ...] = ()
    _by_id: dict[str, Skill] = field(default_factory=dict, repr=False)
    _by_key: dict[str, list[AliasEntry]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {s.id: s for s in self.skills}
        self._by_key = {}
        for a in self.aliases:
            self._by_key.setdefault(a.key, []).append(a)

    def __len__(self) -> int:
        return len(self.skills)

    def __iter__(self):
        return iter(self.skills)

    def index_of(self, skill_id: str) -> int:
        """The position of the skill with this entity id in :attr:`skills`."""
        index = self.__dict__.get("_index_by_id")
        if index is None:
            index = self.__dict__["_index_by_id"] = {s.id: i for i, s in enumerate(self.skills)}
        return index[skill_id]

    def get(self, skill_id: str) -> Skill | None:
        """The skill with this entity id, or ``None``."""
        return self._by_id.get(skill_id)

    def alias_entry(self, alias: str) -> AliasEntry | None:
        """The alias entry for ``alias``; where case tells two apart ("dbt", "DBT"), the exact one."""
        entries = self._by_key.get(alias_key(alias))
        if not entries:
            return None
        stripped = " ".join(alias.split())
        for e in entries:
            if e.text == stripped:
                return e
        return entries[0]

    def lookup(self, alias: str) -> Skill | None:
        """The skill an alias (or canonical name) names, ignoring case and spacing."""
        entry = self.alias_entry(alias)
        return self.skills[entry.skill] if entry is not None else None

    @functools.cached_property
    def scanned_aliases(self) -> tuple[AliasEntry, ...]:
        """The aliases looked for in running text (all but the link-only ones)."""
        return tuple(a for a in self.aliases if not a.link_only)

    def ambiguous_aliases(self) -> dict[str, Skill]:
        """Ambiguous alias key → its skill (the aliases the disambiguator decides)."""
        return {a.key: self.skills[a.skill] for a in self.aliases if a.ambiguous}

    def entries_for(self, key: str) -> list[AliasEntry]:
        """Every alias entry with this normalised key (several only for case variants)."""
        return self._by_key.get(key, [])

    def by_category(self) -> dict[str, list[Skill]]:
        out: dict[str, list[Skill]] = {}
        for s in self.skills:
            out.setdefault(s.category, []).append(s)
        return out

    def rows(self) -> list[dict]:
        """Every skill as a plain dict (id, name, category, aliases, esco_uri)."""
        return [s.as_row() for s in self.skills]


# --------------------------------------------------------------------------- parsing


def read_categories(path: Path | str = CATEGORIES_FILE) -> dict[str, Category]:
    """Read ``categories.tsv`` (``category<TAB>versioned<TAB>description``)."""
    path = Path(path)
    cats: dict[str, Category] = {}
    for lineno, line in _data_lines(path):
        cols = line.split("\t")
        if cols[0] == "category":
            continue
        if len(cols) != 3:
            raise TaxonomyError(f"expected 3 tab-separated columns, found {len(cols)}", path, lineno)
        name, versioned, description = (c.strip() for c in cols)
        if not name:
            raise TaxonomyError("empty category name", path, lineno)
        if versioned not in ("yes", "no"):
            raise TaxonomyError(f"versioned must be 'yes' or 'no', got {versioned!r}", path, lineno)
        if name in cats:
            raise TaxonomyError(f"duplicate category {name!r}", path, lineno)
        cats[name] = Category(name, versioned == "yes", description)
    if not cats:
        raise TaxonomyError("no categories defined", path)
    return cats


def read_stop_phrases(path: Path | str = STOP_PHRASES_FILE) -> list[AliasEntry]:
    """Phrases that are never skills and hide the aliases inside them ("Vitamin C", "Sous Chef").

    One phrase a line; a leading ``=`` matches the exact case only ("=excel at").
    """
    path = Path(path)
    out: list[AliasEntry] = []
    seen: dict[str, int] = {}
    for lineno, line in _data_lines(path):
        raw = line.strip()
        cs = raw.startswith("=")
        text = raw[1:].strip() if cs else raw
        if not text:
            raise TaxonomyError("empty stop phrase", path, lineno)
        if text[0] in _FLAGS:
            raise TaxonomyError(f"stop phrase {raw!r}: only the '=' prefix is allowed", path, lineno)
        bad = _FORBIDDEN.search(text)
        if bad:
            raise TaxonomyError(f"stop phrase {text!r} contains {bad.group()!r}, which the matcher cannot see", path, lineno)
        key = alias_key(text)
        if key in seen:
            raise TaxonomyError(f"stop phrase {text!r} repeats line {seen[key]}", path, lineno)
        seen[key] = lineno
        out.append(AliasEntry(text, key, -1, cs or len(text) <= 2, False, False, f"{path}:{lineno}"))
    return out


def _data_lines(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaxonomyError("file not found", path) from None
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", path) from None
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield lineno, line.rstrip("\r\n")


def _parse_alias(raw: str, path: Path, lineno: int) -> tuple[str, bool, bool, bool]:
    """``"?Go"`` → ``("Go", case_sensitive=True, ambiguous=True, link_only=False)``."""
    flags = ""
    text = raw.strip()
    while text and text[0] in _FLAGS and len(text) > 1 and not flags:
        flags, text = text[0], text[1:].strip()
    if not text:
        raise TaxonomyError(f"empty alias in {raw!r}", path, lineno)
    if text[0] in _FLAGS and len(text) > 1:
        raise TaxonomyError(f"alias {raw!r} has more than one prefix (use one of = ? ~ !)", path, lineno)
    bad = _FORBIDDEN.search(text)
    if bad:
        raise TaxonomyError(f"alias {text!r} contains {bad.group()!r}, which the matcher cannot see", path, lineno)
    ambiguous = flags in ("?", "~")
    link_only = flags == "!"
    case_sensitive = flags in ("=", "?") or (len(text) <= 2 and not link_only)
    return text, case_sensitive, ambiguous, link_only


def _case_variants(a: tuple, b: tuple) -> bool:
    """Two aliases equal but for case may coexist if both match in exact case ("dbt", "DBT")."""
    return a[1] and b[1] and a[0] != b[0]


@dataclass
class _Row:
    name: str
    category: str
    aliases: list[tuple[str, bool, bool, bool]]  # (text, case_sensitive, ambiguous, link_only), name first
    esco_uri: str | None
    path: Path
    line: int
    source: str = "project"


def parse_taxonomy_file(path: Path | str, categories: dict[str, Category]) -> list[_Row]:
    """Parse one ``taxonomy/*.tsv`` file; raise :class:`TaxonomyError` on the first problem."""
    path = Path(path)
    rows: list[_Row] = []
    seen_header = False
    for lineno, line in _data_lines(path):
        cols = line.split("\t")
        if not seen_header:
            seen_header = True
            if tuple(c.strip() for c in cols) != HEADER:
                raise TaxonomyError(
                    f"first line must be the header {'<TAB>'.join(HEADER)!r}, got {line[:60]!r}", path, lineno
                )
            continue
        if len(cols) < 2 or len(cols) > 4:
            raise TaxonomyError(
                f"expected 2 to 4 tab-separated columns (name, category, aliases, esco_uri), found {len(cols)}",
                path,
                lineno,
            )
        cols += [""] * (4 - len(cols))
        name, category, alias_cell, esco = (c.strip() for c in cols)
        if not name:
            raise TaxonomyError("empty skill name", path, lineno)
        if name[0] in _FLAGS:
            raise TaxonomyError(f"skill name {name!r} starts with a matching prefix; put prefixes on aliases", path, lineno)
        if not category:
            raise TaxonomyError(f"empty category for skill {name!r}", path, lineno)
        if category not in categories:
            raise TaxonomyError(
                f"unknown category {category!r} for skill {name!r} (allowed: {', '.join(sorted(categories))})",
                path,
                lineno,
            )
        if esco and not esco.startswith(ESCO_PREFIX):
            raise TaxonomyError(f"esco_uri must start with {ESCO_PREFIX!r}, got {esco!r}", path, lineno)
        aliases: list[tuple[str, bool, bool, bool]] = []
        if alias_cell:
            for raw in alias_cell.split(ALIAS_SEPARATOR):
                if not raw.strip():
                    raise TaxonomyError(f"empty alias in the aliases of {name!r}", path, lineno)
                aliases.append(_parse_alias(raw, path, lineno))
        keys = [alias_key(a[0]) for a in aliases]
        for i, k in enumerate(keys):
            for j in range(i):
                if keys[j] == k and not _case_variants(aliases[i], aliases[j]):
                    raise TaxonomyError(f"alias {aliases[i][0]!r} is listed twice for {name!r}", path, lineno)
        if alias_key(name) not in keys:
            bad = _FORBIDDEN.search(name)
            if bad:
                raise TaxonomyError(
                    f"skill name {name!r} contains {bad.group()!r}; list its matchable spellings as aliases "
                    f"with a prefix", path, lineno,
                )
            aliases.insert(0, (name, len(name) <= 2, False, False))
        rows.append(_Row(name, category, aliases, esco or None, path, lineno))
    if not seen_header:
        raise TaxonomyError("empty taxonomy file (no header)", path)
    return rows


# --------------------------------------------------------------------------- variants

_JS_SUFFIX = re.compile(r"\.js$", re.IGNORECASE)
_HYPHEN_WORDS = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$", re.IGNORECASE)
_SPACED_WORDS = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+)+$", re.IGNORECASE)


def _variants(text: str) -> list[str]:
    """Spelling variants generated for a plain (case-insensitive, unambiguous) alias."""
    out: list[str] = []
    if _JS_SUFFIX.search(text):
        base = text[:-3]
        out += [base + "js", base + " js"]
    if _HYPHEN_WORDS.match(text):
        out += [text.replace("-", " "), text.replace("-", "")]
    elif _SPACED_WORDS.match(text) and text.count(" ") <= 2:
        out.append(text.replace(" ", "-"))
    # Plurals: "data pipeline" → "data pipelines", "API" → "APIs", "technology" → "technologies".
    for form in [text] + out:
        last = form[-1]
        if len(form) < 3 or not last.isalpha() or form[-2:].lower() in ("ss",) or last in "sS":
            continue
        if last == "y" and form[-2].lower() not in "aeiou":
            out.append(form[:-1] + "ies")
        elif last.isupper():
            out.append(form + "s")
        elif last.islower() and not form.lower().endswith(("sh", "ch", "x", "z")):
            out.append(form + "s")
    return out


# --------------------------------------------------------------------------- loading


def build_taxonomy(
    files: list[Path], categories: dict[str, Category], stop_phrases: list[AliasEntry] | None = None,
    extra: list[_Row] | None = None, crosswalk: dict[str, str] | None = None,
) -> Taxonomy:
    """Validate and assemble skills from taxonomy files (in the order given), then the
    ``extra`` rows (ESCO's, link-only); ``crosswalk`` gives project skills without an ESCO
    URI of their own one (by name key)."""
    skills: list[Skill] = []
    entries: list[AliasEntry] = []
    by_key: dict[str, list[AliasEntry]] = {}
    names: dict[str, str] = {}
    rows: list[_Row] = []
    for f in files:
        rows.extend(parse_taxonomy_file(f, categories))
    crosswalk = crosswalk or {}
    for row in rows:
        if row.esco_uri is None and alias_key(row.name) in crosswalk:
            row.esco_uri = crosswalk[alias_key(row.name)]
    project_rows = len(rows)
    rows.extend(extra or [])
    for index, row in enumerate(rows):
        where = f"{row.path}:{row.line}"
        nkey = alias_key(row.name)
        if nkey in names:
            raise TaxonomyError(f"duplicate skill {row.name!r} (first defined at {names[nkey]})", row.path, row.line)
        names[nkey] = where
        explicit = tuple(a[0] for a in row.aliases if a[0] != row.name)
        skills.append(Skill(entity_id("skill", row.name), row.name, row.category, explicit, row.esco_uri,
                            source=row.source))
        for text, cs, amb, link_only in row.aliases:
            key = alias_key(text)
            if index >= project_rows and key in by_key:
                continue  # an ESCO label never takes a spelling the project's skills (or stop phrases) use
            for other in by_key.get(key, ()):
                if other.skill == index:
                    continue
                if not _case_variants((text, cs), (other.text, other.case_sensitive)):
                    owner = skills[other.skill].name
                    raise TaxonomyError(
                        f"alias {text!r} of {row.name!r} is already an alias of {owner!r} (at {other.source}); "
                        f"two skills may share a spelling only as exact-case aliases that differ in case",
                        row.path,
                        row.line,
                    )
            entry = AliasEntry(text, key, index, cs, amb, False, where, link_only)
            by_key.setdefault(key, []).append(entry)
            entries.append(entry)
    stops = list(stop_phrases or [])
    for stop in stops:
        for other in by_key.get(stop.key, ()):
            if _case_variants((stop.text, stop.case_sensitive), (other.text, other.case_sensitive)):
                continue
            path, _, line = stop.source.rpartition(":")
            raise TaxonomyError(
                f"stop phrase {stop.text!r} is an alias of {skills[other.skill].name!r} (at {other.source})",
                path,
                int(line),
            )
    for stop in stops:
        by_key.setdefault(stop.key, []).append(stop)
    # Generated variants never override an explicit alias or a stop phrase; the first skill to
    # claim one wins.
    for row_index, row in enumerate(rows[:project_rows]):  # ESCO's labels are linked, where plurals are folded
        for text, cs, amb, link_only in row.aliases:
            if amb:
                continue
            for variant in _variants(text):
                # "CSMs", "PMPs" are people (customer success managers), not certificates.
                if row.category == "certification" and variant[-1:] == "s" and text[-1:] != "s":
                    continue
                key = alias_key(variant)
                if key in by_key:
                    continue
                entry = AliasEntry(variant, key, row_index, cs, False, True, f"{row.path}:{row.line}", link_only)
                by_key[key] = [entry]
                entries.append(entry)
    return Taxonomy(tuple(skills), tuple(entries), categories, tuple(stops))


def taxonomy_files(directory: Path | str = TAXONOMY_DIR) -> list[Path]:
    files = sorted(Path(directory).glob("*.tsv"))
    if not files:
        raise TaxonomyError("no *.tsv taxonomy files found", directory)
    return files


def read_esco(path: Path | str, categories: dict[str, Category]) -> tuple[list[_Row], dict[str, str]]:
    """ESCO's rows of ``esco_skills.tsv(.gz)``: the new skills (their name and every alias
    link-only), and the crosswalk of project skills (skill name → ESCO URI)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            lines = [line.rstrip("\n") for line in handle]
    except FileNotFoundError:
        raise TaxonomyError("file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"unreadable ({exc})", path) from None
    rows: list[_Row] = []
    crosswalk: dict[str, str] = {}
    header = None
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if header is None:
            if tuple(cols) != ESCO_HEADER:
                raise TaxonomyError(f"expected the header {'<TAB>'.join(ESCO_HEADER)!r}", path, lineno)
            header = cols
            continue
        if len(cols) != len(ESCO_HEADER):
            raise TaxonomyError(f"expected {len(ESCO_HEADER)} tab-separated columns, found {len(cols)}", path, lineno)
        row = dict(zip(ESCO_HEADER, cols))
        if (row["esco_uri"] or row["status"] == "new") and not row["esco_uri"].startswith(ESCO_PREFIX):
            raise TaxonomyError(f"esco_uri must start with {ESCO_PREFIX!r}, got {row['esco_uri']!r}", path, lineno)
        if row["status"] == "existing":
            if row["esco_uri"]:
                crosswalk[alias_key(row["name"])] = row["esco_uri"]
            continue
        if row["status"] != "new":
            raise TaxonomyError(f"status must be 'new' or 'existing', got {row['status']!r}", path, lineno)
        if row["category"] not in categories:
            raise TaxonomyError(f"unknown category {row['category']!r} for {row['name']!r}", path, lineno)
        aliases: list[tuple[str, bool, bool, bool]] = []
        keys = set()
        for raw in [row["name"]] + [a for a in row["aliases"].split(ALIAS_SEPARATOR) if a.strip()]:
            text = raw.strip().lstrip(_FLAGS).strip()
            key = alias_key(text)
            if text and key not in keys and not _FORBIDDEN.search(text):
                keys.add(key)
                aliases.append((text, False, False, True))
        rows.append(_Row(row["name"], row["category"], aliases, row["esco_uri"], path, lineno, "esco"))
    return rows, crosswalk


@functools.lru_cache(maxsize=4)
def _load(directory: str, categories_file: str, stop_file: str, esco_file: str | None = None) -> Taxonomy:
    categories = read_categories(categories_file)
    stops = read_stop_phrases(stop_file) if Path(stop_file).exists() else []
    extra, crosswalk = read_esco(esco_file, categories) if esco_file else ([], {})
    taxonomy = build_taxonomy(taxonomy_files(directory), categories, stops, extra, crosswalk)
    logger.debug("loaded %d skills, %d aliases from %s", len(taxonomy.skills), len(taxonomy.aliases), directory)
    return taxonomy


@functools.lru_cache(maxsize=1)
def _load_default() -> Taxonomy:
    esco = str(ESCO_FILE) if ESCO_FILE.exists() else None
    return _load(str(TAXONOMY_DIR), str(CATEGORIES_FILE), str(STOP_PHRASES_FILE), esco)


def load_project_taxonomy() -> Taxonomy:
    """The project's own skills alone, without ESCO's (what ``tools/build_esco.py`` compares
    ESCO with)."""
    return _load(str(TAXONOMY_DIR), str(CATEGORIES_FILE), str(STOP_PHRASES_FILE))


def load_taxonomy(
    directory: Path | str | None = None,
    categories_file: Path | str | None = None,
    stop_phrases_file: Path | str | None = None,
) -> Taxonomy:
    """Read, validate and cache the skill taxonomy.

    Args:
        directory: folder of ``*.tsv`` taxonomy files (default: the shipped one).
        categories_file: the ``categories.tsv`` to validate categories against.
        stop_phrases_file: phrases that hide the aliases inside them (optional file).

    Raises:
        TaxonomyError: a file is malformed; the message names the file and line.

    >>> t = load_taxonomy()
    >>> t.lookup("golang").name, t.lookup("K8s").name
    ('Go', 'Kubernetes')
    """
    if directory is None and categories_file is None and stop_phrases_file is None:
        return _load_default()
    return _load(
        str(Path(directory or TAXONOMY_DIR).resolve()),
        str(Path(categories_file or CATEGORIES_FILE).resolve()),
        str(Path(stop_phrases_file or STOP_PHRASES_FILE).resolve()),
    )


def clear_cache() -> None:
    """Forget loaded taxonomies (after the data files changed)."""
    _load.cache_clear()
    _load_default.cache_clear()
