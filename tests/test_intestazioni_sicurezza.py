"""Content-Security-Policy and Permissions-Policy on every kind of response, and pages that need nothing inline.

The policy refuses inline scripts, event handler attributes and inline styles: a page that still had one would
silently lose it in the browser, so the rendered HTML is checked here (tests/e2e/test_csp.py checks the browser).
"""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal.sicurezza import IntestazioniSicurezzaMiddleware, origine
from tests.factories import EnteFactory, UserFactory

pytestmark = pytest.mark.django_db

PERMISSIONS_NEGATE = ("camera", "microphone", "geolocation", "payment", "usb")


def direttive(response: HttpResponseBase) -> dict[str, list[str]]:
    """The Content-Security-Policy of the response, directive by directive; a directive given twice fails."""
    politica: dict[str, list[str]] = {}
    for direttiva in response.headers["Content-Security-Policy"].split(";"):
        nome, *sorgenti = direttiva.split()
        assert nome not in politica, f"direttiva ripetuta: {nome}"
        politica[nome] = sorgenti
    return politica


def assert_intestazioni_rigorose(response: HttpResponseBase) -> None:
    politica = direttive(response)
    assert politica["default-src"] == ["'self'"]
    assert politica["script-src"] == ["'self'"]
    assert politica["style-src"] == ["'self'"]
    for nome in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in politica[nome]
        assert "'unsafe-eval'" not in politica[nome]
    assert politica["img-src"] == ["'self'", "data:"]
    assert politica["font-src"] == ["'self'", "data:"]
    assert politica["connect-src"] == ["'self'"]
    assert politica["object-src"] == ["'none'"]
    assert politica["base-uri"] == ["'self'"]
    # The SPID and CIE buttons post to the portal, which redirects to the identity gateway: it alone is added.
    assert politica["form-action"] == ["'self'", origine(settings.IDENTITA_GATEWAY_URL)]
    assert politica["frame-ancestors"] == ["'none'"]

    permessi = dict(voce.strip().split("=", 1) for voce in response.headers["Permissions-Policy"].split(","))
    for funzionalita in PERMISSIONS_NEGATE:
        assert permessi[funzionalita] == "()", funzionalita
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.fixture
def operatore_ente(registro: None) -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=EnteFactory.create())
    return user


@pytest.fixture
def superuser() -> User:
    return UserFactory.create(is_staff=True, is_superuser=True)


def test_a_public_page_carries_the_strict_headers(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_intestazioni_rigorose(response)


def test_a_page_of_the_area_riservata_carries_the_strict_headers(client: Client, operatore_ente: User) -> None:
    client.force_login(operatore_ente)
    response = client.get(reverse("area_enti"))
    assert response.status_code == 200
    assert_intestazioni_rigorose(response)


def test_the_back_office_carries_the_strict_headers(client: Client, superuser: User) -> None:
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_intestazioni_rigorose(response)


def test_a_404_carries_the_strict_headers(client: Client) -> None:
    response = client.get("/pagina-inesistente/")
    assert response.status_code == 404
    assert_intestazioni_rigorose(response)


def test_a_refused_csrf_token_carries_the_strict_headers() -> None:
    response = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"login": "x", "password": "y"})
    assert response.status_code == 403
    assert_intestazioni_rigorose(response)


def test_a_static_file_carries_the_strict_headers(settings: Any) -> None:
    """An SVG opened directly is a document that could run scripts: the policy covers static files too."""
    settings.WHITENOISE_USE_FINDERS = True  # whitenoise serves from the apps' folders, no collectstatic needed
    response = Client().get("/static/svg/sprites.svg")
    assert response.status_code == 200
    assert_intestazioni_rigorose(response)


def test_a_header_set_by_a_view_is_kept(rf: RequestFactory) -> None:
    def vista(request: HttpRequest) -> HttpResponse:
        response = HttpResponse()
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = IntestazioniSicurezzaMiddleware(vista)(rf.get("/"))
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert "camera=()" in response.headers["Permissions-Policy"]


