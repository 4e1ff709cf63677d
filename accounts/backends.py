"""The two ways into the portal, never crossed.

- ``PINBackend``: the people of the Circolare 71/2016 log in with their INPS PIN or, until the unification, with the
  ex-Inpdap password that starts it ("esclusivamente con il proprio PIN INPS personale", par. 1). A credential the
  unification has retired (the ex-Inpdap password, a superseded PIN) is refused and the request is marked, so that
  the login page can say what to use instead. Any other failure gets the generic answer.
- ``PasswordBackend``: INPS staff (and, until they move to SPID, CIE or CNS, the people of the PUE) log in with a
  password. Nobody who acts for an Ente or holds a PIN or ex-Inpdap credentials gets in this way, whatever password
  their row may carry, unless they are INPS staff: and then the Area riservata still asks for the PIN.

Each form names the way it uses (``metodo``), so that a PIN is never tried as a password nor the reverse. A failed
attempt costs the same hashing work whoever the person is: the time does not tell who exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from accounts.hashers import codifica_hash_legacy
from accounts.models import PIN, CredenzialeExInpdap, User
from accounts.selectors.persone import ha_password, persona_della_sessione
from accounts.services.unificazione import normalizza_pin
from accounts.validators import normalizza_codice_fiscale

METODO_PIN = "pin"
METODO_PASSWORD = "password"  # noqa: S105 - the name of a way in, not a secret

# Stand-ins verified when the person, or one of their credentials, does not exist: the same work either way.
_FINTO = make_password("per-tempi-di-risposta-uguali")
_FINTO_EX_INPDAP = codifica_hash_legacy("sha1", "0" * 40)


class BackendDelPortale(ModelBackend):
    """What every way into the portal shares: the person of an open session is read with their roles and active PIN
    in one query (``persona_della_sessione``), since nearly every page asks for them."""

    def get_user(self, user_id: Any) -> User | None:
        user = persona_della_sessione(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class PINBackend(BackendDelPortale):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        metodo: str | None = None,
    ) -> User | None:
        if metodo != METODO_PIN or not username or not password:
            return None
        user = User.objects.filter(codice_fiscale=normalizza_codice_fiscale(username)).first()
        if user is None or not self.user_can_authenticate(user):
            self._fallisci_uguale(password)
            return None
        pins = list(PIN.objects.filter(user=user).exclude(status=PIN.Status.REVOCATO).order_by("-creato_il"))
        attivo = next((p for p in pins if p.status == PIN.Status.ATTIVO), None)
        if attivo is None:
            check_password(password, _FINTO)
        elif check_password(normalizza_pin(password, attivo), attivo.codice_hash, setter=_aggiorna_hash(attivo)):
            return user
        credenziale = CredenzialeExInpdap.objects.filter(user=user).first()
        superati = [p for p in pins if p.status == PIN.Status.SUPERATO]
        if credenziale is not None and check_password(password, credenziale.password_hash):
            if credenziale.unificata_il is None:
                return user
            self._segna_dismessa(request, "ex_inpdap")
            check_password(password, _FINTO)  # the superseded PIN is not tried: same work as below
        elif self._superato(password, superati):
            self._segna_dismessa(request, "pin_superato")
        if credenziale is None:
            check_password(password, _FINTO_EX_INPDAP)
        return None

    @staticmethod
    def _superato(password: str, superati: list[PIN]) -> bool:
        """Only the latest superseded PIN is recognised (the one a person is most likely to type)."""
        if not superati:
            check_password(password, _FINTO)
            return False
        return check_password(normalizza_pin(password, superati[0]), superati[0].codice_hash)

    @staticmethod
    def _fallisci_uguale(password: str) -> None:
        check_password(password, _FINTO)  # the active PIN
        check_password(password, _FINTO_EX_INPDAP)  # the ex-Inpdap password
        check_password(password, _FINTO)  # the superseded PIN

    def _segna_dismessa(self, request: HttpRequest | None, quale: str) -> None:
        if request is not None:
            request.credenziale_dismessa = quale  # type: ignore[attr-defined]


class PasswordBackend(BackendDelPortale):
    """Django's password login, for the people who have a portal password at all (``ha_password``)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        metodo: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if metodo != METODO_PASSWORD or not username or not password:
            return None
        user = User.objects.filter(codice_fiscale=normalizza_codice_fiscale(username)).first()
        if user is None or not ha_password(user):
            check_password(password, _FINTO)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def sessione_con_pin(request: HttpRequest) -> bool:
    """Whether the session was opened with the PIN (or with the ex-Inpdap password that the unification turned into
    one): Django records the backend that authenticated the person in the session."""
    return request.session.get(BACKEND_SESSION_KEY) == f"{PINBackend.__module__}.{PINBackend.__qualname__}"


def _aggiorna_hash(pin: PIN) -> Callable[[str], None]:
    """Rewrites a PIN's hash with the preferred hasher when it was made with an older one (PBKDF2 -> Argon2id)."""

    def setter(codice: str) -> None:
        PIN.objects.filter(pk=pin.pk, codice_hash=pin.codice_hash).update(codice_hash=make_password(codice))

    return setter
