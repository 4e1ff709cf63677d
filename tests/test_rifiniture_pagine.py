"""Pages as a new user meets them: the PIN handed over at the counter prints without the back office, every table of
the portal's pages scrolls in its own box on a phone, and what describes the Punto Utente Evoluto says that its
services are not available yet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from accounts.models import Comune, Struttura
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


# --- The PIN handed over at the counter -------------------------------------------------------------------------


def _regole_di_stampa(foglio: str) -> str:
    """The body of the stylesheet's ``@media print`` block."""
    inizio = foglio.index("@media print")
    profondita, fine = 0, inizio
    for fine in range(foglio.index("{", inizio), len(foglio)):
        profondita += {"{": 1, "}": -1}.get(foglio[fine], 0)
        if profondita == 0:
            break
    return foglio[inizio:fine]


def test_the_pin_released_at_the_counter_prints_only_its_content(
    client: Client, registro: None, pec_locale: Any
) -> None:
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    risposta = client.post(
        reverse("admin:accounts_pin_rilascia"),
        {
            "codice_fiscale": codice_fiscale_valido(4343),
            "nome": "Giulia",
            "cognome": "Verdi",
            "documento_tipo": "carta_identita",
            "documento_numero": "CA12345AB",
            "identita_verificata": "on",
        },
    )
    assert risposta.status_code == 200
    assert risposta.templates[0].name == "admin/accounts/pin_sportello.html"
    html = risposta.content.decode()
    # The back office's stylesheet, which holds the print rules, is linked (for every medium: it has the rules).
    foglio_linkato = re.search(r'<link rel="stylesheet" href="([^"]*/css/admin\.css)"(?! media)', html)
    assert foglio_linkato, "css/admin.css non è collegato alla pagina"
    regole = _regole_di_stampa(Path(finders.find("css/admin.css")).read_text())  # type: ignore[arg-type]
    # What the page has around its content, each hidden on paper.
    for selettore, nella_pagina in {
        "#header": 'id="header"',
        ".breadcrumbs": 'class="breadcrumbs"',
        "#nav-sidebar": 'id="nav-sidebar"',
        "#footer": 'id="footer"',
        ".no-print": 'class="no-print"',
    }.items():
        assert nella_pagina in html, selettore
        assert selettore in regole.split("{")[1], f"{selettore} non è nascosto in stampa"
    # The buttons are not printed; the PIN is.
    assert any("data-stampa" in p for p in re.findall(r'<p class="no-print">.*?</p>', html, re.S))
    assert re.search(rf'<p class="pin-codice"[^>]*><kbd>{risposta.context["rilasciato"].codice}</kbd>', html)


# --- Tables on a phone ----------------------------------------------------------------------------------------------


def _pagine_del_portale() -> list[Path]:
    """The templates of the portal's pages (on its base) and what they include; not the back office, the PDF
    documents or the PEC messages, which have their own layout, nor the benchmark's fixed page."""
    pagine = [
        p
        for p in TEMPLATES.rglob("*.html")
        if '{% extends "base.html" %}' in p.read_text() and p.parent != TEMPLATES / "bench"
    ]
    incluse = [*TEMPLATES.glob("includes/*.html"), *TEMPLATES.glob("*/includes/*.html")]
    return sorted({*pagine, *incluse})


def test_every_table_of_the_portals_pages_scrolls_in_its_own_box() -> None:
    pagine = _pagine_del_portale()
    assert TEMPLATES / "accounts" / "cerca_sede.html" in pagine
    fuori = []
    tabelle = 0
    for pagina in pagine:
        testo = pagina.read_text()
        for trovata in re.finditer(r"<table\b", testo):
            tabelle += 1
            prima = testo[: trovata.start()].rstrip()
            if not re.search(r'<div class="table-responsive">\s*$', prima):
                riga = testo.count("\n", 0, trovata.start()) + 1
                fuori.append(f"{pagina.relative_to(TEMPLATES)}:{riga}")
    assert tabelle >= 5
    assert not fuori, f"tabelle senza table-responsive: {fuori}"


# --- The Punto Utente Evoluto ---------------------------------------------------------------------------------------

NEL_PORTALE = "Punto Utente Evoluto: che cosa offre oggi il portale."


def _avviso(html: str) -> str:
    trovato = re.search(r'data-testid="pue-nel-portale">(.*?)</div>', html, re.S)
    assert trovato, "la pagina non dice che cosa del Punto Utente Evoluto offre oggi il portale"
    return " ".join(re.sub(r"<[^>]+>", " ", trovato.group(1)).split())


def test_the_home_page_says_what_the_pue_offers_today(client: Client) -> None:
    """Gestione sportelli is built: the pages say bookings are made, not that they will be."""
    html = client.get(reverse("home")).content.decode()
    avviso = _avviso(html)
    assert NEL_PORTALE in avviso
    assert "prenotano per il cittadino un incontro in web meeting" in avviso
    assert "non sono ancora attive" not in html
    assert "potrà prenotare" not in html


@pytest.mark.parametrize(
    ("ruolo", "pagina"),
    [
        (Ruolo.OPERATORE_COMUNE, "area_comune"),
        (Ruolo.AMMINISTRATORE_UTENZE, "area_comune"),
        (Ruolo.REFERENTE_COMUNE, "area_comune"),
        (Ruolo.OPERATORE_SPORTELLO, "area_struttura"),
        (Ruolo.REFERENTE_INPS, "area_struttura"),
    ],
)
def test_the_pages_of_the_pues_people_say_what_exists_today(
    client: Client, registro: None, ruolo: Ruolo, pagina: str
) -> None:
    user = UserFactory.create()
    organizzazione: Comune | Struttura = (
        Comune.objects.get(codice_istat="078102")
        if pagina == "area_comune"
        else Struttura.objects.get(codice="ST-CS" if ruolo == Ruolo.OPERATORE_SPORTELLO else "DR-18")
    )
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=organizzazione)
    client.force_login(user)
    risposta = client.get(reverse(pagina))
    assert risposta.status_code == 200
    assert NEL_PORTALE in _avviso(risposta.content.decode())


def test_the_privacy_notice_describes_the_bookings_data_and_how_long_it_is_kept(client: Client, settings: Any) -> None:
    settings.PUE_CONSERVAZIONE_GIORNI = 400
    testo = " ".join(client.get(reverse("privacy")).content.decode().split())
    assert "oggi non lo è" not in testo
    assert "codice fiscale, nome e cognome del cittadino e dell'eventuale delegato" in testo
    assert "Questi dati sono cancellati 400 giorni dopo l'incontro" in testo
