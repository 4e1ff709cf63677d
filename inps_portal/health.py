"""State of the services the portal depends on, for ``/healthz`` (readiness); ``/healthz/live`` (liveness) checks
nothing but the process.

Each check says whether the service answers and whether it is the embedded stand-in (SQLite, local memory, eager
Celery), which is fine on a laptop and never in production.
"""

from __future__ import annotations

import time
from typing import TypedDict

from celery import Celery
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper


class Check(TypedDict):
    ok: bool
    embedded: bool
    detail: str


def check_database(conn: BaseDatabaseWrapper = connection) -> Check:
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", and the reason is reported
        return {"ok": False, "embedded": conn.vendor == "sqlite", "detail": type(exc).__name__}
    return {"ok": True, "embedded": conn.vendor == "sqlite", "detail": conn.vendor}


def check_redis() -> Check:
    if not settings.REDIS_URL:
        return {"ok": True, "embedded": True, "detail": "cache in memoria locale, nessun Redis configurato"}
    try:
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "embedded": False, "detail": type(exc).__name__}
    return {"ok": True, "embedded": False, "detail": "redis"}


CHIAVE_BATTITO = "salute:worker"
# A worker that has not said it is alive for this long is down (beat asks every 20 s; a start says it at once).
BATTITO_MASSIMO = 60


def registra_battito(nome: str) -> None:
    cache.set(CHIAVE_BATTITO, {"quando": time.time(), "worker": nome}, timeout=BATTITO_MASSIMO * 5)


def check_celery(app: Celery | None = None) -> Check:
    """The workers' state as they report it themselves (``inps_portal.battito``, and at start): read from the cache,
    never by a broadcast ping, which would make every poll of a load balancer wait when no worker answers."""
    if app is None:
        from inps_portal.celery import app as portal_app

        app = portal_app
    if app.conf.task_always_eager:
        return {"ok": True, "embedded": True, "detail": "esecuzione immediata nel processo web (eager)"}
    try:
        battito = cache.get(CHIAVE_BATTITO)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "embedded": False, "detail": type(exc).__name__}
    if not battito:
        return {"ok": False, "embedded": False, "detail": "nessun segnale dai worker"}
    eta = time.time() - float(battito["quando"])
    if eta > BATTITO_MASSIMO:
        return {"ok": False, "embedded": False, "detail": f"nessun segnale dai worker da {int(eta)} s"}
    return {"ok": True, "embedded": False, "detail": f"ultimo segnale {int(eta)} s fa"}


def overall() -> dict[str, Check]:
    return {"database": check_database(), "redis": check_redis(), "celery": check_celery()}
