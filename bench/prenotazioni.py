"""PUE bookings under contention on one sportello, and the INPS operator's day page as the day fills up.

1. **Bookings.** Sportelli of the Sede of Cosenza (ST-CS), open Monday to Friday 09:00-12:00 in 30-minute meetings
   with 5 operators in parallel, Rende's operators booking through ``slot_trattieni`` and ``prenotazione_conferma``
   (the hold locks the sportello's row: every booking of one sportello waits for the one before). N threads (16),
   each with its own connection, hold and confirm distinct free slots of one sportello; the same bookings from one
   thread on a twin sportello; then every thread racing for the same few slots of a third one (successes, refusals
   with ``SlotOccupato``, errors: 0 expected). Baselines of the same run: the same number of plain INSERTs of
   confirmed rows (``objects.create``: no lock, no check) from the same thread counts, on a fourth sportello.
2. **The operator's day page** (``pue_sportello_giornata``) as an ``operatore_sportello`` of ST-CS, through
   Django's test ``Client`` in this process (production settings, ``DEBUG`` off), on days holding 10, 100 and 1,000
   confirmed bookings (written with ``bulk_create``); SQL of one request (must not grow with the day), median time;
   the baseline: the same rows read by a plain ``values_list`` in this process.

The portal's clock is pinned (``inps_portal.clock.frozen``) once, around each thread pool and around the pages:
it is one for the process. A measurement, not a test.

    python -m bench.prenotazioni [--full] [--threads N] [--per-thread N] [--sizes A,B,C] [--repeats N] [--keep-db]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench.harness import report
from bench.harness.core import BenchError, log, parser, production_env, run_main, setup_django
from bench.harness.database import Database, prepared
from bench.harness.measure import percentiles_ms, rate, ratio
from bench.harness.sql import recorded_sql, shape

if TYPE_CHECKING:
    from accounts.models import Comune
    from convenzioni.models import Convenzione
    from pue.prenotazioni import DatiCittadino, Richiesta

REDIS_URL = "redis://127.0.0.1:6379/8"
SEDE = "ST-CS"
RENDE = "078102"
COSENZA = "078045"
UTC = dt.UTC
ADESSO = dt.datetime(2027, 3, 1, 7, tzinfo=UTC)  # Monday 1 March 2027, 08:00 in Rome: the week's slots all ahead
OPERATORI = 5  # seats of each slot
RACE_STARTS = 4  # the slots every thread races for (x OPERATORI seats)
# The day page: Tuesday, Wednesday, Thursday... one day per size; the clock after them (every meeting started).
PRIMO_GIORNO = dt.date(2027, 3, 2)
ORARI_PAGINA = 50  # starts of the day page's bookings: every 10 minutes from 08:00 (Rome), seats as needed
WARMUP = 2
# What the page shows of a booking: the baseline reads these columns.
COLONNE = ("pk", "inizio", "fine", "posto", "stato", "cittadino_nome", "cittadino_cognome", "argomento",
           "prestazione__nome", "assistenza", "comune__nome", "stanza")  # fmt: skip


# --- The scene --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scena:
    comune: Comune
    convenzione: Convenzione
    operatori: list[int]  # Rende's operators, one per thread
    sportelli: dict[str, int]  # by use: multi, single, race, insert, page, sql
    ispettore: int  # the INPS operatore_sportello of ST-CS


def crea_scena(threads: int) -> Scena:
    from accounts.models import Comune, Struttura
    from accounts.roles import Ruolo
    from accounts.services.ruoli import ruolo_assegna
    from inps_portal import clock
    from pue.models import Sportello
    from tests.factories import UserFactory, convenzione_attiva_di_prova, personale_inps
    from tests.pue_scena import orari_feriali

    comune = Comune.objects.select_related("provincia").get(codice_istat=RENDE)
    with clock.frozen(ADESSO - dt.timedelta(days=30)):
        convenzione = convenzione_attiva_di_prova(
            comune, amministratore_codice_fiscale=UserFactory.create().codice_fiscale
        )
    operatori = []
    for _ in range(threads):
        operatore = UserFactory.create()
        ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=comune)
        operatori.append(operatore.pk)
    sede, cosenza = Struttura.objects.get(codice=SEDE), Comune.objects.get(codice_istat=COSENZA)
    sportelli = {}
    for uso in ("multi", "single", "race", "insert", "page", "sql"):
        sportello = Sportello.objects.create(struttura=sede, nome=f"Sportello PUE bench ({uso})", comune=cosenza)
        if uso != "insert":
            orari_feriali(sportello, OPERATORI)
        sportelli[uso] = sportello.pk
    ispettore = personale_inps(Ruolo.OPERATORE_SPORTELLO, SEDE)
    return Scena(comune, convenzione, operatori, sportelli, ispettore.pk)


def cittadino(scena: Scena, n: int) -> DatiCittadino:
    from pue.prenotazioni import DatiCittadino
    from tests.factories import codice_fiscale_valido

    return DatiCittadino(
        codice_fiscale=codice_fiscale_valido(1000 + n), nome="Giulio", cognome=f"Verdi {n}", comune_id=scena.comune.pk,
        titolo="residenza", prestazione_id=None, argomento="Estratto conto contributivo", assistenza=n % 2 == 0,
    )  # fmt: skip


def richieste_libere(scena: Scena, sportello_id: int, quante: int) -> list[Richiesta]:
    """The first ``quante`` seats the rules open from ``ADESSO``, one request per seat, in time order (the five
    seats of a slot are five requests for the same start: each is given the next free seat)."""
    from pue.disponibilita import slot_previsti
    from pue.models import Sportello
    from pue.prenotazioni import Richiesta

    sportello = Sportello.objects.select_related("comune__provincia").get(pk=sportello_id)
    giorni = quante // (OPERATORI * 6) * 7 // 5 + 14
    slot = sorted(s for s in slot_previsti(sportello, ADESSO.date(), ADESSO.date() + dt.timedelta(days=giorni)))
    slot = [s for s in slot if s.inizio > ADESSO][:quante]
    if len(slot) < quante:
        raise BenchError(f"only {len(slot)} slots open in {giorni} days, {quante} needed")
    return [Richiesta(sportello_id=sportello_id, comune_id=scena.comune.pk, inizio=s.inizio) for s in slot]


# --- Bookings under contention ------------------------------------------------------------------------------------


@dataclass
class Esito:
    """One thread's outcome, in its order: the duration of each success (and of its hold, of its confirmation), of
    each refusal; the errors."""

    fatte: list[float] = field(default_factory=list)
    trattenute: list[float] = field(default_factory=list)
    conferme: list[float] = field(default_factory=list)
    rifiutate: list[float] = field(default_factory=list)
    errori: list[str] = field(default_factory=list)


@dataclass
class Misura:
    label: str
    threads: int
    fatte: int
    rifiutate: int
    errori: int
    wall_s: float
    per_s: float | None
    p50_ms: float | None
    p99_ms: float | None
    hold_p50_ms: float | None = None
    confirm_p50_ms: float | None = None
    rifiuto_p50_ms: float | None = None
    primi_p50_ms: float | None = None  # the first tenth of each thread's bookings
    ultimi_p50_ms: float | None = None  # the last tenth
    x_insert: float | None = None
    primo_errore: str = ""


def in_parallelo(label: str, lavori: Sequence[Callable[[], Esito]]) -> Misura:
    """Every job in a thread of its own, released together by a barrier once each has its connection; the wall time
    from the release to the last one done. Each job closes its connections (see ``lavoro``)."""
    partenza = threading.Barrier(len(lavori) + 1)
    with ThreadPoolExecutor(max_workers=len(lavori)) as pool:
        futuri = [pool.submit(_dopo(partenza, lavoro)) for lavoro in lavori]
        try:
            partenza.wait(timeout=60)
        except threading.BrokenBarrierError:
            falliti = [repr(f.exception()) for f in futuri if f.exception() is not None]
            raise BenchError(f"{label}: the threads did not start: {falliti[:1]}") from None
        started = time.perf_counter()
        esiti = [f.result() for f in futuri]
        wall = time.perf_counter() - started
    fatte = [s for e in esiti for s in e.fatte]
    rifiutate = [s for e in esiti for s in e.rifiutate]
    errori = [m for e in esiti for m in e.errori]
    decimo = [max(1, len(e.fatte) // 10) for e in esiti]
    primi = [s for e, k in zip(esiti, decimo, strict=True) for s in e.fatte[:k]]
    ultimi = [s for e, k in zip(esiti, decimo, strict=True) for s in e.fatte[-k:]]
    durate = percentiles_ms(fatte)
    return Misura(
        label, len(lavori), len(fatte), len(rifiutate), len(errori), wall, rate(len(fatte), wall), durate.p50,
        durate.p99, percentiles_ms([s for e in esiti for s in e.trattenute]).p50,
        percentiles_ms([s for e in esiti for s in e.conferme]).p50, percentiles_ms(rifiutate).p50,
        percentiles_ms(primi).p50, percentiles_ms(ultimi).p50, primo_errore=errori[0] if errori else "",
    )  # fmt: skip


def _dopo(partenza: threading.Barrier, lavoro: Callable[[], Esito]) -> Callable[[], Esito]:
    """``lavoro`` once its thread has a connection and every thread is ready; its connections closed at the end."""

    def eseguito() -> Esito:
        from django.db import connection, connections

        try:
            try:
                connection.ensure_connection()
            except BaseException:
                partenza.abort()  # the others, and the caller, stop waiting
                raise
            partenza.wait(timeout=60)
            return lavoro()
        finally:
            connections.close_all()

    return eseguito


def prenota(operatore_id: int, richieste: list[Richiesta], dati: list[DatiCittadino]) -> Callable[[], Esito]:
    """Hold and confirm each request in turn, as ``operatore_id``."""

    def lavoro() -> Esito:
        from accounts.models import User
        from pue.errori import SlotOccupato
        from pue.prenotazioni import prenotazione_conferma, slot_trattieni

        chi, esito = User.objects.get(pk=operatore_id), Esito()
        for richiesta, cittadino in zip(richieste, dati, strict=True):
            started = time.perf_counter()
            try:
                tenuta = slot_trattieni(chi=chi, richiesta=richiesta)
                trattenuta = time.perf_counter()
                prenotazione_conferma(chi=chi, prenotazione_id=tenuta.pk, dati=cittadino)
            except SlotOccupato:
                esito.rifiutate.append(time.perf_counter() - started)
            except Exception as errore:  # noqa: BLE001 - counted and reported: 0 expected
                esito.errori.append(f"{type(errore).__name__}: {errore}")
            else:
                finita = time.perf_counter()
                esito.fatte.append(finita - started)
                esito.trattenute.append(trattenuta - started)
                esito.conferme.append(finita - trattenuta)
        return esito

    return lavoro


def inserisci(scena: Scena, operatore_id: int, righe: list[tuple[dt.datetime, int]], cf: str) -> Callable[[], Esito]:
    """The baseline: one plain INSERT of a confirmed row per (start, seat), autocommit, no lock, no check."""

    def lavoro() -> Esito:
        from pue.models import Prenotazione

        esito, sportello_id = Esito(), scena.sportelli["insert"]
        for inizio, posto in righe:
            started = time.perf_counter()
            Prenotazione.objects.create(
                sportello_id=sportello_id, inizio=inizio, fine=inizio + dt.timedelta(minutes=30), posto=posto,
                stato="confermata", comune=scena.comune, convenzione=scena.convenzione, operatore_id=operatore_id,
                creata_il=ADESSO, cittadino_codice_fiscale=cf, cittadino_nome="Giulio", cittadino_cognome="Verdi",
                titolo="residenza", dichiarazione_il=ADESSO, confermata_il=ADESSO, argomento="Estratto conto",
            )  # fmt: skip
            esito.fatte.append(time.perf_counter() - started)
        return esito

    return lavoro


def a_turno(elenco: Sequence[Any], threads: int) -> list[list[Any]]:
    """Thread t gets items t, t + threads, ...: at any moment the threads ask for neighbouring slots."""
    return [list(elenco[t::threads]) for t in range(threads)]


def contesa(scena: Scena, threads: int, per_thread: int) -> list[Misura]:
    from inps_portal import clock
    from tests.factories import codice_fiscale_valido

    n, cf = threads * per_thread, codice_fiscale_valido(999)
    dati = [cittadino(scena, i) for i in range(n)]
    multi = richieste_libere(scena, scena.sportelli["multi"], n)
    single = richieste_libere(scena, scena.sportelli["single"], n)
    race = richieste_libere(scena, scena.sportelli["race"], RACE_STARTS * OPERATORI)[::OPERATORI]
    base = dt.datetime(2028, 1, 3, 8, tzinfo=UTC)
    righe = [(base + dt.timedelta(minutes=30 * i), 1) for i in range(2 * n)]
    operatori = scena.operatori
    lavori = {
        "insert_multi": [inserisci(scena, operatori[t], p, cf) for t, p in enumerate(a_turno(righe[:n], threads))],
        "multi": [
            prenota(operatori[t], r, d)
            for t, (r, d) in enumerate(zip(a_turno(multi, threads), a_turno(dati, threads), strict=True))
        ],
        "insert_single": [inserisci(scena, operatori[0], righe[n:], cf)],
        "single": [prenota(operatori[0], single, dati)],
        "race": [prenota(operatori[t], race, dati[t * RACE_STARTS : (t + 1) * RACE_STARTS]) for t in range(threads)],
    }
    misure = []
    with clock.frozen(ADESSO):  # once, around every pool: the clock is one for the process
        log(f"plain INSERTs: {n:,} rows from {threads} threads")
        misure.append(in_parallelo(f"plain INSERT, {threads} threads (baseline)", lavori["insert_multi"]))
        log(f"bookings: {n:,} on one sportello from {threads} threads")
        misure.append(in_parallelo(f"booking (hold + confirm), {threads} threads", lavori["multi"]))
        log(f"plain INSERTs: {n:,} rows from 1 thread")
        misure.append(in_parallelo("plain INSERT, 1 thread (baseline)", lavori["insert_single"]))
        log(f"bookings: {n:,} on a twin sportello from 1 thread")
        misure.append(in_parallelo("booking (hold + confirm), 1 thread", lavori["single"]))
        log(f"race: {threads} threads for the same {RACE_STARTS} slots x {OPERATORI} seats")
        misure.append(
            in_parallelo(f"race: {threads} threads, same {RACE_STARTS} slots x {OPERATORI} seats", lavori["race"])
        )
    misure[1].x_insert = ratio(misure[1].per_s, misure[0].per_s)
    misure[3].x_insert = ratio(misure[3].per_s, misure[2].per_s)
    return misure


def controlla_contesa(scena: Scena, misure: list[Misura], threads: int, per_thread: int) -> list[str]:
    """What the database holds afterwards: every success confirmed, one live booking per seat, the race's count."""
    from django.db.models import Count

    from pue.models import Prenotazione

    problemi = []
    attese = {"multi": misure[1].fatte, "single": misure[3].fatte, "race": misure[4].fatte}
    for uso, fatte in attese.items():
        vive = Prenotazione.objects.filter(sportello_id=scena.sportelli[uso], stato__in=Prenotazione.OCCUPANO)
        per_stato = dict(vive.values_list("stato").annotate(n=Count("pk")).values_list("stato", "n"))
        if per_stato != ({"confermata": fatte} if fatte else {}):
            problemi.append(f"{uso}: {per_stato} live, {fatte} successes")
        doppie = vive.values("inizio", "posto").annotate(n=Count("pk")).filter(n__gt=1).count()
        if doppie:
            problemi.append(f"{uso}: {doppie} seats booked twice")
    if misure[1].fatte != threads * per_thread or misure[3].fatte != threads * per_thread:
        problemi.append(f"{threads * per_thread} bookings asked, {misure[1].fatte} and {misure[3].fatte} made")
    if misure[4].fatte != RACE_STARTS * OPERATORI:
        problemi.append(f"race: {misure[4].fatte} successes for {RACE_STARTS * OPERATORI} seats")
    return problemi


