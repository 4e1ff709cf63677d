"""The birthplace codes of the codice fiscale (Comuni and foreign States) and the dates at which each can be read.

The facts come from the data files that python-codicefiscale ships (the same files its ``decode`` reads:
``municipalities.json``, ``deleted-countries.json``, ``countries.json``; one entry per period in which a code was in
use, with ``date_created`` and ``date_deleted``). They are read once per process and kept as a small index, code ->
intervals of birth dates, so that checking a birthplace costs a dictionary lookup instead of the package's search
(slugs and date parsing at every call), which was most of the time of a CSV import.

The intervals reproduce, date for date, which birth dates ``codicefiscale.decode`` accepts for a code:

- a date inside a period of use (bounds included; a missing bound is open);
- a date from the end of a period on, when the next entry of the same code starts on or after that end (the package
  bridges the gaps in its data source);
- any date up to the latest start of a period: the package accepts codes assigned after the birth date (its issues
  #210 and #213: a person born before a Comune was founded may carry its code).

So what is refused, besides codes that do not exist, is a birth date after the code went out of use (and, as the
validator reads the year in two centuries, only when both readings are after it). ``tests/test_importazione_veloce.py``
compares the verdicts with ``decode`` on the edges of every code that went out of use over a century ago and of a
sample of the others.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import itertools
import json
from pathlib import Path
from typing import Any

Intervallo = tuple[dt.date, dt.date]
Periodo = tuple[dt.date | None, dt.date | None]

# In the order the package indexes them: the order matters for the bridged gaps (one entry and the next).
_FILE_DATI = ("municipalities.json", "deleted-countries.json", "countries.json")


def _data(valore: str) -> dt.date | None:
    # "1861-03-17T00:00:00" (one entry says "1934-01-01:T00:00:00"): the day is always the first ten characters.
    return dt.date.fromisoformat(valore[:10]) if valore else None


def _periodo(voce: dict[str, Any]) -> tuple[str, dt.date | None, dt.date | None]:
    return voce["code"], _data(voce["date_created"]), _data(voce["date_deleted"])


def _intervalli(periodi: list[Periodo]) -> tuple[Intervallo, ...]:
    intervalli = [(creato or dt.date.min, soppresso or dt.date.max) for creato, soppresso in periodi]
    for (_, soppresso), (creato_dopo, _) in itertools.pairwise(periodi):
        if soppresso and creato_dopo and soppresso <= creato_dopo:
            intervalli.append((soppresso, dt.date.max))
    inizi = [creato for creato, _ in periodi if creato]
    if inizi:
        intervalli.append((dt.date.min, max(inizi)))
    intervalli.sort()
    uniti = [intervalli[0]]
    for inizio, fine in intervalli[1:]:
        ultimo_inizio, ultima_fine = uniti[-1]
        if inizio <= ultima_fine:
            uniti[-1] = (ultimo_inizio, max(fine, ultima_fine))
        else:
            uniti.append((inizio, fine))
    return tuple(uniti)


@functools.cache
def intervalli_di_validita() -> dict[str, tuple[Intervallo, ...]]:
    """Birthplace code -> the intervals of birth dates at which it is accepted; loaded at the first call."""
    # Found without importing the package: its code, and the transliteration tables it loads, are not needed here.
    pacchetto = importlib.util.find_spec("codicefiscale")
    if pacchetto is None or not pacchetto.submodule_search_locations:
        raise ModuleNotFoundError("python-codicefiscale non è installato: i suoi dati servono a verificare i codici")
    cartella = Path(next(iter(pacchetto.submodule_search_locations))) / "data"
    periodi: dict[str, list[Periodo]] = {}
    for nome in _FILE_DATI:
        # object_hook keeps three fields of every entry: the whole file is never held as dictionaries.
        voci = json.loads((cartella / nome).read_text(encoding="utf-8"), object_hook=_periodo)
        for codice, creato, soppresso in voci:
            periodi.setdefault(codice, []).append((creato, soppresso))
    indice: dict[str, tuple[Intervallo, ...]] = {}
    uguali: dict[tuple[Intervallo, ...], tuple[Intervallo, ...]] = {}  # most codes share "always": one tuple for all
    for codice, elenco in periodi.items():
        intervalli = _intervalli(elenco)
        indice[codice] = uguali.setdefault(intervalli, intervalli)
    return indice


def in_uso(codice: str, nascita: dt.date) -> bool:
    """Whether ``codice`` (``H501``, ``Z404``) is a birthplace code that a person born on ``nascita`` can carry."""
    return any(inizio <= nascita <= fine for inizio, fine in intervalli_di_validita().get(codice, ()))
