"""The unification comes first: until it is done, every page of the portal leads to it (Circolare 71/2016, par. 3:
"la procedura automatica di unificazione scatterà al primo accesso ad uno qualsiasi dei servizi")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SESSIONE_UNIFICAZIONE = "unificazione_richiesta"


class UnificazioneMiddleware:
    ESENTI = (
        "/static/",
        "/healthz",
        "/account/logout/",
        "/accessibilita/",
        "/privacy/",
        "/credenziali/guida/",
        "/credenziali/pin-online/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.user.is_authenticated
            and request.session.get(SESSIONE_UNIFICAZIONE)
            and request.path != reverse("unificazione")
            and not request.path.startswith(self.ESENTI)
        ):
            return HttpResponseRedirect(reverse("unificazione"))
        return self.get_response(request)
