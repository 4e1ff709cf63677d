"""The pages of the PUE conventions (Messaggio 4461/2023): the convention of a Comune for its people, the registry
for INPS staff, the two signatures, criticità. Each view loads through the selectors (what is not the person's is a
404), calls one service and redirects; a refusal of a service is its Italian message with a 400."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Comune, User
from accounts.selectors.accessi import accesso_della_sessione
from accounts.selectors.persone import organizzazioni_di, ruoli_di
from convenzioni import selectors, services
from convenzioni.dati import (
    COSTI_PREDEFINITI,
    MATERIALE_PREDEFINITO,
    SUPPORTO_ORARI_PREDEFINITI,
    DatiConvenzione,
    DatiFigura,
)
from convenzioni.errori import AutenticazioneNonRecente, DatiNonValidi, NonAutorizzato
from convenzioni.forms import (
    CambioFiguraForm,
    ChiusuraForm,
    ComuneForm,
    ConvenzioneForm,
    CriticitaForm,
    FiguraForm,
    FirmaComuneForm,
    GestioneCriticitaForm,
    RegistroForm,
)
from convenzioni.models import (
    Convenzione,
    Criticita,
    DocumentoConvenzione,
    EventoCriticita,
    FiguraConvenzione,
    Parte,
)
from inps_portal.errori import ErroreDominio
from inps_portal.pdf import risposta_documento, risposta_pdf

logger = logging.getLogger(__name__)
CONVENZIONI_PER_PAGINA = 25


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
    contesto = {"convenzioni": list(convenzioni[:100]), "puo_creare": _prepara_qualcosa(_user(request))}
    return render(request, "convenzioni/del_mio_comune.html", contesto)


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
    contesto = {"form": form, "pagina": pagina, "parametri": parametri, "puo_creare": _prepara_qualcosa(user)}
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
        "puo_modificare": bool(parti) and convenzione.stato == Convenzione.Stato.BOZZA,
        "cambia_figure": bool(_ruoli_che_cambia(user, convenzione)),
        "chiusure": [(azione, CHIUSURE[azione]) for azione in chiusure_possibili(user, convenzione)],
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
    """When the person last proved their identity with SPID (level 2 or higher), CIE or CNS in this session (a login
    or a confirmation): the signature of a convention asks for a fresh strong authentication. A password is not one."""
    accesso = accesso_della_sessione(request)
    if accesso is None or not accesso.forte:
        return None
    return accesso.quando


@require_POST
@login_required
def firma_inps(request: HttpRequest, pk: int) -> HttpResponse:
    """INPS's signature, applied by the portal for the competent Director. It needs an authentication made in the
    last minutes with SPID, CIE or CNS: otherwise the Director confirms their identity (``prompt=login`` at the
    gateway, or the CNS) and comes back here."""
    convenzione = _visibile(request, pk)
    user = _user(request)
    if not selectors.puo_firmare_per_inps(user, convenzione):
        raise Http404
    try:
        services.convenzione_firma_inps(chi=user, convenzione_id=convenzione.pk, autenticato_il=autenticato_il(request))
    except AutenticazioneNonRecente as errore:
        messages.info(request, str(errore))
        indietro = reverse("convenzione", kwargs={"pk": convenzione.pk})
        return redirect(f"{reverse('identita_conferma')}?{urlencode({'next': indietro})}")
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


# --- Preparing and correcting a draft -------------------------------------------------------------------------------

FIGURE_DELLA_CONVENZIONE = (
    (FiguraConvenzione.Ruolo.REFERENTE_INPS, "referente_inps"),
    (FiguraConvenzione.Ruolo.REFERENTE_COMUNE, "referente_comune"),
    (FiguraConvenzione.Ruolo.AMMINISTRATORE_UTENZE, "amministratore_utenze"),
)


def _prepara_qualcosa(user: User) -> bool:
    """Whether the person acts for a party that prepares conventions (``selectors.parte_che_prepara``): staff of a
    Direzione (Direttore, Referente INPS, personale) or a Comune's Referente or Amministratore utenze."""
    ruoli = ruoli_di(user)
    return bool(ruoli & set(selectors.RUOLI_PARTE_INPS)) or bool(ruoli & set(selectors.RUOLI_PARTE_COMUNE))


def _comune_proposto(user: User) -> dict[str, str]:
    """The Comune a Comune's Referente or Amministratore utenze prepares for, when they work for one only."""
    comuni = {
        codice
        for ruolo in selectors.RUOLI_PARTE_COMUNE
        if ruolo in ruoli_di(user)
        for codice in organizzazioni_di(user, ruolo).values_list("codice_istat", flat=True)
    }
    return {"comune": comuni.pop()} if len(comuni) == 1 else {}


