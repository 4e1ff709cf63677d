"""The PIN released at a Sede's counter is printed and handed over: on paper only the page's content, none of the
back office around it (header, breadcrumbs, sidebar, footer) nor its buttons."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.roles import Ruolo
from inps_portal.pec.gateway import GatewayPEC
from tests.e2e.conftest import login_with_cookie
from tests.factories import codice_fiscale_valido, personale_inps

pytestmark = pytest.mark.e2e


def test_the_pin_handed_over_at_the_counter_prints_without_the_back_office(
    page: Page, live_server: LiveServer, registro_e2e: None, pec_locale: GatewayPEC, settings: Any
) -> None:
    login_with_cookie(page, personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"), live_server)
    page.goto("/admin/accounts/pin/rilascia/")
    page.get_by_role("textbox", name="Codice fiscale:").fill(codice_fiscale_valido(4242))
    page.get_by_role("textbox", name="Nome:", exact=True).fill("Giulia")
    page.get_by_role("textbox", name="Cognome:").fill("Verdi")
    page.get_by_role("textbox", name="Numero del documento:").fill("CA12345AB")
    page.get_by_label("Ho verificato che la persona allo sportello").check()
    page.get_by_role("button", name="Rilascia il PIN dispositivo").click()
    pin = page.get_by_test_id("nuovo-pin")
    expect(pin).to_be_visible()

    cornice = ["#header", ".breadcrumbs", "#nav-sidebar", "#toggle-nav-sidebar"]  # the admin's footer is empty
    for selettore in cornice:  # on the screen the back office is there (a test that cannot fail proves nothing)
        expect(page.locator(selettore)).to_be_visible()
    pulsante = page.get_by_role("button", name="Stampa")
    avviso_su_carta = page.get_by_text("Il PIN è personale")
    expect(pulsante).to_be_visible()
    expect(avviso_su_carta).to_be_hidden()

    page.emulate_media(media="print")
    for selettore in cornice:
        expect(page.locator(selettore)).to_be_hidden()
    expect(pulsante).to_be_hidden()
    expect(pin).to_be_visible()
    expect(page.get_by_role("heading", name="Nuovo PIN per Giulia Verdi")).to_be_visible()
    expect(avviso_su_carta).to_be_visible()
    # The content starts at the page's left edge: the sidebar's column is not left empty on paper.
    assert page.locator("#content").bounding_box()["x"] < 20  # type: ignore[index]
