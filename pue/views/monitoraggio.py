"""The Referenti's monitoring of their PUE conventions (Messaggio 4461/2023, M21): the list of the conventions a
Referente follows, and for one convention the months' figures as a table, as charts and as a CSV file.

The gate. Both parties' Referenti use these pages, and they come in differently: the Referente del Comune is one of
the Comune's PUE people, who enter with SPID of level 2 or higher, CIE or CNS (``pue.decorators``); the Referente
INPS is INPS staff, who log in with a password. So the pages ask for a login, and then for a strong session only
where the person is there as Referente del Comune:

- a convention's page: if ``user`` sees it only as its Referente del Comune, a weaker session gets the page that
  says why (403) instead of the figures; as Referente INPS (also when they happen to hold both roles) the login is
  enough. Whoever sees the convention in neither role gets a 404, whatever their session: nothing says it exists;
- the list: a weaker session lists the conventions followed as Referente INPS and says that the others need SPID,
  CIE or CNS; when there are only the others, the page that says why (403).

The figures are aggregates with no personal data of the citizens: reading them is not logged as an access to
personal data.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from accounts.models import User
from accounts.roles import Ruolo
from accounts.selectors.accessi import accesso_della_sessione, accesso_forte
from accounts.selectors.persone import ruoli_di
from convenzioni.models import Convenzione
from pue import grafici
from pue.monitoraggio import (
    Cifre,
    Mese,
    cifre_per_convenzione,
    convenzioni_monitorate,
    convenzioni_monitorate_dall_inps,
    monitoraggio_mensile,
    solo_dal_comune,
    totale,
)
from pue.views.comune import sicuro_per_csv


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _serve_accesso_forte(request: HttpRequest) -> HttpResponse:
    """What ``pue.decorators.accesso_forte_richiesto`` answers a weaker session."""
    return render(
        request,
        "pue/accesso_forte_richiesto.html",
        {"accesso": accesso_della_sessione(request), "prossima": request.get_full_path()},
        status=403,
    )


@require_safe
@login_required
def elenco(request: HttpRequest) -> HttpResponse:
    """The conventions the person follows as Referente, with the figures of their whole period."""
    user = _user(request)
    tutte = list(convenzioni_monitorate(user))
    ruoli = ruoli_di(user)
    if not tutte and not ruoli & {Ruolo.REFERENTE_INPS, Ruolo.REFERENTE_COMUNE}:
        raise Http404
    if not tutte and Ruolo.REFERENTE_INPS not in ruoli and not accesso_forte(request):
        return _serve_accesso_forte(request)
    if accesso_forte(request):
        visibili = tutte
    else:
        dall_inps = set(convenzioni_monitorate_dall_inps(user).values_list("pk", flat=True))
        visibili = [c for c in tutte if c.pk in dall_inps]
        if tutte and not visibili:
            return _serve_accesso_forte(request)
    cifre = cifre_per_convenzione(visibili)
    return render(
        request,
        "pue/monitoraggio/elenco.html",
        {
            "righe": [(c, cifre.get(c.pk, Cifre())) for c in visibili],
            "nascoste": len(tutte) - len(visibili),
            "prossima": request.get_full_path(),
        },
    )


@require_safe
@login_required
def convenzione(request: HttpRequest, pk: int) -> HttpResponse:
    """One convention's months: table, charts, and the same figures as CSV (``?formato=csv``)."""
    user = _user(request)
    trovata = convenzioni_monitorate(user).filter(pk=pk).first()
    if trovata is None:
        raise Http404
    if not accesso_forte(request) and solo_dal_comune(user, trovata):
        return _serve_accesso_forte(request)
    mesi = monitoraggio_mensile(trovata)
    if request.GET.get("formato") == "csv":
        return _csv(trovata, mesi)
    return render(
        request,
        "pue/monitoraggio/convenzione.html",
        {
            "convenzione": trovata,
            "mesi": mesi,
            "totale": totale(mesi),
            "grafici": _grafici(trovata, mesi) if mesi else [],
        },
    )


# --- Charts -------------------------------------------------------------------------------------------------------


def _valori(mesi: Sequence[Mese], cifra: Callable[[Mese], float | None]) -> list[float | None]:
    return [cifra(m) for m in mesi]


