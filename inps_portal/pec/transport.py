"""How a message leaves the portal: SMTP to the PEC provider, or the development gateway in-process.

Outside production only a gateway on this machine may be reached, whatever address the routing data names: real
INPS mailboxes are never written to by a test, a demo or a development run.
"""

from __future__ import annotations

import ipaddress
import smtplib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from inps_portal.pec.gateway import GatewayPEC


class InvioNonRiuscito(Exception):
    """The provider did not take the message (refused, unreachable, timed out): worth another attempt."""


def consegna(*, mittente: str, destinatari: Sequence[str], dati: bytes) -> None:
    url = settings.PEC_SMTP_URL
    if not url:
        gateway_locale().elabora(mittente, destinatari, dati)
        return
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 25
    if not settings.PEC_CONSENTI_SERVER_ESTERNI and not _locale(host):
        raise ImproperlyConfigured(
            f"Fuori produzione la PEC può andare solo al gateway locale, non a {host} (PEC_SMTP_URL)."
        )
    try:
        smtp_class = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
        with smtp_class(host, port, timeout=settings.PEC_SMTP_TIMEOUT) as smtp:
            if parsed.scheme == "smtp+tls":
                smtp.starttls()
            if parsed.username:
                smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
            refused = smtp.sendmail(mittente, list(destinatari), dati)
    except (smtplib.SMTPException, OSError) as exc:
        raise InvioNonRiuscito(f"{type(exc).__name__}: {exc}") from exc
    if refused:
        raise InvioNonRiuscito(f"destinatari rifiutati dal server: {sorted(refused)}")


def _locale(host: str) -> bool:
    """Only ``localhost`` or a loopback address: no name is ever looked up to decide."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def gateway_locale() -> GatewayPEC:
    return _gateway(str(settings.PEC_MAILDIR))


@cache
def _gateway(cartella: str) -> GatewayPEC:
    return GatewayPEC(
        ricevute=Path(cartella),
        consegnati=Path(cartella).parent / "consegnati",
        caselle=Path(settings.PEC_CASELLE_MAILDIR),
    )
