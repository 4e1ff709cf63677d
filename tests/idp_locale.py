"""The local identity provider (``python -m idp_locale``) for tests: started as a real process, driven over HTTP.

``idp_avvia`` runs it on a free port with its database and signing key inside a folder of the test's own (parallel
pytest-xdist workers each get theirs); ``idp_login`` walks its login form as a browser would and returns the
redirect to the portal's callback, with ``code`` and ``state``, without following it.
"""

from __future__ import annotations

import contextlib
import copy
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent


class IdpRifiuto(Exception):
    """The IdP did not send the browser back to the portal: wrong credentials, or a request it refused."""

    def __init__(self, messaggio: str, risposta: requests.Response) -> None:
        super().__init__(f"{messaggio} (HTTP {risposta.status_code} da {risposta.url})")
        self.risposta = risposta


@dataclass
class IdpLocale:
    url: str
    processo: subprocess.Popen[bytes]
    registro: Path

    @property
    def url_discovery(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def ferma(self) -> None:
        if self.processo.poll() is None:
            self.processo.terminate()
            try:
                self.processo.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.processo.kill()
                self.processo.wait()


def _porta_libera() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        porta: int = s.getsockname()[1]
        return porta


def idp_avvia(portale: str, cartella: Path, *, attesa: float = 30.0) -> IdpLocale:
    """Starts the IdP for ``portale`` (the base of the clients' redirect URIs) and waits for its discovery."""
    cartella.mkdir(parents=True, exist_ok=True)
    porta = _porta_libera()
    registro = cartella / "idp_locale.log"
    ambiente = {
        **os.environ,
        "IDP_DATABASE": str(cartella / "idp_locale.sqlite3"),
        "IDP_CHIAVE": str(cartella / "idp_locale.key"),
    }
    with registro.open("wb") as uscita:
        processo = subprocess.Popen(
            [sys.executable, "-m", "idp_locale", "--porta", str(porta), "--portale", portale],
            cwd=PROJECT_DIR,
            env=ambiente,
            stdout=uscita,
            stderr=subprocess.STDOUT,
        )
    idp = IdpLocale(url=f"http://127.0.0.1:{porta}", processo=processo, registro=registro)
    scadenza = time.monotonic() + attesa
    while time.monotonic() < scadenza:
        if processo.poll() is not None:
            raise RuntimeError(f"L'IdP locale è terminato (codice {processo.returncode}):\n{registro.read_text()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(idp.url_discovery, timeout=1).status_code == 200:
                return idp
        time.sleep(0.1)
    idp.ferma()
    raise RuntimeError(f"L'IdP locale non ha risposto in {attesa} secondi:\n{registro.read_text()}")


def portale_sul_idp(settings: Any, url: str) -> None:
    """Points the portal (pytest-django's ``settings`` fixture, undone after the test) at the identity provider at
    ``url``: both clients' discovery and the form-action of the Content-Security-Policy."""
    fornitori = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    for app in fornitori["identita"]["APPS"]:
        app["settings"]["server_url"] = url
    settings.SOCIALACCOUNT_PROVIDERS = fornitori
    settings.IDENTITA_GATEWAY_URL = url


@contextlib.contextmanager
def idp_in_esecuzione(portale: str, cartella: Path) -> Iterator[IdpLocale]:
    """For a fixture: ``with idp_in_esecuzione(portale, tmp_path_factory.mktemp("idp")) as idp: yield idp``."""
    idp = idp_avvia(portale, cartella)
    try:
        yield idp
    finally:
        idp.ferma()


@dataclass
class _Modulo:
    action: str
    campi: dict[str, str] = field(default_factory=dict)
    caselle: dict[str, list[str]] = field(default_factory=dict)


class _LettoreModuli(HTMLParser):
    """The forms of a page with their fields: enough for the IdP's login and (if ever shown) consent pages."""

    def __init__(self) -> None:
        super().__init__()
        self.moduli: list[_Modulo] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributi = {nome: valore or "" for nome, valore in attrs}
        if tag == "form":
            self.moduli.append(_Modulo(action=attributi.get("action", "")))
        elif tag == "input" and self.moduli and attributi.get("name"):
            modulo, nome = self.moduli[-1], attributi["name"]
            if attributi.get("type") == "checkbox":
                modulo.caselle.setdefault(nome, []).append(attributi.get("value", "on"))
            else:
                modulo.campi[nome] = attributi.get("value", "")


def _moduli(risposta: requests.Response) -> list[_Modulo]:
    lettore = _LettoreModuli()
    lettore.feed(risposta.text)
    return lettore.moduli


def _origine(url: str) -> tuple[str, str]:
    parti = urlsplit(url)
    return parti.scheme, parti.netloc


def idp_login(sessione: requests.Session, url_authorize: str, username: str, password: str) -> str:
    """The redirect URL to the portal (with ``code`` and ``state``) after logging in at the IdP as ``username``.

    Follows the IdP's own redirects, fills its login form (with its CSRF token), grants a consent page if one is
    shown, and stops at the first redirect that leaves the IdP. Raises ``IdpRifiuto`` when the IdP answers with a
    page instead (wrong credentials, an invalid request).
    """
    origine_idp = _origine(url_authorize)
    risposta = sessione.get(url_authorize, allow_redirects=False, timeout=10)
    credenziali_inviate = False
    for _passo in range(20):
        if risposta.is_redirect:
            destinazione = urljoin(risposta.url, risposta.headers["Location"])
            if _origine(destinazione) != origine_idp:
                return destinazione
            risposta = sessione.get(destinazione, allow_redirects=False, timeout=10)
            continue
        moduli = _moduli(risposta)
        login = next((m for m in moduli if "password" in m.campi), None)
        consenso = next((m for m in moduli if "request" in m.campi), None)
        if login is not None and not credenziali_inviate:
            dati = {**login.campi, "login": username, "password": password}
            credenziali_inviate = True
            risposta = sessione.post(urljoin(risposta.url, login.action), data=dati, allow_redirects=False, timeout=10)
        elif consenso is not None:
            dati_consenso: dict[str, str | list[str]] = {**consenso.campi, **consenso.caselle, "action": "grant"}
            risposta = sessione.post(
                urljoin(risposta.url, consenso.action or risposta.url),
                data=dati_consenso,
                allow_redirects=False,
                timeout=10,
            )
        elif login is not None:
            raise IdpRifiuto("L'IdP ha rifiutato le credenziali", risposta)
        else:
            raise IdpRifiuto("L'IdP non ha rimandato al portale", risposta)
    raise IdpRifiuto("Troppi passaggi presso l'IdP", risposta)
