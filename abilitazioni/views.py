from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from abilitazioni import moduli, services
from abilitazioni.forms import ModuloFirmatoForm, RichiestaForm
from abilitazioni.models import Abilitazione, RichiestaInstradata
from abilitazioni.selectors import in_corso_per_ente
from accounts.decorators import RichiestaArea, area_riservata
from accounts.selectors.persone import abilitazioni_per_ente, enti_di, pin_attivo
from inps_portal.pdf import risposta_pdf


@require_safe
@area_riservata
def area_enti(request: RichiestaArea) -> HttpResponse:
    """The Area riservata: the Enti the person acts for, with the abilitazioni held and the requests waiting."""
    user = request.user
    abilitazioni = abilitazioni_per_ente(user)
    in_corso = in_corso_per_ente(user)
    enti = [(ente, abilitazioni.get(ente.pk, []), in_corso.get(ente.pk, 0)) for ente in enti_di(user)]
    contesto = {"enti": enti, "pin": pin_attivo(user), "stato": request.stato_pin_online}
    return render(request, "abilitazioni/area_enti.html", contesto)


@require_http_methods(["GET", "POST"])
@area_riservata
def richieste(request: RichiestaArea) -> HttpResponse:
    """Ask for abilitazioni (or their removal) for one Ente, and follow the requests already made."""
    user = request.user
    form = RichiestaForm(request.POST or None, enti=enti_di(user))
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
    instradate = list(
        RichiestaInstradata.objects.filter(richiesta__user=user)
        .select_related("richiesta__ente", "struttura", "messaggio_pec")
        .prefetch_related("voci__abilitazione")
        .order_by("-richiesta__creata_il", "allegato")[:100]
    )
    da_completare = [
        (i, services.oggetto_della_pec(i) if i.indirizzo_pec else "")
        for i in instradate
        if i.status == RichiestaInstradata.Status.ATTESA_MODULO
    ]
    contesto = {
        "form": form,
        "gruppi": _gruppi(form),
        "instradate": instradate,
        "da_completare": da_completare,
        "form_modulo": ModuloFirmatoForm(),
        "stato": request.stato_pin_online,
    }
    return render(request, "abilitazioni/richieste.html", contesto, status=status)


def _gruppi(form: RichiestaForm) -> list[tuple[moduli.Allegato, list[tuple[Abilitazione, bool, bool]]]]:
    """The catalogue as the moduli show it: by allegato, each abilitazione with its two boxes (and what was ticked)."""
    aggiungi = {str(v) for v in form["aggiungi"].value() or []}
    rimuovi = {str(v) for v in form["rimuovi"].value() or []}
    catalogo = list(form.fields["aggiungi"].queryset.order_by("allegato", "nome"))  # type: ignore[attr-defined]
    return [
        (
            allegato,
            [(a, str(a.pk) in aggiungi, str(a.pk) in rimuovi) for a in catalogo if a.allegato == allegato.numero],
        )
        for allegato in moduli.ALLEGATI.values()
    ]


@require_POST
@area_riservata
def ritira(request: RichiestaArea, pk: int) -> HttpResponse:
    try:
        services.richiesta_ritira(instradata_id=pk, user=request.user)
    except RichiestaInstradata.DoesNotExist as exc:
        raise Http404 from exc
    except services.RichiestaNonAmmessa as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Richiesta ritirata."))
    return redirect("abilitazioni_richieste")


@require_POST
@area_riservata
def modulo_firmato(request: RichiestaArea, pk: int) -> HttpResponse:
    """Allegati 2 and 3: the upload of the modulo signed by the Ente's legal representative; the request then reaches
    the office. Someone else's request is a 404."""
    user = request.user
    instradata = get_object_or_404(RichiestaInstradata, pk=pk, richiesta__user=user)
    form = ModuloFirmatoForm(request.POST, request.FILES)
    if not form.is_valid():
        for errore in form.errors.get("modulo_firmato", []):
            messages.error(request, str(errore))
        return redirect("abilitazioni_richieste")
    try:
        services.modulo_carica(instradata_id=instradata.pk, user=user, file=form.cleaned_data["modulo_firmato"])
    except services.RichiestaNonAmmessa as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Modulo firmato ricevuto: la richiesta è ora all'esame dell'ufficio."))
    return redirect("abilitazioni_richieste")


@require_safe
@area_riservata
def modulo_compilato(request: RichiestaArea, pk: int) -> HttpResponse:
    """The filled modulo of one of the operator's own routed requests; anyone else's is a 404."""
    instradata = get_object_or_404(
        RichiestaInstradata.objects.select_related(
            "richiesta__user", "richiesta__ente__comune__provincia", "struttura"
        ).prefetch_related("voci__abilitazione"),
        pk=pk,
        richiesta__user=request.user,
    )
    return moduli.modulo_compilato_risposta(instradata)


@require_safe
def modulistica(request: HttpRequest) -> HttpResponse:
    """The public Modulistica page: the blank moduli 2-5, what each is for and where it goes."""
    catalogo = Abilitazione.objects.filter(attiva=True).order_by("allegato", "nome")
    allegati = [
        (allegato, [a for a in catalogo if a.allegato == allegato.numero]) for allegato in moduli.ALLEGATI.values()
    ]
    return render(request, "abilitazioni/modulistica.html", {"allegati": allegati})


@require_safe
def modulo_vuoto(request: HttpRequest, allegato: int) -> HttpResponse:
    if allegato not in moduli.ALLEGATI:
        raise Http404
    return risposta_pdf(moduli.modulo_vuoto_pdf(allegato), f"allegato-{allegato}.pdf", privato=False)
