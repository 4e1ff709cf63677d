"""A PUE web meeting from the booking to the monitoring, in the browser (Messaggio 4461/2023, "Gestione sportelli"):
Anna Marino, enabled operator of the Comune di Rende, enters with SPID (the local identity provider) and books in five
steps a meeting with the Sede di Cosenza for Giulio Verdi, with her assistance; on the meeting's day the Sede's INPS
operator finds it among the day's meetings and records that it was held; at the Comune's workstation the citizen rates
it; Sara Bruno, Referente del Comune of the convention, enters with SPID and finds the meeting held and the rating in
the monitoring. axe-core scans every page of the portal on the way.

Apart: a link to cancel a booking that a colleague has cancelled meanwhile answers 410 with what happened.

The portal's clock is pinned (``ADESSO``, Monday 1 March 2027 at 10:00 in Rome) for the whole journey and moved
forward to the meeting from the test's body: the live server runs in a thread of this process and reads the same
clock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni.models import FiguraConvenzione
from idp_locale.identita import PASSWORD_DEMO, IdentitaDemo, identita_per_username
from inps_portal import clock
from pue.models import Prenotazione
from pue.prenotazioni import prenotazione_annulla
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT, submit_login
from tests.e2e.test_accessibilita import assert_no_serious_violations
from tests.factories import PASSWORD, UserFactory, accesso_forte, codice_fiscale_valido, personale_inps
from tests.idp_locale import IdpLocale
from tests.pue_scena import ADESSO, SLOT, Scena, prenotazione_confermata, scena_prenotazioni

pytestmark = pytest.mark.e2e

CITTADINO = codice_fiscale_valido(961)
ARGOMENTO = "Estratto conto contributivo"
# The meeting of SLOT (Wednesday 3 March 2027, 09:00-09:30 in Rome) under way, then just ended.
DURANTE = SLOT + dt.timedelta(minutes=10)
DOPO = SLOT + dt.timedelta(minutes=30)


def _identita(username: str) -> IdentitaDemo:
    identita = identita_per_username(username)
    assert identita is not None, username
    return identita


ANNA = _identita("anna.marino")  # "Operatore del Comune di Rende", SPID level 2
SARA = _identita("sara.bruno")  # "Referente del Comune", SPID level 3


@dataclass(frozen=True)
class Persone:
    scena: Scena
    operatore: User  # Anna Marino, enabled operator of the Comune di Rende
    referente: User  # Sara Bruno, Referente del Comune named in the convention
    sportello: User  # operatore di sportello of the Sede di Cosenza


def _diventa(user: User, identita: IdentitaDemo) -> User:
    """The person of the scene is the one the identity provider knows: the portal matches SPID by codice fiscale."""
    User.objects.filter(pk=user.pk).update(
        codice_fiscale=identita.codice_fiscale, nome=identita.nome, cognome=identita.cognome
    )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def adesso() -> Iterator[None]:
    with clock.frozen(ADESSO):
        yield


@pytest.fixture
def scena(registro_e2e: None, pec_locale: Any, adesso: None) -> Scena:
    """Rende with an active convention and an enabled operator; the Sede di Cosenza's sportello, open weekdays."""
    return scena_prenotazioni()


@pytest.fixture
def persone(scena: Scena) -> Persone:
    operatore = _diventa(scena.operatore, ANNA)
    figura = FiguraConvenzione.objects.get(
        convenzione=scena.convenzione, ruolo=FiguraConvenzione.Ruolo.REFERENTE_COMUNE, sostituita_il__isnull=True
    )
    referente = _diventa(User.objects.get(codice_fiscale=figura.codice_fiscale), SARA)
    FiguraConvenzione.objects.filter(pk=figura.pk).update(
        codice_fiscale=SARA.codice_fiscale, nome=SARA.nome, cognome=SARA.cognome
    )
    sportello = personale_inps(Ruolo.OPERATORE_SPORTELLO, "ST-CS")  # the Sede of scena.sportello
    sportello.set_password(PASSWORD)
    sportello.save(update_fields=["password"])
    return Persone(scena=scena, operatore=operatore, referente=referente, sportello=sportello)