@dataclass
class SqlPrenotazione:
    """The queries of one hold and of its confirmation, from this process, with ``davanti`` bookings ahead
    (BEGIN and COMMIT, which Django also captures, left out), and the wall time of each."""

    sportello: str
    davanti: int
    hold: int
    hold_ms: float
    confirm: int
    confirm_ms: float
    repeated: dict[str, int]


def _catturate(cattura: Any) -> list[str]:
    return [q["sql"] for q in cattura.captured_queries if q["sql"] not in ("BEGIN", "COMMIT", "ROLLBACK")]


def sql_di_una_prenotazione(scena: Scena, uso: str, davanti: int) -> SqlPrenotazione:
    """One more booking of the sportello ``uso``, whose first ``davanti`` seats are booked: its SQL recorded.
    ``CaptureQueriesContext`` directly: ``recorded_sql`` times each query and refuses the transaction statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from inps_portal import clock
    from pue.prenotazioni import prenotazione_conferma, slot_trattieni

    chi = User.objects.get(pk=scena.operatori[0])
    with clock.frozen(ADESSO):
        richiesta = richieste_libere(scena, scena.sportelli[uso], davanti + 1)[-1]
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as hold:
            tenuta = slot_trattieni(chi=chi, richiesta=richiesta)
        trattenuta = time.perf_counter()
        with CaptureQueriesContext(connection) as confirm:
            prenotazione_conferma(chi=chi, prenotazione_id=tenuta.pk, dati=cittadino(scena, 9999))
        finita = time.perf_counter()
    forme = Counter(shape(q) for q in _catturate(hold))
    return SqlPrenotazione(uso, davanti, len(_catturate(hold)), (trattenuta - started) * 1000,
                           len(_catturate(confirm)), (finita - trattenuta) * 1000,
                           {f: n for f, n in forme.items() if n > 1})  # fmt: skip


def stampa_contesa(misure: list[Misura], problemi: list[str], sql: list[SqlPrenotazione], cpus: int) -> None:
    header = ["measure", "threads", "done", "refused", "errors", "wall s", "per s", "x INSERT", "p50 ms", "p99 ms",
              "hold p50", "confirm p50"]  # fmt: skip
    cells = [[m.label, str(m.threads), f"{m.fatte:,}", f"{m.rifiutate:,}", str(m.errori), report.fmt(m.wall_s, 2),
              report.fmt(m.per_s), report.fmt(m.x_insert, 3) if m.x_insert is not None else
              ("1.00" if "baseline" in m.label else "-"), report.fmt(m.p50_ms), report.fmt(m.p99_ms),
              report.fmt(m.hold_p50_ms), report.fmt(m.confirm_p50_ms)] for m in misure]  # fmt: skip
    print(f"\nBookings on one sportello ({OPERATORI} seats a slot), in this process, {cpus} CPUs, production settings")
    print("per s = successes over the wall time; x INSERT = per s over the plain INSERTs' per s, same thread count;")
    print("p50/p99 of one booking (hold + confirm), then of its hold (sportello locked) and of its confirmation")
    print(report.table(header, cells))
    multi, single, race = misure[1], misure[3], misure[4]
    scala, attesa = ratio(multi.per_s, single.per_s), ratio(multi.p50_ms, single.p50_ms)
    print(f"{multi.threads} threads over 1 thread: bookings/s x{report.fmt(scala, 2)}, p50 x{report.fmt(attesa, 2)}")
    primi, ultimi = report.fmt(single.primi_p50_ms), report.fmt(single.ultimi_p50_ms)
    print(f"1 thread: p50 of the first tenth of the bookings {primi} ms, of the last tenth {ultimi} ms (a hold looks")
    print("  for the first free slot week by week from today: the more weeks are full, the more it reads)")
    print(f"race: {race.fatte} held and confirmed, {race.rifiutate} refused with SlotOccupato (p50 of a refusal "
          f"{report.fmt(race.rifiuto_p50_ms)} ms), {race.errori} errors")  # fmt: skip
    for m in misure:
        if m.primo_errore:
            print(f"ERROR in {m.label}: {m.errori} errors, the first: {m.primo_errore[:300]}")
    esito = "; ".join(problemi) if problemi else "OK (every success confirmed, one live booking per seat)"
    print(f"check: {esito}")
    for q in sql:
        print(f"SQL of one booking, {q.davanti:,} bookings ahead on its sportello: the hold {q.hold} queries in "
              f"{report.fmt(q.hold_ms)} ms, the confirmation {q.confirm} in {report.fmt(q.confirm_ms)} ms")  # fmt: skip
        for forma, n in q.repeated.items():
            print(f"  same query {n} times in the hold: {forma[:200]}")


# --- The operator's day page --------------------------------------------------------------------------------------


@dataclass
class Pagina:
    prenotazioni: int
    giorno: dt.date
    status: int
    righe: int
    queries: int
    sql_ms: float
    median_ms: float
    p95_ms: float | None
    base_ms: float
    repeated: dict[str, int] = field(default_factory=dict)

    @property
    def per_booking_ms(self) -> float:
        return self.median_ms / self.prenotazioni


def riempi_giorno(scena: Scena, giorno: dt.date, quante: int, prestazioni: list[int]) -> None:
    """``quante`` confirmed bookings of the page's sportello on ``giorno``: ``ORARI_PAGINA`` starts 10 minutes
    apart from 08:00 (Rome), as many seats as needed; half with a prestazione, half with a topic."""
    from pue.disponibilita import ROMA
    from pue.models import Prenotazione
    from tests.factories import codice_fiscale_valido

    primo = dt.datetime.combine(giorno, dt.time(8), tzinfo=ROMA).astimezone(UTC)
    codici = [codice_fiscale_valido(2000 + n) for n in range(min(quante, 100))]
    righe = []
    for n in range(quante):
        inizio = primo + dt.timedelta(minutes=10 * (n % ORARI_PAGINA))
        righe.append(Prenotazione(
            sportello_id=scena.sportelli["page"], inizio=inizio, fine=inizio + dt.timedelta(minutes=10),
            posto=n // ORARI_PAGINA + 1, stato="confermata", comune=scena.comune, convenzione=scena.convenzione,
            operatore_id=scena.operatori[n % len(scena.operatori)], creata_il=ADESSO, primo_libero=inizio,
            cittadino_codice_fiscale=codici[n % len(codici)], cittadino_nome="Giulio", cittadino_cognome=f"Verdi {n}",
            titolo="residenza" if n % 3 else "domicilio", dichiarazione_il=ADESSO, confermata_il=ADESSO,
            prestazione_id=prestazioni[n % len(prestazioni)] if prestazioni and n % 2 else None,
            argomento="" if prestazioni and n % 2 else "Estratto conto contributivo", assistenza=n % 2 == 0,
        ))  # fmt: skip
    Prenotazione.objects.bulk_create(righe, batch_size=1000)


def lettura_semplice(sportello_id: int, giorno: dt.date) -> int:
    """The baseline: the day's rows, the columns the page shows, one plain query."""
    from pue.disponibilita import ROMA
    from pue.models import Prenotazione

    dal = dt.datetime.combine(giorno, dt.time.min, tzinfo=ROMA)
    righe = list(
        Prenotazione.objects.filter(
            sportello_id=sportello_id, inizio__gte=dal, inizio__lt=dal + dt.timedelta(days=1), stato="confermata"
        )
        .order_by("inizio", "posto")
        .values_list(*COLONNE)
    )
    return len(righe)


