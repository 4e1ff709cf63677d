from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Credentials are issued by INPS, never self-registered."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
