"""Every scenario, one after the other (``make bench``; ``make bench-full`` or ``BENCH_FULL=1`` for the full sizes).

The database with the schema and the registry is built once, as a template that each scenario copies; each scenario
runs in a process of its own (Django is configured once per process, and the scenarios use different settings) and
prints its own table. At the end: the wall time of each scenario and of the whole run.

    python -m bench [--full] [--only pages,outbox,...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from bench.harness import report
from bench.harness.core import BASE_DIR, PYTHON, BenchError, is_full, log, production_env
from bench.harness.database import TEMPLATE_ENV, Database, build

SCENARIOS = [
    "pages",
    "outbox",
    "unificazione",
    "import_credenziali",
    "login",
    "coda_abilitazioni",
    "moduli_pdf",
    "convenzioni",
    "sportelli",
    "prenotazioni",
]


def run_all(names: list[str], full: bool) -> list[tuple[str, int, float]]:
    template = Database.for_scenario("template")
    build(template, production_env(template.url, "redis://127.0.0.1:6379/15"))
    env = {**os.environ, TEMPLATE_ENV: template.name, "BENCH_FULL": "1" if full else "0"}
    outcomes = []
    try:
        for name in names:
            log(f"--- {name} ---")
            started = time.monotonic()
            completed = subprocess.run([PYTHON, "-m", f"bench.{name}"], cwd=BASE_DIR, env=env, check=False)
            outcomes.append((name, completed.returncode, time.monotonic() - started))
    finally:
        template.drop()
    return outcomes


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--full", action="store_true", help="full sizes (also BENCH_FULL=1)")
    arguments.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios (all)")
    options = arguments.parse_args()
    names = [n for n in options.only.split(",") if n]
    if unknown := set(names) - set(SCENARIOS):
        arguments.error(f"unknown scenarios: {sorted(unknown)}; known: {SCENARIOS}")
    started = time.monotonic()
    try:
        outcomes = run_all(names, is_full(options.full))
    except BenchError as exc:
        print(f"[bench] error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    total = time.monotonic() - started
    rows = [[name, "ok" if code == 0 else f"exit {code}", report.fmt(seconds)] for name, code, seconds in outcomes]
    rows.append(["total (with the template database)", "", report.fmt(total)])
    print(f"\nbench, {'full' if is_full(options.full) else 'quick'} mode")
    print(report.table(["scenario", "result", "wall s"], rows))
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
