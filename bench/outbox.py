"""Benchmark of the PEC outbox end to end (``bench/outbox.py``).

Sends N messages (5,000 by default) through the portal's outbox as it runs for real: ``pec_send`` in the caller's
transactions, a real Celery worker (prefork, Redis broker) running ``pec.invia``, the development PEC gateway as an
SMTP server in its own process, and a receipt reader calling ``leggi_ricevute()`` every 0.2 s. It measures messages
per second until all are sent and until all are ``consegnato``, beside a plain ``smtplib`` loop sending the same
number of messages of the same size to the same gateway (the limit), and counts lost and duplicated messages on the
receiving side (the gateway's ``consegnati`` Maildir). Results go to ``bench/results/outbox.json``.

It is a measurement, not a test: nothing is asserted on timings. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from run import (
    BASE_DIR,
    HOST,
    PYTHON,
    BenchError,
    Database,
    _base_env,
    _fmt,
    _stop,
    _version,
    free_port,
    local_redis,
    log,
    machine,
    manage,
    release,
    run_main,
    summarize_log,
)

RESULTS_FILE = BASE_DIR / "bench" / "results" / "outbox.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/inps_portal_bench_outbox"
REDIS_URL = "redis://127.0.0.1:6379/13"
SETTINGS = "inps_portal.settings.local"
MODELLO = "prova"
RECIPIENT_DOMAIN = "pec.example.it"  # not a domain the gateway treats as dead: every message is delivered
READ_EVERY_S = 0.2  # the receipt reader's pause between two passes
POLL_EVERY_S = 0.2  # the status poll's period
START_TIMEOUT_S = 60  # gateway listening, worker answering ping
SMTP_TIMEOUT_S = 30

SENT = ("inviato", "accettato", "non_accettato", "consegnato", "errore_consegna")  # "inviato or beyond"
FINAL = ("consegnato", "errore_consegna", "non_accettato", "fallito")
READER = f"loop in the benchmark process (a thread) calling leggi_ricevute() every {READ_EVERY_S} s, no Celery beat"


# --- Environment ----------------------------------------------------------------------------------------------------


def outbox_env(database_url: str, maildir: Path, smtp_port: int, conn_max_age: int) -> dict[str, str]:
    """The environment of the gateway, the worker and the benchmark's own Django: local settings, real services.

    DEBUG is off (local defaults it on, which makes every process keep a log of its SQL queries) and the log level
    is WARNING (the outbox logs one INFO line per message sent). Every variable the outbox reads is set here, so
    that the caller's environment cannot change what is measured.
    """
    return {
        **_base_env(),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": str(conn_max_age),
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PEC_SMTP_URL": f"smtp://{HOST}:{smtp_port}",
        "PEC_MAILDIR": str(maildir),
        "PEC_IMAP_URL": "",
        "PORTAL_CLOCK_NOW": "",
    }


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with the same environment as the worker's."""
    os.environ.update(env)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import inps_portal  # noqa: F401 - makes the portal's Celery app the current one, as in the web process


def redis_leftovers() -> dict[str, int]:
    """What the broker still holds after the run: queued tasks and tasks delivered but not acknowledged."""
    client = local_redis(REDIS_URL)
    return {"queued": int(client.llen("celery")), "unacked": int(client.hlen("unacked"))}  # type: ignore[arg-type]