class Inline(HTMLParser):
    """What the policy refuses in a page: scripts without src, on...= handler attributes, style attributes and
    <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.trovati: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        nomi = {nome.lower() for nome, _ in attrs}
        if tag == "script" and "src" not in nomi:
            self.trovati.append(f"<script> senza src: {self.getpos()}")
        if tag == "style":
            self.trovati.append(f"<style>: {self.getpos()}")
        for nome in sorted(nomi):
            if nome.startswith("on"):
                self.trovati.append(f"<{tag} {nome}=...>: {self.getpos()}")
            if nome == "style":
                self.trovati.append(f"<{tag} style=...>: {self.getpos()}")

    handle_startendtag = handle_starttag


def inline(html: str) -> list[str]:
    parser = Inline()
    parser.feed(html)
    parser.close()
    return parser.trovati


def test_the_inline_check_finds_what_the_policy_refuses() -> None:
    """Guards against a check that passes because it finds nothing."""
    html = (
        '<script src="/static/a.js"></script><script>alert(1)</script>'
        '<button onclick="x()">b</button><img src="a.png" onerror="y()"><p style="color:red">c</p><style></style>'
    )
    assert len(inline(html)) == 5
    assert inline('<script src="/static/a.js"></script><button type="button" data-stampa>b</button>') == []


PAGINE_PUBBLICHE = [
    "/",
    "/account/login/",
    "/account/login/personale/",
    "/credenziali/guida/",
    "/credenziali/pin-dispositivo/richiesta/",
    "/modulistica/",
    "/sedi/cerca/?comune=Rende",
    "/pagina-inesistente/",
]


@pytest.mark.parametrize("path", PAGINE_PUBBLICHE)
def test_public_pages_need_nothing_inline(client: Client, registro: None, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404)
    html = response.content.decode()
    assert "js/portale.js" in html
    assert inline(html) == []


def test_the_admin_index_needs_nothing_inline(client: Client, superuser: User) -> None:
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "js/portale.js" in html
    assert inline(html) == []


def _richiesta(rf: RequestFactory) -> HttpRequest:
    richiesta = rf.get("/")
    richiesta.user = AnonymousUser()
    return richiesta


PIN = SimpleNamespace(
    codice="ABCD2345EFGH6789",
    pin=SimpleNamespace(get_tipo_display="dispositivo", abilitazioni=SimpleNamespace(count=0)),
)


@pytest.mark.parametrize(
    ("template", "contesto"),
    [
        ("accounts/pin_rilasciato.html", {"rilasciato": PIN}),
        (
            "accounts/richiesta_pin_inviata.html",
            {
                "inviata": SimpleNamespace(
                    codice_ritiro="RIT123", richiesta=SimpleNamespace(numero="42", sede=SimpleNamespace(nome="Sede"))
                )
            },
        ),
        (
            "admin/accounts/pin_sportello.html",
            {"rilasciato": PIN, "persona": SimpleNamespace(get_full_name="Mario Rossi", codice_fiscale="X")},
        ),
    ],
    ids=["pin-rilasciato", "richiesta-pin-inviata", "pin-sportello"],
)
def test_print_buttons_work_without_inline_handlers(
    rf: RequestFactory, template: str, contesto: dict[str, object]
) -> None:
    """The pages shown once (the new PIN, the codice di ritiro) print through static/js/portale.js."""
    html = render_to_string(template, contesto, request=_richiesta(rf))
    assert inline(html) == []
    assert "data-stampa" in html
    assert "js/portale.js" in html


def test_the_gateway_origin_is_the_only_addition_and_never_a_path() -> None:
    assert origine("https://idp.inps.example.it/oidc/spid?x=1") == "https://idp.inps.example.it"
    assert origine("javascript:alert(1)") == ""
    assert origine("") == ""
