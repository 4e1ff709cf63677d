"""Thin Celery tasks around the PEC services: each takes ids, is safe to run twice, and retries with backoff."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from inps_portal.pec import casella, services


@shared_task(bind=True, name="pec.invia", acks_late=True, max_retries=None)
def pec_invia(self: Any, messaggio_id: int) -> bool:
    esito = services.pec_consegna(messaggio_id=messaggio_id)
    if esito.inviato and not settings.PEC_SMTP_URL:
        # The embedded gateway has already written the receipts: read them now, there is no beat to do it.
        casella.leggi_ricevute()
    if esito.riprova_tra is not None and not self.request.is_eager:
        raise self.retry(countdown=esito.riprova_tra)
    return esito.inviato


@shared_task(name="pec.recupera")
def pec_recupera() -> int:
    return len(services.pec_riprendi())


@shared_task(name="pec.leggi_ricevute")
def pec_leggi_ricevute() -> int:
    return casella.leggi_ricevute()


@shared_task(name="pec.leggi_posta_in_arrivo")
def pec_leggi_posta_in_arrivo() -> int:
    return casella.leggi_posta_in_arrivo()