# --- Subprocesses ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Process:
    """A running subprocess of the benchmark and its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            tail = "\n".join(self.log_lines()[-20:])
            raise BenchError(f"{self.name} exited with status {self.process.returncode}:\n{tail}")

    def log_lines(self) -> list[str]:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if line.strip()]


@contextmanager
def subprocess_running(name: str, command: list[str], env: dict[str, str], log_path: Path) -> Iterator[Process]:
    """Run a command in a session of its own for the duration of the block; the whole group is always stopped."""
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        log(f"{name} pid {process.pid}")
        try:
            yield Process(name, process, log_path)
        finally:
            _stop(process)
            log(f"{name} stopped")


def without_banner(lines: list[str]) -> list[str]:
    """A worker's log without Celery's start-up banner (which it prints at any log level) and what precedes it."""
    ends = [i for i, line in enumerate(lines) if ".> celery " in line and "exchange=" in line]
    return lines[ends[0] + 1 :] if ends else lines


@contextmanager
def logs_on_error(*processes: Process) -> Iterator[None]:
    """On any error, print what the subprocesses logged before they are stopped."""
    try:
        yield
    except BaseException:
        for process in processes:
            for entry in summarize_log(without_banner(process.log_lines())):
                print(f"{process.name} log: {entry}", file=sys.stderr)
        raise


def wait_smtp(gateway: Process, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        gateway.check_alive()
        try:
            with smtplib.SMTP(HOST, port, timeout=2) as smtp:
                smtp.noop()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise BenchError(f"the gateway did not listen on {HOST}:{port} within {START_TIMEOUT_S} s") from None
            time.sleep(0.1)


def wait_worker(worker: Process, hostname: str) -> None:
    from inps_portal.celery import app

    deadline = time.monotonic() + START_TIMEOUT_S
    while not app.control.ping(destination=[hostname], timeout=0.5):
        worker.check_alive()
        if time.monotonic() > deadline:
            raise BenchError(f"the Celery worker {hostname} did not answer within {START_TIMEOUT_S} s")


# --- CPU time -----------------------------------------------------------------------------------------------------


def _proc_stats() -> dict[int, tuple[str, int, int, float, float]]:
    """Every process: name, parent, process group, own CPU seconds, CPU seconds of its reaped children."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()  # fields[0] is the state, field 3 of proc(5)
        own = (int(fields[11]) + int(fields[12])) / tick
        reaped = (int(fields[13]) + int(fields[14])) / tick
        found[int(entry.name)] = (name, int(fields[1]), int(fields[2]), own, reaped)
    return found


@dataclass(frozen=True)
class CpuMeter:
    """CPU seconds used so far by each component of the run, read from /proc (Linux).

    A process group counts its live processes and the children they have reaped; PostgreSQL counts the postmaster,
    everything it has reaped (the backends of closed connections) and its live children, whoever they serve.
    """

    groups: dict[str, int]  # name -> process group id of a subprocess started in a session of its own

    def snapshot(self) -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = {"benchmark process": usage.ru_utime + usage.ru_stime}
        if not Path("/proc/self/stat").exists():
            return cpu
        stats = _proc_stats()
        for name, pgid in self.groups.items():
            cpu[name] = sum(own + reaped for _, _, group, own, reaped in stats.values() if group == pgid)
        for server in ("postgres", "redis-server"):
            roots = {pid for pid, (n, ppid, *_) in stats.items() if n == server and stats.get(ppid, ("",))[0] != n}
            cpu[server.removesuffix("-server")] = sum(
                own + (reaped if pid in roots else 0.0)
                for pid, (_, ppid, _, own, reaped) in stats.items()
                if pid in roots or ppid in roots
            )
        return cpu

    @staticmethod
    def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {name: round(after[name] - before.get(name, 0.0), 3) for name in after}


# --- Maildirs -------------------------------------------------------------------------------------------------------


def maildir_files(folder: Path) -> list[Path]:
    return [f for sub in ("new", "cur") if (folder / sub).is_dir() for f in (folder / sub).iterdir() if f.is_file()]


def clear_maildir(folder: Path) -> None:
    """Empty a Maildir the gateway keeps open: only its files go, the folders stay."""
    for sub in ("new", "cur", "tmp"):
        if (folder / sub).is_dir():
            for item in (folder / sub).iterdir():
                item.unlink()


def delivered_message_ids(folder: Path) -> Counter[str]:
    """Message-IDs of the copies the gateway delivered, with how many times each was seen."""
    parser = BytesHeaderParser()
    seen: Counter[str] = Counter()
    for path in maildir_files(folder):
        with path.open("rb") as handle:
            seen[str(parser.parse(handle)["Message-ID"] or "").strip()] += 1
    return seen


# --- The messages ---------------------------------------------------------------------------------------------------


def recipient(index: int) -> str:
    return f"destinatario{index:06d}@{RECIPIENT_DOMAIN}"


@dataclass(frozen=True)
class Envelope:
    mittente: str
    destinatari: list[str]
    dati: bytes


