"""Content-Security-Policy and Permissions-Policy on every response of the portal.

Django 5.2 has no Content-Security-Policy of its own (it comes with 6.0) and none for Permissions-Policy: this
middleware writes both from the settings ``CONTENT_SECURITY_POLICY`` and ``PERMISSIONS_POLICY``. It sits right after
``SecurityMiddleware``, so that public pages, the Area riservata, the back office, error pages and the static files
served by whitenoise all carry them. A view that needs a different policy sets the header itself: it is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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


class IntestazioniSicurezzaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.intestazioni = {
            CSP: content_security_policy(settings.CONTENT_SECURITY_POLICY),
            PERMISSIONS: permissions_policy(settings.PERMISSIONS_POLICY),
        }

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for nome, valore in self.intestazioni.items():
            response.headers.setdefault(nome, valore)
        return response
