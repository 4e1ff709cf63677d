"""Login with the CNS through the reverse proxy: a real nginx with the deployment's server blocks (tests/nginx_cns.py)
in front of the live server, real TLS client certificates (tests/cns_pki.py), and the portal's own checks below it.

nginx connects to the portal from 127.0.0.2, the only trusted proxy here; requests straight to the live server come
from 127.0.0.1, where the forwarded headers are anyone's.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from accounts.models import Attivita, Comune, MetodoAccesso, SessioneAperta, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from identita.accesso import Rifiuto
from identita.cns import codice_fiscale_del_certificato
from inps_portal import clock
from tests.cns_pki import CODICE_FISCALE_MARCO_RICCI, PKICNS, crea_pki
from tests.factories import UserFactory
from tests.nginx_cns import INDIRIZZO_PROXY, NGINX, ProxyCNS, nginx_in_esecuzione

RENDE_ISTAT = "078102"
URL_CNS = "/accesso/cns/"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKICNS:
    return crea_pki(tmp_path_factory.mktemp("cns-pki"))


@pytest.fixture(scope="module")
def proxy(pki: PKICNS, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyCNS]:
    if not NGINX.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("nginx (pacchetto Debian nginx) serve ai test della CNS: `make test` lo installa")
        pytest.skip(f"nginx non trovato in {NGINX}")
    with nginx_in_esecuzione(tmp_path_factory.mktemp("nginx"), pki=pki, live_server_url=live_server.url) as proxy:
        yield proxy


@pytest.fixture(autouse=True)
def _proxy_fidato(settings: Any) -> None:
    settings.PROXY_FIDATI = [INDIRIZZO_PROXY]


@pytest.fixture
def operatore(transactional_db: None) -> User:
    """Marco Ricci, operator of the Comune di Rende: a strong identity lets him in. Committed, since the live server
    reads it through its own connection (the registry is loaded again if a test with real transactions emptied it)."""
    from accounts.services.registro import registro_carica

    if not Comune.objects.exists():
        registro_carica()
    user = UserFactory.create(codice_fiscale=CODICE_FISCALE_MARCO_RICCI, nome="Marco", cognome="Ricci", password="!")
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat=RENDE_ISTAT))
    return user


def _cns(proxy: ProxyCNS, pki: PKICNS, cert: tuple[str, str] | None, percorso: str = URL_CNS, **kwargs: Any) -> Any:
    return requests.get(
        f"{proxy.url_cns}{percorso}",
        cert=cert,
        verify=str(pki.ca_server),
        allow_redirects=False,
        timeout=10,
        **kwargs,
    )


def _pem_escaped(certificato: x509.Certificate) -> str:
    return quote(certificato.public_bytes(serialization.Encoding.PEM).decode())


# --- Through nginx ----------------------------------------------------------------------------------------------------


def test_a_valid_card_logs_its_holder_in_and_the_session_records_the_cns(
    proxy: ProxyCNS, pki: PKICNS, operatore: User
) -> None:
    carta = pki.carta(CODICE_FISCALE_MARCO_RICCI)
    sessione = requests.Session()

    risposta = sessione.get(
        f"{proxy.url_cns}{URL_CNS}",
        cert=carta.per_requests,
        verify=str(pki.ca_server),
        allow_redirects=False,
        timeout=10,
    )

    assert risposta.status_code == 302, risposta.text
    assert risposta.headers["Location"] == reverse("pue_home")
    aperta = SessioneAperta.objects.get(user=operatore)
    assert aperta.metodo == MetodoAccesso.CNS
    assert aperta.session_key == sessione.cookies[settings.SESSION_COOKIE_NAME]
    accesso = Attivita.objects.get(user=operatore, tipo=Attivita.Tipo.ACCESSO)
    assert accesso.metodo == MetodoAccesso.CNS
    assert accesso.indirizzo_ip == "127.0.0.1"  # the browser's, as nginx saw it, not the proxy's
    # Anything else asked of the CNS address goes to the portal's ordinary one, where the session is the same.
    altrove = sessione.get(f"{proxy.url_cns}/", verify=str(pki.ca_server), allow_redirects=False, timeout=10)
    assert altrove.status_code == 302
    assert altrove.headers["Location"] == f"{proxy.url_portale}/"
    home = sessione.get(f"{proxy.url_portale}/", timeout=10)
    assert home.status_code == 200
    assert "Marco Ricci" in home.text


def test_the_next_page_is_honoured(proxy: ProxyCNS, pki: PKICNS, operatore: User) -> None:
    risposta = _cns(proxy, pki, pki.carta(CODICE_FISCALE_MARCO_RICCI).per_requests, f"{URL_CNS}?next=/privacy/")

    assert risposta.status_code == 302
    assert risposta.headers["Location"] == "/privacy/"


@pytest.mark.parametrize(
    ("carta", "titolo", "spiegazione"),
    [
        ("scaduta", "Certificato scaduto", "è scaduto"),
        ("altra_ca", "Certificato non riconosciuto", "emesso da un ente non riconosciuto"),
        ("revocata", "Certificato revocato", "è stato revocato"),
        ("nessuna", "Nessun certificato presentato", "non ha presentato il certificato"),
    ],
)
def test_a_card_that_fails_verification_is_refused_with_the_reason(
    proxy: ProxyCNS, pki: PKICNS, operatore: User, carta: str, titolo: str, spiegazione: str
) -> None:
    certificati = {
        "scaduta": pki.carta(CODICE_FISCALE_MARCO_RICCI, scaduta=True).per_requests,
        "altra_ca": pki.carta(CODICE_FISCALE_MARCO_RICCI, altra_ca=True).per_requests,
        "revocata": pki.revocato.per_requests,
        "nessuna": None,
    }
    if carta == "revocata":  # the revoked card is Mario Rossi's: he too would be let in, but for the CRL
        UserFactory.create(codice_fiscale="RSSMRA80A01H501U", is_staff=True)

    risposta = _cns(proxy, pki, certificati[carta])

    assert risposta.status_code == 403
    assert titolo in risposta.text
    assert spiegazione in risposta.text
    assert not SessioneAperta.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in risposta.cookies


def test_a_failed_verification_on_any_path_of_the_cns_address_gets_the_portal_s_explanation(
    proxy: ProxyCNS, pki: PKICNS, operatore: User
) -> None:
    risposta = _cns(proxy, pki, pki.carta(CODICE_FISCALE_MARCO_RICCI, scaduta=True).per_requests, "/admin/?x=1")

    assert risposta.status_code == 403
    assert "Certificato scaduto" in risposta.text


def test_headers_a_client_sends_to_the_cns_address_are_overwritten(
    proxy: ProxyCNS, pki: PKICNS, operatore: User
) -> None:
    falso = pki.carta(CODICE_FISCALE_MARCO_RICCI)
    intestazioni = {
        "X-SSL-Client-Verify": "SUCCESS",
        "X-SSL-Client-Cert": _pem_escaped(falso.certificato),
        "X_SSL_Client_Verify": "SUCCESS",
        "X_SSL_Client_Cert": _pem_escaped(falso.certificato),
    }

    risposta = _cns(proxy, pki, None, headers=intestazioni)

    assert risposta.status_code == 403
    assert "Nessun certificato presentato" in risposta.text
    assert not SessioneAperta.objects.exists()


def test_headers_a_client_sends_to_the_portal_s_ordinary_address_do_not_log_anyone_in(
    proxy: ProxyCNS, pki: PKICNS, operatore: User
) -> None:
    """Both server blocks connect from the same trusted address: the ordinary one must not carry the CNS headers."""
    falso = pki.carta(CODICE_FISCALE_MARCO_RICCI)
    intestazioni = {"X-SSL-Client-Verify": "SUCCESS", "X-SSL-Client-Cert": _pem_escaped(falso.certificato)}

    risposta = requests.get(f"{proxy.url_portale}{URL_CNS}", headers=intestazioni, allow_redirects=False, timeout=10)

    assert risposta.status_code == 403
    assert "non disponibile da questo indirizzo" in risposta.text
    assert not SessioneAperta.objects.exists()


def test_the_cns_address_accepts_only_get(proxy: ProxyCNS, pki: PKICNS, operatore: User) -> None:
    risposta = requests.post(
        f"{proxy.url_cns}{URL_CNS}",
        cert=pki.carta(CODICE_FISCALE_MARCO_RICCI).per_requests,
        verify=str(pki.ca_server),
        allow_redirects=False,
        timeout=10,
    )

    assert risposta.status_code == 403
    assert not SessioneAperta.objects.exists()


def test_headers_sent_straight_to_the_portal_are_ignored(
    proxy: ProxyCNS, pki: PKICNS, live_server: LiveServer, operatore: User
) -> None:
    falso = pki.carta(CODICE_FISCALE_MARCO_RICCI)

    risposta = requests.get(
        f"{live_server.url}{URL_CNS}",
        headers={"X-SSL-Client-Verify": "SUCCESS", "X-SSL-Client-Cert": _pem_escaped(falso.certificato)},
        allow_redirects=False,
        timeout=10,
    )

    assert risposta.status_code == 403
    assert "Accesso con CNS non disponibile da questo indirizzo" in risposta.text
    assert "indirizzo del portale dedicato alla CNS" in risposta.text
    assert not SessioneAperta.objects.exists()


def test_a_card_of_someone_the_portal_does_not_admit_is_refused(proxy: ProxyCNS, pki: PKICNS, operatore: User) -> None:
    senza_ruolo = UserFactory.create(nome="Paolo", cognome="Gallo")

    risposta = _cns(proxy, pki, pki.carta(senza_ruolo.codice_fiscale, nome="Paolo", cognome="Gallo").per_requests)

    assert risposta.status_code == 403
    assert "Accesso non consentito" in risposta.text
    assert not SessioneAperta.objects.exists()


# --- The portal's own checks (the Django test client posing as the proxy) ---------------------------------------------


def _dal_proxy(
    client: Client,
    certificato: x509.Certificate | None,
    esito: str = "SUCCESS",
    *,
    query: dict[str, str] | None = None,
    **extra: str,
) -> Any:
    """A request as the CNS server block forwards it (``extra``: more of the request's META)."""
    intestazioni: dict[str, Any] = {"REMOTE_ADDR": INDIRIZZO_PROXY, "HTTP_X_SSL_CLIENT_VERIFY": esito, **extra}
    if certificato is not None:
        intestazioni["HTTP_X_SSL_CLIENT_CERT"] = _pem_escaped(certificato)
    return client.get(URL_CNS, query or {}, **intestazioni)


@pytest.fixture
def ricci(registro: None) -> User:
    user = UserFactory.create(codice_fiscale=CODICE_FISCALE_MARCO_RICCI, nome="Marco", cognome="Ricci")
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat=RENDE_ISTAT))
    return user


