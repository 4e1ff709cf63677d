"""The local identity provider over HTTP: a real process, the authorization code flow with PKCE and a nonce, as the
portal's OpenID Connect client will run it against the identity gateway. No portal database involved."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from codicefiscale import codicefiscale

from idp_locale.acr import ACR_SPID, acr_da_rilasciare
from idp_locale.identita import (
    CLAIM_CODICE_FISCALE,
    CLIENT,
    CLIENT_SECRET_SVILUPPO,
    IDENTITA,
    PASSWORD_DEMO,
    ClientDemo,
    IdentitaDemo,
    identita_per_username,
)
from tests.idp_locale import IdpLocale, IdpRifiuto, idp_in_esecuzione, idp_login

# Nothing listens there: the portal's address only makes the clients' redirect URIs.
PORTALE = "http://127.0.0.1:9"
CLIENT_SPID, CLIENT_CIE = CLIENT
L1, L2, L3 = ACR_SPID[1], ACR_SPID[2], ACR_SPID[3]


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdpLocale]:
    with idp_in_esecuzione(PORTALE, tmp_path_factory.mktemp("idp_locale")) as idp:
        yield idp


@pytest.fixture(scope="module")
def configurazione(idp: IdpLocale) -> dict[str, Any]:
    risposta = requests.get(idp.url_discovery, timeout=10)
    risposta.raise_for_status()
    dati: dict[str, Any] = risposta.json()
    return dati


@dataclass
class Richiesta:
    """An authorization request as the portal sends it, with what it keeps to check the answer."""

    url: str
    client: ClientDemo
    state: str
    nonce: str
    code_verifier: str


def _richiesta(
    configurazione: dict[str, Any],
    *,
    client: ClientDemo = CLIENT_SPID,
    acr_values: str | None = None,
    prompt: str | None = None,
    redirect_uri: str | None = None,
) -> Richiesta:
    code_verifier = secrets.token_urlsafe(48)
    code_challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    parametri = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": redirect_uri or client.redirect_uri(PORTALE),
        "scope": "openid profile email",
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    if acr_values is not None:
        parametri["acr_values"] = acr_values
    if prompt is not None:
        parametri["prompt"] = prompt
    url = f"{configurazione['authorization_endpoint']}?{urlencode(parametri)}"
    return Richiesta(url=url, client=client, state=state, nonce=nonce, code_verifier=code_verifier)


def _codice(richiesta: Richiesta, ritorno: str) -> str:
    assert ritorno.startswith(richiesta.client.redirect_uri(PORTALE) + "?")
    parametri = parse_qs(urlsplit(ritorno).query)
    assert parametri["state"] == [richiesta.state]
    return parametri["code"][0]


def _scambia(
    configurazione: dict[str, Any], richiesta: Richiesta, codice: str, *, code_verifier: str | None = None
) -> requests.Response:
    """The token request, authenticating the client with client_secret_post."""
    return requests.post(
        configurazione["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": codice,
            "redirect_uri": richiesta.client.redirect_uri(PORTALE),
            "client_id": richiesta.client.client_id,
            "client_secret": CLIENT_SECRET_SVILUPPO,
            "code_verifier": code_verifier or richiesta.code_verifier,
        },
        timeout=10,
    )


def _id_token(configurazione: dict[str, Any], richiesta: Richiesta, id_token: str) -> dict[str, Any]:
    """The ID token's claims, once its signature (against the JWKS), issuer, audience and nonce are checked."""
    chiave = jwt.PyJWKClient(configurazione["jwks_uri"]).get_signing_key_from_jwt(id_token)
    claims: dict[str, Any] = jwt.decode(
        id_token,
        chiave.key,
        algorithms=["RS256"],
        audience=richiesta.client.client_id,
        issuer=configurazione["issuer"],
    )
    assert claims["nonce"] == richiesta.nonce
    return claims


