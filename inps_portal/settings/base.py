"""Settings shared by every runtime of the portal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab

# Django's generic classes subscriptable at run time (ModelAdmin[Comune]), as the type checker reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# Local state of a development run (SQLite file, mail folder, uploads): never committed.
(BASE_DIR / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

# --- Core -----------------------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# With DEBUG on, errors still answer with the portal's own pages (inps_portal.pagine_di_errore); Django's technical
# pages (traceback, URL patterns tried) only with DEBUG_TECNICO=1.
DEBUG_TECNICO = env.bool("DEBUG_TECNICO", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "inps_portal.views.csrf_failure"
PORTAL_NAME = "Portale INPS Amministrazioni, Enti e Comuni"

INSTALLED_APPS = [
    "inps_portal.apps.PortaleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap_italia_template",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "guardian",
    "inps_portal",
    "accounts",
    "abilitazioni",
    "convenzioni",
    "pue",
    "identita",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "inps_portal.sicurezza.IntestazioniSicurezzaMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "inps_portal.logging.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "inps_portal.limiti.LimiteRichiestaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.UnificazioneMiddleware",
    # Innermost: with DEBUG on, the portal's error pages instead of Django's technical ones (nothing without DEBUG).
    "inps_portal.pagine_di_errore.PagineDiErroreMiddleware",
]

ROOT_URLCONF = "inps_portal.urls"
WSGI_APPLICATION = "inps_portal.wsgi.application"
ASGI_APPLICATION = "inps_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inps_portal.context_processors.portal",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------------
# Without DATABASE_URL the portal runs on a SQLite file (the embedded default).
DATABASES: dict[str, Any] = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------------------------------------
REDIS_URL: str | None = env("REDIS_URL", default=None)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "inps",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "inps-portal"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker the tasks run in the calling process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Rome"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 3600
# Periodic tasks are a static schedule, here: each procedure adds its entries (reminders, recoveries).
CELERY_BEAT_SCHEDULE: dict[str, Any] = {
    "pec-recupera": {"task": "pec.recupera", "schedule": 60.0},
    "pec-leggi-ricevute": {"task": "pec.leggi_ricevute", "schedule": 20.0},
    "pec-leggi-posta-in-arrivo": {"task": "pec.leggi_posta_in_arrivo", "schedule": 60.0},
    # The workers' heartbeat, which /healthz reads (inps_portal.health).
    "salute-battito": {"task": "inps_portal.battito", "schedule": 20.0},
    # Reminders of the online-PIN deadline (30, 7, 1 days before), every morning; each is sent once per person.
    "credenziali-promemoria-scadenza": {
        "task": "credenziali.promemoria_scadenza",
        "schedule": crontab(hour=7, minute=0),
    },
    # PUE conventions: past their end they expire; reminders to both Referenti before (each once per threshold).
    "convenzioni-scadenze": {"task": "convenzioni.scadenze", "schedule": crontab(hour=7, minute=15)},
    # The record of the open sessions (ended at once when an operator is revoked) forgets those past their life.
    "accessi-sessioni-scadute": {"task": "accessi.sessioni_scadute", "schedule": crontab(minute=30)},
    # Holds of PUE slots past their time free their slots (the booking transaction frees them too).
    "pue-trattenute-scadute": {"task": "pue.trattenute_scadute", "schedule": 60.0},
    # The day before each confirmed PUE meeting, a reminder to the Comune's operator (never for a cancelled one).
    "pue-promemoria": {"task": "pue.promemoria", "schedule": crontab(minute="*/15")},
    # Bookings past the retention period lose the citizen's personal data (README, "Privacy").
    "pue-dati-scaduti": {"task": "pue.dati_scaduti", "schedule": crontab(hour=3, minute=30)},
}

# --- Authentication -------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Two ways in, never crossed (accounts/backends.py): the PIN (or, until the unification, the ex-Inpdap password) for
# the people of the Circolare 71/2016, a password for INPS staff and for the PUE's people. Neither Django's nor
# allauth's password backend is listed: either would open the Area riservata with a portal password.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PINBackend",
    "accounts.backends.PasswordBackend",
    # Loads the person of a session opened with SPID, CIE or CNS; authenticates nobody by itself.
    "identita.backends.IdentitaDigitaleBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = "codice_fiscale"
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
# A fresh authentication is the person's own credential again, never a code sent by e-mail (the PIN is the only key).
ACCOUNT_REAUTHENTICATION_METHODS = ("password",)
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_MIN_LENGTH = 10
# Failed logins: five per codice fiscale every five minutes, twenty per address per minute.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="20/m/ip,5/5m/key"),
    "login": "60/m/ip",
    "reset_password": "10/m/ip,5/h/key",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[INPS] "

# SPID and CIE through an OpenID Connect identity gateway (identita/provider.py): INPS's own in production, the local
# identity provider of ``python -m idp_locale`` in development (README, "Accesso con SPID, CIE e CNS"). One client
# per federation, so that the session knows which identity was used.
IDENTITA_GATEWAY_URL: str = env("IDENTITA_GATEWAY_URL", default="http://127.0.0.1:8001")
# The public address of the reverse proxy's CNS server block (deploy/nginx/cns.conf.template), where the card is
# asked for and verified: the "Entra con CNS" button of the ordinary pages leads there.
CNS_INDIRIZZO: str = env("CNS_INDIRIZZO", default="")
# How long a PUE slot stays held while the Comune's operator fills in the citizen's details (pue/prenotazioni.py).
PRENOTAZIONE_TRATTENUTA_MINUTI: int = env.int("PRENOTAZIONE_TRATTENUTA_MINUTI", default=10)
# The portal's public address, for the links of e-mails sent by tasks (no request to take it from).
PORTALE_URL: str = env("PORTALE_URL", default="http://127.0.0.1:8000")
# The PUE's web meetings (pue/incontri.py): the provider's address (Jitsi Meet); for a self-hosted instance with
# token authentication, its application id and the shared secret that signs short-lived tokens (HS256). The join
# link opens ANTICIPO minutes before the meeting and closes at its end.
PUE_INCONTRI_URL: str = env("PUE_INCONTRI_URL", default="https://meet.jit.si")
PUE_INCONTRI_JWT_APP_ID: str = env("PUE_INCONTRI_JWT_APP_ID", default="")
PUE_INCONTRI_JWT_SEGRETO: str = env("PUE_INCONTRI_JWT_SEGRETO", default="")
PUE_INCONTRI_TOKEN_SECONDI: int = env.int("PUE_INCONTRI_TOKEN_SECONDI", default=120)
PUE_INCONTRI_ANTICIPO_MINUTI: int = env.int("PUE_INCONTRI_ANTICIPO_MINUTI", default=15)
# How long a booking keeps the citizen's personal data after its meeting (README, "Privacy"): then a nightly task
# removes them and keeps only what the monitoring counts.
PUE_CONSERVAZIONE_GIORNI: int = env.int("PUE_CONSERVAZIONE_GIORNI", default=365)
_IDENTITA_SEGRETO: str = env("IDENTITA_CLIENT_SECRET", default="segreto-solo-sviluppo")
SOCIALACCOUNT_ADAPTER = "identita.adapter.AdattatoreIdentita"
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {
    "identita": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "spid",
                "name": "SPID",
                "client_id": env("IDENTITA_SPID_CLIENT_ID", default="portale-spid"),
                "secret": _IDENTITA_SEGRETO,
                "settings": {"server_url": IDENTITA_GATEWAY_URL, "token_auth_method": "client_secret_post"},
            },
            {
                "provider_id": "cie",
                "name": "CIE",
                "client_id": env("IDENTITA_CIE_CLIENT_ID", default="portale-cie"),
                "secret": _IDENTITA_SEGRETO,
                "settings": {"server_url": IDENTITA_GATEWAY_URL, "token_auth_method": "client_secret_post"},
            },
        ],
    }
}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_QUERY_EMAIL = False
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Argon2id first (accounts.hashers.Argon2idHasher); PBKDF2 hashes are still verified and upgraded at the next login.
# The ex-Inpdap hashes are only verified, never produced (accounts/hashers.py).
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "accounts.hashers.LegacyMD5Hasher",
    "accounts.hashers.LegacySHA1Hasher",
    "accounts.hashers.LegacySHA256Hasher",
]
# Django's validators, stating their rules in formal Italian (accounts.validators).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.SomiglianzaAiDatiPersonali"},
    {"NAME": "accounts.validators.LunghezzaMinima", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.NonDiUsoComune"},
    {"NAME": "accounts.validators.NonSoloNumeri"},
]
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

# --- Language and time ----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
# Shifts the portal's clock (inps_portal.clock) for demonstrations: ISO date-time or empty.
PORTAL_CLOCK_NOW: str = env("PORTAL_CLOCK_NOW", default="")

# --- Static and uploaded files --------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents are private: stored outside the static tree and never served by URL.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Identity documents and signed forms: PDF, JPEG or PNG, checked by content, at most this size.
DOCUMENTI_DIMENSIONE_MASSIMA = env.int("DOCUMENTI_DIMENSIONE_MASSIMA", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Any request body larger than this is refused with a 413 before it is read (inps_portal.limiti); nginx caps it too.
RICHIESTA_DIMENSIONE_MASSIMA = env.int("RICHIESTA_DIMENSIONE_MASSIMA", default=12 * 1024 * 1024)
# Reverse proxies whose X-Forwarded-For the portal believes (inps_portal.rete.indirizzo_reale): none by default.
PROXY_FIDATI: list[str] = env.list("PROXY_FIDATI", default=[])
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------------------------------
# The embedded default keeps every message in a local folder; the full setup points EMAIL_URL at an SMTP server.
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
_email = env.email_url("EMAIL_URL", default="filemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@portale-enti.example.it")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Credentials (Circolare INPS 71/2016) --------------------------------------------------------------------------
# From this date the GDP services accept only PINs and the first access with ex-Inpdap credentials unifies them.
UNIFICAZIONE_DAL = dt.date.fromisoformat(env("UNIFICAZIONE_DAL", default="2016-05-09"))

# --- PEC (certified e-mail) ----------------------------------------------------------------------------------------
# Without PEC_SMTP_URL the development gateway runs in-process and writes its receipts into PEC_MAILDIR.
PEC_SMTP_URL: str = env("PEC_SMTP_URL", default="")
PEC_SMTP_TIMEOUT = env.int("PEC_SMTP_TIMEOUT", default=30)
# Receipts: read from IMAP when PEC_IMAP_URL is set (imaps://user:password@host/INBOX), from the Maildir otherwise.
PEC_IMAP_URL: str = env("PEC_IMAP_URL", default="")
PEC_MAILDIR = env("PEC_MAILDIR", default=str(BASE_DIR / "var" / "pec" / "ricevute"))
# The INPS mailboxes where the Enti send their PEC (routing addresses of the circolare), read by the portal:
# "indirizzo=imaps://utente:password@host/INBOX" entries; without them, one Maildir per address under
# PEC_CASELLE_MAILDIR, where the development gateway delivers.
PEC_CASELLE_ARRIVO: list[str] = env.list("PEC_CASELLE_ARRIVO", default=[])
PEC_CASELLE_MAILDIR = env("PEC_CASELLE_MAILDIR", default=str(BASE_DIR / "var" / "pec" / "caselle"))
# Roots of the certification authorities whose signatures are trusted (PEM files): the EU trusted list's Italian
# qualified CAs in production; none by default (a signature is then shown as not verifiable against a trusted root).
FIRME_RADICI_ATTENDIBILI: list[str] = env.list("FIRME_RADICI_ATTENDIBILI", default=[])
PEC_MITTENTE: str = env("PEC_MITTENTE", default="portale.enti@pec-sviluppo.localhost")
PEC_DOMINIO: str = env("PEC_DOMINIO", default="portale-enti.localhost")
PEC_TENTATIVI_MASSIMI = env.int("PEC_TENTATIVI_MASSIMI", default=8)
PEC_ATTESA_BASE = env.int("PEC_ATTESA_BASE", default=30)
PEC_ATTESA_MASSIMA = env.int("PEC_ATTESA_MASSIMA", default=3600)
PEC_DURATA_PRESA_IN_CARICO = env.int("PEC_DURATA_PRESA_IN_CARICO", default=300)
# Only production may talk to a PEC server that is not on this machine.
PEC_CONSENTI_SERVER_ESTERNI = False

# --- PUE conventions (Messaggio INPS 4461/2023) ----------------------------------------------------------------------
# Who applies INPS's signature: "csc" (a remote qualified signature service, Cloud Signature Consortium API v1, the
# production choice), "pkcs12" (a PKCS#12 file per person in CONVENZIONI_PKCS12_CARTELLA: development and tests only),
# or the dotted path of a class with the same interface (convenzioni.firma.FirmatarioINPS).
CONVENZIONI_FIRMA_INPS: str = env("CONVENZIONI_FIRMA_INPS", default="csc")
# The remote signature service: its base URL (before /csc/v1) and the timeout of each call, in seconds.
CONVENZIONI_CSC_URL: str = env("CONVENZIONI_CSC_URL", default="")
CONVENZIONI_CSC_TIMEOUT = env.int("CONVENZIONI_CSC_TIMEOUT", default=30)
# The development signer: <cartella>/<codice fiscale>.p12, protected by this password (manage.py convenzioni_pki_demo).
CONVENZIONI_PKCS12_CARTELLA: str = env("CONVENZIONI_PKCS12_CARTELLA", default=str(BASE_DIR / "var" / "firme-demo"))
CONVENZIONI_PKCS12_PASSWORD: str = env("CONVENZIONI_PKCS12_PASSWORD", default="")
# Roots trusted for conventions besides FIRME_RADICI_ATTENDIBILI, read when a signature is checked and only if the
# file exists (the demo CA): empty outside development.
CONVENZIONI_RADICI_AGGIUNTIVE: list[str] = env.list("CONVENZIONI_RADICI_AGGIUNTIVE", default=[])
# INPS's signature needs an authentication of the director at most this many minutes before.
CONVENZIONI_AUTENTICAZIONE_MINUTI = env.int("CONVENZIONI_AUTENTICAZIONE_MINUTI", default=5)
# Reminders of the expiry to both Referenti, days before the end.
CONVENZIONI_PROMEMORIA_GIORNI: list[int] = [int(g) for g in env.list("CONVENZIONI_PROMEMORIA_GIORNI", default=[60, 15])]

# --- Security common to every runtime -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Written by inps_portal.sicurezza on every response. Nothing inline runs: the portal's scripts are static files
# (static/js/portale.js), Bootstrap Italia's fonts are loaded through the FontFace API (font-src), not a <style>.
CONTENT_SECURITY_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # Bootstrap Italia's stylesheet draws some icons (select arrows, checks) as data: SVG.
    "img-src": ["'self'", "data:"],
    # data: only because Bootstrap Italia's stylesheet embeds video.js's icon font as a data: URL, which Chromium
    # decodes (and reports as a violation) as soon as the stylesheet is parsed, used or not. A font runs no code.
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Powerful features the portal never uses, denied to its pages and to anything they could embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Logging: one JSON object per line ------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "inps_portal.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "inps_portal.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.security": {"level": "WARNING"},
        # pyHanko logs expected verification outcomes (an untrusted root, an expired certificate) with tracebacks:
        # the portal records the outcome itself (inps_portal.firme).
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

# --- Benchmark endpoints: only when explicitly asked (bench/run.py) --------------------------------------------------
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)
