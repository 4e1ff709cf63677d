"""The monitoring of a PUE convention for its Referenti (Messaggio 4461/2023: each party's Referente "ha il compito di
monitorare l'andamento della collaborazione"): per calendar month, the meetings booked, held, missed and cancelled,
the waiting time to the sportello's first free slot and the citizens' satisfaction.

Who sees it is written once, here: the Referente del Comune (the role on the convention's Comune, as the convention's
own pages grant it: ``convenzioni.selectors.referente_per``) and the Referente INPS (the role on the convention's
Direzione). Nobody else: not the Comune's operators or its Amministratore utenze, not other INPS staff, and no
superuser bypass on these public pages (the back office has its own). Conventions that were never active have no
meetings and are not listed.

What is counted (one definition, used by the table, the charts and the CSV):

- a meeting belongs to the month of its ``inizio`` in Europe/Rome (a meeting at 00:30 on 1 April in Rome is April's,
  although it is still 31 March in UTC);
- *prenotate*: every booking confirmed at some point (``confermata_il`` set), whatever became of it: held, missed,
  cancelled or still to come. A hold that expired or was released before confirmation is not a booking. A booking
  moved to another slot (the old row cancelled and ``sostituita_da`` the new one) counts once, as the new one: the
  old row is left out everywhere;
- *svolte*, *non presentati*, *annullate*: the bookings in that state now; *in attesa di esito* the confirmed ones
  whose outcome is not recorded yet (future meetings, or past ones the sportello has not closed);
- *attesa media*: the mean of ``primo_libero - creata_il`` in days, over the bookings that recorded the first free
  slot (older rows did not: they are left out of the mean, not counted as zero);
- *gradimento medio*: the mean of the ratings (1-5) given, with their number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from accounts.models import User
from accounts.roles import Ruolo
from accounts.selectors.persone import organizzazioni_di, ruoli_di
from convenzioni.models import Convenzione
from pue.models import Prenotazione

ROMA = ZoneInfo("Europe/Rome")
Stato = Prenotazione.Stato

MESI = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)


# --- Who sees the monitoring ----------------------------------------------------------------------------------------


def _entrato(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _con_monitoraggio() -> QuerySet[Convenzione]:
    """Conventions that were active at some point (active, expired, ceased, revoked): the others had no meetings."""
    return Convenzione.objects.filter(attivata_il__isnull=False)


def convenzioni_monitorate_dal_comune(user: User) -> QuerySet[Convenzione]:
    """The conventions ``user`` monitors as Referente del Comune: those of the Comuni where they hold the role."""
    if not _entrato(user) or Ruolo.REFERENTE_COMUNE not in ruoli_di(user):
        return Convenzione.objects.none()
    comuni = organizzazioni_di(user, Ruolo.REFERENTE_COMUNE).values("pk")
    return _con_monitoraggio().filter(comune_id__in=comuni)


def convenzioni_monitorate_dall_inps(user: User) -> QuerySet[Convenzione]:
    """The conventions ``user`` monitors as Referente INPS: those signed by the Direzione where they hold the role."""
    if not _entrato(user) or Ruolo.REFERENTE_INPS not in ruoli_di(user):
        return Convenzione.objects.none()
    direzioni = organizzazioni_di(user, Ruolo.REFERENTE_INPS).values("pk")
    return _con_monitoraggio().filter(direzione_id__in=direzioni)


def convenzioni_monitorate(user: User) -> QuerySet[Convenzione]:
    """Every convention whose monitoring ``user`` may see, as Referente of either party, with the Comune and the
    Direzione loaded, by Comune and newest first. Anything outside it is a 404."""
    return (
        (convenzioni_monitorate_dal_comune(user) | convenzioni_monitorate_dall_inps(user))
        .select_related("comune__provincia", "direzione")
        .order_by("comune__nome", "-data_inizio", "-pk")
    )


def solo_dal_comune(user: User, convenzione: Convenzione) -> bool:
    """Whether ``user``, who monitors ``convenzione``, does so only as its Referente del Comune (not also as its
    Referente INPS): the pages then ask for the strong session the PUE's Comune people need."""
    return not convenzioni_monitorate_dall_inps(user).filter(pk=convenzione.pk).exists()


# --- The figures ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Cifre:
    """The figures of a set of bookings, as defined in the module's docstring."""

    prenotate: int = 0
    svolte: int = 0
    non_presentati: int = 0
    annullate: int = 0
    in_attesa_di_esito: int = 0
    attesa_media_giorni: float | None = None
    con_attesa: int = 0  # the bookings the mean waiting time is over
    gradimento_medio: float | None = None
    valutazioni: int = 0


@dataclass(frozen=True, kw_only=True)
class Mese(Cifre):
    """One calendar month (Europe/Rome) of a convention's meetings."""

    mese: dt.date  # the first day of the month

    @property
    def etichetta(self) -> str:
        """ "marzo 2027"."""
        return f"{MESI[self.mese.month - 1]} {self.mese.year}"

    @property
    def etichetta_breve(self) -> str:
        """ "mar 2027", for the charts' axis."""
        return f"{MESI[self.mese.month - 1][:3]} {self.mese.year}"


