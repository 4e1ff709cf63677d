"""Who may come in with SPID, CIE or CNS, and the end of such a login, shared by the OpenID Connect gateway and the
CNS proxy.

The PUE is reached with personal SPID credentials of level 2 or higher, CIE or CNS, "abilitate al servizio PUE
dall'INPS per gli operatori espressamente indicati dall'Amministratore Utente" (Messaggio 4461/2023). Nobody gets an
account by logging in: the person must already be known to the portal and hold a place for which a strong identity
is the way in (an enabled operator, the Comune's Amministratore utenze or Referente, INPS staff); anyone else is
told why not. The people of the Circolare 71/2016 keep their PIN ("esclusivamente con il proprio PIN INPS").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import MetodoAccesso, User
from accounts.roles import RUOLI_DEL_COMUNE
from accounts.selectors.persone import organizzazioni_di
from accounts.services.accessi import accesso_rinnova
from accounts.validators import normalizza_codice_fiscale
from identita.backends import PERCORSO
from pue.models import DesignazioneOperatore
from pue.selectors import comuni_amministrati, ultima_designazione


@dataclass(frozen=True)
class Rifiuto(Exception):
    """Why a person cannot come in this way: a title and an explanation for the page, and the HTTP status."""

    titolo: str
    spiegazione: str
    status: int = 403


def codice_fiscale_da_attributo(valore: object) -> str:
    """The fiscal number attribute of SPID and CIE is ``TINIT-<codice fiscale>``; anything else is not one."""
    testo = str(valore or "").strip().upper()
    if testo.startswith("TINIT-"):
        testo = testo[len("TINIT-") :]
    return normalizza_codice_fiscale(testo)


def persona_ammessa(codice_fiscale: str) -> User:
    """The portal's person with this codice fiscale, if a strong identity lets them in; otherwise ``Rifiuto``."""
    user = User.objects.filter(codice_fiscale=codice_fiscale).first() if codice_fiscale else None
    if user is None or not user.is_active:
        raise Rifiuto(
            "Utente non riconosciuto",
            "Il codice fiscale con cui si è autenticato non corrisponde a nessun utente abilitato del portale. Gli "
            "operatori del Comune sono designati dall'Amministratore utenze del proprio Comune e abilitati "
            "dall'INPS: solo dopo l'abilitazione possono accedere con SPID, CIE o CNS.",
        )
    if user.is_staff or comuni_amministrati(user):
        return user
    if any(organizzazioni_di(user, ruolo).exists() for ruolo in RUOLI_DEL_COMUNE):
        return user
    raise Rifiuto("Accesso non consentito", _perche_no(user))


def _perche_no(user: User) -> str:
    designazione = ultima_designazione(user.codice_fiscale)
    if designazione is None:
        return (
            "Il suo profilo non prevede l'accesso con SPID, CIE o CNS. Gli operatori di Amministrazioni ed Enti "
            "accedono con il proprio PIN INPS; gli operatori del Comune devono essere designati dall'Amministratore "
            "utenze del Comune e abilitati dall'INPS."
        )
    comune = designazione.comune.nome
    stato = designazione.stato
    if stato == DesignazioneOperatore.Stato.IN_ATTESA:
        return (
            f"La sua designazione come operatore del Comune di {comune} attende l'abilitazione della Sede INPS "
            "competente. Riceverà una comunicazione quando sarà abilitato."
        )
    if stato == DesignazioneOperatore.Stato.RIFIUTATA:
        return (
            f"L'INPS non ha abilitato la sua designazione come operatore del Comune di {comune}: {designazione.motivo}"
        )
    if stato == DesignazioneOperatore.Stato.REVOCATA:
        return (
            f"La sua abilitazione come operatore del Comune di {comune} è stata revocata il "
            f"{designazione.chiusa_il:%d/%m/%Y}: {designazione.motivo}"
        )
    return f"La sua abilitazione come operatore del Comune di {comune} è cessata con la convenzione del Comune."


def rifiuto_pagina(request: HttpRequest, rifiuto: Rifiuto) -> HttpResponse:
    return render(request, "identita/rifiuto.html", {"rifiuto": rifiuto}, status=rifiuto.status)


def destinazione(request: HttpRequest, richiesta: str | None, *, predefinita: str = "home") -> str:
    if richiesta and url_has_allowed_host_and_scheme(
        richiesta, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return richiesta
    return reverse(predefinita)


def conferma_registra(request: HttpRequest, user: User, *, metodo: MetodoAccesso, livello: int | None) -> None:
    """A fresh authentication asked of someone already logged in: it must be the same person."""
    if not request.user.is_authenticated or request.user.pk != user.pk:
        raise Rifiuto(
            "Identità non corrispondente",
            "L'identità con cui si è autenticato non è quella dell'utente collegato al portale: la conferma non è "
            "valida.",
        )
    accesso_rinnova(request, metodo=metodo, livello=livello)


def accesso_completa(
    request: HttpRequest,
    codice_fiscale: str,
    *,
    metodo: MetodoAccesso,
    livello: int | None,
    conferma: bool = False,
    prossima: str | None = None,
) -> HttpResponse:
    """Ends a login (or a confirmation) proved outside allauth (the CNS): the person must be admitted; the session
    records the way in."""
    try:
        user = persona_ammessa(codice_fiscale)
        if conferma:
            conferma_registra(request, user, metodo=metodo, livello=livello)
        else:
            request.accesso_metodo, request.accesso_livello = metodo.value, livello  # type: ignore[attr-defined]
            login(request, user, backend=PERCORSO)
    except Rifiuto as rifiuto:
        return rifiuto_pagina(request, rifiuto)
    return HttpResponseRedirect(destinazione(request, prossima, predefinita="pue_home"))
