"""The CSV import of ex-Inpdap credentials (``manage.py import_credenziali``): rows per second, and a peak memory
that must not grow with the file.

For each size (2,000, 5,000, 20,000 rows quick; 10,000, 50,000, 100,000 full), on emptied tables: an ex-Inpdap file
and an abilitazioni file, each imported by a fresh process; the scenario reaps it with ``wait4``, whose
``ru_maxrss`` is the peak RSS of that process alone. Baselines of the same run: the import of an empty file (Django's
start-up time and memory) and the cost of one row's checks measured in this process (the ceiling of rows per
second before any SQL). The largest files are imported twice: the second run writes nothing. Not a test.

    python -m bench.import_credenziali [--full] [--sizes A,B,C] [--keep-db]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import persone
from bench.harness import report
from bench.harness.core import BASE_DIR, PYTHON, BenchError, log, parser, production_env, run_main, setup_django
from bench.harness.database import Database, prepared
from bench.harness.measure import rate, ratio
from bench.harness.processes import stop

REDIS_URL = "redis://127.0.0.1:6379/12"
IMPORT_TIMEOUT_S = 3600.0
TABLES = ("accounts_user", "accounts_credenzialeexinpdap", "accounts_pin", "accounts_abilitazionedetenuta")


@dataclass
class Run:
    label: str
    file: str  # "ex-inpdap" or "abilitazioni"
    size: int
    wall_s: float
    peak_rss_mib: float
    cpu_s: float
    imported: int
    rejected: int
    net_rows_per_s: float | None = None  # without the wall time of the empty file's import


def per_row_ceiling(sample: int = 2000) -> dict[str, float]:
    """What one row costs before any SQL, in this process: the codice fiscale check and the hash's stored form."""
    from accounts.hashers import codifica_hash_legacy
    from accounts.validators import validate_codice_fiscale

    codes = [persone.codice_fiscale(n) for n in range(sample)]
    started = time.perf_counter()
    for code in codes:
        validate_codice_fiscale(code)
    validate_us = (time.perf_counter() - started) / sample * 1e6
    digest, started = persone.sha256(persone.PASSWORD_EX_INPDAP, "s1"), time.perf_counter()
    for _ in codes:
        codifica_hash_legacy("sha256", digest, "s1")
    hash_us = (time.perf_counter() - started) / sample * 1e6
    return {"validate_us": validate_us, "hash_us": hash_us, "rows_per_s": 1e6 / (validate_us + hash_us)}


