"""PassWeb in the browser (Circolare INPS 71/2016, allegato 4): the operator of an Ente, with a PIN dispositivo, asks
for PassWeb; the portal fills the modulo and says where the Ente sends it, and sends nothing itself. The Ente sends the
modulo, signed digitally by its legal representative, by PEC from its own address through the development PEC
gateway's real SMTP server; the portal reads the INPS mailbox, files the PEC to the request and verifies the
signature; the Direzione centrale Posizione Assicurativa reads the signer in the back office and approves; the
operator finds PassWeb among the abilitazioni held for the Ente. axe-core scans the operator's pages on the way."""

from __future__ import annotations

import importlib
import re
import smtplib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.apps import apps
from django.db import connections
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from abilitazioni.models import Abilitazione, RichiestaInstradata
from accounts.models import PIN, AbilitazioneDetenuta, Comune, Ente, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal.pec import casella
from inps_portal.pec.models import MessaggioPEC, PECInArrivo
from tests.conftest import GatewaySMTP
from tests.e2e.conftest import COSENZA_ISTAT, TIMEOUT_MS, VIEWPORT, submit_login
from tests.e2e.test_accessibilita import assert_no_serious_violations
from tests.factories import PASSWORD, EnteFactory, UserFactory, crea_pin, personale_inps
from tests.pki import CODICE_FISCALE_MARIO_ROSSI, Identita, crea_ca, emetti_firmatario, firma_pdf, pem

pytestmark = pytest.mark.e2e

T = TypeVar("T")

AREA_ENTI = "Area riservata Amministrazioni ed Enti"
PIN_OPERATORE = "VECCHIOPIN234567"  # the code crea_pin gives every PIN
# After the deadline of the online PINs (1 July 2016): a PIN dispositivo still opens the Area riservata.
OGGI = "2016-09-15T10:00:00"
DATA = "15/09/2016"
PASSWEB = "PassWeb"
UFFICIO = "Direzione centrale Posizione Assicurativa"
# Fictitious addresses: the real INPS routing mailbox of the catalogue is never written to by a test.
CASELLA_PASSWEB = "passweb.prova@pec-inps.localhost"
PEC_ENTE = "protocollo@pec-asp-cosenza.localhost"


@dataclass(frozen=True)
class Persone:
    operatore: User
    ente: Ente
    personale_centrale: User


def _ricrea(modulo: str, funzione: str = "crea") -> None:
    """Put back the rows of a data migration: every test with ``transactional_db`` ends by emptying all tables."""
    getattr(importlib.import_module(modulo), funzione)(apps, None)


