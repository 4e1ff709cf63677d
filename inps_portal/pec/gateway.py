"""A PEC gateway for development and tests: a real SMTP server that answers like a PEC provider.

It accepts messages over SMTP (aiosmtpd), keeps a copy of each message delivered to each recipient (the receiving
side, where copies can be counted) and writes well-formed receipts into the sender's Maildir: ``accettazione`` at once
(or ``non-accettazione`` for a message it cannot take), then ``avvenuta-consegna`` or ``errore-consegna`` per recipient.
Recipients on a domain that does not exist (``.invalid``, ``.example``, or any domain listed as dead) get
``errore-consegna`` with ``no-dominio``; a mailbox named ``inesistente`` gets ``no-dest``. With ``caselle`` set, each
delivered copy also lands, in its transport envelope, in the recipient's own Maildir (``caselle/<address>``).

``GatewayPEC.elabora`` is the whole logic; the embedded default of the portal calls it in-process instead of SMTP,
so that receipts and states appear in a demo with no service running.
"""

from __future__ import annotations

import email
import email.policy
import logging
import mailbox
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from inps_portal import clock
from inps_portal.pec.busta import componi_busta
from inps_portal.pec.ricevute import componi

logger = logging.getLogger(__name__)

DIMENSIONE_MASSIMA = 30 * 1024 * 1024


@dataclass
class GatewayPEC:
    ricevute: Path
    consegnati: Path
    # When set, every delivery is also written, in its transport envelope, into ``caselle/<recipient>``: the
    # recipients' mailboxes, which the portal reads for the INPS ones.
    caselle: Path | None = None
    gestore: str = "Gestore PEC di sviluppo del portale"
    dominio: str = "pec-sviluppo.localhost"
    domini_inesistenti: tuple[str, ...] = (".invalid", ".example")
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        for cartella in (self.ricevute, self.consegnati):
            Path(cartella).parent.mkdir(parents=True, exist_ok=True)
        self._ricevute = mailbox.Maildir(self.ricevute, create=True)
        self._consegnati = mailbox.Maildir(self.consegnati, create=True)

    def elabora(self, mittente: str, destinatari: Iterable[str], dati: bytes) -> None:
        """Take one message as the SMTP envelope gives it, deliver it and write the receipts."""
        originale = email.message_from_bytes(dati, policy=email.policy.default)
        assert isinstance(originale, EmailMessage)
        quando = clock.now()
        motivo = self._motivo_non_accettazione(originale, dati)
        if motivo:
            self._scrivi(
                componi(
                    tipo="non-accettazione",
                    originale=originale,
                    gestore=self.gestore,
                    dominio=self.dominio,
                    quando=quando,
                    errore="altro",
                    errore_esteso=motivo,
                )
            )
            logger.info("PEC non accettata", extra={"msgid": str(originale["Message-ID"]), "motivo": motivo})
            return
        self._scrivi(
            componi(tipo="accettazione", originale=originale, gestore=self.gestore, dominio=self.dominio, quando=quando)
        )
        for destinatario in destinatari:
            errore, esteso = self._esito(destinatario)
            if errore == "nessuno":
                with self._lock:
                    self._consegnati.add(dati)
                    if self.caselle is not None:
                        busta = componi_busta(
                            originale=originale,
                            destinatario=destinatario,
                            gestore=self.gestore,
                            dominio=self.dominio,
                            quando=quando,
                        )
                        deposita(Path(self.caselle), destinatario, busta)
                self._scrivi(
                    componi(
                        tipo="avvenuta-consegna",
                        originale=originale,
                        gestore=self.gestore,
                        dominio=self.dominio,
                        quando=quando,
                        consegna=destinatario,
                    )
                )
            else:
                self._scrivi(
                    componi(
                        tipo="errore-consegna",
                        originale=originale,
                        gestore=self.gestore,
                        dominio=self.dominio,
                        quando=quando,
                        consegna=destinatario,
                        errore=errore,
                        errore_esteso=esteso,
                    )
                )

    def _motivo_non_accettazione(self, originale: EmailMessage, dati: bytes) -> str:
        if not originale["Message-ID"]:
            return "5.6.0 - messaggio privo di Message-ID"
        if len(dati) > DIMENSIONE_MASSIMA:
            return "5.3.4 - messaggio di dimensioni superiori al limite"
        return ""

    def _esito(self, destinatario: str) -> tuple[str, str]:
        locale, _, dominio = destinatario.lower().rpartition("@")
        if any(dominio.endswith(d.lstrip(".")) for d in self.domini_inesistenti) or not dominio:
            return "no-dominio", f"5.1.2 - dominio di destinazione inesistente: {dominio or '(vuoto)'}"
        if locale == "inesistente":
            return "no-dest", f"5.1.1 - casella di destinazione inesistente: {destinatario}"
        return "nessuno", ""

    def _scrivi(self, ricevuta: bytes) -> None:
        with self._lock:
            self._ricevute.add(ricevuta)


def deposita(radice: Path, indirizzo: str, grezzo: bytes) -> None:
    """Put a message in the Maildir of ``indirizzo`` under ``radice`` (the recipients' mailboxes)."""
    radice.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(radice / indirizzo.strip().lower(), create=True).add(grezzo)


class _Handler:
    def __init__(self, gateway: GatewayPEC) -> None:
        self.gateway = gateway

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        data = envelope.original_content or envelope.content
        self.gateway.elabora(envelope.mail_from, list(envelope.rcpt_tos), bytes(data))
        return "250 2.0.0 Messaggio accettato dal gestore"


def porta_libera(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def avvia(gateway: GatewayPEC, host: str = "127.0.0.1", port: int | None = None) -> Controller:
    """Start the SMTP server in a background thread (on a free port when none is given: see ``controller.port``)."""
    controller = Controller(
        _Handler(gateway), hostname=host, port=port or porta_libera(host), data_size_limit=DIMENSIONE_MASSIMA + 1024
    )
    controller.start()
    return controller
