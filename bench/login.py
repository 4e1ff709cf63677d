"""The PIN login with the old hashing configuration (PBKDF2 first) beside the new one (Argon2id first), in one run.

Two gunicorns on one database, settings ``bench.settings_login`` (production's, with the static files in a temporary
directory): (a) with ``BENCH_PBKDF2_FIRST=1``, the old configuration; (b) production's hashers, Argon2id first. Each
has its own N persons (30 quick, 200 full) whose PIN is hashed with PBKDF2, imported with ``import_credenziali``.
In (b) the first login of each person verifies PBKDF2 and rewrites the hash with Argon2id; then (a) and (b) take
turns, 50 persons at a time, so other load on the machine falls on both. The PIN hashes are counted by prefix at
the start, after the first login in (b), and at the end.

    python -m bench.login [--full] [--persons N] [--rounds N] [--concurrency N] [--workers N] [--keep-db]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import persone
from bench.harness import report
from bench.harness.client import Browser
from bench.harness.core import BenchError, log, parser, production_env, run_main, setup_django
from bench.harness.database import Database, prepared
from bench.harness.load import Person, Phase, run_phase
from bench.harness.measure import CpuMeter, ratio
from bench.harness.processes import gunicorn, manage, summarize_log

REDIS_URL = "redis://127.0.0.1:6379/10"
ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"  # accounts.hashers.Argon2idHasher
PBKDF2 = "pbkdf2_sha256$"
CHUNK = 50  # persons per turn of (a) and (b)


def pin_login(browser: Browser, person: Person) -> str:
    browser.login("/account/login/", person.codice_fiscale, person.secret)  # a redirect with a session
    return ""


def hash_prefixes(people: list[Person]) -> dict[str, int]:
    """The PIN hashes of these persons by prefix: algorithm and parameters, without salt and hash."""
    from accounts.models import PIN

    hashes = PIN.objects.filter(user__codice_fiscale__in=[p.codice_fiscale for p in people])
    prefixes: Counter[str] = Counter()
    for encoded in hashes.values_list("codice_hash", flat=True):
        prefixes["$".join(encoded.split("$")[: 4 if encoded.startswith("argon2$") else 2]) + "$"] += 1
    return dict(prefixes)


def seed(env: dict[str, str], tmp: Path, count: int) -> list[Person]:
    """``count`` persons with a PIN, then every PIN hash rewritten with PBKDF2: one hash of the shared PIN serves
    all (verifying it costs the same as with a salt per person; hashing each would cost N x 230 ms up front)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import PIN

    persone.write_pin(tmp / "pin.csv", range(count))
    esiti = persone.parse_esiti(manage(persone.import_command({"pin": tmp / "pin.csv"}, tmp / "scarti.csv"), env))
    if esiti.get("pin.csv", {}).get("importate") != count:
        raise BenchError(f"import_credenziali --pin: {esiti} for {count} persons")
    PIN.objects.update(codice_hash=make_password(persone.PIN_PREESISTENTE, hasher="pbkdf2_sha256"))
    log(f"{count} persons imported, PIN hashes rewritten with PBKDF2")
    return persone.persons(range(count), persone.PIN_PREESISTENTE)


def measure(options: argparse.Namespace, envs: dict[str, dict[str, str]], tmp: Path) -> dict[str, Any]:
    n, warm = options.persons, 2 * options.workers
    people = seed(envs["b"], tmp, 2 * (n + warm))
    sets = {"a": people[: n + warm], "b": people[n + warm :]}  # the measured persons, then the warm-up ones
    census = {"seeded": {k: hash_prefixes(v) for k, v in sets.items()}}
    phases: dict[str, list[Phase]] = {"a": [], "b first": [], "b": []}
    with ExitStack() as stack:
        servers = {k: stack.enter_context(gunicorn(envs[k], options.workers, tmp / f"gunicorn-{k}.log")) for k in envs}
        meter = CpuMeter({k: s.process.pid for k, s in servers.items()})
        for key, server in servers.items():
            run_phase(f"({key}) warm-up", sets[key][n:], pin_login, server, options.workers, meter)
        first = run_phase("(b) first login", sets["b"][:n], pin_login, servers["b"], options.concurrency, meter)
        phases["b first"].append(first)
        census["after (b) first login"] = {k: hash_prefixes(v) for k, v in sets.items()}
        for turn in range(options.rounds):
            for start in range(0, n, CHUNK):
                for key, server in servers.items():
                    name = f"({key}) round {turn + 1}, persons {start + 1}-{min(n, start + CHUNK)}"
                    chunk = sets[key][start : start + CHUNK]
                    phases[key].append(run_phase(name, chunk, pin_login, server, options.concurrency, meter))
        logs = {k: summarize_log(s.log_lines()) for k, s in servers.items()}
    census["end"] = {k: hash_prefixes(v) for k, v in sets.items()}
    total = n + warm
    checks = {
        "seeded all PBKDF2": all(sum(v for p, v in c.items() if p.startswith(PBKDF2)) == total
                                 for c in census["seeded"].values()),
        "(b) all Argon2id after the first login": census["after (b) first login"]["b"] == {ARGON2ID: total},
        "(b) all Argon2id at the end": census["end"]["b"] == {ARGON2ID: total},
        "(a) unchanged": census["end"]["a"] == census["seeded"]["a"],
    }  # fmt: skip
    rows = [
        Phase.combined("(a) PBKDF2 first, PBKDF2 PINs (old, baseline)", phases["a"]),
        Phase.combined("(b) Argon2id first, 1st login: PBKDF2 + rehash", phases["b first"]),
        Phase.combined("(b) Argon2id first, Argon2id PINs (new)", phases["b"]),
    ]
    turns = {k: [round(p.flows_per_s, 1) for p in v] for k, v in phases.items()}
    return {"rows": rows, "census": census, "checks": checks, "turns": turns, "gunicorn_log": logs}


