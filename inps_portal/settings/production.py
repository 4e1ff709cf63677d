"""Production: refuses to start without a secret key, allowed hosts and a real database."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY deve essere impostata (almeno 50 caratteri casuali) in produzione.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS deve elencare i nomi a cui il portale risponde in produzione.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("In produzione DATABASE_URL deve indicare un database PostgreSQL.")

DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

PEC_CONSENTI_SERVER_ESTERNI = True
# The portal runs behind a reverse proxy (nginx, see docker-compose.yml and deploy/nginx/): X-Forwarded-For, which
# the proxy overwrites with the address it saw, is believed only from the addresses listed here
# (inps_portal.rete.indirizzo_reale); from anywhere else the header is ignored. Rate limits and audit trails use it.
PROXY_FIDATI = env.list("PROXY_FIDATI", default=[])
# Rate limits (failed logins, public forms) live in the cache: per process without Redis, i.e. multiplied by the
# number of gunicorn workers and replicas. Production does not start without it.
if not env("REDIS_URL", default=""):
    raise ImproperlyConfigured("In produzione REDIS_URL deve indicare Redis: cache e limiti di frequenza condivisi.")
if not env("PEC_SMTP_URL", default=""):
    raise ImproperlyConfigured("In produzione PEC_SMTP_URL deve indicare il server SMTP del gestore PEC.")

# INPS signs the PUE conventions through the remote signature service (Cloud Signature Consortium API): the
# PKCS#12 files of the demo and of the tests never sign a real convention.
if env("CONVENZIONI_FIRMA_INPS", default="csc") == "pkcs12":
    raise ImproperlyConfigured(
        "In produzione CONVENZIONI_FIRMA_INPS non può essere 'pkcs12': si usa il servizio di firma remota."
    )

# SPID and CIE through INPS's identity gateway (identita/provider.py): never the local identity provider of development,
# always over TLS, with the client's own secret.
_GATEWAY = env("IDENTITA_GATEWAY_URL", default="")
if not _GATEWAY.startswith("https://"):
    raise ImproperlyConfigured("In produzione IDENTITA_GATEWAY_URL deve indicare il gateway SPID/CIE INPS (https).")
# The links of the e-mails and calendar invitations that tasks send (pue/avvisi.py) name the portal's public address.
if not env("PORTALE_URL", default="").startswith("https://"):
    raise ImproperlyConfigured("In produzione PORTALE_URL deve indicare l'indirizzo pubblico del portale (https).")
if len(env("IDENTITA_CLIENT_SECRET", default="")) < 20:
    raise ImproperlyConfigured("In produzione IDENTITA_CLIENT_SECRET deve essere il segreto del client del gateway.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/live$"]
SESSION_COOKIE_SECURE = True
# Sessions read from Redis and written through to the database: no query per page to find the session. Whoever ends
# sessions must do it through the session store (SessionStore(key).delete()), which clears both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
