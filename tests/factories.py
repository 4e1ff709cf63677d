"""factory_boy factories for the people and organisations of the portal."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import factory
from codicefiscale import codicefiscale

from accounts.models import Comune, Ente, Struttura, Team, User
from accounts.roles import Ruolo
from accounts.services import ruolo_assegna, team_assegna

PASSWORD = "Password.Di.Prova.1"
_NAMES: list[tuple[str, str, Literal["M", "F"]]] = [
    ("Rossi", "Mario", "M"),
    ("Verdi", "Giulia", "F"),
    ("Russo", "Luca", "M"),
    ("Conti", "Elena", "F"),
]


def codice_fiscale_valido(n: int) -> str:
    """A well-formed codice fiscale, distinct for every ``n``: born in Rome, on a date derived from ``n``."""
    cognome, nome, sesso = _NAMES[n % len(_NAMES)]
    nascita = dt.date(1950, 1, 1) + dt.timedelta(days=n * 37 % 18000)
    return codicefiscale.encode(
        lastname=cognome, firstname=nome, gender=sesso, birthdate=nascita.strftime("%d/%m/%Y"), birthplace="Roma"
    )


def codice_fiscale_ente(n: int) -> str:
    base = f"9{n:09d}"
    total = 0
    for index, char in enumerate(base):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return base + str((10 - total % 10) % 10)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("codice_fiscale",)

    codice_fiscale = factory.Sequence(codice_fiscale_valido)
    nome = "Mario"
    cognome = "Rossi"
    email = factory.Sequence(lambda n: f"utente{n}@example.it")
    password = factory.django.Password(PASSWORD)


class EnteFactory(factory.django.DjangoModelFactory[Ente]):
    class Meta:
        model = Ente

    nome = factory.Sequence(lambda n: f"Ente di prova {n}")
    codice_fiscale = factory.Sequence(codice_fiscale_ente)
    pec = factory.Sequence(lambda n: f"ente{n}@pec.example.it")
    comune = factory.LazyFunction(lambda: Comune.objects.get(codice_istat="078045"))


def personale_inps(ruolo: Ruolo, codice_struttura: str) -> User:
    """A member of INPS staff with ``ruolo`` at the structure ``codice_struttura``, freshly read (groups, is_staff)."""
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=Struttura.objects.get(codice=codice_struttura))
    return User.objects.get(pk=user.pk)


def nel_team(user: User, codice_struttura: str, codice_team: str = Team.CREDITO_WELFARE) -> User:
    """``user``, staff of ``codice_struttura``, put in one of its teams through the service (by default the Direzione
    regionale's team Prestazioni a sostegno del reddito, Credito e Welfare, which decides allegato 3)."""
    team_assegna(user=user, team=Team.objects.get(struttura__codice=codice_struttura, codice=codice_team))
    return user


def personale_del_team(codice_struttura: str, codice_team: str = Team.CREDITO_WELFARE) -> User:
    """A member of staff of the Direzione regionale ``codice_struttura`` who works in its team (allegato 3)."""
    return nel_team(
        personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, codice_struttura), codice_struttura, codice_team
    )
