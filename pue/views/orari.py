"""The availability of a sportello, published by its INPS operators (Messaggio 4461/2023, "Gestione sportelli"): the
weekly rules, the closures and extra openings, and a preview of the next two weeks' slots as the Comuni will see
them. INPS staff log in with a password; a sportello that is not theirs is a 404; a refusal is its Italian message
with a 400."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from inps_portal import clock
from pue import orari as servizi
from pue.disponibilita import slot_previsti
from pue.errori import PrenotazioneNonAmmessa
from pue.forms import EccezioneForm, OrarioForm, SportelloForm, TerminaOrarioForm
from pue.models import EccezioneSportello, OrarioSportello, Sportello
from pue.selectors import sportelli_dell_operatore, strutture_dell_operatore


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _sportelli(user: User) -> list[Sportello]:
    return list(sportelli_dell_operatore(user).select_related("comune__provincia"))


def _pagina(
    request: HttpRequest,
    sportello: Sportello | None,
    *,
    status: int = 200,
    forms: dict[str, Form] | None = None,
) -> HttpResponse:
    user = _user(request)
    strutture = list(strutture_dell_operatore(user).order_by("nome"))
    if not strutture:
        raise Http404
    sportelli = _sportelli(user)
    senza = [s for s in strutture if all(sp.struttura_id != s.pk for sp in sportelli)]
    contesto: dict[str, object] = {
        "sportelli": sportelli,
        "sportello": sportello,
        "senza_sportello": senza,
        "sportello_form": SportelloForm(),
        "orario_form": OrarioForm(initial={"valido_dal": clock.today()}),
        "eccezione_form": EccezioneForm(),
        "termina_form": TerminaOrarioForm(initial={"ultimo_giorno": clock.today()}),
        **(forms or {}),
    }
    if sportello is not None:
        oggi = clock.today()
        anteprima: dict[dt.date, list[str]] = {}
        for slot in slot_previsti(sportello, oggi, oggi + dt.timedelta(days=13)):
            ora = f"{slot.inizio_locale:%H:%M}"
            orari_del_giorno = anteprima.setdefault(slot.inizio_locale.date(), [])
            if ora not in orari_del_giorno:
                orari_del_giorno.append(ora)
        contesto |= {
            "orari": OrarioSportello.objects.filter(sportello=sportello).order_by("giorno", "dalle", "valido_dal"),
            "eccezioni": EccezioneSportello.objects.filter(sportello=sportello, giorno__gte=oggi).order_by("giorno"),
            "anteprima": sorted(anteprima.items()),
            "oggi": oggi,
        }
    return render(request, "pue/orari/sportello.html", contesto, status=status)


@require_safe
@login_required
def orari(request: HttpRequest) -> HttpResponse:
    sportelli = _sportelli(_user(request))
    scelto = request.GET.get("sportello")
    sportello = next((s for s in sportelli if str(s.pk) == scelto), None) if scelto else None
    if scelto and sportello is None:
        raise Http404
    return _pagina(request, sportello or (sportelli[0] if sportelli else None))


def _del_utente(request: HttpRequest, pk: int) -> Sportello:
    sportello = next((s for s in _sportelli(_user(request)) if s.pk == pk), None)
    if sportello is None:
        raise Http404
    return sportello


def _dopo(request: HttpRequest, sportello: Sportello, testo: str) -> HttpResponse:
    messages.success(request, testo)
    return redirect(f"{reverse('pue_orari')}?sportello={sportello.pk}")


@require_POST
@login_required
def apri(request: HttpRequest, struttura_id: int) -> HttpResponse:
    if all(s.pk != struttura_id for s in strutture_dell_operatore(_user(request))):
        raise Http404
    form = SportelloForm(request.POST)
    try:
        if not form.is_valid():
            raise PrenotazioneNonAmmessa("Controlli nome e codice ISTAT.")
        sportello = servizi.sportello_apri(
            chi=_user(request), struttura_id=struttura_id, nome=form.cleaned_data["nome"],
            comune=form.cleaned_data["comune"],
        )  # fmt: skip
    except PrenotazioneNonAmmessa as errore:
        messages.error(request, str(errore))
        return _pagina(request, None, status=400, forms={"sportello_form": form})
    return _dopo(request, sportello, "Sportello aperto: ora ne pubblichi gli orari.")


@require_POST
@login_required
def orario_aggiungi(request: HttpRequest, pk: int) -> HttpResponse:
    sportello = _del_utente(request, pk)
    form = OrarioForm(request.POST)
    try:
        if not form.is_valid():
            raise PrenotazioneNonAmmessa("Controlli i dati dell'orario.")
        servizi.orario_aggiungi(chi=_user(request), sportello_id=pk, dati=servizi.DatiOrario(**form.cleaned_data))
    except PrenotazioneNonAmmessa as errore:
        messages.error(request, str(errore))
        return _pagina(request, sportello, status=400, forms={"orario_form": form})
    return _dopo(request, sportello, "Orario pubblicato: i Comuni vedono i nuovi orari liberi.")


@require_POST
@login_required
def orario_termina(request: HttpRequest, pk: int, orario_id: int) -> HttpResponse:
    sportello = _del_utente(request, pk)
    if not OrarioSportello.objects.filter(pk=orario_id, sportello=sportello).exists():
        raise Http404
    form = TerminaOrarioForm(request.POST)
    try:
        if not form.is_valid():
            raise PrenotazioneNonAmmessa("Indichi l'ultimo giorno di validità.")
        servizi.orario_termina(
            chi=_user(request), orario_id=orario_id, ultimo_giorno=form.cleaned_data["ultimo_giorno"]
        )
    except PrenotazioneNonAmmessa as errore:
        messages.error(request, str(errore))
        return _pagina(request, sportello, status=400)
    return _dopo(request, sportello, "Orario terminato: gli incontri già prenotati restano.")


@require_POST
@login_required
def eccezione_aggiungi(request: HttpRequest, pk: int) -> HttpResponse:
    sportello = _del_utente(request, pk)
    form = EccezioneForm(request.POST)
    try:
        if not form.is_valid():
            raise PrenotazioneNonAmmessa("Controlli i dati della chiusura o dell'apertura.")
        _, annullate = servizi.eccezione_aggiungi(
            chi=_user(request), sportello_id=pk, dati=servizi.DatiEccezione(**form.cleaned_data)
        )
    except PrenotazioneNonAmmessa as errore:
        messages.error(request, str(errore))
        return _pagina(request, sportello, status=400, forms={"eccezione_form": form})
    testo = "Pubblicata."
    if annullate:
        testo += f" {annullate} prenotazioni di quel giorno sono annullate; i Comuni ricevono l'avviso."
    return _dopo(request, sportello, testo)


@require_POST
@login_required
def eccezione_rimuovi(request: HttpRequest, pk: int, eccezione_id: int) -> HttpResponse:
    sportello = _del_utente(request, pk)
    if not EccezioneSportello.objects.filter(pk=eccezione_id, sportello=sportello).exists():
        raise Http404
    try:
        servizi.eccezione_rimuovi(chi=_user(request), eccezione_id=eccezione_id)
    except PrenotazioneNonAmmessa as errore:
        messages.error(request, str(errore))
        return _pagina(request, sportello, status=400)
    return _dopo(request, sportello, "Ritirata.")
