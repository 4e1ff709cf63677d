"""The review queue of an office as it grows: the SQL queries of each page must not grow with the data.

Requests are written in bulk (``bench.richieste``) until the Sede's queue holds each size (100, 1,000, 3,000 quick;
100, 1,000, 10,000 full). At each size Django's test ``Client`` in this process (production settings, ``DEBUG`` off)
fetches the admin changelist of ``RichiestaInstradata`` (first page, filtered, last page), a change page and a
decision page as the Sede's staff, a change page as a superuser, and ``/enti/abilitazioni/`` as the operator who made
a tenth of the requests, in turn with ``/bench/table`` (the baseline): queries and their time for one request,
median and p95 of N requests, and the ratio of each median to the baseline's at the same size. Not a test.

    python -m bench.coda_abilitazioni [--full] [--sizes A,B,C] [--repeats N] [--keep-db]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench import richieste
from bench.harness import report
from bench.harness.core import BenchError, log, parser, production_env, run_main, setup_django
from bench.harness.database import Database, prepared
from bench.harness.measure import percentiles_ms, ratio
from bench.harness.sql import recorded_sql

REDIS_URL = "redis://127.0.0.1:6379/11"
CHANGELIST = "/admin/abilitazioni/richiestainstradata/"
WARMUP = 2
USERS = {"anonymous": "anonymous", "sede": "Sede staff", "superuser": "superuser", "operator": "operator (heavy)"}


@dataclass
class PageResult:
    label: str
    user: str
    queue: int
    status: int
    queries: int
    sql_ms: float
    slowest_sql: tuple[float, str]
    median_ms: float
    p95_ms: float | None
    repeated: dict[str, int] = field(default_factory=dict)
    inlines: list[str] | None = None
    x_table: float | None = None


def pages(queue: richieste.Queue, last: int) -> list[tuple[str, str, str]]:
    """(label, path, who): the baseline first."""
    change = f"{CHANGELIST}{queue.change_pk}/change/"
    return [
        ("baseline /bench/table", "/bench/table", "anonymous"),
        ("baseline /bench/table", "/bench/table", "sede"),
        ("admin index", "/admin/", "sede"),
        ("admin changelist", CHANGELIST, "sede"),
        ("admin changelist, status=inviata", f"{CHANGELIST}?status__exact=inviata", "sede"),
        ("admin changelist, last page", f"{CHANGELIST}?p={last}", "sede"),
        ("admin change page", change, "sede"),
        ("admin decide page", f"{CHANGELIST}{queue.decide_pk}/decidi/", "sede"),
        ("admin change page", change, "superuser"),
        ("operator page /enti/abilitazioni/", "/enti/abilitazioni/", "operator"),
    ]


def clients(queue: richieste.Queue) -> dict[str, Any]:
    from django.test import Client

    from accounts.models import User

    made = {"anonymous": Client()}
    for who, pk in (("sede", queue.staff_id), ("superuser", queue.superuser_id), ("operator", queue.operators[0])):
        made[who] = Client()
        made[who].force_login(User.objects.get(pk=pk))
    return made


def measure_size(queue: richieste.Queue, size: int, repeats: int) -> list[PageResult]:
    """Warm-up requests, then ``repeats`` rounds of one timed request per page, the pages in turn (other load on the
    machine falls on every page alike), then one more request per page with its SQL recorded."""
    by_user = clients(queue)
    links = re.findall(r"[?&]p=(\d+)", by_user["sede"].get(CHANGELIST).content.decode())  # the paginator's
    measured = pages(queue, max(map(int, links), default=1))
    durations: list[list[float]] = [[] for _ in measured]
    for _, path, who in measured:
        for _ in range(WARMUP):
            by_user[who].get(path)
    for _ in range(repeats):
        for n, (_, path, who) in enumerate(measured):
            started = time.perf_counter()
            by_user[who].get(path)
            durations[n].append(time.perf_counter() - started)
    results = []
    for (label, path, who), timed in zip(measured, durations, strict=True):
        with recorded_sql() as sql:
            response = by_user[who].get(path)
        inlines = re.findall(r'id="([a-z_]+)-group"', response.content.decode()) if "/change/" in path else None
        results.append(PageResult(label, USERS[who], size, response.status_code, sql.count, sql.total_ms(),
                                  sql.slowest(), statistics.median(timed) * 1000, percentiles_ms(timed).p95,
                                  sql.repeated(), inlines))  # fmt: skip
    for r in results:
        r.x_table = ratio(r.median_ms, results[0].median_ms)
    return results


def measure(sizes: list[int], repeats: int) -> list[PageResult]:
    queue = richieste.create_people(max(10, max(sizes) // 5))
    results = []
    for size in sizes:
        started = time.perf_counter()
        richieste.add_requests(queue, size - queue.requests)
        if (held := richieste.queue_size(queue)) != size:
            raise BenchError(f"the Sede's queue holds {held} requests, not {size}")
        log(f"queue of {size:,}: written in {time.perf_counter() - started:.1f} s; measuring the pages")
        results += measure_size(queue, size, repeats)
    return results


def print_report(results: list[PageResult], repeats: int) -> None:
    keys = list(dict.fromkeys((r.label, r.user) for r in results))
    header = ["page", "user", "queue", "status", "SQL", "SQL ms", "median ms", "p95 ms", "x table", "slowest SQL ms"]
    cells = [[r.label, r.user, f"{r.queue:,}", str(r.status), str(r.queries), report.fmt(r.sql_ms),
              report.fmt(r.median_ms), report.fmt(r.p95_ms), report.fmt(r.x_table, 2), report.fmt(r.slowest_sql[0])]
             for r in sorted(results, key=lambda r: (keys.index((r.label, r.user)), r.queue))]  # fmt: skip
    print(f"\nReview queue: test Client in this process, production settings, {WARMUP} warm-up + {repeats} timed")
    print("requests per page; SQL = queries of one more request; x table = median over /bench/table's (anonymous)")
    print(report.table(header, cells, left=2))
    last = max(r.queue for r in results)
    for label, user in keys:
        rows = sorted((r for r in results if (r.label, r.user) == (label, user)), key=lambda r: r.queue)
        counts = [r.queries for r in rows]
        verdict = "constant" if len(set(counts)) == 1 else "GROWS" if counts[-1] > counts[0] else "varies"
        print(f"{label} ({user}): SQL {' / '.join(map(str, counts))} ({verdict})")
    for r in (r for r in results if r.queue == last):
        if r.slowest_sql[0] >= 1.0:
            print(f"slowest SQL of {r.label} ({r.user}) at {last:,}: {r.slowest_sql[0]} ms {r.slowest_sql[1][:200]}")
        for shape, n in r.repeated.items():
            print(f"same query {n} times in {r.label} ({r.user}): {shape[:200]}")
        if r.inlines is not None:
            print(f"{r.label} ({r.user}): inlines shown: {', '.join(r.inlines) or 'none'}")
    for r in (r for r in results if r.status != 200):
        print(f"note: {r.label} ({r.user}) at {r.queue:,} answered {r.status}")


def scenario(options: argparse.Namespace) -> None:
    sizes = sorted(options.sizes or ([100, 1_000, 10_000] if options.full else [100, 1_000, 3_000]))
    repeats = options.repeats or (30 if options.full else 10)
    if sizes[0] < len(richieste.STATUS_CYCLE):
        raise BenchError(f"sizes from {len(richieste.STATUS_CYCLE)}: a request in each status is needed")
    database = Database.for_scenario("abil")
    env = {**production_env(database.url, REDIS_URL), "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    with prepared(database, env, keep=options.keep_db):
        setup_django(env)  # "testserver" allowed instead of setup_test_environment, which instruments templates
        results = measure(sizes, repeats)
    print_report(results, repeats)
    config = {"sizes": sizes, "repeats": repeats, "warmup": WARMUP, "full": options.full}
    report.write_results("coda_abilitazioni", {"machine": report.machine(), "config": config, "pages": results})


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None,
                           help="requests in the Sede's queue, comma-separated (quick 100,1000,3000)")  # fmt: skip
    arguments.add_argument("--repeats", type=int, default=0, help="timed requests per page and size (10 quick, 30)")
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    sys.exit(main())
