"""An Operatore di Ente, from the home page to their Area riservata and out again, and the failed login."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import Operatore, submit_login
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e

AREA_ENTI = "Area riservata Amministrazioni ed Enti"
SCREENSHOT = "/tmp/e2e-area.png"  # noqa: S108 - the developer looks at it after the run


def come_digitato(codice_fiscale: str) -> str:
    """The way people type it: lower case, in groups of four separated by spaces."""
    lower = codice_fiscale.lower()
    return " ".join(lower[i : i + 4] for i in range(0, len(lower), 4))


def test_operatore_ente_logs_in_sees_their_ente_and_logs_out(
    page: Page, live_server: LiveServer, operatore_ente: Operatore
) -> None:
    user, ente = operatore_ente.user, operatore_ente.ente
    header = page.get_by_role("banner")
    menu = page.get_by_test_id("menu-principale")

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Portale INPS per Amministrazioni, Enti e Comuni")
    expect(menu.get_by_role("link", name=AREA_ENTI)).to_have_count(0)

    header.get_by_role("link", name="Accedi", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/account/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accesso con il PIN INPS")
    expect(page.get_by_label(re.compile(r"^PIN"))).to_be_visible()

    typed = come_digitato(user.codice_fiscale)
    assert typed != user.codice_fiscale
    # The PIN as read from the paper handout: lower case, in groups of four.
    submit_login(page, typed, come_digitato(operatore_ente.pin))

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    expect(page.get_by_role("main")).to_contain_text("Benvenuto, Giulia Verdi")
    expect(header.get_by_role("link", name="Accedi", exact=True)).to_have_count(0)

    menu.get_by_role("link", name=AREA_ENTI).click()
    expect(page).to_have_url(f"{live_server.url}/enti/")
    expect(page).to_have_title(re.compile(rf"^{AREA_ENTI} - "))
    expect(page.get_by_role("heading", level=1)).to_have_text(AREA_ENTI)
    expect(menu.get_by_role("link", name=AREA_ENTI)).to_have_attribute("aria-current", "page")

    scheda = page.get_by_role("region", name=ente.nome)
    expect(scheda).to_have_count(1)
    expect(scheda.locator("dd")).to_have_text(
        [ente.codice_fiscale, "Cosenza (CS)", "Sede territoriale di Cosenza", "Direzione regionale Calabria"]
    )
    page.screenshot(path=SCREENSHOT, full_page=True)

    header.get_by_role("button", name="Esci").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(header.get_by_role("link", name="Accedi", exact=True)).to_be_visible()
    expect(page.get_by_test_id("utente-collegato")).to_have_count(0)
    expect(menu.get_by_role("link", name=AREA_ENTI)).to_have_count(0)

    page.goto("/enti/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/enti/$"))


def test_a_user_without_the_role_has_no_area_enti(page: Page, live_server: LiveServer, registro_e2e: None) -> None:
    user = UserFactory.create(nome="Luca", cognome="Russo")
    page.goto("/account/login/personale/")
    submit_login(page, user.codice_fiscale, PASSWORD)
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Luca Russo")
    expect(page.get_by_test_id("menu-principale").get_by_role("link", name=AREA_ENTI)).to_have_count(0)

    response = page.goto("/enti/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina non trovata")


def test_wrong_password_gives_the_generic_error_and_stays_on_the_login_page(
    page: Page, live_server: LiveServer, operatore_ente: Operatore
) -> None:
    errore = page.get_by_role("alert")

    page.goto("/account/login/")
    submit_login(page, operatore_ente.user.codice_fiscale, "Password.Sbagliata.9")
    expect(page).to_have_url(f"{live_server.url}/account/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accesso con il PIN INPS")
    expect(errore).to_be_visible()
    messaggio_utente_esistente = errore.inner_text().strip()
    assert messaggio_utente_esistente
    expect(page.get_by_test_id("utente-collegato")).to_have_count(0)
    expect(page.get_by_label(re.compile(r"^PIN"))).to_have_value("")

    # A well-formed codice fiscale nobody owns, or a malformed one, gets exactly the same answer: nothing tells
    # whether an account exists.
    for codice_fiscale in ("VRDGLI80A41H501X", "ABC123"):
        page.goto("/account/login/")
        submit_login(page, codice_fiscale, "Password.Sbagliata.9")
        expect(page).to_have_url(f"{live_server.url}/account/login/")
        expect(errore).to_have_text(messaggio_utente_esistente)
    for indizio in ("non esiste", "non registrato", "non trovato", "sconosciuto"):
        assert indizio not in messaggio_utente_esistente.lower()
