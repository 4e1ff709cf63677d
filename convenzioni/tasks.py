"""Thin Celery tasks of the conventions."""

from __future__ import annotations

from celery import shared_task

from convenzioni.services.scadenze import scadenze_gestisci


@shared_task(name="convenzioni.scadenze")
def scadenze() -> dict[str, int]:
    """Every morning: reminders of the expiry to both Referenti, then the conventions past their end expire."""
    return scadenze_gestisci()
