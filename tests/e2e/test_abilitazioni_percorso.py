"""Requests for abilitazioni in the browser (Circolare INPS 71/2016, section 4): the operator of an Ente asks for one
abilitazione of allegato 2 and one of allegato 3 and uploads each modulo signed by the Ente's legal representative (one
signed digitally, one a scan); the Sede territoriale approves the first, reading the verified signature, and the
Direzione regionale rejects the second in the back office; the operator reads both outcomes and finds the new
abilitazione among those held for the Ente. axe-core scans every page of the operator on the way."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from abilitazioni.models import RichiestaInstradata
from accounts.models import PIN, AbilitazioneDetenuta, Comune, Ente, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal.pec.models import MessaggioPEC
from tests.e2e.conftest import COSENZA_ISTAT, TIMEOUT_MS, VIEWPORT, submit_login
from tests.e2e.test_accessibilita import assert_no_serious_violations
from tests.factories import PASSWORD, EnteFactory, UserFactory, crea_pin, nel_team
from tests.pki import crea_ca, emetti_firmatario, firma_pdf, pdf_semplice, pem

pytestmark = pytest.mark.e2e

AREA_ENTI = "Area riservata Amministrazioni ed Enti"
PIN_OPERATORE = "VECCHIOPIN234567"  # the code crea_pin gives every PIN
# Online PINs still open the Area riservata on this day (the deadline of the Circolare is 1 July 2016).
OGGI = "2016-06-20T10:00:00"
DATA = "20/06/2016"
GIA_DETENUTA = "Denunce contributive - Visualizzazione DMA"
ALLEGATO_2 = "Visualizzazione versamenti Ente"  # to the Sede territoriale
ALLEGATO_3 = "Domanda Valore PA"  # to the Direzione regionale
SEDE = "Sede territoriale di Cosenza"
DIREZIONE = "Direzione regionale Calabria"
MOTIVO = "Manca la delega del legale rappresentante dell'Ente per i benefici sociali."


@dataclass(frozen=True)
class Persone:
    operatore: User
    ente: Ente
    personale_sede: User
    personale_direzione: User


def _ricrea(modulo: str) -> None:
    """Put back the rows of a data migration: every test with ``transactional_db`` ends by emptying all tables."""
    importlib.import_module(modulo).crea(apps, None)


def _personale(nome: str, cognome: str, ruolo: Ruolo, codice_struttura: str) -> User:
    user = UserFactory.create(nome=nome, cognome=cognome)
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=Struttura.objects.get(codice=codice_struttura))
    return user


@pytest.fixture
def modulo_firmato(settings: Any, tmp_path: Path) -> bytes:
    """A modulo signed digitally by Mario Rossi with a certificate of a test authority the portal trusts."""
    settings.PORTAL_CLOCK_NOW = OGGI  # the certificate is valid around the day of the journey
    ca = crea_ca()
    radice = tmp_path / "radice.pem"
    radice.write_bytes(pem(ca.certificato))
    settings.FIRME_RADICI_ATTENDIBILI = [str(radice)]
    # pyHanko runs its own event loop: away from the one Playwright keeps in this thread.
    with ThreadPoolExecutor(max_workers=1) as esecutore:
        return esecutore.submit(firma_pdf, pdf_semplice("Modulo allegato 2 firmato"), emetti_firmatario(ca)).result()


@pytest.fixture
def persone(registro_e2e: None, pec_locale: Any, settings: Any) -> Persone:
    """An operator with an online PIN (one abilitazione already held) for an Ente of Cosenza, and the staff of the two
    offices that decide for that Ente; the catalogue of the Circolare and the online-PIN deadline recreated."""
    settings.PORTAL_CLOCK_NOW = OGGI
    _ricrea("abilitazioni.migrations.0002_catalogo_della_circolare")
    _ricrea("accounts.migrations.0004_scadenza_della_circolare")
    # An unusable Django password: only the PIN opens the portal, as for every operator of an Ente.
    operatore = UserFactory.create(password="!", nome="Giulia", cognome="Verdi", email="giulia.verdi@example.it")
    ente = EnteFactory.create(
        nome="Azienda Sanitaria Provinciale di Cosenza", comune=Comune.objects.get(codice_istat=COSENZA_ISTAT)
    )
    ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    crea_pin(operatore, [(ente, GIA_DETENUTA)], tipo=PIN.Tipo.ONLINE)
    return Persone(
        operatore=operatore,
        ente=ente,
        personale_sede=_personale("Laura", "Bianchi", Ruolo.PERSONALE_SEDE, "ST-CS"),
        personale_direzione=nel_team(
            _personale("Giuseppe", "Esposito", Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18"), "DR-18"
        ),
    )


@pytest.fixture
def altro_browser(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A second browser, with cookies of its own, for the INPS staff: each person works at their own desk."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="it-IT")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _scansiona(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    assert_no_serious_violations(page)


def _righe_di_dati(page: Page) -> Locator:
    """The rows of the page's table that hold data cells (not the header row)."""
    return page.get_by_role("main").get_by_role("table").get_by_role("row").filter(has=page.get_by_role("cell"))


