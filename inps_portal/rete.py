"""The client's address, as the rate limits see it: behind the reverse proxy, from X-Forwarded-For."""

from __future__ import annotations

import ipaddress

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest


def indirizzo_cliente(request: HttpRequest) -> str | None:
    try:
        return str(get_adapter(request).get_client_ip(request))
    except (PermissionDenied, ImproperlyConfigured):
        return None


def indirizzo_reale(request: HttpRequest) -> str:
    """The client's address: ``X-Forwarded-For`` is believed only when the request comes from one of the reverse
    proxies the portal trusts (``PROXY_FIDATI``), which overwrite it; from anywhere else the header is ignored, so a
    client cannot pick the address the rate limits count."""
    from django.conf import settings

    remoto = str(request.META.get("REMOTE_ADDR", ""))
    fidati = [ipaddress.ip_network(rete, strict=False) for rete in settings.PROXY_FIDATI]
    try:
        da_proxy = any(ipaddress.ip_address(remoto) in rete for rete in fidati)
    except ValueError:
        return remoto
    inoltrato = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if not da_proxy or not inoltrato:
        return remoto
    # The proxy sets the header to the address it saw; the last entry is the one it wrote.
    ultimo = inoltrato.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(ultimo))
    except ValueError:
        return remoto


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