def giornata(scena: Scena, sizes: list[int], repeats: int) -> list[Pagina]:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Prestazione, User
    from inps_portal import clock
    from pue.disponibilita import ROMA

    prestazioni = list(Prestazione.objects.order_by("pk").values_list("pk", flat=True)[:5])
    giorni = [PRIMO_GIORNO + dt.timedelta(days=i) for i in range(len(sizes))]
    for giorno, size in zip(giorni, sizes, strict=True):
        riempi_giorno(scena, giorno, size, prestazioni)
    log(f"day page: {', '.join(f'{s:,}' for s in sizes)} bookings on {giorni[0]} to {giorni[-1]}")
    client = Client()
    client.force_login(User.objects.get(pk=scena.ispettore))
    url, sportello_id = reverse("pue_sportello_giornata"), scena.sportelli["page"]
    paths = [f"{url}?sportello={sportello_id}&giorno={g.isoformat()}" for g in giorni]
    # After the last day's meetings: every one has started, so each row carries its outcome form.
    adesso = dt.datetime.combine(giorni[-1], dt.time(20), tzinfo=ROMA).astimezone(UTC)
    tempi: list[list[float]] = [[] for _ in sizes]
    base: list[list[float]] = [[] for _ in sizes]
    with clock.frozen(adesso):
        for path, giorno in zip(paths, giorni, strict=True):
            for _ in range(WARMUP):
                client.get(path)
                lettura_semplice(sportello_id, giorno)
        for _ in range(repeats):  # the sizes and the baseline in turn: other load falls on all alike
            for n, (path, giorno) in enumerate(zip(paths, giorni, strict=True)):
                started = time.perf_counter()
                client.get(path)
                tempi[n].append(time.perf_counter() - started)
                started = time.perf_counter()
                lettura_semplice(sportello_id, giorno)
                base[n].append(time.perf_counter() - started)
        pagine = []
        for n, (path, giorno, size) in enumerate(zip(paths, giorni, sizes, strict=True)):
            with recorded_sql() as sql:
                response = client.get(path)
            righe = len(re.findall(r'data-testid="incontro"', response.content.decode()))
            pagine.append(Pagina(size, giorno, response.status_code, righe, sql.count, sql.total_ms(),
                                 statistics.median(tempi[n]) * 1000, percentiles_ms(tempi[n]).p95,
                                 statistics.median(base[n]) * 1000, sql.repeated()))  # fmt: skip
            if lettura_semplice(sportello_id, giorno) != size:
                raise BenchError(f"{giorno}: the baseline read does not find {size} bookings")
    return pagine


