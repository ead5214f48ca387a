"""The Datasette process ``skillenai serve`` runs: Datasette's own command line, with the
bounds a public query endpoint needs (``python -m skillenai.metrics.datasette_app serve …``).

Registered as a Datasette plugin (configured under ``plugins.skillenai-limits`` in the
metadata ``skillenai serve`` writes):

- every SQLite connection gets ``SQLITE_LIMIT_LENGTH`` (``max_value_bytes``): no string,
  blob or row a query builds may be longer (``select zeroblob(900000000)`` fails at once
  instead of taking the host's memory), and ``PRAGMA query_only``;
- at most ``max_sql_queries`` requests with arbitrary SQL (``?sql=``) run at once; more are
  answered 429 at once, so slow queries cannot take every one of Datasette's SQL threads
  from the tables and canned queries.

A query that fails leaves its cursor referenced from the exception's traceback, a cycle
the garbage collector breaks later, in whatever thread it runs; finalising the cursor
then waits for its connection, which by then may be running someone's slow query: a
table page waited 5 s that way. The frames of a failed query are cleared in its own
thread, so its cursor goes at once.

It also answers the API (``register_routes``): ``/skills/{name}.json``, ``/metros/{name}.json``,
``/roles/{name}.json`` and ``/occupations/{code}.json`` return the document ``skillenai
metrics KIND NAME --format json`` prints, for any name or alias (``/skills/k8s.json`` is
Kubernetes), with ``as_of``, ``window`` and ``limit`` as query parameters; an unknown name
is a 404 with close names, a bad parameter a 400. Each request reads the served file
through its own read-only connection (``mode=ro``; immutable for a snapshot): the figures
are computed in a temporary table, which Datasette's ``query_only`` connections refuse.

Datasette's own settings bound the rest (``sql_time_limit_ms``, ``max_returned_rows``,
``default_allow_sql``), and ``skillenai serve`` caps the process's address space.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import traceback
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote

import sqlite_utils
from datasette import hookimpl
from datasette.utils.asgi import Response

from skillenai.metrics import queries as metrics
from skillenai.metrics.links import SECTIONS
from skillenai.metrics.render import render

PLUGIN = "skillenai-limits"


def _config(datasette) -> dict:
    return datasette.plugin_config(PLUGIN) or {}


@hookimpl
def prepare_connection(conn, database, datasette):
    if database == "_internal":  # Datasette's own in-memory catalogue, which it writes
        return
    limit = _config(datasette).get("max_value_bytes")
    if limit:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, int(limit))
    conn.execute("PRAGMA query_only = 1")


def _arbitrary_sql(scope) -> bool:
    query = scope.get("query_string", b"").decode("latin-1")
    return "sql=" in query and "sql" in parse_qs(query)


@hookimpl
def asgi_wrapper(datasette):
    limit = int(_config(datasette).get("max_sql_queries") or 0)

    def wrap(app):
        if limit <= 0:
            return app
        running = 0

        async def bounded(scope, receive, send):
            nonlocal running
            if scope.get("type") != "http" or not _arbitrary_sql(scope):
                return await app(scope, receive, send)
            if running >= limit:
                body = json.dumps({"ok": False, "status": 429,
                                   "error": f"{running} SQL queries are running, the most this server runs at "
                                            "once; try again shortly"}).encode()
                await send({"type": "http.response.start", "status": 429,
                            "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                        (b"retry-after", b"5")]})
                await send({"type": "http.response.body", "body": body})
                return None
            running += 1
            try:
                return await app(scope, receive, send)
            finally:
                running -= 1

        return bounded

    return wrap


_API = {
    "skill": lambda db, name, **kw: metrics.skill_metrics(db, name, **kw),
    "metro": lambda db, name, **kw: metrics.metro_metrics(db, name, **kw),
    "role": lambda db, name, **kw: metrics.role_metrics(db, name, **kw),
    "occupation": lambda db, name, **kw: metrics.occupation_metrics(db, name, **kw),
}


def _store(datasette):
    """The served store: Datasette's first database but its own catalogue."""
    return next(d for name, d in datasette.databases.items() if name != "_internal" and d.path)


def _read_only(database, max_value_bytes: int | None) -> sqlite_utils.Database:
    mode = "ro&immutable=1" if not database.is_mutable else "ro"
    conn = sqlite3.connect(f"file:{quote(str(Path(database.path).resolve()))}?mode={mode}", uri=True,
                           check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    if max_value_bytes:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, int(max_value_bytes))
    db = sqlite_utils.Database(conn)
    # No memory-mapped reads: a map takes address space, which the server bounds (--max-memory-mb).
    metrics.tune_connection(db, cache_mb=64, mmap_mb=0)
    return db


def _options(args) -> dict:
    out = {}
    if args.get("as_of"):
        out["as_of"] = args["as_of"]
    for key in ("window", "limit"):
        if args.get(key):
            value = args[key]
            if not value.isdigit():
                raise metrics.MetricsError(f"{key} must be a positive whole number, got {value!r}")
            out[key] = int(value)
    return out


def _answer(kind: str):
    async def view(datasette, request):
        name = unquote(request.url_vars["name"])
        try:
            options = _options(request.args)
        except metrics.MetricsError as exc:
            return Response.json({"ok": False, "status": 400, "error": str(exc)}, status=400)
        database = _store(datasette)
        limit = _config(datasette).get("max_value_bytes")

        def compute():
            db = _read_only(database, limit)
            try:
                return render(kind, _API[kind](db, name, **options), "json")
            finally:
                db.close()

        try:
            text = await asyncio.to_thread(compute)
        except metrics.UnknownEntity as exc:
            return Response.json({"ok": False, "status": 404, "error": str(exc), "suggestions": exc.suggestions},
                                 status=404)
        except metrics.MetricsError as exc:
            return Response.json({"ok": False, "status": 400, "error": str(exc)}, status=400)
        return Response(text, content_type="application/json; charset=utf-8",
                        headers={"Access-Control-Allow-Origin": "*"})

    return view


@hookimpl
def register_routes(datasette):
    return [(rf"^/{SECTIONS[kind]}/(?P<name>[^/]+)\.json$", _answer(kind)) for kind in _API]


def _clearing_frames(execute_fn):
    async def execute_fn_clearing(self, fn):
        def run(conn):
            try:
                return fn(conn)
            except BaseException as exc:
                # fn has returned: its frame (holding the cursor) can be cleared now.
                traceback.clear_frames(exc.__traceback__)
                raise

        return await execute_fn(self, run)

    return execute_fn_clearing


def main() -> None:
    import datasette.database
    from datasette.cli import cli
    from datasette.plugins import pm

    datasette.database.Database.execute_fn = _clearing_frames(datasette.database.Database.execute_fn)
    pm.register(sys.modules[__name__], name=PLUGIN)
    cli(prog_name="datasette")


if __name__ == "__main__":
    main()
