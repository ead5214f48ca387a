"""``skillenai serve``: a real Datasette on the store, read-only, with descriptions from
skillenai/store/schema.md and canned queries that agree with ``skillenai metrics``."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from skillenai.cli.main import main
from skillenai.core.record import normalize_record
from skillenai.metrics import queries as metrics
from skillenai.metrics import serve
from skillenai.store.db import open_db
from skillenai.store.documents import upsert_documents

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


@contextlib.contextmanager
def running_server(path, *options: str):
    """``skillenai serve`` on ``path`` until the block ends; yields its base URL and a
    function giving what it printed so far."""
    port = free_port()
    log = path.parent / f"serve-{port}.log"
    # Its own process group, so the server's own child (datasette) is stopped with it.
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "skillenai.cli", "serve", "--db", str(path), "--port", str(port),
                                 *options], stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"datasette did not start on {base}: {log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.3)
        yield base, lambda: log.read_text(errors="replace")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(make_sample_store):
    if not serve.datasette_installed():
        pytest.skip("Datasette is not installed (pip install -e '.[serve]')")
    path = make_sample_store()
    with running_server(path) as (base, output):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        yield {"base": base, "path": path, "db": path.stem, "digest": digest, "output": output}


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
    # The page's share is itself rounded (to 4 places): its percent may round the other way.
    assert metros[0]["share_percent"] == pytest.approx(want["top_metros"][0]["share"] * 100, abs=0.051)
    paired = canned(server, "skill_paired_skills", skill=want["entity_id"])
    assert [(p["skill"], p["postings"]) for p in paired[:10]] == [
        (p["name"], p["postings"]) for p in want["paired_skills"][:10]]
    weekly = canned(server, "skill_weekly_series", skill="Python 3")  # an alias
    assert {w["week_start"]: w["postings"] for w in weekly} == {
        w["week_start"]: w["postings"] for w in want["weekly"] if w["postings"]}
    listed = canned(server, "skill_posting_list", skill="Python", as_of="2026-04-30", window="30")
    assert listed and all("2026-03-31" < p["date_posted"] <= "2026-04-30" for p in listed)


def get_text(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers.get("content-type"), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type"), exc.read().decode("utf-8")


@needs_datasette
def test_the_api_answers_the_metrics_documents_for_aliases(server, capsys):
    """/skills/k8s.json is Kubernetes' document, byte for byte what `metrics skill` prints."""
    for path, argv in (("/skills/k8s.json", ["skill", "k8s"]), ("/skills/python3.json?window=30&limit=3",
                                                                  ["skill", "Python", "--window", "30", "--limit", "3"]),
                       ("/metros/Mountain%20View%2C%20CA.json", ["metro", "Mountain View, CA"]),
                       ("/roles/Data%20Engineer.json", ["role", "Data Engineer"]),
                       ("/occupations/15-1252.json", ["occupation", "Software Developers"])):
        status, kind, body = get_text(server["base"] + path)
        assert status == 200 and kind.startswith("application/json"), (path, body[:300])
        assert main(["metrics", *argv, "--db", str(server["path"])]) == 0
        assert body == capsys.readouterr().out, path
    assert json.loads(get_text(server["base"] + "/skills/k8s.json")[2])["name"] == "Kubernetes"
    assert hashlib.sha256(server["path"].read_bytes()).hexdigest() == server["digest"]


@needs_datasette
def test_the_api_says_why_it_cannot_answer(server):
    status, body = get(server["base"] + "/skills/Kubernets.json")
    assert status == 404 and body["error"].startswith("unknown skill 'Kubernets'")
    assert "Kubernetes" in body["suggestions"]
    status, body = get(server["base"] + "/skills/python.json?window=0")
    assert status == 400 and "window must be 1 to" in body["error"]
    status, body = get(server["base"] + "/skills/python.json?as_of=yesterday")
    assert status == 400 and "as_of must be a date" in body["error"]
    status, body = get(server["base"] + "/occupations/99-9999.json")
    assert status == 404 and body["error"].startswith("unknown occupation")


