"""Benchmark of the requests for abilitazioni: the review queue and the modulo PDF (``bench/abilitazioni.py``).

Two measurements, on a throw-away PostgreSQL database with the territorial registry, in this process (Django set up
with the production settings, ``DEBUG`` off):

1. **The review queue.** Routed requests are written with ``bulk_create`` (operators, Enti in the province of
   Cosenza, requests split into allegato 2 for the Sede territoriale ST-CS and allegato 3 for the Direzione
   regionale, with their voci and status events) until the Sede's queue holds 100, 1,000 and 10,000 requests. At
   each size Django's test ``Client`` (``force_login``) fetches, as a member of staff of ST-CS, the admin changelist
   ``/admin/abilitazioni/richiestainstradata/`` (first page, filtered, last page), the change page and the decide
   page of one request, and, as an operator who made a tenth of all the requests, ``/enti/abilitazioni/``: SQL
   queries of one request (``CaptureQueriesContext``) and milliseconds per request (median and p95 of N), beside
   the same measure of ``/bench/table`` (the baseline of ``bench/run.py``) and of the admin index.
2. **The modulo PDF.** ``abilitazioni.moduli.modulo_compilato_pdf`` on N routed requests, one after the other
   (median and p95 ms), split into SQL + context, template and WeasyPrint; then documents per second with a process
   pool as large as the Celery worker's concurrency; beside a one-line HTML document rendered by WeasyPrint as
   PDF/A-3b in the same way. Also the blank modulo (``modulo_vuoto_pdf``), on a cache miss and from the cache.

Results go to ``bench/results/abilitazioni.json``. It is a measurement, not a test: nothing is asserted on
timings. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import multiprocessing
import os
import re
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from run import (
    BASE_DIR,
    BenchError,
    Database,
    _fmt,
    _version,
    local_redis,
    log,
    machine,
    manage,
    production_env,
    release,
    run_main,
)

RESULTS_FILE = BASE_DIR / "bench" / "results" / "abilitazioni.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/inps_bench_abil"
REDIS_URL = "redis://127.0.0.1:6379/11"  # cache (the blank moduli); no Celery worker runs
DOCKER_COMPOSE = BASE_DIR / "docker-compose.yml"

SEDE = "ST-CS"  # Sede territoriale di Cosenza
DIREZIONE_REGIONALE = "DR-18"  # Direzione regionale Calabria
COMUNE_RENDE = "078102"
PROVINCIA = "CS"
ENTI = 200
OPERATORS_PER_REQUEST = 5  # one operator every 5 requests of the largest queue
HEAVY_SHARE = 10  # the measured operator makes one request in 10
BATCH = 2000

CHANGELIST = "/admin/abilitazioni/richiestainstradata/"
BASELINE = "/bench/table"
WARMUP = 2  # requests before the timed ones, on every page
MINIMAL_HTML = "<!DOCTYPE html><html lang='it'><head><meta charset='utf-8'></head><body><p>INPS</p></body></html>"

# Status of the routed requests to the Sede, repeating every 50 requests: mostly waiting, as a real queue.
STATUS_CYCLE = ["inviata"] * 35 + ["in_carico"] * 5 + ["approvata"] * 6 + ["respinta"] * 3 + ["ritirata"]


# --- Environment ----------------------------------------------------------------------------------------------------


def bench_env(database_url: str, secret_key: str) -> dict[str, str]:
    """The production environment of bench/run.py, with this run's Redis database; the test Client's host allowed.

    ``testserver`` is allowed through ``ALLOWED_HOSTS`` instead of calling ``setup_test_environment``, which would
    instrument every template rendering (a signal and a copy of the context per template) and slow the pages down.
    """
    return {
        **production_env(database_url, secret_key),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PORTAL_CLOCK_NOW": "",
    }


def worker_concurrency() -> tuple[int, str]:
    """The Celery worker's concurrency: the settings, else the worker command of docker-compose, else the CPUs."""
    from django.conf import settings

    configured = getattr(settings, "CELERY_WORKER_CONCURRENCY", None)
    if configured:
        return int(configured), "settings.CELERY_WORKER_CONCURRENCY"
    text = DOCKER_COMPOSE.read_text() if DOCKER_COMPOSE.exists() else ""
    match = re.search(r"celery .*worker.*--concurrency[= ]\$\{(\w+):-(\d+)\}", text)
    if match:
        name, default = match.groups()
        value = os.environ.get(name) or default
        return int(value), f"docker-compose.yml worker --concurrency=${{{name}:-{default}}} = {value}"
    match = re.search(r"celery .*worker.*--concurrency[= ](\d+)", text)
    if match:
        return int(match.group(1)), "docker-compose.yml worker --concurrency"
    return os.cpu_count() or 1, "os.cpu_count() (no concurrency configured)"


# --- Helpers --------------------------------------------------------------------------------------------------------
# Small copies of helpers of bench/outbox.py and bench/credenziali.py: importing those modules would make mypy check
# them too whenever this file is checked.


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the benchmark's environment.

    The project goes first on the path, before bench/: this file has the app's name, and ``import abilitazioni``
    must find the app.
    """
    os.environ.update(env)
    while str(BASE_DIR) in sys.path:
        sys.path.remove(str(BASE_DIR))
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def text_table(header: list[str], cells: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in cells)])


def percentiles_ms(values: list[float]) -> dict[str, float | None]:
    """Median and nearest-rank percentiles of durations in seconds, in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return {"median": None, "p95": None, "p99": None, "max": None}

    def at(q: float) -> float:
        rank = min(len(ordered), max(1, math.ceil(q * len(ordered))))
        return round(ordered[rank - 1] * 1000, 2)

    return {
        "median": round(statistics.median(ordered) * 1000, 2),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1] * 1000, 2),
    }