def test_the_portal_checks_the_dates_again_on_its_own_clock(client: Client, pki: PKICNS, ricci: User) -> None:
    carta = pki.carta(CODICE_FISCALE_MARCO_RICCI).certificato

    with clock.frozen(carta.not_valid_after_utc + dt.timedelta(days=1)):
        scaduta = _dal_proxy(client, carta)
    with clock.frozen(carta.not_valid_before_utc - dt.timedelta(days=1)):
        futura = _dal_proxy(client, carta)

    assert scaduta.status_code == 403
    assert "Certificato scaduto" in scaduta.content.decode()
    assert futura.status_code == 403
    assert "Certificato non ancora valido" in futura.content.decode()
    assert not SessioneAperta.objects.exists()


def test_success_without_a_readable_certificate_is_refused(client: Client, ricci: User) -> None:
    risposta = _dal_proxy(client, None)

    assert risposta.status_code == 400
    assert "Certificato non leggibile" in risposta.content.decode()


def test_an_unusable_crl_is_the_portal_s_problem_not_the_card_s(client: Client, pki: PKICNS, ricci: User) -> None:
    risposta = _dal_proxy(client, pki.carta(CODICE_FISCALE_MARCO_RICCI).certificato, "FAILED:CRL has expired")

    assert risposta.status_code == 503
    assert "non può verificare" in risposta.content.decode()


