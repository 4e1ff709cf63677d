"""axe-core on every kind of page: no serious or critical violation is accepted."""

from __future__ import annotations

import warnings
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e.conftest import Operatore, axe_scan, describe_violations, login_with_cookie, submit_login

pytestmark = pytest.mark.e2e


def assert_page_complete(page: Page) -> None:
    """A scan is only meaningful on the page as users get it: every stylesheet, script and sprite loaded."""
    resources: list[list[Any]] = page.evaluate(
        "performance.getEntriesByType('resource').map(e => [e.name, e.responseStatus])"
    )
    static = [(url, status) for url, status in resources if urlsplit(url).path.startswith(settings.STATIC_URL)]
    assert static, f"nessuna risorsa statica caricata da {page.url}"
    broken = [(url, status) for url, status in static if status != 200]
    assert not broken, f"risorse statiche non caricate su {page.url}: {broken}"


def assert_no_serious_violations(page: Page) -> None:
    assert_page_complete(page)
    blocking, others = axe_scan(page)
    if others:
        warnings.warn(
            f"axe-core, violazioni minori su {page.url}:\n{describe_violations(others)}", UserWarning, stacklevel=2
        )
    assert not blocking, (
        f"axe-core: {len(blocking)} violazioni gravi o critiche su {page.url}:\n{describe_violations(blocking)}"
    )


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/", 200, "Portale INPS per Amministrazioni, Enti e Comuni"),
        ("/account/login/", 200, "Accesso con il PIN INPS"),
        ("/account/login/personale/", 200, "Accesso del personale INPS e degli operatori dei Comuni"),
        ("/pagina-inesistente/", 404, "Pagina non trovata"),
        ("/accessibilita/", 200, "Dichiarazione di accessibilità"),
        ("/privacy/", 200, "Informativa sul trattamento dei dati personali"),
        ("/sedi/cerca/?comune=Rende", 200, "Trova la sede INPS competente"),
    ],
    ids=["home", "login", "login-personale", "404", "accessibilita", "privacy", "cerca-sede"],
)
def test_anonymous_pages_have_no_serious_violations(
    page: Page, live_server: LiveServer, registro_e2e: None, path: str, status: int, heading: str
) -> None:
    response = page.goto(path, wait_until="networkidle")
    assert response is not None
    assert response.status == status
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_no_serious_violations(page)


def test_search_results_are_on_the_scanned_page(page: Page, live_server: LiveServer, registro_e2e: None) -> None:
    """The scan of the search page is only worth something if the results table is there."""
    page.goto("/sedi/cerca/?comune=Rende")
    expect(page.get_by_test_id("risultati").get_by_role("row", name="Rende (CS)")).to_contain_text(
        "Sede territoriale di Cosenza"
    )


def test_login_page_with_errors_has_no_serious_violations(
    page: Page, live_server: LiveServer, operatore_ente: Operatore
) -> None:
    page.goto("/account/login/")
    submit_login(page, operatore_ente.user.codice_fiscale, "Password.Sbagliata.9")
    expect(page.get_by_role("alert")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_no_serious_violations(page)


def test_login_page_with_field_errors_has_no_serious_violations(page: Page, live_server: LiveServer) -> None:
    page.goto("/account/login/")
    page.get_by_role("button", name="Accedi", exact=True).click()
    expect(page.get_by_label("Codice fiscale")).to_have_attribute("aria-invalid", "true")
    page.wait_for_load_state("networkidle")
    assert_no_serious_violations(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/", "Portale INPS per Amministrazioni, Enti e Comuni"), ("/enti/", "Area riservata Amministrazioni ed Enti")],
    ids=["home", "area-enti"],
)
def test_logged_in_pages_have_no_serious_violations(
    page: Page, live_server: LiveServer, operatore_ente: Operatore, path: str, heading: str
) -> None:
    login_with_cookie(page, operatore_ente.user, live_server)
    response = page.goto(path, wait_until="networkidle")
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    assert_no_serious_violations(page)


def test_the_scan_reports_what_it_should(page: Page, live_server: LiveServer, transactional_db: None) -> None:
    """Guards against a scan that passes because it checked nothing: a known critical violation is reported, with
    rule id, impact and selector in the message."""
    page.goto("/accessibilita/", wait_until="networkidle")
    page.evaluate(
        """() => {
            const img = document.createElement('img');
            img.id = 'immagine-senza-alt';
            img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
            document.querySelector('main').appendChild(img);
        }"""
    )
    blocking, _ = axe_scan(page)
    assert [v["id"] for v in blocking] == ["image-alt"]
    report = describe_violations(blocking)
    assert "image-alt [critical]" in report
    assert "target: #immagine-senza-alt" in report
