"""End to end: ``skillenai demo --postings N`` wall time, peak memory, share of each stage.

Runs the demo as a user would (a fresh process: generate the sample web, serve it, crawl
it with all the spiders, dedupe, classify, refresh metrics), and while it runs samples
the memory of its whole process tree (the demo and any worker processes it starts) every
0.2 s, as PSS (shared pages divided among the processes that share them) and as RSS, and
keeps each process's share at the peak. Stage times come from the demo's own ``Time:``
line, their CPU seconds (the demo and its ended workers) from its ``CPU time:`` line; what
is left of the wall time (interpreter start, imports, summaries) is reported as ``other``.
The machine is often shared, so CPU seconds are the figures to compare between runs.

Usage::

    python -m benchmarks.bench_e2e --quick          # 1,000 postings
    python -m benchmarks.bench_e2e                  # 10,000 postings
    python -m benchmarks.bench_e2e --postings 10000 --rounds 3

Prints a table and writes ``benchmarks/results/e2e.json``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.common import PYTHON, machine, median, table, write_results

_TIME_LINE = re.compile(r"^Time: (?P<stages>.*); total (?P<total>[\d.]+) s", re.MULTILINE)
_CPU_LINE = re.compile(r"^CPU time: (?P<stages>.*); total (?P<total>[\d.]+) s", re.MULTILINE)
_STAGE = re.compile(r"(\w+) ([\d.]+) s")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _pss_bytes(pid: int) -> int | None:
    """A process's proportional set size, where the kernel reports one."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _label(pid: int, root: int, parent_cmdline: bytes | None) -> tuple[str, bytes | None]:
    """What a process of the demo's tree is: the demo itself, a forked worker (the same
    command line as its parent) or a spawned one (named by its command line)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmdline = fh.read()
    except OSError:
        return "ended", None
    if pid == root:
        return "demo", cmdline
    if cmdline == parent_cmdline:
        return "forked worker", cmdline
    return cmdline.replace(b"\0", b" ").decode(errors="replace").strip()[:60], cmdline


def tree_memory(pid: int) -> tuple[float, float, list[tuple[str, int, float]]]:
    """Resident memory of ``pid`` and all its descendants, in MB (Linux /proc): the sum
    of their RSS, the sum of their PSS, and each process's (label, pid, PSS). Forked
    workers share their parent's pages (models, taxonomies) until they write them; RSS
    counts a shared page in every process, PSS divides it among them, so the PSS sum is
    what the tree takes from the machine."""
    tree, rss, pss, todo, each = _children(), 0, 0, [(pid, None)], []
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        current, parent_cmdline = todo.pop()
        label, cmdline = _label(current, pid, parent_cmdline)
        todo.extend((child, cmdline) for child in tree.get(current, []))
        try:
            with open(f"/proc/{current}/statm") as fh:
                resident = int(fh.read().split()[1]) * page
        except OSError:  # ended meanwhile
            continue
        proportional = _pss_bytes(current)
        proportional = resident if proportional is None else proportional
        rss += resident
        pss += proportional
        each.append((label, current, proportional / 1024 / 1024))
    return rss / 1024 / 1024, pss / 1024 / 1024, each


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """:func:`tree_memory`'s RSS and PSS sums."""
    rss, pss, _ = tree_memory(pid)
    return rss, pss


