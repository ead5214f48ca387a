"""Code rules: the layers point one way, no two modules import each other in a circle, ruff is clean.

``lint-imports`` checks the contracts in pyproject.toml (layers, and the pure-classify and
store-without-Scrapy rules); function-level imports count as much as top-level ones.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed")


def lint_imports(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("lint-imports"), "--no-cache", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_contracts_are_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_is_reported(tmp_path):
    # The same tool on a contract the code does break (the crawler writes to the store):
    # proof that the analysis sees the imports, not only that it exits 0.
    config = tmp_path / ".importlinter"
    config.write_text("[importlinter]\nroot_package = skillenai\n\n"
                      "[importlinter:contract:crawler-without-store]\nname = crawler without store\n"
                      "type = forbidden\nsource_modules = skillenai.crawler\nforbidden_modules = skillenai.store\n")
    result = lint_imports("--config", str(config))
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and "skillenai.crawler" in result.stdout


def test_no_import_cycles():
    graph = grimp.build_graph("skillenai")
    modules = sorted(graph.modules)
    edges = {m: graph.find_modules_directly_imported_by(m) for m in modules}
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for m in modules:
        if m not in index:
            visit(m)
    assert cycles == []


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed")
def test_ruff_finds_nothing():
    # pyflakes and import order over the whole repository ([tool.ruff] in pyproject.toml).
    result = subprocess.run([shutil.which("ruff"), "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


# SQL belongs to the store (skillenai/store) and to the stages that own their tables and
# queries (skillenai/dedupe, skillenai/metrics); everything above or beside them calls
# the store's functions. A string literal that starts with an SQL keyword is SQL.
NO_SQL_PACKAGES = ("crawler", "pipeline", "cli", "classify", "core")
_SQL_KEYWORDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "WITH", "PRAGMA",
                 "BEGIN", "COMMIT", "ROLLBACK", "VACUUM", "ANALYZE", "ATTACH", "WHERE", "FROM", "JOIN", "AND",
                 "ORDER BY", "GROUP BY", "LIMIT", "VALUES", "ON CONFLICT", "SET")
# A string literal's opening quote (with any prefix), optional blanks and an upper-case
# SQL keyword followed by a blank or the literal's end.
SQL_LITERAL = re.compile(r"""(?<![\w'"])[rRbBfFuU]{0,2}(?:'''|\"\"\"|'|")\s*(?:""" + "|".join(
    k.replace(" ", r"\s+") for k in _SQL_KEYWORDS) + r""")(?=\s|['"]|$)""")


def sql_literals(source: str) -> list[tuple[int, str]]:
    """(line number, line) of every string literal in ``source`` that starts with SQL."""
    return [(source.count("\n", 0, m.start()) + 1, source.splitlines()[source.count("\n", 0, m.start())].strip())
            for m in SQL_LITERAL.finditer(source)]


def test_sql_literals_are_recognised():
    assert sql_literals('rows = db.execute("SELECT url FROM documents WHERE kind = ?", [kind])')
    assert sql_literals("conn.execute(f'UPDATE documents SET lang = ? WHERE id IN ({marks})')")
    assert sql_literals('x = (\n    """\n    INSERT INTO t VALUES (1)\n    """\n)')
    assert sql_literals('where = "WHERE d.classified_at IS NULL"')
    assert not sql_literals('print("Select a skill from the list")')
    assert not sql_literals('logger.info("UPDATED %d rows", n)')


def test_no_sql_outside_the_store():
    found = []
    for package in NO_SQL_PACKAGES:
        for path in sorted((ROOT / "skillenai" / package).rglob("*.py")):
            found += [f"{path.relative_to(ROOT)}:{number}: {line}"
                      for number, line in sql_literals(path.read_text(encoding="utf-8"))]
    assert not found, "SQL outside skillenai/store (move it into a store module):\n" + "\n".join(found)