@needs_datasette
def test_datasette_reads_well(server):
    """Internal tables hidden, long cells cut, unique_postings searchable, canned queries
    asking for the skill first and saying why they found nothing."""
    status, page = get(f"{server['base']}/{server['db']}.json")
    hidden = {t["name"] for t in page["tables"] if t["hidden"]}
    assert set(serve.HIDDEN_TABLES) <= hidden and "documents" not in hidden and "skills" not in hidden
    shown = [t["name"] for t in page["tables"] if not t["hidden"]]
    assert not any(n.startswith("_") for n in shown)

    status, rows = get(f"{server['base']}/{server['db']}/unique_postings.json?_search=kubernetes&_shape=array"
                       "&_col=id&_col=title&_col=text&_size=max")
    assert status == 200 and rows
    db = open_db(server["path"], readonly=True)
    want = {r[0] for r in db.execute("SELECT id FROM unique_postings WHERE document_rowid IN "
                                     "(SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'kubernetes')")}
    db.close()
    assert {r["id"] for r in rows} == want and all("kubernetes" in (r["title"] + r["text"]).lower() for r in rows)

    with urllib.request.urlopen(f"{server['base']}/{server['db']}/documents?_size=5", timeout=30) as response:
        html = response.read().decode("utf-8")
    cells = re.findall(r'<td class="col-text[^"]*"[^>]*>(.*?)</td>', html, re.S)
    assert cells and max(len(c) for c in cells) < serve.TRUNCATE_CELLS + 200

    with urllib.request.urlopen(f"{server['base']}/{server['db']}/skill_top_metros", timeout=30) as response:
        form = response.read().decode("utf-8")
    fields = re.findall(r'<input[^>]*name="(skill|as_of|window)"', form)
    assert fields == ["skill", "as_of", "window"]
    for skill, why in (("Kubernets", "No skill is named 'Kubernets'"), ("", "Give a skill"),
                       ("python", "No canonical posting asks for Python in the 90 days ending 2020-01-01")):
        rows = canned(server, "skill_top_metros", skill=skill, as_of="2020-01-01" if skill == "python" else "")
        assert len(rows) == 1 and rows[0]["metro"].startswith(why) and rows[0]["postings"] is None


@needs_datasette
def test_pay_by_occupation_agrees_with_the_pages(server):
    rows = canned(server, "pay_by_occupation", occupation="15-1252", as_of="", window="")
    db = open_db(server["path"], readonly=True)
    page = metrics.occupation_metrics(db, "15-1252")
    db.close()
    by_currency = {c["currency"]: c for c in page["pay"]["annual_by_currency"]}
    assert rows and {r["currency"] for r in rows} == set(by_currency)
    for r in rows:
        assert r["soc_code"] == "15-1252" and r["postings"] == page["postings"]
        assert r["postings_stating_pay"] == by_currency[r["currency"]]["postings"]
        assert r["median_annual_pay"] == by_currency[r["currency"]]["median"]
    nothing = canned(server, "pay_by_occupation", occupation="zzz", as_of="", window="")
    assert nothing[0]["occupation"].startswith("No SOC 2018 occupation has the code or a title containing 'zzz'")


@needs_datasette
def test_the_store_cannot_be_written(server):
    status, body = get(f"{server['base']}/{server['db']}.json?" + urllib.parse.urlencode(
        {"sql": "DELETE FROM documents", "_shape": "array"}))
    assert status == 400 and "SELECT" in body.get("error", "")
    assert hashlib.sha256(server["path"].read_bytes()).hexdigest() == server["digest"]


# -- what one query may take (issue 22) --------------------------------------------------------

SLOW = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"  # until the time limit


def sql(base: str, db: str, query: str, timeout: float = 30) -> tuple[int, dict | list]:
    url = f"{base}/{db}.json?" + urllib.parse.urlencode({"sql": query, "_shape": "array"})
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body or b"{}")
        except ValueError:  # an HTML error page
            return exc.code, {"error": body.decode("utf-8", "replace")}


