"""Command-line arguments never become SQL: hostile names are bound parameters (a clear
error or an empty answer, the store untouched), and no SQL text is built from values that
are not the code's own."""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

import pytest

from skillenai.cli.main import main
from skillenai.metrics import serve
from skillenai.store.db import open_db

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ["'; DROP TABLE documents; --", "Robert'); DELETE FROM skills; --", "' OR '1'='1", '" OR 1=1 --',
           "%", "_", "pyth%", "%python%", "python' --", "; PRAGMA writable_schema=1"]


@pytest.fixture(scope="module")
def store(make_sample_store):
    return make_sample_store()


def _state(path: Path) -> dict:
    db = open_db(path, readonly=True)
    state = {
        "schema": sorted(db.execute("SELECT type, name FROM sqlite_master").fetchall()),
        "documents": db.execute("SELECT COUNT(*), MAX(seq) FROM documents").fetchone(),
        "skills": db.execute("SELECT COUNT(*) FROM skills").fetchone()[0],
        "tags": db.execute("SELECT COUNT(*) FROM document_skills").fetchone()[0],
    }
    db.close()
    return state


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse rejects a malformed value before anything runs
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("name", HOSTILE)
def test_metric_names_are_bound_parameters(store, capsys, name):
    before, digest = _state(store), hashlib.sha256(store.read_bytes()).hexdigest()
    # "%" and "_" are not wildcards: no skill is called that.
    status, out, err = _run(["metrics", "skill", name, "--db", str(store)], capsys)
    assert status == 2 and "unknown skill" in err and not out, err
    # A metro NAME is free text for the place resolver ("Robert" is a town), a role NAME may be
    # a job title the role model places in a family: an answer or a clear error, never SQL.
    for command in ("metro", "role"):
        status, out, err = _run(["metrics", command, name, "--db", str(store)], capsys)
        assert (status == 0 and out.lstrip().startswith("{")) or (status == 2 and f"unknown {command}" in err)
    assert _state(store) == before
    assert hashlib.sha256(store.read_bytes()).hexdigest() == digest  # metrics only read


@pytest.mark.parametrize("name", HOSTILE[:4] + ["%"])
def test_dates_cursors_and_kinds_are_validated_before_any_sql(store, capsys, name):
    before = _state(store)
    for argv in (["export", "--db", str(store), "--since", name],
                 ["export", "--db", str(store), "--kind", name],
                 ["metrics", "top-skills", "--db", str(store), "--as-of", name],
                 ["metrics", "trends", "--db", str(store), "--as-of", name],
                 ["dedupe", "--db", str(store), "--date", name],
                 ["daily", "--db", str(store), "--date", name, "--spider", "greenhouse"]):
        status, out, err = _run(argv, capsys)
        assert status == 2 and "error" in err and not out, (argv, status, err)
    assert _state(store) == before


def test_export_since_a_cursor_past_the_end_is_empty(store, capsys):
    status, out, err = _run(["export", "--db", str(store), "--since", str(2**62)], capsys)
    assert status == 0 and out == "" and "exported 0 documents" in err


def test_serve_is_read_only():
    # The live refusal of writes is in tests/test_serve.py; here what makes it so.
    # The live store: Datasette opens a mutable database with mode=ro, and the plugin the
    # command runs makes every connection query_only; a snapshot is served immutable.
    command = serve.datasette_command("store.db", "metadata.json")
    assert command[1:3] == ["-m", "skillenai.metrics.datasette_app"] and "--crossdb" not in command
    assert "--immutable" in serve.datasette_command("copy.db", "metadata.json", immutable=True)
    source = (Path(serve.__file__).parent / "datasette_app.py").read_text()
    assert 'conn.execute("PRAGMA query_only = 1")' in source
    assert not [name for name, query in serve.canned_queries().items() if query.get("write")]
    for name, query in serve.canned_queries().items():
        assert re.match(r"\s*(WITH|SELECT)\b", query["sql"], re.IGNORECASE), name


# No SQL built from values ---------------------------------------------------------------------

_SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|PRAGMA|CREATE|DROP|VALUES|FROM)\b")
# A name or attribute in UPPER_CASE (a module constant), maybe negated or in int().
_CONSTANT = re.compile(r"-?(?:int\()?-?(?:[\w.]+\.)?_?[A-Z][A-Z0-9_]*(?:\[[^\]]+\])?\)?(?: \* \d+)?"
                       r"|'[^']*'\.join\(_?[A-Z][A-Z0-9_]*\)")
# Interpolations that are not constants or placeholder lists but are still the code's own:
# identifiers picked from fixed tables, clauses assembled from constants and placeholders,
# integers. Each was read; a new one must be read too, then added here with its reason.
ALLOWED = {
    "skillenai/pipeline/reextract.py": {"where"},                     # _selection(): constant clauses, kinds bound
    "skillenai/crawler/monitors.py": set(),
    "skillenai/store/documents.py": {"', '.join(columns)", "assignments", "updates"},  # the table's own column names
    "skillenai/store/export.py": {"columns", "kind_filter"},         # _COLUMNS; kind_filter is "IN (?, …)"
    "skillenai/metrics/queries.py": {"table", "column", "tag_table", "hint", "names", "view", "self.select",
                         "-int(cache_mb) * 1024"},        # from the fixed _TAGS/_VIEWS tables; an int
    "skillenai/store/schema.py": {"view", "table", "stale", "', '.join(columns)", "changed"},  # migrations' own names
    "skillenai/pipeline/tagging.py": {"where", "where + ' AND' if where else 'WHERE'", "table"},  # constant clauses
    "skillenai/dedupe/run.py": {"table", "signature", "cache_size"},  # fixed table list; "signature"/"NULL"; an int
    "skillenai/dedupe/clusters.py": set(),
    "skillenai/dedupe/boilerplate.py": set(),
    "skillenai/store/report.py": set(),
}


def _placeholder_names(tree: ast.AST) -> set[str]:
    """Names assigned a placeholder list such as ``",".join("?" * len(ids))``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and "'?'" in ast.unparse(node.value) and "join" in ast.unparse(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _sql_interpolations(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    placeholders = _placeholder_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if not _SQL.search(text):
                continue
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    yield node.lineno, ast.unparse(value.value), placeholders
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                and isinstance(node.left.value, str) and _SQL.search(node.left.value):
            yield node.lineno, ast.unparse(node.right), placeholders


def test_sql_text_interpolates_only_constants_and_placeholders():
    offenders = []
    for path in sorted(p for top in ("crawler", "store", "classify") for p in (ROOT / top).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("skillenai/sampleweb/"):  # generates web pages, runs no SQL
            continue
        for line, expr, placeholders in _sql_interpolations(path):
            safe = ("'?'" in expr and "join" in expr) or expr in placeholders or _CONSTANT.fullmatch(expr) \
                or expr in ALLOWED.get(rel, ())
            if not safe:
                offenders.append(f"{rel}:{line}: {{{expr}}}")
    assert not offenders, "SQL built from values; bind them as parameters (or, for the code's own " \
                          "identifiers, add them to ALLOWED with the reason):\n" + "\n".join(offenders)


def test_the_scan_finds_sql_built_from_values(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text('def f(db, name):\n    db.execute(f"SELECT * FROM skills WHERE name = \'{name}\'")\n'
                      '    db.execute("DELETE FROM skills WHERE name = \'%s\'" % name)\n')
    assert [expr for _line, expr, _p in _sql_interpolations(sample)] == ["name", "name"]