@pytest.fixture
def nuova_pagina(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[], Page]]:
    """A new context of the one browser for each person (no cookies shared with the others)."""
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


def _spunta(page: Page, etichetta: str | re.Pattern[str]) -> None:
    """Ticks a box or a radio as people do, on its label: Bootstrap Italia draws the control on the label, which
    covers the input."""
    casella = page.get_by_label(etichetta)
    page.locator(f"label[for='{casella.get_attribute('id')}']").click()
    expect(casella).to_be_checked()


def _entra_con_spid(page: Page, idp: IdpLocale, identita: IdentitaDemo, live_server: LiveServer, dove: str) -> None:
    """A PUE page asks for a login: the portal's login page, "Entra con SPID", the identity provider, and back."""
    page.goto(dove)
    expect(page).to_have_url(re.compile(r"/account/login/\?next="))
    _scansiona(page)
    page.get_by_test_id("entra-spid").click()
    page.wait_for_url(lambda url: url.startswith(idp.url))
    page.get_by_label("Nome utente").fill(identita.username)
    page.get_by_label("Password").fill(PASSWORD_DEMO)
    page.get_by_role("button", name="Entra").click()
    expect(page).to_have_url(f"{live_server.url}{dove}")
    expect(page.get_by_test_id("utente-collegato")).to_contain_text(f"{identita.nome} {identita.cognome}")


