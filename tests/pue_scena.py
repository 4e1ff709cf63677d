"""The scene of the PUE's booking tests: Rende (CS) with an active convention and an enabled operator, the Cosenza
Sede's sportello open Monday to Friday 09:00-12:00 in 30-minute meetings, and a confirmed booking on demand. The
portal's clock is the caller's: the tests pin it (``ADESSO``) where times matter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from accounts.models import Comune, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni.models import Convenzione
from inps_portal import clock
from pue.disponibilita import UTC
from pue.models import OrarioSportello, Prenotazione, Sportello
from pue.prenotazioni import DatiCittadino, Richiesta, prenotazione_conferma, slot_trattieni
from tests.factories import UserFactory, codice_fiscale_valido, convenzione_attiva_di_prova

RENDE = "078102"
COSENZA = "078045"
ADESSO = dt.datetime(2027, 3, 1, 9, tzinfo=UTC)  # Monday 1 March 2027, 10:00 in Rome
SLOT = dt.datetime(2027, 3, 3, 8, tzinfo=UTC)  # Wednesday 3 March 2027, 09:00 in Rome


@dataclass
class Scena:
    comune: Comune
    convenzione: Convenzione
    operatore: User
    sportello: Sportello


def orari_feriali(sportello: Sportello, operatori: int = 1) -> None:
    for giorno in range(5):
        OrarioSportello.objects.create(
            sportello=sportello, giorno=giorno, dalle=dt.time(9), alle=dt.time(12), durata_minuti=30,
            operatori=operatori, valido_dal=dt.date(2027, 1, 1),
        )  # fmt: skip


def scena_prenotazioni(operatori: int = 1, istat: str = RENDE, sede: str = "ST-CS") -> Scena:
    comune = Comune.objects.select_related("provincia").get(codice_istat=istat)
    with clock.frozen(ADESSO - dt.timedelta(days=30)):
        convenzione = convenzione_attiva_di_prova(
            comune, amministratore_codice_fiscale=UserFactory.create().codice_fiscale
        )
    operatore = UserFactory.create()
    ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=comune)
    sportello = Sportello.objects.filter(struttura__codice=sede).first() or Sportello.objects.create(
        struttura=Struttura.objects.get(codice=sede),
        nome=f"Sportello PUE di {Struttura.objects.get(codice=sede).nome}",
        comune=Comune.objects.get(codice_istat=COSENZA),
    )
    if not sportello.orari.exists():
        orari_feriali(sportello, operatori)
    return Scena(comune=comune, convenzione=convenzione, operatore=operatore, sportello=sportello)


def richiesta(scena: Scena, inizio: dt.datetime = SLOT) -> Richiesta:
    return Richiesta(sportello_id=scena.sportello.pk, comune_id=scena.comune.pk, inizio=inizio)


def dati_cittadino(scena: Scena, **altro: Any) -> DatiCittadino:
    valori: dict[str, Any] = {
        "codice_fiscale": codice_fiscale_valido(961),
        "nome": "Giulio",
        "cognome": "Verdi",
        "comune_id": scena.comune.pk,
        "titolo": "residenza",
        "prestazione_id": None,
        "argomento": "Estratto conto contributivo",
        "assistenza": True,
    }
    valori.update(altro)
    return DatiCittadino(**valori)


def prenotazione_confermata(scena: Scena, inizio: dt.datetime = SLOT, **cittadino: Any) -> Prenotazione:
    tenuta = slot_trattieni(chi=scena.operatore, richiesta=richiesta(scena, inizio))
    return prenotazione_conferma(
        chi=scena.operatore, prenotazione_id=tenuta.pk, dati=dati_cittadino(scena, **cittadino)
    )
