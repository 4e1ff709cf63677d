"""Fixtures shared by the whole suite: services, the registry, people of every role, a real Celery worker."""

from __future__ import annotations

import contextlib
import email
import email.policy
import mailbox
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from inps_portal.pec.gateway import GatewayPEC, avvia, porta_libera
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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The territorial registry (7,904 Comuni and the INPS structures) is reference data: loaded once per test
    database, not per test. Ordinary tests run in a transaction that is rolled back, so they all find it."""
    from accounts.services.registro import registro_carica

    with django_db_blocker.unblock():
        registro_carica()


@pytest.fixture
def registro(db: None) -> None:
    """The whole territorial registry: already there, unless a test with real transactions emptied the tables."""
    from accounts.models import Comune
    from accounts.services.registro import registro_carica

    if not Comune.objects.exists():
        registro_carica()


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    def factory(**kwargs: object) -> object:
        return UserFactory.create(**kwargs)

    return factory


def _svuota(cartella: Path) -> None:
    for sub in ("new", "cur", "tmp"):
        for file in (cartella / sub).glob("*"):
            file.unlink(missing_ok=True)


@dataclass
class GatewaySMTP:
    controller: Controller
    gateway: GatewayPEC

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    def ferma(self) -> None:
        self.controller.stop()

    def riavvia(self) -> None:
        self.controller = avvia(self.gateway, port=self.controller.port)

    def copie(self) -> Counter[str]:
        return self.conta_copie(self.gateway.consegnati)

    @staticmethod
    def conta_copie(cartella: Path) -> Counter[str]:
        """Copies delivered on the receiving side, by Message-ID."""
        casella = mailbox.Maildir(cartella, create=True)
        return Counter(
            str(email.message_from_bytes(casella.get_bytes(k), policy=email.policy.default)["Message-ID"]).strip()
            for k in casella.iterkeys()
        )


@pytest.fixture(scope="session")
def gateway_smtp() -> Iterator[GatewaySMTP]:
    """The development PEC gateway as a real SMTP server, writing receipts where this test run reads them."""
    ricevute = Path(settings.PEC_MAILDIR)
    gateway = GatewayPEC(
        ricevute=ricevute, consegnati=ricevute.parent / "consegnati", caselle=Path(settings.PEC_CASELLE_MAILDIR)
    )
    server = GatewaySMTP(avvia(gateway), gateway)
    yield server
    with contextlib.suppress(Exception):
        server.ferma()


@pytest.fixture
def pec_smtp(gateway_smtp: GatewaySMTP, settings: Any) -> Iterator[GatewaySMTP]:
    """Send PEC through the real SMTP gateway, with empty mailboxes; the gateway is up again afterwards."""
    settings.PEC_SMTP_URL = gateway_smtp.url
    _svuota(gateway_smtp.gateway.ricevute)
    _svuota(gateway_smtp.gateway.consegnati)
    if gateway_smtp.gateway.caselle is not None:
        shutil.rmtree(gateway_smtp.gateway.caselle, ignore_errors=True)
    settings.PEC_CASELLE_MAILDIR = str(gateway_smtp.gateway.caselle)
    yield gateway_smtp
    with contextlib.suppress(OSError):
        socket.create_connection(("127.0.0.1", gateway_smtp.controller.port), timeout=1).close()
        return
    gateway_smtp.riavvia()


@pytest.fixture
def pec_locale(settings: Any, tmp_path: Path) -> GatewayPEC:
    """The embedded default: the gateway runs in-process, in a mailbox of this test's own."""
    settings.PEC_SMTP_URL = ""
    settings.PEC_MAILDIR = str(tmp_path / "pec" / "ricevute")
    settings.PEC_CASELLE_MAILDIR = str(tmp_path / "pec" / "caselle")
    from inps_portal.pec.transport import gateway_locale

    return gateway_locale()


DOVECOT_CONF = """
base_dir = {root}/run
state_dir = {root}/run
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = 1
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture(scope="session")
def imap_server() -> Iterator[str]:
    """A real IMAP server (Dovecot, from Debian's dovecot-imapd) holding the receipts mailbox; yields its URL."""
    dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(dovecot).exists() or os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot (dovecot-imapd) serve ai test IMAP: `make test` lo installa")
        pytest.skip("Dovecot non disponibile o utente non root")
    # Not under pytest's private temporary folder: Dovecot's own user must reach the mailbox.
    root = Path(tempfile.mkdtemp(prefix="inps-imap-"))
    root.chmod(0o755)
    (root / "mail").mkdir()
    (root / "mail").chmod(0o777)
    port = porta_libera()
    conf = root / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(root=root, port=port, password="segreta-di-prova"))
    process = subprocess.Popen([dovecot, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        time.sleep(0.1)
    else:
        process.terminate()
        pytest.fail("Dovecot non ha aperto la porta IMAP")
    yield f"imap://ricevute:segreta-di-prova@127.0.0.1:{port}/INBOX"
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def admin_client(db: None, client: Client) -> Client:
    """A portal administrator (pytest-django's own fixture assumes a ``username`` field)."""
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None, django_db_blocker: object, gateway_smtp: GatewaySMTP
) -> Iterator[subprocess.Popen[bytes]]:
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
        "PEC_SMTP_URL": gateway_smtp.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
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


@pytest.fixture
def versione(registro: None) -> Any:
    """Version 1 of the Convenzione quadro (its migration seeds it; a test that emptied the tables gets it back)."""
    import datetime as dt

    from convenzioni.models import VersioneQuadro
    from convenzioni.testo import TESTO_QUADRO_2023

    return VersioneQuadro.objects.get_or_create(
        numero=1, defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)}
    )[0]
