"""Benchmark of the credentials: the first access with the unification, and the CSV import (``bench/credenziali.py``).

Two measurements, on a throw-away PostgreSQL database with the territorial registry and one Ente:

1. **Login with unification beside a plain login.** N persons with ex-Inpdap credentials (legacy ``sha256`` hashes
   of a known password) and N other persons with a PIN only, all imported through the real CSV import
   (``manage.py import_credenziali``). The portal runs under gunicorn with the production settings; concurrent
   clients (threads with ``http.client``) walk the persons. A first access is GET login page, POST login with the
   ex-Inpdap password, POST ``/credenziali/unificazione/`` (the new PIN is issued and shown); the baseline is the
   same login of a PIN-only person followed by GET ``/``. Then every unified person logs in with the new PIN, a few
   extra persons submit the unification twice at the same instant, and the database is checked: one PIN per person.
2. **The CSV import of ex-Inpdap credentials** (10,000, 50,000 and 100,000 rows, plus an abilitazioni file), each
   size on empty tables, each file in a fresh ``manage.py import_credenziali`` process: wall time, rows per second
   and the peak RSS of the process (from ``wait4``), side by side so that memory that grows with the file shows;
   then the 100,000-row files again (the import is idempotent).

Results go to ``bench/results/credenziali.json``. It is a measurement, not a test: nothing is asserted on timings.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import http.client
import itertools
import json
import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from outbox import CpuMeter, setup_django, text_table
from run import (
    _CSRF_INPUT,
    _VALUE,
    BASE_DIR,
    HOST,
    PYTHON,
    BenchError,
    Database,
    Reply,
    Server,
    _fmt,
    _stop,
    _version,
    free_port,
    gunicorn,
    local_redis,
    log,
    machine,
    manage,
    production_env,
    release,
    run_main,
    summarize_log,
    wait_ready,
)

RESULTS_FILE = BASE_DIR / "bench" / "results" / "credenziali.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/inps_portal_bench_cred"
REDIS_URL = "redis://127.0.0.1:6379/12"  # cache (rate limits) and Celery broker; no worker consumes it

PASSWORD_EX_INPDAP = "Inpdap.Bench.2026"  # noqa: S105 - the known password of every generated ex-Inpdap credential
PIN_PREESISTENTE = "PINBENCH23456789"  # the PIN of every generated PIN-only person
ABILITAZIONI_EX_INPDAP = ("Domanda Valore PA", "Visualizzazione versamenti Ente")
ABILITAZIONE_PIN = "Soggiorni senior"
ENTE_COMUNE_ISTAT = "078045"  # Rende, as in tests.factories.EnteFactory
# Common birthplaces: the cost of validating a codice fiscale depends on its birthplace (see validation_cost).
BIRTHPLACES = ("H501", "F205", "F839", "L219", "G273", "D086", "H235", "A662")

LOGIN = "/account/login/"
UNIFICAZIONE = "/credenziali/unificazione/"
HOME = "/"
REDIRECT = frozenset({301, 302, 303})

REQUEST_TIMEOUT_S = 60.0
PHASE_TIMEOUT_S = 3600.0
IMPORT_TIMEOUT_S = 3600.0
SAMPLE_EVERY_S = 0.5  # RSS and row count of a running import

_NUOVO_PIN = re.compile(r'data-testid="nuovo-pin">\s*([A-Z0-9]{16})\s*<')
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)
_ESITO = re.compile(
    r"^(?P<file>\S+): (?P<lette>\d+) righe lette, (?P<importate>\d+) importate, (?P<scartate>\d+) scartate"
)


# --- Environment ----------------------------------------------------------------------------------------------------


def portal_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The production environment of bench/run.py, with this run's Redis database and a PEC server nobody reads.

    The unification queues its PEC in the outbox and enqueues ``pec.invia`` on commit; no Celery worker runs, so
    the task waits in Redis: the web request does all the work it does in production. ``PEC_SMTP_URL`` (required by
    the production settings) points to a local port where nothing listens.
    """
    return {
        **production_env(database_url, secret_key),
        "REDIS_URL": REDIS_URL,
        "PEC_SMTP_URL": f"smtp://{HOST}:{free_port()}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "UNIFICAZIONE_DAL": "2016-05-09",
        "PORTAL_CLOCK_NOW": "",
    }


# --- Codici fiscali and CSV files -----------------------------------------------------------------------------------