def test_a_confirmation_must_be_the_person_already_logged_in(client: Client, pki: PKICNS, ricci: User) -> None:
    altro = UserFactory.create(is_staff=True)
    client.force_login(altro)

    risposta = _dal_proxy(client, pki.carta(CODICE_FISCALE_MARCO_RICCI).certificato, query={"conferma": "1"})

    assert risposta.status_code == 403
    assert "Identità non corrispondente" in risposta.content.decode()


def test_a_confirmation_renews_the_strong_authentication_of_the_session(
    client: Client, pki: PKICNS, ricci: User
) -> None:
    client.force_login(ricci)
    carta = pki.carta(CODICE_FISCALE_MARCO_RICCI).certificato

    risposta = _dal_proxy(client, carta, query={"conferma": "1", "next": "/privacy/"})

    assert risposta.status_code == 302
    assert risposta["Location"] == "/privacy/"
    assert client.session["accesso"]["metodo"] == MetodoAccesso.CNS
    assert Attivita.objects.filter(user=ricci, metodo=MetodoAccesso.CNS).exists()


def test_a_confirmation_started_by_another_site_is_refused(client: Client, pki: PKICNS, ricci: User) -> None:
    client.force_login(ricci)
    carta = pki.carta(CODICE_FISCALE_MARCO_RICCI).certificato

    risposta = _dal_proxy(client, carta, query={"conferma": "1"}, HTTP_SEC_FETCH_SITE="cross-site")

    assert risposta.status_code == 403
    assert "avviata da un altro sito" in risposta.content.decode()
    assert not Attivita.objects.filter(user=ricci, metodo=MetodoAccesso.CNS).exists()


