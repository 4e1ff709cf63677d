"""Settings of the local identity provider: development only, every value has an embedded default.

IDP_SECRET_KEY: Django's secret key of the IdP.
IDP_DATABASE: its SQLite database (default ``var/idp_locale.sqlite3``).
IDP_CHIAVE: the PEM file of the RSA key that signs the ID tokens, generated if missing (default ``var/idp_locale.key``).
IDP_CLIENT_SECRET: the secret of the clients ``portale-spid`` and ``portale-cie`` (read when seeding).
IDP_ALLOWED_HOSTS: comma-separated host names the IdP answers to (default ``127.0.0.1,localhost``).
"""

from __future__ import annotations

import os
from pathlib import Path

from idp_locale.chiave import chiave_privata_pem

CARTELLA_IDP = Path(__file__).resolve().parent
CARTELLA_REPOSITORY = CARTELLA_IDP.parent

SECRET_KEY = os.environ.get("IDP_SECRET_KEY", "idp-locale-solo-sviluppo-non-usare-in-produzione")
DEBUG = True
ALLOWED_HOSTS = os.environ.get("IDP_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "allauth",
    "allauth.account",
    "allauth.idp.oidc",
    "idp_locale.soggetti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "idp_locale.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [CARTELLA_IDP / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "idp_locale.soggetti.context_processors.identita_demo",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("IDP_DATABASE", str(CARTELLA_REPOSITORY / "var" / "idp_locale.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The IdP runs beside the portal on the same host (127.0.0.1, another port) and browsers share cookies across
# ports: with Django's default names the two would overwrite each other's session and CSRF token.
SESSION_COOKIE_NAME = "idp_locale_sessionid"
CSRF_COOKIE_NAME = "idp_locale_csrftoken"
# No single sign-on worth keeping: the session ends with the browser, as with a SPID identity provider.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The demo passwords are public; a slow hash would only slow down every start (the seeding sets them again).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "it"
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "idp_locale.soggetti.adapter.AccountAdapterIdpLocale"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
# Tests try wrong passwords on purpose; a rate limit would turn them into a lockout.
ACCOUNT_RATE_LIMITS = False

IDP_OIDC_ADAPTER = "idp_locale.soggetti.adapter.AdapterOidcIdpLocale"
IDP_OIDC_PRIVATE_KEY = chiave_privata_pem(
    Path(os.environ.get("IDP_CHIAVE", str(CARTELLA_REPOSITORY / "var" / "idp_locale.key")))
)
IDP_OIDC_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
IDP_OIDC_RATE_LIMITS = False
