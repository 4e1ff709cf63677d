"""The embedded default: runs with no service at all (SQLite, eager Celery, e-mail to a local folder)."""

from __future__ import annotations

from pathlib import Path

from .base import *
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="solo-sviluppo-locale-non-usare-in-produzione")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# PUE conventions: INPS's signature from the demo certificates of `manage.py convenzioni_pki_demo`, whose CA is trusted.
CONVENZIONI_FIRMA_INPS = env("CONVENZIONI_FIRMA_INPS", default="pkcs12")
CONVENZIONI_PKCS12_PASSWORD = env("CONVENZIONI_PKCS12_PASSWORD", default="firma-demo")
_CA_DEMO = Path(CONVENZIONI_PKCS12_CARTELLA) / "ca.pem"
CONVENZIONI_RADICI_AGGIUNTIVE = [*CONVENZIONI_RADICI_AGGIUNTIVE, str(_CA_DEMO)]
if _CA_DEMO.is_file():  # the rest of the portal trusts it too once it exists (the next start after the command)
    FIRME_RADICI_ATTENDIBILI = [*FIRME_RADICI_ATTENDIBILI, str(_CA_DEMO)]
