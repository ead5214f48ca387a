"""``skillenai serve``: a real Datasette on the store, read-only, with descriptions from
skillenai/store/schema.md and canned queries that agree with ``skillenai metrics``."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from skillenai.cli.main import main
from skillenai.metrics import queries as metrics
from skillenai.metrics import serve
from skillenai.store.db import open_db

needs_datasette = pytest.mark.skipif(not serve.datasette_installed(),
                                     reason="Datasette is not installed (pip install -e '.[serve]')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, dict | list]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.fixture(scope="module")
def server(make_sample_store):
    if not serve.datasette_installed():
        pytest.skip("Datasette is not installed (pip install -e '.[serve]')")
    path = make_sample_store()
    port = free_port()
    # Its own process group, so the server's own child (datasette) is stopped with it.
    proc = subprocess.Popen([sys.executable, "-m", "skillenai.cli", "serve", "--db", str(path), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read().decode() if proc.poll() is not None else "(still running)"
                os.killpg(proc.pid, signal.SIGTERM) if proc.poll() is None else None
                pytest.fail(f"datasette did not start on {base}: {output}")
            time.sleep(0.3)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    yield {"base": base, "path": path, "db": path.stem, "digest": digest}
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def canned(server, name: str, **params) -> list[dict]:
    query = urllib.parse.urlencode({"skill": "", "as_of": "", "window": "", **params, "_shape": "array"})
    status, rows = get(f"{server['base']}/{server['db']}/{name}.json?{query}")
    assert status == 200, rows
    return rows


@needs_datasette
def test_metadata_comes_from_the_schema_page(server):
    status, meta = get(server["base"] + "/-/metadata.json")
    assert status == 200 and meta["title"] == "Skillenai job-market store"
    tables = meta["databases"][server["db"]]["tables"]
    assert tables["unique_postings"]["description"].startswith("Canonical postings only")
    assert tables["skill_postings"]["columns"]["date_posted"].startswith("unique_postings.date_posted")
    assert set(meta["databases"][server["db"]]["queries"]) >= {
        "skill_summary", "skill_posting_list", "skill_top_metros", "skill_paired_skills", "skill_weekly_series"}


@needs_datasette
def test_tables_and_canned_queries_answer_like_the_metrics_command(server):
    status, rows = get(f"{server['base']}/{server['db']}/unique_postings.json?_shape=array&_size=3")
    assert status == 200 and len(rows) == 3 and "date_posted" in rows[0]

    db = open_db(server["path"], readonly=True)
    want = metrics.skill_metrics(db, "Python", limit=50)
    db.close()
    summary = canned(server, "skill_summary", skill="python")
    assert summary == [{"skill": "Python", "entity_id": want["entity_id"], "data_as_of": "2026-05-09",
                        "window_days": 90, "postings": want["postings"],
                        "last_4_weeks": want["postings_last_4_weeks"],
                        "prior_4_weeks": want["postings_prior_4_weeks"]}]
    metros = canned(server, "skill_top_metros", skill="Python")
    assert [(m["metro"], m["postings"]) for m in metros[:10]] == [
        (m["name"], m["postings"]) for m in want["top_metros"][:10]]
    assert metros[0]["share_percent"] == round(want["top_metros"][0]["share"] * 100, 1)
    paired = canned(server, "skill_paired_skills", skill=want["entity_id"])
    assert [(p["skill"], p["postings"]) for p in paired[:10]] == [
        (p["name"], p["postings"]) for p in want["paired_skills"][:10]]
    weekly = canned(server, "skill_weekly_series", skill="Python 3")  # an alias
    assert {w["week_start"]: w["postings"] for w in weekly} == {
        w["week_start"]: w["postings"] for w in want["weekly"] if w["postings"]}
    listed = canned(server, "skill_posting_list", skill="Python", as_of="2026-04-30", window="30")
    assert listed and all("2026-03-31" < p["date_posted"] <= "2026-04-30" for p in listed)


@needs_datasette
def test_the_store_cannot_be_written(server):
    status, body = get(f"{server['base']}/{server['db']}.json?" + urllib.parse.urlencode(
        {"sql": "DELETE FROM documents", "_shape": "array"}))
    assert status == 400 and "SELECT" in body.get("error", "")
    status, databases = get(server["base"] + "/-/databases.json")
    assert status == 200 and databases[0]["is_mutable"] is False
    assert hashlib.sha256(server["path"].read_bytes()).hexdigest() == server["digest"]


def test_metadata_describes_every_table_and_view(tmp_path, capsys):
    out = tmp_path / "metadata.json"
    assert main(["serve", "--db", str(tmp_path / "store.db"), "--metadata-out", str(out)]) == 0
    meta = json.loads(out.read_text())
    tables = meta["databases"]["store"]["tables"]
    db = open_db(":memory:")
    names = [n for n in db.table_names() + db.view_names()
             if not n.startswith(("_sqlite", "sqlite_", "documents_fts_"))]
    for name in names:
        assert tables[name].get("description"), name
        columns = {row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])") if row[6] != 1}  # computed too
        assert set(tables[name]["columns"]) == columns, name
    capsys.readouterr()


def test_canned_queries_run_on_an_empty_store(tmp_path):
    db = open_db(tmp_path / "empty.db")
    for name, query in serve.canned_queries().items():
        db.execute(query["sql"], {"skill": "Python", "as_of": "", "window": ""}).fetchall()


def test_without_datasette_the_error_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    open_db(tmp_path / "s.db").close()
    monkeypatch.setattr(serve, "datasette_installed", lambda: False)
    assert main(["serve", "--db", str(tmp_path / "s.db")]) == 2
    assert "pip install -e '.[serve]'" in capsys.readouterr().err
