"""The PUE's pages of the Comune's people and of the Sede that enables them (Messaggio 4461/2023): "Inps e i
Comuni", behind SPID level 2 or higher, CIE or CNS; the operators designated by the Amministratore utenze and enabled
by the competent Sede; the Amministratore's view of their use. What is not the person's is a 404; a refusal of a
service is its Italian message with a 400."""

from __future__ import annotations

import csv
import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import get_current_timezone, localtime
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Attivita, Comune, User
from accounts.roles import RUOLI_DEL_COMUNE, Ruolo
from accounts.selectors.accessi import accesso_della_sessione, accesso_forte
from accounts.selectors.persone import organizzazioni_di, ruoli_di
from convenzioni.models import Convenzione
from inps_portal import clock
from inps_portal.audit import lettura_registra
from inps_portal.errori import ErroreDominio
from pue import selectors, services
from pue.decorators import accesso_forte_richiesto
from pue.errori import DatiDesignazioneNonValidi, NonAutorizzato
from pue.forms import DesignazioneForm, FiltroAttivitaForm, MotivoForm
from pue.models import DesignazioneOperatore, Prenotazione
from pue.monitoraggio import convenzioni_monitorate


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_safe
@accesso_forte_richiesto
def home(request: HttpRequest) -> HttpResponse:
    """ "Inps e i Comuni": what the person can do for each of their Comuni."""
    user = _user(request)
    operatore = list(organizzazioni_di(user, Ruolo.OPERATORE_COMUNE).order_by("nome"))
    amministrati = selectors.comuni_amministrati(user)
    if not amministrati and not ruoli_di(user) & RUOLI_DEL_COMUNE:
        raise Http404
    return render(
        request,
        "pue/home.html",
        {
            "operatore_di": operatore,
            "amministrati": amministrati,
            "monitora": convenzioni_monitorate(user).exists(),
            "accesso": accesso_della_sessione(request),
        },
    )


@require_safe
@accesso_forte_richiesto
def gestione_sportelli(request: HttpRequest) -> HttpResponse:
    """ "Gestione sportelli", where the enabled operators book the web meetings: each of their Comuni with its next
    meetings."""
    comuni = list(organizzazioni_di(_user(request), Ruolo.OPERATORE_COMUNE).order_by("nome"))
    if not comuni:
        raise Http404
    prossime: dict[int, list[Prenotazione]] = {c.pk: [] for c in comuni}
    for p in (
        Prenotazione.objects.filter(comune__in=comuni, stato=Prenotazione.Stato.CONFERMATA, fine__gt=clock.now())
        .select_related("sportello")
        .order_by("inizio")[:50]
    ):
        prossime[p.comune_id].append(p)
    return render(request, "pue/gestione_sportelli.html", {"comuni": [(c, prossime[c.pk][:10]) for c in comuni]})


def _amministrato(request: HttpRequest, istat: str) -> tuple[Comune, Convenzione]:
    comune = get_object_or_404(Comune, codice_istat=istat)
    convenzione = selectors.amministratore_di(_user(request), comune)
    if convenzione is None:
        raise Http404
    return comune, convenzione


@require_http_methods(["GET", "HEAD", "POST"])
@accesso_forte_richiesto
def operatori(request: HttpRequest, istat: str) -> HttpResponse:
    """The Amministratore utenze's page: the Comune's operators and the designation of a new one."""
    comune, convenzione = _amministrato(request, istat)
    form = DesignazioneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                designazione = services.operatore_designa(chi=_user(request), comune=comune, dati=form.dati())
            except DatiDesignazioneNonValidi as errore:
                for campo, testi in errore.errori.items():
                    for testo in testi:
                        form.add_error(campo if campo in form.fields else None, testo)
            except ErroreDominio as errore:
                form.add_error(None, str(errore))
            else:
                messages.success(
                    request,
                    f"{designazione.nome_completo} è designato: la Sede INPS competente riceve la richiesta di "
                    "abilitazione.",
                )
                return redirect("pue_operatori", istat=comune.codice_istat)
        status = 400
    return _pagina_operatori(request, comune, convenzione, form, status)


