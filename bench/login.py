"""Benchmark of the PIN login before and after Argon2id (``bench/login.py``), both in the same run.

Two gunicorns on one throw-away PostgreSQL database, production settings (``bench/settings_login.py``): (a) the old
configuration, PBKDF2 first; (b) the real hashers, Argon2id first. Each has its own N persons (200) whose PIN is
hashed with PBKDF2, imported with the real ``import_credenziali``. Concurrent clients (8) log them in with the PIN
(GET and POST ``/account/login/``, as ``bench/credenziali.py``'s plain login). In (b) the first login of each person
verifies PBKDF2 and rewrites the hash with Argon2id; then (a) and (b) take turns, 50 persons at a time, so that other
load on the machine falls on both. The PIN hashes are counted by prefix before, after the first login in (b), and at
the end.
Results go to ``bench/results/login.json``. A measurement, not a test: nothing is asserted on timings.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import credenziali as cred
import run as runner
from credenziali import PIN_PREESISTENTE, Browser, Flow, Person, Phase
from outbox import CpuMeter, setup_django, text_table
from run import BASE_DIR, BenchError, Database, _fmt, gunicorn, log, production_env, summarize_log

RESULTS_FILE = BASE_DIR / "bench" / "results" / "login.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/inps_portal_bench_login"
REDIS_URL = "redis://127.0.0.1:6379/13"  # cache (rate limits, sessions); flushed at the start and the end
ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"  # accounts.hashers.Argon2idHasher
PBKDF2 = "pbkdf2_sha256$"
CHUNK = 50  # persons per turn of (a) and (b)


def pin_login(browser: Browser, person: Person) -> str:
    browser.login(person.codice_fiscale, person.secret)  # a redirect with a session, or FlowError
    return ""


def summarize(label: str, phases: list[tuple[Phase, list[Flow]]], server: str) -> dict[str, Any]:
    """One row of the table from the phases of one configuration: logins/s over their summed wall time, percentiles
    of the POST (where the PIN is verified) and of GET + POST, gunicorn's CPU per login."""
    flows = [f for _, fl in phases for f in fl]
    ok = [f for f in flows if f.ok]
    wall = sum(p.wall_s for p, _ in phases)
    cpu_ms = sum(p.cpu_ms_per_flow.get(server, 0.0) * p.persons for p, _ in phases)
    return {
        "label": label,
        "logins": len(flows),
        "wall_s": round(wall, 2),
        "logins_per_s": round(len(flows) / wall, 2),
        "post_ms": cred.percentiles_ms([f.timings["post_login"] for f in ok]),
        "flow_ms": cred.percentiles_ms([f.total_s for f in ok]),
        "errors": len(flows) - len(ok),
        "gunicorn_cpu_ms_per_login": round(cpu_ms / len(flows), 1),
        "logins_per_s_by_phase": [p.flows_per_s for p, _ in phases],
        "error_examples": list(dict.fromkeys(f.error for f in flows if f.error))[:5],
    }


def hash_prefixes(persons: list[Person]) -> dict[str, int]:
    """The PIN hashes of these persons by prefix: algorithm and parameters, without salt and hash."""
    from accounts.models import PIN

    hashes = PIN.objects.filter(user__codice_fiscale__in=[p.codice_fiscale for p in persons])
    prefixes: Counter[str] = Counter()
    for encoded in hashes.values_list("codice_hash", flat=True):
        fields = 4 if encoded.startswith("argon2$") else 2
        prefixes["$".join(encoded.split("$")[:fields]) + "$"] += 1
    return dict(prefixes)


def seed(env: dict[str, str], tmp: Path, count: int) -> None:
    """``count`` persons with a PIN (``import_credenziali --pin``), then every PIN hash rewritten with PBKDF2.

    One PBKDF2 hash of the shared PIN for all of them: verifying it costs the same as with a salt per person, and
    hashing N PINs one by one would cost N x 230 ms of CPU before the run.
    """
    from django.contrib.auth.hashers import make_password

    from accounts.models import PIN

    cred.write_pin(tmp / "pin.csv", range(count))
    esiti = cred.parse_esiti(cred.run_manage(cred.import_command({"pin": tmp / "pin.csv"}, tmp / "scarti.csv"), env))
    if esiti.get("pin.csv", {}).get("importate") != count:
        raise BenchError(f"import_credenziali --pin: {esiti} for {count} persons")
    PIN.objects.update(codice_hash=make_password(PIN_PREESISTENTE, hasher="pbkdf2_sha256"))
    log(f"{count} persons imported, PIN hashes rewritten with PBKDF2")


