"""Login with SPID and CIE through the OpenID Connect gateway, over HTTP against the local identity provider (a real
process, ``python -m idp_locale``): the portal trusts the level only as the ID token returns it, checks the nonce and
the state, links by the fiscal number alone, signs nobody up, and asks ``prompt=login`` for a confirmation."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from accounts.models import Attivita, Comune, SessioneAperta, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from pue import services as pue_services
from pue.models import DesignazioneOperatore
from tests.factories import UserFactory, convenzione_attiva_di_prova, personale_inps
from tests.idp_locale import IdpLocale, idp_in_esecuzione, idp_login, portale_sul_idp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

PASSWORD_IDP = "Demo.Identita.2026"
ANNA, CHIARA, ANTONIO, MARCO = "MRNNNA88A58H235M", "CNTCHR90A41D086R", "RMNNTN65D30H224E", "RCCMRC75E05H235F"
SPID_L1, SPID_L2, SPID_L3 = (f"https://www.spid.gov.it/SpidL{n}" for n in (1, 2, 3))


@pytest.fixture(scope="module")
def idp(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpLocale]:
    with idp_in_esecuzione(live_server.url, tmp_path_factory.mktemp("idp")) as avviato:
        yield avviato


@pytest.fixture(autouse=True)
def _portale_sul_idp(settings: Any, idp: IdpLocale) -> None:
    portale_sul_idp(settings, idp.url)


@pytest.fixture
def rende(registro: None) -> Comune:
    return Comune.objects.get(codice_istat="078102")


@pytest.fixture
def anna(rende: Comune) -> User:
    """An enabled operator of Rende (the role that the enabling gives)."""
    user = UserFactory.create(codice_fiscale=ANNA, nome="Anna", cognome="Marino")
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=rende)
    return user


@dataclass
class Browser:
    """The person's browser: one cookie jar for the portal and the identity provider, as a real one."""

    portale: str
    sessione: requests.Session

    def csrf(self) -> str:
        self.sessione.get(f"{self.portale}{reverse('account_login')}")
        return str(self.sessione.cookies.get(settings.CSRF_COOKIE_NAME) or "")

    def avvia(self, fornitore: str = "spid", **campi: str) -> str:
        """Presses "Entra con SPID/CIE": the portal's redirect to the gateway's authorization endpoint."""
        risposta = self.sessione.post(
            f"{self.portale}{reverse('identita_login', args=[fornitore])}",
            data={"csrfmiddlewaretoken": self.csrf(), "process": "login", **campi},
            headers={"Referer": self.portale},
            allow_redirects=False,
        )
        assert risposta.status_code == 302, risposta.text[:500]
        return risposta.headers["Location"]

    def completa(self, richiesta: str, username: str) -> str:
        return idp_login(self.sessione, richiesta, username, PASSWORD_IDP)

    def torna(self, callback: str) -> requests.Response:
        return self.sessione.get(callback, allow_redirects=False)

    def entra(self, username: str, fornitore: str = "spid", **campi: str) -> requests.Response:
        return self.torna(self.completa(self.avvia(fornitore, **campi), username))

    def pagina(self, nome: str, *args: Any) -> requests.Response:
        return self.sessione.get(f"{self.portale}{reverse(nome, args=args)}", allow_redirects=False)


@pytest.fixture
def browser(live_server: LiveServer) -> Browser:
    return Browser(live_server.url, requests.Session())


def con_parametro(url: str, nome: str, valore: str) -> str:
    parti = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parti.query).items()}
    query[nome] = valore
    return urlunsplit(parti._replace(query=urlencode(query)))


