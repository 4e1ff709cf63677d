"""The gate of the PUE's pages for the Comune's people: SPID of level 2 or higher, CIE or CNS (Messaggio
4461/2023). A session opened otherwise (a password, SPID level 1) gets a page that says why and offers the right
way in; nobody is sent round a login loop."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors.accessi import accesso_della_sessione, accesso_forte

Vista = Callable[..., HttpResponse]


def accesso_forte_richiesto(vista: Vista) -> Vista:
    @wraps(vista)
    @login_required
    def dentro(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not accesso_forte(request):
            return render(
                request,
                "pue/accesso_forte_richiesto.html",
                {"accesso": accesso_della_sessione(request), "prossima": request.get_full_path()},
                status=403,
            )
        return vista(request, *args, **kwargs)

    return dentro
