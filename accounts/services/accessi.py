"""How each session was opened, recorded with the login; and the end of someone's sessions from outside them.

Every login (PIN, password, SPID, CIE, CNS) passes through ``accesso_registra``, called by the ``user_logged_in``
receiver: the method and level go into the session, which the PUE's gate reads, and into the audit table
(``Attivita``), which the Comune's Amministratore utenze reads. The way in names itself by setting
``request.accesso_metodo`` (and ``request.accesso_livello``) before calling ``django.contrib.auth.login``; the PIN
and password forms are recognised by their backend.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.http import HttpRequest

from accounts.models import Attivita, Comune, MetodoAccesso, SessioneAperta, User
from inps_portal import clock
from inps_portal.rete import indirizzo_cliente

logger = logging.getLogger(__name__)

SESSIONE_ACCESSO = "accesso"
_BACKEND_METODO = {
    "accounts.backends.PINBackend": MetodoAccesso.PIN,
    "accounts.backends.PasswordBackend": MetodoAccesso.PASSWORD,
}


def metodo_della_richiesta(request: HttpRequest, user: User) -> tuple[MetodoAccesso, int | None]:
    """The way in the login used: named on the request by SPID, CIE and CNS, else known by the backend."""
    metodo = getattr(request, "accesso_metodo", None)
    if metodo:
        return MetodoAccesso(metodo), getattr(request, "accesso_livello", None)
    backend = getattr(user, "backend", "") or request.session.get("_auth_user_backend", "")
    return _BACKEND_METODO.get(backend, MetodoAccesso.PASSWORD), None


def accesso_registra(
    request: HttpRequest, user: User, *, metodo: MetodoAccesso, livello: int | None, comune: Comune | None = None
) -> None:
    """Writes the session's way in (method, level, time) and its line in the audit table."""
    adesso = _scrivi_nella_sessione(request, metodo, livello)
    if request.session.session_key is None:
        request.session.save()
    SessioneAperta.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "metodo": metodo, "livello": livello, "aperta_il": adesso},
    )
    attivita_registra(
        request,
        user,
        tipo=Attivita.Tipo.ACCESSO,
        metodo=metodo,
        livello=livello,
        comune=comune,
        descrizione=f"Accesso con {metodo.label}" + (f" di livello {livello}" if livello else ""),
    )


def accesso_rinnova(request: HttpRequest, *, metodo: MetodoAccesso, livello: int | None) -> None:
    """A fresh authentication of the person already logged in (a confirmation before signing): same session, new
    time and way in, and its line in the audit table."""
    user = request.user
    assert isinstance(user, User)
    _scrivi_nella_sessione(request, metodo, livello)
    attivita_registra(
        request,
        user,
        tipo=Attivita.Tipo.ACCESSO,
        metodo=metodo,
        livello=livello,
        descrizione=f"Conferma dell'identità con {metodo.label}" + (f" di livello {livello}" if livello else ""),
    )


def _scrivi_nella_sessione(request: HttpRequest, metodo: MetodoAccesso, livello: int | None) -> datetime:
    adesso = clock.now()
    request.session[SESSIONE_ACCESSO] = {"metodo": metodo.value, "livello": livello, "quando": adesso.isoformat()}
    return adesso


def attivita_registra(
    request: HttpRequest | None,
    user: User,
    *,
    tipo: Attivita.Tipo,
    descrizione: str = "",
    comune: Comune | None = None,
    metodo: MetodoAccesso | None = None,
    livello: int | None = None,
) -> Attivita:
    """One line of the audit table; the session's way in is copied onto it when not given."""
    if metodo is None and request is not None:
        corrente = request.session.get(SESSIONE_ACCESSO) or {}
        metodo = MetodoAccesso(corrente["metodo"]) if corrente.get("metodo") else None
        livello = corrente.get("livello")
    return Attivita.objects.create(
        user=user,
        comune=comune,
        tipo=tipo,
        metodo=metodo or "",
        livello=livello,
        descrizione=descrizione[:300],
        indirizzo_ip=indirizzo_cliente(request) if request is not None else None,
    )


def sessione_dimentica(session_key: str | None) -> None:
    if session_key:
        SessioneAperta.objects.filter(session_key=session_key).delete()


def sessioni_chiudi(user: User, *, tranne: str | None = None) -> int:
    """Ends every open session of ``user`` at once (but ``tranne``), whatever the session store; returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    aperte = SessioneAperta.objects.filter(user=user)
    if tranne:
        aperte = aperte.exclude(session_key=tranne)
    chiavi = list(aperte.values_list("session_key", flat=True))
    for chiave in chiavi:
        store(session_key=chiave).delete()
    SessioneAperta.objects.filter(session_key__in=chiavi).delete()
    if chiavi:
        logger.info("Sessioni chiuse", extra={"utente_id": user.pk, "sessioni": len(chiavi)})
    return len(chiavi)


def sessioni_scadute_dimentica() -> int:
    """The record of sessions that can no longer be open (older than a session lives): deleted, how many."""
    limite = clock.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    cancellate, _ = SessioneAperta.objects.filter(aperta_il__lt=limite).delete()
    return cancellate