def parametri(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_level_2_is_accepted_linked_by_fiscal_number_and_recorded(anna: User, browser: Browser) -> None:
    richiesta = browser.avvia("spid", next=reverse("pue_gestione_sportelli"))
    chiesti = parametri(richiesta)
    assert chiesti["acr_values"] == SPID_L2
    assert chiesti["code_challenge_method"] == "S256"
    assert chiesti["code_challenge"]
    assert len(chiesti["nonce"]) >= 32
    ritorno = browser.torna(browser.completa(richiesta, "anna.marino"))
    assert ritorno.status_code == 302
    assert ritorno.headers["Location"] == reverse("pue_gestione_sportelli")
    assert browser.pagina("pue_gestione_sportelli").status_code == 200
    assert SocialAccount.objects.get(provider="spid").uid == ANNA
    sessione = SessioneAperta.objects.get(user=anna)
    assert (sessione.metodo, sessione.livello) == ("spid", 2)
    assert Attivita.objects.filter(user=anna, tipo="accesso", metodo="spid", livello=2).count() == 1
    assert "SPID di livello 2" in browser.pagina("profilo").text  # the profile says how the session was opened
    # A SPID session is not a PIN session: the Area riservata of the Circolare 71/2016 stays closed to it.
    assert browser.pagina("area_enti").status_code in (403, 404)


def test_cie_is_accepted_as_cie(anna: User, browser: Browser) -> None:
    assert browser.entra("anna.marino", "cie").status_code == 302
    assert SessioneAperta.objects.get(user=anna).metodo == "cie"
    assert browser.pagina("pue_gestione_sportelli").status_code == 200


def test_level_3_is_accepted_and_recorded_as_such(anna: User, browser: Browser, registro: None) -> None:
    direttore = UserFactory.create(codice_fiscale=ANTONIO)
    ruolo_assegna(user=direttore, ruolo=Ruolo.DIRETTORE, organizzazione=personale_inps_struttura("DR-18"))
    richiesta = con_parametro(browser.avvia(), "acr_values", SPID_L3)
    assert browser.torna(browser.completa(richiesta, "antonio.romano")).status_code == 302
    assert SessioneAperta.objects.get(user=direttore).livello == 3


def personale_inps_struttura(codice: str) -> Any:
    from accounts.models import Struttura

    return Struttura.objects.get(codice=codice)


def test_level_1_is_refused(anna: User, browser: Browser) -> None:
    risposta = browser.entra("anna.marino.l1")
    assert risposta.status_code == 403
    assert "Livello di sicurezza insufficiente" in risposta.text
    assert browser.pagina("pue_gestione_sportelli").status_code == 302  # not logged in
    assert not SessioneAperta.objects.filter(user=anna).exists()


def test_the_level_lowered_in_the_authorization_url_is_refused(anna: User, browser: Browser) -> None:
    """The request passes through the browser: a level 1 asked there comes back level 1, and the portal refuses."""
    richiesta = con_parametro(browser.avvia(), "acr_values", SPID_L1)
    risposta = browser.torna(browser.completa(richiesta, "anna.marino"))
    assert risposta.status_code == 403
    assert not SessioneAperta.objects.filter(user=anna).exists()


def test_parameters_added_to_the_portals_login_url_are_not_passed_on(anna: User, browser: Browser) -> None:
    richiesta = browser.avvia("spid", auth_params=f"acr_values={SPID_L1}&prompt=none", scope="offline_access")
    chiesti = parametri(richiesta)
    assert chiesti["acr_values"] == SPID_L2
    assert "prompt" not in chiesti
    assert "offline_access" not in chiesti["scope"]


def test_a_tampered_nonce_is_refused(anna: User, browser: Browser) -> None:
    richiesta = con_parametro(browser.avvia(), "nonce", "un-nonce-scelto-da-altri-0123456789abcdef")
    risposta = browser.torna(browser.completa(richiesta, "anna.marino"))
    assert risposta.status_code == 400
    assert "non corrisponde alla richiesta" in risposta.text
    assert not SessioneAperta.objects.filter(user=anna).exists()


def test_a_tampered_state_is_refused(anna: User, browser: Browser) -> None:
    callback = browser.completa(browser.avvia(), "anna.marino")
    risposta = browser.torna(con_parametro(callback, "state", "stato-inventato"))
    assert risposta.status_code == 400
    assert "Accesso non riuscito" in risposta.text
    assert not SessioneAperta.objects.filter(user=anna).exists()


def test_an_unknown_fiscal_number_gets_no_account(browser: Browser, registro: None) -> None:
    utenti = User.objects.count()
    risposta = browser.entra("sconosciuto")
    assert risposta.status_code == 403
    assert "Utente non riconosciuto" in risposta.text
    assert User.objects.count() == utenti
    assert not SocialAccount.objects.exists()


@pytest.fixture
def convenzione_di_rende(rende: Comune) -> Any:
    UserFactory.create(codice_fiscale=MARCO, nome="Marco", cognome="Ricci")
    return convenzione_attiva_di_prova(rende, amministratore_codice_fiscale=MARCO)


def _designa(convenzione: Any, codice_fiscale: str, nome: str, cognome: str) -> DesignazioneOperatore:
    import datetime as dt

    return pue_services.operatore_designa(
        chi=User.objects.get(codice_fiscale=MARCO),
        comune=convenzione.comune,
        dati=pue_services.DatiOperatore(
            codice_fiscale=codice_fiscale,
            nome=nome,
            cognome=cognome,
            email=f"{nome}@comune.example.it".lower(),
            telefono="0984 000000",
            atto_autorizzazione="determina n. 12",
            data_atto=dt.date(2026, 11, 2),
        ),
    )


def test_designated_but_not_enabled_is_refused_with_the_reason(browser: Browser, convenzione_di_rende: Any) -> None:
    UserFactory.create(codice_fiscale=CHIARA, nome="Chiara", cognome="Conti")
    _designa(convenzione_di_rende, CHIARA, "Chiara", "Conti")
    risposta = browser.entra("chiara.conti")
    assert risposta.status_code == 403
    assert "attende l'abilitazione della Sede INPS" in html.unescape(risposta.text)


def test_a_revoked_operator_is_refused_and_their_open_session_ends(
    live_server: LiveServer, browser: Browser, convenzione_di_rende: Any
) -> None:
    designazione = _designa(convenzione_di_rende, ANNA, "Anna", "Marino")
    sede = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    pue_services.operatore_abilita(chi=sede, designazione_id=designazione.pk)
    assert browser.entra("anna.marino").status_code == 302
    assert browser.pagina("pue_gestione_sportelli").status_code == 200
    pue_services.operatore_revoca(chi=sede, designazione_id=designazione.pk, motivo="cessato dal servizio")
    assert browser.pagina("pue_gestione_sportelli").status_code == 302  # the session is gone: to the login
    altro = Browser(live_server.url, requests.Session())
    risposta = altro.entra("anna.marino")
    assert risposta.status_code == 403
    assert "è stata revocata" in html.unescape(risposta.text)
    assert "cessato dal servizio" in risposta.text


def test_a_confirmation_asks_a_fresh_login_and_must_be_the_same_person(
    live_server: LiveServer, anna: User, browser: Browser
) -> None:
    assert browser.entra("anna.marino").status_code == 302
    prima = browser.sessione.cookies.get("sessionid")
    indietro = reverse("pue_gestione_sportelli")
    richiesta = browser.avvia("spid", process="redirect", next=indietro)
    assert parametri(richiesta)["prompt"] == "login"
    # The identity provider asks the credentials again even though its own session is open.
    confermata = browser.torna(browser.completa(richiesta, "anna.marino"))
    assert confermata.status_code == 302
    assert confermata.headers["Location"] == indietro
    assert Attivita.objects.filter(user=anna, descrizione__startswith="Conferma").count() == 1
    assert browser.sessione.cookies.get("sessionid") == prima  # same session, renewed
    # Someone else's identity does not confirm Anna's.
    UserFactory.create(codice_fiscale=MARCO, nome="Marco", cognome="Ricci", is_staff=True)
    altra = browser.torna(browser.completa(browser.avvia("spid", process="redirect", next=indietro), "marco.ricci"))
    assert altra.status_code == 403
    assert "Identità non corrispondente" in altra.text
    assert browser.pagina("pue_gestione_sportelli").status_code == 200  # still Anna


def test_unused_ports_of_the_flow_are_closed(anna: User, browser: Browser) -> None:
    """allauth's "connect" process would attach the identity to whoever is logged in: refused."""
    assert browser.entra("anna.marino").status_code == 302
    risposta = browser.torna(browser.completa(browser.avvia("spid", process="connect"), "anna.marino"))
    assert risposta.status_code == 400
