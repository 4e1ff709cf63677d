"""Credentials in the browser: the unification at the first access, the online PIN after its deadline and its
conversion, and axe-core on every page of these journeys."""

from __future__ import annotations

import importlib
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import PIN, Comune, Ente, RichiestaConversione, User
from accounts.services.unificazione import ALFABETO_PIN, LUNGHEZZA_PIN
from inps_portal.pec.models import MessaggioPEC
from tests.e2e.conftest import login_with_cookie, submit_login
from tests.e2e.test_accessibilita import assert_no_serious_violations
from tests.factories import PASSWORD_EX_INPDAP, EnteFactory, UserFactory, crea_credenziale, crea_pin

pytestmark = pytest.mark.e2e

AREA_ENTI = "Area riservata Amministrazioni ed Enti"
PIN_PRECEDENTE = "VECCHIOPIN234567"  # the code crea_pin gives every PIN
RENDE_ISTAT = "078102"  # province of Cosenza: the competent Sede is the Sede territoriale di Cosenza
# Unification in force (from 9 May 2016), online PINs still valid in the Area riservata (until 1 July 2016).
PRIMA_DELLA_SCADENZA = "2016-06-20T10:00:00"
DOPO_LA_SCADENZA = "2016-07-02T10:00:00"
GIORNI_RIMASTI = 11  # from 20 June to 1 July 2016


def _pdf_minimo() -> bytes:
    """A well-formed one-page PDF 1.4: header, three objects, cross-reference table with the real offsets."""
    oggetti = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
    ]
    pdf = b"%PDF-1.4\n"
    posizioni = []
    for numero, oggetto in enumerate(oggetti, start=1):
        posizioni.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (numero, oggetto)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(oggetti) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % posizione for posizione in posizioni)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(oggetti) + 1, xref)
    return pdf


def _png_minimo() -> bytes:
    """A well-formed 1x1 white RGB PNG: signature, IHDR, IDAT, IEND, each chunk with its CRC."""

    def chunk(tipo: bytes, dati: bytes) -> bytes:
        return struct.pack(">I", len(dati)) + tipo + dati + struct.pack(">I", zlib.crc32(tipo + dati))

    intestazione = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    riga = b"\x00\xff\xff\xff"  # filter byte, then one RGB pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", intestazione) + chunk(b"IDAT", zlib.compress(riga)) + chunk(b"IEND", b"")
    )


PDF = _pdf_minimo()
PNG = _png_minimo()
MODULO_PDF: FilePayload = {"name": "modulo-firmato.pdf", "mimeType": "application/pdf", "buffer": PDF}
DOCUMENTO_PNG: FilePayload = {"name": "carta-identita.png", "mimeType": "image/png", "buffer": PNG}
# PNG bytes under a PDF name and type: the portal looks at the content, not at the name nor at the declared type.
MODULO_FALSO: FilePayload = {"name": "modulo-firmato.pdf", "mimeType": "application/pdf", "buffer": PNG}


@dataclass(frozen=True)
class Persona:
    user: User
    ente: Ente


@pytest.fixture
def credenziali_e2e(registro_e2e: None, pec_locale: Any, settings: Any, tmp_path: Path) -> None:
    """What the credentials pages need, committed for the live server: the registry, the online-PIN deadline, PEC
    delivered in-process into this test's own mailbox (``pec_locale``), uploads kept in this test's own folder.

    The deadline of 1 July 2016 comes from a data migration, and every test with ``transactional_db`` ends by
    emptying all tables: after the first such test of the run the row is gone and online PINs would never expire.
    The migration's own function puts it back (it does nothing when the row is there).
    """
    settings.MEDIA_ROOT = str(tmp_path / "media")
    migrazione = importlib.import_module("accounts.migrations.0004_scadenza_della_circolare")
    migrazione.crea(apps, None)


def _ente_di_rende() -> Ente:
    return EnteFactory.create(nome="Comune di Rende", comune=Comune.objects.get(codice_istat=RENDE_ISTAT))


@pytest.fixture
def operatore_ex_inpdap(credenziali_e2e: None) -> Persona:
    """Case a: ex-Inpdap credentials and no PIN; the user's own Django password is unusable."""
    user = UserFactory.create(password="!", nome="Giulia", cognome="Verdi", email="giulia.verdi@example.it")
    ente = _ente_di_rende()
    crea_credenziale(user, [(ente, "Domanda Valore PA")])
    return Persona(user=user, ente=ente)


@pytest.fixture
def titolare_pin_online(credenziali_e2e: None) -> Persona:
    """An online PIN (code ``PIN_PRECEDENTE``) with one abilitazione for an Ente of the province of Cosenza."""
    user = UserFactory.create(password="!", nome="Luca", cognome="Russo", email="luca.russo@example.it")
    ente = _ente_di_rende()
    crea_pin(user, [(ente, "Domanda Valore PA")], tipo=PIN.Tipo.ONLINE)
    return Persona(user=user, ente=ente)


