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


def troppe_richieste(request: HttpRequest, azione: str, *, massimo: int, secondi: int) -> bool:
    """A fixed-window limit per client address on a public form (shared across workers through the cache)."""
    from django.core.cache import cache

    chiave = f"limite:{azione}:{indirizzo_cliente(request) or 'ignoto'}"
    cache.add(chiave, 0, timeout=secondi)
    try:
        return cache.incr(chiave) > massimo
    except ValueError:  # expired between add and incr: a new window starts
        cache.set(chiave, 1, timeout=secondi)
        return False
