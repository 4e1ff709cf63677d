"""Login with the INPS credentials: the active PIN, or (until they are unified) the ex-Inpdap password.

A credential that the unification has retired (the ex-Inpdap password, a superseded PIN) is refused and the request
is marked, so that the login page can say what to use instead. Any other failure gets the generic answer.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from accounts.models import PIN, CredenzialeExInpdap, User
from accounts.validators import normalizza_codice_fiscale

_FINTO = make_password("per-tempi-di-risposta-uguali")


class CredenzialiINPSBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        user = User.objects.filter(codice_fiscale=normalizza_codice_fiscale(username)).first()
        if user is None or not self.user_can_authenticate(user):
            check_password(password, _FINTO)  # the same work as for a real person: no timing difference
            return None
        pins = list(PIN.objects.filter(user=user).exclude(status=PIN.Status.REVOCATO))
        attivo = next((p for p in pins if p.status == PIN.Status.ATTIVO), None)
        if attivo is not None and check_password(password, attivo.codice_hash):
            return user
        credenziale = CredenzialeExInpdap.objects.filter(user=user).first()
        if credenziale is not None and check_password(password, credenziale.password_hash):
            if credenziale.unificata_il is None:
                return user
            self._segna_dismessa(request, "ex_inpdap")
        elif any(p.status == PIN.Status.SUPERATO and check_password(password, p.codice_hash) for p in pins):
            self._segna_dismessa(request, "pin_superato")
        return None

    def _segna_dismessa(self, request: HttpRequest | None, quale: str) -> None:
        if request is not None:
            request.credenziale_dismessa = quale  # type: ignore[attr-defined]
