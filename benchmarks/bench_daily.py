"""A day at scale: the daily batch (dedupe → classify → metrics) on new postings into a large store.

The base store (``--base`` postings, default 1,000,000, and ``base/50`` articles) is built
the way :func:`benchmarks.bench_metrics.build_store` builds its stores (rows straight into
SQLite, indexes after), with ~3 KB posting texts and the dedupe state a daily run leaves
behind, so that the batch finds nothing of the base left to do:

- texts: a posting's company boilerplate (three lines its company repeats under every
  title, learned as ``boilerplate_lines``), an opening line naming the job, then lines
  drawn from the distinct lines of a generated sample web (``skillenai.sampleweb``) up to
  ~3,000 bytes; titles from the sample web; skill, metro and role tags and
  ``classified_at`` as ``build_store`` writes them;
- dedupe: every document's ``minhashes`` row (unit hashes, title and location keys,
  scope) and signature computed with :mod:`skillenai.dedupe.minhash` over both cores,
  its bands in ``lsh_bands``, its lines in ``scope_lines``, and a ``dedupe_runs`` row
  whose mark is past every document.

Each scale then copies the base store and adds the day's documents through the store's
own upsert (:func:`skillenai.store.documents.upsert_documents`): 10% near duplicates of
stored postings (another URL, a line and a word changed), 5% stored postings whose text
changed (their URL, a third of their lines replaced), and the rest new postings, each the
text of two sample-web postings joined and cut near 3 KB (``benchmarks/bench_tag.py``'s
"3 KB postings") under a stored company. The batch runs in a child process
(:func:`skillenai.pipeline.batch.run_batch`, what ``skillenai daily`` runs after its
crawl); for each stage it reports wall time, CPU time (the child and its worker
processes), peak memory (PSS summed over the child's process tree, sampled every 0.2 s)
and the rows it wrote (SQLite's ``total_changes``).

Usage::

    python -m benchmarks.bench_daily --quick                  # 50k base, 5k new: minutes
    python -m benchmarks.bench_daily --keep /var/tmp/daily    # 1M base; 10k, 100k, 300k new
    python -m benchmarks.bench_daily --keep /var/tmp/daily --new 100000 --profile
    python -m benchmarks.bench_daily --keep /var/tmp/daily --new 100000 --stages dedupe

``--keep DIR`` builds the base store there once and reuses it (each scale works on a
copy). ``--profile`` runs the batch under cProfile and writes one profile per stage next
to the results. Prints a table per scale and writes ``benchmarks/results/daily.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.bench_e2e import tree_memory_mb
from benchmarks.bench_metrics import AS_OF, build_store
from benchmarks.common import PYTHON, machine, table, write_results
from skillenai.core.workers import map_as_completed, usable_cores
from skillenai.dedupe import boilerplate as bp
from skillenai.dedupe import lsh
from skillenai.dedupe.minhash import signatures, to_bytes
from skillenai.dedupe.run import DedupeSettings
from skillenai.dedupe.text import NORMALISER_VERSION, analyse_many, analyse_text, posting_location_key, title_key
from skillenai.store import scope_lines
from skillenai.store.db import open_db, utc_now

TEXT_BYTES = 3000
COMPANIES = 5000
POOL_POSTINGS = 3000       # sample-web postings whose distinct lines make the base texts
NEW_POOL_MAX = 40_000      # sample-web postings the day's new postings are joined from
NEAR_DUPLICATES = 0.10
CHANGED = 0.05
STAGES = ("dedupe", "classify", "metrics")


# -- text ----------------------------------------------------------------------------------

def sample_postings(postings: int, seed: int) -> list[dict]:
    """Postings of a generated sample web as the crawler would store them."""
    from evaluation.sampleweb_tagging import posting_doc, read_truth
    from skillenai.sampleweb import generate

    with tempfile.TemporaryDirectory(prefix="bench-daily-") as tmp:
        generate(tmp, postings=postings, seed=seed)
        return [posting_doc(r) for r in read_truth(tmp, "postings")]


def _cut(lines: list[str], limit: int = TEXT_BYTES) -> str:
    out, size = [], 0
    for line in lines:
        if size + len(line) + 1 > limit and out:
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


class BaseTexts:
    """``text_of`` for :func:`build_store`: ~3 KB texts from a sample web's distinct lines."""

    def __init__(self, seed: int):
        docs = sample_postings(POOL_POSTINGS, seed)
        self.lines = sorted({line.strip() for d in docs for line in d["text"].split("\n") if len(line.strip()) > 20})
        self.titles = sorted({d["title"] for d in docs})
        self.frequent = [line for line in self.lines if line.endswith(".")][:500]
        self.seed = seed

    def company_lines(self, company: str) -> list[str]:
        """The three lines a company repeats in every posting (its learned boilerplate)."""
        n = int(company.rsplit(" ", 1)[-1]) if company[-1].isdigit() else len(company)
        return [f"At {company}, {self.frequent[(n * 7 + k * 131) % len(self.frequent)]}" for k in range(3)]

    def __call__(self, row: int, kind: str, company: str) -> tuple[str, str]:
        rng = random.Random(self.seed * 1_000_003 + row)
        title = self.titles[rng.randrange(len(self.titles))]
        head = [f"{company} is hiring a {title} (requisition {row}) to join our team."]
        if kind == "posting":
            head = self.company_lines(company) + head
        body = [self.lines[rng.randrange(len(self.lines))] for _ in range(40)]
        return title, _cut(head + body)


