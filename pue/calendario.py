"""The calendar entry of a booked web meeting (RFC 5545, iTIP RFC 5546), for the Comune's operator's calendar.

One booking is one event, with a UID that never changes for that booking, so that a calendar updates its entry when
``sequenza`` rises and removes it when the booking is cancelled (METHOD:CANCEL, STATUS:CANCELLED). A moved meeting
is a new booking: the old one's entry is cancelled, the new one gets its own. Times are in Europe/Rome with the
VTIMEZONE that describes it, so that 09:00 stays 09:00 in any calendar, across the clock changes.

The file travels by ordinary e-mail, in clear: it names the sportello, the time and the link, and of the citizen at
most their initials (never the codice fiscale, nor the subject of the meeting, which may say something about their
health or their income).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from icalendar import STATUS, TRANSP, Calendar, Event, vCalAddress, vText

from inps_portal import clock
from pue.disponibilita import ROMA
from pue.models import Prenotazione

PRODID = "-//INPS//Punto Utente Evoluto - Gestione sportelli//IT"


def uid_prenotazione(prenotazione: Prenotazione) -> str:
    """The event's UID: the booking's key and a piece of its room name (so that UIDs of different databases, e.g.
    a demo and production, do not collide); stable for the booking's whole life."""
    return f"prenotazione-{prenotazione.pk}-{prenotazione.stanza[:8]}@pue.inps.it"


def url_ingresso(prenotazione: Prenotazione, base_url: str) -> str:
    """The portal's join page of the meeting, absolute: the only link the invitation carries (the provider's room
    is reached through it, after the checks)."""
    return f"{base_url.rstrip('/')}{reverse('pue_incontro', args=[prenotazione.stanza])}"


def iniziali(nome: str, cognome: str) -> str:
    return " ".join(f"{parte.strip()[0].upper()}." for parte in (nome, cognome) if parte.strip())


def _descrizione(prenotazione: Prenotazione, link: str) -> str:
    righe = [
        f"Web meeting con l'INPS ({prenotazione.sportello.nome}), prenotato dal Comune di {prenotazione.comune.nome} "
        f"(prenotazione n. {prenotazione.pk})."
    ]
    cittadino = iniziali(prenotazione.cittadino_nome, prenotazione.cittadino_cognome)
    if cittadino:
        righe.append(f"Cittadino: {cittadino}")
    anticipo = int(settings.PUE_INCONTRI_ANTICIPO_MINUTI)
    righe.append(f"Il collegamento si apre {anticipo} minuti prima dell'inizio: {link}")
    righe.append("Per entrare serve l'accesso al portale con SPID di livello 2 o superiore, CIE o CNS.")
    return "\n".join(righe)


def ics_prenotazione(prenotazione: Prenotazione, *, base_url: str) -> bytes:
    """The booking's calendar file: METHOD:REQUEST while it stands, METHOD:CANCEL once cancelled (moved included)."""
    annullata = prenotazione.stato == Prenotazione.Stato.ANNULLATA
    link = url_ingresso(prenotazione, base_url)
    calendario = Calendar()
    calendario.add("prodid", PRODID)
    calendario.add("version", "2.0")
    calendario.add("method", "CANCEL" if annullata else "REQUEST")
    evento = Event.new(
        uid=uid_prenotazione(prenotazione),
        sequence=prenotazione.sequenza,
        stamp=clock.now().astimezone(dt.UTC),
        start=prenotazione.inizio.astimezone(ROMA),
        end=prenotazione.fine.astimezone(ROMA),
        summary=f"Web meeting INPS \N{EN DASH} {prenotazione.sportello.nome}",
        location=link,
        url=link,
        description=_descrizione(prenotazione, link),
        status=STATUS.CANCELLED if annullata else STATUS.CONFIRMED,
        transparency=TRANSP.OPAQUE,
    )
    # iTIP wants an organizer and an attendee: the portal's address, which answers nobody, and the operator who
    # booked, who accepted by booking (no reply is asked for).
    organizzatore = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizzatore.params["CN"] = vText(f"INPS - {prenotazione.sportello.nome}")
    evento.add("organizer", organizzatore)
    if prenotazione.operatore.email:
        partecipante = vCalAddress(f"mailto:{prenotazione.operatore.email}")
        partecipante.params.update(
            {"CN": vText(prenotazione.operatore.get_full_name()), "ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"}
        )
        partecipante.params["PARTSTAT"] = "DECLINED" if annullata else "ACCEPTED"
        evento.add("attendee", partecipante)
    calendario.add_component(evento)
    # Only the transitions around the meeting: a short VTIMEZONE, still right for the event's date.
    anno = prenotazione.inizio.astimezone(ROMA).year
    calendario.add_missing_timezones(first_date=dt.date(anno - 1, 1, 1), last_date=dt.date(anno + 2, 1, 1))
    ics: bytes = calendario.to_ical()
    return ics
