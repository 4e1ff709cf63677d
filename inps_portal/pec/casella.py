"""The mailboxes the portal reads: the provider's receipts of what it sent, and the INPS mailboxes where Enti send
their PEC (the routing addresses of the circolare). A local Maildir in development, IMAP in production."""

from __future__ import annotations

import contextlib
import imaplib
import logging
import mailbox
from collections.abc import Callable
from email.parser import HeaderParser
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings

from inps_portal.pec.arrivo import pec_in_arrivo_registra
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


def leggi_imap(url: str, registra: Callable[[bytes], object] | None = None) -> int:
    """``imaps://user:password@host:993/INBOX``: fetch unseen messages, register them, mark them seen."""
    registra = registra or (lambda grezzo: ricevuta_registra(grezzo=grezzo))
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
            registra(grezzo)
            client.store(numero, "+FLAGS", "\\Seen")
            letti += 1
    return letti


# --- The INPS mailboxes where the Enti write ---------------------------------------------------------------------


def caselle_in_arrivo() -> dict[str, str]:
    """``PEC_CASELLE_ARRIVO``: ``indirizzo=imaps://utente:password@host/INBOX`` entries, one per INPS mailbox."""
    caselle: dict[str, str] = {}
    for voce in settings.PEC_CASELLE_ARRIVO:
        indirizzo, _, url = voce.partition("=")
        if "@" not in indirizzo or "://" not in url:
            raise ValueError(f"PEC_CASELLE_ARRIVO: voce non valida, attesa indirizzo=url IMAP: {voce.split('://')[0]}")
        caselle[indirizzo.strip().lower()] = url.strip()
    return caselle


def leggi_posta_in_arrivo() -> int:
    """Read every new message of every INPS mailbox once; return how many were read."""
    caselle = caselle_in_arrivo()
    if caselle:
        letti = 0
        for indirizzo, url in caselle.items():

            def registra(grezzo: bytes, casella: str = indirizzo) -> object:
                return pec_in_arrivo_registra(grezzo=grezzo, casella=casella)

            letti += leggi_imap(url, registra)
        return letti
    # Development: the gateway delivers into one Maildir per recipient, named after the address.
    radice = Path(settings.PEC_CASELLE_MAILDIR)
    letti = 0
    if not radice.is_dir():
        return 0
    for cartella in sorted(p for p in radice.iterdir() if p.is_dir() and "@" in p.name):
        casella = mailbox.Maildir(cartella, create=False)
        for chiave in list(casella.iterkeys()):
            try:
                grezzo = casella.get_bytes(chiave)
            except (KeyError, FileNotFoundError):
                continue
            pec_in_arrivo_registra(grezzo=grezzo, casella=cartella.name)
            with contextlib.suppress(KeyError, FileNotFoundError):
                casella.remove(chiave)
            letti += 1
    return letti
