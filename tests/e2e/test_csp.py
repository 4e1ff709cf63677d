"""The Content-Security-Policy in a real browser: nothing refused, and the pages' scripts still do their work."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import Operatore, login_with_cookie
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

# Every violation the page sees, whoever caused it (an inline script, a <style> written by a script, a font...).
ASCOLTA_VIOLAZIONI = """
window.__violazioni = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__violazioni.push(`${e.effectiveDirective} ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Console:
    """The browser's console messages about the page's policies (Content-Security-Policy, Permissions-Policy)."""

    def __init__(self, page: Page) -> None:
        self.messaggi: list[str] = []
        page.on("console", self._registra)

    def _registra(self, messaggio: ConsoleMessage) -> None:
        if "Content Security Policy" in messaggio.text or "Permissions-Policy" in messaggio.text:
            self.messaggi.append(messaggio.text)


@pytest.fixture
def console(page: Page) -> Console:
    page.add_init_script(ASCOLTA_VIOLAZIONI)
    return Console(page)


def assert_nessuna_violazione(page: Page, console: Console) -> None:
    violazioni = page.evaluate("window.__violazioni")
    assert violazioni == [], f"violazioni della Content-Security-Policy su {page.url}: {violazioni}"
    assert console.messaggi == [], f"console di {page.url}: {console.messaggi}"


def apri(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path, wait_until="networkidle")
    assert response is not None
    assert response.status == status
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/", "/account/login/"], ids=["home", "login"])
def test_public_pages_run_bootstrap_italia_under_the_policy(
    page: Page, live_server: LiveServer, console: Console, registro_e2e: None, path: str
) -> None:
    # Narrow enough for the collapsed header menu, opened by Bootstrap Italia's script.
    page.set_viewport_size({"width": 390, "height": 844})
    apri(page, path)
    toggle = page.get_by_role("button", name="Mostra o nascondi il menu")
    menu = page.get_by_test_id("menu-principale")
    expect(menu).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Home")).to_be_visible()
    assert_nessuna_violazione(page, console)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/account/login/personale/", 200),
        ("/credenziali/guida/", 200),
        ("/sedi/cerca/?comune=Rende", 200),
        ("/pagina-inesistente/", 404),
    ],
    ids=["login-personale", "guida", "cerca-sede", "404"],
)
def test_other_pages_report_no_violation(
    page: Page, live_server: LiveServer, console: Console, registro_e2e: None, path: str, status: int
) -> None:
    apri(page, path, status)
    assert_nessuna_violazione(page, console)


def test_the_area_riservata_reports_no_violation(
    page: Page, live_server: LiveServer, console: Console, operatore_ente: Operatore
) -> None:
    login_with_cookie(page, operatore_ente.user, live_server)
    apri(page, "/enti/")
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    assert_nessuna_violazione(page, console)


def test_bootstrap_italia_fonts_are_loaded_under_the_policy(
    page: Page, live_server: LiveServer, console: Console, registro_e2e: None
) -> None:
    """The fonts loadFonts() would have written in a refused <style> come through the FontFace API instead."""
    apri(page, "/")
    caricati: list[str] = page.evaluate(
        """async () => {
            await document.fonts.ready;
            return [...document.fonts]
                .filter((f) => f.status === "loaded")
                .map((f) => `${f.family.replaceAll('"', "")} ${f.style} ${f.weight}`);
        }"""
    )
    # The body's text and the headings: Titillium Web, regular and semibold.
    assert {"Titillium Web normal 400", "Titillium Web normal 600"} <= set(caricati), caricati
    assert_nessuna_violazione(page, console)


def test_print_buttons_print_through_the_static_script(
    page: Page, live_server: LiveServer, console: Console, registro_e2e: None
) -> None:
    """The "Stampa" buttons lost their onclick: a data-stampa attribute, handled by static/js/portale.js."""
    page.add_init_script("window.print = () => { window.__stampe = (window.__stampe || 0) + 1; };")
    apri(page, "/")
    page.evaluate(
        """() => {
            const pulsante = document.createElement("button");
            pulsante.type = "button";
            pulsante.dataset.stampa = "";
            pulsante.textContent = "Stampa";
            document.querySelector("main").appendChild(pulsante);
        }"""
    )
    page.get_by_role("button", name="Stampa", exact=True).click()
    assert page.evaluate("window.__stampe") == 1
    assert_nessuna_violazione(page, console)


def test_admin_index_runs_its_scripts_under_the_policy(
    page: Page, live_server: LiveServer, console: Console, transactional_db: None
) -> None:
    superuser = UserFactory.create(is_staff=True, is_superuser=True)
    login_with_cookie(page, superuser, live_server)
    apri(page, "/admin/")
    expect(page.locator("#content-main")).to_be_visible()
    # The admin's theme switch is its own static script (admin/js/theme.js).
    html = page.locator("html")
    prima = html.get_attribute("data-theme") or "auto"
    page.locator("button.theme-toggle").first.click()
    expect(html).not_to_have_attribute("data-theme", prima)
    assert_nessuna_violazione(page, console)
