from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts import selectors
from accounts.forms import CercaSedeForm
from accounts.roles import AMBITI, Ruolo


@require_safe
@login_required
def profilo(request: HttpRequest) -> HttpResponse:
    incarichi = []
    for ruolo in sorted(selectors.ruoli_di(request.user), key=lambda r: r.label):  # type: ignore[arg-type]
        organizzazioni = list(selectors.organizzazioni_di(request.user, ruolo)[:50])  # type: ignore[arg-type]
        incarichi.append({"ruolo": ruolo, "organizzazioni": organizzazioni})
    return render(request, "accounts/profilo.html", {"incarichi": incarichi})


@require_safe
@login_required
def area_enti(request: HttpRequest) -> HttpResponse:
    if Ruolo.OPERATORE_ENTE not in selectors.ruoli_di(request.user):  # type: ignore[arg-type]
        raise Http404
    enti = selectors.enti_di(request.user)  # type: ignore[arg-type]
    return render(request, "accounts/area_enti.html", {"enti": enti})


@require_safe
@login_required
def area_comune(request: HttpRequest) -> HttpResponse:
    ruoli = [r for r in selectors.ruoli_di(request.user) if AMBITI[r].model == "accounts.comune"]  # type: ignore[arg-type]
    if not ruoli:
        raise Http404
    comuni: dict[int, dict[str, object]] = {}
    for ruolo in sorted(ruoli, key=lambda r: r.label):
        for comune in selectors.organizzazioni_di(request.user, ruolo).select_related("provincia__regione"):  # type: ignore[arg-type, union-attr]
            voce = comuni.setdefault(comune.pk, {"comune": comune, "ruoli": []})
            voce["ruoli"].append(ruolo.label)  # type: ignore[attr-defined]
    for voce in comuni.values():
        comune = voce["comune"]
        voce["sede"] = selectors.sede_competente(comune)  # type: ignore[arg-type]
        voce["firmataria"] = selectors.direzione_firmataria(comune)  # type: ignore[arg-type]
    return render(request, "accounts/area_comune.html", {"comuni": list(comuni.values())})


@require_safe
@login_required
def area_struttura(request: HttpRequest) -> HttpResponse:
    ruoli = [r for r in selectors.ruoli_di(request.user) if AMBITI[r].model == "accounts.struttura"]  # type: ignore[arg-type]
    if not ruoli:
        raise Http404
    strutture = {}
    for ruolo in ruoli:
        for struttura in selectors.organizzazioni_di(request.user, ruolo).select_related("regione", "provincia"):  # type: ignore[arg-type, union-attr]
            strutture.setdefault(struttura.pk, struttura)
    struttura_id = request.GET.get("s", "")
    if struttura_id:
        if not struttura_id.isdigit() or int(struttura_id) not in strutture:
            raise Http404
        corrente = strutture[int(struttura_id)]
    else:
        corrente = sorted(strutture.values(), key=lambda s: s.nome)[0]
    comuni = selectors.comuni_di_competenza(corrente).order_by("nome")
    pagina = Paginator(comuni, 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "accounts/area_struttura.html",
        {"strutture": sorted(strutture.values(), key=lambda s: s.nome), "corrente": corrente, "pagina": pagina},
    )


@require_safe
def cerca_sede(request: HttpRequest) -> HttpResponse:
    form = CercaSedeForm(request.GET or None)
    risultati = []
    status = 200
    if request.GET:
        if form.is_valid():
            for comune in form.risultati():
                risultati.append(
                    {
                        "comune": comune,
                        "sede": selectors.sede_competente(comune),
                        "direzione": selectors.direzione_regionale_competente(comune),
                        "firmataria": selectors.direzione_firmataria(comune),
                    }
                )
        else:
            status = 400
    return render(request, "accounts/cerca_sede.html", {"form": form, "risultati": risultati}, status=status)
