"""Receipts read from a real IMAP mailbox (Dovecot), as in production."""

from __future__ import annotations

import email
import email.policy
import imaplib
from typing import Any
from urllib.parse import urlparse

import pytest

from inps_portal import clock
from inps_portal.pec import casella, services
from inps_portal.pec.gateway import GatewayPEC
from inps_portal.pec.models import MessaggioPEC, RicevutaPEC
from inps_portal.pec.ricevute import componi

pytestmark = pytest.mark.django_db
DESTINATARIO = "protocollo@pec.comune-esempio.it"


def _deposita(url: str, *messaggi: bytes) -> None:
    parsed = urlparse(url)
    with imaplib.IMAP4(parsed.hostname or "", parsed.port or 143) as client:
        client.login(parsed.username or "", parsed.password or "")
        for messaggio in messaggi:
            client.append("INBOX", "", "", messaggio)


def test_receipts_are_read_from_imap_once(imap_server: str, settings: Any, pec_locale: GatewayPEC) -> None:
    messaggio = services.pec_spedisci(modello="prova", destinatari=[DESTINATARIO])
    MessaggioPEC.objects.filter(pk=messaggio.pk).update(status=MessaggioPEC.Status.INVIATO)
    originale = email.message_from_bytes(services.componi_email(messaggio), policy=email.policy.default)
    comuni: dict[str, Any] = {"originale": originale, "gestore": "Gestore di prova", "dominio": "gestore.localhost"}
    _deposita(
        imap_server,
        componi(tipo="accettazione", quando=clock.now(), **comuni),
        componi(tipo="avvenuta-consegna", quando=clock.now(), consegna=DESTINATARIO, **comuni),
        b"Subject: posta qualunque\r\n\r\nnon una ricevuta\r\n",
    )
    settings.PEC_IMAP_URL = imap_server
    assert casella.leggi_ricevute() == 3
    assert casella.leggi_ricevute() == 0
    messaggio.refresh_from_db()
    assert messaggio.status == MessaggioPEC.Status.CONSEGNATO
    assert RicevutaPEC.objects.filter(esito="applicata").count() == 2
    assert RicevutaPEC.objects.filter(esito="scartata").count() == 1
