"""The gates of the pages of other apps: the Area riservata Amministrazioni ed Enti is entered here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.backends import sessione_con_pin
from accounts.models import User
from accounts.selectors.persone import opera_per_enti
from accounts.selectors.scadenza import StatoPinOnline, stato_pin_online


class RichiestaArea(HttpRequest):
    """A request that passed the gate of the Area riservata: who makes it and where their online PIN stands."""

    user: User
    stato_pin_online: StatoPinOnline | None


def area_riservata(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the Area riservata Amministrazioni ed Enti: for people who act for an Ente, in a session opened with
    the PIN (a member of staff who also acts for an Ente and came in with the password is asked for it); closed to
    online PINs after the deadline, with a page that explains how to convert; the days left on every page before it.

    The view receives a ``RichiestaArea``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        richiesta = cast(RichiestaArea, request)
        if not opera_per_enti(richiesta.user):
            raise Http404
        if not sessione_con_pin(request):
            return render(request, "accounts/accesso_con_pin.html", status=403)
        stato = stato_pin_online(richiesta.user)
        if stato is not None and stato.scaduto:
            return render(request, "accounts/pin_online_scaduto.html", {"stato": stato}, status=403)
        richiesta.stato_pin_online = stato
        return view(richiesta, *args, **kwargs)

    return login_required(wrapper)
