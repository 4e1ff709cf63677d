"""Thin Celery tasks of the PUE."""

from __future__ import annotations

from celery import shared_task

from pue.prenotazioni import trattenute_scadute_libera


@shared_task(name="pue.trattenute_scadute")
def trattenute_scadute() -> int:
    return trattenute_scadute_libera()
