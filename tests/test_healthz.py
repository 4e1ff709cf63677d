"""``/healthz`` reports the real state of the database, Redis and the Celery worker."""

from __future__ import annotations

import copy

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection, connections
from django.test import Client, override_settings

from inps_portal import health

pytestmark = pytest.mark.django_db


def test_it_answers_json_with_every_service(client: Client) -> None:
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body) == {"status", "database", "redis", "celery"}
    assert body["database"]["detail"] == connection.vendor
    # The suite runs on the real services: nothing is embedded except the in-process Celery of ordinary tests.
    if settings.TEST_SERVICES["postgresql"]:
        assert body["database"]["embedded"] is False
    if settings.TEST_SERVICES["redis"]:
        assert body["redis"] == {"ok": True, "embedded": False, "detail": "redis"}
    assert body["celery"]["embedded"] is True


def test_it_refuses_changes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_a_database_that_does_not_answer_makes_it_503(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "postgresql":
        unreachable.update(HOST="127.0.0.1", PORT="1")
    else:
        unreachable.update(NAME="/nonexistent-dir/db.sqlite3")
    down = type(connections["default"])(unreachable, alias="irraggiungibile")
    original = health.check_database
    monkeypatch.setattr(health, "check_database", lambda: original(down))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False
    assert response.json()["status"] == "degradato"


@pytest.mark.redis
def test_a_redis_that_does_not_answer_makes_it_503(client: Client) -> None:
    dead = "redis://127.0.0.1:1/0"
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    # Sessions must not need the cache for this request.
    with override_settings(REDIS_URL=dead, CACHES=caches):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == {"ok": False, "embedded": False, "detail": "ConnectionError"}


@pytest.mark.redis
def test_no_word_from_the_workers_makes_it_503_at_once(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not the current app: the portal's shared tasks must keep using the real one.
    lonely = Celery(broker=settings.REDIS_URL.rsplit("/", 1)[0] + "/15", set_as_current=False)
    lonely.conf.task_always_eager = False
    original = health.check_celery
    monkeypatch.setattr(health, "check_celery", lambda: original(lonely))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["celery"] == {"ok": False, "embedded": False, "detail": "nessun segnale dai worker"}
    # A heartbeat older than the limit is no better.
    health.registra_battito("vecchio")
    from django.core.cache import cache

    cache.set(health.CHIAVE_BATTITO, {"quando": 0.0, "worker": "vecchio"})
    assert client.get("/healthz").status_code == 503
    health.registra_battito("nuovo")
    assert client.get("/healthz").json()["celery"]["ok"] is True


def test_liveness_checks_nothing(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "overall", lambda: pytest.fail("liveness must not check the services"))
    response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.celery_worker
def test_it_sees_a_real_worker(client: Client, real_celery: None) -> None:
    from inps_portal.tasks import battito

    battito.delay()
    import time

    fine = time.monotonic() + 30
    while time.monotonic() < fine and not client.get("/healthz").json()["celery"]["ok"]:
        time.sleep(0.2)
    body = client.get("/healthz").json()
    assert body["celery"]["ok"] is True
    assert body["celery"]["embedded"] is False
