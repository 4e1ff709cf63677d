"""The modulo PDF of a request for abilitazioni, beside a minimal document rendered by WeasyPrint the same way.

On routed requests of allegato 2 (written by ``bench.richieste``), in this process with the production settings:
``modulo_compilato_pdf`` one document after the other, in turn with the baseline (a one-line HTML document rendered
as PDF/A-3b as ``inps_portal.pdf.render_pdf`` does); where one modulo's time goes (SQL and context, template,
WeasyPrint); documents per second in a pool of forked processes as large as the Celery worker's concurrency; and the
blank modulo from the cache and on a miss. 16 documents quick, 100 full. A measurement, not a test.

    python -m bench.moduli_pdf [--full] [--documents N] [--pool-size N] [--keep-db]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench import richieste
from bench.harness import report
from bench.harness.core import BASE_DIR, log, parser, production_env, run_main, setup_django
from bench.harness.database import Database, local_redis, prepared
from bench.harness.measure import Percentiles, percentiles_ms, ratio, timed
from bench.harness.sql import recorded_sql

REDIS_URL = "redis://127.0.0.1:6379/11"  # the cache of the blank moduli
MINIMAL_HTML = "<!DOCTYPE html><html lang='it'><head><meta charset='utf-8'></head><body><p>INPS</p></body></html>"


@dataclass(frozen=True)
class Row:
    label: str
    ms: Percentiles
    docs_per_s: float | None
    note: str = ""


def render_modulo(pk: int) -> float:
    """One routed request read as the operator's view reads it, then its modulo: seconds in the function."""
    from abilitazioni.models import RichiestaInstradata
    from abilitazioni.moduli import modulo_compilato_pdf

    related = ("richiesta__user", "richiesta__ente__comune__provincia", "struttura")
    instradata = RichiestaInstradata.objects.select_related(*related).prefetch_related("voci__abilitazione").get(pk=pk)
    started = time.perf_counter()
    modulo_compilato_pdf(instradata)
    return time.perf_counter() - started


def render_minimal(_: int = 0) -> float:
    """The baseline: the one-line document through WeasyPrint as PDF/A-3b, as ``render_pdf`` does."""
    started = time.perf_counter()
    write_pdf(MINIMAL_HTML, "pdf/a-3b")
    return time.perf_counter() - started


class Capture:
    """Stands in for ``render_pdf``: keeps the template and the context instead of rendering them."""

    def __call__(self, template: str, contesto: dict[str, Any]) -> bytes:
        self.template, self.contesto = template, contesto
        return b""


def breakdown(pks: list[int]) -> list[Row]:
    """Where one modulo's time goes: ``render_pdf`` stubbed (SQL and context), the template, WeasyPrint."""
    from unittest import mock

    from django.template.loader import render_to_string

    from abilitazioni import moduli

    capture, queries = Capture(), set()
    parts: dict[str, list[float]] = {"context": [], "template": [], "pdf/a-3b": [], "pdf": []}
    for pk in pks:
        with mock.patch.object(moduli, "render_pdf", capture), recorded_sql() as sql:
            parts["context"].append(render_modulo(pk))
        queries.add(sql.count)
        html = timed(parts["template"], render_to_string, capture.template, capture.contesto)
        timed(parts["pdf/a-3b"], write_pdf, html, "pdf/a-3b")
        timed(parts["pdf"], write_pdf, html, None)
    labels = {"context": "  of which SQL and context", "template": "  of which the template",
              "pdf/a-3b": "  of which WeasyPrint (PDF/A-3b)", "pdf": "  WeasyPrint, same HTML, plain PDF"}  # fmt: skip
    notes = {"context": f"{'/'.join(map(str, sorted(queries)))} queries", "pdf": "for comparison"}
    return [Row(labels[k], percentiles_ms(v), None, notes.get(k, "")) for k, v in parts.items()]


def write_pdf(html: str, variant: str | None) -> bytes | None:
    from weasyprint import HTML

    pdf: bytes | None = HTML(string=html, base_url=str(BASE_DIR)).write_pdf(pdf_variant=variant)
    return pdf


def _pool_init(barrier: Any, warm_pk: int) -> None:
    """Each forked process (no database connection inherited) warms up once, then waits for the others."""
    render_minimal()
    render_modulo(warm_pk)
    barrier.wait()


def pool(size: int, pks: list[int]) -> list[Row]:
    """Documents per second with ``size`` processes, one document at a time each, as Celery's prefork pool."""
    from django.db import connections

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(size + 1)
    connections.close_all()
    with context.Pool(size, initializer=_pool_init, initargs=(barrier, pks[0])) as workers:
        barrier.wait(timeout=300)
        rows: list[Row] = []
        for label, work in ((f"minimal document, pool of {size} (baseline)", render_minimal),
                            (f"modulo_compilato_pdf, pool of {size}", render_modulo)):  # fmt: skip
            started = time.perf_counter()
            seconds = workers.map(work, pks, chunksize=1)
            rows.append(Row(label, percentiles_ms(seconds), len(pks) / (time.perf_counter() - started)))
        workers.close()  # and joined: the processes end on their own, not by the pool's SIGTERM
        workers.join()
    return rows


