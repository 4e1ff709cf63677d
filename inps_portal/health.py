"""State of the services the portal depends on, for ``/healthz``.

Each check says whether the service answers and whether it is the embedded stand-in (SQLite, local memory, eager
Celery), which is fine on a laptop and never in production.
"""

from __future__ import annotations

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


def check_celery(app: Celery | None = None) -> Check:
    if app is None:
        from inps_portal.celery import app as portal_app

        app = portal_app
    if app.conf.task_always_eager:
        return {"ok": True, "embedded": True, "detail": "esecuzione immediata nel processo web (eager)"}
    try:
        # The first answer is enough: without a limit the broadcast waits out the whole timeout.
        replies = app.control.ping(timeout=1.0, limit=1)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "embedded": False, "detail": type(exc).__name__}
    if not replies:
        return {"ok": False, "embedded": False, "detail": "nessun worker ha risposto"}
    return {"ok": True, "embedded": False, "detail": f"{len(replies)} worker attivi"}


def overall() -> dict[str, Check]:
    return {"database": check_database(), "redis": check_redis(), "celery": check_celery()}