def build_envelopes(count: int) -> list[Envelope]:
    """The bytes the worker would send for ``count`` real outbox rows, built with ``componi_email``.

    The rows are written by ``pec_send`` in a transaction that is then rolled back: nothing stays in the outbox and
    nothing is enqueued (the enqueue happens on commit only).
    """
    from django.db import transaction

    from inps_portal.pec.services import componi_email, pec_send

    envelopes = []
    with transaction.atomic():
        for index in range(count):
            messaggio = pec_send(modello=MODELLO, destinatari=[recipient(index)])
            envelopes.append(Envelope(messaggio.mittente, [recipient(index)], componi_email(messaggio)))
        transaction.set_rollback(True)
    return envelopes


# --- Baseline: plain smtplib ----------------------------------------------------------------------------------------


@dataclass
class Baseline:
    variant: str
    messages: int
    seconds: float
    rate: float
    errors: int
    delivered: int  # copies in the gateway's consegnati Maildir afterwards
    cpu_s: dict[str, float] = field(default_factory=dict)


def plain_loop(envelopes: list[Envelope], port: int, *, one_connection: bool) -> tuple[float, int]:
    """Send every envelope with smtplib; return the seconds taken and the number of failed sends."""
    errors = 0
    started = time.perf_counter()
    if one_connection:
        with smtplib.SMTP(HOST, port, timeout=SMTP_TIMEOUT_S) as smtp:
            for envelope in envelopes:
                try:
                    errors += bool(smtp.sendmail(envelope.mittente, envelope.destinatari, envelope.dati))
                except smtplib.SMTPException:
                    errors += 1
    else:
        for envelope in envelopes:  # what transport.consegna does for each message
            try:
                with smtplib.SMTP(HOST, port, timeout=SMTP_TIMEOUT_S) as smtp:
                    errors += bool(smtp.sendmail(envelope.mittente, envelope.destinatari, envelope.dati))
            except (smtplib.SMTPException, OSError):
                errors += 1
    return time.perf_counter() - started, errors


def run_baselines(
    envelopes: list[Envelope], port: int, maildir: Path, consegnati: Path, meter: CpuMeter
) -> list[Baseline]:
    results = []
    for variant, one_connection in (("smtplib, one connection per message", False), ("smtplib, one connection", True)):
        before = meter.snapshot()
        seconds, errors = plain_loop(envelopes, port, one_connection=one_connection)
        cpu = meter.used(before, meter.snapshot())
        delivered = len(maildir_files(consegnati))
        results.append(Baseline(variant, len(envelopes), seconds, len(envelopes) / seconds, errors, delivered, cpu))
        log(f"baseline {variant}: {len(envelopes) / seconds:.1f} msg/s ({seconds:.1f} s, {delivered} delivered)")
        clear_maildir(maildir)
        clear_maildir(consegnati)
    return results


# --- The portal -----------------------------------------------------------------------------------------------------


class Loop(threading.Thread):
    """Call ``step`` in a thread of its own, pausing ``every`` seconds between calls, until stopped.

    The thread has its own database connection (Django's are per thread), closed when it ends. An exception ends
    the loop and is kept in ``error``.
    """

    def __init__(self, name: str, step: Callable[[], None], every: float) -> None:
        super().__init__(name=name, daemon=True)
        self.step, self.every = step, every
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stopping.is_set():
                self.step()
                self.stopping.wait(self.every)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)


@dataclass
class ReaderStats:
    passes: int = 0
    receipts: int = 0
    busy_s: float = 0.0
    cpu_s: float = 0.0  # CPU time of the reader's thread
    longest_pass_s: float = 0.0


@dataclass
class Monitor:
    """The status poll: when all messages were first seen sent, and consegnato (seconds from the first send)."""

    total: int
    started: float
    all_sent_s: float | None = None
    all_consegnati_s: float | None = None
    all_final_s: float | None = None
    last_counts: dict[str, int] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def poll(self) -> None:
        from django.db.models import Count

        from inps_portal.pec.models import MessaggioPEC

        rows = MessaggioPEC.objects.order_by().values_list("status").annotate(n=Count("id"))
        counts: dict[str, int] = dict(rows)
        elapsed = time.monotonic() - self.started
        self.last_counts = counts
        if not self.timeline or elapsed - self.timeline[-1]["t"] >= 1.0:
            self.timeline.append({"t": round(elapsed, 2), **counts})
        if self.all_sent_s is None and sum(counts.get(s, 0) for s in SENT) >= self.total:
            self.all_sent_s = elapsed
        if self.all_consegnati_s is None and counts.get("consegnato", 0) >= self.total:
            self.all_consegnati_s = elapsed
        if self.all_final_s is None and sum(counts.get(s, 0) for s in FINAL) >= self.total:
            self.all_final_s = elapsed
            self.done.set()


