"""The first access with the unification of the ex-Inpdap credentials, beside a plain login with a PIN.

Persons imported through the real ``import_credenziali`` (N with ex-Inpdap credentials, N with a PIN only: 50 quick,
400 full); gunicorn with the production settings; concurrent clients (8) from a loopback address each. The baseline:
GET + POST of the login form with the PIN, GET ``/``. The first access: the login with the ex-Inpdap password, POST
``/credenziali/unificazione/`` (the new PIN on the page). Then every unified person logs in with the new PIN, a few
more post the unification twice at once, and the database is checked: exactly one active PIN per person.

    python -m bench.unificazione [--full] [--persons N] [--concurrency N] [--workers N] [--one-address] [--keep-db]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from bench import persone
from bench.harness import report
from bench.harness.client import Browser, FlowError
from bench.harness.core import BenchError, parser, production_env, run_main, setup_django
from bench.harness.database import Database, prepared
from bench.harness.load import Person, Phase, run_phase
from bench.harness.measure import CpuMeter, ratio
from bench.harness.processes import Service, free_port, gunicorn, manage, summarize_log

REDIS_URL = "redis://127.0.0.1:6379/12"  # cache (rate limits) and broker; no worker: the PEC tasks wait there
LOGIN, UNIFICAZIONE = "/account/login/", "/credenziali/unificazione/"
_NUOVO_PIN = re.compile(r'data-testid="nuovo-pin">\s*([A-Z0-9]{16})\s*<')


def plain_login(browser: Browser, person: Person) -> str:
    """The baseline: the login with a PIN, then the home page, which must answer 200."""
    browser.login(LOGIN, person.codice_fiscale, person.secret)
    if (home := browser.send("get_home", "GET", "/")).status != 200:
        raise FlowError("get_home", home, "200")
    return ""


def first_access(browser: Browser, person: Person) -> str:
    """The login with the ex-Inpdap password, then the unification: the new PIN must be on the page."""
    browser.login(LOGIN, person.codice_fiscale, person.secret)
    issued = browser.send("post_unificazione", "POST", UNIFICAZIONE)
    if issued.status != 200 or not (match := _NUOVO_PIN.search(issued.text)):
        raise FlowError("post_unificazione", issued, "200 with the new PIN")
    return match.group(1)


def post_twice(server: Service, browser: Browser) -> list[str]:
    """Two POSTs of the unification with the same session, released together (a double click, two tabs)."""
    barrier, answers = threading.Barrier(2, timeout=30), ["no answer", "no answer"]

    def post(slot: int) -> None:
        twin = Browser(server.port, browser.source, cookies=dict(browser.cookies))
        barrier.wait()
        reply = twin.send("post_unificazione", "POST", UNIFICAZIONE)
        answers[slot] = "200 with a PIN" if _NUOVO_PIN.search(reply.text) else reply.describe()

    threads = [threading.Thread(target=post, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def double_submit(server: Service, people: list[Person]) -> dict[str, int]:
    """Each person logs in, then posts the unification twice at once: one PIN and one redirect expected."""
    outcomes: Counter[str] = Counter()
    for person in people:
        browser = Browser(server.port, person.source)
        browser.login(LOGIN, person.codice_fiscale, person.secret)
        outcomes[" + ".join(sorted(post_twice(server, browser)))] += 1
    return dict(outcomes)


def verify(ex_inpdap: list[Person], pin_only: list[Person]) -> dict[str, Any]:
    """One PIN per person, active; one unification event and one PEC per ex-Inpdap person."""
    from django.db.models import Count

    from accounts.models import PIN, CredenzialeExInpdap, EventoCredenziale
    from inps_portal.pec.models import MessaggioPEC

    def pins(**filters: Any) -> dict[str, int]:
        rows = PIN.objects.filter(**filters).order_by().values_list("user__codice_fiscale").annotate(n=Count("id"))
        return dict(rows)

    every, active = pins(), pins(status=PIN.Status.ATTIVO)
    codes = [p.codice_fiscale for p in ex_inpdap]
    found = {
        "ex-Inpdap persons with exactly one active PIN": sum(active.get(c) == every.get(c) == 1 for c in codes),
        "PIN-only persons with exactly one PIN": sum(every.get(p.codice_fiscale) == 1 for p in pin_only),
        "credentials unified": CredenzialeExInpdap.objects.filter(codice_fiscale__in=codes, unificata_il__isnull=False)
        .count(),
        "unification events": EventoCredenziale.objects.filter(tipo=EventoCredenziale.Tipo.UNIFICAZIONE).count(),
        "unification PEC in the outbox": MessaggioPEC.objects.filter(modello="unificazione").count(),
    }  # fmt: skip
    expected = [len(ex_inpdap), len(pin_only), len(ex_inpdap), len(ex_inpdap), len(ex_inpdap)]
    return {**found, "ok": list(found.values()) == expected}


def seed(options: argparse.Namespace, env: dict[str, str], tmp: Path) -> dict[str, list[Person]]:
    """The persons of every phase, imported: measured, double-submit and warm-up ex-Inpdap ones; PIN-only ones."""
    n, extra, warm = options.persons, options.double_submit, 2 * options.workers
    ex, pin = range(n + extra + warm), range(n + extra + warm, 2 * n + extra + 2 * warm)
    ente = persone.create_ente()
    files = {"ex-inpdap": tmp / "ex.csv", "pin": tmp / "pin.csv", "abilitazioni": tmp / "abilitazioni.csv"}
    persone.write_ex_inpdap(files["ex-inpdap"], ex)
    persone.write_pin(files["pin"], pin)
    rows = [(i, "ex_inpdap", a) for i in ex for a in persone.ABILITAZIONI_EX_INPDAP]
    persone.write_abilitazioni(
        files["abilitazioni"], [*rows, *((i, "pin", persone.ABILITAZIONE_PIN) for i in pin)], ente
    )
    esiti = persone.parse_esiti(manage(persone.import_command(files, tmp / "scarti.csv"), env))
    if len(esiti) != 3 or any(e["scartate"] for e in esiti.values()):
        raise BenchError(f"the import of the persons rejected rows: {esiti}")
    ex_all = persone.persons(ex, persone.PASSWORD_EX_INPDAP, options.one_address)
    pin_all = persone.persons(pin, persone.PIN_PREESISTENTE, options.one_address)
    return {"ex": ex_all[:n], "double": ex_all[n : n + extra], "ex warm": ex_all[n + extra :],
            "pin": pin_all[:n], "pin warm": pin_all[n:], "ex all": ex_all, "pin all": pin_all}  # fmt: skip


def measure(options: argparse.Namespace, env: dict[str, str], tmp: Path) -> dict[str, Any]:
    people = seed(options, env, tmp)
    with gunicorn(env, options.workers, tmp / "gunicorn.log") as server:
        meter, c = CpuMeter({"gunicorn": server.process.pid}), options.concurrency
        run_phase("warm-up, plain login", people["pin warm"], plain_login, server, options.workers, meter)
        run_phase("warm-up, first access", people["ex warm"], first_access, server, options.workers, meter)
        plain = run_phase("plain login (PIN only): GET+POST login, GET /", people["pin"], plain_login, server, c, meter)
        first = run_phase(
            "first access: GET+POST login, POST unificazione", people["ex"], first_access, server, c, meter
        )
        issued = [Person(f.person.index, f.person.codice_fiscale, f.produced, f.person.source) for f in first.ok]
        again = run_phase("login with the new PIN: GET+POST login, GET /", issued, plain_login, server, c, meter)
        doubled = double_submit(server, people["double"])
        server_log = summarize_log(server.log_lines())
    checks = verify(people["ex all"], people["pin all"])
    return {"phases": [plain, first, again], "double_submit": doubled, "checks": checks, "gunicorn_log": server_log}


def print_report(result: dict[str, Any], options: argparse.Namespace) -> None:
    phases: list[Phase] = result["phases"]
    base = phases[0].flow_ms().p50
    header = ["measure", "persons", "flows/s", "p50 ms", "p95 ms", "p99 ms", "x plain p50", "errors", "CPU ms"]
    cells = []
    for phase in phases:
        flow = phase.flow_ms()
        cells.append([phase.name, str(len(phase.flows)), report.fmt(phase.flows_per_s), report.fmt(flow.p50),
                      report.fmt(flow.p95), report.fmt(flow.p99), report.fmt(ratio(flow.p50, base), 2),
                      str(phase.errors), report.fmt(phase.cpu_ms_per_flow.get("gunicorn"))])  # fmt: skip
        for step in ("post_login", "post_unificazione", "get_home"):
            if (ms := phase.step_ms(step)).samples:
                cells.append([f"  {step.replace('_', ' ')} alone", "", "", report.fmt(ms.p50), report.fmt(ms.p95),
                              report.fmt(ms.p99), "", "", ""])  # fmt: skip
    print(f"\nUnification: {options.concurrency} clients, gunicorn {options.workers} sync workers, production "
          "settings; CPU ms = gunicorn's CPU per flow; x plain p50 = flow p50 over the plain login's")  # fmt: skip
    print(report.table(header, cells))
    print(
        f"throughput: plain login / first access x{report.fmt(ratio(phases[0].flows_per_s, phases[1].flows_per_s), 2)}"
    )
    for phase in phases:
        for example in phase.error_examples():
            print(f"  error ({phase.name[:20]}): {example}")
    print(f"double submit ({options.double_submit} persons, two POSTs at once): {result['double_submit']}")
    print(f"check {'OK' if result['checks'].pop('ok') else 'FAILED'}: {result['checks']}")
    for entry in result["gunicorn_log"]:
        print(f"gunicorn log: {entry}")


def scenario(options: argparse.Namespace) -> None:
    options.persons = options.persons or (400 if options.full else 50)
    options.double_submit = 20 if options.full else 5
    database = Database.for_scenario("cred")
    env = {**production_env(database.url, REDIS_URL), "PEC_SMTP_URL": f"smtp://127.0.0.1:{free_port()}"}
    with tempfile.TemporaryDirectory(prefix="inps-bench-cred-") as tmp, prepared(database, env, keep=options.keep_db):
        setup_django(env)
        result = measure(options, env, Path(tmp))
    print_report(result, options)
    config = {k: getattr(options, k) for k in ("persons", "concurrency", "workers", "one_address", "full")}
    report.write_results("unificazione", {"machine": report.machine("gunicorn"), "config": config, **result})


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--persons", type=int, default=0, help="persons of each kind (50 quick, 400 full)")
    arguments.add_argument("--concurrency", type=int, default=8, help="concurrent clients (8)")
    arguments.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    arguments.add_argument("--one-address", action="store_true", help="every client from 127.0.0.1: the rate limit")
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    sys.exit(main())
