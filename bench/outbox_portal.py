"""The portal's side of ``bench.outbox``: N messages through ``pec_spedisci``, the Celery worker and the receipt
reader, timed until every one is final, then what the status events and the receiving side say.

Runs in the scenario's process with Django set up (local settings, ``DEBUG`` off, the real broker).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

from bench.harness.core import BenchError, log
from bench.harness.load import Loop
from bench.harness.measure import CpuMeter, Percentiles, percentiles_ms
from bench.harness.processes import Service

MODELLO = "prova"
READ_EVERY_S = 0.2  # the receipt reader's pause between two passes
POLL_EVERY_S = 0.2  # the status poll's period
SENT = ("inviato", "accettato", "non_accettato", "consegnato", "errore_consegna")  # "inviato or beyond"
FINAL = ("consegnato", "errore_consegna", "non_accettato", "fallito")
READER = f"a thread of the scenario calling leggi_ricevute() every {READ_EVERY_S} s (no Celery beat)"


def recipient(index: int) -> str:
    return f"destinatario{index:06d}@pec.example.it"  # a domain the gateway delivers to


@dataclass
class Monitor:
    """The status poll: seconds from the first ``pec_spedisci`` until all were sent, consegnato, final."""

    total: int
    started: float = field(default_factory=time.monotonic)
    all_sent_s: float | None = None
    all_consegnati_s: float | None = None
    all_final_s: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    receipts: int = 0

    def poll(self) -> None:
        from django.db.models import Count

        from inps_portal.pec.models import MessaggioPEC

        self.counts = dict(MessaggioPEC.objects.order_by().values_list("status").annotate(n=Count("id")))
        elapsed = time.monotonic() - self.started
        if self.all_sent_s is None and sum(self.counts.get(s, 0) for s in SENT) >= self.total:
            self.all_sent_s = elapsed
        if self.all_consegnati_s is None and self.counts.get("consegnato", 0) >= self.total:
            self.all_consegnati_s = elapsed
        if self.all_final_s is None and sum(self.counts.get(s, 0) for s in FINAL) >= self.total:
            self.all_final_s = elapsed
            self.done.set()

    def read(self) -> None:
        from inps_portal.pec.casella import leggi_ricevute

        self.receipts += leggi_ricevute()


@dataclass
class PortalRun:
    monitor: Monitor
    enqueue_s: float
    wall_start: datetime
    cpu_s: dict[str, float]  # from the first pec_spedisci until every message was final
    timed_out: bool


def enqueue(count: int, batch: int) -> float:
    """``pec_spedisci`` ``count`` times in transactions of ``batch``: each message is enqueued at its commit."""
    from django.db import transaction

    from inps_portal.pec.services import pec_spedisci

    started, cpu = time.monotonic(), time.thread_time()
    for first in range(0, count, batch):
        with transaction.atomic():
            for index in range(first, min(first + batch, count)):
                pec_spedisci(modello=MODELLO, destinatari=[recipient(index)])
    log(f"enqueued {count} messages in {time.monotonic() - started:.1f} s; waiting until every one is final")
    return time.thread_time() - cpu


def run_portal(count: int, batch: int, timeout_s: float, worker: Service, meter: CpuMeter) -> PortalRun:
    before, wall_start = meter.snapshot(), datetime.now(UTC)
    monitor = Monitor(total=count)
    loops = [Loop("receipt reader", monitor.read, READ_EVERY_S), Loop("status poll", monitor.poll, POLL_EVERY_S)]
    for loop in loops:
        loop.start()
    timed_out = False
    try:
        enqueue_cpu = enqueue(count, batch)
        enqueue_s = time.monotonic() - monitor.started
        while not monitor.done.wait(0.5):
            if failed := [loop for loop in loops if loop.error is not None]:
                raise BenchError(f"{failed[0].name} failed: {failed[0].error!r}")
            worker.check_alive()
            if timed_out := time.monotonic() - monitor.started > timeout_s:
                log(f"timeout after {timeout_s:.0f} s: {monitor.counts}")
                break
        cpu = meter.used(before)
    finally:
        for loop in loops:
            loop.stop()
    own = cpu.pop("benchmark")
    cpu |= {"scenario: pec_spedisci": enqueue_cpu, "scenario: receipt reader": loops[0].cpu_s}
    cpu["scenario: status poll, other"] = own - enqueue_cpu - loops[0].cpu_s
    return PortalRun(monitor, enqueue_s, wall_start, cpu, timed_out)


@dataclass(frozen=True)
class Stages:
    """Per-message stage durations from the status events (written by the worker and the reader with their own
    clock: no polling delay), and the instants of the last send and the last consegna from the first pec_spedisci."""

    queue_wait: Percentiles
    send: Percentiles
    sent_to_consegnato: Percentiles
    last_sent_s: float | None
    last_consegnato_s: float | None
    attempts_max: int | None


def stages(wall_start: datetime) -> Stages:
    from django.db.models import Max

    from inps_portal.pec.models import EventoPEC, MessaggioPEC

    at: dict[int, dict[str, datetime]] = {}
    for messaggio_id, a, quando in EventoPEC.objects.order_by("quando").values_list("messaggio_id", "a", "quando"):
        at.setdefault(messaggio_id, {}).setdefault(a, quando)
    sent = {pk: moment for pk, moment in MessaggioPEC.objects.values_list("pk", "inviato_il") if moment}

    def spans(start: str, end: str) -> list[float]:
        return [(e[end] - e[start]).total_seconds() for e in at.values() if start in e and end in e]

    def since_sent(status: str, *, before: bool) -> list[float]:
        found = [(e[status] - sent[pk]).total_seconds() for pk, e in at.items() if pk in sent and status in e]
        return [-x for x in found] if before else found

    consegne = [e["consegnato"] for e in at.values() if "consegnato" in e]
    return Stages(
        queue_wait=percentiles_ms(spans("da_inviare", "in_invio")),
        send=percentiles_ms(since_sent("in_invio", before=True)),
        sent_to_consegnato=percentiles_ms(since_sent("consegnato", before=False)),
        last_sent_s=(max(sent.values()) - wall_start).total_seconds() if sent else None,
        last_consegnato_s=(max(consegne) - wall_start).total_seconds() if consegne else None,
        attempts_max=MessaggioPEC.objects.aggregate(m=Max("tentativi"))["m"],
    )


def maildir_files(folder: Path) -> list[Path]:
    return [f for sub in ("new", "cur") if (folder / sub).is_dir() for f in (folder / sub).iterdir() if f.is_file()]


def receiving_side(consegnati: Path) -> dict[str, int]:
    """Lost and duplicated messages, counted on the copies the gateway delivered (its ``consegnati`` Maildir)."""
    from inps_portal.pec.models import MessaggioPEC

    parser, seen = BytesHeaderParser(), Counter[str]()
    for path in maildir_files(consegnati):
        with path.open("rb") as handle:
            seen[str(parser.parse(handle)["Message-ID"] or "").strip()] += 1
    portal = set(MessaggioPEC.objects.values_list("message_id", flat=True))
    return {
        "copies": sum(seen.values()),
        "duplicated": sum(1 for n in seen.values() if n > 1),
        "extra copies": sum(n - 1 for n in seen.values() if n > 1),
        "missing": len(portal - set(seen)),
        "unknown": len(set(seen) - portal),
    }
