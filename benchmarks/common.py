"""What the stage benchmarks share: machine facts, medians of rounds, tables, results,
and the static web server (nginx when installed) that serves a generated sample web.

Figures on shared machines are noisy, so every benchmark measures its bare baseline in
the same run, on the same data, in alternating rounds, and reports medians and ratios.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
VIRTUAL = re.compile(rb"http://([a-z0-9-]+)\.sample\.test")
TEXT_SUFFIXES = (".html", ".xml", ".json", ".txt", ".csv", ".css", ".js", ".svg")


def machine() -> dict:
    """What the figures were measured on; load averages say how busy the cores were."""
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return info


def median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def table(rows: list[list], header: list[str]) -> str:
    cells = [[str(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def write_results(name: str, results: dict, path: Path | None = None) -> Path:
    path = path or RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    results.setdefault("machine", machine())["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    path.write_text(json.dumps(results, indent=2, sort_keys=True, default=str), encoding="utf-8")
    return path


def run_child(args: list[str], timeout: float = 3600) -> dict:
    """Run ``python ARGS`` from the repository root; it prints one JSON object last.

    Each measured run gets a fresh process, so imports, caches and Scrapy's reactor
    start cold the same way for the project and for its baseline. Adds the child's wall
    time and its CPU time (user + system, with the worker processes it waited for).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run([PYTHON, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{' '.join(args[:3])} printed no result:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    result = json.loads(lines[-1])
    result["process_wall_s"] = wall
    result["process_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports: the sockets stay bound until all are chosen, so the
    kernel cannot hand out one port twice (nginx refuses a configuration that repeats one)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class StaticWeb:
    """A generated sample web's static sites served by nginx, one port per site.

    The generator writes virtual origins (``http://{site}.sample.test``); the Python
    server rewrites them per response, nginx serves files as they are, so the sites are
    copied once with their local origins written in. Paginated listings
    (``/jobs/?page=N``) map to ``index.page-N.html`` as the generator lays them out.
    Offers ``origin()`` and ``localize()`` like :class:`skillenai.sampleweb.SampleWebServer`.
    ``gzip``: HTML is also written gzip-compressed beside each page and sent so to clients
    that accept it (``gzip_static``), costing nginx nothing per request.
    """

    def __init__(self, web_dir: Path, sites: list[str], gzip: bool = False):
        self.web_dir = Path(web_dir)
        self.sites = list(sites)
        self.gzip = gzip
        self.work = Path(tempfile.mkdtemp(prefix="skillenai-nginx-"))
        self.work.chmod(0o755)  # nginx workers started by root run as an unprivileged user
        self.ports = dict(zip(self.sites, free_ports(len(self.sites))))
        self.proc = None

    @staticmethod
    def available() -> str | None:
        return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)

    def origin(self, site: str) -> str:
        """The local origin of a served site; other sites keep their virtual origin."""
        port = self.ports.get(site)
        return f"http://127.0.0.1:{port}" if port else f"http://{site}.sample.test"

    def localize(self, text: str) -> str:
        return re.sub(r"http://([a-z0-9-]+)\.sample\.test",
                      lambda m: self.origin(m.group(1)) if m.group(1) in self.ports else m.group(0), text)

    def _copy_sites(self) -> None:
        origins = {site.encode(): self.origin(site).encode() for site in self.sites}
        for site in self.sites:
            source = self.web_dir / "sites" / site
            for path in source.rglob("*"):
                if path.is_dir():
                    continue
                target = self.work / "sites" / site / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                data = path.read_bytes()
                if path.suffix in TEXT_SUFFIXES:
                    data = VIRTUAL.sub(lambda m: origins.get(m.group(1), m.group(0)), data)
                target.write_bytes(data)
                if self.gzip and path.suffix == ".html":
                    target.with_name(target.name + ".gz").write_bytes(gzip.compress(data, compresslevel=6, mtime=0))

    def _config(self) -> str:
        servers = []
        for site in self.sites:
            servers.append(f"""
    server {{
        listen 127.0.0.1:{self.ports[site]} reuseport;
        root {self.work / 'sites' / site};
        location ~ /$ {{
            set $page_file "${{uri}}index.html";
            if ($arg_page ~ "^([2-9]|[1-9][0-9]+)$") {{ set $page_file "${{uri}}index.page-$arg_page.html"; }}
            try_files $page_file =404;
        }}
        location / {{ try_files $uri $uri/ =404; }}
    }}""")
        mime = "/etc/nginx/mime.types"
        return f"""
worker_processes 1;
daemon off;
pid {self.work / 'nginx.pid'};
error_log {self.work / 'error.log'} error;
events {{ worker_connections 1024; }}
http {{
    {'include ' + mime + ';' if Path(mime).exists() else 'types { text/html html; application/xml xml; text/plain txt; }'}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html text/xml text/plain application/xml application/json;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    absolute_redirect off;
    {'gzip_static on; gzip_vary on;' if self.gzip else ''}
    client_body_temp_path {self.work / 'tmp'};
    proxy_temp_path {self.work / 'tmp'};
    fastcgi_temp_path {self.work / 'tmp'};
    uwsgi_temp_path {self.work / 'tmp'};
    scgi_temp_path {self.work / 'tmp'};
{''.join(servers)}
}}
"""

    def start(self) -> "StaticWeb":
        self._copy_sites()
        (self.work / "tmp").mkdir(exist_ok=True)
        conf = self.work / "nginx.conf"
        conf.write_text(self._config(), encoding="utf-8")
        self.proc = subprocess.Popen([self.available(), "-c", str(conf), "-p", str(self.work)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        for site in self.sites:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", self.ports[site]), timeout=0.2).close()
                    break
                except OSError:
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"nginx did not start: {self.proc.stderr.read().decode()[-2000:]}")
                    time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def profile_by_package(stats, top: int = 15) -> dict:
    """A cProfile run's own time grouped by package (scrapy, twisted, lxml, ours...),
    and its costliest functions, so a report can say what dominates."""
    by_package: dict[str, float] = {}
    functions = []
    for (filename, line, name), (_cc, _nc, tottime, cumtime, _callers) in stats.stats.items():
        package = _package_of(filename)
        by_package[package] = by_package.get(package, 0.0) + tottime
        functions.append((tottime, cumtime, f"{package}:{Path(filename).name}:{line}({name})"))
    total = sum(by_package.values()) or 1.0
    functions.sort(reverse=True)
    return {
        "total_s": total,
        "by_package": {k: round(v / total, 3) for k, v in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]},
        "top_functions": [{"own_s": round(t, 3), "cum_s": round(c, 3), "function": f} for t, c, f in functions[:top]],
    }


def profile_entry_points(stats, points: dict[str, tuple[str, str]]) -> dict:
    """Cumulative time of named functions (``{label: (file suffix, function name)}``) as a
    share of the profile's total: where a stage's time goes, callees included."""
    total = max((cum for (_f, _l, name), (_cc, _nc, _tt, cum, _c) in stats.stats.items()), default=0.0) or 1.0
    found = {}
    for label, (suffix, function) in points.items():
        cum = sum(c for (filename, _line, name), (_cc, _nc, _tt, c, _callers) in stats.stats.items()
                  if name == function and filename.endswith(suffix))
        found[label] = {"seconds": round(cum, 3), "share": round(cum / total, 3)}
    return {"total_s": round(total, 3), "points": found}


def _package_of(filename: str) -> str:
    if filename.startswith("<") or filename == "~":
        return "builtins"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    try:
        rel = path.resolve().relative_to(ROOT)
        return rel.parts[0] if len(rel.parts) > 1 else rel.stem
    except ValueError:
        return "stdlib"
