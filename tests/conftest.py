"""Fixtures shared by the whole suite: services, the registry, people of every role, a real Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.factories import UserFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Outside CI a missing service skips the tests that need it, loudly; in CI the settings already refused."""
    services = settings.TEST_SERVICES
    needs = {"postgres": services["postgresql"], "redis": services["redis"], "celery_worker": services["redis"]}
    for item in items:
        for marker, available in needs.items():
            if item.get_closest_marker(marker) and not available:
                item.add_marker(pytest.mark.skip(reason=f"servizio non disponibile per il marker {marker}"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    services = settings.TEST_SERVICES
    missing = [name for name, up in services.items() if not up]
    if missing:
        terminalreporter.write_line(
            f"ATTENZIONE: {', '.join(missing)} non raggiungibile: i test che ne hanno bisogno sono stati saltati.",
            red=True,
        )
    else:
        terminalreporter.write_line(f"Servizi reali usati: PostgreSQL ({connection.vendor}) e Redis.")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate limits and cached data live in the cache: every test starts from an empty one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registro(db: None) -> None:
    """The whole territorial registry: 7,904 Comuni and the INPS structures."""
    from accounts.services import registro_carica

    registro_carica()


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    def factory(**kwargs: object) -> object:
        return UserFactory(**kwargs)

    return factory


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None, django_db_blocker: object) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``celery worker`` process, on this test run's Redis broker and this test run's database."""
    if not settings.TEST_SERVICES["redis"]:
        pytest.skip("Redis non disponibile")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "inps_portal.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
            if connection.vendor == "postgresql"
            else f"sqlite:///{database['NAME']}"
        ),
        "PYTEST_XDIST_WORKER": os.environ.get("PYTEST_XDIST_WORKER", "gw0"),
    }
    log = open(PROJECT_DIR / "var" / f"celery-{env['PYTEST_XDIST_WORKER']}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "inps_portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--hostname=test-{env['PYTEST_XDIST_WORKER']}@%h",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from inps_portal.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"il worker Celery si è chiuso subito (codice {process.returncode}): vedere {log.name}")
        if app.control.ping(timeout=0.5):
            break
    else:
        process.terminate()
        pytest.fail("il worker Celery non ha risposto entro 60 secondi")
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def real_celery(celery_worker_process: subprocess.Popen[bytes]) -> Iterator[None]:
    """Send tasks to the real worker instead of running them in-process."""
    from inps_portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous
