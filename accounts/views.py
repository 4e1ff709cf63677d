from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from allauth.account import views as allauth_views
from allauth.account.views import LoginView as AllauthLoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.forms import (
    CercaSedeForm,
    ConversioneForm,
    DatiRichiestaPinForm,
    LoginPasswordForm,
    RichiestaPinForm,
    RitiroPinForm,
)
from accounts.middleware import SESSIONE_UNIFICAZIONE
from accounts.models import Comune, RichiestaConversione, Struttura, User
from accounts.selectors.accessi import accesso_della_sessione
from accounts.selectors.cache_competenza import uffici_competenti
from accounts.selectors.competenza import comuni_di_competenza
from accounts.selectors.persone import (
    enti_di,
    ha_password,
    organizzazioni_di,
    pin_attivo,
    ruoli_di,
    ruoli_per_organizzazione,
)
from accounts.selectors.scadenza import stato_pin_online
from accounts.selectors.unificazione import anteprima_unificazione, unificazione_necessaria
from accounts.services.conversione import conversione_richiedi
from accounts.services.rilascio_pin import RitiroNonRiuscito, pin_ritira, richiesta_pin_invia
from accounts.services.unificazione import GiaUnificata, NienteDaUnificare, unificazione_esegui
from inps_portal import clock
from inps_portal.errori import ErroreDominio
from inps_portal.pdf import render_pdf, risposta_pdf
from inps_portal.rete import indirizzo_cliente, troppe_richieste

RISULTATI_PER_PAGINA = 20


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_safe
@login_required
def profilo(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    incarichi = [
        {"ruolo": ruolo, "organizzazioni": list(organizzazioni_di(user, ruolo)[:50])}
        for ruolo in sorted(ruoli_di(user), key=lambda r: r.label)
    ]
    contesto = {
        "incarichi": incarichi,
        "ha_password": ha_password(user),
        "pin": pin_attivo(user),
        "accesso": accesso_della_sessione(request),
    }
    return render(request, "accounts/profilo.html", contesto)


@require_safe
@login_required
def area_comune(request: HttpRequest) -> HttpResponse:
    per_comune = ruoli_per_organizzazione(_user(request), "accounts.comune", con=("provincia__regione",))
    if not per_comune:
        raise Http404
    uffici = uffici_competenti()
    comuni = []
    for comune, ruoli in per_comune.items():
        comune = cast(Comune, comune)
        comuni.append(
            {
                "comune": comune,
                "ruoli": [r.label for r in ruoli],
                "sede": uffici.sede(comune.provincia_id),
                "firmataria": uffici.firmataria(comune.provincia_id, comune.provincia.regione_id),
            }
        )
    return render(request, "accounts/area_comune.html", {"comuni": comuni})


@require_safe
@login_required
def area_struttura(request: HttpRequest) -> HttpResponse:
    strutture = cast(list[Struttura], list(ruoli_per_organizzazione(_user(request), "accounts.struttura")))
    if not strutture:
        raise Http404
    scelta = request.GET.get("s", "")
    if scelta:
        corrente = next((s for s in strutture if str(s.pk) == scelta), None)
        if corrente is None:
            raise Http404
    else:
        corrente = strutture[0]
    # The columns of the table only: a page of 50 rows read as values, not as Comuni with their provinces.
    comuni = (
        comuni_di_competenza(corrente)
        .order_by("nome")
        .values("nome", "provincia__sigla", "codice_istat", "popolazione")
    )
    pagina = _pagina_con_totale(comuni, request.GET.get("pagina"))
    return render(
        request, "accounts/area_struttura.html", {"strutture": strutture, "corrente": corrente, "pagina": pagina}
    )


COMUNI_PER_PAGINA = 50
PAGINE_MASSIME = 10_000  # more than the pages of every Comune of Italy: beyond it, get_page says the last one


def _pagina_con_totale(righe: QuerySet[Any], numero: str | None) -> Page[Any]:
    """The page ``Paginator(righe, COMUNI_PER_PAGINA).get_page(numero)`` answers, in one query when the page asked
    for exists: its rows with the total counted beside them (``COUNT(*) OVER ()``, before the page's LIMIT) instead
    of a COUNT first. Anything else (a value that is not a page number, a page past the last, no rows at all, a
    number too large for an OFFSET) is left to ``get_page`` and its two queries, so every answer is the one it
    gives."""
    paginator = Paginator(righe, COMUNI_PER_PAGINA)
    try:
        richiesto = 1 if numero is None else int(numero)
    except ValueError:
        richiesto = 0
    if 1 <= richiesto <= PAGINE_MASSIME:
        inizio = (richiesto - 1) * COMUNI_PER_PAGINA
        lette = list(righe.annotate(_totale=Window(Count("pk")))[inizio : inizio + COMUNI_PER_PAGINA])
        if lette:
            paginator.__dict__["count"] = lette[0]["_totale"]  # the cached_property ``count``, known already
            return Page(lette, richiesto, paginator)
    return paginator.get_page(numero)


@require_safe
def cerca_sede(request: HttpRequest) -> HttpResponse:
    """Trova la sede: the competent offices of the Comuni that match, 20 to a page."""
    form = CercaSedeForm(request.GET or None)
    pagina = None
    if form.is_bound and form.is_valid():
        # Two queries per page, whatever the number of results: the count, and the Comuni with their offices.
        pagina = Paginator(form.risultati(), RISULTATI_PER_PAGINA).get_page(request.GET.get("pagina"))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "accounts/cerca_sede.html", {"form": form, "pagina": pagina}, status=status)


@require_safe
def guida_credenziali(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/guida_credenziali.html")


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def unificazione(request: HttpRequest) -> HttpResponse:
    """Explain the unification, then (POST) issue the new PIN and show it once, never to be shown again."""
    user = _user(request)
    if request.method == "POST":
        try:
            rilasciato = unificazione_esegui(user=user, indirizzo_ip=indirizzo_cliente(request))
        except GiaUnificata:
            request.session[SESSIONE_UNIFICAZIONE] = False
            messages.info(request, gettext("Le sue credenziali sono già state unificate: acceda con il nuovo PIN."))
            return redirect("home")
        except NienteDaUnificare:
            request.session[SESSIONE_UNIFICAZIONE] = False
            return redirect("home")
        request.session[SESSIONE_UNIFICAZIONE] = False
        # never_cache marks the response no-store: the page with the PIN is kept by no cache.
        return render(request, "accounts/pin_rilasciato.html", {"rilasciato": rilasciato})
    if not unificazione_necessaria(user):
        request.session[SESSIONE_UNIFICAZIONE] = False
        return redirect("home")
    contesto = anteprima_unificazione(user)
    return render(request, "accounts/unificazione.html", contesto)


@require_http_methods(["GET", "POST"])
@login_required
def pin_online(request: HttpRequest) -> HttpResponse:
    """ "Il PIN online": the request to convert it into a dispositivo PIN, and how it is going."""
    user = _user(request)
    pin = pin_attivo(user)
    richieste = user.richieste_conversione.select_related("sede", "ente").order_by("-creata_il")[:5]
    in_corso = next((r for r in richieste if r.status == RichiestaConversione.Status.INVIATA), None)
    form = ConversioneForm(request.POST or None, request.FILES or None, enti=enti_di(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                conversione_richiedi(user=user, **form.cleaned_data)
            except ErroreDominio as exc:
                messages.error(request, str(exc))
                return redirect("pin_online")
            messages.success(request, gettext("Richiesta inviata alla sede competente: riceverà l'esito per e-mail."))
            return redirect("pin_online")
        status = 400
    contesto = {
        "pin": pin,
        "richieste": richieste,
        "in_corso": in_corso,
        "form": form,
        "con_ente": "ente" in form.fields,
        "stato": stato_pin_online(user),
    }
    return render(request, "accounts/pin_online.html", contesto, status=status)


@require_safe
@login_required
def modulo_conversione(request: HttpRequest) -> HttpResponse:
    """The request form, pre-filled with the person's data, to print and sign."""
    user = _user(request)
    pdf = render_pdf(
        "accounts/modulo_conversione.html",
        {"user": user, "enti": list(enti_di(user)), "oggi": clock.today(), "pin": pin_attivo(user)},
    )
    return risposta_pdf(pdf, "richiesta-conversione-pin.pdf")


# --- The two ways in, and the password pages that do not exist for the people of the PIN -----------------------------


class LoginPasswordView(AllauthLoginView):
    """Login of INPS staff (and, until SPID, CIE and CNS, of the PUE's people) with a password."""

    template_name = "account/login_password.html"

    def get_form_class(self) -> type[LoginPasswordForm]:
        return LoginPasswordForm


def solo_con_password(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Set, change and reset of a password: for a person who logs in with the PIN no password exists, so the page says
    what to do instead (a new PIN at a Sede, or a PIN dispositivo online) and shows no form."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not ha_password(_user(request)):
            return render(request, "account/password_non_disponibile.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


password_cambio = solo_con_password(allauth_views.password_change)
password_imposta = solo_con_password(allauth_views.password_set)


# --- A new PIN dispositivo online (Circolare 71/2016: "che potrà ottenere online o presso la sede INPS") ------------

LIMITE_RICHIESTE_PIN = 10  # per address and hour: the form is public
LIMITE_RITIRI_PIN = 10


@require_http_methods(["GET", "POST"])
@never_cache
def richiesta_pin(request: HttpRequest) -> HttpResponse:
    """The public request of a PIN dispositivo: first the pre-filled form to sign, then the upload with the document.

    The confirmation shows the collection code once (the response is no-store and nothing else ever shows it)."""
    azione = request.POST.get("azione", "invia")
    if request.method == "POST" and azione == "modulo":
        dati = DatiRichiestaPinForm(request.POST)
        if dati.is_valid():
            pdf = render_pdf("accounts/modulo_richiesta_pin.html", {**dati.cleaned_data, "oggi": clock.today()})
            return risposta_pdf(pdf, "richiesta-pin-dispositivo.pdf")
        contesto = {"form": RichiestaPinForm(request.POST), "dati": dati}
        return render(request, "accounts/richiesta_pin.html", contesto, status=400)
    form = RichiestaPinForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if troppe_richieste(request, "richiesta_pin", massimo=LIMITE_RICHIESTE_PIN, secondi=3600):
            return render(request, "accounts/richiesta_pin.html", {"form": form, "troppe": True}, status=429)
        if form.is_valid():
            try:
                inviata = richiesta_pin_invia(**form.cleaned_data)
            except ErroreDominio as exc:
                form.add_error(None, str(exc))
            else:
                return render(request, "accounts/richiesta_pin_inviata.html", {"inviata": inviata})
        return render(request, "accounts/richiesta_pin.html", {"form": form}, status=400)
    return render(request, "accounts/richiesta_pin.html", {"form": form})


@require_http_methods(["GET", "POST"])
@never_cache
def ritiro_pin(request: HttpRequest) -> HttpResponse:
    """Collection of the PIN of an approved online request: codice fiscale and collection code, one answer for every
    failure; the PIN is shown once."""
    form = RitiroPinForm(request.POST or None)
    if request.method == "POST":
        if troppe_richieste(request, "ritiro_pin", massimo=LIMITE_RITIRI_PIN, secondi=3600):
            return render(request, "accounts/ritiro_pin.html", {"form": form, "troppe": True}, status=429)
        if form.is_valid():
            try:
                rilasciato = pin_ritira(**form.cleaned_data, indirizzo_ip=indirizzo_cliente(request))
            except RitiroNonRiuscito:
                form.add_error(
                    None,
                    gettext(
                        "Non è possibile ritirare il PIN con questi dati: verifichi il codice fiscale e il codice di "
                        "ritiro, e che la richiesta sia stata approvata (ne riceve l'esito per e-mail). Dopo alcuni "
                        "tentativi errati il ritiro online si blocca: in quel caso si rivolga a una sede INPS."
                    ),
                )
            else:
                return render(request, "accounts/pin_rilasciato.html", {"rilasciato": rilasciato, "ritiro": True})
        return render(request, "accounts/ritiro_pin.html", {"form": form}, status=400)
    return render(request, "accounts/ritiro_pin.html", {"form": form})
