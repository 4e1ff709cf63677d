"""The page that asks a logged-in person to confirm their identity with SPID, CIE or CNS (a fresh authentication,
``prompt=login`` at the gateway), before an act that needs one: the signature of a PUE convention."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.selectors.accessi import CONFERMA_VALIDA, accesso_della_sessione
from identita.accesso import destinazione


@require_safe
@login_required
def conferma(request: HttpRequest) -> HttpResponse:
    prossima = destinazione(request, request.GET.get("next"))
    return render(
        request,
        "identita/conferma.html",
        {
            "prossima": prossima,
            "accesso": accesso_della_sessione(request),
            "minuti": int(CONFERMA_VALIDA.total_seconds() // 60),
        },
    )