def codice_fiscale(n: int) -> str:
    """A valid codice fiscale, distinct for every ``n`` below 26**6 (as in bench/credenziali.py): six letters
    spelling ``n`` in base 26, a birth date derived from ``n``, born in Cosenza, the check character computed."""
    from codicefiscale import codicefiscale as cf

    letters, rest = "", n
    for _ in range(6):
        rest, digit = divmod(rest, 26)
        letters = chr(ord("A") + digit) + letters
    nascita = dt.date(1950, 1, 1) + dt.timedelta(days=n * 7919 % 18262)
    giorno = nascita.day + (40 if n % 2 else 0)
    base = f"{letters}{nascita.year % 100:02d}{'ABCDEHLMPRST'[nascita.month - 1]}{giorno:02d}D086"
    return base + str(cf.encode_cin(base))


@dataclass
class SqlLog:
    """The SQL queries of a block: as Django's CaptureQueriesContext counts them, with their own durations (Django
    logs durations rounded to the millisecond)."""

    queries: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.queries)

    def total_ms(self) -> float:
        return round(sum(self.seconds) * 1000, 2)

    def slowest(self) -> tuple[float, str]:
        if not self.seconds:
            return 0.0, ""
        index = max(range(len(self.seconds)), key=self.seconds.__getitem__)
        return round(self.seconds[index] * 1000, 2), short_sql(self.queries[index], 400)

    def repeated(self) -> dict[str, int]:
        """Query shapes (literals replaced by ?) seen more than once: N+1 suspects."""
        shapes = Counter(_shape(q) for q in self.queries)
        return {shape: n for shape, n in shapes.items() if n > 1}


def short_sql(sql: str, length: int = 160) -> str:
    """One line, the list of selected columns left out."""
    flat = " ".join(sql.split())
    return re.sub(r"^SELECT .+? FROM ", "SELECT ... FROM ", flat, count=1)[:length]


def _shape(sql: str) -> str:
    shape = re.sub(r"'[^']*'", "?", short_sql(sql, 100_000))
    shape = re.sub(r"\b\d+\b", "?", shape)
    return re.sub(r"_django_curs_\S+", "cursor", shape)[:300]


@contextmanager
def recorded_sql() -> Iterator[SqlLog]:
    """Count the queries of the block with CaptureQueriesContext and time each one with an execute wrapper."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log_ = SqlLog()

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log_.seconds.append(time.perf_counter() - started)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        yield log_
    log_.queries = [q["sql"] for q in captured.captured_queries]
    if len(log_.queries) != len(log_.seconds):
        raise BenchError(f"{len(log_.queries)} queries captured but {len(log_.seconds)} timed")


# --- Data -----------------------------------------------------------------------------------------------------------


@dataclass
class Queue:
    """The people and organisations of the run, and how many requests the Sede's queue holds so far."""

    sede_id: int
    dr_id: int
    staff_id: int
    superuser_id: int
    heavy_id: int
    operators: list[int]  # user ids; operators[0] is the heavy one
    ente_of: dict[int, int]  # user id -> the Ente the operator acts for
    catalogo: dict[int, list[int]]  # allegato -> abilitazione ids
    requests: int = 0  # RichiestaAbilitazioni written (each has an allegato 2 routed to the Sede)
    change_pk: int | None = None  # the request whose change page is measured
    decide_pk: int | None = None  # the request whose decide page is measured
    moduli: list[int] = field(default_factory=list)  # routed requests of allegato 2 for the PDF part


