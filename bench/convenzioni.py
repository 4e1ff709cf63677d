"""The PUE conventions: a convention's document and its two signatures, and the registry of INPS staff as it grows.

(1) For Comuni of the province of Cosenza, in turn with the baseline (a one-line document through WeasyPrint as
PDF/A-3b): ``convenzione_crea`` (the PDF/A with two empty signature fields), the upload of the PDF the Sindaco signed
(``convenzione_firma_comune_carica``, which verifies it), INPS's incremental signature for the Direttore of DR-18
(``convenzione_firma_inps``, pkcs12 signer, ``convenzioni.pki_demo`` certificates in a temporary directory); 8
documents quick, 30 full. (2) Conventions written in bulk up to 100, 1,000 (quick), 10,000 (full): the registry page
through Django's test ``Client`` in this process beside ``/bench/table``. Local settings, ``DEBUG`` off. Not a test.

    python -m bench.convenzioni [--full] [--documents N] [--sizes A,B,C] [--repeats N] [--keep-db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from typing import Any

from bench.harness import report
from bench.harness.core import BenchError, local_env, log, parser, run_main, setup_django
from bench.harness.database import Database, prepared
from bench.harness.measure import percentiles_ms, ratio, timed
from bench.harness.sql import recorded_sql
from bench.moduli_pdf import render_minimal
from bench.persone import codice_fiscale

REDIS_URL = "redis://127.0.0.1:6379/9"
DIREZIONE, PROVINCIA, WARMUP, BATCH = "DR-18", "CS", 2, 2000
SINDACO_CF = codice_fiscale(7, "D086")
STEPS = {"minimal": "minimal document, PDF/A-3b (baseline)", "crea": "convenzione_crea (text, PDF/A, 2 fields)",
         "genera": "  of which documento.genera (the PDF/A)", "firma_come": "Sindaco signs (firma_come, no portal)",
         "carica": "convenzione_firma_comune_carica (upload)",
         "verifica_firma_comune": "  of which verifica_firma_comune", "inps": "convenzione_firma_inps (INPS signs)",
         "firma_inps": "  of which firma_inps (pkcs12, incremental)",
         "verifica_firme_finali": "  of which verifica_firme_finali"}  # fmt: skip
PRIMI = ["attiva", "attiva", "bozza", "firmata_comune", "attiva"]  # a Comune's first convention
CAMPI = {"testo": "Convenzione", "comune_codice_fiscale": "80000000000", "comune_pec": "comune@pec.example.it",
         "legale_rappresentante_nome": "Giovanni", "legale_rappresentante_cognome": "Ferraro",
         "legale_rappresentante_codice_fiscale": SINDACO_CF, "pec_inps": "dr@pec.example.it", "costi": "Energia",
         "postazione_indirizzo": "Piazza del Municipio 1", "postazione_locale": "URP",
         "postazione_strumentazione": "PC", "supporto_telefono": "06 0000 0000"}  # fmt: skip
CHIUSE = ["scaduta", "cessata", "annullata", "revocata"]  # any later one


def stopwatch(into: list[float], work: Callable[..., Any]) -> Callable[..., Any]:
    """``work`` as the services call it, each call's duration appended to ``into``."""
    return lambda *args, **kwargs: timed(into, partial(work, *args, **kwargs))


def documents(count: int) -> dict[str, list[float]]:
    """``count`` conventions created, signed by the Comune, uploaded, signed by INPS; the baseline after each."""
    from unittest import mock

    from accounts.models import Comune
    from accounts.roles import Ruolo
    from convenzioni import documento, firma, pki_demo, selectors, services
    from convenzioni.esempi import dati_di_esempio
    from convenzioni.models import CAMPO_FIRMA_COMUNE as CAMPO
    from inps_portal import clock
    from tests.factories import personale_inps

    direttore = personale_inps(Ruolo.DIRETTORE, DIREZIONE)
    pki_demo.certificato(pki_demo.Persona(direttore.codice_fiscale, direttore.nome, direttore.cognome))
    pki_demo.certificato(pki_demo.Persona(SINDACO_CF, "Giovanni", "Ferraro"))
    comuni = list(Comune.objects.filter(provincia__sigla=PROVINCIA).order_by("codice_istat")[: count + WARMUP])
    times: dict[str, list[float]] = {key: [] for key in STEPS}
    with ExitStack() as stack:
        for module, key in [(documento, "genera"), *((firma, k) for k in ("verifica_firma_comune", "firma_inps",
                                                                          "verifica_firme_finali"))]:  # fmt: skip
            stack.enter_context(mock.patch.object(module, key, stopwatch(times[key], getattr(module, key))))
        for comune in comuni:
            dati = dati_di_esempio(comune, legale_rappresentante_codice_fiscale=SINDACO_CF, data_inizio=clock.today(),
                                   amministratore_codice_fiscale=codice_fiscale(8, "D086"),
                                   referente_comune_codice_fiscale=codice_fiscale(9, "D086"))  # fmt: skip
            creata = timed(times["crea"], partial(services.convenzione_crea, chi=direttore, comune=comune, dati=dati))
            pk, generato = creata.pk, bytes(selectors.documento_generato(creata).contenuto)
            firmato = timed(times["firma_come"], partial(pki_demo.firma_come, generato, SINDACO_CF, campo=CAMPO))
            timed(times["carica"], partial(services.convenzione_firma_comune_carica, chi=direttore, convenzione_id=pk,
                                           contenuto=firmato, nome_file="firmato.pdf"))  # fmt: skip
            timed(times["inps"], partial(services.convenzione_firma_inps, chi=direttore, convenzione_id=pk,
                                         autenticato_il=clock.now()))  # fmt: skip
            times["minimal"].append(render_minimal())  # the baseline, in turn: other load falls on both alike
    return {key: values[WARMUP:] for key, values in times.items()}