def _ended_children_cpu() -> float:
    """CPU seconds of this process's ended children and theirs: the demo, whole."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_demo(postings: int, work: Path) -> dict:
    db = work / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    command = [PYTHON, "-m", "skillenai.cli", "demo", "--postings", str(postings), "--db", str(db)]
    started, cpu_before = time.monotonic(), _ended_children_cpu()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0, 0.0]  # RSS sum, PSS sum
    at_peak: list = []  # (label, pid, PSS MB, seconds since start) of each process at the PSS peak
    done = threading.Event()

    def sample():
        while not done.is_set():
            rss, pss, each = tree_memory(proc.pid)
            if pss > peak[1]:
                at = round(time.monotonic() - started, 1)
                at_peak[:] = [(label, pid, round(mb), at) for label, pid, mb in each]
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"demo failed ({proc.returncode}):\n{err[-3000:]}")
    match = _TIME_LINE.search(out)
    if not match:
        raise RuntimeError(f"the demo printed no Time: line:\n{out[-2000:]}")
    stages = {name: float(seconds) for name, seconds in _STAGE.findall(match.group("stages"))}
    stages["other"] = max(0.0, wall - sum(stages.values()))
    cpu_match = _CPU_LINE.search(out)
    cpu = {name: float(seconds) for name, seconds in _STAGE.findall(cpu_match.group("stages"))} if cpu_match else {}
    if cpu_match:
        cpu["total"] = float(cpu_match.group("total"))
    found = re.search(r"postings\s+(\d+) of\s+(\d+) found", out)
    return {"wall_s": wall, "stages_s": stages, "stages_cpu_s": cpu,
            "cpu_s": _ended_children_cpu() - cpu_before,
            "peak_tree_rss_mb": peak[0], "peak_tree_pss_mb": peak[1], "pss_at_peak_mb": at_peak,
            "peak_process_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "postings_found": [int(found.group(1)), int(found.group(2))] if found else None,
            "store_mb": db.stat().st_size / 1024 / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1,000 postings")
    parser.add_argument("--postings", type=int, help="sample-web postings (default 10000; 1000 with --quick)")
    parser.add_argument("--rounds", type=int, default=1, help="demo runs; medians reported (default 1)")
    parser.add_argument("--out", type=Path, help="JSON results (default benchmarks/results/e2e.json)")
    args = parser.parse_args()

    postings = args.postings or (1000 if args.quick else 10_000)
    work = Path(tempfile.mkdtemp(prefix="skillenai-bench-e2e-"))
    runs = []
    try:
        for number in range(args.rounds):
            runs.append(run_demo(postings, work))
            r = runs[-1]
            print(f"  round {number + 1}: {r['wall_s']:.1f} s, {r['cpu_s']:.1f} s CPU, peak {r['peak_tree_pss_mb']:.0f} MB "
                  f"(PSS; RSS {r['peak_tree_rss_mb']:.0f} MB)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wall = median(r["wall_s"] for r in runs)
    stages = {name: median(r["stages_s"][name] for r in runs) for name in runs[0]["stages_s"]}
    stages_cpu = {name: median(r["stages_cpu_s"].get(name) for r in runs) for name in runs[0]["stages_cpu_s"]}
    cpu = median(r["cpu_s"] for r in runs)
    peak_run = max(runs, key=lambda r: r["peak_tree_pss_mb"])
    results = {
        "machine": machine(), "postings": postings, "rounds": args.rounds, "wall_s": wall, "cpu_s": cpu,
        "postings_per_s": postings / wall, "stages_s": stages, "stages_cpu_s": stages_cpu,
        "stage_share": {name: seconds / wall for name, seconds in stages.items()},
        "peak_tree_rss_mb": max(r["peak_tree_rss_mb"] for r in runs),
        "peak_tree_pss_mb": peak_run["peak_tree_pss_mb"], "pss_at_peak_mb": peak_run["pss_at_peak_mb"],
        "peak_process_rss_mb": max(r["peak_process_rss_mb"] for r in runs),
        "postings_found": runs[0]["postings_found"], "store_mb": runs[0]["store_mb"], "runs": runs,
    }
    print(f"\nEnd to end: skillenai demo --postings {postings}, median of {args.rounds}: {wall:.1f} s "
          f"({postings / wall:.0f} postings/s), {cpu:.1f} s CPU (the demo and its workers), peak memory {results['peak_tree_pss_mb']:.0f} MB "
          f"(all processes, PSS; RSS summed {results['peak_tree_rss_mb']:.0f} MB; largest one "
          f"{results['peak_process_rss_mb']:.0f} MB)")
    rows = [[name, seconds, f"{seconds / wall:.0%}", stages_cpu.get(name, float("nan"))]
            for name, seconds in stages.items()]
    rows.append(["total", wall, "100%", cpu])
    print(table(rows, ["stage", "seconds", "share", "CPU s"]))
    at = peak_run["pss_at_peak_mb"]
    if at:
        print(f"\nAt the PSS peak ({at[0][3]:.0f} s after launch), MB each: "
              + ", ".join(f"{label} {mb}" for label, _, mb, _ in at))
    path = write_results("e2e", results, args.out)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