def create_people(operators: int) -> Queue:
    """The Enti, the operators (with an active PIN and one abilitazione each) and the staff member of the Sede."""
    from abilitazioni.models import Abilitazione
    from accounts import selectors as territorio
    from accounts.models import PIN, AbilitazioneDetenuta, Comune, Ente, Struttura, User
    from accounts.roles import Ruolo
    from tests.factories import codice_fiscale_ente, personale_inps

    sede = Struttura.objects.get(codice=SEDE)
    rende = Comune.objects.get(codice_istat=COMUNE_RENDE)
    competente = territorio.sede_competente(rende)
    if competente is None or competente.pk != sede.pk:
        raise BenchError(f"the competent Sede for Rende is {competente}, not {SEDE}")
    comuni = [rende, *Comune.objects.filter(provincia__sigla=PROVINCIA).exclude(pk=rende.pk).order_by("codice_istat")]
    enti = Ente.objects.bulk_create(
        [
            Ente(
                nome=f"Ente del benchmark {n}",
                codice_fiscale=codice_fiscale_ente(10_000 + n),
                pec=f"ente{n}@pec.example.it",
                comune=comuni[n % len(comuni)],
            )
            for n in range(ENTI)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(
                codice_fiscale=codice_fiscale(n),
                nome=f"Nome{n}",
                cognome=f"Cognome{n}",
                email=f"operatore{n}@example.it",
                password="!",  # noqa: S106 - unusable: nobody logs in with a password here
            )
            for n in range(operators)
        ],
        batch_size=BATCH,
    )
    pins = PIN.objects.bulk_create(
        [
            PIN(
                user=u,
                codice_hash="!",
                tipo=PIN.Tipo.DISPOSITIVO if n % 2 == 0 else PIN.Tipo.ONLINE,
                origine=PIN.Origine.PREESISTENTE,
            )
            for n, u in enumerate(users)
        ],
        batch_size=BATCH,
    )
    ente_of = {u.pk: enti[n % len(enti)].pk for n, u in enumerate(users)}
    AbilitazioneDetenuta.objects.bulk_create(
        [AbilitazioneDetenuta(pin=p, ente_id=ente_of[p.user_id], nome="Visualizzazione versamenti Ente") for p in pins],
        batch_size=BATCH,
    )
    staff = personale_inps(Ruolo.PERSONALE_SEDE, SEDE)
    superuser = User.objects.create_superuser(codice_fiscale(operators), nome="Amministratore", cognome="Centrale")
    catalogo: dict[int, list[int]] = {}
    for pk, allegato in Abilitazione.objects.filter(attiva=True).order_by("nome").values_list("pk", "allegato"):
        catalogo.setdefault(allegato, []).append(pk)
    return Queue(
        sede_id=sede.pk,
        dr_id=Struttura.objects.get(codice=DIREZIONE_REGIONALE).pk,
        staff_id=staff.pk,
        superuser_id=superuser.pk,
        heavy_id=users[0].pk,
        operators=[u.pk for u in users],
        ente_of=ente_of,
        catalogo=catalogo,
    )


def add_requests(queue: Queue, count: int) -> float:
    """Write ``count`` more requests (allegato 2 to the Sede; every other one also allegato 3 to the Direzione
    regionale), with their voci and status events; return the seconds it took."""
    from django.db import transaction

    from abilitazioni.models import EventoRichiesta, RichiestaAbilitazioni, RichiestaInstradata, VoceRichiesta
    from inps_portal import clock

    started = time.perf_counter()
    now = clock.now()
    first = queue.requests
    indices = range(first, first + count)
    others = queue.operators[1:] or queue.operators

    def operator(i: int) -> int:
        return queue.heavy_id if i % HEAVY_SHARE == 0 else others[i % len(others)]

    with transaction.atomic():
        richieste = RichiestaAbilitazioni.objects.bulk_create(
            [
                RichiestaAbilitazioni(
                    user_id=operator(i), ente_id=queue.ente_of[operator(i)], creata_il=now - dt.timedelta(minutes=i)
                )
                for i in indices
            ],
            batch_size=BATCH,
        )
        routed: list[tuple[int, RichiestaInstradata]] = []
        for i, richiesta in zip(indices, richieste, strict=True):
            status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
            moment = richiesta.creata_il + dt.timedelta(minutes=30)
            routed.append(
                (i, RichiestaInstradata(richiesta=richiesta, allegato=2, struttura_id=queue.sede_id, status=status,
                                        aggiornata_il=moment, motivo="Dati incompleti" if status == "respinta" else ""))
            )  # fmt: skip
            if i % 2 == 0:
                routed.append(
                    (i, RichiestaInstradata(richiesta=richiesta, allegato=3, struttura_id=queue.dr_id,
                                            aggiornata_il=richiesta.creata_il))
                )  # fmt: skip
        RichiestaInstradata.objects.bulk_create([r for _, r in routed], batch_size=BATCH)
        voci, eventi = [], []
        for i, instradata in routed:
            scelte = queue.catalogo[instradata.allegato]
            for k in range(1 + i % 3):
                operazione = "rimuovi" if (i + k) % 7 == 0 else "aggiungi"
                voci.append(
                    VoceRichiesta(instradata=instradata, abilitazione_id=scelte[(i + k) % len(scelte)],
                                  operazione=operazione)
                )  # fmt: skip
            eventi.extend(_events(instradata, operator(i), queue.staff_id))
        VoceRichiesta.objects.bulk_create(voci, batch_size=BATCH)
        EventoRichiesta.objects.bulk_create(eventi, batch_size=BATCH)
    queue.requests += count
    for i, instradata in routed:
        if instradata.allegato != 2 or i % 3 != 2:  # three voci: the richest pages
            continue
        if queue.change_pk is None and instradata.status == "approvata":
            queue.change_pk = instradata.pk
        if queue.decide_pk is None and instradata.status == "in_carico":
            queue.decide_pk = instradata.pk
    if len(queue.moduli) < 500:
        queue.moduli += [r.pk for _, r in routed if r.allegato == 2][: 500 - len(queue.moduli)]
    return time.perf_counter() - started


def _events(instradata: Any, operator_id: int, staff_id: int) -> list[Any]:
    """The status events a routed request in this status has been through."""
    from abilitazioni.models import EventoRichiesta

    sent = instradata.richiesta.creata_il
    steps = [("", "inviata", operator_id, "richiesta")]
    if instradata.status in ("in_carico", "approvata", "respinta"):
        steps.append(("inviata", "in_carico", staff_id, ""))
    if instradata.status in ("approvata", "respinta"):
        steps.append(("in_carico", instradata.status, staff_id, instradata.motivo))
    if instradata.status == "ritirata":
        steps.append(("inviata", "ritirata", operator_id, ""))
    return [
        EventoRichiesta(instradata=instradata, da=da, a=a, chi_id=chi, motivo=motivo,
                        quando=sent + dt.timedelta(minutes=10 * n))
        for n, (da, a, chi, motivo) in enumerate(steps)
    ]  # fmt: skip


