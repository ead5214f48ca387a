"""The wheel is the product: one top-level package with its data, models and schema page,
working when installed normally (not editable) into an environment of its own.

The fresh environment gets the wheel alone; the dependencies (Scrapy, scikit-learn, ...)
are borrowed from this test's environment through a ``.pth`` path entry, which is a plain
directory on ``sys.path`` (its own ``.pth`` files, among them this checkout's editable
install, are not read), so ``skillenai`` can only come from the wheel.
"""

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, checkout_copy) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(checkout_copy)],
                           capture_output=True, text=True, timeout=600)
    if build.returncode != 0 and "No matching distribution" in build.stderr + build.stdout:
        pytest.skip("the build backend (setuptools) could not be fetched")
    assert build.returncode == 0, build.stderr[-3000:]
    (path,) = out.glob("skillenai_crawler-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin directory."""
    env_dir = tmp_path_factory.mktemp("env") / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bin_dir = env_dir / "bin"
    python = bin_dir / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Dependencies from this environment, as a plain path entry (see the module docstring).
    Path(site, "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", "--quiet", str(wheel)], capture_output=True, text=True, timeout=600)
    if install.returncode != 0 and "no such option: --python" in install.stderr:
        pytest.skip("pip is too old to install into another environment (--python needs pip 22.3)")
    assert install.returncode == 0, install.stderr[-3000:]
    return bin_dir


def run_installed(bin_dir: Path, *args: str, cwd: Path, timeout: float = 600, **extra_env: str):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "SCRAPY_SETTINGS_MODULE")}
    env.update(extra_env)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_wheel_holds_one_package_with_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"skillenai"}
    assert "skillenai/store/schema.md" in names
    assert any(n.startswith("skillenai/classify/models/") and n.endswith(".skops") for n in names)
    # The span model ships whole: a wheel without it would train one on first use.
    assert {"skillenai/classify/models/skill_spans/tagger.json",
            "skillenai/classify/models/skill_spans/crf0.crfsuite"} <= set(names)
    assert "skillenai/classify/data/skills/esco/esco_skills.tsv.gz" in names
    assert any(n.startswith("skillenai/classify/data/skills/taxonomy/") for n in names)
    assert any(n.startswith("skillenai/sampleweb/data/") for n in names)
    assert "skillenai/crawler/data/job_boards.txt" in names
    # What is not the product stays out: evaluations, data builders, tests, benchmarks.
    assert not any(n.split("/")[0] in ("evaluation", "tools", "tests", "benchmarks") for n in names)
    assert not any(n.startswith("skillenai/classify/data/") and n.endswith(".py") for n in names)


def test_installed_package_is_the_wheel(installed, tmp_path):
    where = run_installed(installed, "python", "-c", "import skillenai; print(skillenai.__file__)", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.parent)


def test_demo_and_serve_metadata_from_a_normal_install(installed, tmp_path):
    db = tmp_path / "demo.db"
    demo = run_installed(installed, "skillenai", "demo", "--postings", "50", "--db", str(db), cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "Top skills:" in demo.stdout and "unique postings" in demo.stdout
    meta_file = tmp_path / "metadata.json"
    serve = run_installed(installed, "skillenai", "serve", "--db", str(db), "--metadata-out", str(meta_file),
                          cwd=tmp_path)
    assert serve.returncode == 0, serve.stderr[-3000:]
    tables = json.loads(meta_file.read_text())["databases"]["demo"]["tables"]
    # The descriptions come from the schema page shipped in the wheel.
    assert tables["documents"]["description"] and tables["documents"]["columns"]["url"]
    assert tables["unique_postings"]["description"] and tables["unique_postings"]["fts_table"] == "documents_fts"
    assert tables["lsh_bands"]["hidden"] and tables["_sqlite_migrations"]["hidden"]
    queries = json.loads(meta_file.read_text())["databases"]["demo"]["queries"]
    assert queries["pay_by_occupation"]["params"][0] == "occupation" and queries["skill_summary"]["params"][0] == "skill"
    # Outside a checkout (no scrapy.cfg) Scrapy finds the project through its settings module.
    scrapy_list = run_installed(installed, "python", "-m", "scrapy", "list", cwd=tmp_path,
                                SCRAPY_SETTINGS_MODULE="skillenai.crawler.settings")
    assert scrapy_list.returncode == 0, scrapy_list.stderr[-3000:]
    assert scrapy_list.stdout.split() == sorted(["articles", "ashby", "greenhouse", "jobpostings", "lever", "smartrecruiters",
                                                 "workable", "workday", "papers", "recruitee",
                                                 "personio", "bamboohr", "teamtailor", "pinpoint", "rippling", "breezy"])
