"""With DEBUG on (``make run``) errors answer with the portal's own pages, Django's technical pages only with
DEBUG_TECNICO=1 (inps_portal.pagine_di_errore)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from inps_portal import urls as urls_del_portale

pytestmark = pytest.mark.django_db


def _guasto(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("guasto di prova")


def _introvabile(request: HttpRequest) -> HttpResponse:
    raise Http404("oggetto di prova")


def _vietato(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _sospetto(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("richiesta di prova")


# The portal's URLs and error handlers, with views that fail on purpose.
urlpatterns = [
    path("prova/guasto/", _guasto),
    path("prova/introvabile/", _introvabile),
    path("prova/vietato/", _vietato),
    path("prova/sospetto/", _sospetto),
    *urls_del_portale.urlpatterns,
]
handler400 = urls_del_portale.handler400
handler403 = urls_del_portale.handler403
handler404 = urls_del_portale.handler404
handler500 = urls_del_portale.handler500

# What only Django's technical pages say.
TECNICO_404 = "Using the URLconf defined in"
TECNICO_500 = "Request Method:"

sviluppo = override_settings(DEBUG=True, DEBUG_TECNICO=False, ROOT_URLCONF=__name__)
tecnico = override_settings(DEBUG=True, DEBUG_TECNICO=True, ROOT_URLCONF=__name__)


def _pagina(percorso: str) -> tuple[int, str]:
    risposta = Client(raise_request_exception=False).get(percorso)
    return risposta.status_code, risposta.content.decode()


@sviluppo
@pytest.mark.parametrize("percorso", ["/pagina-inesistente/", "/prova/introvabile/", "/static/inesistente.css"])
def test_with_debug_a_missing_page_is_the_portals_own(percorso: str) -> None:
    status, testo = _pagina(percorso)
    assert status == 404
    assert "Pagina non trovata" in testo
    assert "it-header-wrapper" in testo  # the portal's base template
    assert TECNICO_404 not in testo
    assert "oggetto di prova" not in testo


@sviluppo
def test_with_debug_a_server_error_is_the_portals_own_page_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    status, testo = _pagina("/prova/guasto/")
    assert status == 500
    assert "Il servizio non è al momento disponibile" in testo
    assert TECNICO_500 not in testo
    assert "guasto di prova" not in testo
    registrato = [r for r in caplog.records if r.name == "django.request" and r.levelname == "ERROR"]
    assert registrato
    assert registrato[0].exc_info is not None
    assert "guasto di prova" in str(registrato[0].exc_info[1])


@sviluppo
def test_with_debug_forbidden_and_bad_requests_are_the_portals_own_pages() -> None:
    status, testo = _pagina("/prova/vietato/")
    assert status == 403
    assert "Accesso non consentito" in testo
    status, testo = _pagina("/prova/sospetto/")
    assert status == 400
    assert "Richiesta non valida" in testo


@sviluppo
def test_with_debug_a_missing_slash_still_redirects() -> None:
    risposta = Client().get("/account/login")
    assert risposta.status_code == 301
    assert risposta["Location"] == "/account/login/"


@sviluppo
def test_with_debug_the_pages_that_exist_answer_as_usual() -> None:
    status, testo = _pagina("/account/login/")
    assert status == 200
    assert "Accesso con il PIN INPS" in testo


@tecnico
def test_django_technical_pages_only_when_asked_for() -> None:
    status, testo = _pagina("/pagina-inesistente/")
    assert status == 404
    assert TECNICO_404 in testo
    status, testo = _pagina("/prova/guasto/")
    assert status == 500
    assert TECNICO_500 in testo
    assert "guasto di prova" in testo


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_without_debug_the_same_pages_come_from_django_itself() -> None:
    assert _pagina("/pagina-inesistente/")[0] == 404
    status, testo = _pagina("/prova/guasto/")
    assert status == 500
    assert "Il servizio non è al momento disponibile" in testo
