from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services.importazione import (
    INTESTAZIONE_RAPPORTO,
    RigaNonValida,
    importa_abilitazioni,
    importa_ex_inpdap,
    importa_pin,
)


class Command(BaseCommand):
    help = (
        "Importa da file CSV le credenziali ex Inpdap, i PIN esistenti e le abilitazioni (formato nel README). "
        "Si può rieseguire: ciò che è già presente resta com'è. Le righe scartate vanno nel rapporto."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ex-inpdap", type=Path, help="CSV delle credenziali ex Inpdap.")
        parser.add_argument("--pin", type=Path, help="CSV dei PIN già rilasciati.")
        parser.add_argument("--abilitazioni", type=Path, help="CSV delle abilitazioni (dopo le credenziali).")
        parser.add_argument("--rapporto", type=Path, default=Path("scarti-importazione.csv"))
        parser.add_argument("--lotto", type=int, default=1000, help="Righe scritte per transazione.")

    def handle(self, *args: Any, **options: Any) -> None:
        passi = [
            ("ex_inpdap", importa_ex_inpdap),
            ("pin", importa_pin),
            ("abilitazioni", importa_abilitazioni),
        ]
        if not any(options[nome] for nome, _ in passi):
            raise CommandError("Indichi almeno un file: --ex-inpdap, --pin o --abilitazioni.")
        with options["rapporto"].open("w", newline="", encoding="utf-8") as uscita:
            rapporto = csv.writer(uscita, delimiter=";")
            rapporto.writerow(INTESTAZIONE_RAPPORTO)
            for nome, importa in passi:
                percorso: Path | None = options[nome]
                if percorso is None:
                    continue
                try:
                    with percorso.open(encoding="utf-8-sig", newline="") as handle:
                        esito = importa(handle, nome=percorso.name, lotto=options["lotto"], rapporto=rapporto)
                except (OSError, UnicodeDecodeError, RigaNonValida) as exc:
                    raise CommandError(f"{percorso}: {exc}") from exc
                self.stdout.write(
                    f"{percorso.name}: {esito.lette} righe lette, {esito.importate} importate, "
                    f"{esito.scarti_totali} scartate."
                )
        self.stdout.write(f"Rapporto delle righe scartate: {options['rapporto']}")
