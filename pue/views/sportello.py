"""The INPS operator's day at a sportello (Messaggio 4461/2023, "Gestione sportelli"; M15): the meetings of a day,
the link to open each, the outcome, the documents exchanged during the meeting.

INPS staff log in with their password; these pages are for the operators of the sportello's Struttura, and what is
not theirs is a 404 (the selectors of ``pue.esiti``). Every page that shows a citizen's data leaves a line in the audit
of readings (``lettura_registra``). A refusal is the page again with the Italian message and a 400; a change is a
POST followed by a redirect.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Attivita, User
from accounts.services.accessi import attivita_registra
from inps_portal import clock
from inps_portal.audit import lettura_registra
from inps_portal.errori import ErroreDominio
from inps_portal.pdf import risposta_documento
from pue import esiti, selectors
from pue.disponibilita import ROMA
from pue.models import DocumentoIncontro, Prenotazione

Stato = Prenotazione.Stato


class EsitoForm(forms.Form):
    esito = forms.ChoiceField(
        label="Esito dell'incontro",
        choices=[(Stato.SVOLTA, "L'incontro si è svolto"), (Stato.NON_PRESENTATO, "Il cittadino non si è presentato")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Indichi se l'incontro si è svolto o se il cittadino non si è presentato.",
            "invalid_choice": "Esito non valido: scelga tra quelli proposti.",
        },
    )
    seguito = forms.BooleanField(label="Serve un seguito", required=False)
    documenti_scambiati = forms.BooleanField(label="Sono stati scambiati documenti", required=False)
    note = forms.CharField(
        label="Note dell'operatore INPS",
        required=False,
        max_length=esiti.MASSIMO_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Le note superano i {esiti.MASSIMO_NOTE} caratteri: le accorci."},
    )


class DocumentoForm(forms.Form):
    verso = forms.ChoiceField(
        label="Il documento è stato",
        choices=DocumentoIncontro.Verso.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Indichi se il documento è stato inviato dal cittadino o consegnato al cittadino.",
            "invalid_choice": "Indichi se il documento è stato inviato dal cittadino o consegnato al cittadino.",
        },
    )
    file = forms.FileField(
        label="File (PDF, JPEG, PNG o .p7m)",
        error_messages={"required": "Scelga il file da allegare.", "empty": "Il file è vuoto."},
    )


def _attivita(request: HttpRequest, prenotazione: Prenotazione | None, descrizione: str) -> None:
    """The reading of citizens' data in the audit table too (Messaggio 4461/2023, privacy), with the booking's
    Comune when there is one booking."""
    attivita_registra(
        request,
        _user(request),
        tipo=Attivita.Tipo.LETTURA_DATI,
        comune=prenotazione.comune if prenotazione is not None else None,
        descrizione=descrizione,
    )


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


_DATA = re.compile(r"\d{4}-\d{2}-\d{2}")


def _giorno(valore: str | None) -> dt.date | None:
    """The day asked for (YYYY-MM-DD), today in Rome when none; None when it is not a date."""
    if not valore:
        return clock.today()
    if not _DATA.fullmatch(valore):
        return None
    try:
        return dt.date.fromisoformat(valore)
    except ValueError:
        return None


def _url_giornata(sportello_id: int, giorno: dt.date) -> str:
    return f"{reverse('pue_sportello_giornata')}?{urlencode({'sportello': sportello_id, 'giorno': giorno.isoformat()})}"


@dataclass(frozen=True)
class Riga:
    """A meeting of the day as the table shows it: its Rome times and addresses written once here (the day may hold
    hundreds of rows), and whether its outcome may be written now, from the row."""

    p: Prenotazione
    esito_aperto: bool
    inizio: str
    fine: str
    dettaglio: str
    incontro: str
    esito: str
    n_documenti: int

    @classmethod
    def di(cls, p: Prenotazione, adesso: dt.datetime) -> Riga:
        return cls(
            p=p,
            esito_aperto=esiti.esito_aperto(p, adesso),
            inizio=f"{p.inizio.astimezone(ROMA):%H:%M}",
            fine=f"{p.fine.astimezone(ROMA):%H:%M}",
            dettaglio=reverse("pue_sportello_prenotazione", args=[p.pk]),
            incontro=reverse("pue_incontro", args=[p.stanza]),
            esito=reverse("pue_sportello_esito", args=[p.pk]),
            n_documenti=len(p.documenti.all()),
        )


@require_safe
@login_required
def giornata(request: HttpRequest) -> HttpResponse:
    """The meetings of a sportello on a day (Europe/Rome): by default the user's first sportello, today. An operator
    whose Struttura has no sportello yet is told where to open it (the menu leads every operator here)."""
    sportelli = list(selectors.sportelli_dell_operatore(_user(request)))
    if not sportelli:
        if not selectors.strutture_dell_operatore(_user(request)).exists():
            raise Http404
        return render(request, "pue/sportello/giornata.html", {"senza_sportello": True})
    scelto = request.GET.get("sportello")
    sportello = sportelli[0] if scelto is None else next((s for s in sportelli if str(s.pk) == scelto), None)
    if sportello is None:
        raise Http404
    giorno = _giorno(request.GET.get("giorno"))
    contesto: dict[str, object] = {"sportelli": sportelli, "sportello": sportello, "oggi": clock.today()}
    if giorno is None:
        contesto |= {
            "errore": "La data indicata non è valida: la scriva come AAAA-MM-GG (per esempio 2027-03-01).",
            "giorno": None,
        }
        return render(request, "pue/sportello/giornata.html", contesto, status=400)
    adesso = clock.now()
    incontri = esiti.giornata(sportello, giorno)
    lettura_registra(
        request,
        cosa="lettura degli incontri del giorno di uno sportello PUE",
        oggetto=sportello,
        giorno=giorno.isoformat(),
    )
    _attivita(request, None, f"Lettura degli incontri del {giorno:%d/%m/%Y} di {sportello.nome}")
    contesto |= {
        "giorno": giorno,
        "ieri": giorno - dt.timedelta(days=1),
        "domani": giorno + dt.timedelta(days=1),
        "righe": [Riga.di(p, adesso) for p in incontri],
        "annullate": esiti.annullate_del_giorno(sportello, giorno),
    }
    return render(request, "pue/sportello/giornata.html", contesto)


def _prenotazione(request: HttpRequest, pk: int) -> Prenotazione:
    prenotazione = esiti.prenotazione_per_operatore(_user(request), pk)
    if prenotazione is None:
        raise Http404
    return prenotazione


def _pagina(
    request: HttpRequest,
    prenotazione: Prenotazione,
    *,
    esito_form: EsitoForm | None = None,
    documento_form: DocumentoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lettura_registra(request, cosa="lettura di una prenotazione PUE (dati del cittadino)", oggetto=prenotazione)
    _attivita(request, prenotazione, f"Lettura della prenotazione {prenotazione.pk} (sportello)")
    adesso = clock.now()
    documenti = list(esiti.documenti_della_prenotazione(prenotazione))
    if esito_form is None:
        iniziale: dict[str, object] = {"documenti_scambiati": bool(documenti)}
        if prenotazione.stato in esiti.ESITI:
            iniziale = {
                "esito": prenotazione.stato,
                "seguito": prenotazione.seguito,
                "documenti_scambiati": prenotazione.documenti_scambiati,
                "note": prenotazione.esito_note,
            }
        esito_form = EsitoForm(initial=iniziale)
    return render(
        request,
        "pue/sportello/prenotazione.html",
        {
            "p": prenotazione,
            "giorno": esiti.giorno_locale(prenotazione.inizio),
            "esito_aperto": esiti.esito_aperto(prenotazione, adesso),
            "documenti_aperti": esiti.documenti_aperti(prenotazione, adesso),
            "iniziato": prenotazione.inizio <= adesso,
            "esito_form": esito_form,
            "documento_form": documento_form or DocumentoForm(),
            "documenti": documenti,
            "dimensione_massima": int(settings.DOCUMENTI_DIMENSIONE_MASSIMA),
        },
        status=status,
    )


@require_safe
@login_required
def prenotazione(request: HttpRequest, pk: int) -> HttpResponse:
    """A meeting for the INPS operator: the citizen, the booking, the outcome, the documents."""
    return _pagina(request, _prenotazione(request, pk))


@require_POST
@login_required
def esito(request: HttpRequest, pk: int) -> HttpResponse:
    prenotazione = _prenotazione(request, pk)
    form = EsitoForm(request.POST)
    if not form.is_valid():
        return _pagina(request, prenotazione, esito_form=form, status=400)
    dati = form.cleaned_data
    try:
        registrata = esiti.esito_registra(
            chi=_user(request),
            prenotazione_id=prenotazione.pk,
            esito=dati["esito"],
            seguito=dati["seguito"],
            documenti_scambiati=dati["documenti_scambiati"],
            note=dati["note"],
        )
    except ErroreDominio as errore:
        form.add_error(None, str(errore))
        return _pagina(request, prenotazione, esito_form=form, status=400)
    messages.success(
        request,
        f"Esito registrato per l'incontro delle {registrata.inizio.astimezone(ROMA):%H:%M}: "
        f"{registrata.get_stato_display().lower()}.",
    )
    if request.POST.get("da") == "giornata":
        return redirect(_url_giornata(registrata.sportello_id, esiti.giorno_locale(registrata.inizio)))
    return redirect("pue_sportello_prenotazione", pk=registrata.pk)


@require_POST
@login_required
def documento(request: HttpRequest, pk: int) -> HttpResponse:
    prenotazione = _prenotazione(request, pk)
    form = DocumentoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _pagina(request, prenotazione, documento_form=form, status=400)
    try:
        allegato = esiti.documento_allega(
            chi=_user(request),
            prenotazione_id=prenotazione.pk,
            verso=form.cleaned_data["verso"],
            file=form.cleaned_data["file"],
        )
    except ErroreDominio as errore:
        form.add_error(None, str(errore))
        return _pagina(request, prenotazione, documento_form=form, status=400)
    messages.success(request, f"Il documento «{allegato.nome}» è allegato all'incontro.")
    return redirect("pue_sportello_prenotazione", pk=prenotazione.pk)


@require_safe
@login_required
def documento_scarica(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    allegato = esiti.documento_per_operatore(_user(request), pk, doc)
    if allegato is None:
        raise Http404
    try:
        with allegato.file.open("rb") as contenuto:
            dati = contenuto.read()
    except FileNotFoundError as errore:
        raise Http404 from errore
    lettura_registra(
        request,
        cosa="lettura di un documento di un incontro PUE",
        oggetto=allegato,
        prenotazione=allegato.prenotazione_id,
    )
    _attivita(request, allegato.prenotazione, f"Lettura di un documento dell'incontro {allegato.prenotazione_id}")
    return risposta_documento(bytes(dati), allegato.nome)