def test_a_meeting_booked_with_assistance_is_held_rated_and_monitored(
    nuova_pagina: Callable[[], Page], live_server: LiveServer, idp: IdpLocale, persone: Persone
) -> None:
    scena = persone.scena
    rende = scena.comune.codice_istat

    # 1. Anna Marino enters with SPID and books, in five steps, a meeting with the Sede di Cosenza.
    anna = nuova_pagina()
    _entra_con_spid(anna, idp, ANNA, live_server, "/pue/gestione-sportelli/")
    expect(anna.get_by_role("heading", level=1)).to_have_text("Gestione sportelli")
    _scansiona(anna)
    anna.get_by_test_id(f"prenota-{rende}").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Nuova prenotazione per il Comune di Rende")
    _scansiona(anna)
    anna.get_by_test_id(f"sportello-{scena.sportello.pk}").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(scena.sportello.nome)
    _scansiona(anna)
    mercoledi = anna.locator("h3", has_text=re.compile(r"03 marzo 2027", re.IGNORECASE))
    mercoledi.locator("xpath=following-sibling::div[1]").get_by_test_id("slot").filter(has_text="09:00").click()
    expect(anna).to_have_url(re.compile(r"/pue/prenotazioni/\d+/dettagli/$"))
    prenotazione = Prenotazione.objects.get(sportello=scena.sportello, inizio=SLOT)
    _scansiona(anna)
    anna.get_by_label("Argomento dell'incontro").fill(ARGOMENTO)
    _spunta(anna, re.compile(r"^Il cittadino chiede l'assistenza"))
    anna.get_by_test_id("avanti").click()
    expect(anna).to_have_url(f"{live_server.url}/pue/prenotazioni/{prenotazione.pk}/richiedente/")
    _scansiona(anna)
    for campo in ("codice_fiscale", "nome", "cognome"):  # each datum once: a second, empty field would win the POST
        expect(anna.locator(f"input[name='{campo}']"), f"campo {campo} ripetuto").to_have_count(1)
    anna.get_by_label("Codice fiscale del cittadino").fill(CITTADINO)
    anna.get_by_label("Nome", exact=True).fill("Giulio")
    anna.get_by_label("Cognome", exact=True).fill("Verdi")
    _spunta(anna, "Residente nel Comune")
    _spunta(anna, re.compile(r"^Il cittadino ha reso la dichiarazione"))
    anna.get_by_test_id("avanti").click()
    expect(anna).to_have_url(f"{live_server.url}/pue/prenotazioni/{prenotazione.pk}/riepilogo/")
    riepilogo = anna.get_by_test_id("riepilogo")
    expect(riepilogo).to_contain_text(f"Giulio Verdi, {CITTADINO}")
    expect(riepilogo).to_contain_text("Sì, durante l'incontro")
    _scansiona(anna)
    anna.get_by_test_id("conferma").click()
    expect(anna).to_have_url(f"{live_server.url}/pue/prenotazioni/{prenotazione.pk}/")
    expect(anna.get_by_role("main").get_by_role("status")).to_contain_text("Prenotazione confermata")
    expect(anna.get_by_test_id("stato")).to_have_text("Confermata")
    expect(anna.get_by_test_id("cittadino")).to_contain_text(f"Giulio Verdi, {CITTADINO}")
    expect(anna.get_by_test_id("valuta")).to_have_count(0)  # the meeting has not started
    _scansiona(anna)
    prenotazione.refresh_from_db()
    assert (prenotazione.stato, prenotazione.assistenza) == (Prenotazione.Stato.CONFERMATA, True)

    # 2. On the meeting's day, the INPS operator of the Sede finds it among the day's meetings, with assistance,
    # and records that it was held.
    with clock.frozen(DURANTE):
        sede = nuova_pagina()
        sede.goto("/account/login/personale/")
        submit_login(sede, persone.sportello.codice_fiscale, PASSWORD)
        expect(sede.get_by_test_id("utente-collegato")).to_be_visible()
        sede.goto("/pue/sportello/")
        expect(sede.get_by_role("heading", level=1)).to_have_text(f"Incontri del giorno: {scena.sportello.nome}")
        incontro = sede.get_by_test_id("incontro")
        expect(incontro).to_have_count(1)
        expect(incontro).to_contain_text("09:00\u201309:30")
        expect(incontro).to_contain_text("Giulio Verdi")
        expect(incontro).to_contain_text("con assistenza")
        expect(incontro).to_contain_text(ARGOMENTO)
        expect(incontro.get_by_test_id("stato")).to_have_text("Confermata")
        _scansiona(sede)
        incontro.get_by_role("link", name="Giulio Verdi").click()
        expect(sede).to_have_url(f"{live_server.url}/pue/sportello/prenotazioni/{prenotazione.pk}/")
        expect(sede.get_by_role("heading", level=1)).to_have_text("Incontro del 03/03/2027 alle 09:00")
        expect(sede.get_by_role("main")).to_contain_text("Sì, con assistenza dell'operatore del Comune")
        _scansiona(sede)
        _spunta(sede, "L'incontro si è svolto")
        sede.get_by_label("Note dell'operatore INPS").fill("Estratto conto verificato con il cittadino.")
        sede.get_by_role("button", name="Registra l'esito").click()
        expect(sede.get_by_role("main").get_by_role("status")).to_have_text(
            "Esito registrato per l'incontro delle 09:00: svolta."
        )
        expect(sede.get_by_test_id("stato")).to_have_text("Svolta")
        expect(sede.get_by_role("main")).to_contain_text("Estratto conto verificato con il cittadino.")
        _scansiona(sede)
        sede.get_by_role("link", name="Torna agli incontri del giorno").click()
        expect(sede.get_by_test_id("incontro").get_by_test_id("stato")).to_have_text("Svolta")
        _scansiona(sede)

    # 3. The meeting over, at the Comune's workstation the citizen rates it.
    with clock.frozen(DOPO):
        anna.reload()
        expect(anna.get_by_test_id("stato")).to_have_text("Svolta")
        anna.get_by_test_id("valuta").click()
        expect(anna).to_have_url(f"{live_server.url}/pue/prenotazioni/{prenotazione.pk}/valutazione/")
        expect(anna.get_by_role("heading", level=1)).to_have_text("Com'è andato l'incontro con l'INPS?")
        _scansiona(anna)
        _spunta(anna, "5 - Molto soddisfatto")
        anna.get_by_label("Commento (facoltativo)").fill("Operatore chiaro e disponibile.")
        anna.get_by_test_id("invia-valutazione").click()
        expect(anna.get_by_role("heading", level=1)).to_have_text("Grazie per la sua valutazione")
        expect(anna.get_by_test_id("grazie")).to_contain_text("La valutazione è registrata")
        _scansiona(anna)
        anna.get_by_role("link", name="Torna alla prenotazione").click()
        expect(anna.get_by_role("main")).to_contain_text("5 su 5")
        expect(anna.get_by_test_id("valuta")).to_have_count(0)

        # 4. Sara Bruno, Referente del Comune, enters with SPID: one meeting booked and held, rated 5.
        sara = nuova_pagina()
        _entra_con_spid(sara, idp, SARA, live_server, "/pue/monitoraggio/")
        expect(sara.get_by_role("heading", level=1)).to_have_text("Monitoraggio delle convenzioni PUE")
        expect(sara.get_by_test_id("nascoste")).to_have_count(0)  # a strong session: nothing held back
        riga = sara.get_by_test_id("convenzione")
        expect(riga).to_have_count(1)
        celle = riga.get_by_role("cell")
        expect(celle.nth(3)).to_have_text("1")  # prenotati
        expect(celle.nth(4)).to_have_text("1")  # svolti
        expect(celle.nth(5)).to_have_text("0")  # non presentati
        expect(celle.nth(6)).to_have_text("5,00 su 5 (1 valutazione)")
        _scansiona(sara)
        riga.get_by_role("link", name="Rende (CS)").click()
        expect(sara).to_have_url(f"{live_server.url}/pue/monitoraggio/{scena.convenzione.pk}/")
        expect(sara.get_by_role("heading", level=1)).to_have_text(
            "Monitoraggio della convenzione PUE con il Comune di Rende"
        )
        mese = sara.get_by_test_id("mese")
        expect(mese).to_have_count(1)
        expect(mese.get_by_role("rowheader")).to_have_text("Marzo 2027")
        totale = sara.get_by_test_id("totale").get_by_role("cell")
        expect(totale.nth(0)).to_have_text("1")  # prenotati
        expect(totale.nth(1)).to_have_text("1")  # svolti
        expect(totale.nth(4)).to_have_text("0")  # in attesa di esito
        expect(totale.nth(6)).to_have_text("5,00")  # gradimento medio
        expect(totale.nth(7)).to_have_text("1")  # valutazioni
        expect(sara.get_by_test_id("grafico")).to_have_count(3)
        _scansiona(sara)