def _grafici(convenzione: Convenzione, mesi: Sequence[Mese]) -> list[tuple[str, SafeString]]:
    """The charts of the page, each with its caption."""
    categorie = [m.etichetta_breve for m in mesi]
    comune = convenzione.comune.nome
    periodo = f"da {mesi[0].etichetta} a {mesi[-1].etichetta}"
    incontri = grafici.barre_raggruppate(
        ident="grafico-incontri",
        titolo=f"Incontri per mese, Comune di {comune}",
        descrizione=f"Barre per mese, {periodo}: prenotati, svolti e cittadini non presentati. "
        "Le cifre sono nella tabella della pagina.",
        categorie=categorie,
        serie=[
            grafici.Serie("Prenotati", _valori(mesi, lambda m: m.prenotate), grafici.BLU),
            grafici.Serie("Svolti", _valori(mesi, lambda m: m.svolte), grafici.VERDE),
            grafici.Serie("Non presentati", _valori(mesi, lambda m: m.non_presentati), grafici.ROSSO),
        ],
    )
    gradimento = grafici.linee(
        ident="grafico-gradimento",
        titolo=f"Gradimento medio per mese (da 1 a 5), Comune di {comune}",
        descrizione=f"Linea per mese, {periodo}: il gradimento medio dei cittadini; i mesi senza valutazioni non "
        "hanno un punto. Le cifre sono nella tabella della pagina.",
        categorie=categorie,
        serie=[grafici.Serie("Gradimento medio", _valori(mesi, lambda m: m.gradimento_medio), grafici.BLU)],
        minimo=0.0,
        massimo=5.0,
    )
    attesa = grafici.linee(
        ident="grafico-attesa",
        titolo=f"Attesa media al primo orario libero (giorni), Comune di {comune}",
        descrizione=f"Linea per mese, {periodo}: i giorni medi tra la prenotazione e il primo orario libero dello "
        "sportello. Le cifre sono nella tabella della pagina.",
        categorie=categorie,
        serie=[grafici.Serie("Attesa media (giorni)", _valori(mesi, lambda m: m.attesa_media_giorni), grafici.ARDESIA)],
    )
    return [
        ("Incontri prenotati, svolti e cittadini non presentati, per mese.", incontri),
        ("Gradimento medio dei cittadini (da 1 a 5), per mese.", gradimento),
        ("Attesa media al primo orario libero dello sportello, in giorni, per mese.", attesa),
    ]


# --- CSV ----------------------------------------------------------------------------------------------------------

INTESTAZIONE = [
    "Mese",
    "Prenotati",
    "Svolti",
    "Non presentati",
    "Annullati",
    "In attesa di esito",
    "Attesa media (giorni)",
    "Prenotazioni con attesa rilevata",
    "Gradimento medio",
    "Valutazioni",
]


def _decimale(valore: float | None, decimali: int) -> str:
    """A comma as the decimal mark: what a spreadsheet set to Italian reads from a ``;``-separated file."""
    return "" if valore is None else f"{valore:.{decimali}f}".replace(".", ",")


def _riga_csv(etichetta: str, cifre: Cifre) -> list[str]:
    return [
        sicuro_per_csv(etichetta),
        str(cifre.prenotate),
        str(cifre.svolte),
        str(cifre.non_presentati),
        str(cifre.annullate),
        str(cifre.in_attesa_di_esito),
        _decimale(cifre.attesa_media_giorni, 1),
        str(cifre.con_attesa),
        _decimale(cifre.gradimento_medio, 2),
        str(cifre.valutazioni),
    ]


def _csv(convenzione: Convenzione, mesi: Sequence[Mese]) -> HttpResponse:
    risposta = HttpResponse(content_type="text/csv; charset=utf-8")
    risposta["Content-Disposition"] = (
        f'attachment; filename="monitoraggio-pue-{convenzione.comune.codice_istat}-{convenzione.pk}.csv"'
    )
    risposta["Cache-Control"] = "no-store"
    risposta.write("\ufeff")  # Excel opens UTF-8 with the BOM
    scrittore = csv.writer(risposta, delimiter=";")
    scrittore.writerow(INTESTAZIONE)
    for mese in mesi:
        scrittore.writerow(_riga_csv(f"{mese.mese:%Y-%m}", mese))
    scrittore.writerow(_riga_csv("Totale", totale(mesi)))
    return risposta