def queue_counts(queue: Queue) -> dict[str, int]:
    """Rows of each table, the Sede's queue as the admin scopes it, and the heavy operator's own routed requests."""
    from abilitazioni.models import EventoRichiesta, RichiestaAbilitazioni, RichiestaInstradata, VoceRichiesta
    from abilitazioni.selectors import instradate_per_ufficio
    from accounts.models import User

    staff = User.objects.get(pk=queue.staff_id)
    return {
        "richieste": RichiestaAbilitazioni.objects.count(),
        "instradate": RichiestaInstradata.objects.count(),
        "voci": VoceRichiesta.objects.count(),
        "eventi": EventoRichiesta.objects.count(),
        "sede_queue": instradate_per_ufficio(staff).count(),
        "heavy_operator_instradate": RichiestaInstradata.objects.filter(richiesta__user_id=queue.heavy_id).count(),
    }


def analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give a live database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Part 1: pages --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    who: str  # "anonymous", "sede" or "operator"


@dataclass
class PageResult:
    label: str
    path: str
    user: str
    queue: int
    own: int | None  # the operator's own routed requests, for the operator's page
    status: int
    queries: int
    sql_ms: float  # time of the SQL queries of the counted request
    slowest_sql_ms: float
    slowest_sql: str
    median_ms: float
    p95_ms: float
    samples: int
    statuses: list[int]
    repeated_sql: dict[str, int] = field(default_factory=dict)  # query shapes seen more than once
    sql: list[str] = field(default_factory=list)
    inlines: list[str] | None = None  # the inline groups a change page shows
    x_table: float | None = None


USERS = {
    "anonymous": "anonymous",
    "sede": f"Personale Sede {SEDE}",
    "superuser": "superuser",
    "operator": "Operatore Ente (heavy)",
}