@needs_datasette
def test_a_query_cannot_build_a_value_longer_than_the_limit(server):
    status, body = sql(server["base"], server["db"], "select length(zeroblob(40000000)) as n")
    assert status == 400 and "too big" in body["error"]
    assert sql(server["base"], server["db"], "select length(zeroblob(1000000)) as n") == (200, [{"n": 1000000}])


@needs_datasette
def test_slow_queries_cannot_hold_up_the_tables(server):
    answers: list[int] = []
    slow = [threading.Thread(target=lambda: answers.append(sql(server["base"], server["db"], SLOW)[0]))
            for _ in range(4)]
    for thread in slow:
        thread.start()
    time.sleep(1.0)
    started = time.monotonic()
    status, rows = get(f"{server['base']}/{server['db']}/skills.json?_shape=array&_size=1")
    waited = time.monotonic() - started
    for thread in slow:
        thread.join()
    assert status == 200 and len(rows) == 1
    assert waited < 2.0, f"a table page waited {waited:.1f} s behind slow queries"
    assert sorted(answers) == [400, 400, 429, 429]  # two ran into the time limit, two were turned away


@needs_datasette
def test_arbitrary_sql_can_be_switched_off(make_sample_store):
    path = make_sample_store()
    with running_server(path, "--no-sql") as (base, output):
        status, _ = sql(base, path.stem, "select 1")
        assert status == 403
        rows = canned({"base": base, "db": path.stem}, "skill_summary", skill="python")
        assert rows and rows[0]["skill"] == "Python"
        assert "arbitrary SQL off" in output()


def _add_posting(path):
    """A posting stored in ``path`` through a connection left open (returned): what it wrote
    stays in the write-ahead log, as it does while a crawl is writing."""
    db = open_db(path)
    upsert_documents(db, [normalize_record({"url": "https://x.example/jobs/1", "kind": "posting", "title": "New",
                                            "text": "A posting written while the store is being served."})])
    return db


@needs_datasette
def test_a_store_being_written_is_served_live_and_says_so(make_sample_store):
    path = make_sample_store()
    with running_server(path) as (base, output):
        before = sql(base, path.stem, "select count(*) as n from documents")[1][0]["n"]
        writer = _add_posting(path)
        try:
            for _ in range(3):
                status, rows = sql(base, path.stem, "select count(*) as n from documents")
                assert status == 200 and rows == [{"n": before + 1}], rows
        finally:
            writer.close()
        assert "live, read-only" in output()


@needs_datasette
def test_a_snapshot_is_served_as_it_was_taken(make_sample_store):
    path = make_sample_store()
    with running_server(path, "--snapshot") as (base, output):
        before = sql(base, path.stem, "select count(*) as n from documents")[1][0]["n"]
        postings = get(base + "/skills/python.json")[1]["postings"]
        writer = _add_posting(path)
        try:
            assert sql(base, path.stem, "select count(*) as n from documents") == (200, [{"n": before}])
            assert get(base + "/skills/python.json")[1]["postings"] == postings  # the API answers from the snapshot
        finally:
            writer.close()
        assert "a snapshot of" in output() and "immutable" in output()


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
        rows = db.execute(query["sql"], {"skill": "Python", "as_of": "", "window": "", "occupation": ""}).fetchall()
        if name != "skill_summary":  # nothing to find: one row says why
            assert len(rows) == 1 and rows[0][0].startswith("No ") and set(rows[0][1:]) == {None}, (name, rows)


def test_without_datasette_the_error_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    open_db(tmp_path / "s.db").close()
    monkeypatch.setattr(serve, "datasette_installed", lambda: False)
    assert main(["serve", "--db", str(tmp_path / "s.db")]) == 2
    assert "pip install -e '.[serve]'" in capsys.readouterr().err


@needs_datasette
def test_a_store_whose_name_has_uri_characters_is_served_live(tmp_path):
    path = tmp_path / "jobs#2026.db"
    open_db(path).close()
    with running_server(path) as (base, output):
        assert "as 'jobs_2026'" in output()
        writer = _add_posting(path)  # the store's write-ahead log is found through the link
        try:
            assert sql(base, "jobs_2026", "select url from documents") == (200, [{"url": "https://x.example/jobs/1"}])
        finally:
            writer.close()
