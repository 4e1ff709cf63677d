"""Gestione sportelli (Messaggio 4461/2023): the Comune's enabled operator books a web meeting for a citizen, in the
steps of Designers Italia's appointment pattern: office, date and time, details, applicant, summary.

Choosing the time holds the slot (``PRENOTAZIONE_TRATTENUTA_MINUTI``); details and applicant are kept in the session
until the summary confirms the booking through the service, which checks everything again. Every later link of a
booking (cancel, reschedule, the meeting) is a portal URL checked against the booking's current state: a link that
no longer applies answers 410 with what happened. Another Comune's booking, or a sportello that is not competent, is
a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Attivita, Comune, Prestazione, Struttura, User
from accounts.roles import Ruolo
from accounts.selectors.persone import organizzazioni_di
from accounts.services.accessi import attivita_registra
from convenzioni.selectors import convenzione_attiva
from inps_portal import clock
from inps_portal.pdf import risposta_documento, risposta_pdf
from pue import prenotazioni as servizi
from pue.decorators import accesso_forte_richiesto
from pue.disponibilita import ROMA, Slot
from pue.errori import PrenotazioneNonAmmessa, SlotOccupato
from pue.forms import (
    DettagliForm,
    DocumentoForm,
    MotivoForm,
    RichiedenteForm,
    ScegliPrestazioneForm,
    SettimanaForm,
    SlotForm,
    ValutazioneForm,
)
from pue.models import Prenotazione, Sportello
from pue.richiesta import delega_allega, richiesta_firmata_allega, richiesta_pdf
from pue.selectors import sportelli_competenti

Stato = Prenotazione.Stato
BOZZE = "pue_bozze"  # session key: the details and applicant of the holds being completed, by booking id


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _comune(request: HttpRequest, istat: str) -> Comune:
    """The Comune, if the person is its enabled operator; otherwise 404."""
    comune = get_object_or_404(Comune.objects.select_related("provincia"), codice_istat=istat)
    if not organizzazioni_di(_user(request), Ruolo.OPERATORE_COMUNE).filter(pk=comune.pk).exists():
        raise Http404
    return comune


def _prenotazione(request: HttpRequest, pk: int) -> Prenotazione:
    """A booking of one of the person's Comuni; otherwise 404 (never a 403 that confirms it exists)."""
    comuni = organizzazioni_di(_user(request), Ruolo.OPERATORE_COMUNE).values("pk")
    return get_object_or_404(
        Prenotazione.objects.select_related(
            "sportello__struttura", "comune__provincia", "prestazione", "operatore", "sostituita_da", "annullata_da"
        ),
        pk=pk,
        comune_id__in=comuni,
    )


def _trattenuta(request: HttpRequest, pk: int) -> Prenotazione | HttpResponse:
    """The person's own hold still in time, or the 410 page that says it expired or was completed."""
    prenotazione = _prenotazione(request, pk)
    if prenotazione.operatore_id != request.user.pk:
        raise Http404
    if prenotazione.stato == Stato.CONFERMATA:
        return redirect("pue_prenotazione", pk=pk)
    if not prenotazione.trattenuta_viva:
        return _link_scaduto(
            request,
            prenotazione,
            "Il tempo per completare la prenotazione è scaduto e l'orario è stato liberato: lo scelga di nuovo.",
        )
    return prenotazione


def _link_scaduto(request: HttpRequest, prenotazione: Prenotazione, perche: str) -> HttpResponse:
    return render(request, "pue/prenotazioni/scaduto.html", {"p": prenotazione, "perche": perche}, status=410)


