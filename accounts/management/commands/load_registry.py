from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.riferimenti import DATA_FILE
from accounts.services.registro import registro_carica


class Command(BaseCommand):
    help = "Carica Regioni, Province e Comuni (ISTAT) e crea le strutture INPS. Si può rieseguire senza duplicati."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DATA_FILE, help="File JSON dei Comuni ISTAT.")
        parser.add_argument(
            "--aggiorna",
            action="store_true",
            help=(
                "Sovrascrive con i valori del file anche i Comuni già presenti "
                "(le correzioni fatte in admin si perdono)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        esito = registro_carica(path=options["file"], aggiorna=options["aggiorna"])
        self.stdout.write(
            f"Registro: {esito.regioni} regioni, {esito.province} province, {esito.comuni} comuni, "
            f"{esito.strutture} strutture INPS (nuovi: {esito.creati})."
        )
