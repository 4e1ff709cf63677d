"""Settings for the test suite: the real PostgreSQL and Redis whenever they answer.

``DATABASE_URL`` / ``REDIS_URL`` name them; otherwise the local ports are probed. With ``CI=true`` a missing service
stops the run (a suite that silently tests only SQLite proves nothing); on a laptop the tests that need the service
are skipped and the run says so in its summary.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import BASE_DIR, env


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


IN_CI = env.bool("CI", default=False)
# pytest-xdist runs one process per core; each gets its own Redis database so that tests never share keys.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_worker_index = int(_xdist_worker.removeprefix("gw") or 0)

_database_url = env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/inps_portal")
_redis_url = env("REDIS_URL", default="redis://127.0.0.1:6379")

TEST_SERVICES = {
    "postgresql": _database_url.startswith("postgres") and _answers(_database_url, 5432),
    "redis": _answers(_redis_url, 6379),
}
if IN_CI:
    missing = [name for name, up in TEST_SERVICES.items() if not up]
    if missing:
        raise ImproperlyConfigured(
            f"CI=true ma {', '.join(missing)} non risponde: la suite deve girare sui servizi reali "
            "(DATABASE_URL, REDIS_URL)."
        )

if TEST_SERVICES["postgresql"]:
    DATABASES = {"default": env.db_url_config(_database_url)}
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}"}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "var" / "test.sqlite3"}}

if TEST_SERVICES["redis"]:
    # Two Redis databases per pytest-xdist worker: the cache (flushed between tests) and the Celery broker.
    _redis = urlparse(_redis_url)
    REDIS_URL = _redis._replace(path=f"/{1 + 2 * _worker_index}").geturl()
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = _redis._replace(path=f"/{2 + 2 * _worker_index}").geturl()
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "inps-test",
        }
    }
else:
    REDIS_URL = None
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Ordinary tests run tasks in-process; the tests marked ``celery_worker`` switch to a real worker on Redis.
# The worker process started by the tests turns it off, so that its retries go back through the broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

DEBUG = False
SECRET_KEY = "chiave-dei-test-non-segreta"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "accounts.hashers.LegacyMD5Hasher",
    "accounts.hashers.LegacySHA1Hasher",
    "accounts.hashers.LegacySHA256Hasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each pytest-xdist worker has its own receipts mailbox; retries come quickly.
PEC_MAILDIR = str(BASE_DIR / "var" / "test-pec" / _xdist_worker / "ricevute")
PEC_CASELLE_MAILDIR = str(BASE_DIR / "var" / "test-pec" / _xdist_worker / "caselle")
PEC_ATTESA_BASE = 1
PEC_ATTESA_MASSIMA = 2
PEC_TENTATIVI_MASSIMI = 3
PEC_SMTP_TIMEOUT = 5

# PUE conventions: INPS's signature from PKCS#12 files the tests create (tests/test_convenzioni_*.py).
CONVENZIONI_FIRMA_INPS = "pkcs12"
CONVENZIONI_PKCS12_CARTELLA = str(BASE_DIR / "var" / "test-firme" / _xdist_worker)
CONVENZIONI_PKCS12_PASSWORD = "firma-di-prova"  # noqa: S105 - the test PKI's, not a secret

LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]
