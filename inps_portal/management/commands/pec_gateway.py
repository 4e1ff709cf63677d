from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from inps_portal.pec.gateway import GatewayPEC, avvia


class Command(BaseCommand):
    help = (
        "Avvia il gateway PEC di sviluppo: un server SMTP che accetta i messaggi e scrive le ricevute PEC "
        "(accettazione, consegna o errore) nella cartella Maildir delle ricevute. Non consegna nulla all'esterno."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=1025)
        parser.add_argument("--maildir", type=Path, default=Path(settings.PEC_MAILDIR), help="Cartella delle ricevute.")
        parser.add_argument(
            "--caselle",
            type=Path,
            default=Path(settings.PEC_CASELLE_MAILDIR),
            help="Cartella delle caselle dei destinatari (una Maildir per indirizzo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ricevute: Path = options["maildir"]
        gateway = GatewayPEC(ricevute=ricevute, consegnati=ricevute.parent / "consegnati", caselle=options["caselle"])
        controller = avvia(gateway, host=options["host"], port=options["port"])
        self.stdout.write(f"Gateway PEC in ascolto su {options['host']}:{controller.port}, ricevute in {ricevute}")
        fermo = threading.Event()
        for segnale in (signal.SIGINT, signal.SIGTERM):
            signal.signal(segnale, lambda *_: fermo.set())
        fermo.wait()
        controller.stop()
