"""On a phone 375 px wide no page of the portal is wider than the screen: the tables scroll inside their own box
(Bootstrap Italia's ``table-responsive``), the page never sideways. The pages are those of the demo people
(``manage.py seed_demo``), as a new user meets them."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import Browser, Page, ViewportSize
from pytest_django.live_server_helper import LiveServer

from abilitazioni.models import Abilitazione
from accounts.models import ScadenzaPinOnline, User
from tests.e2e.conftest import TIMEOUT_MS, login_with_cookie

pytestmark = pytest.mark.e2e

TELEFONO: ViewportSize = {"width": 375, "height": 812}

# Who sees which pages (codici fiscali of the demo people in the README), the pages with tables first.
PAGINE: dict[str | None, list[str]] = {
    None: [
        "/sedi/cerca/?comune=Rende",
        "/sedi/cerca/?comune=San",
        "/",
        "/account/login/",
        "/account/login/personale/",
        "/modulistica/",
        "/credenziali/guida/",
        "/credenziali/pin-dispositivo/richiesta/",
    ],
    "RSSMRA78C15D086Z": ["/enti/abilitazioni/", "/enti/", "/credenziali/pin-online/", "/profilo/"],  # Mario Rossi
    "BNCLRA85L42C352P": ["/struttura/", "/struttura/?pagina=2"],  # Laura Bianchi, Sede territoriale di Cosenza
    "CLMFNC90T52F205Z": ["/struttura/"],  # Francesca Colombo, operatrice di sportello
    "RCCMRC75E05H235F": ["/comune/"],  # Marco Ricci, Amministratore utenze del Comune di Rende
}


def _ricrea(modulo: str, funzione: str) -> None:
    """Put back the rows of a data migration: every test with ``transactional_db`` ends by emptying all tables."""
    getattr(importlib.import_module(modulo), funzione)(apps, None)


@pytest.fixture
def demo(registro_e2e: None, settings: Any) -> None:
    """The demo population, as ``make run`` creates it (the command is refused without DEBUG)."""
    if not Abilitazione.objects.exists():
        _ricrea("abilitazioni.migrations.0002_catalogo_della_circolare", "crea")
        _ricrea("abilitazioni.migrations.0004_ufficio_centrale_e_pec_dell_ente", "assegna")
    if not ScadenzaPinOnline.objects.exists():
        _ricrea("accounts.migrations.0004_scadenza_della_circolare", "crea")
    settings.DEBUG = True
    call_command("seed_demo")
    settings.DEBUG = False


@pytest.fixture
def telefono(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport=TELEFONO, locale="it-IT", is_mobile=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _larghezza_della_pagina(page: Page, path: str) -> int:
    risposta = page.goto(path, wait_until="networkidle")
    assert risposta is not None
    assert risposta.status == 200, path
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("codice_fiscale", list(PAGINE), ids=lambda cf: cf or "anonimo")
def test_no_page_is_wider_than_a_phone(
    telefono: Page, live_server: LiveServer, demo: None, codice_fiscale: str | None
) -> None:
    if codice_fiscale is not None:
        login_with_cookie(telefono, User.objects.get(codice_fiscale=codice_fiscale), live_server)
    larghe = {}
    for path in PAGINE[codice_fiscale]:
        larghezza = _larghezza_della_pagina(telefono, path)
        if larghezza > TELEFONO["width"]:
            larghe[path] = larghezza
    assert not larghe, f"pagine più larghe di {TELEFONO['width']} px: {larghe}"


def test_the_tables_are_on_the_checked_pages_and_scroll_in_their_own_box(
    telefono: Page, live_server: LiveServer, demo: None
) -> None:
    """The test above is worth something only if the tables are there: each one in a box that scrolls."""
    attese = {
        None: "/sedi/cerca/?comune=San",
        "RSSMRA78C15D086Z": "/enti/abilitazioni/",
        "BNCLRA85L42C352P": "/struttura/",
    }
    for codice_fiscale, path in attese.items():
        if codice_fiscale is not None:
            telefono.context.clear_cookies()
            login_with_cookie(telefono, User.objects.get(codice_fiscale=codice_fiscale), live_server)
        _larghezza_della_pagina(telefono, path)
        tabelle = telefono.locator("main table")
        assert tabelle.count() > 0, path
        fuori = telefono.locator("main table:not(.table-responsive > table)")
        assert fuori.count() == 0, f"{path}: tabelle fuori da table-responsive"
