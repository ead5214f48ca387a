"""Commands that read a store refuse a file that is not one, without writing to it, and
open the file they are given whatever its name (issue 22, item 7)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from skillenai.core.record import normalize_record
from skillenai.store.db import NotAStore, open_db
from skillenai.store.documents import upsert_documents

ROOT = Path(__file__).resolve().parents[1]
POSTING = {"url": "https://acme.example/jobs/1", "kind": "posting", "title": "Data Engineer",
           "text": "Build data pipelines in Python and SQL for the analytics team."}


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "skillenai.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def not_stores(directory: Path) -> dict[str, Path]:
    foreign = directory / "notes.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()
    empty = directory / "empty.db"
    empty.touch()
    text = directory / "text.db"
    text.write_text("not SQLite at all\n")
    return {"another SQLite database": foreign, "an empty file": empty, "a text file": text}


@pytest.mark.parametrize("command", [
    ("metrics", "top-skills"), ("metrics", "skill", "Python"), ("export",), ("serve",), ("classify",), ("dedupe",),
])
def test_a_command_reading_a_store_refuses_a_file_that_is_not_one_and_leaves_it_alone(tmp_path, command):
    for what, path in not_stores(tmp_path).items():
        before = digest(path)
        result = run_cli(*command, "--db", str(path), cwd=tmp_path)
        assert result.returncode == 2, (what, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "is not a store" in lines[0] and path.name in lines[0], (what, lines)
        assert digest(path) == before, what
        assert not list(tmp_path.glob(f"{path.name}-*")), f"{what}: a -wal or -shm file was made"


def test_a_command_writing_a_store_refuses_another_database_but_makes_one_in_an_empty_file(tmp_path):
    files = not_stores(tmp_path)
    lines = tmp_path / "postings.jsonl"
    lines.write_text(json.dumps(POSTING) + "\n")
    for what in ("another SQLite database", "a text file"):
        before = digest(files[what])
        result = run_cli("ingest", "--db", str(files[what]), str(lines), cwd=tmp_path)
        assert result.returncode == 2 and "is not a store" in result.stderr, (what, result.stderr)
        assert digest(files[what]) == before
    assert run_cli("ingest", "--db", str(files["an empty file"]), str(lines), cwd=tmp_path).returncode == 0
    with pytest.raises(NotAStore, match="tables notes"):
        open_db(files["another SQLite database"])


def test_a_store_another_connection_is_making_is_no_other_database(tmp_path):
    # Several spiders of one crawl open a new store at once: one has made sqlite-utils'
    # migrations table and not yet committed the first migration when another looks.
    path = tmp_path / "new.db"
    sqlite_utils.Database(path)["_sqlite_migrations"].create(
        {"migration_set": str, "name": str, "applied_at": str}, pk=("migration_set", "name"))
    db = open_db(path)
    assert db["documents"].exists()
    db.close()
    with pytest.raises(NotAStore, match="another kind"):  # one with rows of another set is not ours
        other = tmp_path / "other.db"
        sqlite_utils.Database(other)["_sqlite_migrations"].insert({"migration_set": "x", "name": "m1"})
        open_db(other)


@pytest.mark.parametrize("name, decoy", [("a#b.db", "a"), ("x%41.db", "xA.db"), ("what?.db", "what")])
def test_a_store_whose_name_has_uri_characters_is_the_file_opened(tmp_path, name, decoy):
    decoy_db = open_db(tmp_path / decoy)  # the file a pasted URI would open instead
    upsert_documents(decoy_db, [normalize_record({**POSTING, "url": "https://decoy.example/jobs/1"})])
    decoy_db.close()
    store = open_db(tmp_path / name)
    upsert_documents(store, [normalize_record(POSTING)])
    store.close()
    exported = run_cli("export", "--db", name, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "acme.example" in exported.stdout and "decoy" not in exported.stdout
    assert open_db(tmp_path / name, readonly=True).execute("SELECT url FROM documents").fetchall() == [
        ("https://acme.example/jobs/1",)]
