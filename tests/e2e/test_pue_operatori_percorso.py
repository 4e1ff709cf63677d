"""The PUE's operators in the browser (Messaggio 4461/2023), with SPID through the local identity provider: Marco
Ricci, the Amministratore utenze named in the active convention of the Comune di Rende, enters with SPID and designates
Chiara Conti; the staff of the Sede di Cosenza, competent for Rende, enables her; Chiara enters with SPID and reaches
"Gestione sportelli". axe-core scans every page of the way."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Comune, User
from accounts.roles import Ruolo
from convenzioni.models import Convenzione
from idp_locale.identita import PASSWORD_DEMO
from inps_portal import clock
from pue.models import DesignazioneOperatore
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT, submit_login
from tests.e2e.test_accessibilita import assert_no_serious_violations
from tests.factories import PASSWORD, UserFactory, convenzione_attiva_di_prova, personale_inps
from tests.idp_locale import IdpLocale

pytestmark = pytest.mark.e2e

RENDE = "078102"
MARCO = "RCCMRC75E05H235F"
CHIARA = "CNTCHR90A41D086R"


@dataclass(frozen=True)
class Scena:
    amministratore: User
    sede: User
    convenzione: Convenzione


@pytest.fixture
def scena(registro_e2e: None, pec_locale: Any) -> Scena:
    """Rende with an active convention whose Amministratore utenze is Marco Ricci; the staff of the Sede di Cosenza."""
    rende = Comune.objects.select_related("provincia").get(codice_istat=RENDE)
    amministratore = UserFactory.create(codice_fiscale=MARCO, nome="Marco", cognome="Ricci")
    convenzione = convenzione_attiva_di_prova(rende, amministratore_codice_fiscale=MARCO)
    sede = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")  # Cosenza: competent for Rende
    sede.set_password(PASSWORD)
    sede.save(update_fields=["password"])
    return Scena(amministratore=amministratore, sede=sede, convenzione=convenzione)


@pytest.fixture
def nuova_pagina(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[], Page]]:
    """A new browser context for each person (no cookies shared with the others)."""
    contesti: list[BrowserContext] = []

    def apri() -> Page:
        contesto = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="it-IT")
        contesto.set_default_timeout(TIMEOUT_MS)
        contesti.append(contesto)
        return contesto.new_page()

    yield apri
    for contesto in contesti:
        contesto.close()


def _scansiona(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    assert_no_serious_violations(page)


def _entra_con_spid(page: Page, idp: IdpLocale, username: str) -> None:
    """From the portal's login page, "Entra con SPID", the identity provider's login, and back to the portal."""
    page.goto("/account/login/")
    page.get_by_test_id("entra-spid").click()
    page.wait_for_url(lambda url: url.startswith(idp.url))
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(PASSWORD_DEMO)
    page.get_by_role("button", name="Entra").click()
    page.wait_for_url(lambda url: not url.startswith(idp.url))
    expect(page.get_by_test_id("utente-collegato")).to_be_visible()


def test_the_amministratore_designates_the_sede_enables_the_operator_enters(
    nuova_pagina: Callable[[], Page], live_server: LiveServer, idp: IdpLocale, scena: Scena
) -> None:
    # 1. Marco Ricci, Amministratore utenze, enters with SPID and designates Chiara Conti.
    marco = nuova_pagina()
    _entra_con_spid(marco, idp, "marco.ricci")
    marco.goto(f"/pue/comune/{RENDE}/operatori/")
    expect(marco.get_by_role("heading", level=1)).to_have_text("Operatori PUE del Comune di Rende")
    _scansiona(marco)
    modulo = marco.get_by_role("main").locator("form").filter(has=marco.get_by_test_id("designa"))
    modulo.get_by_label("Codice fiscale").fill(CHIARA)
    modulo.get_by_label(re.compile(r"^Nome\b")).fill("Chiara")
    modulo.get_by_label("Cognome").fill("Conti")
    modulo.get_by_label("E-mail").fill("chiara.conti@comune.rende.example.it")
    modulo.get_by_label("Telefono").fill("0984 000000")
    modulo.get_by_label("Atto di autorizzazione al trattamento dei dati personali").fill("determina dirigenziale n. 12")
    modulo.get_by_label("Data dell'atto").fill((clock.today() - dt.timedelta(days=3)).isoformat())
    marco.get_by_test_id("designa").click()
    riga = marco.get_by_test_id("designazione").filter(has_text="Chiara Conti")
    expect(riga.get_by_test_id("stato")).to_have_text("In attesa di abilitazione INPS")
    _scansiona(marco)
    designazione = DesignazioneOperatore.objects.get(codice_fiscale=CHIARA)
    assert designazione.designata_da_id == scena.amministratore.pk

    # 2. The staff of the Sede di Cosenza enables her.
    sede = nuova_pagina()
    sede.goto("/account/login/personale/")
    submit_login(sede, scena.sede.codice_fiscale, PASSWORD)
    expect(sede.get_by_test_id("utente-collegato")).to_be_visible()
    sede.goto("/pue/designazioni/")
    _scansiona(sede)
    sede.get_by_role("main").get_by_role("link", name="Chiara Conti").click()
    expect(sede).to_have_url(f"{live_server.url}/pue/designazioni/{designazione.pk}/")
    _scansiona(sede)
    sede.get_by_test_id("abilita").click()
    expect(sede.get_by_test_id("stato")).to_have_text("Abilitata")
    _scansiona(sede)

    # 3. Chiara Conti enters with SPID and reaches "Gestione sportelli".
    chiara = nuova_pagina()
    _entra_con_spid(chiara, idp, "chiara.conti")
    chiara.goto("/pue/")
    expect(chiara.get_by_test_id("accesso")).to_contain_text("Accesso con SPID di livello 2")
    _scansiona(chiara)
    chiara.get_by_test_id("gestione-sportelli").click()
    expect(chiara).to_have_url(f"{live_server.url}/pue/gestione-sportelli/")
    expect(chiara.get_by_test_id(f"prenota-{RENDE}")).to_be_visible()  # she books for her Comune
    _scansiona(chiara)