def blank(documents: int) -> list[Row]:
    """``modulo_vuoto_pdf`` on a cache miss (its keys deleted first) and from the cache; its public page."""
    from django.test import Client

    from abilitazioni.moduli import modulo_vuoto_pdf

    cache, browser = local_redis(REDIS_URL), Client()
    times: dict[str, list[float]] = {"cache miss": [], "from the cache": []}
    page: list[float] = []
    for allegato in (2, 3, 4, 5):
        for _ in range(max(2, documents // 12)):
            for key in cache.scan_iter(match="*abilitazioni:modulo-vuoto:*"):
                cache.delete(key)
            timed(times["cache miss"], modulo_vuoto_pdf, allegato)
        for _ in range(documents):
            timed(times["from the cache"], modulo_vuoto_pdf, allegato)
    statuses = {timed(page, browser.get, "/modulistica/allegato-2.pdf").status_code for _ in range(documents)}
    rows = [Row(f"modulo_vuoto_pdf, {k}", percentiles_ms(v), None) for k, v in times.items()]
    return [*rows, Row("GET /modulistica/allegato-2.pdf, cached", percentiles_ms(page), None, f"status {statuses}")]


def measure(documents: int, pool_size: int) -> list[Row]:
    """The sequence (in turn with the baseline), the breakdown of 10 moduli, the pool, the blank moduli."""
    queue = richieste.create_people(10)
    richieste.add_requests(queue, max(documents, len(richieste.STATUS_CYCLE)))
    pks = queue.moduli[:documents]
    modulo, minimal = [], []
    for pk in [*pks[:2], *pks]:  # the first two warm up: fonts, templates, WeasyPrint's imports
        modulo.append(render_modulo(pk))  # in turn with the baseline: other load falls on both alike
        minimal.append(render_minimal())
    modulo, minimal = modulo[2:], minimal[2:]
    log(f"{documents} moduli in sequence; where the time goes; then a pool of {pool_size}")
    rows = [
        Row("minimal document, PDF/A-3b (baseline)", percentiles_ms(minimal), documents / sum(minimal)),
        Row("modulo_compilato_pdf, one after the other", percentiles_ms(modulo), documents / sum(modulo)),
    ]
    return rows + breakdown(pks[:10]) + pool(pool_size, pks) + blank(documents)


def worker_concurrency() -> int:
    """The Celery worker's: the settings, else ``--concurrency=${CELERY_CONCURRENCY:-N}`` of docker-compose.yml."""
    from django.conf import settings

    if configured := getattr(settings, "CELERY_WORKER_CONCURRENCY", None):
        return int(configured)
    compose = BASE_DIR / "docker-compose.yml"
    match = re.search(r"--concurrency[= ]\$\{(\w+):-(\d+)\}", compose.read_text() if compose.exists() else "")
    return int(os.environ.get(match.group(1)) or match.group(2)) if match else os.cpu_count() or 1


def print_report(rows: list[Row], documents: int) -> None:
    base, pool_base = rows[0].ms.p50, next(r.ms.p50 for r in rows if "pool" in r.label)
    x = [report.fmt(ratio(r.ms.p50, pool_base if "pool" in r.label else base), 2) for r in rows]
    cells = [[r.label, str(r.ms.samples), *map(report.fmt, (r.ms.p50, r.ms.p95, r.docs_per_s)), x[n], r.note]
             for n, r in enumerate(rows)]  # fmt: skip
    print(f"\nModulo PDF: {documents} routed requests of allegato 2; docs/s = documents / wall time; x minimal =")
    print("median over the minimal document's (in the pool: the minimal document's in the pool)")
    print(report.table(["measure", "docs", "median ms", "p95 ms", "docs/s", "x minimal", "note"], cells))


def scenario(options: argparse.Namespace) -> None:
    documents = options.documents or (100 if options.full else 16)
    database = Database.for_scenario("pdf")
    env = {**production_env(database.url, REDIS_URL), "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    with prepared(database, env, keep=options.keep_db):
        setup_django(env)
        rows = measure(documents, options.pool_size or worker_concurrency())
    print_report(rows, documents)
    config = {"documents": documents, "full": options.full}
    report.write_results("moduli_pdf", {"machine": report.machine("weasyprint"), "config": config, "rows": rows})


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--documents", type=int, default=0, help="documents in each measure (16 quick, 100 full)")
    arguments.add_argument("--pool-size", type=int, default=0, help="processes of the pool (the worker's concurrency)")
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    sys.exit(main())
