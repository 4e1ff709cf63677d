"""Generated persons for the credential scenarios: valid and distinct codici fiscali, the CSV files of the real
import (``manage.py import_credenziali``), a loopback address per person, and the one Ente of the run.

``tests.factories.codice_fiscale_valido`` repeats every 18,000 values (it depends on ``n % 4`` and
``n * 37 % 18000`` only), so the persons get codes of their own: six letters spelling ``n`` in base 26, a birth
date and sex derived from ``n``, one of a few large Comuni, the check character from the ``codicefiscale`` package.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.harness.core import HOST
from bench.harness.load import Person

PASSWORD_EX_INPDAP = "Inpdap.Bench.2026"  # noqa: S105 - the known password of every generated ex-Inpdap credential
PIN_PREESISTENTE = "PINBENCH23456789"  # the PIN of every generated PIN-only person
ABILITAZIONI_EX_INPDAP = ("Domanda Valore PA", "Visualizzazione versamenti Ente")
ABILITAZIONE_PIN = "Soggiorni senior"
ENTE_COMUNE_ISTAT = "078045"  # Rende, as in tests.factories.EnteFactory
# Common birthplaces: validating a codice fiscale costs more for some of them (Roma the most).
BIRTHPLACES = ("H501", "F205", "F839", "L219", "G273", "D086", "H235", "A662")
_ESITO = re.compile(r"^(?P<file>\S+): (?P<lette>\d+) righe lette, (?P<importate>\d+) importate, (?P<scartate>\d+) ")


def codice_fiscale(n: int, birthplace: str | None = None) -> str:
    """A valid codice fiscale, distinct for every ``n`` below 26**6."""
    from codicefiscale import codicefiscale as cf

    letters, rest = "", n
    for _ in range(6):
        rest, digit = divmod(rest, 26)
        letters = chr(ord("A") + digit) + letters
    nascita = dt.date(1950, 1, 1) + dt.timedelta(days=n * 7919 % 18262)
    giorno = nascita.day + (40 if n % 2 else 0)
    luogo = birthplace or BIRTHPLACES[n // 2 % len(BIRTHPLACES)]
    base = f"{letters}{nascita.year % 100:02d}{'ABCDEHLMPRST'[nascita.month - 1]}{giorno:02d}{luogo}"
    return base + str(cf.encode_cin(base))


def source_address(index: int, one_address: bool = False) -> str:
    """A loopback address of its own for each person (all of 127.0.0.0/8 is local), unless ``one_address``.

    allauth limits the POSTs to the login page to 60 a minute per client address: from a single address the
    benchmark would measure the rate limiter.
    """
    return HOST if one_address else f"127.{1 + index // 62500}.{index // 250 % 250}.{index % 250 + 1}"


def persons(indices: Iterable[int], secret: str, one_address: bool = False) -> list[Person]:
    return [Person(i, codice_fiscale(i), secret, source_address(i, one_address)) for i in indices]


def sha256(password: str, sale: str) -> str:
    return hashlib.sha256((sale + password).encode()).hexdigest()


@contextmanager
def _writer(path: Path, header: list[str]) -> Iterator[Any]:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        yield writer


def write_ex_inpdap(path: Path, indices: Iterable[int]) -> None:
    """ex-Inpdap credentials: sha256 of a per-row salt + the known password; a third enabled to PassWeb."""
    from accounts.services.importazione import COLONNE_EX_INPDAP

    with _writer(path, COLONNE_EX_INPDAP) as writer:
        for n in indices:
            sale, passweb = f"s{n:x}", "2015-03-01" if n % 3 == 0 else ""
            writer.writerow([codice_fiscale(n), f"Cognome{n}", f"Nome{n}", f"persona{n}@example.it", "sha256",
                             sha256(PASSWORD_EX_INPDAP, sale), sale, passweb])  # fmt: skip


def write_pin(path: Path, indices: Iterable[int]) -> None:
    """Persons with a PIN only (sha256 of the shared PIN), half of them dispositivo."""
    from accounts.services.importazione import COLONNE_PIN

    with _writer(path, COLONNE_PIN) as writer:
        for n in indices:
            writer.writerow([codice_fiscale(n), f"Cognome{n}", f"Nome{n}", f"persona{n}@example.it", "sha256",
                             sha256(PIN_PREESISTENTE, ""), "", "dispositivo" if n % 2 else "online"])  # fmt: skip


def write_abilitazioni(path: Path, rows: Iterable[tuple[int, str, str]], ente: str) -> None:
    """One row per (person, credential, abilitazione) on the run's Ente."""
    from accounts.services.importazione import COLONNE_ABILITAZIONI

    with _writer(path, COLONNE_ABILITAZIONI) as writer:
        for n, credenziale, nome in rows:
            writer.writerow([codice_fiscale(n), credenziale, ente, nome])


def import_command(files: dict[str, Path], report: Path) -> list[str]:
    """``import_credenziali --ex-inpdap F --pin F --abilitazioni F --rapporto R``."""
    command = ["import_credenziali", "--rapporto", str(report)]
    for option, path in files.items():
        command += [f"--{option}", str(path)]
    return command


def parse_esiti(output: str) -> dict[str, dict[str, int]]:
    """The summary lines of ``import_credenziali``, by file name: rows read, imported, rejected."""
    found = {}
    for line in output.splitlines():
        if match := _ESITO.match(line.strip()):
            found[match["file"]] = {k: int(match[k]) for k in ("lette", "importate", "scartate")}
    return found


def create_ente() -> str:
    """The one Ente the abilitazioni are for (Django set up); its codice fiscale."""
    from accounts.models import Comune, Ente
    from tests.factories import codice_fiscale_ente

    ente = Ente.objects.create(
        nome="Ente del benchmark",
        codice_fiscale=codice_fiscale_ente(1),
        pec="ente.benchmark@pec.example.it",
        comune=Comune.objects.get(codice_istat=ENTE_COMUNE_ISTAT),
    )
    return ente.codice_fiscale
