"""Thin Celery tasks of the credentials procedures."""

from __future__ import annotations

from celery import shared_task

from accounts.services.accessi import sessioni_scadute_dimentica
from accounts.services.scadenza import promemoria_invia


@shared_task(name="credenziali.promemoria_scadenza")
def promemoria_scadenza() -> int:
    return promemoria_invia()


@shared_task(name="accessi.sessioni_scadute")
def sessioni_scadute() -> int:
    return sessioni_scadute_dimentica()
