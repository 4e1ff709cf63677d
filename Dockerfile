# syntax=docker/dockerfile:1
#
# Immagine unica del portale: la usano i servizi web (gunicorn, CMD di default), worker e beat (Celery)
# e migrate (one-shot) di docker-compose.yml. Le impostazioni vengono dall'ambiente (vedi .env.example).

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Librerie di runtime di WeasyPrint (PDF) e gettext per compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libfontconfig1 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# Utente senza privilegi che esegue il portale; la home serve alla cache di fontconfig.
RUN groupadd --system portale \
    && useradd --system --gid portale --create-home --home-dir /home/portale --shell /usr/sbin/nologin portale

# Dipendenze: solo pyproject.toml, così lo strato resta in cache finché le dipendenze non cambiano.
# Il progetto dichiara `packages = []`: `pip install .` installa le dipendenze di [project] dependencies,
# il codice gira dalla cartella /app.
COPY pyproject.toml /tmp/build/
RUN pip install /tmp/build && rm -rf /tmp/build

WORKDIR /app
COPY . /app

ENV DJANGO_SETTINGS_MODULE=inps_portal.settings.production

# File statici (whitenoise) e traduzioni compilate al momento della build. Le impostazioni di produzione rifiutano
# di partire senza SECRET_KEY, ALLOWED_HOSTS, un DATABASE_URL PostgreSQL e il gateway SPID/CIE: qui ricevono valori fittizi che valgono
# solo per questo passo (nessun database viene contattato) e non restano nell'immagine.
RUN export SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
        ALLOWED_HOSTS=localhost \
        DATABASE_URL=postgres://build@localhost/build \
        PEC_SMTP_URL=smtp://localhost:1025 \
        IDENTITA_GATEWAY_URL=https://gateway-identita.invalid \
        IDENTITA_CLIENT_SECRET="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(24))')" \
    && python manage.py collectstatic --noinput \
    && if find . -name '*.po' -not -path './var/*' | grep -q .; then python manage.py compilemessages; fi

# Il codice resta di root (sola lettura per il portale); scrivibili solo var/ (cartella locale), var/media
# (documenti caricati, volume in docker-compose) e var/mail.
RUN mkdir -p /app/var/media /app/var/mail /app/var/pec \
    && chown portale:portale /app/var /app/var/media /app/var/mail /app/var/pec

USER portale

EXPOSE 8000

# gunicorn su 0.0.0.0:8000; GUNICORN_WORKERS processi (default 3); access log su stdout, errori su stderr.
CMD ["sh", "-c", "exec gunicorn inps_portal.wsgi:application --bind 0.0.0.0:8000 --workers \"${GUNICORN_WORKERS:-3}\" --worker-tmp-dir /dev/shm --access-logfile - --error-logfile -"]
