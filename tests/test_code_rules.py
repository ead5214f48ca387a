"""Code rules: the layers point one way, no two modules import each other in a circle, ruff is clean.

``lint-imports`` checks the contracts in pyproject.toml (layers, and the pure-classify and
store-without-Scrapy rules); function-level imports count as much as top-level ones.
"""

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