def stampa_giornata(pagine: list[Pagina], repeats: int) -> None:
    header = ["bookings", "status", "rows shown", "SQL", "SQL ms", "median ms", "p95 ms", "ms per booking",
              "values_list ms", "x values_list"]  # fmt: skip
    cells = [[f"{p.prenotazioni:,}", str(p.status), f"{p.righe:,}", str(p.queries), report.fmt(p.sql_ms),
              report.fmt(p.median_ms), report.fmt(p.p95_ms), report.fmt(p.per_booking_ms, 3), report.fmt(p.base_ms, 2),
              report.fmt(ratio(p.median_ms, p.base_ms))] for p in pagine]  # fmt: skip
    print(f"\nThe operator's day page (pue_sportello_giornata), test Client, production settings, {WARMUP} warm-up + "
          f"{repeats} timed requests per size;")  # fmt: skip
    print("SQL = queries of one more request; values_list = the same rows by one plain query (the baseline)")
    print(report.table(header, cells, left=0))
    counts = [p.queries for p in pagine]
    verdict = "constant" if len(set(counts)) == 1 else "GROWS" if counts[-1] > counts[0] else "varies"
    print(f"SQL per request: {' / '.join(map(str, counts))} ({verdict})")
    for p in pagine:
        if p.status != 200 or p.righe != p.prenotazioni:
            print(f"note: the day of {p.prenotazioni:,} answered {p.status} with {p.righe:,} rows")
    for forma, n in pagine[-1].repeated.items():
        print(f"same query {n} times at {pagine[-1].prenotazioni:,}: {forma[:200]}")


