"""The citizen's personal data of a booking are kept ``PUE_CONSERVAZIONE_GIORNI`` after its meeting, then removed
(GDPR art. 5(1)(e), storage limitation): the booking stays, for the monitoring of the convention, with its state,
times, sportello, Comune, convention, prestazione and rating, and nothing that says who the citizen was or what they
said. Bookings that never had a meeting (cancelled, or holds that expired) go by the date they were made.

Each booking is handled in its own short transaction, claimed with a conditional UPDATE on ``dati_rimossi_il``, so
that the nightly run and a manual one never clash, and a second run finds nothing to do. The stored files are
deleted once the transaction that forgot them has committed (a file deleted for a rolled-back purge would be lost).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q, QuerySet

from inps_portal import clock
from pue.models import DocumentoIncontro, EventoPrenotazione, Prenotazione

logger = logging.getLogger(__name__)
Stato = Prenotazione.Stato

LOTTO = 200

# The citizen's and the delegate's data, and what was written about the meeting: blanked.
CAMPI_PERSONALI = (
    "cittadino_codice_fiscale",
    "cittadino_nome",
    "cittadino_cognome",
    "delegato_codice_fiscale",
    "delegato_nome",
    "delegato_cognome",
    "argomento",
    "esito_note",
    "valutazione_commento",
    "motivo_annullamento",
)
CAMPI_FILE = ("delega_documento", "richiesta_firmata")


def _limite() -> dt.datetime:
    return clock.now() - dt.timedelta(days=int(settings.PUE_CONSERVAZIONE_GIORNI))


def prenotazioni_da_ripulire() -> QuerySet[Prenotazione]:
    """The bookings past the retention period whose data are still there: meetings ended before the limit, and
    bookings that never had one (cancelled, expired holds) made before it."""
    limite = _limite()
    senza_incontro = (Stato.ANNULLATA, Stato.SCADUTA, Stato.TRATTENUTA)
    return Prenotazione.objects.filter(dati_rimossi_il__isnull=True).filter(
        Q(fine__lt=limite) & ~Q(stato__in=senza_incontro) | Q(stato__in=senza_incontro, creata_il__lt=limite)
    )


def _cancella_file(storage: Storage, nomi: list[str]) -> None:
    for nome in nomi:
        try:
            storage.delete(nome)
        except OSError:  # a file already gone, or a storage that failed: the row no longer points to it anyway
            logger.warning("file PUE non cancellato", extra={"file": nome})


def prenotazione_ripulisci(prenotazione_id: int) -> bool:
    """Removes the personal data of one booking if still there; returns whether this call removed them."""
    with transaction.atomic():
        adesso = clock.now()
        presa = Prenotazione.objects.filter(pk=prenotazione_id, dati_rimossi_il__isnull=True).update(
            dati_rimossi_il=adesso
        )
        if not presa:
            return False
        prenotazione = Prenotazione.objects.get(pk=prenotazione_id)
        file_da_cancellare: list[tuple[Storage, str]] = []
        for campo in CAMPI_FILE:
            allegato = getattr(prenotazione, campo)
            if allegato:
                file_da_cancellare.append((allegato.storage, allegato.name))
        documenti = DocumentoIncontro.objects.filter(prenotazione_id=prenotazione_id)
        file_da_cancellare += [(d.file.storage, d.file.name) for d in documenti if d.file]
        documenti.delete()
        Prenotazione.objects.filter(pk=prenotazione_id).update(
            **dict.fromkeys(CAMPI_PERSONALI, ""),
            **dict.fromkeys(CAMPI_FILE, ""),
            richiesta_firmata_il=None,
        )
        # The reasons in the booking's history are free text too (a cancellation's reason may name a person).
        EventoPrenotazione.objects.filter(prenotazione_id=prenotazione_id).exclude(motivo="").update(motivo="")

        def cancella() -> None:
            for storage, nome in file_da_cancellare:
                _cancella_file(storage, [nome])

        transaction.on_commit(cancella)
    return True


def dati_scaduti_rimuovi(lotto: int = LOTTO) -> int:
    """Removes the personal data of every booking past the retention period, ``lotto`` at a time; returns how many
    bookings were cleaned. Safe to run twice, and concurrently."""
    rimossi = 0
    while True:
        chiavi = list(prenotazioni_da_ripulire().order_by("pk").values_list("pk", flat=True)[:lotto])
        if not chiavi:
            break
        rimossi += sum(prenotazione_ripulisci(pk) for pk in chiavi)
        if len(chiavi) < lotto:
            break
    if rimossi:
        logger.info("dati personali PUE rimossi", extra={"prenotazioni": rimossi})
    return rimossi
