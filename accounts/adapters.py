from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SitoDelPortale:
    """What allauth's e-mails call ``current_site``. The portal does not use ``django.contrib.sites``, so allauth would
    name the site after the host the request came to ("127.0.0.1:8000"): the messages name the portal instead."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    """Credentials are issued by INPS, never self-registered."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # One message for a wrong password, an unknown person and a malformed code: no account is revealed.
        "username_password_mismatch": _("Il codice fiscale o la password non sono corretti."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address the rate limits count: X-Forwarded-For only from the trusted reverse proxy."""
        from inps_portal.rete import indirizzo_reale

        return indirizzo_reale(request)

    def reauthenticate(self, user: Any, password: str) -> bool:
        """Confirming the password (before signing a convention, say) is a login with the password: staff only, through
        the same backend and its rules; the people of the PIN have no password to confirm."""
        from accounts.backends import METODO_PASSWORD

        confermato = authenticate(self.request, username=user.codice_fiscale, password=password, metodo=METODO_PASSWORD)
        return confermato is not None and confermato.pk == user.pk

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        sito = SitoDelPortale(name=settings.PORTAL_NAME, domain=get_current_site(self.request).domain)
        super().send_mail(template_prefix, email, {"current_site": sito, **context})
