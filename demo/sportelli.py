"""The demo's Gestione sportelli (Messaggio 4461/2023): the Sede di Cosenza's PUE sportello, open on weekdays, with
Francesca Colombo as its INPS operator; a Polo nazionale's sportello for its prestazioni; and bookings of the Comune
di Rende made by Anna Marino in every state: confirmed (one with assistance, one for a delegate), held, cancelled,
moved, expired, held and rated, no-show.

Past bookings are made through the same services, with the portal's clock set back to when they would have been
made. Idempotent: once the Sede's sportello exists, nothing is added. The citizens are fictitious people."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import Any

from accounts.models import Comune, Struttura, User
from convenzioni import selectors
from inps_portal import clock
from pue.disponibilita import Slot, slot_previsti
from pue.esiti import esito_registra
from pue.models import EccezioneSportello, OrarioSportello, Prenotazione, Sportello
from pue.prenotazioni import (
    DatiCittadino,
    Richiesta,
    prenotazione_annulla,
    prenotazione_conferma,
    prenotazione_sposta,
    slot_liberi,
    slot_trattieni,
    trattenute_scadute_libera,
    valutazione_registra,
)

logger = logging.getLogger(__name__)

RENDE, COSENZA = "078102", "078045"
ANNA_MARINO = "MRNNNA88A58H235M"
FRANCESCA_COLOMBO = "CLMFNC90T52F205Z"  # Operatore INPS di sportello, Sede di Cosenza
CITTADINI = [
    # (codice fiscale, nome, cognome): fictitious people of Rende
    ("VRDGLI80A01H235W", "Giulio", "Verdi"),
    ("NREMRA75B45H235D", "Maria", "Neri"),
    ("BLUPLA66C12H235C", "Paolo", "Blu"),
    ("GLLNNA90D50H235V", "Anna", "Gialli"),
    ("RSOLCU55E20H235B", "Luca", "Rosi"),
    ("MRRSRA85H41H235M", "Sara", "Marrone"),
    ("VLTGNN48L10H235V", "Giovanni", "Violetti"),
]


def demo_sportelli() -> None:
    """The sportelli and their bookings, if the Sede's sportello is not there yet."""
    sede = Struttura.objects.get(codice="ST-CS")
    if Sportello.objects.filter(struttura=sede).exists():
        return
    oggi = clock.today()
    inizio_regole = oggi - dt.timedelta(days=60)
    sportello = Sportello.objects.create(
        struttura=sede, nome="Sportello PUE della Sede di Cosenza", comune=Comune.objects.get(codice_istat=COSENZA)
    )
    for giorno in range(5):
        OrarioSportello.objects.create(
            sportello=sportello, giorno=giorno, dalle=dt.time(9), alle=dt.time(13), durata_minuti=30, operatori=2,
            valido_dal=inizio_regole,
        )  # fmt: skip
    # A closure and an extra opening in the coming weeks, to show both.
    chiusura = _prossimo(oggi + dt.timedelta(days=8), giorno_settimana=2)
    EccezioneSportello.objects.create(
        sportello=sportello, giorno=chiusura, tipo=EccezioneSportello.Tipo.CHIUSURA, motivo="Formazione del personale"
    )
    EccezioneSportello.objects.create(
        sportello=sportello, giorno=_prossimo(oggi + dt.timedelta(days=1), giorno_settimana=5),
        tipo=EccezioneSportello.Tipo.APERTURA, dalle=dt.time(9), alle=dt.time(12), durata_minuti=30, operatori=1,
        motivo="Apertura straordinaria per le scadenze di fine anno",
    )  # fmt: skip
    polo = Struttura.objects.filter(tipo=Struttura.Tipo.POLO_NAZIONALE, prestazioni__isnull=False).first()
    if polo is not None:
        sportello_polo = Sportello.objects.create(
            struttura=polo, nome=f"Sportello PUE del {polo.nome}", comune=Comune.objects.get(codice_istat=COSENZA)
        )
        for giorno in (1, 3):
            OrarioSportello.objects.create(
                sportello=sportello_polo, giorno=giorno, dalle=dt.time(10), alle=dt.time(12), durata_minuti=45,
                operatori=1, valido_dal=inizio_regole,
            )  # fmt: skip
    _prenotazioni(sportello)


def _prossimo(dal: dt.date, *, giorno_settimana: int) -> dt.date:
    return dal + dt.timedelta(days=(giorno_settimana - dal.weekday()) % 7)


def _passata(
    sportello: Sportello, comune: Comune, operatore: User, slot: Slot, indice: int, *, assistenza: bool, argomento: str
) -> Prenotazione:
    codice_fiscale, nome, cognome = CITTADINI[indice]
    prenotata_il = slot.inizio - dt.timedelta(days=5)
    convenzione = selectors.convenzione_attiva(comune)
    assert convenzione is not None  # _prenotazioni checked it
    return Prenotazione.objects.create(
        sportello=sportello, inizio=slot.inizio, fine=slot.fine, posto=slot.posto, stato=Prenotazione.Stato.CONFERMATA,
        comune=comune, convenzione=convenzione, operatore=operatore, creata_il=prenotata_il,
        primo_libero=prenotata_il + dt.timedelta(days=2), cittadino_codice_fiscale=codice_fiscale,
        cittadino_nome=nome, cittadino_cognome=cognome, titolo="residenza", dichiarazione_il=prenotata_il,
        argomento=argomento, assistenza=assistenza, confermata_il=prenotata_il,
    )  # fmt: skip