def empty_tables() -> dict[str, int]:
    """The people, their credentials and what refers to them emptied (the registry and the Ente stay)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    return counts()


def counts() -> dict[str, int]:
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - names from this module
            found[table.removeprefix("accounts_")] = int(cursor.fetchone()[0])
    return found


def measured_import(label: str, option: str, path: Path, size: int, env: dict[str, str]) -> Run:
    """One ``import_credenziali`` in a fresh process: wall time, and peak RSS and CPU from ``wait4``."""
    command = [PYTHON, "manage.py", *persone.import_command({option: path}, path.with_suffix(".scarti"))]
    output = path.with_suffix(".log")
    with output.open("w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        while not (reaped := os.wait4(process.pid, os.WNOHANG))[0]:
            if time.perf_counter() - started > IMPORT_TIMEOUT_S:
                raise BenchError(f"import {label} still running after {IMPORT_TIMEOUT_S:.0f} s")
            time.sleep(0.01)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(reaped[1])
    finally:
        if process.returncode is None:
            stop(process)
    text = output.read_text(errors="replace")
    if process.returncode != 0:
        raise BenchError(f"import {label} exited with {process.returncode}:\n{text[-3000:]}")
    esito = persone.parse_esiti(text).get(path.name, {"importate": 0, "scartate": 0})
    usage = reaped[2]
    run = Run(label, option, size, wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime,
              esito["importate"], esito["scartate"])  # fmt: skip
    log(f"import {label}: {wall:.1f} s, peak RSS {run.peak_rss_mib:.1f} MiB, {run.imported} imported")
    return run


def import_size(size: int, ente: str, env: dict[str, str], tmp: Path, twice: bool) -> tuple[list[Run], dict[str, int]]:
    ex_file, ab_file = tmp / f"ex_inpdap_{size}.csv", tmp / f"abilitazioni_{size}.csv"
    persone.write_ex_inpdap(ex_file, range(size))
    rows = ((i, "ex_inpdap", persone.ABILITAZIONI_EX_INPDAP[i % 2]) for i in range(size))
    persone.write_abilitazioni(ab_file, rows, ente)
    empty_tables()
    runs = []
    for again in (False, True) if twice else (False,):
        suffix = " again" if again else ""
        runs.append(measured_import(f"ex-Inpdap {size:,}{suffix}", "ex-inpdap", ex_file, size, env))
        runs.append(measured_import(f"abilitazioni {size:,}{suffix}", "abilitazioni", ab_file, size, env))
    return runs, counts()


def measure(sizes: list[int], env: dict[str, str], tmp: Path) -> tuple[list[Run], list[dict[str, int]]]:
    ente = persone.create_ente()
    persone.write_ex_inpdap(tmp / "empty.csv", [])  # the header only
    empty_tables()
    baseline = measured_import("empty file (baseline)", "ex-inpdap", tmp / "empty.csv", 0, env)
    runs, checks = [baseline], []
    for size in sizes:
        more, after = import_size(size, ente, env, tmp, twice=size == max(sizes))
        runs += more
        checks.append({"size": size, **after})
    for run in runs[1:]:
        run.net_rows_per_s = rate(run.size, run.wall_s - baseline.wall_s) if run.wall_s > baseline.wall_s else None
    return runs, checks


def print_report(runs: list[Run], checks: list[dict[str, int]], ceiling: dict[str, float]) -> None:
    empty = runs[0]
    header = ["import", "rows", "wall s", "rows/s", "net rows/s", "x ceiling", "peak RSS MiB", "x empty", "CPU s",
              "imported", "rejected"]  # fmt: skip
    limit = {"ex-inpdap": ceiling["rows_per_s"]}  # the per-row checks measured are those of the ex-Inpdap rows
    cells = [
        [r.label, f"{r.size:,}", report.fmt(r.wall_s), report.fmt(rate(r.size, r.wall_s), 0),
         report.fmt(r.net_rows_per_s, 0), report.fmt(ratio(r.net_rows_per_s, limit.get(r.file)), 2),
         report.fmt(r.peak_rss_mib), report.fmt(ratio(r.peak_rss_mib, empty.peak_rss_mib), 2), report.fmt(r.cpu_s),
         f"{r.imported:,}", str(r.rejected)]
        for r in runs
    ]  # fmt: skip
    print("\nCSV import: one fresh process per file, emptied tables for each size; net rows/s = rows over the wall")
    print("time less the empty file's; x ceiling = net rows/s over the per-row checks' ceiling; x empty = peak RSS")
    print("over the empty file's (1.00: the memory does not grow with the file)")
    print(report.table(header, cells))
    print(f"per row, in this process: validate_codice_fiscale {ceiling['validate_us']:.1f} us, codifica_hash_legacy "
          f"{ceiling['hash_us']:.1f} us: ceiling {ceiling['rows_per_s']:,.0f} rows/s before any SQL")  # fmt: skip
    ok = all(c["user"] == c["credenzialeexinpdap"] == c["abilitazionedetenuta"] == c["size"] for c in checks)
    print(f"rows after each size {'OK' if ok else 'UNEXPECTED'}: {checks}")


def scenario(options: argparse.Namespace) -> None:
    sizes = options.sizes or ([10_000, 50_000, 100_000] if options.full else [2_000, 5_000, 20_000])
    database = Database.for_scenario("import")
    env = production_env(database.url, REDIS_URL)
    with tempfile.TemporaryDirectory(prefix="inps-bench-import-") as tmp, prepared(database, env, keep=options.keep_db):
        setup_django(env)
        ceiling = per_row_ceiling()
        runs, checks = measure(sorted(sizes), env, Path(tmp))
    print_report(runs, checks, ceiling)
    payload = {"machine": report.machine("python-codicefiscale"), "config": {"sizes": sizes, "full": options.full}}
    report.write_results("import_credenziali", {**payload, "ceiling": ceiling, "runs": runs, "counts": checks})


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=None,
        help="rows of the files, comma-separated (quick 2000,5000,20000; full 10000,50000,100000)",
    )
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    sys.exit(main())