def _fuori_dal_loop(funzione: Callable[..., T], *args: Any) -> T:
    """Run ``funzione`` in a thread of its own: pyHanko calls ``asyncio.run``, which fails in this thread, where
    Playwright keeps its event loop running. The thread's database connection is closed before it ends, so the
    transactional test can empty the tables afterwards."""

    def in_thread() -> T:
        try:
            return funzione(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as esecutore:
        return esecutore.submit(in_thread).result()


@pytest.fixture
def firmatario(settings: Any, tmp_path: Path) -> Identita:
    """Mario Rossi, the Ente's legal representative, with a certificate of a test authority the portal trusts."""
    settings.PORTAL_CLOCK_NOW = OGGI  # the certificates are valid around the day of the journey
    ca = crea_ca()
    radice = tmp_path / "radice.pem"
    radice.write_bytes(pem(ca.certificato))
    settings.FIRME_RADICI_ATTENDIBILI = [str(radice)]
    return emetti_firmatario(ca)


@pytest.fixture
def persone(registro_e2e: None, pec_smtp: GatewaySMTP, settings: Any, firmatario: Identita) -> Persone:
    """An operator with a PIN dispositivo and no abilitazione yet for an Ente of Cosenza that has its own PEC, and a
    member of the Direzione centrale Posizione Assicurativa; the catalogue of the Circolare recreated, with PassWeb
    routed to a fictitious mailbox."""
    settings.PORTAL_CLOCK_NOW = OGGI
    _ricrea("abilitazioni.migrations.0002_catalogo_della_circolare")
    _ricrea("abilitazioni.migrations.0004_ufficio_centrale_e_pec_dell_ente", "assegna")
    _ricrea("accounts.migrations.0004_scadenza_della_circolare")
    assert Abilitazione.objects.filter(nome=PASSWEB).update(indirizzo_pec=CASELLA_PASSWEB) == 1
    # An unusable Django password: only the PIN opens the portal, as for every operator of an Ente.
    operatore = UserFactory.create(password="!", nome="Giulia", cognome="Verdi", email="giulia.verdi@example.it")
    ente = EnteFactory.create(
        nome="Azienda Sanitaria Provinciale di Cosenza",
        comune=Comune.objects.get(codice_istat=COSENZA_ISTAT),
        pec=PEC_ENTE,
    )
    ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    crea_pin(operatore, [], tipo=PIN.Tipo.DISPOSITIVO)
    return Persone(
        operatore=operatore,
        ente=ente,
        personale_centrale=personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-PA"),
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


def _riga_della_richiesta(page: Page, ente: Ente, stato: str) -> Locator:
    """The only row of the operator's table of requests: date, Ente, allegato 4, PassWeb, the routing mailbox with
    the deciding office, and a status cell that opens with ``stato``."""
    tabella = page.get_by_role("table", name="Richieste di abilitazioni, per allegato")
    righe = tabella.get_by_role("row").filter(has=page.get_by_role("cell"))
    expect(righe).to_have_count(1)
    expect(righe.get_by_role("cell")).to_have_text(
        [
            DATA,
            ente.nome,
            "4",
            f"Aggiunta: {PASSWEB}",
            re.compile(rf"^PEC a {re.escape(CASELLA_PASSWEB)}\s*{re.escape(UFFICIO)}$"),
            re.compile(rf"^{re.escape(stato)}(\s|$)"),
        ]
    )
    return righe


def _pec_dell_ente(pec_smtp: GatewaySMTP, *, mittente: str, a: str, oggetto: str, modulo: bytes) -> None:
    """The Ente's own PEC client: the signed modulo attached, through the gateway's SMTP server."""
    messaggio = EmailMessage()
    messaggio["From"] = mittente
    messaggio["To"] = a
    messaggio["Subject"] = oggetto
    messaggio["Message-ID"] = make_msgid(domain="pec-asp-cosenza.localhost")
    messaggio.set_content("Si trasmette il modulo allegato 4 firmato digitalmente dal legale rappresentante.")
    messaggio.add_attachment(modulo, maintype="application", subtype="pdf", filename="allegato-4-firmato.pdf")
    with smtplib.SMTP("127.0.0.1", pec_smtp.controller.port) as smtp:
        smtp.send_message(messaggio)


def _accedi_al_back_office(page: Page, live_server: LiveServer, staff: User) -> None:
    """The back office has no login page of its own: /admin/ leads to the portal's login, and back."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/account/login/personale/\?next="))
    submit_login(page, staff.codice_fiscale, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/admin/")


def test_passweb_the_ente_sends_the_signed_modulo_by_pec_and_the_central_office_approves(
    page: Page,
    altro_browser: Page,
    live_server: LiveServer,
    persone: Persone,
    pec_smtp: GatewaySMTP,
    firmatario: Identita,
) -> None:
    operatore, ente = persone.operatore, persone.ente
    main = page.get_by_role("main")
    header = page.get_by_role("banner")

    # 1. The operator logs in with the PIN dispositivo and asks for PassWeb (allegato 4).
    page.goto("/account/login/")
    submit_login(page, operatore.codice_fiscale, PIN_OPERATORE)
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    page.get_by_test_id("menu-principale").get_by_role("link", name=AREA_ENTI).click()
    expect(page).to_have_url(f"{live_server.url}/enti/")
    main.get_by_role("link", name="Chiedi nuove abilitazioni").click()
    expect(page).to_have_url(f"{live_server.url}/enti/abilitazioni/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Richiesta di abilitazioni")
    expect(main).to_contain_text("Nessuna richiesta.")

    page.get_by_label("Ente", exact=True).select_option(label=ente.nome)
    casella_passweb = page.get_by_role("group", name=re.compile(r"^Allegato 4")).get_by_label(f"Aggiungere: {PASSWEB}")
    casella_passweb.scroll_into_view_if_needed()
    expect(casella_passweb).to_be_in_viewport()
    casella_passweb.check()
    page.get_by_role("button", name="Invia la richiesta").click()

    expect(page).to_have_url(f"{live_server.url}/enti/abilitazioni/")
    expect(main.get_by_role("status").filter(has_text="Richiesta inviata")).to_have_text(
        "Richiesta inviata: ogni parte va all'ufficio che la decide."
    )
    expect(
        _riga_della_richiesta(page, ente, "In attesa del modulo firmato").get_by_role("button", name="Ritira")
    ).to_be_visible()

    # What the Ente has to do: the portal fills the modulo and names the mailboxes and the subject, nothing more.
    da_completare = page.get_by_test_id("da-completare")
    expect(da_completare).to_have_count(1)
    expect(da_completare).to_contain_text("(allegato 4)")
    expect(da_completare).to_contain_text(f"dalla propria casella PEC {PEC_ENTE}")
    expect(da_completare.get_by_test_id("indirizzo-pec")).to_have_text(CASELLA_PASSWEB)
    oggetto = da_completare.get_by_test_id("oggetto-pec").inner_text().strip()
    instradata = RichiestaInstradata.objects.get(richiesta__ente=ente)
    assert oggetto == f"Richiesta abilitazioni n. {instradata.numero} - {ente.nome} (C.F. {ente.codice_fiscale})"
    expect(da_completare.get_by_label("Carichi il modulo firmato")).to_have_count(0)  # it comes by PEC, not upload
    assert not MessaggioPEC.objects.exists()  # the portal writes no PEC in the Ente's name
    _scansiona(page)

    with page.expect_download() as scaricamento:
        da_completare.get_by_role("link", name="Scarichi il modulo allegato 4 compilato (PDF)").click()
    modulo = Path(scaricamento.value.path()).read_bytes()
    assert modulo.startswith(b"%PDF-")

    header.get_by_role("button", name="Esci").click()
    expect(header.get_by_role("link", name="Accedi", exact=True)).to_be_visible()

    # 2. The Ente: its legal representative signs the modulo digitally, and the Ente sends it by PEC from its own
    # address to the routing mailbox, with the subject the portal gave.
    firmato = _fuori_dal_loop(firma_pdf, modulo, firmatario)
    _pec_dell_ente(pec_smtp, mittente=ente.pec, a=CASELLA_PASSWEB, oggetto=oggetto, modulo=firmato)

    # 3. The portal reads the INPS mailboxes (a periodic task in production): the PEC is filed to the request. Called
    # here beside Playwright's loop as it is: inps_portal.firme runs pyHanko's validation away from a running loop.
    assert casella.leggi_posta_in_arrivo() == 1
    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.INVIATA
    assert instradata.pec_in_arrivo is not None
    assert instradata.pec_in_arrivo.status == PECInArrivo.Status.SMISTATA
    assert instradata.pec_in_arrivo.certificata
    assert instradata.firma["valida"]
    assert instradata.firma["codice_fiscale"] == CODICE_FISCALE_MARIO_ROSSI

    # 4. The Direzione centrale Posizione Assicurativa reads the signer, takes the request in charge and approves.
    centrale = altro_browser
    _accedi_al_back_office(centrale, live_server, persone.personale_centrale)
    centrale.get_by_role("link", name="Richieste instradate").first.click()
    expect(centrale).to_have_url(re.compile(r"/admin/abilitazioni/richiestainstradata/$"))
    righe = _righe_di_dati(centrale)
    expect(righe).to_have_count(1)
    expect(righe).to_contain_text("Allegato 4")
    expect(righe).to_contain_text("Modulo ricevuto, in attesa dell'ufficio")
    expect(righe).to_contain_text(ente.nome)
    righe.get_by_role("link", name=re.compile(r"^Verdi Giulia")).click()
    expect(centrale).to_have_url(re.compile(r"/admin/abilitazioni/richiestainstradata/\d+/change/$"))
    centrale.get_by_role("link", name="Prendi in carico o decidi").click()
    expect(centrale).to_have_url(re.compile(r"/admin/abilitazioni/richiestainstradata/\d+/decidi/$"))
    expect(centrale.get_by_role("main")).to_contain_text("Operatore: Giulia Verdi")
    expect(centrale.get_by_role("main").get_by_role("listitem")).to_have_text([f"Aggiunta: {PASSWEB}"])
    expect(centrale.get_by_test_id("firma-del-modulo")).to_contain_text("Firma digitale valida di Mario Rossi")

    expect(centrale.get_by_role("button", name=re.compile("^Approva"))).to_have_count(0)
    centrale.get_by_role("button", name="Prendi in carico").click()
    expect(centrale.get_by_text("Richiesta presa in carico: ora può approvarla o respingerla.")).to_be_visible()
    expect(centrale.get_by_role("main")).to_contain_text("Stato: Presa in carico")
    _scansiona(centrale)
    centrale.get_by_role("button", name="Approva: le abilitazioni vanno sul PIN").click()
    expect(
        centrale.get_by_text("Richiesta approvata: le abilitazioni sono sul PIN e l'operatore è informato.")
    ).to_be_visible()
    expect(centrale.get_by_role("main")).to_contain_text("Approvata")
    expect(centrale.get_by_role("link", name="Prendi in carico o decidi")).to_have_count(0)

    instradata.refresh_from_db()
    assert instradata.status == RichiestaInstradata.Status.APPROVATA

    # 5. The operator logs back in: the request is approved and PassWeb is held for the Ente.
    page.goto("/account/login/")
    submit_login(page, operatore.codice_fiscale, PIN_OPERATORE)
    expect(page.get_by_test_id("utente-collegato")).to_have_text("Giulia Verdi")
    page.goto("/enti/abilitazioni/")
    _riga_della_richiesta(page, ente, "Approvata")
    expect(page.get_by_test_id("da-completare")).to_have_count(0)
    expect(main.get_by_role("button", name="Ritira")).to_have_count(0)
    _scansiona(page)

    page.get_by_test_id("menu-principale").get_by_role("link", name=AREA_ENTI).click()
    expect(page).to_have_url(f"{live_server.url}/enti/")
    scheda = page.get_by_role("region", name=ente.nome)
    expect(scheda.get_by_role("listitem")).to_have_text([PASSWEB])
    _scansiona(page)

    detenute = AbilitazioneDetenuta.objects.filter(pin__user=operatore, ente=ente).values_list("nome", flat=True)
    assert list(detenute) == [PASSWEB]
