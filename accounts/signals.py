from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import SESSIONE_UNIFICAZIONE
from accounts.models import User
from accounts.selectors.unificazione import unificazione_necessaria


@receiver(user_logged_in, dispatch_uid="accounts-unificazione-al-primo-accesso")
def _segna_unificazione(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSIONE_UNIFICAZIONE] = unificazione_necessaria(user)
