"""The mailbox where the provider's receipts arrive: a local Maildir in development, IMAP in production."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import mailbox
from email.parser import HeaderParser
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings

from inps_portal.pec.services import ricevuta_registra

logger = logging.getLogger(__name__)


def leggi_ricevute() -> int:
    """Read every new receipt once; return how many messages were read."""
    if settings.PEC_IMAP_URL:
        return leggi_imap(settings.PEC_IMAP_URL)
    return leggi_maildir(Path(settings.PEC_MAILDIR))


def leggi_maildir(cartella: Path) -> int:
    cartella.parent.mkdir(parents=True, exist_ok=True)
    casella = mailbox.Maildir(cartella, create=True)
    lotto: list[tuple[int, str, bytes]] = []
    for chiave in list(casella.iterkeys()):
        try:
            grezzo = casella.get_bytes(chiave)
        except (KeyError, FileNotFoundError):
            continue  # another reader took it
        lotto.append((_ordine(grezzo), chiave, grezzo))
    # Files of one second have no reliable order: the provider's acceptance comes before the deliveries it precedes.
    for _, chiave, grezzo in sorted(lotto, key=lambda voce: voce[:2]):
        ricevuta_registra(grezzo=grezzo)
        with contextlib.suppress(KeyError, FileNotFoundError):
            casella.remove(chiave)
    return len(lotto)


def _ordine(grezzo: bytes) -> int:
    tipo = str(HeaderParser().parsestr(grezzo[:16384].decode("utf-8", "replace")).get("X-Ricevuta", "")).strip()
    return 0 if tipo in ("accettazione", "non-accettazione") else 1


def leggi_imap(url: str) -> int:
    """``imaps://user:password@host:993/INBOX``: fetch unseen messages, register them, mark them seen."""
    parsed = urlparse(url)
    client_class = imaplib.IMAP4_SSL if parsed.scheme == "imaps" else imaplib.IMAP4
    letti = 0
    with client_class(parsed.hostname or "", parsed.port or (993 if parsed.scheme == "imaps" else 143)) as client:
        client.login(unquote(parsed.username or ""), unquote(parsed.password or ""))
        client.select((parsed.path or "/INBOX").lstrip("/") or "INBOX")
        _, numeri = client.search(None, "UNSEEN")
        for numero in numeri[0].split():
            _, parti = client.fetch(numero, "(BODY.PEEK[])")
            grezzo = next((p[1] for p in parti if isinstance(p, tuple)), b"")
            ricevuta_registra(grezzo=grezzo)
            client.store(numero, "+FLAGS", "\\Seen")
            letti += 1
    return letti
