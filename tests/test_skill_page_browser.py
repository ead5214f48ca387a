"""The HTML skill page in a real headless browser (Debian's chromium): it renders without
script or network, the weekly chart has one bar per week, and a screenshot is written.

Skipped when no chromium is installed (``apt-get install chromium``).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from skillenai.metrics import queries as metrics
from skillenai.metrics.render import BAR_COLOUR, PARTIAL_COLOUR, render
from skillenai.store.db import open_db

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
               f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def read_png(path: Path) -> tuple[int, int, list[list[tuple[int, int, int]]]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced RGB or RGBA PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def bars_in(rows, colours) -> int:
    """The most runs of bar-coloured pixels on one pixel row: the bars standing on the axis."""
    def is_bar(px):
        return any(sum(abs(p - q) for p, q in zip(px, c)) < 40 for c in colours)

    best = 0
    for row in rows:
        runs, inside = 0, False
        for px in row:
            hit = is_bar(px)
            runs += hit and not inside
            inside = hit
        best = max(best, runs)
    return best


@pytest.fixture(scope="module")
def page(make_sample_store, tmp_path_factory):
    db = open_db(make_sample_store(), readonly=True)
    data = metrics.skill_metrics(db, "Python")
    db.close()
    out = tmp_path_factory.mktemp("page")
    path = out / "python.html"
    path.write_text(render("skill", data, "html"), encoding="utf-8")
    return data, path


def test_the_page_renders_with_one_bar_per_week(page, tmp_path):
    data, path = page
    html = path.read_text()
    weeks = len(data["weekly"])
    assert weeks == 13
    assert len(re.findall(r'<rect class="bar', html)) == weeks
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/ld+json">']  # data, not code
    assert set(re.findall(r'<link rel="(\w+)"', html)) == {"canonical", "alternate"} and "<img" not in html

    # The DOM the browser built: the SVG parsed, one rect per week, the figures in place.
    dom = chromium(tmp_path, "--dump-dom", path.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert len(re.findall(r'<rect class="bar', dom.stdout)) == weeks
    assert f'id="postings">{data["postings"]:,}<' in dom.stdout
    assert "How this was computed" in dom.stdout and data["entity_id"] in dom.stdout

    # The whole page as a screenshot.
    shot = tmp_path / "python.png"
    result = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1000,2600", path.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 30_000
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])
    assert (width, height) == (1000, 2600)


def test_the_chart_shows_every_week_with_postings_as_a_bar(page, tmp_path):
    data, path = page
    svg = re.search(r"<svg.*?</svg>", path.read_text(), re.S).group(0)
    chart = tmp_path / "chart.html"
    chart.write_text(f'<!DOCTYPE html><html><body style="margin:0;background:#fff">{svg}</body></html>')
    shot = tmp_path / "chart.png"
    result = chromium(tmp_path, f"--screenshot={shot}", "--window-size=720,240", chart.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    width, height, rows = read_png(shot)
    assert (width, height) == (720, 240)
    colours = [_rgb(BAR_COLOUR), _rgb(PARTIAL_COLOUR)]
    assert bars_in(rows, colours) == sum(1 for w in data["weekly"] if w["postings"] > 0)