def measure(options: argparse.Namespace, envs: dict[str, dict[str, str]], tmp: Path) -> dict[str, Any]:
    n, warm = options.persons, 2 * options.workers
    people = [Person(i, cred.codice_fiscale(i), PIN_PREESISTENTE, cred.source_address(i, False))
              for i in range(2 * (n + warm))]  # fmt: skip
    sets = {"a": people[: n + warm], "b": people[n + warm :]}  # the measured persons, then the warm-up ones
    census = {"seeded": {k: hash_prefixes(v) for k, v in sets.items()}}
    rounds: dict[str, list[tuple[Phase, list[Flow]]]] = {"a": [], "b": [], "b first": []}
    with ExitStack() as stack:
        servers = {k: stack.enter_context(gunicorn(envs[k], options.workers, tmp / f"gunicorn-{k}.log")) for k in envs}
        meter = CpuMeter({k: s.process.pid for k, s in servers.items()})

        def phase(key: str, name: str, persons: list[Person], concurrency: int) -> tuple[Phase, list[Flow]]:
            return cred.run_phase(name, persons, pin_login, servers[key], concurrency, meter)

        try:
            for key in servers:
                phase(key, f"({key}) warm-up", sets[key][n:], options.workers)
            rounds["b first"].append(phase("b", "(b) first login, rehash", sets["b"][:n], options.concurrency))
            census["after (b) first login"] = {k: hash_prefixes(v) for k, v in sets.items()}
            for r in range(1, options.rounds + 1):
                for start in range(0, n, CHUNK):
                    for key in servers:
                        name = f"({key}) round {r}, persons {start + 1}-{min(n, start + CHUNK)}"
                        rounds[key].append(phase(key, name, sets[key][start : start + CHUNK], options.concurrency))
            logs = {k: summarize_log(s.log_lines()) for k, s in servers.items()}
        except BaseException:
            for key, server in servers.items():
                for entry in summarize_log(server.log_lines()):
                    print(f"gunicorn ({key}) log: {entry}", file=sys.stderr)
            raise
    census["end"] = {k: hash_prefixes(v) for k, v in sets.items()}
    rows = [
        summarize("(a) PBKDF2 first, PBKDF2 PINs (old)", rounds["a"], "a"),
        summarize("(b) Argon2id first, 1st login: PBKDF2 + rehash", rounds["b first"], "b"),
        summarize("(b) Argon2id first, Argon2id PINs (new)", rounds["b"], "b"),
    ]
    total = n + warm
    checks = {
        "seeded_all_pbkdf2": all(sum(v for p, v in c.items() if p.startswith(PBKDF2)) == total
                                 for c in census["seeded"].values()),
        "b_all_argon2id_after_first_login": census["after (b) first login"]["b"] == {ARGON2ID: total},
        "b_all_argon2id_at_the_end": census["end"]["b"] == {ARGON2ID: total},
        "a_unchanged": census["end"]["a"] == census["seeded"]["a"],
    }  # fmt: skip
    return {"rows": rows, "census": census, "checks": checks, "gunicorn_log": logs}


def ratio(new: float | None, old: float | None) -> str:
    return f"x{new / old:.2f}" if new is not None and old else "-"


