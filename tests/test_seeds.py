from pathlib import Path

import pytest

from skillenai.crawler.seeds import BOARD_SPIDERS, SeedFileError, default_spiders, read_seeds


def write(tmp_path, text):
    path = tmp_path / "sources.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_kept_and_bad_rows_reported_with_line(tmp_path):
    path = write(tmp_path, "# comment\nspider,source,target\n"
                           "greenhouse,Acme,acme\n"
                           "greenhouse,Bad,not a token!\n"
                           "nosuchspider,X,x\n"
                           "lever,Globex\n"
                           "jobpostings,Initech,ftp://initech.example/\n"
                           "jobpostings,Initech,https://initech.example/\n"
                           "greenhouse,Acme again,acme\n")
    seeds, problems = read_seeds(path)
    assert [(s.spider, s.target) for s in seeds] == [("greenhouse", "acme"), ("jobpostings", "https://initech.example/")]
    messages = [str(p) for p in problems]
    assert any(m.startswith(f"{path}:4:") and "board token" in m for m in messages)
    assert any(":5:" in m and "unknown spider" in m for m in messages)
    assert any(":6:" in m and "expected 3 fields" in m for m in messages)
    assert any(":7:" in m and "http(s) URL" in m for m in messages)
    assert any(":9:" in m and "duplicate" in m for m in messages)


def test_filter_by_spider_reports_only_its_rows(tmp_path):
    path = write(tmp_path, "spider,source,target\ngreenhouse,Acme,acme\nlever,Bad,bad token\nashby,Globex,globex\n")
    seeds, problems = read_seeds(path, spider="ashby")
    assert [s.target for s in seeds] == ["globex"]
    assert problems == []


def test_missing_header_is_a_file_error(tmp_path):
    with pytest.raises(SeedFileError, match="header"):
        read_seeds(write(tmp_path, "greenhouse,Acme,acme\n"))


def test_missing_file(tmp_path):
    with pytest.raises(SeedFileError, match="cannot read"):
        read_seeds(tmp_path / "nope.csv")


def test_shipped_sources_file_is_valid():
    seeds, problems = read_seeds(Path(__file__).parent.parent / "seeds" / "sources.csv")
    assert problems == []
    assert {s.spider for s in seeds} == {"greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable",
                                        "jobpostings", "articles", "papers", *BOARD_SPIDERS}


def test_board_spiders_take_board_tokens_and_run_by_default_only_with_a_row(tmp_path):
    path = write(tmp_path, "spider,source,target\nrecruitee,Aikido,aikidosecurity\n"
                           "personio,Bad,https://acme.jobs.personio.com/xml\ngreenhouse,Acme,acme\n")
    seeds, problems = read_seeds(path)
    assert [(s.spider, s.target) for s in seeds] == [("recruitee", "aikidosecurity"), ("greenhouse", "acme")]
    assert len(problems) == 1 and "bad personio board token" in problems[0].message and ":3" in problems[0].where
    assert default_spiders(path) == ["greenhouse", "lever", "ashby", "smartrecruiters", "workable", "jobpostings",
                                    "articles", "workday", "papers", "recruitee"]
    assert "recruitee" not in default_spiders(tmp_path / "missing.csv")