# --- The run ------------------------------------------------------------------------------------------------------


def scenario(options: argparse.Namespace) -> None:
    threads = options.threads
    per_thread = options.per_thread or (50 if options.full else 15)
    sizes = sorted(options.sizes or ([10, 100, 1_000, 3_000] if options.full else [10, 100, 1_000]))
    repeats = options.repeats or (15 if options.full else 5)
    if not 1 <= threads <= 64 or per_thread < RACE_STARTS:  # PostgreSQL's 100 connections by default
        raise BenchError(f"--threads from 1 to 64 and --per-thread from {RACE_STARTS}")
    database = Database.for_scenario("prenotazioni")
    env = {**production_env(database.url, REDIS_URL), "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    with prepared(database, env, keep=options.keep_db):
        setup_django(env)  # "testserver" allowed instead of setup_test_environment, which instruments templates
        started = time.perf_counter()
        scena = crea_scena(threads)
        log(f"scene: Rende, {threads} operators, {len(scena.sportelli)} sportelli of {SEDE} "
            f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
        misure = contesa(scena, threads, per_thread)
        problemi = controlla_contesa(scena, misure, threads, per_thread)
        sql = [sql_di_una_prenotazione(scena, "sql", 0), sql_di_una_prenotazione(scena, "single", misure[3].fatte)]
        pagine = giornata(scena, sizes, repeats)
    cpus = len(os.sched_getaffinity(0))
    stampa_contesa(misure, problemi, sql, cpus)
    stampa_giornata(pagine, repeats)
    config = {"threads": threads, "per_thread": per_thread, "seats": OPERATORI, "race_starts": RACE_STARTS,
              "sizes": sizes, "repeats": repeats, "warmup": WARMUP, "full": options.full}  # fmt: skip
    report.write_results(
        "prenotazioni",
        {
            "machine": report.machine(),
            "config": config,
            "bookings": misure,
            "check": problemi or "OK",
            "sql_of_one_booking": sql,
            "pages": pagine,
        },
    )
    if problemi or any(m.errori for m in misure):
        raise BenchError("the bookings left the database in a wrong state or raised errors: see above")


def _sizes(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v]


def main() -> int:
    arguments = parser(__doc__)
    arguments.add_argument("--threads", type=int, default=16, help="booking threads, each its own connection (16)")
    arguments.add_argument("--per-thread", type=int, help="bookings per thread (15; full 50)")
    arguments.add_argument("--sizes", type=_sizes, help="bookings of the page's days (10,100,1000; full +3000)")
    arguments.add_argument("--repeats", type=int, help="timed requests per size (5; full 15)")
    return run_main(scenario, arguments.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
