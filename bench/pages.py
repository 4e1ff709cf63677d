"""Pages people wait for: every main page of the portal under the production settings, beside ``/bench/table``.

A throw-away database with the registry and the demo users; gunicorn (sync workers) and a Celery worker with its
beat on 127.0.0.1, so that ``/healthz`` sees a live worker as in production; wrk loads each page in turn, as the
anonymous visitor or as a demo user logged in through their own login form. One table: requests per second,
latency percentiles at 16 connections, the ratio to ``/bench/table`` (the layout every page pays for, measured by
the same server in the same run), SQL queries per request, answers outside 2xx. A measurement, not a test.

    python -m bench.pages [--full] [--workers N] [--connections N] [--keep-db]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import report, wrk
from bench.harness.client import Browser, FlowError, wait_ready
from bench.harness.core import BASE_DIR, PYTHON, BenchError, local_env, log, parser, production_env, run_main
from bench.harness.database import Database, prepared
from bench.harness.measure import ratio
from bench.harness.processes import Service, celery_worker, gunicorn, manage, summarize_log

REDIS_URL = "redis://127.0.0.1:6379/14"
BASELINE = "/bench/table"
DEMO_PASSWORD = "Portale.Demo.2026"  # noqa: S105 - accounts.demo.DEMO_PASSWORD: staff and Comune operators
PIN_DEMO_MARIO = "MARRSSDEMPN23456"  # accounts.demo.PIN_DEMO_MARIO: the Ente operator has a PIN, no password
LOGIN_PIN = "/account/login/"  # the people of the PIN (Ente operators)
LOGIN_PASSWORD = "/account/login/personale/"  # noqa: S105 - a URL: INPS staff and the people of the PUE


@dataclass(frozen=True)
class DemoUser:
    codice_fiscale: str
    role: str
    home: str  # a page of theirs that proves the login worked
    login_path: str = LOGIN_PASSWORD
    secret: str = DEMO_PASSWORD


ENTE = DemoUser("RSSMRA78C15D086Z", "Operatore Ente", "/enti/", LOGIN_PIN, PIN_DEMO_MARIO)
SEDE = DemoUser("BNCLRA85L42C352P", "Personale Sede", "/struttura/")
COMUNE = DemoUser("MRNNNA88A58H235M", "Operatore Comune", "/comune/")
PAGES: list[tuple[str, DemoUser | None]] = [
    ("/bench/plain", None),
    (BASELINE, None),
    ("/", None),
    ("/account/login/", None),
    ("/sedi/cerca/?comune=Rende", None),
    ("/healthz", None),
    ("/", ENTE),
    ("/enti/", ENTE),
    ("/struttura/", SEDE),
    ("/comune/", COMUNE),
]


@dataclass
class Row:
    path: str
    user: str
    load: wrk.WrkResult
    queries: int
    sql_status: int  # status of the counted request (local settings)
    probe: str  # the status of the first warm-up request and, outside 2xx, where or why
    table_rps: float  # /bench/table's req/s measured just before this page, for its ratio
    x_table: float | None = None


def probe(command: str, payload: object, env: dict[str, str]) -> Any:
    """A sub-command of ``bench.probe`` in a process of its own; its JSON result."""
    completed = subprocess.run(
        [PYTHON, "-m", "bench.probe", command, json.dumps(payload)],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    for line in completed.stdout.splitlines():
        if line.startswith("PROBE_RESULT "):
            return json.loads(line.removeprefix("PROBE_RESULT "))
    raise BenchError(f"bench.probe {command} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}")


def log_in(server: Service, users: list[DemoUser], env: dict[str, str]) -> tuple[dict[str, str], str]:
    """A Cookie header per user: through their login form or else, if that fails, a session made by Django."""
    cookies = {}
    try:
        for user in users:
            browser = Browser(server.port)
            browser.login(user.login_path, user.codice_fiscale, user.secret)
            cookies[user.codice_fiscale] = f"sessionid={browser.cookies['sessionid']}"
        method = "HTTP login through the login forms (PIN or password)"
    except (FlowError, OSError) as exc:
        log(f"HTTP login failed ({exc}); sessions made with Django's SessionStore instead")
        cookies = probe("make-sessions", [u.codice_fiscale for u in users], env)
        method = "sessions made directly with Django's SessionStore (production settings)"
    for user in users:
        check = Browser(server.port, cookies={"sessionid": cookies[user.codice_fiscale].removeprefix("sessionid=")})
        reply = check.send("home", "GET", user.home)
        if reply.status in {301, 302, 303} and "login" in reply.headers.get("Location", ""):
            raise BenchError(f"{user.role}: {user.home} redirects to the login page: not logged in")
    return cookies, method


def warm_up(server: Service, path: str, cookie: str, workers: int) -> str:
    """A few requests so every worker has served the page; the first answer, described."""
    browser = Browser(
        server.port, timeout=15.0, cookies={"sessionid": cookie.removeprefix("sessionid=")} if cookie else {}
    )
    first = browser.send("probe", "GET", path)
    for _ in range(2 * workers - 1):
        browser.send("probe", "GET", path)
    return str(first.status) if 200 <= first.status < 300 else first.describe()


def load_options(options: argparse.Namespace) -> wrk.WrkOptions:
    """10 s of load per page in full mode, 3 s in quick mode; the same connections either way."""
    return wrk.WrkOptions(duration_s=10 if options.full else 3, connections=options.connections)


def measure(
    server: Service, options: argparse.Namespace, queries: dict[str, tuple[int, int]], env: dict[str, str]
) -> tuple[list[Row], str]:
    wait_ready(server)
    users = list({u.codice_fiscale: u for _, u in PAGES if u}.values())
    cookies, method = log_in(server, users, env)
    load = load_options(options)
    rows = []
    for path, user in PAGES:
        cookie = cookies[user.codice_fiscale] if user else ""
        # The baseline again right before each page: the machine's speed drifts over a run (a shared host), and a
        # ratio to a baseline measured minutes earlier would carry the drift.
        wait_ready(server)
        warm_up(server, BASELINE, "", options.workers)
        tabella = wrk.run(server.port, BASELINE, load, "").rps
        wait_ready(server)
        seen = warm_up(server, path, cookie, options.workers)
        log(f"{path} ({user.role if user else 'anonymous'}): {seen}, wrk for {load.duration_s} s")
        result = wrk.run(server.port, path, load, cookie)
        counted, status = queries[f"{path} {user.codice_fiscale if user else ''}"]
        row = Row(path, user.role if user else "anonymous", result, counted, status, seen, tabella)
        row.x_table = ratio(result.rps, tabella)
        rows.append(row)
    return rows, method


def print_report(rows: list[Row], method: str, log_lines: list[str], options: argparse.Namespace) -> None:
    duration = load_options(options).duration_s
    header = ["page", "user", "req/s", "p50 ms", "p95 ms", "p99 ms", "table req/s", "x table", "SQL", "non-2xx",
              "sock err"]  # fmt: skip
    cells = [
        [r.path, r.user, report.fmt(r.load.rps), report.fmt(r.load.p50_ms), report.fmt(r.load.p95_ms),
         report.fmt(r.load.p99_ms), report.fmt(r.table_rps), report.fmt(r.x_table, 2), str(r.queries),
         str(r.load.non2xx), str(r.load.socket_errors)]
        for r in rows
    ]  # fmt: skip
    print(f"\nPages: production settings, gunicorn {options.workers} sync workers and a Celery worker; wrk")
    print(f"{options.connections} connections, {duration} s per page; x table = req/s over the req/s of {BASELINE},")
    print("measured again just before each page (table req/s)")
    print(report.table(header, cells, left=2))
    print(f"login: {method}")
    for r in rows:
        if not r.probe.isdigit() or r.load.non2xx or r.load.socket_errors or r.sql_status != 200:
            print(f"note: {r.path} ({r.user}): first answer {r.probe}, counted request {r.sql_status}, "
                  f"non-2xx by status {r.load.non2xx_by_status}")  # fmt: skip
    for entry in log_lines:
        print(f"gunicorn log: {entry}")


def scenario(options: argparse.Namespace) -> None:
    database = Database.for_scenario("pages")
    with tempfile.TemporaryDirectory(prefix="inps-bench-pages-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**production_env(database.url, REDIS_URL), "PEC_MAILDIR": str(tmp / "pec")}
        local = local_env(database.url)
        with prepared(database, env, keep=options.keep_db):
            manage(["seed_demo"], local)
            database.analyze()  # the planner's statistics with the demo's rows, as on a production database
            log("counting SQL queries per page (local settings, test Client, force_login)")
            payload = [{"path": p, "user": u.codice_fiscale if u else ""} for p, u in PAGES]
            counted = probe("count-queries", payload, local)
            queries = {f"{c['path']} {c['user']}": (c["queries"], c["status"]) for c in counted}
            with (
                celery_worker(env, tmp / "worker.log", concurrency=1, beat=True),
                gunicorn(env, options.workers, tmp / "gunicorn.log") as server,
            ):
                rows, method = measure(server, options, queries, env)
                server_log = summarize_log(server.log_lines())
    print_report(rows, method, server_log, options)
    config = {"workers": options.workers, "connections": options.connections, "full": options.full, "login": method}
    report.write_results("pages", {"machine": report.machine("gunicorn"), "config": config, "rows": rows})


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2: the reference machine)")
    arguments.add_argument("--connections", type=int, default=16, help="wrk connections kept open (16)")
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    sys.exit(main())