def _entra_con_sessione_forte(page: Page, user: User, live_server: LiveServer) -> None:
    """The session SPID of level 2 leaves (``accounts.services.accessi``), opened by Django's test client and handed
    to the browser: this test is about a link, not about the way in."""
    client = Client()
    client.force_login(user)
    accesso_forte(client)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
                "httpOnly": True,
            }
        ]
    )


def test_a_cancel_link_of_a_booking_a_colleague_cancelled_answers_410(
    page: Page, live_server: LiveServer, scena: Scena
) -> None:
    prenotazione = prenotazione_confermata(scena)
    _entra_con_sessione_forte(page, scena.operatore, live_server)
    page.goto(f"/pue/prenotazioni/{prenotazione.pk}/")
    expect(page.get_by_test_id("stato")).to_have_text("Confermata")

    # Meanwhile a colleague of the same Comune cancels it.
    collega = UserFactory.create()
    ruolo_assegna(user=collega, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=scena.comune)
    prenotazione_annulla(chi=collega, prenotazione_id=prenotazione.pk, motivo="il cittadino ha rinunciato")

    with page.expect_response(lambda r: r.url.endswith(f"/pue/prenotazioni/{prenotazione.pk}/annulla/")) as risposta:
        page.get_by_test_id("annulla").click()
    assert risposta.value.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("Questo collegamento non è più valido")
    expect(page.get_by_test_id("perche")).to_have_text(
        "La prenotazione è stata annullata il 01/03/2027 (il cittadino ha rinunciato)."
    )
    expect(page.get_by_role("main").get_by_role("link", name="Le prenotazioni del Comune")).to_be_visible()
    _scansiona(page)
    prenotazione.refresh_from_db()
    assert prenotazione.stato == Prenotazione.Stato.ANNULLATA
