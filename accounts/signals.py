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


# --- The competent offices' names kept in the cache (accounts.selectors.cache_competenza) ---------------------------
# Imported here, beside their only receiver, so this block stays whole at the end of the module.
from django.db import transaction  # noqa: E402
from django.db.models.signals import post_delete, post_save  # noqa: E402

from accounts.models import Struttura  # noqa: E402
from accounts.selectors.cache_competenza import uffici_competenti_dimentica  # noqa: E402


@receiver([post_save, post_delete], sender=Struttura, dispatch_uid="accounts-uffici-competenti-cambiati")
def _uffici_competenti_cambiati(sender: Any, **kwargs: Any) -> None:
    # At once, for this process and the readers inside the transaction; again at the commit, for the readers of
    # other processes who read the database before it.
    uffici_competenti_dimentica()
    transaction.on_commit(uffici_competenti_dimentica)
