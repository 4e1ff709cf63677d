from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import SESSIONE_UNIFICAZIONE
from accounts.models import User
from accounts.selectors.unificazione import unificazione_necessaria
from accounts.services.accessi import accesso_registra, metodo_della_richiesta, sessione_dimentica


@receiver(user_logged_in, dispatch_uid="accounts-unificazione-al-primo-accesso")
def _segna_unificazione(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSIONE_UNIFICAZIONE] = unificazione_necessaria(user)


@receiver(user_logged_in, dispatch_uid="accounts-accesso-registrato")
def _registra_accesso(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    metodo, livello = metodo_della_richiesta(request, user)
    accesso_registra(request, user, metodo=metodo, livello=livello)


@receiver(user_logged_out, dispatch_uid="accounts-sessione-chiusa")
def _dimentica_sessione(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessione_dimentica(request.session.session_key)

