from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from abilitazioni import moduli, services
from abilitazioni.forms import ModuloFirmatoForm, RichiestaForm, file_da_rinviare
from abilitazioni.models import Abilitazione, RichiestaInstradata
from abilitazioni.selectors import (
    Situazione,
    enti_nell_area,
    situazione_del_catalogo,
)
from accounts.decorators import RichiestaArea, area_riservata
from accounts.models import PIN, Ente, User
from accounts.selectors.persone import enti_di, pin_attivo
from inps_portal.pdf import risposta_pdf

# The Ente whose situation the request page shows, kept for the session: the page's address stays the same.
ENTE_MOSTRATO = "abilitazioni_ente_mostrato"


@require_safe
@area_riservata
def area_enti(request: RichiestaArea) -> HttpResponse:
    """The Area riservata: the Enti the person acts for, with the abilitazioni held and the requests waiting."""
    user = request.user
    contesto = {"enti": enti_nell_area(user), "pin": pin_attivo(user), "stato": request.stato_pin_online}
    return render(request, "abilitazioni/area_enti.html", contesto)


def _ente_scelto(enti: QuerySet[Ente], valore: object) -> Ente | None:
    """One of the person's Enti, from a value sent by the browser (anything else: none)."""
    if not isinstance(valore, (str, int)) or not str(valore).isdigit() or len(str(valore)) > 18:
        return None
    return enti.filter(pk=int(valore)).first()


def _ente_mostrato(request: RichiestaArea, enti: QuerySet[Ente]) -> Ente | None:
    """The Ente whose situation the page shows: the one the form was showing (on a POST), the one asked for in the
    address (``?ente=``), the one chosen last in this session, or the first of the person's Enti."""
    for valore in (request.POST.get("ente_mostrato"), request.GET.get("ente"), request.session.get(ENTE_MOSTRATO)):
        ente = _ente_scelto(enti, valore)
        if ente is not None:
            return ente
    return enti.first()


@require_http_methods(["GET", "POST"])
@area_riservata
def richieste(request: RichiestaArea) -> HttpResponse:
    """Ask for abilitazioni (or their removal) for one Ente, and follow the requests already made. The catalogue is
    marked with what the person holds for the Ente shown and what is already asked; what cannot be asked (held,
    pending, or needing a PIN dispositivo they do not have) cannot be ticked."""
    user = request.user
    enti = enti_di(user)
    mostrato = _ente_mostrato(request, enti)
    form = RichiestaForm(request.POST or None, enti=enti, initial={"ente": mostrato})
    if request.method == "POST" and request.POST.get("azione") == "mostra":
        # "Mostra": the situation of the Ente chosen in the list, without asking anything yet.
        scelto = _ente_scelto(enti, request.POST.get("ente"))
        if scelto is not None:
            request.session[ENTE_MOSTRATO] = scelto.pk
        return redirect("abilitazioni_richieste")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ente = form.cleaned_data["ente"]
            if "ente_mostrato" in request.POST and ente != mostrato:
                # The marks on the page were those of another Ente: show this one's before anything is asked.
                form.add_error(
                    None,
                    gettext(
                        "Ha scelto un altro Ente senza premere «Mostra»: qui sotto trova ora cosa ha già e cosa è in "
                        "corso per %(ente)s. Controlli le sue scelte e invii di nuovo la richiesta."
                    )
                    % {"ente": ente.nome},
                )
                mostrato = ente
                request.session[ENTE_MOSTRATO] = ente.pk
            else:
                try:
                    services.richiesta_crea(
                        user=user,
                        ente=ente,
                        aggiungi=form.cleaned_data["aggiungi"],
                        rimuovi=form.cleaned_data["rimuovi"],
                    )
                except services.RichiestaNonAmmessa as exc:
                    form.add_error(None, str(exc))
                else:
                    request.session[ENTE_MOSTRATO] = ente.pk
                    messages.success(request, gettext("Richiesta inviata: ogni parte va all'ufficio che la decide."))
                    return redirect("abilitazioni_richieste")
        status = 400
    return render(request, "abilitazioni/richieste.html", _contesto(request, form, mostrato), status=status)


