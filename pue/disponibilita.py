"""The free slots of a sportello, computed from its weekly rules and its exceptions, never stored.

Rules speak the wall-clock time of the office (Europe/Rome); each slot is returned as an instant in UTC, so that a
09:00 meeting stays at 09:00 across the March and October clock changes (07:00 UTC in summer, 08:00 UTC in winter).
A day is closed when it is a national holiday (the ``holidays`` package, Italy), the patron saint's day of the city
where the office is (only there), or a closure the Sede recorded; an extra opening replaces the day's rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays import country_holidays
from holidays.countries.italy import Italy

from accounts.models import Comune
from pue.models import EccezioneSportello, OrarioSportello, Sportello

ROMA = ZoneInfo("Europe/Rome")
UTC = dt.UTC

# Provinces whose name is not their capoluogo's (ISTAT), and those with more than one capoluogo, which the holidays
# package knows as cities of their own: the patron saint's day belongs to the city.
_CAPOLUOGHI: dict[str, tuple[tuple[str, str], ...]] = {
    "PU": (("Pesaro", "Pesaro"), ("Urbino", "Urbino")),
    "BT": (("Barletta", "Barletta"), ("Andria", "Andria"), ("Trani", "Trani")),
    "FC": (("Forlì", "Forli"), ("Cesena", "Cesena")),
    "RC": (("Reggio di Calabria", "RC"),),
    "MB": (("Monza", "MB"),),
    "BZ": (("Bolzano/Bozen", "BZ"),),
    "AO": (("Aosta", "AO"),),
    "VB": (("Verbania", "VB"),),
    "SU": (("Carbonia", "SU"),),
    "MS": (("Massa", "MS"),),
}


@dataclass(frozen=True, order=True)
class Slot:
    inizio: dt.datetime  # UTC
    fine: dt.datetime  # UTC
    posto: int  # which of the parallel operators (1..n)

    @property
    def inizio_locale(self) -> dt.datetime:
        return self.inizio.astimezone(ROMA)


def mezzanotte(giorno: dt.date) -> dt.datetime:
    """Midnight of ``giorno`` in Rome, as a UTC instant: a Rome day runs from ``mezzanotte(g)`` to
    ``mezzanotte(g + 1 day)`` (23 or 25 hours on the days the clock changes)."""
    return dt.datetime.combine(giorno, dt.time.min, tzinfo=ROMA).astimezone(UTC)


@lru_cache(maxsize=64)
def _festivi_nazionali(anno: int) -> frozenset[dt.date]:
    return frozenset(country_holidays("IT", years=anno))


def _subdivisione(comune: Comune) -> str | None:
    """The holidays package's subdivision whose patron saint is ``comune``'s, if ``comune`` is a capoluogo."""
    provincia = comune.provincia
    if provincia.sigla in _CAPOLUOGHI:
        return next((sub for nome, sub in _CAPOLUOGHI[provincia.sigla] if nome == comune.nome), None)
    return provincia.sigla if comune.nome == provincia.nome else None


@lru_cache(maxsize=512)
def _patrono(subdivisione: str, anno: int) -> frozenset[dt.date]:
    if subdivisione not in Italy.subdivisions:
        return frozenset()
    return frozenset(set(country_holidays("IT", years=anno, subdiv=subdivisione)) - _festivi_nazionali(anno))


def giorni_festivi(comune: Comune, anno: int) -> frozenset[dt.date]:
    """National holidays, and the patron saint's day when ``comune`` is the capoluogo whose saint it is."""
    subdivisione = _subdivisione(comune)
    patrono = _patrono(subdivisione, anno) if subdivisione else frozenset()
    return _festivi_nazionali(anno) | patrono


@dataclass(frozen=True)
class _Fascia:
    dalle: dt.time
    alle: dt.time
    durata: int
    operatori: int


def _fasce_del_giorno(
    giorno: dt.date, orari: list[OrarioSportello], eccezioni: list[EccezioneSportello], festivi: frozenset[dt.date]
) -> list[_Fascia]:
    aperture = [e for e in eccezioni if e.tipo == EccezioneSportello.Tipo.APERTURA]
    if aperture:  # an extra opening is the day's timetable, even on a holiday
        return [_Fascia(e.dalle, e.alle, e.durata_minuti, e.operatori) for e in aperture]  # type: ignore[arg-type]
    if giorno in festivi or any(e.tipo == EccezioneSportello.Tipo.CHIUSURA for e in eccezioni):
        return []
    return [
        _Fascia(o.dalle, o.alle, o.durata_minuti, o.operatori)
        for o in orari
        if o.giorno == giorno.weekday() and o.valido_dal <= giorno and (o.valido_al is None or giorno <= o.valido_al)
    ]


def _slot_della_fascia(giorno: dt.date, fascia: _Fascia) -> Iterator[Slot]:
    inizio = dt.datetime.combine(giorno, fascia.dalle)
    termine = dt.datetime.combine(giorno, fascia.alle)
    passo = dt.timedelta(minutes=fascia.durata)
    while inizio + passo <= termine:
        # Wall-clock time of the office, then the instant: zoneinfo applies the offset of that day.
        da, a = inizio.replace(tzinfo=ROMA).astimezone(UTC), (inizio + passo).replace(tzinfo=ROMA).astimezone(UTC)
        for posto in range(1, fascia.operatori + 1):
            yield Slot(da, a, posto)
        inizio += passo


def slot_previsti(sportello: Sportello, dal: dt.date, al: dt.date) -> list[Slot]:
    """Every slot the rules open from ``dal`` to ``al`` (included), in time order; bookings are not subtracted here.
    Two queries (rules, exceptions) whatever the span."""
    if al < dal:
        return []
    orari = list(OrarioSportello.objects.filter(sportello=sportello, valido_dal__lte=al).exclude(valido_al__lt=dal))
    per_giorno: dict[dt.date, list[EccezioneSportello]] = defaultdict(list)
    for eccezione in EccezioneSportello.objects.filter(sportello=sportello, giorno__range=(dal, al)):
        per_giorno[eccezione.giorno].append(eccezione)
    comune = sportello.comune
    slot: list[Slot] = []
    giorno = dal
    while giorno <= al:
        festivi = giorni_festivi(comune, giorno.year)
        for fascia in _fasce_del_giorno(giorno, orari, per_giorno.get(giorno, []), festivi):
            slot.extend(_slot_della_fascia(giorno, fascia))
        giorno += dt.timedelta(days=1)
    return sorted(slot)
