"""Thin Celery tasks of the PUE."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from pue.avvisi import avviso_invia, promemoria_invia
from pue.prenotazioni import trattenute_scadute_libera
from pue.privacy import dati_scaduti_rimuovi


@shared_task(name="pue.trattenute_scadute")
def trattenute_scadute() -> int:
    return trattenute_scadute_libera()


@shared_task(
    name="pue.avviso",
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=3600,
    retry_kwargs={"max_retries": 10},
)
def avviso(prenotazione_id: int, tipo: str) -> bool:
    """One e-mail about a booking (pue.avvisi): checks the booking's state again, so a late run sends nothing stale."""
    return avviso_invia(prenotazione_id, tipo)


@shared_task(name="pue.promemoria")
def promemoria() -> int:
    return promemoria_invia()


@shared_task(name="pue.dati_scaduti")
def dati_scaduti() -> int:
    return dati_scaduti_rimuovi()
