"""The pages of the PUE conventions (Messaggio 4461/2023): the convention of a Comune for its people, the registry
for INPS staff, the two signatures, criticità. Each view loads through the selectors (what is not the person's is a
404), calls one service and redirects; a refusal of a service is its Italian message with a 400."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from convenzioni import selectors, services
from convenzioni.errori import AutenticazioneNonRecente, NonAutorizzato
from convenzioni.forms import CriticitaForm, FirmaComuneForm, GestioneCriticitaForm, RegistroForm
from convenzioni.models import Convenzione, Criticita, DocumentoConvenzione, EventoCriticita
from inps_portal import clock
from inps_portal.errori import ErroreDominio
from inps_portal.pdf import risposta_documento, risposta_pdf

logger = logging.getLogger(__name__)
CONVENZIONI_PER_PAGINA = 25

# allauth's record of how and when the person authenticated in this session (allauth.account.internal.flows.login):
# a list of {"method": ..., "at": <epoch seconds>, ...}, the last one the most recent, for the user named beside it.
AUTENTICAZIONI_DELLA_SESSIONE = "account_authentication_methods"
UTENTE_DELLE_AUTENTICAZIONI = "account_authentication_methods_user"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _visibile(request: HttpRequest, pk: int) -> Convenzione:
    """The convention if the person may see it (404 otherwise); each reading is logged (it names people: GDPR),
    with who and which convention, never the personal data."""
    try:
        convenzione = selectors.convenzione_visibile(_user(request), pk)
    except Convenzione.DoesNotExist as errore:
        raise Http404 from errore
    logger.info(
        "accesso a una convenzione PUE",
        extra={
            "convenzione_id": convenzione.pk,
            "utente_id": request.user.pk,
            "pagina": request.resolver_match and request.resolver_match.url_name,
        },
    )
    return convenzione


# --- The Comune's people and INPS staff: lists ----------------------------------------------------------------------


@require_safe
@login_required
def del_mio_comune(request: HttpRequest) -> HttpResponse:
    """The conventions of the Comuni the person works for: the way in from "Il mio Comune"."""
    convenzioni = selectors.convenzioni_dei_miei_comuni(_user(request))
    if convenzioni is None:
        raise Http404
    return render(request, "convenzioni/del_mio_comune.html", {"convenzioni": list(convenzioni[:100])})


@require_safe
@login_required
def registro(request: HttpRequest) -> HttpResponse:
    """The registry of INPS staff: the conventions of their territory by region, Comune, state and expiry, 25 to a
    page, in the same number of queries whatever their number."""
    user = _user(request)
    if not selectors.vede_il_registro(user):
        raise Http404
    form = RegistroForm(request.GET or None)
    filtri: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            dati = form.cleaned_data
            filtri = {
                "regione": dati["regione"],
                "comune_nome": dati["comune"] or None,
                "stato": dati["stato"] or None,
                "scadenza_dal": dati["scadenza_dal"],
                "scadenza_al": dati["scadenza_al"],
            }
        else:
            status = 400
    pagina = Paginator(selectors.registro_convenzioni(user, **filtri), CONVENZIONI_PER_PAGINA).get_page(
        request.GET.get("pagina")
    )
    parametri = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "pagina" and v])
    contesto = {"form": form, "pagina": pagina, "parametri": parametri}
    return render(request, "convenzioni/registro.html", contesto, status=status)


# --- One convention ---------------------------------------------------------------------------------------------------


def _contesto(
    request: HttpRequest,
    convenzione: Convenzione,
    *,
    form_firma: FirmaComuneForm | None = None,
    form_criticita: CriticitaForm | None = None,
) -> dict[str, Any]:
    user = _user(request)
    parti = selectors.parti_di(user, convenzione)
    stati = dict(Convenzione.Stato.choices)
    criticita = list(
        convenzione.criticita.select_related("segnalata_da", "presa_in_carico_da", "risolta_da").prefetch_related(
            Prefetch("eventi", queryset=EventoCriticita.objects.select_related("chi").order_by("quando", "pk"))
        )
    )
    return {
        "convenzione": convenzione,
        "figure": sorted(selectors.figure_attuali(convenzione).values(), key=lambda f: f.ruolo),
        "storico_figure": list(selectors.storico_figure(convenzione)),
        "documenti": list(selectors.documenti(convenzione).select_related("creato_da")),
        "firme": list(convenzione.firme.select_related("documento").order_by("registrata_il", "pk")),
        "eventi": [(e, stati.get(e.a, e.a)) for e in convenzione.eventi.select_related("chi").order_by("quando", "pk")],
        "criticita": [(c, c.parte_che_gestisce in parti and c.stato != Criticita.Stato.RISOLTA) for c in criticita],
        "puo_caricare": bool(parti) and convenzione.stato == Convenzione.Stato.BOZZA,
        "puo_firmare": (
            convenzione.stato == Convenzione.Stato.FIRMATA_COMUNE and selectors.puo_firmare_per_inps(user, convenzione)
        ),
        "referente_di": (
            selectors.referente_per(user, convenzione) if convenzione.stato == Convenzione.Stato.ATTIVA else None
        ),
        "form_firma": form_firma or FirmaComuneForm(),
        "form_criticita": form_criticita or CriticitaForm(),
        "minuti_autenticazione": settings.CONVENZIONI_AUTENTICAZIONE_MINUTI,
        "registro": selectors.vede_il_registro(user),
    }


@require_safe
@login_required
def dettaglio(request: HttpRequest, pk: int) -> HttpResponse:
    """A convention: state, parties, workstation, support, figures and their history, documents, signatures,
    history, criticità; and what the person may do on it."""
    convenzione = _visibile(request, pk)
    return render(request, "convenzioni/dettaglio.html", _contesto(request, convenzione))


def _rifiutata(request: HttpRequest, convenzione: Convenzione, errore: ErroreDominio, **forms: Any) -> HttpResponse:
    """The page again, with the service's message, and a 400: nothing was stored."""
    contesto = _contesto(request, convenzione, **forms)
    contesto["rifiuto"] = str(errore)
    return render(request, "convenzioni/dettaglio.html", contesto, status=400)


