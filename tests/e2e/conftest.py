"""Browser, pages and people for the end-to-end tests.

Playwright's sync API keeps an event loop running in the test thread for as long as it is started, so Django refuses
ORM calls made from that thread unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. The variable is set only while
Playwright runs, that is while the tests of this package run (see ``playwright_instance``): a process-wide setting
would leak into the subprocesses other tests start, and ``manage.py check --deploy`` fails with async.E001 there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from accounts.models import Comune, Ente, User
from tests.factories import EnteFactory, UserFactory
from tests.idp_locale import IdpLocale, idp_in_esecuzione, portale_sul_idp

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Wide enough for the desktop header: the logged-in user's name is hidden below the md breakpoint.
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
COSENZA_ISTAT = "078045"

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    """Playwright for the tests of this package, and Django's permission to run the ORM beside its event loop.

    Package scope rather than session scope: with a session-wide Playwright the loop would stay running during every
    later test of the suite, which would then need the variable too. Django reads it at every ORM call.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium non trovato in {CHROMIUM}")
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def idp(live_server: LiveServer, tmp_path: Path, settings: Any) -> Iterator[IdpLocale]:
    """The local identity provider (its own process) for this live server, and the portal pointed at it."""
    with idp_in_esecuzione(portale=live_server.url, cartella=tmp_path / "idp") as avviato:
        portale_sul_idp(settings, avviato.url)
        yield avviato


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh page in a fresh context (no cookies from other tests), pointed at the live server."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="it-IT")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def registro_e2e(transactional_db: None) -> None:
    """The territorial registry, committed: the live server's thread reads it through its own connection (loaded
    again only when a previous test with real transactions emptied the tables)."""
    from accounts.models import Comune
    from accounts.services.registro import registro_carica

    if not Comune.objects.exists():
        registro_carica()


PIN_OPERATORE_ENTE = "GVRDPNPRVA234567"


@dataclass(frozen=True)
class Operatore:
    """An Operatore di Ente: no password, only a PIN (Circolare 71/2016)."""

    user: User
    ente: Ente
    pin: str = PIN_OPERATORE_ENTE


@pytest.fixture
def operatore_ente(registro_e2e: None) -> Operatore:
    """An Operatore di Ente for one Ente whose legal seat is in Cosenza."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import PIN
    from accounts.roles import Ruolo
    from accounts.services.ruoli import ruolo_assegna

    user = UserFactory.create(nome="Giulia", cognome="Verdi", password="!")
    cosenza = Comune.objects.get(codice_istat=COSENZA_ISTAT)
    ente = EnteFactory.create(nome="Azienda Sanitaria Provinciale di Cosenza", comune=cosenza)
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    PIN.objects.create(
        user=user,
        codice_hash=make_password(PIN_OPERATORE_ENTE),
        tipo=PIN.Tipo.DISPOSITIVO,
        origine=PIN.Origine.SPORTELLO,
    )
    return Operatore(user=user, ente=ente)


def login_with_cookie(page: Page, user: User, live_server: LiveServer) -> None:
    """Open a session without the login form (for tests about other pages): Django's test client logs in and the
    browser receives its session cookie."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url, "httpOnly": True}]
    )


def submit_login(page: Page, codice_fiscale: str, segreto: str) -> None:
    """Fill and submit the login form on the page currently open: the PIN one or the staff's password one."""
    page.get_by_label("Codice fiscale").fill(codice_fiscale)
    page.get_by_label(re.compile(r"^(PIN|Password)")).fill(segreto)
    page.get_by_role("button", name="Accedi", exact=True).click()


# --- axe-core ---------------------------------------------------------------------------------------------------------

BLOCKING_IMPACTS = ("serious", "critical")


def _target(node: dict[str, Any]) -> str:
    return " ".join(t if isinstance(t, str) else " >>> ".join(map(str, t)) for t in node.get("target", []))


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One block per rule: id, impact, help and link, then each element by selector, markup and what to fix."""
    lines: list[str] = []
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}] {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    target: {_target(node)}")
            lines.append(f"      html: {' '.join(node.get('html', '').split())[:300]}")
            summary = "; ".join(line.strip() for line in node.get("failureSummary", "").splitlines() if line.strip())
            if summary:
                lines.append(f"      fix:  {summary[:400]}")
    return "\n".join(lines)


def axe_scan(page: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run axe-core on the page: (serious or critical violations, the other ones)."""
    results = Axe().run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    others = [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]
    return blocking, others
