"""The IdP's home page, and allauth's authorization endpoint with what a SPID gateway adds."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from allauth.idp.oidc import views as allauth_views
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.csrf import csrf_exempt

from idp_locale.acr import acr_da_rilasciare
from idp_locale.identita import identita_per_username
from idp_locale.soggetti.services import autenticazione_registra
from idp_locale.soggetti.signals import CHIAVE_SESSIONE_AUTH_TIME


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "idp_locale/home.html")


# allauth's view is CSRF exempt (a client may POST its request) and checks the token itself on the consent form.
@csrf_exempt
@xframe_options_deny
def autorizzazione(request: HttpRequest) -> HttpResponse:
    """allauth's authorization endpoint, plus two things.

    ``prompt=login`` with an IdP session ends that session, so the login page asks again for username and password
    and any identity may be chosen (allauth would only ask the same person's password again). And the code issued
    carries the SPID level granted for the request's ``acr_values`` and the time of the login, for the ID token.
    """
    if request.method == "GET" and "login" in request.GET.get("prompt", "").split() and request.user.is_authenticated:
        logout(request)
    risposta: HttpResponse = allauth_views.authorization(request)
    if request.method == "GET" and risposta.status_code == 302 and request.user.is_authenticated:
        codici = parse_qs(urlsplit(risposta["Location"]).query).get("code")
        identita = identita_per_username(request.user.get_username())
        if codici and identita is not None:
            autenticazione_registra(
                codice=codici[0],
                acr=acr_da_rilasciare(identita.livello_spid, request.GET.get("acr_values")),
                auth_time=request.session.get(CHIAVE_SESSIONE_AUTH_TIME),
            )
    return risposta
