"""How the current session was opened, as ``accounts.services.accessi`` recorded it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest

from accounts.models import MetodoAccesso
from accounts.services.accessi import SESSIONE_ACCESSO
from inps_portal import clock

LIVELLO_SPID_MINIMO = 2
# A confirmation of identity counts for this long (the convention's signature asks for one).
CONFERMA_VALIDA = timedelta(minutes=5)


@dataclass(frozen=True)
class Accesso:
    metodo: MetodoAccesso
    livello: int | None
    quando: datetime

    @property
    def forte(self) -> bool:
        """SPID of level 2 or higher, CIE or CNS (Messaggio 4461/2023)."""
        if self.metodo == MetodoAccesso.SPID:
            return (self.livello or 0) >= LIVELLO_SPID_MINIMO
        return self.metodo in (MetodoAccesso.CIE, MetodoAccesso.CNS)

    @property
    def descrizione(self) -> str:
        testo = str(self.metodo.label)
        if self.metodo == MetodoAccesso.SPID and self.livello:
            testo += f" di livello {self.livello}"
        return testo


def accesso_della_sessione(request: HttpRequest) -> Accesso | None:
    dati = request.session.get(SESSIONE_ACCESSO)
    if not isinstance(dati, dict):
        return None
    try:
        return Accesso(MetodoAccesso(dati["metodo"]), dati.get("livello"), datetime.fromisoformat(dati["quando"]))
    except (KeyError, ValueError, TypeError):
        return None


def accesso_forte(request: HttpRequest) -> bool:
    accesso = accesso_della_sessione(request)
    return accesso is not None and accesso.forte


def accesso_forte_recente(request: HttpRequest, durata: timedelta = CONFERMA_VALIDA) -> bool:
    """A strong authentication made less than ``durata`` ago (a login or a confirmation)."""
    accesso = accesso_della_sessione(request)
    return accesso is not None and accesso.forte and clock.now() - accesso.quando <= durata