def codice_fiscale(n: int) -> str:
    """A valid codice fiscale, distinct for every ``n`` below 26**6.

    ``tests.factories.codice_fiscale_valido`` repeats every 18,000 values (see ``factory_codes_check``): here the six
    letters of surname and name spell ``n`` in base 26, the birth date and sex vary with ``n``, the birthplace is one
    of a few large Comuni, and the check character is computed by the ``codicefiscale`` package.
    """
    from codicefiscale import codicefiscale as cf

    letters, rest = "", n
    for _ in range(6):
        rest, digit = divmod(rest, 26)
        letters = chr(ord("A") + digit) + letters
    nascita = dt.date(1950, 1, 1) + dt.timedelta(days=n * 7919 % 18262)
    giorno = nascita.day + (40 if n % 2 else 0)
    luogo = BIRTHPLACES[n // 2 % len(BIRTHPLACES)]
    base = f"{letters}{nascita.year % 100:02d}{'ABCDEHLMPRST'[nascita.month - 1]}{giorno:02d}{luogo}"
    return base + str(cf.encode_cin(base))


def _sha256(password: str, sale: str) -> str:
    return hashlib.sha256((sale + password).encode()).hexdigest()


@contextmanager
def csv_writer(path: Path, header: list[str]) -> Iterator[Any]:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        yield writer


def write_ex_inpdap(path: Path, indices: Iterable[int]) -> int:
    """ex-Inpdap credentials of the persons ``indices``: sha256 of a per-row salt + the known password."""
    from accounts.importazione import COLONNE_EX_INPDAP

    rows = 0
    with csv_writer(path, COLONNE_EX_INPDAP) as writer:
        for n in indices:
            sale = f"s{n:x}"
            passweb = "2015-03-01" if n % 3 == 0 else ""  # a third of them get a PIN dispositivo
            writer.writerow(
                [codice_fiscale(n), f"Cognome{n}", f"Nome{n}", f"persona{n}@example.it", "sha256",
                 _sha256(PASSWORD_EX_INPDAP, sale), sale, passweb]
            )  # fmt: skip
            rows += 1
    return rows


def write_pin(path: Path, indices: Iterable[int]) -> int:
    from accounts.importazione import COLONNE_PIN

    rows = 0
    with csv_writer(path, COLONNE_PIN) as writer:
        for n in indices:
            tipo = "dispositivo" if n % 2 else "online"
            writer.writerow(
                [codice_fiscale(n), f"Cognome{n}", f"Nome{n}", f"persona{n}@example.it", "sha256",
                 _sha256(PIN_PREESISTENTE, ""), "", tipo]
            )  # fmt: skip
            rows += 1
    return rows


def write_abilitazioni(path: Path, rows: Iterable[tuple[int, str, str]], ente: str) -> int:
    """One row per (person, credential, abilitazione) on the bench Ente."""
    from accounts.importazione import COLONNE_ABILITAZIONI

    count = 0
    with csv_writer(path, COLONNE_ABILITAZIONI) as writer:
        for n, credenziale, nome in rows:
            writer.writerow([codice_fiscale(n), credenziale, ente, nome])
            count += 1
    return count


def parse_esiti(output: str) -> dict[str, dict[str, int]]:
    """The summary lines of import_credenziali, by file name."""
    found = {}
    for line in output.splitlines():
        if match := _ESITO.match(line.strip()):
            found[match["file"]] = {k: int(match[k]) for k in ("lette", "importate", "scartate")}
    return found


def import_command(files: dict[str, Path], report: Path) -> list[str]:
    command = ["import_credenziali", "--rapporto", str(report)]
    for option, path in files.items():
        command += [f"--{option}", str(path)]
    return command


# --- Django in the benchmark process --------------------------------------------------------------------------------


def create_ente() -> str:
    """The one Ente the abilitazioni are for; returns its codice fiscale."""
    from accounts.models import Comune, Ente
    from tests.factories import codice_fiscale_ente

    ente = Ente.objects.create(
        nome="Ente del benchmark",
        codice_fiscale=codice_fiscale_ente(1),
        pec="ente.benchmark@pec.example.it",
        comune=Comune.objects.get(codice_istat=ENTE_COMUNE_ISTAT),
    )
    return ente.codice_fiscale


def factory_codes_check(count: int) -> dict[str, Any]:
    """Whether ``tests.factories.codice_fiscale_valido`` gives ``count`` distinct codes.

    Its code depends on ``n % 4`` (the name) and ``n * 37 % 18000`` (the birth date); 37 is prime to 18,000 and 4
    divides 18,000, so both repeat with period 18,000: the pairs are counted, and one repetition is shown.
    """
    from tests.factories import codice_fiscale_valido

    distinct = len({(n % 4, n * 37 % 18000) for n in range(count)})
    first, again = codice_fiscale_valido(1), codice_fiscale_valido(1 + 18000)
    return {"asked": count, "distinct": distinct, "example": {"1": first, "18001": again}, "repeats": first == again}


def validation_cost(sample: int) -> dict[str, Any]:
    """What the import spends per row before any SQL: the codice fiscale check and the hash check, in this process."""
    from codicefiscale import codicefiscale as cf
    from django.core.exceptions import ValidationError

    from accounts.hashers import codifica_hash_legacy
    from accounts.validators import validate_codice_fiscale

    codes = [codice_fiscale(n) for n in range(sample)]
    invalid = 0
    started = time.perf_counter()
    for code in codes:
        try:
            validate_codice_fiscale(code)
        except ValidationError:
            invalid += 1
    validate_us = (time.perf_counter() - started) / sample * 1e6
    started = time.perf_counter()
    for code in codes:
        cf.decode(code)
    decode_us = (time.perf_counter() - started) / sample * 1e6
    digest = _sha256(PASSWORD_EX_INPDAP, "s1")
    started = time.perf_counter()
    for _ in codes:
        codifica_hash_legacy("sha256", digest, "s1")
    hash_us = (time.perf_counter() - started) / sample * 1e6
    by_place = {}
    for place in BIRTHPLACES:
        same = [c for n, c in enumerate(codes) if BIRTHPLACES[n // 2 % len(BIRTHPLACES)] == place][:100]
        started = time.perf_counter()
        for code in same:
            cf.decode(code)
        by_place[place] = round((time.perf_counter() - started) / len(same) * 1e6)
    return {
        "sample": sample,
        "invalid": invalid,
        "validate_codice_fiscale_us": round(validate_us, 1),
        "codicefiscale_decode_us": round(decode_us, 1),
        "codifica_hash_legacy_us": round(hash_us, 1),
        "decode_us_by_birthplace": by_place,
        "ceiling_rows_per_s": round(1e6 / (validate_us + hash_us)),
    }


def table_names() -> dict[str, str]:
    from accounts.models import PIN, AbilitazioneDetenuta, CredenzialeExInpdap, EventoCredenziale, User
    from inps_portal.pec.models import MessaggioPEC

    models = {
        "user": User,
        "credenziale": CredenzialeExInpdap,
        "pin": PIN,
        "abilitazione": AbilitazioneDetenuta,
        "evento": EventoCredenziale,
        "pec": MessaggioPEC,
    }
    return {name: model._meta.db_table for name, model in models.items()}


def empty_credentials() -> None:
    """Empty the people, their credentials and the outbox (and what refers to them); the registry and Ente stay."""
    from django.db import connection

    from accounts.models import Ente

    tables = table_names()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables.values())} RESTART IDENTITY CASCADE")
    if Ente.objects.count() != 1:
        raise BenchError("emptying the credential tables removed the Ente")


def counts() -> dict[str, int]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for name, table in table_names().items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names from the models
            found[name] = int(cursor.fetchone()[0])
    return found


# --- HTTP clients ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    index: int
    codice_fiscale: str
    secret: str  # the ex-Inpdap password or the PIN
    source: str  # the local address the person's requests come from


def source_address(index: int, one_address: bool) -> str:
    """A loopback address of its own for each person (127.0.0.0/8 is all local), unless ``--one-address``.

    allauth limits POSTs to the login page to 60 a minute per client address (ACCOUNT_RATE_LIMITS["login"]): from a
    single address the benchmark would measure the rate limiter.
    """
    if one_address:
        return HOST
    return f"127.{1 + index // 62500}.{index // 250 % 250}.{index % 250 + 1}"


class FlowError(Exception):
    """A response other than the expected one: the flow of that person stops there."""

    def __init__(self, step: str, reply: Reply, expected: str) -> None:
        super().__init__(f"{step}: {describe(reply)} (expected {expected})")
        self.step = step
        self.status = reply.status


def describe(reply: Reply) -> str:
    location = reply.headers.get("Location")
    if location:
        return f"{reply.status} to {location}"
    title = _TITLE.search(reply.body.decode("utf-8", "replace"))
    return f'{reply.status} "{" ".join(title.group(1).split())[:80]}"' if title else f"{reply.status}"


class Browser:
    """One person's client: a cookie jar and the local address it connects from; one connection per request.

    gunicorn's sync workers close the connection after each response anyway. The cookies are read from Set-Cookie
    and sent back by hand: production marks them Secure, and this is plain http on 127.0.0.1.
    """

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        self.statuses: dict[str, int] = {}
        self.requests = 0

    def send(self, step: str, method: str, path: str, fields: dict[str, str] | None = None) -> Reply:
        headers = {"User-Agent": "inps-portal-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            body = urllib.parse.urlencode(fields or {}).encode()
        connection = http.client.HTTPConnection(
            HOST, self.port, timeout=REQUEST_TIMEOUT_S, source_address=(self.source, 0)
        )
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.msg, response.read())
        finally:
            connection.close()
        self.timings[step] = time.perf_counter() - started
        self.statuses[step] = reply.status
        self.requests += 1
        self.cookies.update({k: v for k, v in reply.cookies().items() if v and v != '""'})
        return reply

    def login(self, codice_fiscale: str, secret: str) -> Reply:
        """GET the login page, POST the form; the session cookie must come back with a redirect."""
        form = self.send("get_login", "GET", LOGIN)
        field_match = _CSRF_INPUT.search(form.body.decode("utf-8", "replace"))
        token = _VALUE.search(field_match.group(0)) if field_match else None
        if form.status != 200 or token is None or "csrftoken" not in self.cookies:
            raise FlowError("get_login", form, "200 with a CSRF token")
        self.cookies.pop("sessionid", None)
        fields = {"login": codice_fiscale, "password": secret, "csrfmiddlewaretoken": token.group(1)}
        posted = self.send("post_login", "POST", LOGIN, fields)
        if posted.status not in REDIRECT or "sessionid" not in self.cookies:
            raise FlowError("post_login", posted, "a redirect with a session")
        return posted


@dataclass
class Flow:
    """What happened to one person in a phase."""

    person: int
    ok: bool
    total_s: float
    requests: int
    timings: dict[str, float]
    statuses: dict[str, int]
    error: str = ""
    pin: str = ""


def run_flow(port: int, person: Person, steps: Callable[[Browser, Person], str]) -> Flow:
    browser = Browser(port, person.source)
    started = time.perf_counter()
    try:
        pin = steps(browser, person)
    except FlowError as exc:
        return Flow(person.index, False, time.perf_counter() - started, browser.requests, browser.timings,
                    browser.statuses, error=str(exc))  # fmt: skip
    except (OSError, http.client.HTTPException) as exc:
        return Flow(person.index, False, time.perf_counter() - started, browser.requests, browser.timings,
                    browser.statuses, error=f"{type(exc).__name__}: {exc}")  # fmt: skip
    return Flow(person.index, True, time.perf_counter() - started, browser.requests, browser.timings,
                browser.statuses, pin=pin)  # fmt: skip


def plain_login(browser: Browser, person: Person) -> str:
    """The baseline: login with a PIN, then the home page, which must answer 200 (no detour to the unification)."""
    browser.login(person.codice_fiscale, person.secret)
    home = browser.send("get_home", "GET", HOME)
    if home.status != 200:
        raise FlowError("get_home", home, "200")
    return ""


def first_access(browser: Browser, person: Person) -> str:
    """Login with the ex-Inpdap password, then the unification: the new PIN must be on the page."""
    browser.login(person.codice_fiscale, person.secret)
    issued = browser.send("post_unificazione", "POST", UNIFICAZIONE)
    match = _NUOVO_PIN.search(issued.body.decode("utf-8", "replace"))
    if issued.status != 200 or match is None:
        raise FlowError("post_unificazione", issued, "200 with the new PIN")
    return match.group(1)


# --- Phases ---------------------------------------------------------------------------------------------------------


def percentiles_ms(values: list[float]) -> dict[str, float | None]:
    """Nearest-rank percentiles of durations in seconds, in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "p99": None, "max": None, "mean": None}

    def at(q: float) -> float:
        rank = min(len(ordered), max(1, math.ceil(q * len(ordered))))
        return round(ordered[rank - 1] * 1000, 1)

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1] * 1000, 1),
        "mean": round(sum(ordered) / len(ordered) * 1000, 1),
    }


@dataclass
class Phase:
    name: str
    persons: int
    concurrency: int
    wall_s: float
    flows_per_s: float
    requests: int
    requests_per_s: float
    ok: int
    errors: int
    flow_ms: dict[str, float | None]
    step_ms: dict[str, dict[str, float | None]]
    statuses: dict[str, dict[str, int]]
    error_examples: list[str]
    cpu_ms_per_flow: dict[str, float] = field(default_factory=dict)


def run_phase(
    name: str,
    persons: list[Person],
    steps: Callable[[Browser, Person], str],
    server: Server,
    concurrency: int,
    meter: CpuMeter,
) -> tuple[Phase, list[Flow]]:
    """Every person's flow, ``concurrency`` at a time; the clock runs from the first request to the last answer."""
    wait_ready(server)
    before = meter.snapshot()
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="client")
    try:
        started = time.perf_counter()
        futures: list[Future[Flow]] = [pool.submit(run_flow, server.port, p, steps) for p in persons]
        _, pending = wait(futures, timeout=PHASE_TIMEOUT_S, return_when=FIRST_EXCEPTION)
        wall = time.perf_counter() - started
        if pending:
            raise BenchError(f"{name}: {len(pending)} flows not finished after {PHASE_TIMEOUT_S:.0f} s")
        flows = [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    cpu = meter.used(before, meter.snapshot())
    ok = [f for f in flows if f.ok]
    step_names = list(dict.fromkeys(s for f in flows for s in f.timings))
    requests = sum(f.requests for f in flows)
    phase = Phase(
        name=name,
        persons=len(persons),
        concurrency=concurrency,
        wall_s=round(wall, 3),
        flows_per_s=round(len(flows) / wall, 2),
        requests=requests,
        requests_per_s=round(requests / wall, 2),
        ok=len(ok),
        errors=len(flows) - len(ok),
        flow_ms=percentiles_ms([f.total_s for f in ok]),
        step_ms={s: percentiles_ms([f.timings[s] for f in ok if s in f.timings]) for s in step_names},
        statuses={s: dict(Counter(str(f.statuses[s]) for f in flows if s in f.statuses)) for s in step_names},
        error_examples=list(dict.fromkeys(f.error for f in flows if f.error))[:5],
        cpu_ms_per_flow={k: round(v * 1000 / len(flows), 1) for k, v in cpu.items()} if flows else {},
    )
    log(
        f"{name}: {len(persons)} persons in {wall:.1f} s, {phase.flows_per_s} flows/s, "
        f"p50 {_fmt(phase.flow_ms['p50'])} ms, errors {phase.errors}"
    )
    return phase, flows


def post_twice(port: int, browser: Browser) -> list[Reply | BaseException]:
    """The unification POST of a logged-in browser, sent from two threads released together."""
    barrier = threading.Barrier(2, timeout=30)
    replies: list[Reply | BaseException] = [OSError("not sent"), OSError("not sent")]

    def post(slot: int) -> None:
        twin = Browser(port, browser.source)
        twin.cookies = dict(browser.cookies)
        try:
            barrier.wait()
            replies[slot] = twin.send("post_unificazione", "POST", UNIFICAZIONE)
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as exc:
            replies[slot] = exc

    threads = [threading.Thread(target=post, args=(slot,), daemon=True) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * REQUEST_TIMEOUT_S)
    return replies


def double_submit(server: Server, persons: list[Person]) -> dict[str, Any]:
    """Each person logs in, then posts the unification twice at the same instant (a double click, two tabs)."""
    wait_ready(server)
    outcomes: Counter[str] = Counter()
    examples: list[str] = []
    for person in persons:
        browser = Browser(server.port, person.source)
        try:
            browser.login(person.codice_fiscale, person.secret)
        except (FlowError, OSError, http.client.HTTPException) as exc:
            outcomes["login failed"] += 1
            examples.append(str(exc))
            continue
        described = []
        for reply in post_twice(server.port, browser):
            if isinstance(reply, Reply):
                has_pin = reply.status == 200 and _NUOVO_PIN.search(reply.body.decode("utf-8", "replace"))
                described.append("200 with a PIN" if has_pin else describe(reply))
            else:
                described.append(type(reply).__name__)
        outcomes[" + ".join(sorted(described))] += 1
    log(f"double submit: {dict(outcomes)}")
    return {"persons": len(persons), "outcomes": dict(outcomes), "examples": examples[:5]}


def verify_pins(ex_inpdap: list[Person], pin_only: list[Person]) -> dict[str, Any]:
    """Count every person's PINs in the database: one each, active; the unified ones issued by the unification."""
    from django.db.models import Count

    from accounts.models import PIN, CredenzialeExInpdap, EventoCredenziale
    from inps_portal.pec.models import MessaggioPEC

    per_person = dict(PIN.objects.order_by().values_list("user__codice_fiscale").annotate(n=Count("id")))
    active = dict(
        PIN.objects.filter(status=PIN.Status.ATTIVO)
        .order_by()
        .values_list("user__codice_fiscale")
        .annotate(n=Count("id"))
    )
    origins = Counter(PIN.objects.values_list("origine", flat=True))

    def histogram(persons: list[Person], source: dict[str, int]) -> dict[str, int]:
        return {str(k): v for k, v in sorted(Counter(source.get(p.codice_fiscale, 0) for p in persons).items())}

    ex_codes = [p.codice_fiscale for p in ex_inpdap]
    try:
        queued = int(local_redis(REDIS_URL).llen("celery"))
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        queued = -1
        log(f"Redis: {exc}")
    result = {
        "ex_inpdap_persons": len(ex_inpdap),
        "pin_only_persons": len(pin_only),
        "pins_per_ex_inpdap_person": histogram(ex_inpdap, per_person),
        "active_pins_per_ex_inpdap_person": histogram(ex_inpdap, active),
        "pins_per_pin_only_person": histogram(pin_only, per_person),
        "pin_origins": dict(origins),
        "credentials_unified": CredenzialeExInpdap.objects.filter(
            codice_fiscale__in=ex_codes, unificata_il__isnull=False
        ).count(),
        "unification_events": EventoCredenziale.objects.filter(tipo=EventoCredenziale.Tipo.UNIFICAZIONE).count(),
        "unification_pec": MessaggioPEC.objects.filter(modello="unificazione").count(),
        "celery_tasks_queued": queued,
    }
    result["ok"] = (
        result["pins_per_ex_inpdap_person"] == {"1": len(ex_inpdap)}
        and result["active_pins_per_ex_inpdap_person"] == {"1": len(ex_inpdap)}
        and result["pins_per_pin_only_person"] == {"1": len(pin_only)}
        and result["credentials_unified"] == len(ex_inpdap)
        and result["unification_events"] == len(ex_inpdap)
        and result["unification_pec"] == len(ex_inpdap)
    )
    return result


# --- Part 1: login with unification ---------------------------------------------------------------------------------


def measure_logins(options: argparse.Namespace, env: dict[str, str], ente: str, tmp: Path) -> dict[str, Any]:
    n, extra, warm = options.persons, options.double_submit, 2 * options.workers
    # Persons by index: the measured ex-Inpdap ones, the double-submit ones, the warm-up ones, then the PIN-only.
    ex_indices = list(range(n + extra + warm))
    pin_indices = list(range(len(ex_indices), len(ex_indices) + n + warm))
    files = {"ex-inpdap": tmp / "ex_inpdap.csv", "pin": tmp / "pin.csv", "abilitazioni": tmp / "abilitazioni.csv"}
    write_ex_inpdap(files["ex-inpdap"], ex_indices)
    write_pin(files["pin"], pin_indices)
    rows = [(i, "ex_inpdap", nome) for i in ex_indices for nome in ABILITAZIONI_EX_INPDAP]
    write_abilitazioni(files["abilitazioni"], [*rows, *((i, "pin", ABILITAZIONE_PIN) for i in pin_indices)], ente)
    started = time.perf_counter()
    output = run_manage(import_command(files, tmp / "scarti-login.csv"), env)
    esiti = parse_esiti(output)
    log(f"import_credenziali for the login test in {time.perf_counter() - started:.1f} s: {esiti}")
    if any(e["scartate"] for e in esiti.values()) or len(esiti) != 3:
        raise BenchError(f"the import of the login test's persons rejected rows:\n{output[-2000:]}")

    def people(indices: list[int], secret: str) -> list[Person]:
        return [Person(i, codice_fiscale(i), secret, source_address(i, options.one_address)) for i in indices]

    ex_all, pin_all = people(ex_indices, PASSWORD_EX_INPDAP), people(pin_indices, PIN_PREESISTENTE)
    ex_measured, ex_double, ex_warm = ex_all[:n], ex_all[n : n + extra], ex_all[n + extra :]
    pin_measured, pin_warm = pin_all[:n], pin_all[n:]

    with gunicorn(env, options.workers, tmp / "gunicorn.log") as server:
        try:
            meter = CpuMeter({"gunicorn": server.process.pid})
            wait_ready(server)
            log(f"warm-up: {warm} plain logins and {warm} first accesses (not measured)")
            run_phase("warm-up, plain", pin_warm, plain_login, server, options.workers, meter)
            run_phase("warm-up, first access", ex_warm, first_access, server, options.workers, meter)
            c = options.concurrency
            baseline, _ = run_phase("plain login", pin_measured, plain_login, server, c, meter)
            first, flows = run_phase("first access", ex_measured, first_access, server, c, meter)
            issued = {f.person: f.pin for f in flows if f.pin}
            again = [Person(p.index, p.codice_fiscale, issued[p.index], p.source) for p in ex_measured
                     if p.index in issued]  # fmt: skip
            new_pin, _ = run_phase("login with the new PIN", again, plain_login, server, c, meter)
            doubled = double_submit(server, ex_double)
            server_alive = server.alive()
            server_log = summarize_log(server.log_lines())  # before the stop, which logs its own SIGTERMs
        except BaseException:
            for entry in summarize_log(server.log_lines()):
                print(f"gunicorn log: {entry}", file=sys.stderr)
            raise
    checks = verify_pins(ex_all, pin_all)
    checks["gunicorn_alive_at_the_end"] = server_alive
    return {
        "persons": n,
        "phases": [asdict(p) for p in (baseline, first, new_pin)],
        "ratios": ratios(baseline, first),
        "double_submit": doubled,
        "checks": checks,
        "gunicorn_log": server_log,
        "import_for_login": esiti,
    }


def ratios(baseline: Phase, first: Phase) -> dict[str, float | None]:
    def div(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a is not None and b else None

    return {
        "p50": div(first.flow_ms["p50"], baseline.flow_ms["p50"]),
        "p95": div(first.flow_ms["p95"], baseline.flow_ms["p95"]),
        "p99": div(first.flow_ms["p99"], baseline.flow_ms["p99"]),
        "throughput": div(baseline.flows_per_s, first.flows_per_s),
    }


def login_table(phases: list[dict[str, Any]]) -> str:
    header = ["measure", "persons", "flows/s", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "CPU ms"]
    cells = []
    labels = {
        "plain login": "plain login (PIN only): GET+POST login, GET /",
        "first access": "first access: GET+POST login, POST unificazione",
        "login with the new PIN": "login with the new PIN: GET+POST login, GET /",
    }
    for phase in phases:
        flow = phase["flow_ms"]
        cpu = phase["cpu_ms_per_flow"].get("gunicorn")
        cells.append(
            [labels.get(phase["name"], phase["name"]), str(phase["persons"]), _fmt(phase["flows_per_s"]),
             _fmt(phase["requests_per_s"]), _fmt(flow["p50"]), _fmt(flow["p95"]), _fmt(flow["p99"]),
             _fmt(flow["max"]), str(phase["errors"]), _fmt(cpu)]
        )  # fmt: skip
        for step, ms in phase["step_ms"].items():
            if step == "get_login":
                continue
            cells.append(
                [f"  {step.replace('_', ' ')} alone", "", "", "", _fmt(ms["p50"]), _fmt(ms["p95"]), _fmt(ms["p99"]),
                 _fmt(ms["max"]), "", ""]
            )  # fmt: skip
    return text_table(header, cells)


# --- Part 2: the CSV import -----------------------------------------------------------------------------------------


def run_manage(args: list[str], env: dict[str, str]) -> str:
    """A management command whose output is needed; fails loudly."""
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=IMPORT_TIMEOUT_S
    )
    if completed.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}")
    return completed.stdout


