"""When the person logged in, kept in the IdP session for the ``auth_time`` claim."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

CHIAVE_SESSIONE_AUTH_TIME = "idp_locale_auth_time"


def auth_time_registra(sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
    # Django's own receiver has just set last_login (it is connected first, by django.contrib.auth): the session
    # keeps its own copy, as last_login moves when the same person logs in from another browser.
    if user.last_login is not None:
        request.session[CHIAVE_SESSIONE_AUTH_TIME] = int(user.last_login.timestamp())