def _prenotazioni(sportello: Sportello) -> None:
    comune = Comune.objects.get(codice_istat=RENDE)
    anna = User.objects.filter(codice_fiscale=ANNA_MARINO).first()
    francesca = User.objects.get(codice_fiscale=FRANCESCA_COLOMBO)
    if anna is None or selectors.convenzione_attiva(comune) is None:
        logger.warning("prenotazioni dimostrative non create: Rende senza convenzione attiva o senza operatore")
        return
    adesso = clock.now()

    def prenota(quando: dt.datetime, indice: int, **altro: Any) -> Prenotazione:
        with clock.frozen(quando):
            liberi = slot_liberi(sportello, quando.date() + dt.timedelta(days=1), quando.date() + dt.timedelta(days=9))
            slot = liberi[min(indice, len(liberi) - 1)]
            tenuta = slot_trattieni(
                chi=anna, richiesta=Richiesta(sportello_id=sportello.pk, comune_id=comune.pk, inizio=slot.inizio)
            )
            codice_fiscale, nome, cognome = CITTADINI[indice % len(CITTADINI)]
            dati = DatiCittadino(
                codice_fiscale=codice_fiscale, nome=nome, cognome=cognome, comune_id=comune.pk, titolo="residenza",
                prestazione_id=None, argomento="Posizione contributiva", assistenza=False,
            )  # fmt: skip
            return prenotazione_conferma(chi=anna, prenotazione_id=tenuta.pk, dati=replace(dati, **altro))

    # Last week's meetings, held since (one rated) and a no-show. The convention is younger than them, so these two
    # rows are written as the booking service would have left them, then go through the outcome and rating services.
    settimana_scorsa = [
        s for s in slot_previsti(sportello, clock.today() - dt.timedelta(days=9), clock.today() - dt.timedelta(days=3))
        if s.posto == 1
    ]  # fmt: skip
    svolta = _passata(sportello, comune, anna, settimana_scorsa[0], 0, assistenza=True, argomento="Assegno unico")
    non_presentato = _passata(sportello, comune, anna, settimana_scorsa[3], 3, assistenza=False, argomento="NASpI")
    with clock.frozen(svolta.fine):
        esito_registra(
            chi=francesca, prenotazione_id=svolta.pk, esito="svolta", seguito=True, documenti_scambiati=True,
            note="Consegnato il prospetto; il cittadino invierà l'ISEE aggiornato.",
        )  # fmt: skip
        valutazione_registra(chi=anna, prenotazione_id=svolta.pk, voto=5, commento="Molto chiaro, grazie.")
    with clock.frozen(non_presentato.fine + dt.timedelta(minutes=5)):
        esito_registra(
            chi=francesca, prenotazione_id=non_presentato.pk, esito="non_presentato", seguito=False,
            documenti_scambiati=False, note="",
        )  # fmt: skip
    # Coming meetings: one with assistance, one for a delegate, one cancelled, one moved.
    prenota(adesso, 0, assistenza=True, argomento="Estratto conto contributivo")
    prenota(
        adesso, 2, argomento="Pensione di reversibilità", delegato_codice_fiscale="BNCMRC60A01D086F",
        delegato_nome="Marco", delegato_cognome="Bianco",
    )  # fmt: skip
    annullata = prenota(adesso, 4)
    prenotazione_annulla(chi=anna, prenotazione_id=annullata.pk, motivo="Il cittadino ha risolto con il contact center")
    spostata = prenota(adesso, 5)
    libero = slot_liberi(sportello, clock.today() + dt.timedelta(days=3), clock.today() + dt.timedelta(days=12))[-1]
    prenotazione_sposta(chi=anna, prenotazione_id=spostata.pk, nuovo_inizio=libero.inizio)
    # An abandoned hold (expired) and one still being filled in. The abandoned one is held now and its time set
    # back, not held in the past: the convention may have started today (just after midnight, 20 minutes ago was
    # the day before it).
    liberi = slot_liberi(sportello, clock.today() + dt.timedelta(days=4), clock.today() + dt.timedelta(days=10))
    abbandonata = slot_trattieni(
        chi=anna, richiesta=Richiesta(sportello_id=sportello.pk, comune_id=comune.pk, inizio=liberi[0].inizio)
    )
    Prenotazione.objects.filter(pk=abbandonata.pk).update(scade_il=adesso - dt.timedelta(minutes=10))
    trattenute_scadute_libera(sportello.pk)
    liberi = slot_liberi(sportello, clock.today() + dt.timedelta(days=5), clock.today() + dt.timedelta(days=10))
    slot_trattieni(
        chi=anna, richiesta=Richiesta(sportello_id=sportello.pk, comune_id=comune.pk, inizio=liberi[0].inizio)
    )
    logger.info("prenotazioni PUE dimostrative create", extra={"n": Prenotazione.objects.count()})