def _contesto(
    request: RichiestaArea,
    form: RichiestaForm,
    mostrato: Ente | None,
    *,
    modulo_rifiutato: tuple[int, ModuloFirmatoForm] | None = None,
) -> dict[str, object]:
    """What the request page shows: the form with the catalogue marked for the Ente shown, the requests to complete
    with their signed modulo (one of them, perhaps, with a refused upload), and the person's requests."""
    user = request.user
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
    pin = pin_attivo(user)
    rifiutato_pk, form_rifiutato = modulo_rifiutato if modulo_rifiutato else (None, None)
    return {
        "form": form,
        "ente_mostrato": mostrato,
        "gruppi": _gruppi(form, user, mostrato, pin),
        "pin_online": pin is not None and pin.tipo != PIN.Tipo.DISPOSITIVO,
        "instradate": instradate,
        "da_completare": da_completare,
        "form_modulo": ModuloFirmatoForm(),
        "modulo_rifiutato": rifiutato_pk,
        "errori_modulo": form_rifiutato.errors.get("modulo_firmato", []) if form_rifiutato else [],
        "file_da_rinviare": file_da_rinviare(form_rifiutato) if form_rifiutato else [],
        "stato": request.stato_pin_online,
    }


Voce = tuple[Abilitazione, bool, bool, Situazione]


def _gruppi(
    form: RichiestaForm, user: User, ente: Ente | None, pin: PIN | None
) -> list[tuple[moduli.Allegato, list[Voce]]]:
    """The catalogue as the moduli show it: by allegato, each abilitazione with its two boxes (ticked as sent, where
    they can be ticked at all) and where the person stands with it for the Ente shown."""
    aggiungi = {str(v) for v in form["aggiungi"].value() or []}
    rimuovi = {str(v) for v in form["rimuovi"].value() or []}
    catalogo = list(form.fields["aggiungi"].queryset.order_by("allegato", "nome"))  # type: ignore[attr-defined]
    situazione = situazione_del_catalogo(user, ente, catalogo, pin)
    voci: list[Voce] = [
        (
            a,
            situazione[a.pk].si_puo_aggiungere and str(a.pk) in aggiungi,
            situazione[a.pk].si_puo_togliere and str(a.pk) in rimuovi,
            situazione[a.pk],
        )
        for a in catalogo
    ]
    return [(allegato, [v for v in voci if v[0].allegato == allegato.numero]) for allegato in moduli.ALLEGATI.values()]


@require_POST
@area_riservata
def ritira(request: RichiestaArea, pk: int) -> HttpResponse:
    """Withdraw a request, after a confirmation: the first POST (the "Ritira" button of the list) shows what is about
    to be withdrawn and asks; only the second, with ``conferma``, withdraws. No JavaScript needed; someone else's
    request is a 404."""
    instradata = get_object_or_404(
        RichiestaInstradata.objects.select_related("richiesta__ente", "struttura").prefetch_related(
            "voci__abilitazione"
        ),
        pk=pk,
        richiesta__user=request.user,
    )
    if request.POST.get("conferma") != "si":
        contesto = {"instradata": instradata, "stato": request.stato_pin_online}
        return render(request, "abilitazioni/ritira.html", contesto)
    try:
        services.richiesta_ritira(instradata_id=pk, user=request.user)
    except RichiestaInstradata.DoesNotExist as exc:
        raise Http404 from exc
    except services.RichiestaNonAmmessa as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("Richiesta n. %(numero)s ritirata.") % {"numero": instradata.numero})
    return redirect("abilitazioni_richieste")


@require_POST
@area_riservata
def modulo_firmato(request: RichiestaArea, pk: int) -> HttpResponse:
    """Allegati 2 and 3: the upload of the modulo signed by the Ente's legal representative; the request then reaches
    the office. A refused file is not kept: the page comes back (400) with the reason beside the request's upload
    field and says which file to choose again. Someone else's request is a 404."""
    user = request.user
    instradata = get_object_or_404(RichiestaInstradata, pk=pk, richiesta__user=user)
    form = ModuloFirmatoForm(request.POST, request.FILES)
    if not form.is_valid():
        enti = enti_di(user)
        mostrato = _ente_mostrato(request, enti)
        contesto = _contesto(
            request,
            RichiestaForm(enti=enti, initial={"ente": mostrato}),
            mostrato,
            modulo_rifiutato=(instradata.pk, form),
        )
        return render(request, "abilitazioni/richieste.html", contesto, status=400)
    file = form.cleaned_data["modulo_firmato"]
    try:
        services.modulo_carica(instradata_id=instradata.pk, user=user, file=file)
    except services.RichiestaNonAmmessa as exc:
        messages.error(
            request,
            gettext("Il file «%(nome)s» non è stato salvato: %(motivo)s") % {"nome": file.name, "motivo": exc},
        )
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