@require_safe
@login_required
def documento(request: HttpRequest, pk: int) -> HttpResponse:
    """The current document of the convention (the one to sign, or signed), never cached."""
    convenzione = _visibile(request, pk)
    doc = selectors.documento_da_scaricare(convenzione)
    return risposta_pdf(bytes(doc.contenuto), convenzione.nome_file)


@require_safe
@login_required
def documento_archiviato(request: HttpRequest, pk: int, documento_id: int) -> HttpResponse:
    """One of the convention's documents, as it was stored (generated, signed by the Comune, by both)."""
    convenzione = _visibile(request, pk)
    try:
        doc = selectors.documento_da_scaricare(convenzione, documento_id)
    except DocumentoConvenzione.DoesNotExist as errore:
        raise Http404 from errore
    nome = f"convenzione-pue-{convenzione.comune.codice_istat}-{convenzione.pk}-{doc.tipo}-{doc.pk}.pdf"
    return risposta_documento(bytes(doc.contenuto), nome)


@require_POST
@login_required
def firma_comune(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF signed by the Comune's legal representative, uploaded by someone of the parties: verified by the
    service; a refused file is not kept, and the page says why."""
    convenzione = _visibile(request, pk)
    form = FirmaComuneForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "convenzioni/dettaglio.html", _contesto(request, convenzione, form_firma=form), status=400
        )
    file = form.cleaned_data["documento_firmato"]
    massimo = int(settings.DOCUMENTI_DIMENSIONE_MASSIMA)
    contenuto = file.read(massimo + 1)  # one byte more than allowed is enough for the service to refuse it
    try:
        services.convenzione_firma_comune_carica(
            chi=_user(request), convenzione_id=convenzione.pk, contenuto=contenuto, nome_file=file.name or ""
        )
    except NonAutorizzato as errore:
        raise Http404 from errore
    except ErroreDominio as errore:
        return _rifiutata(request, convenzione, errore, form_firma=form)
    messages.success(
        request,
        gettext("Convenzione firmata dal Comune ricevuta e verificata: ora attende la firma del Direttore INPS."),
    )
    return redirect("convenzione", pk=convenzione.pk)


def autenticato_il(request: HttpRequest) -> dt.datetime | None:
    """When the person last authenticated in this session (login or reauthentication), on the portal's clock: the
    time elapsed since allauth's record, subtracted from ``clock.now()`` (so a pinned clock stays consistent)."""
    user = _user(request)
    if str(request.session.get(UTENTE_DELLE_AUTENTICAZIONI, "")) != str(user.pk):
        return None
    registrate = request.session.get(AUTENTICAZIONI_DELLA_SESSIONE)
    if not isinstance(registrate, list) or not registrate or not isinstance(registrate[-1], dict):
        return None
    quando = registrate[-1].get("at")
    if not isinstance(quando, int | float):
        return None
    # allauth writes the wall clock's epoch: only the time elapsed since then is read from the wall clock
    trascorso = time.time() - float(quando)  # noqa: TID251 - allauth's own clock, compared with itself
    return clock.now() - dt.timedelta(seconds=trascorso)


@require_POST
@login_required
def firma_inps(request: HttpRequest, pk: int) -> HttpResponse:
    """INPS's signature, applied by the portal for the competent Director. It needs an authentication made in the
    last minutes: otherwise the Director confirms the password (allauth's reauthentication) and comes back here."""
    convenzione = _visibile(request, pk)
    user = _user(request)
    if not selectors.puo_firmare_per_inps(user, convenzione):
        raise Http404
    try:
        services.convenzione_firma_inps(chi=user, convenzione_id=convenzione.pk, autenticato_il=autenticato_il(request))
    except AutenticazioneNonRecente as errore:
        messages.info(request, str(errore))
        indietro = reverse("convenzione", kwargs={"pk": convenzione.pk})
        return redirect(f"{reverse('account_reauthenticate')}?{urlencode({'next': indietro})}")
    except NonAutorizzato as errore:
        raise Http404 from errore
    except ErroreDominio as errore:
        return _rifiutata(request, convenzione, errore)
    messages.success(request, gettext("Convenzione firmata per l'INPS: ora è attiva."))
    return redirect("convenzione", pk=convenzione.pk)


@require_POST
@login_required
def criticita_segnala(request: HttpRequest, pk: int) -> HttpResponse:
    """A Referente reports a problem in the working of the convention; the other party handles it."""
    convenzione = _visibile(request, pk)
    form = CriticitaForm(request.POST)
    if not form.is_valid():
        return render(
            request, "convenzioni/dettaglio.html", _contesto(request, convenzione, form_criticita=form), status=400
        )
    try:
        services.criticita_segnala(
            chi=_user(request),
            convenzione_id=convenzione.pk,
            oggetto=form.cleaned_data["oggetto"],
            descrizione=form.cleaned_data["descrizione"],
        )
    except NonAutorizzato as errore:
        raise Http404 from errore
    except ErroreDominio as errore:
        return _rifiutata(request, convenzione, errore, form_criticita=form)
    messages.success(request, gettext("Criticità segnalata: l'altra Parte ne riceve comunicazione via PEC."))
    return redirect("convenzione", pk=convenzione.pk)


@require_POST
@login_required
def criticita_gestisci(request: HttpRequest, pk: int) -> HttpResponse:
    """The other party takes a criticità in charge, or resolves it."""
    try:
        criticita = selectors.criticita_visibili(_user(request)).get(pk=pk)
    except Criticita.DoesNotExist as errore:
        raise Http404 from errore
    convenzione = _visibile(request, criticita.convenzione_id)
    if criticita.parte_che_gestisce not in selectors.parti_di(_user(request), convenzione):
        raise Http404
    form = GestioneCriticitaForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Scelga se prendere in carico o risolvere la criticità."))
        return redirect("convenzione", pk=convenzione.pk)
    testo = form.cleaned_data["testo"]
    try:
        if form.cleaned_data["azione"] == "prendi":
            services.criticita_prendi_in_carico(chi=_user(request), criticita_id=criticita.pk, nota=testo)
            fatto = gettext("Criticità presa in carico.")
        else:
            services.criticita_risolvi(chi=_user(request), criticita_id=criticita.pk, risoluzione=testo)
            fatto = gettext("Criticità risolta.")
    except NonAutorizzato as errore:
        raise Http404 from errore
    except ErroreDominio as errore:
        return _rifiutata(request, convenzione, errore)
    messages.success(request, fatto)
    return redirect(f"{reverse('convenzione', kwargs={'pk': convenzione.pk})}#criticita")