def _non_piu_valido(prenotazione: Prenotazione, azione: str) -> str | None:
    """Why a link of ``prenotazione`` (cancel, reschedule) no longer applies, or None while it does."""
    if prenotazione.stato == Stato.ANNULLATA:
        if prenotazione.sostituita_da_id:
            nuova = prenotazione.sostituita_da
            assert nuova is not None
            return f"La prenotazione è stata spostata al {nuova.inizio.astimezone(ROMA):%d/%m/%Y alle %H:%M}."
        return (
            f"La prenotazione è stata annullata il {prenotazione.annullata_il.astimezone(ROMA):%d/%m/%Y}"
            f" ({prenotazione.motivo_annullamento})."
            if prenotazione.annullata_il
            else "La prenotazione è stata annullata."
        )
    if prenotazione.stato == Stato.SCADUTA or (
        prenotazione.stato == Stato.TRATTENUTA and not prenotazione.trattenuta_viva
    ):
        return "La prenotazione non è stata completata in tempo e l'orario è stato liberato."
    if prenotazione.stato == Stato.TRATTENUTA:
        # A hold being completed is given up from its own steps; it has no time yet to move.
        return None if azione == "annullare" else "La prenotazione non è ancora confermata: la completi prima."
    if prenotazione.stato in (Stato.SVOLTA, Stato.NON_PRESENTATO) or prenotazione.inizio <= clock.now():
        quando = prenotazione.inizio.astimezone(ROMA)
        return f"L'incontro era fissato per il {quando:%d/%m/%Y alle %H:%M}: non si può più {azione}."
    return None


def _bozza(request: HttpRequest, pk: int) -> dict[str, Any]:
    return dict(request.session.get(BOZZE, {}).get(str(pk), {}))


def _bozza_salva(request: HttpRequest, pk: int, **valori: Any) -> None:
    bozze = dict(request.session.get(BOZZE, {}))
    bozze[str(pk)] = {**bozze.get(str(pk), {}), **valori}
    request.session[BOZZE] = bozze


def _bozza_dimentica(request: HttpRequest, pk: int) -> None:
    bozze = dict(request.session.get(BOZZE, {}))
    if bozze.pop(str(pk), None) is not None:
        request.session[BOZZE] = bozze


def _prestazioni_dello_sportello(sportello: Sportello) -> QuerySet[Prestazione]:
    """A Polo answers for its own prestazioni; a Struttura territoriale for any."""
    if sportello.struttura.tipo == Struttura.Tipo.POLO_NAZIONALE:
        return sportello.struttura.prestazioni.all()
    return Prestazione.objects.all()


# --- The Comune's bookings ------------------------------------------------------------------------------------------


@require_safe
@accesso_forte_richiesto
def elenco(request: HttpRequest, istat: str) -> HttpResponse:
    """The Comune's bookings: the coming ones first, then the past ones, 50 a page."""
    comune = _comune(request, istat)
    adesso = clock.now()
    base = (
        Prenotazione.objects.filter(comune=comune)
        .exclude(stato=Stato.SCADUTA)
        .select_related("sportello", "prestazione")
    )
    vista = request.GET.get("vista", "prossime")
    if vista == "passate":
        righe = base.filter(inizio__lt=adesso).order_by("-inizio", "posto")
    else:
        vista = "prossime"
        righe = base.filter(inizio__gte=adesso).order_by("inizio", "posto")
    pagina = Paginator(righe, 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "pue/prenotazioni/elenco.html",
        {"comune": comune, "pagina": pagina, "vista": vista, "convenzione": convenzione_attiva(comune)},
    )


# --- Step 1: the office -----------------------------------------------------------------------------------------


