"""Content-Security-Policy and Permissions-Policy on every response of the portal.

Django 5.2 has no Content-Security-Policy of its own (it comes with 6.0) and none for Permissions-Policy: this
middleware writes both from the settings ``CONTENT_SECURITY_POLICY`` and ``PERMISSIONS_POLICY``. It sits right after
``SecurityMiddleware``, so that public pages, the Area riservata, the back office, error pages and the static files
served by whitenoise all carry them. A view that needs a different policy sets the header itself: it is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

CSP = "Content-Security-Policy"
PERMISSIONS = "Permissions-Policy"


def content_security_policy(direttive: Mapping[str, Sequence[str]]) -> str:
    """``{"default-src": ["'self'"], ...}`` as the header's value: ``default-src 'self'; ...``."""
    return "; ".join(" ".join([nome, *sorgenti]) for nome, sorgenti in direttive.items())


def permissions_policy(funzionalita: Mapping[str, Sequence[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` as the header's value: ``camera=(), fullscreen=(self)``."""
    return ", ".join(f"{nome}=({' '.join(origini)})" for nome, origini in funzionalita.items())


def origine(url: str) -> str:
    """``https://idp.example.it/oidc/`` -> ``https://idp.example.it``; empty for anything that is not a URL."""
    parti = urlsplit(url or "")
    return f"{parti.scheme}://{parti.netloc}" if parti.scheme in ("http", "https") and parti.netloc else ""


@lru_cache(maxsize=4)
def _intestazioni(gateway: str) -> dict[str, str]:
    direttive = {nome: list(sorgenti) for nome, sorgenti in settings.CONTENT_SECURITY_POLICY.items()}
    if gateway:
        # The SPID and CIE buttons post to the portal, which redirects to the identity gateway: form-action
        # covers the redirect of a submitted form, so the gateway is named there, and nowhere else.
        direttive.setdefault("form-action", []).append(gateway)
    return {CSP: content_security_policy(direttive), PERMISSIONS: permissions_policy(settings.PERMISSIONS_POLICY)}


class IntestazioniSicurezzaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for nome, valore in _intestazioni(origine(settings.IDENTITA_GATEWAY_URL)).items():
            response.headers.setdefault(nome, valore)
        return response