@dataclass
class PortalRun:
    messages: int
    batch: int
    enqueue_s: float
    monitor: Monitor
    reader: ReaderStats
    wall_start: datetime
    timed_out: bool
    enqueue_cpu_s: float  # CPU time of the thread that called pec_send
    cpu_s: dict[str, float]  # from the first pec_send until every message was final (or the timeout)


def run_portal(count: int, batch: int, timeout_s: float, worker: Process, meter: CpuMeter) -> PortalRun:
    """``pec_send`` ``count`` times in transactions of ``batch`` messages, then wait until every one is final."""
    from django.db import transaction

    from inps_portal.pec.casella import leggi_ricevute
    from inps_portal.pec.services import pec_send

    stats = ReaderStats()

    def read() -> None:
        started, cpu_started = time.perf_counter(), time.thread_time()
        stats.receipts += leggi_ricevute()
        took = time.perf_counter() - started
        stats.passes += 1
        stats.busy_s += took
        stats.cpu_s += time.thread_time() - cpu_started
        stats.longest_pass_s = max(stats.longest_pass_s, took)

    cpu_before = meter.snapshot()
    wall_start = datetime.now().astimezone()
    started, cpu_started = time.monotonic(), time.thread_time()
    monitor = Monitor(total=count, started=started)
    reader, poller = Loop("receipt-reader", read, READ_EVERY_S), Loop("status-poll", monitor.poll, POLL_EVERY_S)
    reader.start()
    poller.start()
    timed_out = False
    try:
        for first in range(0, count, batch):
            with transaction.atomic():  # the enqueue of each message happens when this commits
                for index in range(first, min(first + batch, count)):
                    pec_send(modello=MODELLO, destinatari=[recipient(index)])
        enqueue_s, enqueue_cpu_s = time.monotonic() - started, time.thread_time() - cpu_started
        log(f"enqueued {count} messages in {enqueue_s:.1f} s; waiting until every one is consegnato")
        deadline = started + timeout_s
        next_note = time.monotonic() + 10
        while not monitor.done.wait(0.5):
            for thread in (reader, poller):
                if thread.error is not None:
                    raise BenchError(f"{thread.name} failed: {thread.error!r}") from thread.error
            worker.check_alive()
            if time.monotonic() > deadline:
                timed_out = True
                log(f"timeout after {timeout_s:.0f} s")
                break
            if time.monotonic() > next_note:
                log(f"  {time.monotonic() - started:.0f} s: {monitor.last_counts}")
                next_note += 10
        cpu = meter.used(cpu_before, meter.snapshot())
    finally:
        poller.stop()
        reader.stop()
    return PortalRun(count, batch, enqueue_s, monitor, stats, wall_start, timed_out, enqueue_cpu_s, cpu)


# --- After the run: what the database and the receiving side say ------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None, "max": None}

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"p50": at(0.50), "p95": at(0.95), "max": round(ordered[-1], 3)}


