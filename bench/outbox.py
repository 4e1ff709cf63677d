"""The PEC outbox end to end, beside a plain ``smtplib`` loop sending the same messages to the same gateway.

N messages (500 quick, 5,000 full) go through ``pec_spedisci``, a real Celery worker (prefork, Redis broker) and
the development PEC gateway over SMTP; a reader thread applies the receipts. Timed until every one is ``consegnato``,
beside the plain loop (the limit); lost and duplicated messages are counted on the receiving side. Target of the
issue: within 3x of the plain loop, zero lost, zero duplicated. A measurement, not a test.

    python -m bench.outbox [--full] [--messages N] [--concurrency N] [--batch N] [--keep-db]
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import outbox_portal as portal
from bench.harness import report
from bench.harness.core import HOST, PYTHON, base_env, log, parser, run_main, setup_django
from bench.harness.database import Database, prepared
from bench.harness.measure import CpuMeter, rate, ratio
from bench.harness.processes import Service, celery_worker, free_port, running, summarize_log, wait_listening

REDIS_URL = "redis://127.0.0.1:6379/13"
SETTINGS = "inps_portal.settings.local"


def outbox_env(database_url: str, maildir: Path, smtp_port: int) -> dict[str, str]:
    """The gateway's, the worker's and the scenario's: local settings, DEBUG off (no log of every query), real
    services; every variable the outbox reads is set here."""
    return {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PEC_SMTP_URL": f"smtp://{HOST}:{smtp_port}",
        "PEC_MAILDIR": str(maildir),
        "PEC_IMAP_URL": "",
        "PORTAL_CLOCK_NOW": "",
    }


@dataclass(frozen=True)
class Envelope:
    mittente: str
    destinatari: list[str]
    dati: bytes


def build_envelopes(count: int) -> list[Envelope]:
    """The bytes the worker would send for ``count`` real outbox rows (``componi_email``), rolled back after."""
    from django.db import transaction

    from inps_portal.pec.services import componi_email, pec_spedisci

    envelopes = []
    with transaction.atomic():
        for index in range(count):
            messaggio = pec_spedisci(modello=portal.MODELLO, destinatari=[portal.recipient(index)])
            envelopes.append(Envelope(messaggio.mittente, [portal.recipient(index)], componi_email(messaggio)))
        transaction.set_rollback(True)
    return envelopes


def send_one(envelope: Envelope, smtp: smtplib.SMTP | None, port: int) -> bool:
    """One message, on ``smtp`` or on a connection of its own (what the portal's transport does); True if refused."""
    try:
        if smtp is not None:
            return bool(smtp.sendmail(envelope.mittente, envelope.destinatari, envelope.dati))
        with smtplib.SMTP(HOST, port, timeout=30) as own:
            return bool(own.sendmail(envelope.mittente, envelope.destinatari, envelope.dati))
    except (smtplib.SMTPException, OSError):
        return True


@dataclass(frozen=True)
class PlainLoop:
    seconds: float
    errors: int
    delivered: int  # copies in the gateway's consegnati Maildir afterwards
    cpu_s: dict[str, float]


def plain_loop(envelopes: list[Envelope], port: int, maildir: Path, meter: CpuMeter, *, shared: bool) -> PlainLoop:
    """Every envelope with smtplib, then the gateway's Maildirs emptied (the portal's run starts from none)."""
    before, started = meter.snapshot(), time.perf_counter()
    if shared:
        with smtplib.SMTP(HOST, port, timeout=30) as smtp:
            errors = sum(send_one(e, smtp, port) for e in envelopes)
    else:
        errors = sum(send_one(e, None, port) for e in envelopes)
    seconds = time.perf_counter() - started
    cpu = {("scenario: smtplib client" if k == "benchmark" else k): v for k, v in meter.used(before).items()}
    delivered = len(portal.maildir_files(maildir.parent / "consegnati"))
    for folder in (maildir, maildir.parent / "consegnati"):
        for path in [*portal.maildir_files(folder), *(folder / "tmp").glob("*")]:
            path.unlink()
    log(f"plain loop ({'one connection' if shared else 'a connection per message'}): {seconds:.1f} s")
    return PlainLoop(seconds, errors, delivered, cpu)


@dataclass(frozen=True)
class Result:
    limit: PlainLoop  # a connection per message: what the portal's transport does
    single: PlainLoop  # one connection for all
    run: portal.PortalRun
    stages: portal.Stages
    received: dict[str, int]
    message_kib: float


def measure(options: argparse.Namespace, env: dict[str, str], gateway: Service, worker: Service) -> Result:
    maildir, count = Path(env["PEC_MAILDIR"]), options.messages
    setup_django(env)
    import inps_portal  # noqa: F401 - the portal's Celery app becomes the current one, as in the web process

    envelopes = build_envelopes(count)
    meter = CpuMeter({"gateway": gateway.process.pid, "celery worker": worker.process.pid})
    limit = plain_loop(envelopes, gateway.port, maildir, meter, shared=False)
    single = plain_loop(envelopes, gateway.port, maildir, meter, shared=True)
    log(f"portal: {count} x pec_spedisci in transactions of {options.batch}; receipts: {portal.READER}")
    run = portal.run_portal(count, options.batch, options.timeout, worker, meter)
    received = portal.receiving_side(maildir.parent / "consegnati")
    size = sum(len(e.dati) for e in envelopes) / count / 1024
    return Result(limit, single, run, portal.stages(run.wall_start), received, size)


def print_report(result: Result, options: argparse.Namespace) -> None:
    count, run, monitor = options.messages, result.run, result.run.monitor
    base = rate(count, result.limit.seconds)
    rows = [
        ("smtplib, a connection per message (the limit)", result.limit.seconds),
        ("smtplib, one connection", result.single.seconds),
        (f"portal: enqueue (pec_spedisci, {options.batch} per transaction)", run.enqueue_s),
        ("portal: until all sent (inviato or beyond)", monitor.all_sent_s),
        ("portal: until all consegnato", monitor.all_consegnati_s),
    ]
    cells = [[name, report.fmt(rate(count, s)), report.fmt(s, 2), report.fmt(ratio(base, rate(count, s)), 2)]
             for name, s in rows]  # fmt: skip
    print(f"\nPEC outbox: {count} messages of {result.message_kib:.1f} KiB; worker prefork x {options.concurrency}")
    print(report.table(["measure", "msg/s", "seconds", "x plain loop"], cells))
    print(f"lost (not consegnato at the end): {count - monitor.counts.get('consegnato', 0)}; statuses {monitor.counts}")
    print(f"receiving side: {result.received}; receipts read {monitor.receipts}; timed out: {run.timed_out}")
    st = result.stages
    parts = {"queue wait": st.queue_wait, "send": st.send, "sent to consegnato": st.sent_to_consegnato}
    print("per message p50 / p95 ms: " + "; ".join(f"{k} {report.fmt(v.p50)} / {report.fmt(v.p95)}"
                                                   for k, v in parts.items()))  # fmt: skip
    print(f"from the events: last sent {report.fmt(st.last_sent_s, 2)} s, last consegnato "
          f"{report.fmt(st.last_consegnato_s, 2)} s; max attempts per message {st.attempts_max}")  # fmt: skip
    runs = {"plain loop": (result.limit.cpu_s, result.limit.seconds), "portal": (run.cpu_s, monitor.all_final_s)}
    print(report.cpu_table("CPU ms per message", runs, count))


def scenario(options: argparse.Namespace) -> None:
    database = Database.for_scenario("outbox")
    options.messages = options.messages or (5000 if options.full else 500)
    with tempfile.TemporaryDirectory(prefix="inps-bench-outbox-") as tmp_name:
        tmp, port = Path(tmp_name), free_port()
        env = outbox_env(database.url, tmp / "pec" / "ricevute", port)
        gateway_cmd = [PYTHON, "manage.py", "pec_gateway", "--host", HOST, "--port", str(port)]
        gateway_cmd += ["--maildir", env["PEC_MAILDIR"]]
        with (
            prepared(database, env, keep=options.keep_db),
            running("gateway", gateway_cmd, env, tmp / "gateway.log", port) as gateway,
            celery_worker(env, tmp / "worker.log", concurrency=options.concurrency) as worker,
        ):
            wait_listening(gateway)
            result = measure(options, env, gateway, worker)
            logs = {"worker": summarize_log(worker.log_lines()), "gateway": summarize_log(gateway.log_lines())}
    print_report(result, options)
    for name, entries in logs.items():
        for entry in entries:
            print(f"{name} log: {entry}")
    config = {k: getattr(options, k) for k in ("messages", "concurrency", "batch", "timeout", "full")}
    report.write_results(
        "outbox", {"machine": report.machine("celery", "aiosmtpd"), "config": config, "result": result}
    )


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--messages", type=int, default=0, help="messages sent (500 quick, 5000 full)")
    arguments.add_argument("--concurrency", type=int, default=2, help="Celery prefork processes (2)")
    arguments.add_argument("--batch", type=int, default=100, help="pec_spedisci calls per transaction (100)")
    arguments.add_argument("--timeout", type=float, default=600, help="seconds to wait for every consegna (600)")
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    sys.exit(main())