def print_report(result: dict[str, Any], options: argparse.Namespace) -> None:
    header = ["configuration", "logins", "logins/s", "POST p50", "POST p95", "flow p50", "flow p95", "errors",
              "CPU ms/login"]  # fmt: skip
    cells = [
        [r["label"], str(r["logins"]), _fmt(r["logins_per_s"]), _fmt(r["post_ms"]["p50"]), _fmt(r["post_ms"]["p95"]),
         _fmt(r["flow_ms"]["p50"]), _fmt(r["flow_ms"]["p95"]), str(r["errors"]), _fmt(r["gunicorn_cpu_ms_per_login"])]
        for r in result["rows"]
    ]  # fmt: skip
    old, _, new = result["rows"]
    print(
        f"\nPIN login, {options.persons} persons per configuration, {options.concurrency} concurrent clients, gunicorn "
        f"{options.workers} sync workers each; ms; flow = GET the form + POST; CPU = gunicorn's"
    )
    print(text_table(header, cells))
    print(
        f"(b) new / (a) old: logins/s {ratio(new['logins_per_s'], old['logins_per_s'])}, POST p50 "
        f"{ratio(new['post_ms']['p50'], old['post_ms']['p50'])}, POST p95 "
        f"{ratio(new['post_ms']['p95'], old['post_ms']['p95'])}, CPU per login "
        f"{ratio(new['gunicorn_cpu_ms_per_login'], old['gunicorn_cpu_ms_per_login'])}"
    )
    for r in result["rows"]:
        print(f"logins/s by turn, {r['label']}: {r['logins_per_s_by_phase']}")
        for example in r["error_examples"]:
            print(f"  error: {example}")
    for stage, sets in result["census"].items():
        print(f"PIN hashes, {stage}: (a) {sets['a']}, (b) {sets['b']}")
    checks = result["checks"]
    print(f"check {'OK' if all(checks.values()) else 'FAILED'}: {checks}")
    for key, entries in result["gunicorn_log"].items():
        for entry in entries:
            print(f"gunicorn ({key}) log: {entry}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200, help="persons per configuration (200)")
    parser.add_argument("--rounds", type=int, default=1, help="logins per person, after the first one in (b) (1)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers of each configuration (2)")
    parser.add_argument("--long", action="store_true", help="1000 persons, 3 rounds")
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database in place at the end")
    options = parser.parse_args(argv)
    if options.long:
        options.persons, options.rounds = 1000, 3
    if min(options.persons, options.rounds, options.concurrency, options.workers) < 1 or options.rounds > 30:
        parser.error("--persons, --rounds, --concurrency and --workers must be positive, --rounds at most 30")
    return options


def run(options: argparse.Namespace) -> int:
    database = Database.from_url(os.environ.get("BENCH_LOGIN_DATABASE_URL") or DEFAULT_DATABASE_URL)
    began, load_start = time.monotonic(), os.getloadavg()
    description = {**runner.machine(), "postgresql": database.server_version()}
    with tempfile.TemporaryDirectory(prefix="inps-bench-login-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**production_env(database.url, secrets.token_urlsafe(48)), "REDIS_URL": REDIS_URL,
               "DJANGO_SETTINGS_MODULE": "bench.settings_login", "BENCH_STATIC_ROOT": str(tmp / "static")}  # fmt: skip
        envs = {"a": {**env, "BENCH_PBKDF2_FIRST": "1"}, "b": env}
        log(f"database {database.name}: drop, create, migrate, collectstatic; Redis {REDIS_URL}: flush")
        database.recreate()
        try:
            runner.local_redis(REDIS_URL).flushdb()
            runner.manage(["migrate", "--noinput"], env)
            runner.manage(["collectstatic", "--noinput"], env)
            setup_django(env)
            seed(env, tmp, 2 * (options.persons + 2 * options.workers))
            result = measure(options, envs, tmp)
        finally:
            runner.release(database, options.keep_db, REDIS_URL)
    result["machine"] = description
    result["config"] = {
        "settings": "bench.settings_login (production; (a) with BENCH_PBKDF2_FIRST=1)",
        **{k: getattr(options, k) for k in ("persons", "rounds", "concurrency", "workers")},
        "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
        "wall_time_s": round(time.monotonic() - began, 1),
    }
    print_report(result, options)
    config = result["config"]
    print(f"load average: start {load_start[0]:.2f}, end {os.getloadavg()[0]:.2f}; wall {config['wall_time_s']} s")
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written {RESULTS_FILE.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(runner.run_main(run, parse_args))