def stages(wall_start: datetime) -> dict[str, Any]:
    """Per-message stage durations and the exact instants of the last send and the last consegna, from the DB.

    The status events (EventoPEC) are written by the worker and the reader with their own clock: on one machine
    they give the timeline with no polling granularity.
    """
    from django.db.models import Max

    from inps_portal.pec.models import EventoPEC, MessaggioPEC

    at: dict[int, dict[str, datetime]] = {}
    for messaggio_id, a, quando in EventoPEC.objects.order_by().values_list("messaggio_id", "a", "quando"):
        at.setdefault(messaggio_id, {}).setdefault(a, quando)
    sent = dict(MessaggioPEC.objects.exclude(inviato_il=None).values_list("pk", "inviato_il"))

    def spans(start: str, end: str) -> list[float]:
        return [
            (e[end] - e[start]).total_seconds() for e in at.values() if start in e and end in e and e[end] >= e[start]
        ]

    def since_start(moment: datetime | None) -> float | None:
        return round((moment - wall_start).total_seconds(), 3) if moment else None

    consegne = [e["consegnato"] for e in at.values() if "consegnato" in e]
    return {
        "queue_wait_s": percentiles(spans("da_inviare", "in_invio")),
        "send_s": percentiles(
            [(sent[pk] - e["in_invio"]).total_seconds() for pk, e in at.items() if pk in sent and "in_invio" in e]
        ),
        "sent_to_consegnato_s": percentiles(
            [(e["consegnato"] - sent[pk]).total_seconds() for pk, e in at.items() if pk in sent and "consegnato" in e]
        ),
        "created_to_consegnato_s": percentiles(spans("da_inviare", "consegnato")),
        "last_sent_s": since_start(max(sent.values(), default=None)),
        "last_consegnato_s": since_start(max(consegne, default=None)),
        "attempts_max": MessaggioPEC.objects.aggregate(m=Max("tentativi"))["m"],
    }


def receiving_side(consegnati: Path) -> dict[str, Any]:
    """Lost and duplicated messages, counted on the copies the gateway delivered."""
    from inps_portal.pec.models import MessaggioPEC

    seen = delivered_message_ids(consegnati)
    portal = set(MessaggioPEC.objects.values_list("message_id", flat=True))
    duplicated = {mid: n for mid, n in seen.items() if n > 1}
    return {
        "copies": sum(seen.values()),
        "distinct": len(seen),
        "duplicated_ids": len(duplicated),
        "extra_copies": sum(n - 1 for n in duplicated.values()),
        "missing_ids": len(portal - set(seen)),
        "unknown_ids": len(set(seen) - portal),
        "examples_duplicated": sorted(duplicated)[:5],
        "examples_missing": sorted(portal - set(seen))[:5],
    }


# --- Report ---------------------------------------------------------------------------------------------------------


def rate(count: int, seconds: float | None) -> float | None:
    return count / seconds if seconds else None


def table(rows: list[tuple[str, float | None, float | None, float | None]]) -> str:
    return text_table(
        ["measure", "msg/s", "seconds", "x plain loop"],
        [[name, _fmt(r), _fmt(s, 2), _fmt(x, 2)] for name, r, s, x in rows],
    )


def portal_cpu(portal: PortalRun) -> dict[str, float]:
    """The portal phase's CPU seconds, with the benchmark process split into its threads."""
    cpu = dict(portal.cpu_s)
    own = cpu.pop("benchmark process")
    cpu["benchmark: pec_send"] = round(portal.enqueue_cpu_s, 3)
    cpu["benchmark: receipt reader"] = round(portal.reader.cpu_s, 3)
    cpu["benchmark: status poll, other"] = round(own - portal.enqueue_cpu_s - portal.reader.cpu_s, 3)
    return cpu


def cpu_table(baseline: Baseline, portal: PortalRun, portal_s: float | None, cores: int) -> str:
    """CPU milliseconds per message of each component, in the plain loop and in the portal."""
    plain = {("benchmark: smtplib client" if k == "benchmark process" else k): v for k, v in baseline.cpu_s.items()}
    mine = portal_cpu(portal)
    names = list(dict.fromkeys([*mine, *plain]))
    rows = [
        [name, _fmt(plain[name] * 1000 / baseline.messages, 2) if name in plain else "-",
         _fmt(mine[name] * 1000 / portal.messages, 2) if name in mine else "-"]
        for name in names
    ]  # fmt: skip
    plain_total, mine_total = sum(plain.values()), sum(mine.values())
    rows.append(
        ["total", _fmt(plain_total * 1000 / baseline.messages, 2), _fmt(mine_total * 1000 / portal.messages, 2)]
    )
    rows.append(
        [
            f"cores busy (of {cores})",
            _fmt(plain_total / baseline.seconds, 2),
            _fmt(mine_total / portal_s, 2) if portal_s else "-",
        ]
    )
    return text_table(["CPU ms per message", "plain loop", "portal"], rows)