def _pagina_operatori(
    request: HttpRequest, comune: Comune, convenzione: Convenzione, form: DesignazioneForm, status: int = 200
) -> HttpResponse:
    designazioni = selectors.designazioni_del_comune(comune)
    return render(
        request,
        "pue/operatori.html",
        {
            "comune": comune,
            "convenzione": convenzione,
            "form": form,
            "aperte": [d for d in designazioni if d.aperta],
            "chiuse": [d for d in designazioni if not d.aperta],
        },
        status=status,
    )


def _pagina_designazione(request: HttpRequest, designazione: DesignazioneOperatore, status: int = 200) -> HttpResponse:
    return render(
        request,
        "pue/designazione.html",
        {"d": designazione, "eventi": designazione.eventi.select_related("chi")},
        status=status,
    )


def _rifiutata(
    request: HttpRequest, designazione: DesignazioneOperatore, testo: str, *, dal_comune: bool
) -> HttpResponse:
    """A decision or revocation refused (no reason given, a state that changed): the page again, with why, and 400."""
    messages.error(request, testo)
    if dal_comune:
        convenzione = selectors.amministratore_di(_user(request), designazione.comune_id)
        if convenzione is not None:
            return _pagina_operatori(request, designazione.comune, convenzione, DesignazioneForm(), 400)
    return _pagina_designazione(request, designazione, 400)


@require_POST
@login_required
def revoca(request: HttpRequest, pk: int) -> HttpResponse:
    """The Amministratore utenze (from the Comune's page, with a strong session) or the competent Sede revokes."""
    user = _user(request)
    designazione = selectors.designazione_per_amministratore(user, pk)
    dal_comune = designazione is not None
    if designazione is None:
        designazione = selectors.designazione_per_sede(user, pk)
    if designazione is None:
        raise Http404
    if dal_comune and not accesso_forte(request):
        return redirect("pue_operatori", istat=designazione.comune.codice_istat)
    form = MotivoForm(request.POST)
    if not form.is_valid():
        return _rifiutata(request, designazione, "Indichi il motivo della revoca.", dal_comune=dal_comune)
    try:
        services.operatore_revoca(chi=user, designazione_id=designazione.pk, motivo=form.cleaned_data["motivo"])
    except NonAutorizzato as errore:
        raise Http404 from errore
    except ErroreDominio as errore:
        return _rifiutata(request, designazione, str(errore), dal_comune=dal_comune)
    messages.success(
        request, f"L'abilitazione di {designazione.nome_completo} è revocata; le sue sessioni sono chiuse."
    )
    if dal_comune:
        return redirect("pue_operatori", istat=designazione.comune.codice_istat)
    return redirect("pue_designazione", pk=designazione.pk)


# --- INPS: the Sede competent for the Comune --------------------------------------------------------------------


@require_safe
@login_required
def designazioni(request: HttpRequest) -> HttpResponse:
    """The designations of the Comuni of the Sede's province: to enable, enabled, closed."""
    user = _user(request)
    if not selectors.sedi_che_abilitano(user).exists():
        raise Http404
    stato = request.GET.get("stato", DesignazioneOperatore.Stato.IN_ATTESA)
    if stato not in DesignazioneOperatore.Stato.values:
        stato = DesignazioneOperatore.Stato.IN_ATTESA
    elenco = selectors.designazioni_per_sede(user).filter(stato=stato).order_by("designata_il", "pk")
    pagina = Paginator(elenco, 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "pue/designazioni.html",
        {"pagina": pagina, "stato": stato, "stati": DesignazioneOperatore.Stato.choices},
    )


@require_safe
@login_required
def designazione(request: HttpRequest, pk: int) -> HttpResponse:
    designazione = selectors.designazione_per_sede(_user(request), pk)
    if designazione is None:
        raise Http404
    lettura_registra(request, cosa="lettura di una designazione di operatore PUE", oggetto=designazione)
    return _pagina_designazione(request, designazione)