def _rss_mib(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


@dataclass
class ImportRun:
    label: str
    file: str
    size: int
    wall_s: float
    peak_rss_mib: float
    user_cpu_s: float
    system_cpu_s: float
    read: int
    imported: int
    rejected: int
    rows_per_s: float | None
    net_rows_per_s: float | None = None  # without the start-up of an empty import
    quarter_rates: list[float | None] = field(default_factory=list)  # rows/s in each quarter of the rows
    timeline: list[dict[str, float | None]] = field(default_factory=list)


def measured_import(
    label: str, option: str, path: Path, size: int, env: dict[str, str], tmp: Path, database: Database
) -> ImportRun:
    """One import_credenziali in a fresh process: wall time, peak RSS (wait4), RSS and rows written over time."""
    import psycopg2

    table = table_names()["credenziale" if option == "ex-inpdap" else "abilitazione"]
    log_path = tmp / f"import-{label}.log"
    dsn = {**database.server_dsn, "dbname": database.name}
    monitor = psycopg2.connect(**dsn, connect_timeout=10)
    monitor.autocommit = True
    timeline: list[dict[str, float | None]] = []
    command = [PYTHON, "manage.py", *import_command({option: path}, tmp / f"scarti-{label}.csv")]
    try:
        with log_path.open("w") as out:
            started = time.perf_counter()
            process = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            next_sample, deadline = started, started + IMPORT_TIMEOUT_S
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                now = time.perf_counter()
                if pid:
                    wall = now - started
                    process.returncode = os.waitstatus_to_exitcode(status)
                    break
                if now >= next_sample:
                    with monitor.cursor() as cursor:
                        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table name from the model
                        written = int(cursor.fetchone()[0])
                    timeline.append({"t": round(now - started, 2), "rows": written, "rss_mib": _rss_mib(process.pid)})
                    next_sample += SAMPLE_EVERY_S
                if now > deadline:
                    raise BenchError(f"import {label} still running after {IMPORT_TIMEOUT_S:.0f} s")
                time.sleep(0.01)
        finally:
            if process.returncode is None:
                _stop(process)
    finally:
        monitor.close()
    output = log_path.read_text(errors="replace")
    if process.returncode != 0:
        raise BenchError(f"import {label} exited with {process.returncode}:\n{output[-3000:]}")
    esiti = parse_esiti(output)
    esito = esiti.get(path.name, {"lette": 0, "importate": 0, "scartate": 0})
    run = ImportRun(
        label=label,
        file=option,
        size=size,
        wall_s=round(wall, 3),
        peak_rss_mib=round(usage.ru_maxrss / 1024, 1),
        user_cpu_s=round(usage.ru_utime, 2),
        system_cpu_s=round(usage.ru_stime, 2),
        read=esito["lette"],
        imported=esito["importate"],
        rejected=esito["scartate"],
        rows_per_s=round(size / wall, 1) if size else None,
        quarter_rates=quarter_rates(timeline, size, wall) if timeline and timeline[0]["rows"] == 0 else [],
        timeline=timeline,
    )
    log(
        f"import {label}: {size} rows in {wall:.1f} s ({_fmt(run.rows_per_s)} rows/s), peak RSS "
        f"{run.peak_rss_mib} MiB, {run.imported} imported, {run.rejected} rejected"
    )
    return run


def quarter_rates(timeline: list[dict[str, float | None]], size: int, wall: float) -> list[float | None]:
    """Rows per second while the rows written went from 0 to 25 %, 25 to 50 %, 50 to 75 % and 75 to 100 % of size.

    A rate that falls from quarter to quarter means each batch costs more as the tables grow. The first quarter
    includes the process start-up; the samples are every SAMPLE_EVERY_S seconds, so short runs give rough figures.
    """
    if not size:
        return []
    points = [(0.0, 0)] + [(float(p["t"] or 0), int(p["rows"] or 0)) for p in timeline] + [(wall, size)]

    def reached(rows: float) -> float:
        return next(t for t, r in points if r >= rows)

    marks = [reached(size * q / 4) if q else 0.0 for q in range(5)]
    return [round(size / 4 / (b - a), 1) if b > a else None for a, b in itertools.pairwise(marks)]


def measure_import(
    options: argparse.Namespace, env: dict[str, str], ente: str, tmp: Path, database: Database
) -> dict[str, Any]:
    runs: list[ImportRun] = []
    checks: list[dict[str, Any]] = []
    empty = tmp / "vuoto.csv"
    write_ex_inpdap(empty, [])
    empty_credentials()
    baseline = measured_import("empty file", "ex-inpdap", empty, 0, env, tmp, database)
    runs.append(baseline)
    largest = max(options.sizes)
    for size in options.sizes:
        ex_file, ab_file = tmp / f"ex_inpdap_{size}.csv", tmp / f"abilitazioni_{size}.csv"
        started = time.perf_counter()
        write_ex_inpdap(ex_file, range(size))
        write_abilitazioni(ab_file, ((i, "ex_inpdap", ABILITAZIONI_EX_INPDAP[i % 2]) for i in range(size)), ente)
        log(f"{size} rows: CSV files written in {time.perf_counter() - started:.1f} s "
            f"({ex_file.stat().st_size / 2**20:.1f} + {ab_file.stat().st_size / 2**20:.1f} MiB)")  # fmt: skip
        empty_credentials()
        runs.append(measured_import(f"ex_inpdap {size}", "ex-inpdap", ex_file, size, env, tmp, database))
        runs.append(measured_import(f"abilitazioni {size}", "abilitazioni", ab_file, size, env, tmp, database))
        after = counts()
        checks.append({"size": size, "run": "first", **after})
        if size == largest:
            runs.append(measured_import(f"ex_inpdap {size} again", "ex-inpdap", ex_file, size, env, tmp, database))
            runs.append(
                measured_import(f"abilitazioni {size} again", "abilitazioni", ab_file, size, env, tmp, database)
            )
            checks.append({"size": size, "run": "again", **counts()})
        ex_file.unlink()
        ab_file.unlink()
    for run in runs:
        if run.size and baseline.wall_s < run.wall_s:
            run.net_rows_per_s = round(run.size / (run.wall_s - baseline.wall_s), 1)
    expected_ok = all(
        c["credenziale"] == c["size"] and c["user"] == c["size"] and c["abilitazione"] == c["size"] for c in checks
    )
    return {
        "sizes": options.sizes,
        "runs": [asdict(r) for r in runs],
        "counts_after": checks,
        "counts_ok": expected_ok,
        "rejected_total": sum(r.rejected for r in runs),
    }


def import_table(runs: list[dict[str, Any]]) -> str:
    header = ["import", "rows", "wall s", "rows/s", "net rows/s", "quarters rows/s", "peak RSS MiB", "CPU s",
              "imported", "rejected"]  # fmt: skip
    cells = []
    for r in runs:
        rates = r["quarter_rates"] if len(r["timeline"]) >= 8 else []  # too few samples in a short run
        quarters = " ".join(f"{q:.0f}" if q is not None else "-" for q in rates) or "-"
        cells.append(
            [r["label"], f"{r['size']:,}", _fmt(r["wall_s"]), _fmt(r["rows_per_s"], 0), _fmt(r["net_rows_per_s"], 0),
             quarters, _fmt(r["peak_rss_mib"]), _fmt(r["user_cpu_s"] + r["system_cpu_s"]), f"{r['imported']:,}",
             str(r["rejected"])]
        )  # fmt: skip
    return text_table(header, cells)


def memory_line(runs: list[dict[str, Any]], file: str) -> str:
    first = [r for r in runs if r["file"] == file and "again" not in r["label"]]
    parts = [f"{r['size']:,} rows {r['peak_rss_mib']:.1f}" for r in first]
    return f"peak RSS MiB, {file}: " + " | ".join(parts)


# --- Main -----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=400, help="persons of each kind in the login test (400)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients in the login test (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--double-submit", type=int, default=20, help="persons who submit the unification twice (20)")
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 50_000, 100_000],
        help="rows of the CSV files of the import test, comma-separated (10000,50000,100000)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="100 persons, 10 double submits, files of 2k, 5k, 10k")
    parser.add_argument("--part", choices=["all", "login", "import"], default="all", help="what to measure (all)")
    parser.add_argument(
        "--one-address", action="store_true", help="every client from 127.0.0.1 (meets allauth's 60 logins/min)"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database in place at the end")
    options = parser.parse_args(argv)
    if options.quick:
        options.persons, options.double_submit, options.sizes = 100, 10, [2_000, 5_000, 10_000]
    if min(options.persons, options.concurrency, options.workers, *options.sizes) < 1 or options.double_submit < 0:
        parser.error("--persons, --concurrency, --workers and --sizes must be positive")
    if 2 * (options.persons + options.double_submit + 2 * options.workers) > 62500 * 200:
        parser.error("too many persons for the loopback addresses")
    return options


def run(options: argparse.Namespace) -> int:
    database = Database.from_url(os.environ.get("BENCH_CRED_DATABASE_URL") or DEFAULT_DATABASE_URL)
    began = time.monotonic()
    description = machine()
    description["postgresql"] = database.server_version()
    description["python_codicefiscale"] = _version("python-codicefiscale")
    env = portal_env(database.url, secrets.token_urlsafe(48))
    report: dict[str, Any] = {"machine": description}
    with tempfile.TemporaryDirectory(prefix="inps-bench-cred-") as tmp_name:
        tmp = Path(tmp_name)
        log(f"database {database.name}: drop, create, migrate, load_registry; Redis {REDIS_URL}: flush")
        database.recreate()
        try:
            local_redis(REDIS_URL).flushdb()
            manage(["migrate", "--noinput"], env)
            manage(["load_registry"], env)
            manage(["collectstatic", "--noinput"], env)
            setup_django(env)
            ente = create_ente()
            report["factory_codes"] = factory_codes_check(max(100_000, *options.sizes))
            log(f"tests.factories.codice_fiscale_valido: {report['factory_codes']}")
            report["validation_cost"] = validation_cost(2000)
            log(f"per-row checks of the import: {report['validation_cost']}")
            if report["validation_cost"]["invalid"]:
                raise BenchError("the generated codici fiscali do not all pass validate_codice_fiscale")
            if options.part in {"all", "login"}:
                report["login"] = measure_logins(options, env, ente, tmp)
            if options.part in {"all", "import"}:
                report["import"] = measure_import(options, env, ente, tmp, database)
        finally:
            release(database, options.keep_db, REDIS_URL)

    report["config"] = {
        "settings": "inps_portal.settings.production",
        "gunicorn_workers": options.workers,
        "concurrency": options.concurrency,
        "persons": options.persons,
        "double_submit": options.double_submit,
        "sizes": options.sizes,
        "client_addresses": "127.0.0.1 for all" if options.one_address else "one loopback address per person",
        "redis": REDIS_URL,
        "wall_time_s": round(time.monotonic() - began, 1),
    }
    print_report(report, options)
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written {RESULTS_FILE.relative_to(BASE_DIR)}")
    return 0


def print_report(report: dict[str, Any], options: argparse.Namespace) -> None:
    print()
    if "login" in report:
        login = report["login"]
        print(
            f"Login: {login['persons']} persons of each kind, {options.concurrency} concurrent clients, gunicorn "
            f"{options.workers} sync workers (production settings); CPU ms = gunicorn's CPU per flow"
        )
        print(login_table(login["phases"]))
        r = login["ratios"]
        print(
            f"first access / plain login: p50 x{_fmt(r['p50'], 2)}, p95 x{_fmt(r['p95'], 2)}, "
            f"p99 x{_fmt(r['p99'], 2)}; throughput (flows/s) x{_fmt(r['throughput'], 2)} lower"
        )
        for phase in login["phases"]:
            print(f"statuses, {phase['name']}: {phase['statuses']}")
            for example in phase["error_examples"]:
                print(f"  error: {example}")
        d = login["double_submit"]
        print(f"double submit ({d['persons']} persons, two POSTs at once): {d['outcomes']}")
        c = login["checks"]
        verdict = "OK" if c["ok"] else "FAILED"
        print(
            f"check {verdict}: PINs per ex-Inpdap person {c['pins_per_ex_inpdap_person']} (active "
            f"{c['active_pins_per_ex_inpdap_person']}), per PIN-only person {c['pins_per_pin_only_person']}; "
            f"unified {c['credentials_unified']}/{c['ex_inpdap_persons']}, events {c['unification_events']}, "
            f"PEC queued {c['unification_pec']}, Celery tasks waiting in Redis {c['celery_tasks_queued']}"
        )
        for entry in login["gunicorn_log"]:
            print(f"gunicorn log: {entry}")
        print()
    if "import" in report:
        imp = report["import"]
        cost = report["validation_cost"]
        print("CSV import (manage.py import_credenziali, one fresh process per file, empty tables for each size)")
        print(import_table(imp["runs"]))
        print(memory_line(imp["runs"], "ex-inpdap"))
        print(memory_line(imp["runs"], "abilitazioni"))
        print(
            f"per row, in the runner's process: validate_codice_fiscale {cost['validate_codice_fiscale_us']} us "
            f"(codicefiscale.decode {cost['codicefiscale_decode_us']} us), codifica_hash_legacy "
            f"{cost['codifica_hash_legacy_us']} us: at most {cost['ceiling_rows_per_s']} rows/s before any SQL"
        )
        print(f"decode us by birthplace: {cost['decode_us_by_birthplace']}")
        print(f"counts after each size: {imp['counts_after']} ({'OK' if imp['counts_ok'] else 'UNEXPECTED'})")
    f = report["factory_codes"]
    print(
        f"tests.factories.codice_fiscale_valido: {f['distinct']} distinct codes for {f['asked']} values "
        f"(n=1 and n=18001 give {f['example']['1']} and {f['example']['18001']}): the runner generates its own"
    )


def main() -> int:
    return run_main(run, parse_args)


if __name__ == "__main__":
    sys.exit(main())