def prenotazioni_contate() -> QuerySet[Prenotazione]:
    """The bookings the monitoring counts: confirmed at some point, not replaced by a move."""
    return Prenotazione.objects.filter(confermata_il__isnull=False, sostituita_da__isnull=True)


def _aggregati() -> dict[str, Any]:
    attesa = ExpressionWrapper(F("primo_libero") - F("creata_il"), output_field=DurationField())
    return {
        "prenotate": Count("pk"),
        "svolte": Count("pk", filter=Q(stato=Stato.SVOLTA)),
        "non_presentati": Count("pk", filter=Q(stato=Stato.NON_PRESENTATO)),
        "annullate": Count("pk", filter=Q(stato=Stato.ANNULLATA)),
        "in_attesa_di_esito": Count("pk", filter=Q(stato=Stato.CONFERMATA)),
        "attesa_media": Avg(attesa, filter=Q(primo_libero__isnull=False)),
        "con_attesa": Count("pk", filter=Q(primo_libero__isnull=False)),
        "gradimento_medio": Avg("valutazione"),
        "valutazioni": Count("valutazione"),
    }


def _cifre(riga: dict[str, Any]) -> dict[str, Any]:
    media: dt.timedelta | None = riga["attesa_media"]
    gradimento = riga["gradimento_medio"]
    return {
        "prenotate": riga["prenotate"],
        "svolte": riga["svolte"],
        "non_presentati": riga["non_presentati"],
        "annullate": riga["annullate"],
        "in_attesa_di_esito": riga["in_attesa_di_esito"],
        "attesa_media_giorni": _giorni(media) if media is not None else None,
        "con_attesa": riga["con_attesa"],
        "gradimento_medio": float(gradimento) if gradimento is not None else None,
        "valutazioni": riga["valutazioni"],
    }


def monitoraggio_mensile(convenzione: Convenzione | int) -> list[Mese]:
    """The months of ``convenzione`` from the first to the last with a meeting, each with its figures (months with
    no meeting in between are there, with zeros, so that the charts keep a regular axis). One SQL query."""
    righe = (
        prenotazioni_contate()
        .filter(convenzione=convenzione)
        .annotate(mese_inizio=TruncMonth("inizio", tzinfo=ROMA))
        .values("mese_inizio")
        .annotate(**_aggregati())
        .order_by("mese_inizio")
    )
    per_mese: dict[dt.date, Mese] = {}
    for riga in righe:
        mese = _primo_del_mese(riga["mese_inizio"])
        per_mese[mese] = Mese(mese=mese, **_cifre(riga))
    if not per_mese:
        return []
    return [per_mese.get(mese, Mese(mese=mese)) for mese in _mesi(min(per_mese), max(per_mese))]


def cifre_per_convenzione(convenzioni: Iterable[Convenzione | int]) -> dict[int, Cifre]:
    """The whole period of each convention, in one SQL query (the list of a Referente's conventions)."""
    chiavi = [c.pk if isinstance(c, Convenzione) else c for c in convenzioni]
    righe = (
        prenotazioni_contate()
        .filter(convenzione_id__in=chiavi)
        .values("convenzione_id")
        .annotate(**_aggregati())
        .order_by("convenzione_id")
    )
    return {riga["convenzione_id"]: Cifre(**_cifre(riga)) for riga in righe}


def totale(mesi: Iterable[Cifre]) -> Cifre:
    """The sum of some months: counts added, means weighted by what each month's mean is over."""
    mesi = list(mesi)
    con_attesa = sum(m.con_attesa for m in mesi)
    valutazioni = sum(m.valutazioni for m in mesi)
    return Cifre(
        prenotate=sum(m.prenotate for m in mesi),
        svolte=sum(m.svolte for m in mesi),
        non_presentati=sum(m.non_presentati for m in mesi),
        annullate=sum(m.annullate for m in mesi),
        in_attesa_di_esito=sum(m.in_attesa_di_esito for m in mesi),
        attesa_media_giorni=(
            sum((m.attesa_media_giorni or 0.0) * m.con_attesa for m in mesi) / con_attesa if con_attesa else None
        ),
        con_attesa=con_attesa,
        gradimento_medio=(
            sum((m.gradimento_medio or 0.0) * m.valutazioni for m in mesi) / valutazioni if valutazioni else None
        ),
        valutazioni=valutazioni,
    )


def _giorni(durata: dt.timedelta) -> float:
    return durata.total_seconds() / 86400


def _primo_del_mese(valore: dt.datetime | dt.date) -> dt.date:
    """TruncMonth answers an aware datetime in Rome (PostgreSQL, SQLite); read its date there, never in UTC."""
    if isinstance(valore, dt.datetime):
        valore = valore.astimezone(ROMA) if valore.tzinfo is not None else valore
        return valore.date().replace(day=1)
    return valore.replace(day=1)


def _mesi(dal: dt.date, al: dt.date) -> list[dt.date]:
    mesi, mese = [], dal
    while mese <= al:
        mesi.append(mese)
        mese = dt.date(mese.year + mese.month // 12, mese.month % 12 + 1, 1)
    return mesi
