"""A real Celery worker process, on Redis, runs the portal's tasks against the same database."""

from __future__ import annotations

import pytest
from django.db import connection

from inps_portal.tasks import database_probe, ping

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_answers_a_task_sent_through_redis(real_celery: None) -> None:
    result = ping.delay()
    assert result.get(timeout=30).startswith("pong da ")
    assert result.successful()


def test_the_worker_uses_the_same_database_as_the_tests(real_celery: None) -> None:
    seen = database_probe.delay().get(timeout=30)
    assert seen == {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])}
