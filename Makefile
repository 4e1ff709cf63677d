# The portal's two commands, and the checks and benchmark around them. Works on a fresh Debian with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
IDP_PORT ?= 8001

.PHONY: run idp demo-reset test check lint bench bench-full system-deps venv clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

# Debian packages the portal and its tests need: WeasyPrint's libraries, the Chromium that Playwright drives,
# pdftotext for checking generated PDFs, wrk for the benchmark, Dovecot as the IMAP mailbox of the PEC receipts,
# nginx as the reverse proxy that verifies CNS cards in the tests.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	test -x /usr/sbin/dovecot || missing="$$missing dovecot-imapd"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
		echo "Installo i pacchetti di sistema:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The demo as it was: the ex-Inpdap operators get their old credentials back, to try the unification again.
demo-reset: venv
	$(BIN)/python manage.py seed_demo --ripristina

# The portal and, beside it, the local identity provider that stands in for the SPID/CIE gateway (README, "Accesso
# con SPID, CIE e CNS"): both stop together.
run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_registry
	$(BIN)/python manage.py seed_demo
	$(BIN)/python -m idp_locale --prepara-soltanto --porta $(IDP_PORT) --portale http://$(HOST):$(PORT)
	$(BIN)/python -m idp_locale --porta $(IDP_PORT) --portale http://$(HOST):$(PORT) & idp=$$!; \
	trap 'kill $$idp 2>/dev/null' EXIT INT TERM; \
	IDENTITA_GATEWAY_URL=http://$(HOST):$(IDP_PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The local identity provider alone (when the portal runs elsewhere).
idp: venv
	$(BIN)/python -m idp_locale --porta $(IDP_PORT) --portale http://$(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=inps_portal.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

check: lint

test: venv system-deps lint
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} --cov --cov-report=term

bench: venv system-deps
	$(BIN)/python -m bench

bench-full: venv system-deps
	BENCH_FULL=1 $(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
