"""The Celery application: broker and schedule come from Django settings (``CELERY_*``)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inps_portal.settings.local")

app = Celery("inps_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _pronto(sender: object = None, **kwargs: object) -> None:
    """A worker that has just started says so at once: /healthz need not wait for beat's next heartbeat."""
    import socket

    from inps_portal.health import registra_battito

    registra_battito(socket.gethostname())