def _forms_convenzione(
    dati: Any = None, iniziali: dict[str, Any] | None = None, figure: dict[str, dict[str, Any]] | None = None
) -> tuple[ConvenzioneForm, dict[str, FiguraForm]]:
    form = ConvenzioneForm(dati, initial=iniziali or {})
    forms_figure = {
        prefisso: FiguraForm(dati, prefix=prefisso, initial=(figure or {}).get(prefisso, {}))
        for _, prefisso in FIGURE_DELLA_CONVENZIONE
    }
    return form, forms_figure


def _validi(*tutti: forms.Form) -> bool:
    """Every form validated (none skipped after the first invalid one: each shows its own errors)."""
    esiti = [f.is_valid() for f in tutti]
    return all(esiti)


def _dati_convenzione(form: ConvenzioneForm, forms_figure: dict[str, FiguraForm]) -> DatiConvenzione:
    valori = dict(form.cleaned_data)
    for campo in ("postazione_orari", "supporto_orari", "materiale_informativo"):
        if not valori.get(campo):
            valori.pop(campo, None)
    figure = {prefisso: DatiFigura(**f.cleaned_data) for prefisso, f in forms_figure.items()}
    return DatiConvenzione(
        **valori,
        referente_inps=figure["referente_inps"],
        referente_comune=figure["referente_comune"],
        amministratore_utenze=figure["amministratore_utenze"],
    )


def _errori_sul_form(form: ConvenzioneForm, errore: ErroreDominio) -> None:
    """The service's refusal on the form: each message on its field where the form has one, on top otherwise."""
    if isinstance(errore, DatiNonValidi):
        for campo, messaggi in errore.errori.items():
            for messaggio in messaggi:
                form.add_error(campo if campo in form.fields else None, messaggio)
    else:
        form.add_error(None, str(errore))


