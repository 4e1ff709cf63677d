"""The client's address, as the rate limits see it: behind the reverse proxy, from X-Forwarded-For."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest


def indirizzo_cliente(request: HttpRequest) -> str | None:
    try:
        return str(get_adapter(request).get_client_ip(request))
    except (PermissionDenied, ImproperlyConfigured):
        return None