def _compila_richiesta(page: Page, ente: Ente, modulo: FilePayload, documento: FilePayload) -> None:
    page.get_by_label("Ente per cui opera").select_option(label=ente.nome)
    page.set_input_files("input[name=modulo_firmato]", modulo)
    page.set_input_files("input[name=documento_identita]", documento)
    page.get_by_role("button", name="Invia la richiesta").click()


# --- Journeys ---------------------------------------------------------------------------------------------------------


def test_case_a_from_the_ex_inpdap_login_to_the_area_riservata_with_the_new_pin(
    page: Page, live_server: LiveServer, operatore_ex_inpdap: Persona, settings: Any
) -> None:
    settings.PORTAL_CLOCK_NOW = PRIMA_DELLA_SCADENZA
    user, ente = operatore_ex_inpdap.user, operatore_ex_inpdap.ente
    header = page.get_by_role("banner")
    main = page.get_by_role("main")
    errore = page.get_by_role("alert")

    page.goto("/account/login/")
    submit_login(page, user.codice_fiscale, PASSWORD_EX_INPDAP)
    expect(page).to_have_url(f"{live_server.url}/credenziali/unificazione/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Unificazione delle credenziali")
    expect(main).to_contain_text("Lei ha credenziali ex Inpdap e non ha un PIN INPS")
    expect(main.get_by_role("listitem")).to_have_text([f"Domanda Valore PA — {ente.nome}"])

    # Until the PIN is issued, any page of the portal leads back here.
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/credenziali/unificazione/")

    page.get_by_role("button", name="Genera il nuovo PIN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Il suo nuovo PIN")
    campo_pin = page.get_by_test_id("nuovo-pin")
    expect(campo_pin).to_have_text(re.compile(rf"^\s*[{ALFABETO_PIN}]{{{LUNGHEZZA_PIN}}}\s*$"))
    nuovo_pin = campo_pin.inner_text().strip()
    assert nuovo_pin != PASSWORD_EX_INPDAP
    assert MessaggioPEC.objects.filter(modello="unificazione").count() == 1
    assert nuovo_pin not in MessaggioPEC.objects.get(modello="unificazione").corpo_testo

    main.get_by_role("link", name="Ho annotato il PIN, prosegui").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    # The unification page is gone for good, and the PIN is shown nowhere again.
    page.goto("/credenziali/unificazione/")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(main).not_to_contain_text(nuovo_pin)

    page.get_by_test_id("menu-principale").get_by_role("link", name=AREA_ENTI).click()
    expect(page).to_have_url(f"{live_server.url}/enti/")
    expect(page.get_by_role("heading", level=1)).to_have_text(AREA_ENTI)
    expect(main).to_contain_text("Accede con un PIN online")
    expect(page.get_by_test_id("banner-scadenza")).to_contain_text(f"restano {GIORNI_RIMASTI} giorni")
    scheda = page.get_by_role("region", name=ente.nome)
    expect(scheda).to_have_count(1)
    expect(scheda.get_by_role("listitem")).to_have_text(["Domanda Valore PA"])

    header.get_by_role("button", name="Esci").click()
    expect(header.get_by_role("link", name="Accedi", exact=True)).to_be_visible()

    page.goto("/account/login/")
    submit_login(page, user.codice_fiscale, nuovo_pin)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    header.get_by_role("button", name="Esci").click()
    expect(header.get_by_role("link", name="Accedi", exact=True)).to_be_visible()

    page.goto("/account/login/")
    submit_login(page, user.codice_fiscale, PASSWORD_EX_INPDAP)
    expect(page).to_have_url(f"{live_server.url}/account/login/")
    expect(errore).to_contain_text("Le credenziali ex Inpdap non sono più valide")
    expect(page.get_by_test_id("utente-collegato")).to_have_count(0)


