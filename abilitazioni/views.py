from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from abilitazioni import services
from abilitazioni.forms import RichiestaForm
from abilitazioni.models import RichiestaInstradata
from accounts import selectors as persone
from accounts.models import User
from accounts.views import area_riservata


@require_http_methods(["GET", "POST"])
@area_riservata
def richieste(request: HttpRequest) -> HttpResponse:
    """Ask for abilitazioni (or their removal) for one Ente, and follow the requests already made."""
    user = cast(User, request.user)
    form = RichiestaForm(request.POST or None, enti=persone.enti_di(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.richiesta_crea(
                    user=user,
                    ente=form.cleaned_data["ente"],
                    aggiungi=form.cleaned_data["aggiungi"],
                    rimuovi=form.cleaned_data["rimuovi"],
                )
            except services.RichiestaNonAmmessa as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, gettext("Richiesta inviata: ogni parte va all'ufficio che la decide."))
                return redirect("abilitazioni_richieste")
        status = 400
    instradate = (
        RichiestaInstradata.objects.filter(richiesta__user=user)
        .select_related("richiesta__ente", "struttura")
        .prefetch_related("voci__abilitazione")
        .order_by("-richiesta__creata_il", "allegato")[:100]
    )
    contesto = {"form": form, "instradate": instradate, "stato": request.stato_pin_online}  # type: ignore[attr-defined]
    return render(request, "abilitazioni/richieste.html", contesto, status=status)


@require_POST
@area_riservata
def ritira(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.richiesta_ritira(instradata_id=pk, user=cast(User, request.user))
    except RichiestaInstradata.DoesNotExist as exc:
        raise Http404 from exc
    except services.RichiestaNonAmmessa as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Richiesta ritirata."))
    return redirect("abilitazioni_richieste")
