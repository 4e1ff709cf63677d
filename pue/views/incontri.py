"""The web meeting's join page and its calendar file (Messaggio 4461/2023, "Gestione sportelli").

The join page (``pue_incontro``, by the booking's unguessable room name) is the only way into a meeting: the Comune's
operators of the booking's Comune, behind SPID level 2 or higher, CIE or CNS, and the INPS operators of the
sportello's Struttura; anyone else gets a 404. When the meeting is open, the access is logged and the browser goes to
the provider's room (302), with a token that lives two minutes when the provider asks for one.

What the page answers otherwise:
- too early (or a hold not yet confirmed): 200 and a page that says when it opens. The person is expected, only
  early; an error status would make the browser and the monitoring treat a normal visit as a failure.
- cancelled, moved, ended, a hold that expired: 410 Gone and a page that says why; for a moved meeting, the link of
  the booking that replaced it (if the person takes part in it).

Both answers carry ``Cache-Control: no-store``: the redirect's address holds a token.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.models import Attivita, User
from accounts.roles import Ruolo
from accounts.selectors.persone import organizzazioni_di
from accounts.services.accessi import attivita_registra
from pue.calendario import ics_prenotazione
from pue.decorators import accesso_forte_richiesto
from pue.disponibilita import ROMA
from pue.incontri import (
    Esito,
    Partecipante,
    ingresso,
    nome_visualizzato,
    partecipante,
    prenotazioni_con_incontro_di,
    url_incontro,
)
from pue.models import Prenotazione


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _entra(request: HttpRequest, prenotazione: Prenotazione, ruolo: Partecipante) -> HttpResponse:
    user = _user(request)
    esito = ingresso(prenotazione)
    contesto = {"prenotazione": prenotazione, "ingresso": esito, "inizio": prenotazione.inizio.astimezone(ROMA)}
    if esito.esito is Esito.NON_ANCORA:
        return render(request, "pue/incontri/non_ancora.html", contesto)
    if esito.esito is Esito.CHIUSO:
        nuova = esito.nuova
        contesto["nuova_link"] = (
            reverse("pue_incontro", args=[nuova.stanza])
            if nuova is not None and partecipante(user, nuova) is not None
            else ""
        )
        contesto["nuova_inizio"] = nuova.inizio.astimezone(ROMA) if nuova is not None else None
        return render(request, "pue/incontri/chiuso.html", contesto, status=410)
    attivita_registra(
        request,
        user,
        tipo=Attivita.Tipo.LETTURA_DATI,
        # The Comune's audit table is what its own people do; an INPS operator's entry is on their own record.
        comune=prenotazione.comune if ruolo is Partecipante.OPERATORE_COMUNE else None,
        descrizione=f"Ingresso nel web meeting della prenotazione {prenotazione.pk} ({prenotazione.sportello.nome}, "
        f"{prenotazione.inizio.astimezone(ROMA):%d/%m/%Y %H:%M})",
    )
    nome = nome_visualizzato(user, ruolo, prenotazione)
    return HttpResponseRedirect(url_incontro(prenotazione, nome=nome, ruolo=ruolo))


# The Comune's people pass the strong-session gate of every PUE page; the INPS operators log in as INPS staff do.
_entra_dal_comune = accesso_forte_richiesto(_entra)


@never_cache
@require_safe
@login_required
def incontro(request: HttpRequest, stanza: str) -> HttpResponse:
    """The join link of a booking's web meeting."""
    user = _user(request)
    prenotazione = (
        prenotazioni_con_incontro_di(user)
        .select_related("sportello__struttura", "comune", "sostituita_da")
        .filter(stanza=stanza)
        .first()
    )
    ruolo = partecipante(user, prenotazione) if prenotazione is not None else None
    if prenotazione is None or ruolo is None:
        raise Http404
    if ruolo is Partecipante.OPERATORE_COMUNE:
        return _entra_dal_comune(request, prenotazione, ruolo)
    return _entra(request, prenotazione, ruolo)


@never_cache
@require_safe
@accesso_forte_richiesto
def calendario(request: HttpRequest, pk: int) -> HttpResponse:
    """The booking's calendar file, for the Comune's operators: an invitation while it stands, a cancellation once
    cancelled. A hold has no meeting yet: 404."""
    user = _user(request)
    prenotazione = (
        Prenotazione.objects.select_related("sportello", "comune", "operatore")
        .filter(pk=pk, comune__in=organizzazioni_di(user, Ruolo.OPERATORE_COMUNE).values("pk"))
        .exclude(stato__in=(Prenotazione.Stato.TRATTENUTA, Prenotazione.Stato.SCADUTA))
        .first()
    )
    if prenotazione is None:
        raise Http404
    attivita_registra(
        request,
        user,
        tipo=Attivita.Tipo.LETTURA_DATI,
        comune=prenotazione.comune,
        descrizione=f"Calendario della prenotazione {prenotazione.pk}",
    )
    risposta = HttpResponse(
        ics_prenotazione(prenotazione, base_url=request.build_absolute_uri("/")),
        content_type="text/calendar; charset=utf-8",
    )
    risposta["Content-Disposition"] = f'attachment; filename="prenotazione-{prenotazione.pk}.ics"'
    return risposta