@require_POST
@login_required
def decidi(request: HttpRequest, pk: int, esito: str) -> HttpResponse:
    user = _user(request)
    designazione = selectors.designazione_per_sede(user, pk)
    if designazione is None or esito not in ("abilita", "rifiuta"):
        raise Http404
    try:
        if esito == "abilita":
            services.operatore_abilita(chi=user, designazione_id=pk)
            messages.success(request, f"{designazione.nome_completo} è abilitato al servizio PUE.")
        else:
            form = MotivoForm(request.POST)
            if not form.is_valid():
                return _rifiutata(
                    request, designazione, "Indichi il motivo del rifiuto: è comunicato al Comune.", dal_comune=False
                )
            services.operatore_rifiuta(chi=user, designazione_id=pk, motivo=form.cleaned_data["motivo"])
            messages.success(request, "La designazione è rifiutata; il Comune riceve il motivo.")
    except NonAutorizzato as errore:
        raise Http404 from errore
    except ErroreDominio as errore:
        return _rifiutata(request, designazione, str(errore), dal_comune=False)
    return redirect("pue_designazione", pk=pk)


# --- The Amministratore's view of use (Messaggio 4461/2023: "monitorare e controllare il corretto utilizzo") ------


def _attivita_del_comune(comune: Comune) -> QuerySet[Attivita]:
    operatori = DesignazioneOperatore.objects.filter(comune=comune, user__isnull=False).values("user_id")
    return (
        Attivita.objects.filter(user_id__in=operatori)
        .filter(Q(comune=comune) | Q(comune__isnull=True, tipo=Attivita.Tipo.ACCESSO))
        .select_related("user")
    )


@require_safe
@accesso_forte_richiesto
def attivita(request: HttpRequest, istat: str) -> HttpResponse:
    comune, _ = _amministrato(request, istat)
    persone = User.objects.filter(designazioni_pue__comune=comune).distinct().order_by("cognome", "nome")
    form = FiltroAttivitaForm(request.GET or None, operatori=[(u.pk, f"{u.cognome} {u.nome}") for u in persone])
    righe = _attivita_del_comune(comune)
    if form.is_bound and not form.is_valid():
        return render(request, "pue/attivita.html", {"comune": comune, "form": form, "pagina": None}, status=400)
    filtri = form.cleaned_data if form.is_bound else {}
    if filtri.get("operatore"):
        righe = righe.filter(user_id=filtri["operatore"])
    if filtri.get("dal"):
        righe = righe.filter(quando__gte=_inizio(filtri["dal"]))
    if filtri.get("al"):
        righe = righe.filter(quando__lt=_inizio(filtri["al"] + dt.timedelta(days=1)))
    righe = righe.order_by("-quando", "-pk")
    if request.GET.get("formato") == "csv":
        return _csv(comune, righe)
    pagina = Paginator(righe, 50).get_page(request.GET.get("pagina"))
    parametri = request.GET.copy()
    parametri.pop("pagina", None)
    return render(
        request,
        "pue/attivita.html",
        {"comune": comune, "form": form, "pagina": pagina, "parametri": parametri.urlencode()},
    )


def _inizio(giorno: dt.date) -> dt.datetime:
    """Midnight of ``giorno`` in the portal's time zone (Europe/Rome), as the filters mean it."""
    return dt.datetime.combine(giorno, dt.time.min, tzinfo=get_current_timezone())


def _csv(comune: Comune, righe: QuerySet[Attivita]) -> HttpResponse:
    risposta = HttpResponse(content_type="text/csv; charset=utf-8")
    risposta["Content-Disposition"] = f'attachment; filename="attivita-operatori-{comune.codice_istat}.csv"'
    risposta["Cache-Control"] = "no-store"
    risposta.write("\ufeff")  # Excel opens UTF-8 with the BOM
    scrittore = csv.writer(risposta, delimiter=";")
    scrittore.writerow(
        ["Data e ora", "Codice fiscale", "Cognome", "Nome", "Attività", "Metodo", "Livello", "Dettaglio"]
    )
    for riga in righe.iterator(chunk_size=500):
        scrittore.writerow(
            [
                localtime(riga.quando).strftime("%d/%m/%Y %H:%M:%S"),
                riga.user.codice_fiscale,
                riga.user.cognome,
                riga.user.nome,
                riga.get_tipo_display(),
                riga.get_metodo_display() if riga.metodo else "",
                riga.livello or "",
                sicuro_per_csv(riga.descrizione),
            ]
        )
    return risposta


def sicuro_per_csv(testo: str) -> str:
    """A cell that a spreadsheet would run as a formula is quoted (CSV injection)."""
    return f"'{testo}" if testo[:1] in ("=", "+", "-", "@") else testo