@require_safe
@accesso_forte_richiesto
def nuova(request: HttpRequest, istat: str) -> HttpResponse:
    """Which office: the Struttura territorialmente competente for the Comune, or, for a prestazione a Polo nazionale
    handles, that Polo too (every competent Polo, when several answer for it)."""
    comune = _comune(request, istat)
    if convenzione_attiva(comune) is None:
        return render(request, "pue/prenotazioni/senza_convenzione.html", {"comune": comune}, status=403)
    form = ScegliPrestazioneForm(request.GET or None)
    prestazione = form.cleaned_data["prestazione"] if form.is_bound and form.is_valid() else None
    territoriali = sportelli_competenti(comune)
    poli = [s for s in sportelli_competenti(comune, prestazione) if s not in territoriali] if prestazione else []
    return render(
        request,
        "pue/prenotazioni/ufficio.html",
        {"comune": comune, "form": form, "territoriali": territoriali, "poli": poli, "prestazione": prestazione},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _sportello_competente(comune: Comune, sportello_id: int, prestazione: Prestazione | None) -> Sportello:
    competenti = sportelli_competenti(comune) + (sportelli_competenti(comune, prestazione) if prestazione else [])
    for sportello in competenti:
        if sportello.pk == sportello_id:
            return sportello
    raise Http404


# --- Step 2: date and time -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@accesso_forte_richiesto
def orari(request: HttpRequest, istat: str, sportello_id: int) -> HttpResponse:
    """A week of the sportello's free slots, by day; choosing one holds it."""
    comune = _comune(request, istat)
    scelta = ScegliPrestazioneForm(request.GET or None)
    prestazione = scelta.cleaned_data["prestazione"] if scelta.is_bound and scelta.is_valid() else None
    sportello = _sportello_competente(comune, sportello_id, prestazione)
    settimana = SettimanaForm(request.GET or None)
    if settimana.is_bound and not settimana.is_valid():
        return _pagina_orari(request, comune, sportello, prestazione, clock.today(), settimana, status=400)
    dal = max((settimana.cleaned_data.get("dal") if settimana.is_bound else None) or clock.today(), clock.today())
    if request.method != "POST":
        return _pagina_orari(request, comune, sportello, prestazione, dal, settimana)
    form = SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["inizio"]))
        return _pagina_orari(request, comune, sportello, prestazione, dal, settimana, status=400)
    try:
        tenuta = servizi.slot_trattieni(
            chi=_user(request),
            richiesta=servizi.Richiesta(
                sportello_id=sportello.pk, comune_id=comune.pk, inizio=form.cleaned_data["inizio"]
            ),
        )
    except SlotOccupato as occupato:
        return _pagina_orari(
            request, comune, sportello, prestazione, dal, settimana, status=409, occupato=occupato.alternative
        )
    except PrenotazioneNonAmmessa as errore:
        messages.error(request, str(errore))
        return _pagina_orari(request, comune, sportello, prestazione, dal, settimana, status=400)
    _bozza_salva(request, tenuta.pk, prestazione_id=prestazione.pk if prestazione else None)
    return redirect("pue_prenota_dettagli", pk=tenuta.pk)


def _pagina_orari(
    request: HttpRequest,
    comune: Comune,
    sportello: Sportello,
    prestazione: Prestazione | None,
    dal: dt.date,
    settimana: SettimanaForm,
    *,
    status: int = 200,
    occupato: list[Slot] | None = None,
) -> HttpResponse:
    return render(
        request,
        "pue/prenotazioni/orari.html",
        {
            "comune": comune,
            "sportello": sportello,
            "prestazione": prestazione,
            **_settimana_libera(sportello, dal),
            "settimana": settimana,
            "occupato": occupato,
            "trattenuta_minuti": servizi.durata_trattenuta_minuti(),
        },
        status=status,
    )


def _settimana_libera(sportello: Sportello, dal: dt.date) -> dict[str, Any]:
    """A week of free times from ``dal``, by Rome day (one button per time, whatever the free seats), and the
    neighbouring weeks (none before today)."""
    al = dal + dt.timedelta(days=6)
    giorni: dict[dt.date, list[Slot]] = {}
    for slot in servizi.slot_liberi(sportello, dal, al):
        orari_del_giorno = giorni.setdefault(slot.inizio_locale.date(), [])
        if not orari_del_giorno or orari_del_giorno[-1].inizio != slot.inizio:
            orari_del_giorno.append(slot)
    return {
        "dal": dal,
        "al": al,
        "giorni": sorted(giorni.items()),
        "precedente": dal - dt.timedelta(days=7) if dal > clock.today() else None,
        "successiva": al + dt.timedelta(days=1),
    }