def _pagina_convenzione_form(
    request: HttpRequest,
    *,
    form: ConvenzioneForm,
    forms_figure: dict[str, FiguraForm],
    convenzione: Convenzione | None = None,
    comune: Comune | None = None,
    form_comune: ComuneForm | None = None,
    status: int = 200,
) -> HttpResponse:
    contesto = {
        "convenzione": convenzione,
        "comune": comune,
        "form": form,
        "form_comune": form_comune,
        "figure": [(FiguraConvenzione.Ruolo(r).label, forms_figure[p]) for r, p in FIGURE_DELLA_CONVENZIONE],
        "registro": selectors.vede_il_registro(_user(request)),
    }
    return render(request, "convenzioni/modulo_convenzione.html", contesto, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def nuova(request: HttpRequest) -> HttpResponse:
    """A draft convention for a Comune, prepared by the staff of its Direzione firmataria or by its own Referente or
    Amministratore utenze. A Comune the person may not prepare for is a 404."""
    user = _user(request)
    if not _prepara_qualcosa(user):
        raise Http404
    form_comune = ComuneForm(
        request.POST if request.method == "POST" else (request.GET or None), initial=_comune_proposto(user)
    )
    comune = None
    if form_comune.is_bound and form_comune.is_valid():
        try:
            comune = Comune.objects.select_related("provincia__regione").get(
                codice_istat=form_comune.cleaned_data["comune"]
            )
        except Comune.DoesNotExist:
            form_comune.add_error("comune", gettext("Nessun Comune ha questo codice ISTAT."))
        else:
            if selectors.parte_che_prepara(user, comune) is None:
                raise Http404
    if request.method != "POST":
        form, forms_figure = _forms_convenzione(
            iniziali={
                "legale_rappresentante_qualifica": "Sindaco",
                "costi": COSTI_PREDEFINITI,
                "supporto_orari": SUPPORTO_ORARI_PREDEFINITI,
                "materiale_informativo": MATERIALE_PREDEFINITO,
            }
        )
        status = 400 if form_comune.is_bound and comune is None else 200
        return _pagina_convenzione_form(
            request, form=form, forms_figure=forms_figure, comune=comune, form_comune=form_comune, status=status
        )
    form, forms_figure = _forms_convenzione(request.POST)
    if comune is None or not _validi(form, *forms_figure.values()):
        return _pagina_convenzione_form(
            request, form=form, forms_figure=forms_figure, comune=comune, form_comune=form_comune, status=400
        )
    try:
        convenzione = services.convenzione_crea(chi=user, comune=comune, dati=_dati_convenzione(form, forms_figure))
    except NonAutorizzato as errore:
        raise Http404 from errore
    except ErroreDominio as errore:
        _errori_sul_form(form, errore)
        return _pagina_convenzione_form(
            request, form=form, forms_figure=forms_figure, comune=comune, form_comune=form_comune, status=400
        )
    messages.success(
        request, gettext("Bozza della convenzione predisposta: il documento da firmare è pronto per il Comune.")
    )
    return redirect("convenzione", pk=convenzione.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def modifica(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a draft: the parties of the convention, while nobody has signed it."""
    convenzione = _visibile(request, pk)
    user = _user(request)
    if not selectors.parti_di(user, convenzione):
        raise Http404
    if convenzione.stato != Convenzione.Stato.BOZZA:
        messages.info(
            request,
            gettext(
                "La convenzione si modifica solo finché è una bozza: i Referenti e l'Amministratore utenze si "
                "cambiano dalla pagina dei nominativi."
            ),
        )
        return redirect("convenzione", pk=convenzione.pk)
    if request.method != "POST":
        attuali = selectors.figure_attuali(convenzione)
        iniziali = {campo: getattr(convenzione, campo) for campo in ConvenzioneForm.base_fields}
        figure = {
            prefisso: {campo: getattr(attuali[ruolo], campo) for campo in FiguraForm.base_fields}
            for ruolo, prefisso in FIGURE_DELLA_CONVENZIONE
            if ruolo in attuali
        }
        form, forms_figure = _forms_convenzione(iniziali=iniziali, figure=figure)
        return _pagina_convenzione_form(request, form=form, forms_figure=forms_figure, convenzione=convenzione)
    form, forms_figure = _forms_convenzione(request.POST)
    if not _validi(form, *forms_figure.values()):
        return _pagina_convenzione_form(
            request, form=form, forms_figure=forms_figure, convenzione=convenzione, status=400
        )
    try:
        services.convenzione_aggiorna(
            chi=user, convenzione_id=convenzione.pk, dati=_dati_convenzione(form, forms_figure)
        )
    except NonAutorizzato as errore:
        raise Http404 from errore
    except ErroreDominio as errore:
        _errori_sul_form(form, errore)
        return _pagina_convenzione_form(
            request, form=form, forms_figure=forms_figure, convenzione=convenzione, status=400
        )
    messages.success(request, gettext("Bozza corretta: il documento da firmare è stato generato di nuovo."))
    return redirect("convenzione", pk=convenzione.pk)


# --- Referenti and Amministratore utenze ------------------------------------------------------------------------------


def _ruoli_che_cambia(user: User, convenzione: Convenzione) -> list[tuple[str, str]]:
    """The figures the person may change: those of the party they act for, while the convention is not closed."""
    if convenzione.stato in Convenzione.CHIUSE:
        return []
    parti = selectors.parti_di(user, convenzione)
    return [
        (ruolo.value, ruolo.label)
        for ruolo, _ in FIGURE_DELLA_CONVENZIONE
        if (Parte.INPS if ruolo == FiguraConvenzione.Ruolo.REFERENTE_INPS else Parte.COMUNE) in parti
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def figure(request: HttpRequest, pk: int) -> HttpResponse:
    """The Referenti and the Amministratore utenze with their whole history and the PEC of each change; the party a
    figure belongs to changes it (after the signatures the change goes by PEC to the other party)."""
    convenzione = _visibile(request, pk)
    user = _user(request)
    ruoli = _ruoli_che_cambia(user, convenzione)
    form = CambioFiguraForm(request.POST if request.method == "POST" else None)
    cast(forms.ChoiceField, form.fields["ruolo"]).choices = ruoli
    status = 200
    if request.method == "POST":
        if not ruoli:
            raise Http404
        if form.is_valid() and _cambia_figura(request, convenzione, form):
            return redirect("convenzione_figure", pk=convenzione.pk)
        status = 400
    contesto = {
        "convenzione": convenzione,
        "figure": sorted(selectors.figure_attuali(convenzione).values(), key=lambda f: f.ruolo),
        "storico_figure": list(selectors.storico_figure(convenzione)),
        "form": form if ruoli else None,
        "registro": selectors.vede_il_registro(user),
    }
    return render(request, "convenzioni/figure.html", contesto, status=status)


def _cambia_figura(request: HttpRequest, convenzione: Convenzione, form: CambioFiguraForm) -> bool:
    """The change through its service; a refusal goes on the form (False), another party's figure is a 404."""
    dati = {k: v for k, v in form.cleaned_data.items() if k not in ("ruolo", "motivo")}
    try:
        services.figura_cambia(
            chi=_user(request),
            convenzione_id=convenzione.pk,
            ruolo=form.cleaned_data["ruolo"],
            dati=DatiFigura(**dati),
            motivo=form.cleaned_data["motivo"],
        )
    except NonAutorizzato as errore:
        raise Http404 from errore
    except DatiNonValidi as errore:
        for campo, messaggi in errore.errori.items():
            for messaggio in messaggi:
                form.add_error(campo if campo in form.fields else None, messaggio)
        return False
    except ErroreDominio as errore:
        form.add_error(None, str(errore))
        return False
    if convenzione.stato == Convenzione.Stato.BOZZA:
        fatto = gettext("Nominativo cambiato nella bozza: il documento da firmare è stato generato di nuovo.")
    else:
        fatto = gettext("Nominativo cambiato: la modifica è comunicata via PEC all'altra Parte.")
    messages.success(request, fatto)
    return True


# --- Closing: annulment, withdrawal, revocation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Chiusura:
    titolo: str | Promise
    spiegazione: str | Promise
    pulsante: str | Promise
    fatto: str | Promise


CHIUSURE = {
    "annulla": Chiusura(
        titolo=_l("Annullare la convenzione"),
        spiegazione=_l(
            "La convenzione non ancora firmata dall'INPS è abbandonata: non potrà più essere firmata. Per il Comune "
            "si potrà poi predisporre una nuova convenzione."
        ),
        pulsante=_l("Confermo l'annullamento"),
        fatto=_l("Convenzione annullata."),
    ),
    "cessa": Chiusura(
        titolo=_l("Recedere dalla convenzione"),
        spiegazione=_l(
            "La convenzione attiva cessa per recesso di una delle Parti: il Punto Utente Evoluto non opera più e "
            "entrambe le Parti ricevono la comunicazione via PEC."
        ),
        pulsante=_l("Confermo il recesso"),
        fatto=_l("Convenzione cessata: la comunicazione è inviata via PEC alle Parti."),
    ),
    "revoca": Chiusura(
        titolo=_l("Revocare la convenzione"),
        spiegazione=_l(
            "L'INPS revoca la convenzione attiva (per esempio per grave inadempimento o uso improprio dei servizi): "
            "il Punto Utente Evoluto non opera più e entrambe le Parti ricevono la comunicazione via PEC."
        ),
        pulsante=_l("Confermo la revoca"),
        fatto=_l("Convenzione revocata: la comunicazione è inviata via PEC alle Parti."),
    ),
}


def _puo_chiudere(user: User, convenzione: Convenzione, azione: str) -> bool:
    """Who may ask for each closing, as the services decide: the parties annul or withdraw, only the competent
    Director revokes."""
    if azione == "revoca":
        return selectors.puo_firmare_per_inps(user, convenzione)
    return bool(selectors.parti_di(user, convenzione))


def chiusure_possibili(user: User, convenzione: Convenzione) -> list[str]:
    """The closings the person may ask for on the convention in its current state (the buttons of its page)."""
    stato = convenzione.stato
    if stato in Convenzione.IN_PREPARAZIONE:
        candidate = ["annulla"]
    elif stato == Convenzione.Stato.ATTIVA:
        candidate = ["cessa", "revoca"]
    else:
        candidate = []
    return [azione for azione in candidate if _puo_chiudere(user, convenzione, azione)]


def _chiudi(request: HttpRequest, pk: int, azione: str) -> HttpResponse:
    """The first POST (from the convention's page) shows the confirmation with the reason to write; the second, with
    ``conferma``, closes the convention through its service."""
    convenzione = _visibile(request, pk)
    user = _user(request)
    if not _puo_chiudere(user, convenzione, azione):
        raise Http404
    chiusura = CHIUSURE[azione]
    confermata = request.POST.get("conferma") == "1"
    form = ChiusuraForm(request.POST if confermata else None)
    status = 200
    if confermata:
        if form.is_valid():
            servizio = {
                "annulla": services.convenzione_annulla,
                "cessa": services.convenzione_cessa,
                "revoca": services.convenzione_revoca,
            }[azione]
            try:
                servizio(chi=user, convenzione_id=convenzione.pk, motivo=form.cleaned_data["motivo"])
            except NonAutorizzato as errore:
                raise Http404 from errore
            except ErroreDominio as errore:
                form.add_error(None, str(errore))
            else:
                messages.success(request, str(chiusura.fatto))
                return redirect("convenzione", pk=convenzione.pk)
        status = 400
    contesto = {
        "convenzione": convenzione,
        "chiusura": chiusura,
        "azione": reverse(f"convenzione_{azione}", kwargs={"pk": convenzione.pk}),
        "form": form,
        "registro": selectors.vede_il_registro(user),
    }
    return render(request, "convenzioni/chiusura.html", contesto, status=status)


@require_POST
@login_required
def annulla(request: HttpRequest, pk: int) -> HttpResponse:
    return _chiudi(request, pk, "annulla")


@require_POST
@login_required
def cessa(request: HttpRequest, pk: int) -> HttpResponse:
    return _chiudi(request, pk, "cessa")


@require_POST
@login_required
def revoca(request: HttpRequest, pk: int) -> HttpResponse:
    return _chiudi(request, pk, "revoca")