def _accesso(
    configurazione: dict[str, Any],
    username: str,
    *,
    client: ClientDemo = CLIENT_SPID,
    acr_values: str | None = None,
    sessione: requests.Session | None = None,
    prompt: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A whole login at the IdP: the ID token's claims and the token response."""
    richiesta = _richiesta(configurazione, client=client, acr_values=acr_values, prompt=prompt)
    ritorno = idp_login(sessione or requests.Session(), richiesta.url, username, PASSWORD_DEMO)
    risposta = _scambia(configurazione, richiesta, _codice(richiesta, ritorno))
    assert risposta.status_code == 200, risposta.text
    token: dict[str, Any] = risposta.json()
    return _id_token(configurazione, richiesta, token["id_token"]), token


@pytest.mark.parametrize(
    ("livello", "acr_values", "atteso"),
    [
        (2, L2, L2),
        (2, L1, L1),
        (3, L3, L3),
        (1, L2, L1),
        (2, None, L2),
        (3, f"{L1} {L2}", L2),
        (2, f"{L3} {L2} {L1}", L2),
        (2, "urn:sconosciuto", L2),
    ],
)
def test_the_level_granted_is_the_highest_requested_one_the_credential_reaches(
    livello: int, acr_values: str | None, atteso: str
) -> None:
    assert acr_da_rilasciare(livello, acr_values) == atteso


@pytest.mark.parametrize("identita", IDENTITA, ids=lambda identita: identita.username)
def test_every_demo_identity_has_a_valid_codice_fiscale(identita: IdentitaDemo) -> None:
    decodificato = codicefiscale.decode(identita.codice_fiscale)

    assert codicefiscale.is_valid(identita.codice_fiscale)
    assert decodificato["raw"]["lastname"] == codicefiscale.encode_lastname(identita.cognome)
    assert decodificato["raw"]["firstname"] == codicefiscale.encode_firstname(identita.nome)


def test_discovery_describes_the_idp(idp: IdpLocale, configurazione: dict[str, Any]) -> None:
    assert configurazione["issuer"] == idp.url
    assert configurazione["authorization_endpoint"].startswith(idp.url)
    assert "S256" in configurazione["code_challenge_methods_supported"]
    assert set(configurazione["acr_values_supported"]) == {L1, L2, L3}
    assert {"client_secret_post", "client_secret_basic"} <= set(configurazione["token_endpoint_auth_methods_supported"])


@pytest.mark.parametrize(
    ("username", "acr_values", "atteso"),
    [
        ("marco.ricci", L2, L2),
        # The portal's request, tampered with on the way: the IdP grants what is asked, the portal must refuse it.
        ("marco.ricci", L1, L1),
        ("antonio.romano", L3, L3),
        ("anna.marino.l1", L2, L1),
        ("antonio.romano", None, L3),
    ],
)
def test_the_id_token_carries_the_level_granted(
    configurazione: dict[str, Any], username: str, acr_values: str | None, atteso: str
) -> None:
    claims, _ = _accesso(configurazione, username, acr_values=acr_values)

    assert claims["acr"] == atteso


def test_the_id_token_and_userinfo_carry_the_person(configurazione: dict[str, Any]) -> None:
    claims, token = _accesso(configurazione, "chiara.conti", acr_values=L2)

    chiara = identita_per_username("chiara.conti")
    assert chiara is not None
    attesi = {
        "sub": chiara.sub,
        "given_name": "Chiara",
        "family_name": "Conti",
        "email": "chiara.conti@example.it",
        CLAIM_CODICE_FISCALE: "TINIT-CNTCHR90A41D086R",
    }
    assert attesi.items() <= claims.items()
    assert isinstance(claims["auth_time"], int)
    assert claims["auth_time"] <= claims["iat"]
    userinfo = requests.get(
        configurazione["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10
    )
    assert userinfo.status_code == 200
    assert attesi.items() <= userinfo.json().items()


def test_the_sub_is_the_same_at_every_login_and_differs_per_credential(configurazione: dict[str, Any]) -> None:
    primo, _ = _accesso(configurazione, "anna.marino")
    secondo, _ = _accesso(configurazione, "anna.marino")
    livello_1, _ = _accesso(configurazione, "anna.marino.l1")

    assert primo["sub"] == secondo["sub"]
    assert livello_1["sub"] != primo["sub"]
    assert livello_1[CLAIM_CODICE_FISCALE] == primo[CLAIM_CODICE_FISCALE] == "TINIT-MRNNNA88A58H235M"


def test_the_cie_client_authenticates_with_client_secret_basic(configurazione: dict[str, Any]) -> None:
    richiesta = _richiesta(configurazione, client=CLIENT_CIE, acr_values=L3)
    ritorno = idp_login(requests.Session(), richiesta.url, "sara.bruno", PASSWORD_DEMO)

    risposta = requests.post(
        configurazione["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": _codice(richiesta, ritorno),
            "redirect_uri": CLIENT_CIE.redirect_uri(PORTALE),
            "code_verifier": richiesta.code_verifier,
        },
        auth=(CLIENT_CIE.client_id, CLIENT_SECRET_SVILUPPO),
        timeout=10,
    )

    assert risposta.status_code == 200, risposta.text
    claims = _id_token(configurazione, richiesta, risposta.json()["id_token"])
    assert claims["acr"] == L3
    assert claims[CLAIM_CODICE_FISCALE] == "TINIT-BRNSRA80C43A944C"


def test_with_a_session_the_idp_answers_at_once_but_prompt_login_asks_again(configurazione: dict[str, Any]) -> None:
    sessione = requests.Session()
    _accesso(configurazione, "marco.ricci", sessione=sessione)

    senza_prompt = sessione.get(_richiesta(configurazione).url, allow_redirects=False, timeout=10)
    assert senza_prompt.headers["Location"].startswith(CLIENT_SPID.redirect_uri(PORTALE))

    con_prompt = sessione.get(_richiesta(configurazione, prompt="login").url, allow_redirects=True, timeout=10)
    assert con_prompt.status_code == 200
    assert 'name="password"' in con_prompt.text
    # A fresh login: another identity may be chosen, not only Marco Ricci's password asked again.
    claims, _ = _accesso(configurazione, "anna.marino", sessione=sessione, prompt="login")
    assert claims[CLAIM_CODICE_FISCALE] == "TINIT-MRNNNA88A58H235M"


def test_it_refuses_a_redirect_uri_not_registered(configurazione: dict[str, Any]) -> None:
    richiesta = _richiesta(configurazione, redirect_uri="http://127.0.0.1:9/altrove/")

    with pytest.raises(IdpRifiuto) as rifiuto:
        idp_login(requests.Session(), richiesta.url, "marco.ricci", PASSWORD_DEMO)

    # allauth's error page (with status 200): "Mismatching redirect URI.", and no way back to the address asked.
    assert "redirect URI" in rifiuto.value.risposta.text
    # The redirect URI of the other federation's client is not this client's either.
    altro = _richiesta(configurazione, redirect_uri=CLIENT_CIE.redirect_uri(PORTALE))
    with pytest.raises(IdpRifiuto):
        idp_login(requests.Session(), altro.url, "marco.ricci", PASSWORD_DEMO)


def test_it_refuses_a_wrong_password(configurazione: dict[str, Any]) -> None:
    richiesta = _richiesta(configurazione)

    with pytest.raises(IdpRifiuto, match="credenziali") as rifiuto:
        idp_login(requests.Session(), richiesta.url, "marco.ricci", "Sbagliata.2026")

    assert "non sono corretti" in rifiuto.value.risposta.text


def test_it_refuses_a_code_without_the_right_pkce_verifier(configurazione: dict[str, Any]) -> None:
    richiesta = _richiesta(configurazione)
    codice = _codice(richiesta, idp_login(requests.Session(), richiesta.url, "marco.ricci", PASSWORD_DEMO))

    risposta = _scambia(configurazione, richiesta, codice, code_verifier=secrets.token_urlsafe(48))

    assert risposta.status_code == 400
    assert risposta.json()["error"] == "invalid_grant"


def test_it_refuses_a_wrong_client_secret(configurazione: dict[str, Any]) -> None:
    richiesta = _richiesta(configurazione)
    codice = _codice(richiesta, idp_login(requests.Session(), richiesta.url, "marco.ricci", PASSWORD_DEMO))

    risposta = requests.post(
        configurazione["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": codice,
            "redirect_uri": CLIENT_SPID.redirect_uri(PORTALE),
            "client_id": CLIENT_SPID.client_id,
            "client_secret": "sbagliato",
            "code_verifier": richiesta.code_verifier,
        },
        timeout=10,
    )

    assert risposta.status_code == 401


def test_the_clients_have_no_refresh_grant(configurazione: dict[str, Any]) -> None:
    _, token = _accesso(configurazione, "marco.ricci")

    risposta = requests.post(
        configurazione["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(CLIENT_SPID.client_id, CLIENT_SECRET_SVILUPPO),
        timeout=10,
    )

    assert risposta.status_code == 400
    assert risposta.json()["error"] == "unauthorized_client"