def _righe_delle_richieste(page: Page) -> Locator:
    """The data rows of the operator's table of requests (the form's tables of abilitazioni are others)."""
    tabella = page.get_by_role("table", name="Richieste di abilitazioni, per allegato")
    return tabella.get_by_role("row").filter(has=page.get_by_role("cell"))


def _riga(page: Page, abilitazione: str) -> Locator:
    """The row of the operator's table of requests that names ``abilitazione``."""
    return _righe_delle_richieste(page).filter(has_text=abilitazione)


def _expect_riga(page: Page, ente: Ente, allegato: int, abilitazione: str, ufficio: str, stato: str) -> Locator:
    """The row of one routed request: date, Ente, allegato, what is asked, the deciding office, and a status cell
    that opens with ``stato`` (the links and buttons after it are checked by the caller)."""
    riga = _riga(page, abilitazione)
    stato_e_poi = re.compile(rf"^{re.escape(stato)}(\s|$)")
    expect(riga.get_by_role("cell")).to_have_text(
        [DATA, ente.nome, str(allegato), f"Aggiunta: {abilitazione}", ufficio, stato_e_poi]
    )
    return riga


def _accedi_al_back_office(page: Page, live_server: LiveServer, staff: User) -> None:
    """The back office has no login page of its own: /admin/ leads to the portal's login, and back."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/account/login/personale/\?next="))
    submit_login(page, staff.codice_fiscale, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/admin/")


def _apri_dalla_coda(page: Page, persone: Persone, allegato: int) -> None:
    """From the back office's home page, the office's queue: only its own request, then its page and "decidi"."""
    page.get_by_role("link", name="Richieste instradate").first.click()
    expect(page).to_have_url(re.compile(r"/admin/abilitazioni/richiestainstradata/$"))
    righe = _righe_di_dati(page)
    expect(righe).to_have_count(1)
    expect(righe).to_contain_text(f"Allegato {allegato}")
    expect(righe).to_contain_text("Modulo ricevuto, in attesa dell'ufficio")
    expect(righe).to_contain_text(persone.ente.nome)
    righe.get_by_role("link", name=re.compile(r"^Verdi Giulia")).click()
    expect(page).to_have_url(re.compile(r"/admin/abilitazioni/richiestainstradata/\d+/change/$"))
    page.get_by_role("link", name="Prendi in carico o decidi").click()
    expect(page).to_have_url(re.compile(r"/admin/abilitazioni/richiestainstradata/\d+/decidi/$"))
    expect(page.get_by_role("main")).to_contain_text("Operatore: Giulia Verdi")


def _prendi_in_carico(page: Page) -> None:
    expect(page.get_by_role("button", name=re.compile("^Approva"))).to_have_count(0)
    page.get_by_role("button", name="Prendi in carico").click()
    # Back on the same page, now with the decision to take.
    expect(page).to_have_url(re.compile(r"/admin/abilitazioni/richiestainstradata/\d+/decidi/$"))
    expect(page.get_by_text("Richiesta presa in carico: ora può approvarla o respingerla.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Stato: Presa in carico")
    expect(page.get_by_role("button", name="Prendi in carico")).to_have_count(0)


def _carica_il_modulo(page: Page, allegato: int, nome: str, contenuto: bytes) -> None:
    """In the "da completare" section, the operator uploads the signed modulo of the request of ``allegato``."""
    sezione = page.get_by_test_id("da-completare").filter(has_text=f"(allegato {allegato})")
    file: FilePayload = {"name": nome, "mimeType": "application/pdf", "buffer": contenuto}
    sezione.get_by_label("Carichi il modulo firmato").set_input_files(files=file)
    sezione.get_by_role("button", name="Invia il modulo firmato").click()
    expect(page.get_by_role("main").get_by_role("status").filter(has_text="Modulo firmato ricevuto")).to_be_visible()


def test_operator_asks_the_offices_decide_and_the_operator_reads_the_outcomes(
    page: Page, altro_browser: Page, live_server: LiveServer, persone: Persone, modulo_firmato: bytes
) -> None:
    operatore, ente = persone.operatore, persone.ente
    main = page.get_by_role("main")
    header = page.get_by_role("banner")

    # 1. The operator logs in with the PIN and asks for one abilitazione of allegato 2 and one of allegato 3.
    page.goto("/account/login/")
    submit_login(page, operatore.codice_fiscale, PIN_OPERATORE)
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    page.get_by_test_id("menu-principale").get_by_role("link", name=AREA_ENTI).click()
    expect(page).to_have_url(f"{live_server.url}/enti/")
    main.get_by_role("link", name="Chiedi nuove abilitazioni").click()
    expect(page).to_have_url(f"{live_server.url}/enti/abilitazioni/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Richiesta di abilitazioni")
    expect(page.get_by_test_id("banner-scadenza")).to_be_visible()
    expect(main).to_contain_text("Nessuna richiesta.")
    _scansiona(page)

    page.get_by_label("Ente", exact=True).select_option(label=ente.nome)
    for allegato, abilitazione in ((2, ALLEGATO_2), (3, ALLEGATO_3)):
        casella = page.get_by_role("group", name=re.compile(f"^Allegato {allegato}")).get_by_label(
            f"Aggiungere: {abilitazione}"
        )
        # A box the operator can see (not one styled away for a label that is only read aloud).
        casella.scroll_into_view_if_needed()
        expect(casella).to_be_in_viewport()
        expect(casella).to_have_css("opacity", "1")
        casella.check()
    page.get_by_role("button", name="Invia la richiesta").click()

    expect(page).to_have_url(f"{live_server.url}/enti/abilitazioni/")
    expect(main.get_by_role("status").filter(has_text="Richiesta inviata")).to_have_text(
        "Richiesta inviata: ogni parte va all'ufficio che la decide."
    )
    expect(_righe_delle_richieste(page)).to_have_count(2)
    for riga in (
        _expect_riga(page, ente, 2, ALLEGATO_2, SEDE, "In attesa del modulo firmato"),
        _expect_riga(page, ente, 3, ALLEGATO_3, DIREZIONE, "In attesa del modulo firmato"),
    ):
        expect(riga.get_by_role("button", name="Ritira")).to_be_visible()
    expect(page.get_by_test_id("da-completare")).to_have_count(2)
    _scansiona(page)

    # The modulo signed by the Ente's legal representative: digitally for allegato 2, a scan for allegato 3.
    _carica_il_modulo(page, 2, "allegato-2-firmato.pdf", modulo_firmato)
    _carica_il_modulo(page, 3, "allegato-3-scansione.pdf", pdf_semplice("Modulo allegato 3 firmato a penna"))
    expect(page.get_by_test_id("da-completare")).to_have_count(0)
    _expect_riga(page, ente, 2, ALLEGATO_2, SEDE, "Modulo ricevuto, in attesa dell'ufficio")
    _expect_riga(page, ente, 3, ALLEGATO_3, DIREZIONE, "Modulo ricevuto, in attesa dell'ufficio")
    _scansiona(page)

    header.get_by_role("button", name="Esci").click()
    expect(header.get_by_role("link", name="Accedi", exact=True)).to_be_visible()

    # 2. The Sede territoriale di Cosenza takes in charge and approves the allegato 2 part.
    sede = altro_browser
    _accedi_al_back_office(sede, live_server, persone.personale_sede)
    _apri_dalla_coda(sede, persone, allegato=2)
    expect(sede.get_by_role("main").get_by_role("listitem")).to_have_text([f"Aggiunta: {ALLEGATO_2}"])
    expect(sede.get_by_test_id("firma-del-modulo")).to_contain_text("Firma digitale valida di Mario Rossi")
    _prendi_in_carico(sede)
    _scansiona(sede)  # the staff's decision page too
    sede.get_by_role("button", name="Approva: le abilitazioni vanno sul PIN").click()
    expect(
        sede.get_by_text("Richiesta approvata: le abilitazioni sono sul PIN e l'operatore è informato.")
    ).to_be_visible()
    expect(sede.get_by_role("main")).to_contain_text("Approvata")
    expect(sede.get_by_role("link", name="Prendi in carico o decidi")).to_have_count(0)
    sede.context.clear_cookies()

    # 3. The Direzione regionale Calabria takes in charge and rejects the allegato 3 part, with a reason.
    direzione = altro_browser
    _accedi_al_back_office(direzione, live_server, persone.personale_direzione)
    _apri_dalla_coda(direzione, persone, allegato=3)
    expect(direzione.get_by_role("main").get_by_role("listitem")).to_have_text([f"Aggiunta: {ALLEGATO_3}"])
    expect(direzione.get_by_test_id("firma-del-modulo")).to_contain_text("Non firmato digitalmente")
    _prendi_in_carico(direzione)
    # No rejection without a reason.
    direzione.get_by_role("button", name="Respingi").click()
    # The same page again, with the error beside the field, where the reason is typed.
    expect(direzione.get_by_text("Indichi il motivo del rifiuto.")).to_be_visible()
    expect(direzione.get_by_role("main")).to_contain_text("Stato: Presa in carico")
    direzione.get_by_label("Motivo del rifiuto").fill(MOTIVO)
    direzione.get_by_role("button", name="Respingi").click()
    expect(direzione.get_by_text("Richiesta respinta: l'operatore è informato del motivo.")).to_be_visible()
    expect(direzione.get_by_role("main")).to_contain_text("Respinta")
    expect(direzione.get_by_role("main")).to_contain_text(MOTIVO)
    expect(direzione.get_by_role("link", name="Prendi in carico o decidi")).to_have_count(0)

    stati = dict(RichiestaInstradata.objects.filter(richiesta__ente=ente).values_list("allegato", "status"))
    assert stati == {2: RichiestaInstradata.Status.APPROVATA, 3: RichiestaInstradata.Status.RESPINTA}
    assert MessaggioPEC.objects.filter(modello="esito_abilitazioni").count() == 2

    # 4. The operator logs back in and reads both outcomes; the approved abilitazione is held for the Ente.
    page.goto("/account/login/")
    submit_login(page, operatore.codice_fiscale, PIN_OPERATORE)
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    page.goto("/enti/abilitazioni/")
    _expect_riga(page, ente, 2, ALLEGATO_2, SEDE, "Approvata")
    _expect_riga(page, ente, 3, ALLEGATO_3, DIREZIONE, f"Respinta: {MOTIVO}")
    expect(main.get_by_role("button", name="Ritira")).to_have_count(0)
    _scansiona(page)

    page.get_by_test_id("menu-principale").get_by_role("link", name=AREA_ENTI).click()
    expect(page).to_have_url(f"{live_server.url}/enti/")
    scheda = page.get_by_role("region", name=ente.nome)
    expect(scheda.get_by_role("listitem")).to_have_text([GIA_DETENUTA, ALLEGATO_2])
    _scansiona(page)

    detenute = AbilitazioneDetenuta.objects.filter(pin__user=operatore, ente=ente).values_list("nome", flat=True)
    assert sorted(detenute) == [GIA_DETENUTA, ALLEGATO_2]
