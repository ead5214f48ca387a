"""Docs cannot drift: the schema page, the README's commands and settings match the code."""

import re
from pathlib import Path

from skillenai.cli.main import build_parser
from skillenai.store.db import open_db

ROOT = Path(__file__).parent.parent
INTERNAL = re.compile(r"^(_sqlite_migrations|documents_fts_\w+|sqlite_\w+)$")


def documented_schema() -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {}
    current = None
    for line in (ROOT / "skillenai" / "store" / "schema.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^### (\w+)\s*$", line)
        if heading:
            current = sections.setdefault(heading.group(1), set())
            continue
        cell = re.match(r"^\| (\w+) \|", line)
        if current is not None and cell and cell.group(1) != "column":
            current.add(cell.group(1))
    return sections


def test_schema_doc_matches_the_store():
    db = open_db(":memory:")
    # table_xinfo: computed (generated) columns too (hidden 2 or 3), which table_info leaves
    # out; not a virtual table's hidden ones (1).
    actual = {name: {row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])") if row[6] != 1}
              for name in db.table_names() + db.view_names() if not INTERNAL.match(name)}
    assert documented_schema() == actual


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    missing = [name for name in commands if f"skillenai {name}" not in readme]
    assert not missing, f"commands not documented in README.md: {missing}"


def test_every_project_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    settings = re.findall(r"^((?:SKILLENAI|GREENHOUSE|LEVER|ASHBY|JOBPOSTINGS|RECRUITEE|PERSONIO|BAMBOOHR|TEAMTAILOR|PINPOINT|RIPPLING|BREEZY)_\w+)\s*=",
                          (ROOT / "skillenai" / "crawler" / "settings.py").read_text(encoding="utf-8"), re.MULTILINE)
    missing = [s for s in settings if s not in readme]
    assert not missing, f"settings not documented in README.md: {missing}"


def test_every_exit_status_is_in_the_readme():
    from skillenai.cli import common

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Exit status", 1)[1].split("###", 1)[0]
    documented = {int(n) for row in re.findall(r"^\| ([\d, ]+) \|", table, re.MULTILINE) for n in row.split(",")}
    statuses = {value for name, value in vars(common).items() if name.startswith("EXIT_")}
    assert statuses | {130, 143} == documented