# --- Steps 3 and 4: details and applicant ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@accesso_forte_richiesto
def dettagli(request: HttpRequest, pk: int) -> HttpResponse:
    tenuta = _trattenuta(request, pk)
    if isinstance(tenuta, HttpResponse):
        return tenuta
    bozza = _bozza(request, pk)
    iniziali = {
        "prestazione": bozza.get("prestazione_id"),
        "argomento": bozza.get("argomento", ""),
        "assistenza": bozza.get("assistenza", False),
    }
    form = DettagliForm(
        request.POST if request.method == "POST" else None,
        initial=iniziali,
        prestazioni=_prestazioni_dello_sportello(tenuta.sportello),
    )
    if request.method == "POST" and form.is_valid():
        prestazione = form.cleaned_data["prestazione"]
        _bozza_salva(
            request,
            pk,
            prestazione_id=prestazione.pk if prestazione else None,
            argomento=form.cleaned_data["argomento"],
            assistenza=form.cleaned_data["assistenza"],
        )
        return redirect("pue_prenota_richiedente", pk=pk)
    return render(
        request,
        "pue/prenotazioni/dettagli.html",
        {"p": tenuta, "form": form, "passo": 3},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@accesso_forte_richiesto
def richiedente(request: HttpRequest, pk: int) -> HttpResponse:
    tenuta = _trattenuta(request, pk)
    if isinstance(tenuta, HttpResponse):
        return tenuta
    bozza = _bozza(request, pk)
    if "argomento" not in bozza:
        return redirect("pue_prenota_dettagli", pk=pk)
    form = RichiedenteForm(request.POST if request.method == "POST" else None, initial=bozza.get("richiedente"))
    if request.method == "POST" and form.is_valid():
        dati = {k: v for k, v in form.cleaned_data.items() if k != "dichiarazione"}
        _bozza_salva(request, pk, richiedente=dati)
        return redirect("pue_prenota_riepilogo", pk=pk)
    return render(
        request,
        "pue/prenotazioni/richiedente.html",
        {"p": tenuta, "form": form, "passo": 4},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


# --- Step 5: summary and confirmation --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@accesso_forte_richiesto
def riepilogo(request: HttpRequest, pk: int) -> HttpResponse:
    tenuta = _trattenuta(request, pk)
    if isinstance(tenuta, HttpResponse):
        return tenuta
    bozza = _bozza(request, pk)
    if "richiedente" not in bozza:
        return redirect("pue_prenota_richiedente" if "argomento" in bozza else "pue_prenota_dettagli", pk=pk)
    r = bozza["richiedente"]
    prestazione_id = bozza.get("prestazione_id")
    prestazione = Prestazione.objects.filter(pk=prestazione_id).first() if prestazione_id else None
    status = 200
    if request.method == "POST":
        try:
            servizi.prenotazione_conferma(
                chi=_user(request),
                prenotazione_id=pk,
                dati=servizi.DatiCittadino(
                    codice_fiscale=r["codice_fiscale"],
                    nome=r["nome"],
                    cognome=r["cognome"],
                    comune_id=tenuta.comune_id,
                    titolo=r["titolo"],
                    prestazione_id=prestazione.pk if prestazione else None,
                    argomento=bozza.get("argomento", ""),
                    assistenza=bool(bozza.get("assistenza")),
                    delegato_codice_fiscale=r.get("delegato_codice_fiscale", ""),
                    delegato_nome=r.get("delegato_nome", ""),
                    delegato_cognome=r.get("delegato_cognome", ""),
                ),
            )
        except PrenotazioneNonAmmessa as errore:
            messages.error(request, str(errore))
            status = 400
        else:
            _bozza_dimentica(request, pk)
            messages.success(
                request,
                "Prenotazione confermata. Stampi la richiesta da far firmare al cittadino; la conferma con "
                "l'appuntamento per il calendario arriva anche per e-mail.",
            )
            return redirect("pue_prenotazione", pk=pk)
    return render(
        request,
        "pue/prenotazioni/riepilogo.html",
        {
            "p": tenuta,
            "r": r,
            "prestazione": prestazione,
            "argomento": bozza.get("argomento", ""),
            "assistenza": bool(bozza.get("assistenza")),
            "passo": 5,
        },
        status=status,
    )


# --- One booking ---------------------------------------------------------------------------------------------------


@require_safe
@accesso_forte_richiesto
def prenotazione(request: HttpRequest, pk: int) -> HttpResponse:
    p = _prenotazione(request, pk)
    if p.stato == Stato.TRATTENUTA and p.operatore_id == request.user.pk:
        return redirect("pue_prenota_dettagli", pk=pk)
    if p.cittadino_codice_fiscale:
        attivita_registra(
            request,
            _user(request),
            tipo=Attivita.Tipo.LETTURA_DATI,
            comune=p.comune,
            descrizione=f"Lettura della prenotazione {p.pk} ({p.cittadino_codice_fiscale})",
        )
    adesso = clock.now()
    return render(
        request,
        "pue/prenotazioni/prenotazione.html",
        {
            "p": p,
            "modificabile": p.stato == Stato.CONFERMATA and p.inizio > adesso,
            "valutabile": p.stato in (Stato.CONFERMATA, Stato.SVOLTA) and p.inizio <= adesso and p.valutazione is None,
            "eventi": p.eventi.select_related("chi"),
            "documento_form": DocumentoForm(),
            "motivo_form": MotivoForm(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@accesso_forte_richiesto
def annulla(request: HttpRequest, pk: int) -> HttpResponse:
    p = _prenotazione(request, pk)
    if p.stato == Stato.TRATTENUTA and p.operatore_id == request.user.pk and request.method == "POST":
        servizi.prenotazione_annulla(chi=_user(request), prenotazione_id=pk, motivo="prenotazione non completata")
        _bozza_dimentica(request, pk)
        messages.info(request, "La prenotazione non è stata completata: l'orario è di nuovo libero.")
        return redirect("pue_prenotazioni", istat=p.comune.codice_istat)
    perche = _non_piu_valido(p, "annullare")
    if perche is not None:
        return _link_scaduto(request, p, perche)
    form = MotivoForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            servizi.prenotazione_annulla(chi=_user(request), prenotazione_id=pk, motivo=form.cleaned_data["motivo"])
        except PrenotazioneNonAmmessa as errore:
            form.add_error(None, str(errore))
        else:
            messages.success(request, "La prenotazione è annullata e l'orario è di nuovo libero.")
            return redirect("pue_prenotazione", pk=pk)
    return render(
        request,
        "pue/prenotazioni/annulla.html",
        {"p": p, "form": form},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@accesso_forte_richiesto
def sposta(request: HttpRequest, pk: int) -> HttpResponse:
    """Another time at the same sportello: a new booking for the same citizen, the old one cancelled."""
    p = _prenotazione(request, pk)
    perche = _non_piu_valido(p, "spostare")
    if perche is not None:
        return _link_scaduto(request, p, perche)
    settimana = SettimanaForm(request.GET or None)
    if settimana.is_bound and not settimana.is_valid():
        return _pagina_sposta(request, p, clock.today(), settimana, status=400)
    dal = max((settimana.cleaned_data.get("dal") if settimana.is_bound else None) or clock.today(), clock.today())
    if request.method != "POST":
        return _pagina_sposta(request, p, dal, settimana)
    form = SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["inizio"]))
        return _pagina_sposta(request, p, dal, settimana, status=400)
    try:
        nuova = servizi.prenotazione_sposta(
            chi=_user(request), prenotazione_id=pk, nuovo_inizio=form.cleaned_data["inizio"]
        )
    except SlotOccupato as occupato:
        return _pagina_sposta(request, p, dal, settimana, status=409, occupato=occupato.alternative)
    except PrenotazioneNonAmmessa as errore:
        messages.error(request, str(errore))
        return _pagina_sposta(request, p, dal, settimana, status=400)
    messages.success(request, f"L'incontro è spostato al {nuova.inizio.astimezone(ROMA):%d/%m/%Y alle %H:%M}.")
    return redirect("pue_prenotazione", pk=nuova.pk)


def _pagina_sposta(
    request: HttpRequest,
    p: Prenotazione,
    dal: dt.date,
    settimana: SettimanaForm,
    *,
    status: int = 200,
    occupato: list[Slot] | None = None,
) -> HttpResponse:
    return render(
        request,
        "pue/prenotazioni/sposta.html",
        {
            "p": p,
            **_settimana_libera(p.sportello, dal),
            "occupato": occupato,
        },
        status=status,
    )


# --- The citizen's request (M6), the delega (M7), the rating (M21) ---------------------------------------------------


@require_safe
@accesso_forte_richiesto
def richiesta(request: HttpRequest, pk: int) -> HttpResponse:
    """The citizen's request on the model attached to the convention, filled in, to print and sign."""
    p = _prenotazione(request, pk)
    if p.stato not in (Stato.CONFERMATA, Stato.SVOLTA, Stato.NON_PRESENTATO) or p.dati_rimossi_il:
        raise Http404
    attivita_registra(
        request, _user(request), tipo=Attivita.Tipo.LETTURA_DATI, comune=p.comune,
        descrizione=f"Stampa della richiesta della prenotazione {p.pk}",
    )  # fmt: skip
    return risposta_pdf(richiesta_pdf(p), f"richiesta-pue-{p.pk}.pdf")


@require_POST
@accesso_forte_richiesto
def carica(request: HttpRequest, pk: int, documento: str) -> HttpResponse:
    """Uploads the signed request or the delega; a refused file leaves the stored one as it was."""
    p = _prenotazione(request, pk)
    allega = {"richiesta": richiesta_firmata_allega, "delega": delega_allega}.get(documento)
    if allega is None:
        raise Http404
    form = DocumentoForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise PrenotazioneNonAmmessa(" ".join(str(e) for errori in form.errors.values() for e in errori))
        allega(chi=_user(request), prenotazione_id=p.pk, file=form.cleaned_data["file"])
    except PrenotazioneNonAmmessa as errore:
        messages.error(request, str(errore))
        return render(
            request,
            "pue/prenotazioni/prenotazione.html",
            {"p": p, "documento_form": form, "motivo_form": MotivoForm(), "modificabile": False, "valutabile": False},
            status=400,
        )
    messages.success(request, "Documento conservato con la prenotazione.")
    return redirect("pue_prenotazione", pk=pk)


@require_safe
@accesso_forte_richiesto
def scarica(request: HttpRequest, pk: int, documento: str) -> HttpResponse:
    p = _prenotazione(request, pk)
    file = {"richiesta": p.richiesta_firmata, "delega": p.delega_documento}.get(documento)
    if not file:
        raise Http404
    attivita_registra(
        request, _user(request), tipo=Attivita.Tipo.LETTURA_DATI, comune=p.comune,
        descrizione=f"Lettura del documento '{documento}' della prenotazione {p.pk}",
    )  # fmt: skip
    with file.open("rb") as aperto:
        return risposta_documento(aperto.read(), f"{documento}-pue-{p.pk}{file.name[file.name.rfind('.') :]}")


@require_http_methods(["GET", "HEAD", "POST"])
@accesso_forte_richiesto
def valutazione(request: HttpRequest, pk: int) -> HttpResponse:
    """The citizen rates the meeting at the Comune's workstation: a page without their data, to hand over."""
    p = _prenotazione(request, pk)
    if p.valutazione is not None:
        return _link_scaduto(request, p, "L'incontro è già stato valutato: grazie.")
    if p.stato not in (Stato.CONFERMATA, Stato.SVOLTA):
        return _link_scaduto(
            request, p, f"La prenotazione è {p.get_stato_display().lower()}: non c'è un incontro da valutare."
        )
    if p.inizio > clock.now():
        return render(request, "pue/prenotazioni/valutazione.html", {"p": p, "form": None})
    form = ValutazioneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            servizi.valutazione_registra(
                chi=_user(request), prenotazione_id=pk, voto=form.cleaned_data["voto"],
                commento=form.cleaned_data["commento"],
            )  # fmt: skip
        except PrenotazioneNonAmmessa as errore:
            form.add_error(None, str(errore))
        else:
            return render(request, "pue/prenotazioni/grazie.html", {"p": p})
    return render(
        request,
        "pue/prenotazioni/valutazione.html",
        {"p": p, "form": form},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