def test_online_pin_after_the_deadline_is_sent_to_the_conversion_and_requests_it(
    page: Page, live_server: LiveServer, titolare_pin_online: Persona, settings: Any
) -> None:
    settings.PORTAL_CLOCK_NOW = DOPO_LA_SCADENZA
    user, ente = titolare_pin_online.user, titolare_pin_online.ente
    main = page.get_by_role("main")

    page.goto("/account/login/")
    submit_login(page, user.codice_fiscale, PIN_PRECEDENTE)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Luca Russo")

    with page.expect_response(f"{live_server.url}/enti/") as area:
        page.get_by_test_id("menu-principale").get_by_role("link", name=AREA_ENTI).click()
    assert area.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Il PIN online non vale più per l'Area riservata")
    expect(main).to_contain_text("Dal giorno successivo al 01/07/2016")
    expect(main).not_to_contain_text("Domanda Valore PA")

    main.get_by_role("link", name="Converti il PIN online").click()
    expect(page).to_have_url(f"{live_server.url}/credenziali/pin-online/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Il PIN online")

    # PNG bytes named .pdf: refused, with the field marked and nothing recorded.
    with page.expect_response(f"{live_server.url}/credenziali/pin-online/") as rifiuto:
        _compila_richiesta(page, ente, MODULO_FALSO, DOCUMENTO_PNG)
    assert rifiuto.value.status == 400
    modulo = page.get_by_label("Modulo di richiesta firmato")
    expect(modulo).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_modulo_firmato-errori")).to_contain_text("non corrisponde al contenuto")
    expect(page.locator("#id_modulo_firmato-errori")).to_contain_text("che è un PNG")
    expect(page.get_by_label("Documento di identità")).not_to_have_attribute("aria-invalid", "true")
    assert not RichiestaConversione.objects.filter(user=user).exists()

    _compila_richiesta(page, ente, MODULO_PDF, DOCUMENTO_PNG)
    expect(page).to_have_url(f"{live_server.url}/credenziali/pin-online/")
    expect(main.get_by_role("status").filter(has_text="Richiesta inviata alla sede competente")).to_be_visible()
    expect(main.get_by_role("status").filter(has_text="in attesa della")).to_have_text(
        re.compile(r"La sua richiesta del 02/07/2016 è in attesa della Sede territoriale di Cosenza\.")
    )
    expect(page.get_by_role("button", name="Invia la richiesta")).to_have_count(0)
    expect(main.get_by_role("table")).to_contain_text("Inviata")

    richiesta = RichiestaConversione.objects.get(user=user)
    assert richiesta.status == RichiestaConversione.Status.INVIATA
    assert richiesta.ente == ente
    assert richiesta.sede.codice == "ST-CS"
    with richiesta.modulo_firmato.open("rb") as salvato:
        assert salvato.read() == PDF
    with richiesta.documento_identita.open("rb") as salvato:
        assert salvato.read() == PNG
    assert PIN.objects.get(user=user).tipo == PIN.Tipo.ONLINE  # until the Sede decides


# --- axe-core ---------------------------------------------------------------------------------------------------------


def _vai(page: Page, path: str, status: int = 200) -> None:
    response = page.goto(path, wait_until="networkidle")
    assert response is not None
    assert response.status == status


def test_unification_page_and_new_pin_page_have_no_serious_violations(
    page: Page, live_server: LiveServer, operatore_ex_inpdap: Persona, settings: Any
) -> None:
    settings.PORTAL_CLOCK_NOW = PRIMA_DELLA_SCADENZA
    login_with_cookie(page, operatore_ex_inpdap.user, live_server)
    _vai(page, "/credenziali/unificazione/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Unificazione delle credenziali")
    assert_no_serious_violations(page)

    page.get_by_role("button", name="Genera il nuovo PIN").click()
    expect(page.get_by_test_id("nuovo-pin")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert_no_serious_violations(page)


def test_area_enti_with_the_days_left_banner_has_no_serious_violations(
    page: Page, live_server: LiveServer, titolare_pin_online: Persona, settings: Any
) -> None:
    settings.PORTAL_CLOCK_NOW = PRIMA_DELLA_SCADENZA
    login_with_cookie(page, titolare_pin_online.user, live_server)
    _vai(page, "/enti/")
    expect(page.get_by_test_id("banner-scadenza")).to_contain_text(f"restano {GIORNI_RIMASTI} giorni")
    assert_no_serious_violations(page)


def test_the_page_after_the_deadline_has_no_serious_violations(
    page: Page, live_server: LiveServer, titolare_pin_online: Persona, settings: Any
) -> None:
    settings.PORTAL_CLOCK_NOW = DOPO_LA_SCADENZA
    login_with_cookie(page, titolare_pin_online.user, live_server)
    _vai(page, "/enti/", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("Il PIN online non vale più per l'Area riservata")
    assert_no_serious_violations(page)


@pytest.mark.parametrize("stato", ["modulo", "errori", "in-attesa"])
def test_the_pin_online_page_has_no_serious_violations(
    page: Page, live_server: LiveServer, titolare_pin_online: Persona, settings: Any, stato: str
) -> None:
    settings.PORTAL_CLOCK_NOW = PRIMA_DELLA_SCADENZA
    login_with_cookie(page, titolare_pin_online.user, live_server)
    _vai(page, "/credenziali/pin-online/")
    expect(page.get_by_test_id("banner-scadenza")).to_be_visible()
    if stato == "errori":
        page.get_by_role("button", name="Invia la richiesta").click()
        expect(page.get_by_label("Modulo di richiesta firmato")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Documento di identità")).to_have_attribute("aria-invalid", "true")
        page.wait_for_load_state("networkidle")
    elif stato == "in-attesa":
        _compila_richiesta(page, titolare_pin_online.ente, MODULO_PDF, DOCUMENTO_PNG)
        expect(page.get_by_role("main")).to_contain_text("in attesa della Sede territoriale di Cosenza")
        page.wait_for_load_state("networkidle")
    else:
        expect(page.get_by_role("button", name="Invia la richiesta")).to_be_visible()
    assert_no_serious_violations(page)


def test_the_credentials_guide_has_no_serious_violations(
    page: Page, live_server: LiveServer, credenziali_e2e: None
) -> None:
    _vai(page, "/credenziali/guida/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Guida: unificazione delle credenziali e PIN")
    assert_no_serious_violations(page)
