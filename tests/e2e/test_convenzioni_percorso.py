"""The PUE convention in the browser (Messaggio 4461/2023): the Referente of the Comune di Rende downloads the
convention the portal generated, has it signed by the Sindaco (PAdES, with the demonstration PKI, as the Comune's
signing software would) and uploads it; the Direttore regionale della Calabria finds it in the registry and signs it
for INPS; both see it active, with the two signatures. axe-core scans every page on the way."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Comune, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import pki_demo, services
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import CAMPO_FIRMA_COMUNE, Convenzione, VersioneQuadro
from convenzioni.testo import TESTO_QUADRO_2023
from idp_locale.identita import PASSWORD_DEMO
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT, submit_login
from tests.e2e.test_accessibilita import assert_no_serious_violations
from tests.factories import PASSWORD, UserFactory, codice_fiscale_valido
from tests.idp_locale import IdpLocale

pytestmark = pytest.mark.e2e
T = TypeVar("T")

SINDACO = pki_demo.Persona(codice_fiscale_valido(951), "Giovanni", "Ferraro")

DIRETTORE_DEMO = "RMNNTN65D30H224E"  # Antonio Romano, an identity of the local identity provider


@dataclass(frozen=True)
class Persone:
    referente: User
    direttore: User
    convenzione: Convenzione


def _fuori_dal_loop(funzione: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """pyHanko's signing calls ``asyncio.run``, which fails in this thread, where Playwright keeps its loop running:
    a thread of its own, whose connection is closed before it ends."""

    def in_thread() -> T:
        try:
            return funzione(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as esecutore:
        return esecutore.submit(in_thread).result()


def _prepara(cartella: Path) -> Persone:
    VersioneQuadro.objects.get_or_create(
        numero=1, defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)}
    )
    pki_demo.certificato(SINDACO)
    rende = Comune.objects.select_related("provincia").get(codice_istat="078102")
    referente = UserFactory.create(nome="Sara", cognome="Bruno")
    ruolo_assegna(user=referente, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=rende)
    # Antonio Romano, who is in the local identity provider: he confirms his identity with SPID before signing.
    direttore = UserFactory.create(codice_fiscale=DIRETTORE_DEMO, nome="Antonio", cognome="Romano")
    ruolo_assegna(user=direttore, ruolo=Ruolo.DIRETTORE, organizzazione=Struttura.objects.get(codice="DR-18"))
    direttore = User.objects.get(pk=direttore.pk)
    pki_demo.certificato(pki_demo.Persona(direttore.codice_fiscale, direttore.nome, direttore.cognome))
    dati = dati_di_esempio(
        rende,
        legale_rappresentante_codice_fiscale=SINDACO.codice_fiscale,
        amministratore_codice_fiscale=codice_fiscale_valido(952),
        referente_comune_codice_fiscale=codice_fiscale_valido(953),
        data_inizio=dt.date(2026, 1, 1),
    )
    referente = User.objects.get(pk=referente.pk)
    convenzione = services.convenzione_crea(chi=referente, comune=rende, dati=dati)
    return Persone(referente=referente, direttore=direttore, convenzione=convenzione)


@pytest.fixture
def persone(registro_e2e: None, pec_locale: Any, settings: Any, tmp_path: Path) -> Persone:
    settings.CONVENZIONI_PKCS12_CARTELLA = str(tmp_path / "p12")
    settings.CONVENZIONI_RADICI_AGGIUNTIVE = [str(tmp_path / "p12" / pki_demo.CA_CERTIFICATO)]
    settings.FIRME_RADICI_ATTENDIBILI = []
    return _fuori_dal_loop(_prepara, tmp_path)


@pytest.fixture
def altro_browser(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="it-IT", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _scansiona(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    assert_no_serious_violations(page)


def _entra(page: Page, user: User) -> None:
    page.goto("/account/login/personale/")
    submit_login(page, user.codice_fiscale, PASSWORD)
    expect(page.get_by_test_id("utente-collegato")).to_be_visible()


def test_the_comune_signs_and_uploads_the_director_signs_both_see_it_active(
    page: Page, altro_browser: Page, live_server: LiveServer, persone: Persone, tmp_path: Path, idp: IdpLocale
) -> None:
    convenzione = persone.convenzione
    main = page.get_by_role("main")

    # 1. The Referente of the Comune: from "Il mio Comune" to the convention, still to be signed.
    _entra(page, persone.referente)
    page.get_by_test_id("menu-principale").get_by_role("link", name="Il mio Comune").click()
    _scansiona(page)
    main.get_by_role("link", name="La convenzione del Punto Utente Evoluto").click()
    _scansiona(page)
    main.get_by_role("link", name=convenzione.numero).click()
    expect(page).to_have_url(f"{live_server.url}/convenzioni/{convenzione.pk}/")
    expect(page.get_by_test_id("stato")).to_have_text("Bozza, da firmare per il Comune")
    expect(page.get_by_test_id("supporto")).to_contain_text("06 0000 0000")
    _scansiona(page)

    # 2. The PDF to sign, signed by the Sindaco with his device, uploaded.
    with page.expect_download() as scaricamento:
        page.get_by_test_id("scarica").click()
    generato = Path(scaricamento.value.path()).read_bytes()
    assert generato.startswith(b"%PDF-")
    firmato = _fuori_dal_loop(pki_demo.firma_come, generato, SINDACO.codice_fiscale, campo=CAMPO_FIRMA_COMUNE)
    file_firmato = tmp_path / "convenzione-firmata.pdf"
    file_firmato.write_bytes(firmato)
    main.get_by_label(re.compile(r"^Convenzione firmata digitalmente")).set_input_files(str(file_firmato))
    main.get_by_role("button", name="Carica la convenzione firmata").click()
    expect(main.get_by_role("status")).to_contain_text("Convenzione firmata dal Comune ricevuta e verificata")
    expect(page.get_by_test_id("stato")).to_have_text("Firmata dal Comune, in attesa della firma INPS")
    expect(page.get_by_test_id("firme")).to_contain_text("Giovanni Ferraro")
    _scansiona(page)

    # 3. The Director: the registry of his territory, the convention, "Firma per l'INPS"; he logged in with his
    # password, which is not a strong identity: he confirms it with SPID (prompt=login at the identity provider).
    direttore = altro_browser
    _entra(direttore, persone.direttore)
    direttore.get_by_test_id("menu-principale").get_by_role("link", name="La mia struttura").click()
    direttore.get_by_role("main").get_by_role("link", name="registro delle convenzioni PUE").click()
    expect(direttore).to_have_url(f"{live_server.url}/convenzioni/")
    _scansiona(direttore)
    direttore.get_by_role("main").get_by_label("Stato").select_option("firmata_comune")
    direttore.get_by_role("main").get_by_role("button", name="Filtra").click()
    righe = direttore.get_by_test_id("convenzione")
    expect(righe).to_have_count(1)
    righe.get_by_role("link", name=convenzione.numero).click()
    _scansiona(direttore)
    direttore.get_by_test_id("firma-inps").click()
    expect(direttore).to_have_url(re.compile(r"/account/conferma-identita/"))
    _scansiona(direttore)
    direttore.get_by_test_id("entra-spid").click()
    direttore.wait_for_url(lambda url: url.startswith(idp.url))
    direttore.get_by_label("Nome utente").fill("antonio.romano")
    direttore.get_by_label("Password").fill(PASSWORD_DEMO)
    direttore.get_by_role("button", name="Entra").click()
    expect(direttore).to_have_url(f"{live_server.url}/convenzioni/{convenzione.pk}/")
    direttore.get_by_test_id("firma-inps").click()
    expect(direttore.get_by_role("main").get_by_role("status")).to_contain_text("Convenzione firmata per l'INPS")
    expect(direttore.get_by_test_id("stato")).to_have_text("Attiva (firmata dalle due Parti)")
    expect(direttore.get_by_test_id("firme").get_by_role("row")).to_have_count(3)  # the header and two signatures
    _scansiona(direttore)

    # 4. The Comune sees it active, with its protocol number, and downloads the document signed by both.
    page.reload()
    expect(page.get_by_test_id("stato")).to_have_text("Attiva (firmata dalle due Parti)")
    convenzione.refresh_from_db()
    assert convenzione.protocollo
    expect(main).to_contain_text(convenzione.protocollo)
    with page.expect_download() as finale:
        page.get_by_test_id("scarica").click()
    assert Path(finale.value.path()).read_bytes().startswith(generato)
