"""Where a request for an abilitazione goes: a query on the catalogue and on the Ente's territory."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from abilitazioni.models import Abilitazione, RichiestaInstradata
from accounts import selectors as territorio
from accounts.models import Ente, Struttura, User
from accounts.roles import Ruolo


@dataclass(frozen=True)
class Destinazione:
    """The office that receives the request: a structure of the portal, or a PEC address."""

    struttura: Struttura | None
    indirizzo_pec: str
    via_pec_dall_ente: bool


def destinazione(abilitazione: Abilitazione, ente: Ente) -> Destinazione:
    C = Abilitazione.Canale
    if abilitazione.canale == C.SEDE_TERRITORIALE:
        return Destinazione(territorio.sede_competente(ente.comune), "", via_pec_dall_ente=False)
    if abilitazione.canale == C.DIREZIONE_REGIONALE:
        return Destinazione(territorio.direzione_regionale_competente(ente.comune), "", via_pec_dall_ente=False)
    return Destinazione(None, abilitazione.indirizzo_pec, via_pec_dall_ente=abilitazione.canale == C.PEC_DALL_ENTE)


def instradate_per_ufficio(user: User) -> QuerySet[RichiestaInstradata]:
    """The routed requests an office's staff may see and decide: those addressed to their Sedi or Direzioni."""
    strutture = (
        territorio.organizzazioni_di(user, Ruolo.PERSONALE_SEDE)
        .values("pk")
        .union(territorio.organizzazioni_di(user, Ruolo.PERSONALE_DIREZIONE_REGIONALE).values("pk"))
    )
    return RichiestaInstradata.objects.filter(struttura__in=[s["pk"] for s in strutture])
