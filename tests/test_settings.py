"""Runtime configuration: the embedded default, and production settings that refuse to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "inps_portal.settings.production",
    "SECRET_KEY": "k" * 20 + "-produzione-di-prova-abcdefghijklmnopqrstuvwxyz0123456789",
    "ALLOWED_HOSTS": "portale.example.it",
    "DATABASE_URL": "postgres://inps@127.0.0.1:5432/inps_portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PEC_SMTP_URL": "smtp+tls://portale@smtp.pec.example.it:587",
    "IDENTITA_GATEWAY_URL": "https://identita.inps.example.it/oidc",
    "IDENTITA_CLIENT_SECRET": "segreto-del-client-di-prova-0123456789",
    "PORTALE_URL": "https://portale.example.it",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_the_deploy_checks_with_no_warning() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS"),
        ("DATABASE_URL", "PostgreSQL"),
        ("PEC_SMTP_URL", "PEC_SMTP_URL"),
        ("REDIS_URL", "REDIS_URL"),
        ("IDENTITA_GATEWAY_URL", "IDENTITA_GATEWAY_URL"),
        ("IDENTITA_CLIENT_SECRET", "IDENTITA_CLIENT_SECRET"),
        ("PORTALE_URL", "PORTALE_URL"),
    ],
)
def test_production_refuses_to_start_without(missing: str, message: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_refuses_the_demo_signer_of_the_conventions() -> None:
    result = _manage("check", **{**PRODUCTION, "CONVENZIONI_FIRMA_INPS": "pkcs12"})
    assert result.returncode != 0
    assert "CONVENZIONI_FIRMA_INPS" in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": "troppo-corta"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_embedded_default_runs_with_no_variable_at_all() -> None:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; from inps_portal.celery import app; "
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], app.conf.task_always_eager)",
        DJANGO_SETTINGS_MODULE="inps_portal.settings.local",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
    ]


def test_redis_url_switches_cache_and_broker_to_redis() -> None:
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; from inps_portal.celery import app; "
        "print(s.CACHES['default']['BACKEND'], app.conf.broker_url, app.conf.task_always_eager)",
        DJANGO_SETTINGS_MODULE="inps_portal.settings.local",
        REDIS_URL="redis://127.0.0.1:6379/9",
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/9",
        "False",
    ]


def test_production_refuses_a_gateway_without_tls() -> None:
    result = _manage("check", **{**PRODUCTION, "IDENTITA_GATEWAY_URL": "http://127.0.0.1:8001"})
    assert result.returncode != 0
    assert "IDENTITA_GATEWAY_URL" in result.stderr
