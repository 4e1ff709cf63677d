"""Infrastructure tasks: probes that prove a worker is alive and reaches the same database as the web process."""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import connection

from inps_portal.pec.tasks import pec_invia, pec_leggi_ricevute, pec_recupera

__all__ = ["battito", "database_probe", "pec_invia", "pec_leggi_ricevute", "pec_recupera", "ping"]


@shared_task(name="inps_portal.battito", ignore_result=True)
def battito() -> None:
    """The worker says it is alive, where /healthz reads it without waiting for a broadcast (beat: every 20 s)."""
    from inps_portal.health import registra_battito

    registra_battito(socket.gethostname())


@shared_task(name="inps_portal.ping")
def ping() -> str:
    return f"pong da {socket.gethostname()}"


@shared_task(name="inps_portal.database_probe")
def database_probe() -> dict[str, str]:
    """The worker's view of the database: vendor and name, to compare with the web process's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])}