# -- the base store: dedupe state ----------------------------------------------------------

def _sign_rows(args: tuple) -> list[tuple]:
    """Per document: its id, kind, scope, seq and content hash, unit hashes, title key,
    location key, signature and shingle count (run in a worker process)."""
    rows, boilerplates, s = args
    analysed = analyse_many([r[3] for r in rows], keep_units=True)
    kept = [[u for u, h in zip(units, hashes) if h not in boilerplates.get(scope, ())]
            for (units, hashes), scope in zip(analysed, [r[9] for r in rows])]
    sigs, counts = signatures(kept, shingle_size=s.shingle_size, num_perm=s.num_perm, seed=s.seed)
    out = []
    for r, (_, hashes), sig, count in zip(rows, analysed, sigs, counts):
        location = r[5] if r[1] == "posting" else None
        out.append((r[0], r[1], r[9], r[4], r[6], bp.lines_to_bytes(hashes), title_key(r[2], location),
                    posting_location_key(r[2], location) if r[1] == "posting" else "", sig, int(count)))
    return out


def index_base(path: Path, texts: BaseTexts, *, workers: int | None = None, chunk: int = 2000, log=print) -> dict:
    """Give every document of a built store the dedupe state a daily run leaves: its
    company's boilerplate lines, ``minhashes`` rows with signatures, ``lsh_bands`` and a
    ``dedupe_runs`` mark past the last document."""
    started = time.monotonic()
    s = DedupeSettings()
    bands, nrows = s.layout
    now = utc_now()
    db = open_db(path)
    conn = db.conn
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'minhashes' "
                         "AND sql IS NOT NULL").fetchall()
    for name, _ in saved:
        conn.execute(f"DROP INDEX {name}")
    companies = [r[0] for r in conn.execute("SELECT DISTINCT company FROM postings")]
    learned: dict[str, frozenset[int]] = {}
    boilerplate_rows = []
    for company in companies:
        scope = bp.scope_of("posting", company, None, None)
        units: list[tuple[str, int]] = []
        for line in texts.company_lines(company):
            units.extend(zip(*analyse_text(line)))
        learned[scope] = frozenset(h for _, h in units)
        boilerplate_rows.extend((scope, bp.to_sql(h), 3, u[:200], now) for u, h in units)
    conn.execute("BEGIN")
    conn.executemany("INSERT OR IGNORE INTO boilerplate_lines (scope, line_hash, titles, sample, learned_at) "
                     "VALUES (?, ?, ?, ?, ?)", boilerplate_rows)

    def chunks():
        last = 0
        while True:
            rows = conn.execute(
                "SELECT d.id, d.kind, d.title, d.text, d.seq, p.location_raw, d.content_hash, p.company, d.source, "
                "NULL FROM documents d LEFT JOIN postings p ON p.document_id = d.id WHERE d.seq > ? "
                "ORDER BY d.seq LIMIT ?", (last, chunk)).fetchall()
            if not rows:
                return
            last = rows[-1][4]
            rows = [(*r[:9], bp.scope_of(r[1], r[7], r[8], r[8])) for r in rows]
            yield rows, {r[9]: learned[r[9]] for r in rows if r[9] in learned}, s

    total = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    keys = np.empty((total, bands), dtype=np.int32)
    minhash_id = 0
    # Rows are read and written by this process while the workers sign the next chunks.
    for signed in map_as_completed(_sign_rows, chunks(), workers or usable_cores()):
        batch, kinds = [], []
        for doc_id, kind, scope, seq, digest, lines, tkey, lkey, sig, count in signed:
            minhash_id += 1
            batch.append((minhash_id, doc_id, kind, scope, seq, digest, tkey, lkey, lines, s.num_perm, s.seed,
                          s.shingle_size, NORMALISER_VERSION, count, to_bytes(sig), s.threshold,
                          bands, nrows, now))
            kinds.append(kind)
        conn.executemany(
            "INSERT INTO minhashes (id, document_id, kind, scope, seq, content_hash, title_key, location_key, lines, "
            "num_perm, seed, shingle_size, normaliser, shingles, signature, threshold, bands, rows, computed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
        keys[minhash_id - len(batch):minhash_id] = lsh.band_keys(
            np.stack([row[8] for row in signed]), kinds, bands, nrows)
        if minhash_id % 100_000 < chunk:
            log(f"  signed {minhash_id:,} of {total:,}: {time.monotonic() - started:.0f} s")
    ids = np.arange(1, minhash_id + 1, dtype=np.int64)
    for band in range(bands):                           # in key order: appends to the B-tree
        order = np.lexsort((ids, keys[:minhash_id, band]))
        conn.executemany("INSERT INTO lsh_bands (band, bucket, minhash_id) VALUES (?, ?, ?)",
                         zip([band] * minhash_id, keys[order, band].tolist(), ids[order].tolist()))
    last_seq = conn.execute("SELECT MAX(seq) FROM documents").fetchone()[0]
    conn.execute("INSERT INTO dedupe_runs (date, started, finished, next_seq, settings, report) VALUES "
                 "(NULL, ?, ?, ?, ?, '{}')", (now, now, last_seq + 1, json.dumps(
                     {"signing": s.signing(), "linking": s.linking()}, sort_keys=True)))
    conn.execute("COMMIT")
    for _, sql in saved:
        conn.execute(sql)
    conn.execute("BEGIN")
    lines = scope_lines.fill(conn)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    db.close()
    log(f"  dedupe state ({minhash_id:,} signatures, {minhash_id * bands:,} band rows, {lines:,} scope lines): "
        f"{time.monotonic() - started:.0f} s")
    return {"signatures": minhash_id, "band_rows": minhash_id * bands, "scope_lines": lines,
            "seconds": round(time.monotonic() - started, 1)}


def build_base(path: Path, postings: int, seed: int = 1, log=print) -> dict:
    """The base store: postings with tags (``build_store``) and their dedupe state."""
    texts = BaseTexts(seed)
    store = build_store(path, postings, dup_rate=0.0, seed=seed, text_of=texts, companies=COMPANIES, log=log)
    store["dedupe"] = index_base(path, texts, log=log)
    store["file_mb"] = round(path.stat().st_size / 2**20, 1)
    store.pop("skills_by_rank", None)
    return store


# -- the day's documents -------------------------------------------------------------------

def _edit(rng: random.Random, text: str, pool: list[str], share: float) -> str:
    """``text`` with ``share`` of its lines (at least one) replaced and one word dropped."""
    lines = text.split("\n")
    for _ in range(max(1, int(len(lines) * share))):
        lines[rng.randrange(len(lines))] = pool[rng.randrange(len(pool))]
    at = rng.randrange(len(lines))
    words = lines[at].split(" ")
    if len(words) > 3:
        del words[rng.randrange(len(words))]
        lines[at] = " ".join(words)
    return "\n".join(lines)


def day_records(path: Path, new: int, seed: int, pool_docs: list[dict], lines: list[str]) -> tuple[list[dict], dict]:
    """The day's records (normalised, as the crawler's pipeline hands them to the store)."""
    from skillenai.core.record import normalize_record

    rng = random.Random(seed)
    n_near, n_changed = int(new * NEAR_DUPLICATES), int(new * CHANGED)
    n_fresh = new - n_near - n_changed
    db = open_db(path, readonly=True)
    max_rowid = db.execute("SELECT MAX(rowid) FROM documents").fetchone()[0]
    picked: dict[int, tuple] = {}
    while len(picked) < n_near + n_changed:
        rowids = sorted({rng.randrange(1, max_rowid + 1) for _ in range(n_near + n_changed - len(picked))})
        for chunk in range(0, len(rowids), 500):
            part = rowids[chunk:chunk + 500]
            for row in db.execute(
                    "SELECT d.rowid, d.id, d.url, d.title, d.text, p.company, p.location_raw FROM documents d "
                    f"JOIN postings p ON p.document_id = d.id WHERE d.rowid IN ({','.join('?' * len(part))})", part):
                picked.setdefault(row[0], row[1:])
    db.close()
    stored = list(picked.values())[:n_near + n_changed]
    rng.shuffle(stored)
    day = (AS_OF + dt.timedelta(days=1)).isoformat()
    records = []

    def posting(url: str, title: str, text: str, company: str, location: str) -> dict:
        return normalize_record({"kind": "posting", "url": url, "title": title, "text": text, "company": company,
                                 "location_raw": location, "source": "bench", "spider": "bench",
                                 "date_posted": day})

    for doc_id, url, title, text, company, location in stored[:n_near]:
        records.append(posting(f"https://reposts.example.com/{doc_id}", title, _edit(rng, text, lines, 0.0),
                               company, location))
    for doc_id, url, title, text, company, location in stored[n_near:]:
        record = posting(url, title, _edit(rng, text, lines, 0.33), company, location)
        records.append(dict(record, id=doc_id))   # the stored document, its text changed
    n_pool = len(pool_docs)
    for k in range(n_fresh):
        a = pool_docs[k % n_pool]
        b = pool_docs[(k % n_pool + 1 + k // n_pool) % n_pool]
        text = _cut((a["text"] + "\n" + b["text"]).split("\n"))
        records.append(posting(f"https://new.example.com/{seed}/{k}", a["title"], text,
                               f"Company {rng.randrange(COMPANIES)}", a.get("location") or "Remote"))
    rng.shuffle(records)
    return records, {"near_duplicates": n_near, "changed": n_changed, "new": n_fresh}


def add_day(path: Path, records: list[dict]) -> dict:
    from skillenai.store.documents import UpsertCounts, upsert_documents

    started = time.monotonic()
    db = open_db(path)
    counts = UpsertCounts()
    for start in range(0, len(records), 1000):
        counts.add(upsert_documents(db, records[start:start + 1000]))
    db.close()
    return {"new": counts.new, "changed": counts.changed, "unchanged": counts.unchanged,
            "seconds": round(time.monotonic() - started, 1)}


# -- running the batch ---------------------------------------------------------------------

def child(db_path: str, profile_dir: str | None, stages: list[str]) -> int:
    """Run the batch's ``stages`` on ``db_path``, printing a JSON line as each starts and ends."""
    from skillenai.pipeline.batch import _RUN

    db = open_db(db_path)
    for name in stages:
        print(json.dumps({"start": name}), flush=True)
        before_changes, t0 = db.conn.total_changes, time.monotonic()
        c0 = os.times()
        profiler = cProfile.Profile() if profile_dir else None
        if profiler:
            profiler.enable()
        record = _RUN[name](db, None)
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(Path(profile_dir) / f"{name}.prof"))
        c1 = os.times()
        cpu = sum(c1[:4]) - sum(c0[:4])       # this process and its finished worker processes
        print(json.dumps({"end": name, "wall_s": time.monotonic() - t0, "cpu_s": cpu,
                          "rows_written": db.conn.total_changes - before_changes, "record": record},
                         default=str), flush=True)
    db.close()
    return 0


def run_batch_measured(db_path: Path, profile_dir: Path | None = None, stages: tuple[str, ...] | list[str] = STAGES) -> dict:
    command = [PYTHON, "-m", "benchmarks.bench_daily", "--child", str(db_path), "--stages", ",".join(stages)]
    if profile_dir:
        command += ["--profile-dir", str(profile_dir)]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)
    current = ["start"]
    peaks: dict[str, float] = {}
    done = threading.Event()

    def sample():
        while not done.is_set():
            _, pss = tree_memory_mb(proc.pid)
            peaks[current[0]] = max(peaks.get(current[0], 0.0), pss)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stages = {}
    started = time.monotonic()
    for line in proc.stdout:
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if "start" in event:
            current[0] = event["start"]
        else:
            stages[event["end"]] = {k: v for k, v in event.items() if k != "end"}
            # As each stage ends, so that a long run's log holds what is done.
            print(f"  {event['end']}: {event['wall_s']:.1f} s wall, {event['cpu_s']:.1f} s CPU, "
                  f"peak {peaks.get(event['end'], 0.0):.0f} MB PSS, {event['rows_written']:,} rows", flush=True)
    proc.wait()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"the batch failed ({proc.returncode})")
    for name, stage in stages.items():
        stage["peak_pss_mb"] = peaks.get(name, 0.0)
    return {"wall_s": time.monotonic() - started, "peak_pss_mb": max(peaks.values()), "stages": stages}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=int, default=1_000_000, help="postings in the base store (default 1,000,000)")
    parser.add_argument("--new", type=lambda v: [int(x) for x in v.split(",")], default=[10_000, 100_000, 300_000],
                        help="the day's documents per scale, comma-separated (default 10000,100000,300000)")
    parser.add_argument("--keep", type=Path, help="build the base store in this directory once and reuse it")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 50k base, 5k new")
    parser.add_argument("--profile", action="store_true", help="profile each stage (cProfile, .prof files)")
    parser.add_argument("--stages", type=lambda v: v.split(","), default=list(STAGES),
                        help="the stages to run, in the batch's order (default dedupe,classify,metrics)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="JSON results (default benchmarks/results/daily.json)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--profile-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.profile_dir, args.stages)
    unknown = set(args.stages) - set(STAGES)
    if unknown:
        parser.error(f"--stages: unknown stage {sorted(unknown)[0]!r} (stages: {', '.join(STAGES)})")
    base, scales = (50_000, [5_000]) if args.quick else (args.base, args.new)

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-daily-"))
    work.mkdir(parents=True, exist_ok=True)
    base_path = work / f"daily-base-{base}.db"
    meta_path = base_path.with_suffix(".json")
    results = {"machine": machine(), "base": base, "scales": []}
    try:
        if args.keep and base_path.exists() and meta_path.exists():
            store = json.loads(meta_path.read_text())
            print(f"base store of {base:,} postings: reusing {base_path}", flush=True)
        else:
            print(f"base store of {base:,} postings: building {base_path}", flush=True)
            store = build_base(base_path, base, seed=args.seed)
            meta_path.write_text(json.dumps(store))
        results["base_store"] = store
        pool_docs = sample_postings(min(max(scales) * 85 // 100, NEW_POOL_MAX), args.seed + 1)
        lines = sorted({line for d in pool_docs for line in d["text"].split("\n") if len(line) > 20})
        for new in scales:
            run_path = work / f"daily-run-{os.getpid()}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{run_path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(base_path, run_path)
            records, mix = day_records(run_path, new, args.seed + new, pool_docs, lines)
            ingest = add_day(run_path, records)
            del records
            print(f"\n{new:,} new documents into {base:,} ({mix}); stored in {ingest['seconds']} s", flush=True)
            profile_dir = None
            if args.profile:
                profile_dir = (args.out or write_results_path()).parent / f"daily-profile-{new}"
                profile_dir.mkdir(parents=True, exist_ok=True)
            measured = run_batch_measured(run_path, profile_dir, [s for s in STAGES if s in args.stages])
            entry = {"new": new, "mix": mix, "ingest": ingest, **measured}
            results["scales"].append(entry)
            _print_scale(entry)
            path = write_results("daily", results, args.out)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work / f'daily-run-{os.getpid()}.db'}{suffix}").unlink(missing_ok=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nwrote {path}")
    return 0


def write_results_path() -> Path:
    from benchmarks.common import RESULTS_DIR

    return RESULTS_DIR / "daily.json"


def _print_scale(e: dict) -> None:
    rows = [[name, s["wall_s"], s["cpu_s"], s["peak_pss_mb"], s["rows_written"],
             s["record"].get("analysed", s["record"].get("documents", ""))]
            for name, s in e["stages"].items()]
    rows.append(["batch", e["wall_s"], sum(s["cpu_s"] for s in e["stages"].values()), e["peak_pss_mb"],
                 sum(s["rows_written"] for s in e["stages"].values()), ""])
    print(table(rows, ["stage", "wall s", "CPU s", "peak PSS MB", "rows written", "documents"]), flush=True)


if __name__ == "__main__":
    sys.exit(main())
