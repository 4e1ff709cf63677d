from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.roles import Ruolo
from demo.popola import DEMO_PASSWORD, EX_INPDAP_PASSWORD, PIN_DEMO_CASO_B, PIN_DEMO_MARIO, demo_popola


class Command(BaseCommand):
    help = "Crea gli utenti dimostrativi di ogni ruolo (solo con DEBUG attivo). Si può rieseguire."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ripristina",
            action="store_true",
            help="Riporta le credenziali ex Inpdap dimostrative a prima dell'unificazione, per provarla di nuovo.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo crea utenti con password note: è permesso solo con DEBUG attivo.")
        persone = demo_popola(ripristina=options["ripristina"])
        self.stdout.write(
            f"Utenti dimostrativi pronti (password comune del personale: {DEMO_PASSWORD}; "
            "gli operatori di Ente accedono solo con il PIN):"
        )
        for persona in persone:
            ruolo = persona.ruolo.label if persona.ruolo else "Amministratore del portale (superutente)"
            pin = f", PIN {PIN_DEMO_MARIO}" if persona.ruolo == Ruolo.OPERATORE_ENTE else ""
            self.stdout.write(f"  {persona.codice_fiscale}  {persona.nome} {persona.cognome}: {ruolo}{pin}")
        self.stdout.write(
            f"Credenziali ex Inpdap (password {EX_INPDAP_PASSWORD}): CNTLNE79B62D086B (caso a), "
            f"NRERRT72R11A944W (caso b, anche PIN {PIN_DEMO_CASO_B})."
        )
