"""The backend a session opened with SPID, CIE or CNS records: it authenticates nobody by itself (the identity was
proved to the gateway or to the proxy), so no form can reach it; it only loads the person of an open session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.backends import BackendDelPortale
from accounts.models import User

PERCORSO = "identita.backends.IdentitaDigitaleBackend"


class IdentitaDigitaleBackend(BackendDelPortale):
    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> User | None:
        return None