def add_conventions(total: int) -> None:
    """Rows written as they are (the triggers refuse only updates): a Comune's first convention active, in
    preparation or signed by the Comune, any later one closed; each with its three current figures."""
    from accounts.models import Comune, Struttura
    from convenzioni.models import Convenzione, FiguraConvenzione, VersioneQuadro
    from inps_portal import clock

    n0, now, versione = Convenzione.objects.count(), clock.now(), VersioneQuadro.objects.order_by("numero").first()
    comuni = sorted(Comune.objects.filter(convenzioni_pue__isnull=True).values_list("codice_istat", "pk",
                    "provincia__regione_id"), key=lambda c: c[0][::-1])  # every region from the start  # fmt: skip
    direzioni = dict(Struttura.objects.filter(tipo=Struttura.Tipo.DIREZIONE_REGIONALE).values_list("regione_id", "pk"))
    if versione is None or not comuni:
        raise BenchError("no version of the Convenzione quadro, or no Comune without a convention")
    rows = []
    for n in range(n0, total):
        _, comune, regione = comuni[n % len(comuni)]
        stato, inizio = PRIMI[n % 5] if n < len(comuni) else CHIUSE[n % 4], dt.date(2024, 1, 1) + dt.timedelta(n % 700)
        chiusa = stato in CHIUSE
        rows.append(Convenzione(
            comune_id=comune, versione=versione, direzione_id=direzioni[regione], stato=stato, data_inizio=inizio,
            protocollo=f"INPS.BENCH.{n:07d}" if stato == "attiva" else None, **CAMPI,
            data_fine=inizio + dt.timedelta(365 * 3 + n % 97), attivata_il=now if stato == "attiva" else None,
            chiusa_il=now if chiusa else None, motivo_chiusura="bench" if chiusa else ""))  # fmt: skip
    created = Convenzione.objects.bulk_create(rows, batch_size=BATCH)
    FiguraConvenzione.objects.bulk_create(
        [FiguraConvenzione(convenzione_id=c.pk, ruolo=ruolo, nome="Sara", cognome=f"Bruno {c.pk}", email="r@example.it",
                           telefono="0984 000001", codice_fiscale="" if ruolo == "referente_inps" else SINDACO_CF)
         for c in created for ruolo in FiguraConvenzione.Ruolo.values],
        batch_size=BATCH,
    )  # fmt: skip


def registry(sizes: list[int], repeats: int) -> list[dict[str, Any]]:
    """At each size, the conventions written, then the pages measured."""
    from django.test import Client
    from django.urls import reverse

    from accounts.roles import Ruolo
    from convenzioni.models import Convenzione
    from tests.factories import personale_inps

    url, browsers = reverse("convenzioni_registro"), {"anonymous": Client(), "central": Client(), "DR-18": Client()}
    browsers["central"].force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-SIT"))
    browsers["DR-18"].force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, DIREZIONE))
    pages = [("baseline /bench/table", "/bench/table", "anonymous"), ("/bench/table", "/bench/table", "central"),
             ("registry, first page", url, "central"), ("registry, last page", f"{url}?pagina=9999", "central"),
             ("registry, stato=attiva", f"{url}?stato=attiva", "central"),
             ("registry, first page", url, DIREZIONE)]  # fmt: skip
    results: list[dict[str, Any]] = []
    for size in sizes:
        started = time.perf_counter()
        add_conventions(size)
        if (held := Convenzione.objects.count()) != size:
            raise BenchError(f"{held} conventions, not {size}")
        log(f"{size:,} conventions: written in {time.perf_counter() - started:.1f} s; measuring the registry")
        results += measure_pages(browsers, pages, size, repeats)
    return results


