"""The end of the conventions: reminders to both Referenti before it (60 and 15 days by default,
``CONVENZIONI_PROMEMORIA_GIORNI``), each sent once even if the task runs twice at once (a unique row per convention
and threshold, written with the PEC in one transaction); then the convention expires."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction

from convenzioni.models import Convenzione, FiguraConvenzione, PromemoriaConvenzione
from convenzioni.selectors import figure_attuali_qs
from convenzioni.services.convenzioni import convenzioni_scadute_chiudi
from inps_portal import clock
from inps_portal.pec.services import pec_spedisci

logger = logging.getLogger(__name__)
Ruolo = FiguraConvenzione.Ruolo


def soglie() -> list[int]:
    return sorted({int(g) for g in settings.CONVENZIONI_PROMEMORIA_GIORNI if int(g) >= 0})


def promemoria_scadenza_invia() -> int:
    """Send the reminders due today; return how many. A late run sends only the closest threshold reached, never a
    batch of stale ones, and a threshold already passed by a closer reminder is not sent afterwards."""
    oggi = clock.today()
    livelli = soglie()
    if not livelli:
        return 0
    candidate = (
        Convenzione.objects.filter(
            stato=Convenzione.Stato.ATTIVA, data_fine__gte=oggi, data_fine__lte=oggi + dt.timedelta(days=livelli[-1])
        )
        .select_related("comune", "direzione")
        .order_by("data_fine", "pk")
    )
    inviati = 0
    for convenzione in candidate:
        giorni = (convenzione.data_fine - oggi).days
        soglia = min(s for s in livelli if giorni <= s)
        if PromemoriaConvenzione.objects.filter(convenzione=convenzione, soglia__lte=soglia).exists():
            continue
        destinatari = _indirizzi_dei_referenti(convenzione)
        if not destinatari:
            continue
        try:
            with transaction.atomic():
                promemoria = PromemoriaConvenzione.objects.create(
                    convenzione=convenzione, soglia=soglia, scadenza=convenzione.data_fine
                )
                promemoria.messaggio_pec = pec_spedisci(
                    modello="convenzione_scadenza",
                    destinatari=destinatari,
                    riferimento=convenzione,
                    contesto={"convenzione": convenzione, "giorni": giorni},
                )
                promemoria.save(update_fields=["messaggio_pec"])
        except IntegrityError:
            continue  # another run of the task sent it a moment ago
        inviati += 1
    if inviati:
        logger.info("promemoria della scadenza delle convenzioni PUE", extra={"inviati": inviati})
    return inviati


def _indirizzi_dei_referenti(convenzione: Convenzione) -> list[str]:
    referenti = figure_attuali_qs().filter(
        convenzione=convenzione, ruolo__in=[Ruolo.REFERENTE_INPS, Ruolo.REFERENTE_COMUNE]
    )
    return [r.pec or r.email for r in referenti if r.pec or r.email]


def scadenze_gestisci() -> dict[str, int]:
    """The daily run: reminders first (a convention ending today still gets its last one), then the expiries."""
    return {"promemoria": promemoria_scadenza_invia(), "scadute": convenzioni_scadute_chiudi()}
