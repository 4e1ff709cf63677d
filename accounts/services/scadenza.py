"""The deadline of online PINs in the Area riservata Amministrazioni ed Enti, and its reminders (Circolare 71/2016)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from accounts.models import PIN, PromemoriaScadenza, ScadenzaPinOnline, User
from accounts.selectors.scadenza import scadenza_corrente
from inps_portal import clock
from inps_portal.pec.services import pec_spedisci

logger = logging.getLogger(__name__)


SOGLIE_PROMEMORIA = (30, 7, 1)


@transaction.atomic
def scadenza_imposta(*, data: dt.date, chi: User | None, motivo: str = "") -> ScadenzaPinOnline:
    """A new deadline of the online PINs; the previous ones stay as history (the newest is the one in force)."""
    scadenza = ScadenzaPinOnline.objects.create(data=data, impostata_da=chi, motivo=motivo)
    logger.info(
        "scadenza dei PIN online impostata",
        extra={"scadenza": data.isoformat(), "impostata_da": chi.pk if chi else None},
    )
    return scadenza


def promemoria_invia() -> int:
    """Send the reminders due today (30, 7 and 1 days before the deadline), each once per person; return how many.

    A run that comes late sends only the closest threshold reached, never a batch of stale ones.
    """
    scadenza = scadenza_corrente()
    if scadenza is None:
        return 0
    giorni = (scadenza - clock.today()).days
    if giorni < 0:
        return 0
    soglie = [s for s in SOGLIE_PROMEMORIA if giorni <= s]
    if not soglie:
        return 0
    soglia = min(soglie)
    destinatari = (
        User.objects.filter(is_active=True, pin__status=PIN.Status.ATTIVO, pin__tipo=PIN.Tipo.ONLINE)
        .exclude(email="")
        .exclude(promemoria_scadenza__scadenza=scadenza, promemoria_scadenza__giorni_prima__lte=soglia)
    )
    inviati = 0
    for user in destinatari.distinct().iterator():
        try:
            with transaction.atomic():
                PromemoriaScadenza.objects.create(user=user, scadenza=scadenza, giorni_prima=soglia)
                pec_spedisci(
                    modello="scadenza_pin_online",
                    destinatari=[user.email],
                    riferimento=user,
                    contesto={"persona": user.get_full_name(), "scadenza": scadenza, "giorni": giorni},
                )
        except IntegrityError:
            continue  # another run of the task sent it a moment ago
        inviati += 1
    logger.info("promemoria della scadenza dei PIN online", extra={"inviati": inviati, "soglia": soglia})
    return inviati
