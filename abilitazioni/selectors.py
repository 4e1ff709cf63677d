"""Where a request for an abilitazione goes: a query on the catalogue and on the Ente's territory."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from guardian.shortcuts import get_objects_for_user

from abilitazioni.models import IN_CORSO, Abilitazione, RichiestaInstradata
from accounts import selectors as territorio
from accounts.models import Ente, Struttura, User
from accounts.roles import AMBITI, Ruolo

UFFICI_CHE_DECIDONO = (
    Ruolo.PERSONALE_SEDE,
    Ruolo.PERSONALE_DIREZIONE_REGIONALE,
    Ruolo.PERSONALE_DIREZIONE_CENTRALE,
)


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
    # By PEC: the mailbox is the routing address; the Direzione centrale that reads it reviews in the portal.
    ufficio = (
        Struttura.objects.filter(codice=abilitazione.ufficio_centrale, tipo=Struttura.Tipo.DIREZIONE_CENTRALE).first()
        if abilitazione.ufficio_centrale
        else None
    )
    return Destinazione(ufficio, abilitazione.indirizzo_pec, via_pec_dall_ente=abilitazione.canale == C.PEC_DALL_ENTE)


def strutture_che_decidono(user: User) -> list[int]:
    """The Sedi and Direzioni (territorial, regional, central) whose staff the user is: one query."""
    # The three roles share one object permission on the Struttura.
    tipi = {tipo for ruolo in UFFICI_CHE_DECIDONO for tipo in AMBITI[ruolo].tipi_struttura}
    permesso = AMBITI[Ruolo.PERSONALE_SEDE].permission
    strutture: QuerySet[Struttura] = get_objects_for_user(
        user, permesso, accept_global_perms=False, with_superuser=False, use_groups=False
    ).filter(tipo__in=tipi)
    return list(strutture.values_list("pk", flat=True))


def instradate_per_ufficio(user: User) -> QuerySet[RichiestaInstradata]:
    """The routed requests an office's staff may see and decide: those addressed to their Sedi or Direzioni
    (territorial, regional or central). The offices are read first, so the queue is a plain filter on its own
    column, which the (struttura, id) index serves whatever the size of the other offices' queues."""
    return RichiestaInstradata.objects.filter(struttura_id__in=strutture_che_decidono(user))


def in_corso_per_ente(user: User) -> dict[int, int]:
    """How many of the person's routed requests are still waiting for a decision, per Ente: one query."""
    righe = (
        RichiestaInstradata.objects.filter(richiesta__user=user, status__in=IN_CORSO)
        .values("richiesta__ente_id")
        .annotate(n=Count("pk"))
    )
    return {r["richiesta__ente_id"]: r["n"] for r in righe}