def test_the_cns_button_on_the_ordinary_address_leads_to_the_cns_address(client: Client, settings: Any) -> None:
    settings.CNS_INDIRIZZO = "https://cns.portale.example.it/"

    risposta = client.get(URL_CNS, {"next": "/pue/"}, REMOTE_ADDR=INDIRIZZO_PROXY)

    assert risposta.status_code == 302
    assert risposta["Location"] == "https://cns.portale.example.it/accesso/cns/?next=%2Fpue%2F"


def test_without_a_cns_address_the_ordinary_address_explains_where_to_go(client: Client, db: None) -> None:
    risposta = client.get(URL_CNS, REMOTE_ADDR=INDIRIZZO_PROXY)

    assert risposta.status_code == 403
    assert "non disponibile da questo indirizzo" in risposta.content.decode()


# --- The codice fiscale in the certificate ----------------------------------------------------------------------------


def _certificato(*attributi: tuple[x509.ObjectIdentifier, str]) -> x509.Certificate:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    chiave = ec.generate_private_key(ec.SECP256R1())
    nome = x509.Name([x509.NameAttribute(oid, valore) for oid, valore in attributi])
    adesso = clock.now()
    return (
        x509.CertificateBuilder()
        .subject_name(nome)
        .issuer_name(nome)
        .public_key(chiave.public_key())
        .serial_number(1)
        .not_valid_before(adesso)
        .not_valid_after(adesso + dt.timedelta(days=1))
        .sign(chiave, hashes.SHA256())
    )


@pytest.mark.parametrize(
    "attributi",
    [
        [(NameOID.SERIAL_NUMBER, "TINIT-RSSMRA80A01H501U"), (NameOID.COMMON_NAME, "Mario Rossi")],
        [(NameOID.SERIAL_NUMBER, "IT:RSSMRA80A01H501U")],
        [(NameOID.COMMON_NAME, "RSSMRA80A01H501U/7420091000049623.abc=")],
        [
            (NameOID.COMMON_NAME, "rssmra80a01h501u/7420091000049623.abc="),
            (NameOID.SERIAL_NUMBER, "TINIT-RSSMRA80A01H501U"),
        ],
    ],
    ids=["tinit", "it", "common-name", "both"],
)
def test_the_codice_fiscale_is_read_from_each_form_of_cns_subject(
    attributi: list[tuple[x509.ObjectIdentifier, str]],
) -> None:
    assert codice_fiscale_del_certificato(_certificato(*attributi)) == "RSSMRA80A01H501U"


@pytest.mark.parametrize(
    "attributi",
    [
        [(NameOID.COMMON_NAME, "Mario Rossi")],
        [(NameOID.SERIAL_NUMBER, "TINIT-RSSMRA80A01H501X")],  # wrong check character
        [(NameOID.COMMON_NAME, "RSSMRA80A01H501U/123"), (NameOID.SERIAL_NUMBER, "TINIT-RCCMRC75E05H235F")],
        [(NameOID.SERIAL_NUMBER, "TINIT-")],
    ],
    ids=["no-code", "invalid", "two-different-codes", "empty"],
)
def test_a_certificate_without_one_valid_codice_fiscale_is_refused(
    attributi: list[tuple[x509.ObjectIdentifier, str]],
) -> None:
    with pytest.raises(Rifiuto) as rifiuto:
        codice_fiscale_del_certificato(_certificato(*attributi))

    assert rifiuto.value.titolo == "Codice fiscale non leggibile"


def test_every_variable_of_the_deploy_template_has_a_value_in_docker_compose() -> None:
    """An unknown ``${NAME}`` would reach nginx as text: envsubst replaces only the variables it is given."""
    import re

    from tests.nginx_cns import DEPLOY

    variabili = set(re.findall(r"\$\{(\w+)\}", (DEPLOY / "cns.conf.template").read_text()))
    compose = (DEPLOY.parent.parent / "docker-compose.yml").read_text()

    assert variabili == {"CNS_PORTA", "CNS_CERTIFICATI", "PORTALE_URL"}
    assert all(re.search(rf"^\s+{nome}: \S", compose, re.MULTILINE) for nome in variabili)