def measure_pages(browsers: dict[str, Any], pages: list[tuple[str, str, str]], size: int, repeats: int) -> list[Any]:
    """Warm-up, ``repeats`` rounds of one timed request per page in turn, one more with its SQL recorded."""
    durations: list[list[float]] = [[] for _ in pages]
    for _, path, who in pages * WARMUP:
        browsers[who].get(path)
    for _ in range(repeats):
        for n, (_, path, who) in enumerate(pages):
            timed(durations[n], browsers[who].get, path)
    results: list[dict[str, Any]] = []
    for (label, path, who), seconds in zip(pages, durations, strict=True):
        with recorded_sql() as sql:
            response = browsers[who].get(path)
        listed = re.search(r'data-testid="totale">([\d.,]+)', response.content.decode())
        median = statistics.median(seconds) * 1000
        results.append({"page": label, "user": who, "size": size, "status": response.status_code, "SQL": sql.count,
                        "SQL ms": sql.total_ms(), "median ms": median, "p95 ms": percentiles_ms(seconds).p95,
                        "x table": ratio(median, results[0]["median ms"] if results else median),
                        "listed": listed.group(1) if listed else "-", "slowest": sql.slowest()})  # fmt: skip
    return results


def print_report(times: dict[str, list[float]], pages: list[dict[str, Any]]) -> None:
    base = percentiles_ms(times["minimal"]).p50
    cells = [[label, str(len(times[k])), report.fmt(p.p50), report.fmt(p.p95), report.fmt(ratio(p.p50, base), 2)]
             for k, label in STEPS.items() for p in [percentiles_ms(times[k])]]  # fmt: skip
    print(f"\nConvention documents: {len(times['minimal'])} conventions after {WARMUP} warm-up, each step in turn with")
    print("the baseline; x minimal = median over the minimal PDF/A document's median")
    print(report.table(["measure", "docs", "median ms", "p95 ms", "x minimal"], cells))
    keys = list(dict.fromkeys((r["page"], r["user"]) for r in pages))
    rows = sorted(pages, key=lambda r: (keys.index((r["page"], r["user"])), r["size"]))
    columns = ["status", "listed", "SQL", "SQL ms", "median ms", "p95 ms", "x table"]
    print("\nRegistry: test Client in this process, local settings, DEBUG off; SQL = queries of one more request;")
    print("listed = the total the page shows; x table = median over the anonymous /bench/table's at the same size")
    cells = [[r["page"], r["user"], f"{r['size']:,}", *(report.fmt(r[c], 2 if c == "x table" else 1) for c in columns)]
             for r in rows]  # fmt: skip
    print(report.table(["page", "user", "conventions", *columns], cells, left=2))
    for page, user in keys:
        counts = [r["SQL"] for r in rows if (r["page"], r["user"]) == (page, user)]
        verdict = "constant" if len(set(counts)) == 1 else "GROWS" if counts[-1] > counts[0] else "varies"
        print(f"{page} ({user}): SQL {' / '.join(map(str, counts))} ({verdict})")
    for r in (r for r in rows if r["size"] == rows[-1]["size"] and r["slowest"][0] >= 10):  # the largest size
        print(f"slowest SQL of {r['page']} ({r['user']}): {r['slowest'][0]} ms {r['slowest'][1][:200]}")


def scenario(options: argparse.Namespace) -> None:
    count = options.documents or (30 if options.full else 8)
    sizes = sorted(options.sizes or ([100, 1_000, 10_000] if options.full else [100, 1_000]))
    repeats = options.repeats or (30 if options.full else 10)
    if sizes[0] < count + WARMUP:
        raise BenchError(f"the smallest size must hold the {count + WARMUP} signed conventions")
    database = Database.for_scenario("conv")
    with tempfile.TemporaryDirectory(prefix="bench-firme-") as firme:
        env = {**local_env(database.url), "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
               "SECURE_SSL_REDIRECT": "0", "REDIS_URL": REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "0",
               "PEC_SMTP_URL": "smtp://127.0.0.1:1025", "CONVENZIONI_FIRMA_INPS": "pkcs12",
               "CONVENZIONI_PKCS12_CARTELLA": firme, "CONVENZIONI_PKCS12_PASSWORD": "firma-bench"}  # fmt: skip
        with prepared(database, env, keep=options.keep_db):
            setup_django(env)
            log(f"{count} conventions created and signed, after {WARMUP} warm-up")
            times = documents(count)
            pages = registry(sizes, repeats)
    print_report(times, pages)
    config = {"documents": count, "sizes": sizes, "repeats": repeats, "full": options.full}
    documents_ms = {k: percentiles_ms(v) for k, v in times.items()}
    report.write_results("convenzioni", {"machine": report.machine("weasyprint", "pyHanko"), "config": config,
                                         "documents": documents_ms, "registry": pages})  # fmt: skip


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--documents", type=int, default=0, help="conventions signed (8 quick, 30 full)")
    arguments.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None,
                           help="conventions in the registry, comma-separated (quick 100,1000)")  # fmt: skip
    arguments.add_argument("--repeats", type=int, default=0, help="timed requests per page and size (10 quick, 30)")
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    sys.exit(main())
