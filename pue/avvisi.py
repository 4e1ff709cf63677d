"""The e-mails of a booked web meeting to the Comune's operator who booked it (Messaggio 4461/2023, "Gestione
sportelli"): the confirmation with the calendar invitation, the cancellation that removes it from the calendar (a
moved meeting is a cancellation of the old booking and a confirmation of the new one), and the reminder the day
before.

These are ordinary e-mails (the operator's own address), not PEC: they carry the sportello, the time, the portal's
join link and at most the citizen's initials, never the codice fiscale nor the subject of the meeting. The services
enqueue them with ``avviso_accoda`` inside their transaction: the task runs only once the change is committed, and
checks the booking's state again before sending, so that a notice overtaken by a later change is not sent.

The reminder goes on the calendar day before the meeting (Europe/Rome), from ``ORA_PROMEMORIA`` on, to meetings
confirmed before that day: a booking made the day before has just had its confirmation. Each booking is claimed once
(a conditional UPDATE on ``promemoria_il``), so concurrent or repeated runs of the 15-minute beat send it once.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from inps_portal import clock
from pue.calendario import ics_prenotazione, iniziali, url_ingresso
from pue.disponibilita import ROMA, mezzanotte
from pue.incontri import apertura
from pue.models import Prenotazione

logger = logging.getLogger(__name__)
Stato = Prenotazione.Stato

# The reminders of tomorrow's meetings start at this hour of the day before (Europe/Rome): office hours.
ORA_PROMEMORIA = dt.time(7, 0)
# Where the portal answers when ``PORTALE_URL`` is not set: the development server.
_BASE_URL_SVILUPPO = "http://127.0.0.1:8000"


class Avviso(enum.StrEnum):
    CONFERMA = "conferma"
    ANNULLAMENTO = "annullamento"
    PROMEMORIA = "promemoria"


# The states in which each notice still makes sense when its task runs.
_STATI_DELL_AVVISO: dict[Avviso, tuple[str, ...]] = {
    Avviso.CONFERMA: (Stato.CONFERMATA,),
    Avviso.ANNULLAMENTO: (Stato.ANNULLATA,),
    Avviso.PROMEMORIA: (Stato.CONFERMATA,),
}


def base_url() -> str:
    """The portal's public address, for the links of the e-mails (no request to take it from in a task)."""
    return str(settings.PORTALE_URL or _BASE_URL_SVILUPPO).rstrip("/")


def avviso_accoda(prenotazione_id: int, tipo: Avviso | str) -> None:
    """Sends the notice ``tipo`` about the booking once the current transaction commits (at once outside one)."""
    from pue.tasks import avviso  # the tasks module imports this one

    tipo = Avviso(tipo)
    transaction.on_commit(lambda: avviso.delay(prenotazione_id, tipo.value))


def _contesto(prenotazione: Prenotazione, tipo: Avviso) -> dict[str, Any]:
    link = url_ingresso(prenotazione, base_url())
    nuova = prenotazione.sostituita_da
    return {
        "tipo": tipo.value,
        "prenotazione": prenotazione,
        "sportello": prenotazione.sportello.nome,
        "comune": prenotazione.comune.nome,
        "operatore": prenotazione.operatore,
        "inizio": prenotazione.inizio.astimezone(ROMA),
        "fine": prenotazione.fine.astimezone(ROMA),
        "apertura": apertura(prenotazione).astimezone(ROMA),
        "cittadino": iniziali(prenotazione.cittadino_nome, prenotazione.cittadino_cognome),
        "link": link,
        "nuova_inizio": nuova.inizio.astimezone(ROMA) if nuova is not None else None,
        "nuova_link": url_ingresso(nuova, base_url()) if nuova is not None else "",
    }


def _allegato_ics(prenotazione: Prenotazione) -> MIMEBase:
    ics = ics_prenotazione(prenotazione, base_url=base_url())
    metodo = "CANCEL" if prenotazione.stato == Stato.ANNULLATA else "REQUEST"
    parte = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    parte.set_param("method", metodo)
    parte.add_header("Content-Disposition", "attachment", filename="invito.ics")
    return parte


def messaggio_avviso(prenotazione: Prenotazione, tipo: Avviso) -> EmailMultiAlternatives:
    """The e-mail of notice ``tipo`` (templates ``pue/email/<tipo>/``: oggetto.txt, testo.txt, testo.html)."""
    contesto = _contesto(prenotazione, tipo)
    cartella = f"pue/email/{tipo.value}"
    oggetto = " ".join(render_to_string(f"{cartella}/oggetto.txt", contesto).split())
    messaggio = EmailMultiAlternatives(
        subject=oggetto,
        body=render_to_string(f"{cartella}/testo.txt", contesto),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[prenotazione.operatore.email],
    )
    messaggio.attach_alternative(render_to_string(f"{cartella}/testo.html", contesto), "text/html")
    if tipo in (Avviso.CONFERMA, Avviso.ANNULLAMENTO):
        messaggio.attach(_allegato_ics(prenotazione))
    return messaggio


def avviso_invia(prenotazione_id: int, tipo: Avviso | str) -> bool:
    """Sends the notice if it still makes sense (the booking is in the state it speaks of, the operator has an
    address); returns whether it was sent. An SMTP failure propagates: the task retries."""
    tipo = Avviso(tipo)
    prenotazione = (
        Prenotazione.objects.select_related("sportello", "comune", "operatore", "sostituita_da")
        .filter(pk=prenotazione_id)
        .first()
    )
    if prenotazione is None or prenotazione.stato not in _STATI_DELL_AVVISO[tipo]:
        logger.info("avviso PUE superato", extra={"prenotazione_id": prenotazione_id, "tipo": tipo.value})
        return False
    if prenotazione.dati_rimossi_il is not None:
        logger.info("avviso PUE di una prenotazione senza più dati", extra={"prenotazione_id": prenotazione_id})
        return False
    if not prenotazione.operatore.email:
        logger.warning("avviso PUE senza destinatario", extra={"prenotazione_id": prenotazione_id})
        return False
    if tipo is Avviso.PROMEMORIA and prenotazione.promemoria_il is None:
        return False  # only a claimed reminder is sent (promemoria_invia)
    messaggio_avviso(prenotazione, tipo).send()
    logger.info("avviso PUE inviato", extra={"prenotazione_id": prenotazione_id, "tipo": tipo.value})
    return True


def promemoria_invia() -> int:
    """Claims the reminders due now (meetings of tomorrow, Europe/Rome, confirmed before today, from
    ``ORA_PROMEMORIA``) and enqueues them; returns how many were claimed. Each booking is claimed once."""
    adesso = clock.now()
    oggi = adesso.astimezone(ROMA).date()
    if adesso.astimezone(ROMA).time() < ORA_PROMEMORIA:
        return 0
    domani, dopodomani = oggi + dt.timedelta(days=1), oggi + dt.timedelta(days=2)
    candidate = Prenotazione.objects.filter(
        stato=Stato.CONFERMATA,
        promemoria_il__isnull=True,
        inizio__gte=mezzanotte(domani),
        inizio__lt=mezzanotte(dopodomani),
        confermata_il__lt=mezzanotte(oggi),
    ).values_list("pk", flat=True)
    inviati = 0
    for prenotazione_id in list(candidate):
        with transaction.atomic():
            presa = Prenotazione.objects.filter(
                pk=prenotazione_id, stato=Stato.CONFERMATA, promemoria_il__isnull=True
            ).update(promemoria_il=adesso)
            if presa:
                avviso_accoda(prenotazione_id, Avviso.PROMEMORIA)
                inviati += 1
    return inviati