def text_table(header: list[str], cells: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in cells)])


# --- Main -----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="messages sent (default 5000)")
    parser.add_argument("--quick", action="store_true", help="500 messages")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery prefork processes (default 2)")
    parser.add_argument("--batch", type=int, default=100, help="pec_send calls per transaction (default 100)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for every consegna (default 600)")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="CONN_MAX_AGE of every process (default 0, the local settings' default: one connection per task)",
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database in place at the end")
    options = parser.parse_args(argv)
    if options.quick:
        options.messages = 500
    if options.messages < 1 or options.batch < 1 or options.concurrency < 1:
        parser.error("--messages, --batch and --concurrency must be positive")
    return options


def run(options: argparse.Namespace) -> int:
    database = Database.from_url(os.environ.get("BENCH_OUTBOX_DATABASE_URL") or DEFAULT_DATABASE_URL)
    began = time.monotonic()
    description = {k: v for k, v in machine().items() if k not in {"wrk", "gunicorn"}}
    description |= {"celery": _version("celery"), "aiosmtpd": _version("aiosmtpd")}
    description["postgresql"] = database.server_version()
    count = options.messages
    hostname = f"bench-outbox-{os.getpid()}@{socket.gethostname()}"

    with tempfile.TemporaryDirectory(prefix="inps-bench-outbox-") as tmp:
        maildir = Path(tmp) / "pec" / "ricevute"
        consegnati = maildir.parent / "consegnati"
        port = free_port()
        env = outbox_env(database.url, maildir, port, options.conn_max_age)
        log(f"database {database.name}: drop, create, migrate; Redis {REDIS_URL}: flush")
        database.recreate()
        try:
            manage(["migrate", "--noinput"], env)
            local_redis(REDIS_URL).flushdb()
            gateway_cmd = [PYTHON, "manage.py", "pec_gateway", "--host", HOST, "--port", str(port)]
            gateway_cmd += ["--maildir", str(maildir)]
            worker_cmd = [PYTHON, "-m", "celery", "-A", "inps_portal", "worker", "--pool=prefork"]
            worker_cmd += [f"--concurrency={options.concurrency}", "--loglevel=WARNING", f"--hostname={hostname}"]
            with (
                subprocess_running("gateway", gateway_cmd, env, Path(tmp) / "gateway.log") as gw,
                subprocess_running("celery worker", worker_cmd, env, Path(tmp) / "worker.log") as worker,
                logs_on_error(gw, worker),
            ):
                setup_django(env)
                wait_smtp(gw, port)
                wait_worker(worker, hostname)
                log(f"gateway on {HOST}:{port}; worker {hostname} ({options.concurrency} prefork processes) ready")
                log(f"building {count} messages with componi_email (rows rolled back)")
                envelopes = build_envelopes(count)
                size = sum(len(e.dati) for e in envelopes) / count
                meter = CpuMeter({"gateway": gw.process.pid, "celery worker": worker.process.pid})
                baselines = run_baselines(envelopes, port, maildir, consegnati, meter)
                log(f"portal: {count} x pec_send in transactions of {options.batch}; receipts: {READER}")
                portal = run_portal(count, options.batch, options.timeout, worker, meter)
                figures = stages(portal.wall_start)
                received = receiving_side(consegnati)
                leftovers = redis_leftovers()
                counts = portal.monitor.last_counts
                gw.check_alive()
                worker.check_alive()
            worker_log, gateway_log = summarize_log(without_banner(worker.log_lines())), summarize_log(gw.log_lines())
        finally:
            release(database, options.keep_db, REDIS_URL)

    limit, single = baselines
    monitor = portal.monitor
    sent_rate = rate(count, monitor.all_sent_s)
    consegnati_rate = rate(count, monitor.all_consegnati_s)
    lost = count - counts.get("consegnato", 0)

    def ratio(value: float | None) -> float | None:
        return limit.rate / value if value else None

    rows = [
        (limit.variant + " (the limit)", limit.rate, limit.seconds, 1.0),
        (single.variant, single.rate, single.seconds, ratio(single.rate)),
        (f"portal: enqueue (pec_send, {portal.batch} per transaction)", rate(count, portal.enqueue_s),
         portal.enqueue_s, None),
        ("portal: until all sent (inviato or beyond)", sent_rate, monitor.all_sent_s, ratio(sent_rate)),
        ("portal: until all consegnato", consegnati_rate, monitor.all_consegnati_s, ratio(consegnati_rate)),
    ]  # fmt: skip
    print()
    print(f"{count} messages of {size / 1024:.1f} KiB, one recipient each; worker: prefork x {options.concurrency}")
    print(table(rows))
    print()
    print(f"time to last consegnato: {_fmt(monitor.all_consegnati_s, 2)} s (poll every {POLL_EVERY_S} s); "
          f"from the events: last sent {_fmt(figures['last_sent_s'], 2)} s, "
          f"last consegnato {_fmt(figures['last_consegnato_s'], 2)} s")  # fmt: skip
    print(f"ratio to the plain loop (consegnato): {_fmt(ratio(consegnati_rate), 2)} (target: within 3x)")
    print(f"lost (not consegnato at the end): {lost}; statuses: {counts}")
    print(
        f"receiving side: {received['copies']} copies, {received['distinct']} distinct Message-IDs, "
        f"duplicated {received['duplicated_ids']} (extra copies {received['extra_copies']}), "
        f"missing {received['missing_ids']}, unknown {received['unknown_ids']}"
    )
    print(
        "per message (p50 / p95 / max s): "
        + "; ".join(
            f"{name} {_fmt(figures[key]['p50'], 3)} / {_fmt(figures[key]['p95'], 3)} / {_fmt(figures[key]['max'], 3)}"
            for name, key in (
                ("queue wait", "queue_wait_s"),
                ("send", "send_s"),
                ("sent to consegnato", "sent_to_consegnato_s"),
            )
        )
    )
    reader = portal.reader
    print(
        f"receipts: {READER}; {reader.receipts} read in {reader.passes} passes, "
        f"busy {reader.busy_s:.1f} s, longest pass {reader.longest_pass_s:.1f} s"
    )
    if len(portal.cpu_s) > 1:
        print()
        print(cpu_table(limit, portal, monitor.all_final_s or monitor.all_consegnati_s, description["nproc"]))
        print()
    print(f"broker after the run: {leftovers}; max attempts per message: {figures['attempts_max']}")
    if portal.timed_out:
        print(f"note: stopped waiting after --timeout {options.timeout:.0f} s")
    for entry in worker_log:
        print(f"worker log: {entry}")
    for entry in gateway_log:
        print(f"gateway log: {entry}")

    report = {
        "machine": description,
        "config": {
            "settings": SETTINGS,
            "debug": False,
            "conn_max_age": options.conn_max_age,
            "messages": count,
            "message_bytes_avg": round(size),
            "batch": portal.batch,
            "worker": f"celery prefork, concurrency {options.concurrency}",
            "receipt_reader": READER,
            "poll_every_s": POLL_EVERY_S,
            "timeout_s": options.timeout,
            "wall_time_s": round(time.monotonic() - began, 1),
        },
        "baselines": [asdict(b) for b in baselines],
        "portal": {
            "enqueue_s": portal.enqueue_s,
            "enqueue_rate": rate(count, portal.enqueue_s),
            "all_sent_s": monitor.all_sent_s,
            "sent_rate": sent_rate,
            "all_consegnati_s": monitor.all_consegnati_s,
            "consegnati_rate": consegnati_rate,
            "ratio_to_plain_loop": ratio(consegnati_rate),
            "ratio_to_plain_loop_sent": ratio(sent_rate),
            "ratio_to_one_connection_loop": single.rate / consegnati_rate if consegnati_rate else None,
            "timed_out": portal.timed_out,
            "lost": lost,
            "statuses": counts,
            "stages": figures,
            "reader": asdict(reader),
            "cpu_s": portal_cpu(portal),
            "broker_leftovers": leftovers,
            "timeline": monitor.timeline,
        },
        "receiving_side": received,
        "worker_log": worker_log,
        "gateway_log": gateway_log,
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written {RESULTS_FILE.relative_to(BASE_DIR)}")
    return 0


def main() -> int:
    return run_main(run, parse_args)


if __name__ == "__main__":
    sys.exit(main())
