"""Benchmark of the portal's pages under the production settings (``make bench``).

Builds a throw-away PostgreSQL database with the territorial registry and the demo users, serves the portal with
gunicorn on 127.0.0.1, loads every page with wrk (as the anonymous visitor or as a demo user) and prints one table:
requests per second, latency percentiles, the ratio to the ``/bench/table`` baseline, SQL queries per request and
the responses outside 2xx. The same table goes to ``bench/results/latest.json`` with a description of the machine.

It is a measurement, not a test: nothing is asserted on timings. See bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg2.sql import Composable

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
RESULTS_FILE = BENCH_DIR / "results" / "latest.json"
LUA_SCRIPT = BENCH_DIR / "latency.lua"
PROBE_SCRIPT = BENCH_DIR / "django_probe.py"
BIN_DIR = Path(sys.executable).parent
PYTHON = str(BIN_DIR / "python")
GUNICORN = str(BIN_DIR / "gunicorn")
WRK = "wrk"

HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/inps_portal_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"
DEMO_PASSWORD = "Portale.Demo.2026"  # noqa: S105 - accounts.demo.DEMO_PASSWORD: staff and Comune operators
PIN_DEMO_MARIO = "MARRSSDEMPN23456"  # accounts.demo.PIN_DEMO_MARIO: the Ente operator has a PIN and no password
LOGIN_PIN = "/account/login/"  # the people of the PIN (Ente operators)
LOGIN_PASSWORD = "/account/login/personale/"  # noqa: S105 - a URL: INPS staff and the people of the PUE
BASELINE = "/bench/table"
SHM = "/dev/shm"  # noqa: S108 - a RAM-backed directory, not a predictable temporary file

SETUP_TIMEOUT_S = 900  # one management command (load_registry is the slow one)
READY_TIMEOUT_S = 120  # the server may still be draining requests queued by the previous page
PROBE_TIMEOUT_S = 300

# Variables of the caller's environment passed on to the portal's processes; every other one is set here.
PASSTHROUGH_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "USER")


@dataclass(frozen=True)
class DemoUser:
    """A demo person logged in for a page, the page that proves the login worked, and how they log in."""

    codice_fiscale: str
    role: str
    home: str
    login_path: str = LOGIN_PASSWORD
    secret: str = DEMO_PASSWORD


ENTE = DemoUser("RSSMRA78C15D086Z", "Operatore Ente", "/enti/", LOGIN_PIN, PIN_DEMO_MARIO)
SEDE = DemoUser("BNCLRA85L42C352P", "Personale Sede", "/struttura/")
COMUNE = DemoUser("MRNNNA88A58H235M", "Operatore Comune", "/comune/")


@dataclass(frozen=True)
class Page:
    """One measured URL, anonymous or as a demo user."""

    path: str
    user: DemoUser | None = None

    @property
    def who(self) -> str:
        return self.user.role if self.user else "anonymous"


PAGES = [
    Page("/bench/plain"),
    Page(BASELINE),
    Page("/"),
    Page("/account/login/"),
    Page("/sedi/cerca/?comune=Rende"),
    Page("/healthz"),
    Page("/", ENTE),
    Page("/enti/", ENTE),
    Page("/struttura/", SEDE),
    Page("/comune/", COMUNE),
]


@dataclass
class Result:
    """Everything measured for one page."""

    path: str
    user: str
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    ratio_to_table: float | None = None
    sql_queries: int | None = None
    sql_status: int | None = None  # status of the counted request (local settings)
    non2xx: int | None = None
    socket_errors: int | None = None
    probe_status: int | None = None
    probe_note: str = ""
    wrk: dict[str, Any] = field(default_factory=dict)


class BenchError(RuntimeError):
    """A step of the benchmark could not be carried out."""


# --- Environment ----------------------------------------------------------------------------------------------------


def _base_env() -> dict[str, str]:
    return {k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ}


def production_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The environment of gunicorn: the production settings, plain http on 127.0.0.1, baselines on."""
    return {
        **_base_env(),
        "DJANGO_SETTINGS_MODULE": "inps_portal.settings.production",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "BENCH_ENDPOINTS": "1",
        # Required by production; the pages measured here send no PEC.
        "PEC_SMTP_URL": "smtp://127.0.0.1:1025",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }


def local_env(database_url: str) -> dict[str, str]:
    """The environment of seed_demo and of the query count: local settings, DEBUG on, same database."""
    return {
        **_base_env(),
        "DJANGO_SETTINGS_MODULE": "inps_portal.settings.local",
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "BENCH_ENDPOINTS": "1",
        "LOG_LEVEL": "WARNING",
    }


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --- Database -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """The bench database, and how to reach the server's maintenance database to create and drop it."""

    url: str
    name: str
    server_dsn: dict[str, Any]

    @classmethod
    def from_url(cls, url: str) -> Database:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise BenchError(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {parts.scheme!r}.")
        name = urllib.parse.unquote(parts.path.lstrip("/"))
        if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise BenchError(f"The bench database is dropped and re-created: refusing non-local host {parts.hostname}.")
        if "bench" not in name:
            raise BenchError(f"The bench database is dropped and re-created: refusing name {name!r} (no 'bench').")
        dsn = {
            "host": parts.hostname,
            "port": parts.port or 5432,
            "user": urllib.parse.unquote(parts.username or "postgres"),
            "password": urllib.parse.unquote(parts.password) if parts.password else None,
            "dbname": "postgres",
        }
        return cls(url=url, name=name, server_dsn={k: v for k, v in dsn.items() if v is not None})

    def _execute(self, statement: Composable) -> None:
        import psycopg2

        connection = psycopg2.connect(**self.server_dsn, connect_timeout=10)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def recreate(self) -> None:
        from psycopg2 import sql

        self.drop()
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        from psycopg2 import sql

        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def server_version(self) -> str:
        import psycopg2

        connection = psycopg2.connect(**self.server_dsn, connect_timeout=10)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT version()")
                return str(cursor.fetchone()[0])
        finally:
            connection.close()


def local_redis(url: str) -> Any:
    """A client of the bench's Redis database; a non-local server is refused (a run flushes it)."""
    import redis

    if urllib.parse.urlsplit(url).hostname != HOST:
        raise BenchError(f"refusing a non-local Redis: {url}")
    return redis.Redis.from_url(url)


def release(database: Database, keep_db: bool, redis_url: str) -> None:
    """The end of a run: Django's connections in this process closed, the Redis database flushed, the bench
    database dropped unless it is to be kept."""
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()
    with suppress(Exception):
        local_redis(redis_url).flushdb()
    if keep_db:
        log(f"database {database.name} kept (--keep-db)")
    else:
        database.drop()
        log(f"database {database.name} dropped")


def manage(args: list[str], env: dict[str, str]) -> None:
    """Run one management command, failing loudly with its output."""
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=SETUP_TIMEOUT_S
    )
    if completed.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}")
    last = completed.stdout.strip().splitlines()[-1:] or [""]
    log(f"manage.py {' '.join(args)}: {last[0][:150]}")


def run_probe(command: str, payload: object, env: dict[str, str]) -> Any:
    """Run a sub-command of bench/django_probe.py and return its JSON result."""
    completed = subprocess.run(
        [PYTHON, str(PROBE_SCRIPT), command, json.dumps(payload)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_S,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("PROBE_RESULT "):
            return json.loads(line.removeprefix("PROBE_RESULT "))
    raise BenchError(f"django_probe.py {command} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}")


# --- Gunicorn -------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running gunicorn: where it listens and where it logs."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_lines(self) -> list[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if line.strip()]


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log_path: Path) -> Iterator[Server]:
    """Serve the portal on a free port of 127.0.0.1 for the duration of the block; always stopped afterwards."""
    port = free_port()
    command = [
        GUNICORN,
        "inps_portal.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "--error-logfile",
        "-",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
    ]
    if Path(SHM).is_dir():  # gunicorn's advice for the workers' heartbeat files
        command += ["--worker-tmp-dir", SHM]
    with log_path.open("w") as log_file:
        # A session of its own: a Ctrl-C in the terminal reaches this script only, which then stops the whole group.
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        log(f"gunicorn pid {process.pid} on http://{HOST}:{port} with {workers} workers")
        try:
            yield Server(process, port, log_path)
        finally:
            _stop(process)
            log("gunicorn stopped")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to gunicorn's process group, then SIGKILL if it has not exited within a few seconds."""
    for sig, wait_s in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
    with suppress(ProcessLookupError):  # workers orphaned by a killed master are still in the group
        os.killpg(process.pid, signal.SIGKILL)


# --- HTTP -----------------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> dict[str, str]:
        """Cookies set by the response, read from the headers whatever their Secure flag."""
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name.strip()] = rest.split(";", 1)[0].strip()
        return found


