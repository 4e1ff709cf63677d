from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


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
