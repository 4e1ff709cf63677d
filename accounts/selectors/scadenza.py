"""Where the online PINs stand against their deadline (Circolare 71/2016)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.models import PIN, ScadenzaPinOnline, User
from accounts.selectors.persone import pin_attivo
from inps_portal import clock


@dataclass(frozen=True)
class StatoPinOnline:
    """Where a person with an online PIN stands against the deadline.

    ``giorni_rimasti`` is a count to show only before the deadline: a page asks ``scaduto`` first (the count is
    negative then) and ``ultimo_giorno`` next (zero days left would read as if the PIN had already stopped working).
    """

    scadenza: dt.date
    giorni_rimasti: int  # 0 on the last day; negative once it has passed

    @property
    def scaduto(self) -> bool:
        return self.giorni_rimasti < 0

    @property
    def ultimo_giorno(self) -> bool:
        return self.giorni_rimasti == 0


def scadenza_corrente() -> dt.date | None:
    ultima = ScadenzaPinOnline.objects.order_by("-impostata_il", "-pk").first()
    return ultima.data if ultima else None


def stato_pin_online(user: User) -> StatoPinOnline | None:
    """For a person whose active PIN is online, the deadline and the days left; None for everybody else."""
    pin = pin_attivo(user)  # read once per request, as the navigation and the pages also need it
    if pin is None or pin.tipo != PIN.Tipo.ONLINE:
        return None
    scadenza = scadenza_corrente()
    if scadenza is None:
        return None
    return StatoPinOnline(scadenza=scadenza, giorni_rimasti=(scadenza - clock.today()).days)