def print_report(result: dict[str, Any], options: argparse.Namespace) -> None:
    rows: list[Phase] = result["rows"]
    old = rows[0]
    header = ["configuration", "logins", "logins/s", "x old", "POST p50", "POST p95", "flow p50", "flow p95", "errors",
              "CPU ms/login", "x old CPU"]  # fmt: skip
    cells = []
    for r in rows:
        post, flow, cpu = r.step_ms("post_login"), r.flow_ms(), r.cpu_ms_per_flow.get("b" if "(b)" in r.name else "a")
        speed, cost = ratio(r.flows_per_s, old.flows_per_s), ratio(cpu, old.cpu_ms_per_flow.get("a"))
        figures = [post.p50, post.p95, flow.p50, flow.p95]
        cells.append([r.name, str(len(r.flows)), report.fmt(r.flows_per_s), report.fmt(speed, 2),
                      *map(report.fmt, figures), str(r.errors), report.fmt(cpu), report.fmt(cost, 2)])  # fmt: skip
    print(f"\nPIN login: {options.persons} persons per configuration, {options.concurrency} clients, gunicorn "
          f"{options.workers} sync workers each; ms; flow = GET the form + POST; CPU = that gunicorn's")  # fmt: skip
    print(report.table(header, cells))
    print(f"logins/s by turn: {result['turns']}")
    for r in rows:
        for example in r.error_examples():
            print(f"  error ({r.name[:20]}): {example}")
    for stage, sets in result["census"].items():
        print(f"PIN hashes, {stage}: (a) {sets['a']}, (b) {sets['b']}")
    print(f"check {'OK' if all(result['checks'].values()) else 'FAILED'}: {result['checks']}")
    for key, entries in result["gunicorn_log"].items():
        for entry in entries:
            print(f"gunicorn ({key}) log: {entry}")


def scenario(options: argparse.Namespace) -> None:
    options.persons = options.persons or (200 if options.full else 30)
    database = Database.for_scenario("login")
    with tempfile.TemporaryDirectory(prefix="inps-bench-login-") as tmp:
        env = {**production_env(database.url, REDIS_URL), "DJANGO_SETTINGS_MODULE": "bench.settings_login",
               "BENCH_STATIC_ROOT": str(Path(tmp) / "static")}  # fmt: skip
        with prepared(database, env, keep=options.keep_db):
            manage(["collectstatic", "--noinput"], env)
            setup_django(env)
            result = measure(options, {"a": {**env, "BENCH_PBKDF2_FIRST": "1"}, "b": env}, Path(tmp))
    print_report(result, options)
    config = {k: getattr(options, k) for k in ("persons", "rounds", "concurrency", "workers", "full")}
    report.write_results("login", {"machine": report.machine("gunicorn", "argon2-cffi"), "config": config, **result})


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--persons", type=int, default=0, help="persons per configuration (30 quick, 200 full)")
    arguments.add_argument("--rounds", type=int, default=1, help="logins per person after the first one in (b) (1)")
    arguments.add_argument("--concurrency", type=int, default=8, help="concurrent clients (8)")
    arguments.add_argument("--workers", type=int, default=2, help="gunicorn sync workers of each configuration (2)")
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    sys.exit(main())
