from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.roles import Ruolo, group_name
from convenzioni import pki_demo
from convenzioni.models import Convenzione


class Command(BaseCommand):
    help = (
        "Crea la CA dimostrativa e i certificati di firma (PKCS#12) dei direttori e dei legali rappresentanti dei "
        "Comuni, per firmare le convenzioni PUE in sviluppo. Rifiutato con DEBUG spento."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persona",
            action="append",
            default=[],
            metavar="CF:NOME:COGNOME",
            help="Un certificato anche per questa persona (ripetibile).",
        )
        parser.add_argument("--rinnova", action="store_true", help="Emette di nuovo i certificati già presenti.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("La PKI dimostrativa si crea solo in sviluppo (DEBUG attivo).")
        persone: dict[str, pki_demo.Persona] = {}
        for user in User.objects.filter(groups__name=group_name(Ruolo.DIRETTORE)).distinct():
            persone[user.codice_fiscale] = pki_demo.Persona(user.codice_fiscale, user.nome, user.cognome)
        for cf, nome, cognome in Convenzione.objects.values_list(
            "legale_rappresentante_codice_fiscale", "legale_rappresentante_nome", "legale_rappresentante_cognome"
        ).distinct():
            persone[cf] = pki_demo.Persona(cf, nome, cognome)
        for voce in options["persona"]:
            parti = [p.strip() for p in voce.split(":")]
            if len(parti) != 3 or not all(parti):
                raise CommandError(f"--persona {voce!r}: usi il formato CODICEFISCALE:Nome:Cognome.")
            persone[parti[0].upper()] = pki_demo.Persona(parti[0].upper(), parti[1], parti[2])
        pki_demo.ca()
        for persona in persone.values():
            pki_demo.certificato(persona, rinnova=options["rinnova"])
        self.stdout.write(
            f"PKI dimostrativa in {pki_demo.cartella()}: CA {pki_demo.CA_CERTIFICATO}, "
            f"{len(persone)} certificati di firma."
        )
