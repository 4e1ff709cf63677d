"""Thin Celery tasks of the credentials procedures."""

from __future__ import annotations

from celery import shared_task

from accounts.services.scadenza import promemoria_invia


@shared_task(name="credenziali.promemoria_scadenza")
def promemoria_scadenza() -> int:
    return promemoria_invia()