def pages(queue: Queue) -> list[Page]:
    last = max(1, -(-queue.requests // 50))  # list_per_page = 50; the page number is 1-based
    return [
        Page("baseline /bench/table", BASELINE, "anonymous"),
        Page("baseline /bench/table", BASELINE, "sede"),
        Page("admin index", "/admin/", "sede"),
        Page("admin changelist", CHANGELIST, "sede"),
        Page("admin changelist, status=inviata", f"{CHANGELIST}?status__exact=inviata", "sede"),
        Page("admin changelist, last page", f"{CHANGELIST}?p={last}", "sede"),
        Page("admin change page", f"{CHANGELIST}{queue.change_pk}/change/", "sede"),
        Page("admin decide page", f"{CHANGELIST}{queue.decide_pk}/decidi/", "sede"),
        # A superuser sees the inlines (voci, events) that the Sede's staff have no view permission for.
        Page("admin change page", f"{CHANGELIST}{queue.change_pk}/change/", "superuser"),
        Page("operator page /enti/abilitazioni/", "/enti/abilitazioni/", "operator"),
    ]


def time_pages(by_user: dict[str, Any], pages_: list[Page], repeats: int) -> tuple[list[list[float]], list[list[int]]]:
    """``WARMUP`` requests per page, then ``repeats`` rounds of one timed request per page, the pages in turn: any
    other load on the machine falls on every page alike, and the ratios to the baseline stay fair."""
    statuses: list[list[int]] = [[] for _ in pages_]
    durations: list[list[float]] = [[] for _ in pages_]
    for n, page in enumerate(pages_):
        for _ in range(WARMUP):
            statuses[n].append(by_user[page.who].get(page.path).status_code)
    for _ in range(repeats):
        for n, page in enumerate(pages_):
            started = time.perf_counter()
            response = by_user[page.who].get(page.path)
            durations[n].append(time.perf_counter() - started)
            statuses[n].append(response.status_code)
    return durations, statuses


def page_result(
    client: Any, page: Page, durations: list[float], statuses: list[int], queue_size: int, own: int | None
) -> PageResult:
    """The timings of a page, and the SQL of one more request of it."""
    with recorded_sql() as sql:
        response = client.get(page.path)
    stats = percentiles_ms(durations)
    slowest_ms, slowest = sql.slowest()
    return PageResult(
        label=page.label,
        path=page.path,
        user=USERS[page.who],
        queue=queue_size,
        own=own,
        status=response.status_code,
        queries=sql.count,
        sql_ms=sql.total_ms(),
        slowest_sql_ms=slowest_ms,
        slowest_sql=slowest,
        median_ms=stats["median"] or 0.0,
        p95_ms=stats["p95"] or 0.0,
        samples=len(durations),
        statuses=sorted(set(statuses)),
        repeated_sql=sql.repeated(),
        sql=[short_sql(q) for q in sql.queries],
        inlines=re.findall(r'id="([a-z_]+)-group"', response.content.decode()) if "/change/" in page.path else None,
    )


def clients(queue: Queue) -> dict[str, Any]:
    from django.test import Client

    from accounts.models import User

    made = {"anonymous": Client()}
    for who, pk in (("sede", queue.staff_id), ("superuser", queue.superuser_id), ("operator", queue.heavy_id)):
        made[who] = Client()
        made[who].force_login(User.objects.get(pk=pk))
    return made


def measure_pages(queue: Queue, sizes: list[int], repeats: int) -> tuple[list[PageResult], list[dict[str, Any]]]:
    """Grow the queue to each size and measure every page there."""
    results: list[PageResult] = []
    steps: list[dict[str, Any]] = []
    for size in sizes:
        took = add_requests(queue, size - queue.requests)
        analyze()
        counts = queue_counts(queue)
        if counts["sede_queue"] != size:
            raise BenchError(f"the Sede's queue holds {counts['sede_queue']} requests, not {size}")
        log(f"queue of {size:,}: written in {took:.1f} s; rows {counts}")
        steps.append({"size": size, "write_s": round(took, 2), **counts})
        by_user = clients(queue)
        measured = pages(queue)
        durations, statuses = time_pages(by_user, measured, repeats)
        row = []
        for page, timed, seen in zip(measured, durations, statuses, strict=True):
            own = counts["heavy_operator_instradate"] if page.who == "operator" else None
            row.append(page_result(by_user[page.who], page, timed, seen, size, own))
        baseline = row[0].median_ms
        for r in row:
            r.x_table = round(r.median_ms / baseline, 2) if baseline else None
            log(f"  {r.label} ({r.user}): {r.status}, {r.queries} queries, median {r.median_ms} ms")
        results += row
    return results, steps


def pages_table(results: list[PageResult]) -> str:
    header = ["page", "user", "queue", "status", "SQL", "SQL ms", "median ms", "p95 ms", "x table", "slowest SQL ms"]
    cells = []
    for r in sorted(results, key=lambda r: (_page_order(results, r), r.queue)):
        label = r.label + (f" ({r.own:,} own)" if r.own is not None else "")
        cells.append(
            [label, r.user, f"{r.queue:,}", str(r.status), str(r.queries), _fmt(r.sql_ms), _fmt(r.median_ms),
             _fmt(r.p95_ms), _fmt(r.x_table, 2), _fmt(r.slowest_sql_ms)]
        )  # fmt: skip
    return text_table(header, cells)


def _page_order(results: list[PageResult], r: PageResult) -> int:
    keys = list(dict.fromkeys((x.label, x.user) for x in results))
    return keys.index((r.label, r.user))


def growth_lines(results: list[PageResult]) -> list[str]:
    """One line per page: its queries at every size, and whether they stay the same."""
    lines = []
    keys = list(dict.fromkeys((r.label, r.user) for r in results))
    for label, user in keys:
        rows = sorted((r for r in results if (r.label, r.user) == (label, user)), key=lambda r: r.queue)
        queries = [r.queries for r in rows]
        verdict = "constant" if len(set(queries)) == 1 else "GROWS" if queries[-1] > queries[0] else "varies"
        times = " / ".join(_fmt(r.median_ms) for r in rows)
        sizes = " / ".join(f"{r.queue:,}" for r in rows)
        counts = " / ".join(map(str, queries))
        lines.append(f"{label} ({user}): SQL {counts} at {sizes} ({verdict}); median ms {times}")
    return lines


# --- Part 2: the modulo PDF -----------------------------------------------------------------------------------------


def fetch_instradata(pk: int) -> Any:
    """A routed request as the operator's view reads it (``views.modulo_compilato``)."""
    from abilitazioni.models import RichiestaInstradata

    return RichiestaInstradata.objects.select_related(
        "richiesta__user", "richiesta__ente__comune__provincia", "struttura"
    ).get(pk=pk)


def render_modulo(pk: int) -> tuple[float, int]:
    """Fetch one routed request and render its modulo; seconds spent in ``modulo_compilato_pdf`` and PDF size."""
    from abilitazioni.moduli import modulo_compilato_pdf

    instradata = fetch_instradata(pk)
    started = time.perf_counter()
    pdf = modulo_compilato_pdf(instradata)
    return time.perf_counter() - started, len(pdf)


def render_minimal(_: int = 0) -> tuple[float, int]:
    """The baseline: a one-line HTML document through WeasyPrint as PDF/A-3b, as ``inps_portal.pdf.render_pdf``."""
    from django.conf import settings
    from weasyprint import HTML

    started = time.perf_counter()
    pdf = HTML(string=MINIMAL_HTML, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")
    return time.perf_counter() - started, len(pdf or b"")


def _pool_init(barrier: Any, warm_pk: int) -> None:
    """Each pool process (forked with Django set up, and no open connection) warms up once, then waits for all."""
    render_minimal()
    render_modulo(warm_pk)
    barrier.wait()


@dataclass
class PdfRow:
    label: str
    documents: int
    median_ms: float | None
    p95_ms: float | None
    docs_per_s: float | None
    x_minimal: float | None = None
    note: str = ""


def modulo_breakdown(pks: list[int]) -> dict[str, Any]:
    """Where the time of one modulo goes: the function's SQL and context, the template, WeasyPrint."""
    from unittest import mock

    from django.conf import settings
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from abilitazioni import moduli

    captured: dict[str, Any] = {}

    def capture(template: str, contesto: dict[str, Any]) -> bytes:
        captured["template"], captured["contesto"] = template, contesto
        return b""

    context_s, template_s, weasy_s, plain_s, queries, template_queries = [], [], [], [], [], []
    last: list[str] = []
    repeated: dict[str, int] = {}
    for pk in pks:
        instradata = fetch_instradata(pk)
        with mock.patch.object(moduli, "render_pdf", capture), recorded_sql() as sql:
            started = time.perf_counter()
            moduli.modulo_compilato_pdf(instradata)
            context_s.append(time.perf_counter() - started)
        queries.append(sql.count)
        last, repeated = [short_sql(q) for q in sql.queries], sql.repeated()
        with recorded_sql() as in_template:
            started = time.perf_counter()
            html = render_to_string(captured["template"], captured["contesto"])
            template_s.append(time.perf_counter() - started)
        template_queries.append(in_template.count)
        started = time.perf_counter()
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")
        weasy_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
        plain_s.append(time.perf_counter() - started)
    return {
        "documents": len(pks),
        "sql_and_context_ms": percentiles_ms(context_s),
        "template_ms": percentiles_ms(template_s),
        "weasyprint_ms": percentiles_ms(weasy_s),
        "weasyprint_plain_pdf_ms": percentiles_ms(plain_s),
        "queries_per_document": sorted(set(queries)),
        "template_queries": sorted(set(template_queries)),
        "queries_of_the_last_document": last,
        "repeated_sql": repeated,
    }


def measure_pool(pool_size: int, pks: list[int], minimal: int) -> dict[str, Any]:
    """Documents per second with ``pool_size`` forked processes, each rendering one document at a time as a prefork
    Celery worker's processes do: the moduli, then the minimal document in the same pool."""
    from django.db import connections

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(pool_size + 1)
    connections.close_all()  # the children open their own connections; none is shared across the fork
    with context.Pool(pool_size, initializer=_pool_init, initargs=(barrier, pks[0])) as pool:
        barrier.wait(timeout=300)  # every process has rendered one modulo and one minimal document
        started = time.perf_counter()
        moduli = pool.map(render_modulo, pks, chunksize=1)
        moduli_s = time.perf_counter() - started
        started = time.perf_counter()
        minimi = pool.map(render_minimal, range(minimal), chunksize=1)
        minimal_s = time.perf_counter() - started
    return {
        "pool_size": pool_size,
        "moduli": len(pks),
        "moduli_wall_s": round(moduli_s, 3),
        "moduli_per_s": round(len(pks) / moduli_s, 2),
        "moduli_ms_in_process": percentiles_ms([s for s, _ in moduli]),
        "minimal": minimal,
        "minimal_wall_s": round(minimal_s, 3),
        "minimal_per_s": round(minimal / minimal_s, 2),
        "minimal_ms_in_process": percentiles_ms([s for s, _ in minimi]),
    }


def blank_moduli(uncached: int, cached: int) -> dict[str, Any]:
    """``modulo_vuoto_pdf`` for allegati 2-5: on a cache miss (its keys deleted from Redis before each call) and
    from the cache; and the public page that serves it, through the test Client."""
    from django.test import Client

    from abilitazioni.moduli import ALLEGATI, modulo_vuoto_pdf

    client = local_redis(REDIS_URL)

    def forget() -> None:
        keys = list(client.scan_iter(match="*abilitazioni:modulo-vuoto:*"))
        if keys:
            client.delete(*keys)

    miss, hit, sizes = [], [], {}
    for allegato in ALLEGATI:
        for _ in range(uncached):
            forget()
            started = time.perf_counter()
            sizes[allegato] = len(modulo_vuoto_pdf(allegato))
            miss.append(time.perf_counter() - started)
        modulo_vuoto_pdf(allegato)
        for _ in range(cached):
            started = time.perf_counter()
            modulo_vuoto_pdf(allegato)
            hit.append(time.perf_counter() - started)
    with recorded_sql() as counted:
        modulo_vuoto_pdf(2)
    browser, path, page = Client(), "/modulistica/allegato-2.pdf", []
    status = browser.get(path).status_code
    for _ in range(cached):
        started = time.perf_counter()
        browser.get(path)
        page.append(time.perf_counter() - started)
    return {
        "uncached": len(miss),
        "uncached_ms": percentiles_ms(miss),
        "cached": len(hit),
        "cached_ms": percentiles_ms(hit),
        "cached_queries": counted.count,
        "pdf_bytes": sizes,
        "page": {"path": path, "status": status, "ms": percentiles_ms(page), "requests": len(page)},
    }


def measure_pdf(queue: Queue, documents: int, pool_size: int, pool_source: str) -> dict[str, Any]:
    pks = queue.moduli[:documents]
    if len(pks) < documents:
        raise BenchError(f"only {len(pks)} routed requests of allegato 2 for {documents} documents")
    for _ in range(2):  # fonts, templates, WeasyPrint's imports
        render_minimal()
        render_modulo(pks[0])
    sequential, minimal = [], []
    for pk in pks:  # in turn, so that other load on the machine falls on both alike
        sequential.append(render_modulo(pk))
        minimal.append(render_minimal())
    log(f"moduli in sequence: median {statistics.median(s for s, _ in sequential) * 1000:.1f} ms")
    breakdown = modulo_breakdown(pks[: min(len(pks), 10)])
    pool = measure_pool(pool_size, pks, documents)
    log(f"pool of {pool_size}: {pool['moduli_per_s']} moduli/s, {pool['minimal_per_s']} minimal documents/s")
    blank = blank_moduli(uncached=max(2, documents // 12), cached=max(10, documents))
    seq_s = [s for s, _ in sequential]
    min_s = [s for s, _ in minimal]
    return {
        "documents": documents,
        "sequential": {
            "modulo_ms": percentiles_ms(seq_s),
            "modulo_per_s": round(len(seq_s) / sum(seq_s), 2),
            "modulo_bytes_median": int(statistics.median(b for _, b in sequential)),
            "minimal_ms": percentiles_ms(min_s),
            "minimal_per_s": round(len(min_s) / sum(min_s), 2),
            "minimal_bytes": minimal[0][1],
        },
        "breakdown": breakdown,
        "pool": {**pool, "source": pool_source},
        "blank": blank,
    }


def pdf_rows(pdf: dict[str, Any]) -> list[PdfRow]:
    seq, pool, blank, parts = pdf["sequential"], pdf["pool"], pdf["blank"], pdf["breakdown"]
    n = pool["pool_size"]
    rows = [
        PdfRow("minimal one-line document, PDF/A-3b (baseline)", pdf["documents"], seq["minimal_ms"]["median"],
               seq["minimal_ms"]["p95"], seq["minimal_per_s"]),
        PdfRow("modulo_compilato_pdf, one after the other", pdf["documents"], seq["modulo_ms"]["median"],
               seq["modulo_ms"]["p95"], seq["modulo_per_s"]),
        PdfRow("  of which SQL and context", parts["documents"], parts["sql_and_context_ms"]["median"],
               parts["sql_and_context_ms"]["p95"], None,
               note=f"{'/'.join(map(str, parts['queries_per_document']))} queries"),
        PdfRow("  of which the template", parts["documents"], parts["template_ms"]["median"],
               parts["template_ms"]["p95"], None),
        PdfRow("  of which WeasyPrint (PDF/A-3b)", parts["documents"], parts["weasyprint_ms"]["median"],
               parts["weasyprint_ms"]["p95"], None),
        PdfRow("  WeasyPrint, same HTML, plain PDF", parts["documents"], parts["weasyprint_plain_pdf_ms"]["median"],
               parts["weasyprint_plain_pdf_ms"]["p95"], None, note="for comparison"),
        PdfRow(f"minimal document, pool of {n} processes (baseline)", pool["minimal"],
               pool["minimal_ms_in_process"]["median"], pool["minimal_ms_in_process"]["p95"], pool["minimal_per_s"]),
        PdfRow(f"modulo_compilato_pdf, pool of {n} processes", pool["moduli"], pool["moduli_ms_in_process"]["median"],
               pool["moduli_ms_in_process"]["p95"], pool["moduli_per_s"]),
        PdfRow("modulo_vuoto_pdf, cache miss", blank["uncached"], blank["uncached_ms"]["median"],
               blank["uncached_ms"]["p95"], None),
        PdfRow("modulo_vuoto_pdf, from the cache", blank["cached"], blank["cached_ms"]["median"],
               blank["cached_ms"]["p95"], None, note=f"{blank['cached_queries']} queries"),
        PdfRow(f"GET {blank['page']['path']}, from the cache", blank["page"]["requests"],
               blank["page"]["ms"]["median"], blank["page"]["ms"]["p95"], None,
               note=f"status {blank['page']['status']}"),
    ]  # fmt: skip
    baseline = seq["minimal_ms"]["median"]
    pool_baseline = pool["minimal_ms_in_process"]["median"]
    for row in rows:
        base = pool_baseline if "pool" in row.label else baseline
        if row.median_ms is not None and base and not row.label.startswith("  "):
            row.x_minimal = round(row.median_ms / base, 2)
    return rows


def pdf_table(rows: list[PdfRow]) -> str:
    header = ["measure", "docs", "median ms", "p95 ms", "docs/s", "x minimal", "note"]
    cells = [
        [r.label, str(r.documents), _fmt(r.median_ms), _fmt(r.p95_ms), _fmt(r.docs_per_s), _fmt(r.x_minimal, 2),
         r.note]
        for r in rows
    ]  # fmt: skip
    return text_table(header, cells)


# --- Main -----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[100, 1_000, 10_000],
        help="requests in the Sede's queue at each measure, comma-separated (100,1000,10000)",
    )  # fmt: skip
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per page and size (30)")
    parser.add_argument("--documents", type=int, default=100, help="moduli rendered in each PDF measure (100)")
    parser.add_argument("--pool-size", type=int, default=0, help="processes of the PDF pool (the worker's concurrency)")
    parser.add_argument("--part", choices=["all", "pages", "pdf"], default="all", help="what to measure (all)")
    parser.add_argument("--quick", action="store_true", help="10 requests per page, 16 documents")
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database in place at the end")
    options = parser.parse_args(argv)
    if options.quick:
        options.repeats, options.documents = 10, 16
    if sorted(options.sizes) != options.sizes or min(options.sizes) < len(STATUS_CYCLE):
        # Below one cycle of statuses there is no request in each status for the change and decide pages.
        parser.error(f"--sizes must be increasing, from at least {len(STATUS_CYCLE)}")
    if min(options.repeats, options.documents) < 1 or options.pool_size < 0:
        parser.error("--repeats and --documents must be positive")
    return options


def run(options: argparse.Namespace) -> int:
    database = Database.from_url(os.environ.get("BENCH_ABIL_DATABASE_URL") or DEFAULT_DATABASE_URL)
    began = time.monotonic()
    description = machine()
    description["postgresql"] = database.server_version()
    description["weasyprint"] = _version("weasyprint")
    description["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    env = bench_env(database.url, secrets.token_urlsafe(48))
    report: dict[str, Any] = {"machine": description}
    log(f"database {database.name}: drop, create, migrate, load_registry, collectstatic; Redis {REDIS_URL}: flush")
    database.recreate()
    try:
        local_redis(REDIS_URL).flushdb()
        manage(["migrate", "--noinput"], env)
        manage(["load_registry"], env)
        manage(["collectstatic", "--noinput"], env)
        setup_django(env)
        pool_size, pool_source = worker_concurrency()
        if options.pool_size:
            pool_size, pool_source = options.pool_size, "--pool-size"
        operators = max(10, max(options.sizes) // OPERATORS_PER_REQUEST)
        started = time.perf_counter()
        queue = create_people(operators)
        took = time.perf_counter() - started
        log(f"{ENTI} Enti, {operators} operators with a PIN, one Sede staff member in {took:.1f} s")
        if options.part in {"all", "pages"}:
            results, steps = measure_pages(queue, options.sizes, options.repeats)
            report["pages"] = {"results": [asdict(r) for r in results], "data": steps}
        if options.part in {"all", "pdf"}:
            if queue.requests < options.documents:
                add_requests(queue, options.documents - queue.requests)
            report["pdf"] = measure_pdf(queue, options.documents, pool_size, pool_source)
    finally:
        release(database, options.keep_db, REDIS_URL)
    report["config"] = {
        "settings": "inps_portal.settings.production (in this process, DEBUG off, Django's test Client)",
        "sizes": options.sizes,
        "repeats": options.repeats,
        "warmup": WARMUP,
        "documents": options.documents,
        "redis": REDIS_URL,
        "wall_time_s": round(time.monotonic() - began, 1),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    print_report(report)
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written {RESULTS_FILE.relative_to(BASE_DIR)}")
    return 0


def print_report(report: dict[str, Any]) -> None:
    config = report["config"]
    print()
    print(
        f"{report['machine']['nproc']} CPUs; load average (1, 5, 15 min) {report['machine']['load_average_at_start']} "
        f"at the start, {config['load_average_at_end']} at the end: other work on the machine shows in the timings"
    )
    if "pages" in report:
        results = [PageResult(**r) for r in report["pages"]["results"]]
        print(
            f"Review queue: Django test Client in this process, production settings, {config['warmup']} warm-up + "
            f"{config['repeats']} timed requests per page; SQL = queries of one more request; x table = median / "
            "median of /bench/table (anonymous) at the same size"
        )
        print(pages_table(results))
        for line in growth_lines(results):
            print(line)
        last = max(r.queue for r in results)
        for r in results:
            if r.queue == last and r.slowest_sql_ms >= 1.0:
                print(f"slowest SQL of {r.label} at {last:,} ({r.slowest_sql_ms} ms): {r.slowest_sql[:300]}")
        for r in results:
            if r.queue == last:
                for shape, n in r.repeated_sql.items():
                    print(f"same query {n} times in {r.label} ({r.user}): {shape[:220]}")
        for r in results:
            if r.queue == last and r.inlines is not None:
                print(f"{r.label} ({r.user}): inlines shown: {', '.join(r.inlines) or 'none'}")
        for r in results:
            if r.status != 200 or r.statuses != [200]:
                print(f"note: {r.label} ({r.user}) at {r.queue:,}: statuses {r.statuses}")
        print()
    if "pdf" in report:
        pdf = report["pdf"]
        pool = pdf["pool"]
        print(
            f"Modulo PDF: {pdf['documents']} routed requests of allegato 2; pool of {pool['pool_size']} forked "
            f"processes ({pool['source']}); docs/s = documents / wall time; x minimal = median / median of the "
            "minimal document (in the pool: of the minimal document in the pool)"
        )
        print(pdf_table(pdf_rows(pdf)))
        seq = pdf["sequential"]
        print(
            f"pool speed-up: moduli x{pool['moduli_per_s'] / seq['modulo_per_s']:.2f}, minimal document "
            f"x{pool['minimal_per_s'] / seq['minimal_per_s']:.2f} over one process; PDF size: modulo "
            f"{seq['modulo_bytes_median']:,} bytes, minimal {seq['minimal_bytes']:,} bytes, blank moduli "
            f"{pdf['blank']['pdf_bytes']}"
        )
        print("queries of modulo_compilato_pdf (one document):")
        for sql in pdf["breakdown"]["queries_of_the_last_document"]:
            print(f"  {sql}")
        for shape, n in pdf["breakdown"]["repeated_sql"].items():
            print(f"same query {n} times in modulo_compilato_pdf: {shape[:220]}")


def main() -> int:
    return run_main(run, parse_args)


if __name__ == "__main__":
    sys.exit(main())