def request(
    port: int,
    method: str,
    path: str,
    *,
    cookie: str = "",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> Reply:
    """One HTTP/1.1 request to the server under test."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        all_headers = {"User-Agent": "inps-portal-bench", **(headers or {})}
        if cookie:
            all_headers["Cookie"] = cookie
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return Reply(response.status, response.msg, response.read())
    finally:
        connection.close()


def wait_ready(server: Server, deadline_s: float = READY_TIMEOUT_S) -> None:
    """Wait until /bench/plain answers quickly three times in a row (requests queued earlier have drained)."""
    deadline = time.monotonic() + deadline_s
    fast = 0
    while fast < 3:
        if time.monotonic() > deadline:
            raise BenchError(f"the server was not ready within {deadline_s:.0f} s")
        if not server.alive():
            raise BenchError(f"gunicorn exited with status {server.process.returncode}")
        started = time.monotonic()
        try:
            ok = request(server.port, "GET", "/bench/plain", timeout=5.0).status == 200
        except OSError:
            ok = False
        fast = fast + 1 if ok and time.monotonic() - started < 0.25 else 0
        if fast < 3:
            time.sleep(0.05 if ok else 0.2)


_CSRF_INPUT = re.compile(r"""<input[^>]*name=["']csrfmiddlewaretoken["'][^>]*>""")
_VALUE = re.compile(r"""value=["']([^"']+)["']""")


def login_http(port: int, user: DemoUser) -> str:
    """Log in through the user's login form over plain http; return the Cookie header of the logged-in session.

    The Ente operator posts his PIN to ``/account/login/``; staff and the Comune operator their password to
    ``/account/login/personale/`` (the two ways in are never crossed). The production settings mark the cookies
    Secure, so a normal client would not send them back over http: they are read from Set-Cookie and sent back by hand.
    """
    form = request(port, "GET", user.login_path)
    csrf_cookie = form.cookies().get("csrftoken")
    field_match = _CSRF_INPUT.search(form.body.decode("utf-8", "replace"))
    value_match = _VALUE.search(field_match.group(0)) if field_match else None
    if form.status != 200 or not csrf_cookie or not value_match:
        raise BenchError(f"login form: status {form.status}, csrftoken cookie {bool(csrf_cookie)}")
    body = urllib.parse.urlencode(
        {"login": user.codice_fiscale, "password": user.secret, "csrfmiddlewaretoken": value_match.group(1)}
    ).encode()
    posted = request(
        port,
        "POST",
        user.login_path,
        cookie=f"csrftoken={csrf_cookie}",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    session = posted.cookies().get("sessionid")
    if posted.status not in {301, 302, 303} or not session:
        raise BenchError(f"login POST: status {posted.status}, sessionid cookie {bool(session)}")
    cookie = f"sessionid={session}"
    _check_session(port, user, cookie)
    return cookie


def _check_session(port: int, user: DemoUser, cookie: str) -> None:
    """The session is logged in if the user's own page does not send it to the login page.

    Any other answer (an error of the page included) is what the benchmark then measures and reports.
    """
    check = request(port, "GET", user.home, cookie=cookie)
    location = check.headers.get("Location", "")
    if check.status in {301, 302, 303, 307} and "login" in location:
        raise BenchError(f"{user.home} with the new session redirects to {location}: not logged in")


def login_all(port: int, users: list[DemoUser], env: dict[str, str]) -> tuple[dict[str, str], str]:
    """Cookie header per demo user, by HTTP login or else by sessions created with Django; and the method used."""
    try:
        cookies = {u.codice_fiscale: login_http(port, u) for u in users}
        return cookies, "HTTP login through the login forms (PIN or password)"
    except (BenchError, OSError) as exc:
        log(f"HTTP login failed ({exc}); creating the sessions with Django's SessionStore instead")
    sessions = run_probe("make-sessions", [u.codice_fiscale for u in users], env)
    cookies = {cf: entry["cookie"] for cf, entry in sessions.items()}
    for user in users:
        _check_session(port, user, cookies[user.codice_fiscale])
    return cookies, "sessions created directly with Django's SessionStore (production settings)"


# --- wrk ------------------------------------------------------------------------------------------------------------


def run_wrk(port: int, page: Page, cookie: str, options: argparse.Namespace) -> dict[str, Any]:
    """Load one page with wrk and return the line printed by latency.lua's done()."""
    command = [
        WRK,
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{options.duration}s",
        f"--timeout={options.timeout}s",
        "--latency",
        "-s",
        str(LUA_SCRIPT),
        f"http://{HOST}:{port}{page.path}",
    ]
    if cookie:
        command += ["--", cookie]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=options.duration + options.timeout + 30)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            return dict(json.loads(line.removeprefix("BENCH_RESULT ")))
    raise BenchError(f"wrk on {page.path} gave no result (exit {completed.returncode}):\n{completed.stderr[-2000:]}")


def probe(port: int, page: Page, cookie: str, workers: int) -> tuple[int, str]:
    """Warm every worker on the page and describe its answer: status and, when not 2xx, where or why."""
    reply = request(port, "GET", page.path, cookie=cookie, timeout=15.0)
    for _ in range(2 * workers - 1):
        request(port, "GET", page.path, cookie=cookie, timeout=15.0)
    if 200 <= reply.status < 300:
        return reply.status, ""
    if reply.headers.get("Location"):
        return reply.status, f"redirect to {reply.headers['Location']}"
    text = reply.body.decode("utf-8", "replace")
    if "json" in reply.headers.get("Content-Type", ""):
        return reply.status, " ".join(text.split())[:300]
    title = re.search(r"<title>(.*?)</title>", text, re.DOTALL | re.IGNORECASE)
    return reply.status, f'page "{" ".join(title.group(1).split())}"' if title else f"{len(text)} bytes"


# --- Report ---------------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "cpu_model": model.group(1).strip() if model else platform.processor(),
        "memory_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": _version("Django"),
        "gunicorn": _version("gunicorn"),
        "wrk": _first_line([WRK, "-v"]),
        "git_commit": _first_line(["git", "-C", str(BASE_DIR), "rev-parse", "--short", "HEAD"]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _first_line(command: list[str]) -> str | None:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0] if lines else None


def _fmt(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def table(results: list[Result]) -> str:
    """The results as a fixed-width text table."""
    header = ["page", "user", "req/s", "p50 ms", "p95 ms", "p99 ms", "x table", "SQL", "non-2xx", "sock err"]
    rows = [
        [
            r.path,
            r.user,
            _fmt(r.rps),
            _fmt(r.p50_ms),
            _fmt(r.p95_ms),
            _fmt(r.p99_ms),
            _fmt(r.ratio_to_table, 2),
            _fmt(r.sql_queries),
            _fmt(r.non2xx),
            _fmt(r.socket_errors),
        ]
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    left = {0, 1}

    def line(cells: list[str]) -> str:
        padded = (c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded)

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in rows)])


# --- Main -----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--timeout", type=int, default=10, help="wrk per-request timeout in seconds (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--quick", action="store_true", help="3 seconds per page")
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database in place at the end")
    options = parser.parse_args(argv)
    if options.quick:
        options.duration = 3
    if options.connections < options.threads:
        parser.error("--connections must be at least --threads")
    return options


def run(options: argparse.Namespace) -> int:
    """Prepare the database, measure every page, print and save the table."""
    database = Database.from_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL)
    prod = production_env(database.url, secrets.token_urlsafe(48))  # a 64-character secret key
    local = local_env(database.url)
    started = time.monotonic()
    description = machine()
    description["postgresql"] = database.server_version()

    log(f"database {database.name}: drop, create, migrate, load_registry, seed_demo")
    database.recreate()
    try:
        manage(["migrate", "--noinput"], prod)
        manage(["load_registry"], prod)
        manage(["seed_demo"], local)
        manage(["collectstatic", "--noinput"], prod)
        log("counting SQL queries per page (local settings, test Client, force_login)")
        counted = run_probe(
            "count-queries", [{"path": p.path, "user": p.user.codice_fiscale if p.user else None} for p in PAGES], local
        )
        queries = {(c["path"], c["user"]): (c["queries"], c["status"]) for c in counted}
        with tempfile.TemporaryDirectory(prefix="inps-bench-") as tmp:
            with gunicorn(prod, options.workers, Path(tmp) / "gunicorn.log") as server:
                try:
                    results, login_method = measure(server, options, queries, prod)
                except BaseException:
                    for entry in summarize_log(server.log_lines()):
                        print(f"gunicorn log: {entry}", file=sys.stderr)
                    raise
            server_log = server.log_lines()
    finally:
        if options.keep_db:
            log(f"database {database.name} kept (--keep-db)")
        else:
            database.drop()
            log(f"database {database.name} dropped")

    print()
    print(table(results))
    print()
    print(f"login: {login_method}")
    for r in results:
        if r.probe_note or r.non2xx or r.socket_errors:
            print(f"note: {r.path} ({r.user}): probe status {r.probe_status} {r.probe_note}".rstrip())
    for entry in summarize_log(server_log):
        print(f"gunicorn log: {entry}")

    report = {
        "machine": description,
        "config": {
            "settings": "inps_portal.settings.production",
            "gunicorn_workers": options.workers,
            "wrk": {
                "threads": options.threads,
                "connections": options.connections,
                "duration_s": options.duration,
                "timeout_s": options.timeout,
            },
            "baseline": BASELINE,
            "login_method": login_method,
            "wall_time_s": round(time.monotonic() - started, 1),
        },
        "results": [asdict(r) for r in results],
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written {RESULTS_FILE.relative_to(BASE_DIR)}")
    return 0


def measure(
    server: Server,
    options: argparse.Namespace,
    queries: dict[tuple[str, str | None], tuple[int, int]],
    env: dict[str, str],
) -> tuple[list[Result], str]:
    """Log the demo users in, then load every page in turn; return the results and the login method used."""
    wait_ready(server)
    users = list({p.user.codice_fiscale: p.user for p in PAGES if p.user}.values())
    cookies, login_method = login_all(server.port, users, env)
    log(f"logged in: {login_method}")
    results = []
    for page in PAGES:
        cf = page.user.codice_fiscale if page.user else None
        cookie = cookies[cf] if cf else ""
        wait_ready(server)
        status, note = probe(server.port, page, cookie, options.workers)
        log(f"{page.path} ({page.who}): probe status {status}, wrk for {options.duration} s")
        stats = run_wrk(server.port, page, cookie, options)
        results.append(
            Result(
                path=page.path,
                user=page.who,
                rps=stats["rps"],
                p50_ms=stats["p50_ms"],
                p95_ms=stats["p95_ms"],
                p99_ms=stats["p99_ms"],
                sql_queries=queries[(page.path, cf)][0],
                sql_status=queries[(page.path, cf)][1],
                non2xx=int(stats["non2xx"]),
                socket_errors=sum(int(stats[k]) for k in ("connect_errors", "read_errors", "write_errors", "timeouts")),
                probe_status=status,
                probe_note=note,
                wrk=stats,
            )
        )
    baseline = next((r.rps for r in results if r.path == BASELINE and r.user == "anonymous"), None)
    for r in results:
        r.ratio_to_table = r.rps / baseline if baseline and r.rps is not None else None
    return results, login_method


def summarize_log(lines: list[str]) -> list[str]:
    """gunicorn's log (JSON lines from the portal, text from gunicorn) as distinct entries with their counts."""
    counts: dict[str, int] = {}
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            entry = line[:200]
        else:
            if not isinstance(record, dict):
                continue
            exception = str(record.get("exception", "")).strip().splitlines()
            message = re.sub(r"\s+", " ", str(record.get("message", "")))[:120]
            entry = f"{record.get('level', '?')} {record.get('logger', '?')}: {message}"
            if exception:
                entry += f" [{exception[-1][:200]}]"
        counts[entry] = counts.get(entry, 0) + 1
    return [f"{n} x {entry}" for entry, n in sorted(counts.items(), key=lambda item: -item[1])]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_main(run: Callable[[argparse.Namespace], int], parse_args: Callable[[], argparse.Namespace]) -> int:
    """The entry point of every benchmark: SIGTERM takes the same way out as Ctrl-C, so whatever the benchmark
    started is stopped and its database dropped."""
    options = parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return run(options)
    except BenchError as exc:
        print(f"[bench] error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("[bench] interrupted", file=sys.stderr)
        return 130


def main() -> int:
    return run_main(run, parse_args)


if __name__ == "__main__":
    sys.exit(main())
