"""The PUE sportelli's availability over one year, computed from their rules, beside a plain loop over the same slots.

Every Sede territoriale gets a sportello open Monday to Friday, 09:00-13:00 and 14:30-16:30, meetings of 30 minutes
with 3 operators in parallel, plus a closure and an extra opening; ``pue.disponibilita.slot_previsti`` computes each
one's slots for a year (holidays, patron saints, Europe/Rome to UTC), in turn with the baseline: a loop that makes the
same number of (start, end, seat) tuples with plain datetime arithmetic, no rules, no time zone, no database. With
the SQL of one sportello's year. A measurement, not a test.

    python -m bench.sportelli [--full] [--keep-db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from bench.harness import report
from bench.harness.core import log, parser, production_env, run_main, setup_django
from bench.harness.database import Database, prepared
from bench.harness.measure import percentiles_ms, ratio
from bench.harness.sql import recorded_sql

REDIS_URL = "redis://127.0.0.1:6379/10"
ANNO = 2027


def crea_sportelli() -> list[int]:
    from accounts.models import Comune, Struttura
    from pue.models import EccezioneSportello, OrarioSportello, Sportello

    sportelli = []
    for sede in Struttura.objects.filter(tipo=Struttura.Tipo.SEDE_TERRITORIALE).select_related("provincia"):
        comune = Comune.objects.filter(provincia=sede.provincia).order_by("codice_istat").first()
        if comune is None:
            continue
        sportello = Sportello.objects.create(struttura=sede, nome=f"Sportello PUE {sede.nome}", comune=comune)
        for giorno in range(5):
            for dalle, alle in ((dt.time(9), dt.time(13)), (dt.time(14, 30), dt.time(16, 30))):
                OrarioSportello.objects.create(
                    sportello=sportello, giorno=giorno, dalle=dalle, alle=alle, durata_minuti=30, operatori=3,
                    valido_dal=dt.date(ANNO, 1, 1),
                )  # fmt: skip
        EccezioneSportello.objects.create(sportello=sportello, giorno=dt.date(ANNO, 8, 16), tipo="chiusura")
        EccezioneSportello.objects.create(
            sportello=sportello, giorno=dt.date(ANNO, 3, 6), tipo="apertura", dalle=dt.time(9), alle=dt.time(12),
            durata_minuti=30, operatori=2,
        )  # fmt: skip
        sportelli.append(sportello.pk)
    return sportelli


def anno_calcolato(pk: int) -> tuple[float, int]:
    from pue.disponibilita import slot_previsti
    from pue.models import Sportello

    started = time.perf_counter()
    sportello = Sportello.objects.select_related("comune__provincia").get(pk=pk)
    quanti = len(slot_previsti(sportello, dt.date(ANNO, 1, 1), dt.date(ANNO, 12, 31)))
    return time.perf_counter() - started, quanti


def ciclo_semplice(quanti: int) -> float:
    """The baseline: ``quanti`` (start, end, seat) tuples by plain arithmetic, in days of 12 slots of 3 seats."""
    started = time.perf_counter()
    slot: list[tuple[dt.datetime, dt.datetime, int]] = []
    giorno = dt.datetime(ANNO, 1, 1, 8, tzinfo=dt.UTC)
    passo, durata = dt.timedelta(minutes=30), dt.timedelta(minutes=30)
    while len(slot) < quanti:
        inizio = giorno
        for _ in range(12):
            for posto in (1, 2, 3):
                slot.append((inizio, inizio + durata, posto))
            inizio += passo
        giorno += dt.timedelta(days=1)
    return time.perf_counter() - started


def scenario(options: argparse.Namespace) -> None:
    database = Database.for_scenario("sportelli")
    env = production_env(database.url, REDIS_URL)
    with prepared(database, env, keep=options.keep_db):
        setup_django(env)
        pks = crea_sportelli()
        giri = 3 if options.full else 1
        calcolati, semplici, totale = [], [], 0
        for _ in range(giri):
            for pk in pks:  # in turn with the baseline: other load falls on both alike
                secondi, quanti = anno_calcolato(pk)
                calcolati.append(secondi)
                semplici.append(ciclo_semplice(quanti))
                totale += quanti
        with recorded_sql() as sql:
            anno_calcolato(pks[0])
    log(f"{len(pks)} sportelli, {giri} round(s), {totale:,} slots")
    calcolo, base = percentiles_ms(calcolati), percentiles_ms(semplici)
    cells = [
        ["plain loop, same slots (baseline)", report.fmt(base.p50, 2), report.fmt(base.p95, 2), "1.00", "0"],
        ["slot_previsti, one sportello's year", report.fmt(calcolo.p50, 2), report.fmt(calcolo.p95, 2),
         report.fmt(ratio(calcolo.p50, base.p50), 2), str(sql.count)],
    ]  # fmt: skip
    print(f"\nSportelli PUE: the availability of {len(pks)} sportelli over {ANNO} ({totale // giri:,} slots a round)")
    print(report.table(["measure", "median ms", "p95 ms", "x baseline", "SQL"], cells))
    print(
        f"every sportello's year: {sum(calcolati) / giri * 1000:,.0f} ms against {sum(semplici) / giri * 1000:,.0f} ms"
    )
    report.write_results(
        "sportelli",
        {"machine": report.machine(), "config": {"sportelli": len(pks), "full": options.full}, "rows": cells},
    )


def main() -> int:
    return run_main(scenario, parser(__doc__).parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
