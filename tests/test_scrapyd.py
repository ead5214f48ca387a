"""A Scrapyd job whose monitor fails notifies the webhook: a real Scrapyd on 127.0.0.1
runs the project deployed as an egg (as ``scrapyd-deploy`` builds and uploads it: ``python
setup.py bdist_egg``, then ``addversion.json``), and a job scheduled through
``schedule.json`` crawls the sample web with a monitor threshold it cannot meet."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

pytest.importorskip("scrapyd")

from skillenai.pipeline.demo import sample_web_settings  # noqa: E402
from skillenai.sampleweb.generate import generate  # noqa: E402
from skillenai.sampleweb.server import SampleWebServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, fields: list[tuple[str, str]], files: dict[str, Path] | None = None) -> dict:
    """A POST as Scrapyd's API takes it (multipart when a file goes with it); its JSON answer."""
    if files:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in fields]
        for name, path in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{path.name}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        ctype = f"multipart/form-data; boundary={boundary}"
    else:
        body, ctype = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, headers={"Content-Type": ctype})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def egg(tmp_path_factory, checkout_copy) -> Path:
    """The project as an egg, built the way scrapyd-deploy builds it (from a copy: the
    build's egg-info would be left in the checkout)."""
    out = tmp_path_factory.mktemp("egg")
    subprocess.run([sys.executable, "setup.py", "-q", "bdist_egg", "-d", str(out), "-b", str(out / "build")],
                   cwd=checkout_copy, check=True, capture_output=True, timeout=600)
    [built] = out.glob("*.egg")
    return built


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory):
    """A Scrapyd on 127.0.0.1 (a free port), one job at a time; yields its base URL and folder."""
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\nitems_dir =\ndbs_dir = {home / 'dbs'}\nmax_proc = 1\npoll_interval = 0.5\n")
    binary = shutil.which("scrapyd", path=str(Path(sys.executable).parent)) or shutil.which("scrapyd")
    log = (home / "scrapyd.out").open("wb")
    # Without PYTHONPATH: the jobs import the project from the deployed egg.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    process = subprocess.Popen([binary], cwd=home, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            get(base + "/daemonstatus.json")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"scrapyd did not start: {(home / 'scrapyd.out').read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
    yield base, home
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    directory = tmp_path_factory.mktemp("web")
    generate(directory, postings=60, seed=3, as_of=dt.date(2026, 5, 9))
    with SampleWebServer(directory) as server:
        yield server, directory


def test_a_scrapyd_job_whose_monitor_fails_notifies_the_webhook(scrapyd, egg, web, webhook, tmp_path):
    base, home = scrapyd
    server, web_dir = web
    added = post(base + "/addversion.json", [("project", "skillenai"), ("version", "1")], {"egg": egg})
    assert added["status"] == "ok" and added["spiders"] >= 5, added
    db = tmp_path / "store.db"
    settings = {**sample_web_settings(server, web_dir, str(db)), "SKILLENAI_MONITOR_MIN_ITEMS": 1000,
                "SKILLENAI_MONITOR_WEBHOOK": webhook.url}
    fields = [("project", "skillenai"), ("spider", "ashby")] + [
        ("setting", f"{key}={value if isinstance(value, str) else json.dumps(value)}") for key, value in settings.items()]
    job = post(base + "/schedule.json", fields)["jobid"]
    deadline = time.monotonic() + 300
    while not any(j["id"] == job for j in get(base + "/listjobs.json?project=skillenai")["finished"]):
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.5)
    log = (home / "logs" / "skillenai" / "ashby" / f"{job}.log").read_text(errors="replace")
    assert "monitor FAILED: ashby source " in log and "SKILLENAI_MONITOR_MIN_ITEMS" in log, log[-3000:]

    [notice] = webhook.received
    body = notice["json"]
    print(f"job {job}: {[line for line in log.splitlines() if 'monitor FAILED' in line]}; webhook got {body['text']!r}")
    assert body["event"] == "monitors_failed" and body["spiders"] == ["ashby"] and body["store"] == str(db)
    assert {f["monitor"] for f in body["failed"]} == {"min_items"}
    with sqlite3.connect(db) as conn:
        [(stored,)] = conn.execute("SELECT monitors FROM crawl_runs").fetchall()
    assert json.loads(stored)["failed"] == body["failed"]
    assert conn.execute("SELECT COUNT(*) FROM documents WHERE spider = 'ashby'").fetchone()[0] > 0
