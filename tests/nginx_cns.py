"""A real nginx in front of the live server, with the deployment's own server blocks: the portal's ordinary one
(``deploy/nginx/portale.conf``) and the CNS one (``deploy/nginx/cns.conf.template``).

The files are rendered as the deployment does, with two differences that only move the addresses: the upstream is the
live server instead of ``web:8000``, and the blocks listen on free ports of 127.0.0.1. The template's variables are
replaced the way the nginx image's envsubst does (``${NAME}`` only). One directive is added at the ``http`` level,
``proxy_bind 127.0.0.2``: nginx connects to the portal from that address, the only one in the tests'
``PROXY_FIDATI``, while the tests' own requests straight to the live server come from 127.0.0.1.

nginx runs as the current user with everything (pid, logs, temporary files) in its own folder; as root it needs
``user root;`` for its workers to read the keys in pytest's private temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from inps_portal.pec.gateway import porta_libera
from tests.cns_pki import PKICNS

NGINX = Path(shutil.which("nginx") or "/usr/sbin/nginx")
DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
INDIRIZZO_PROXY = "127.0.0.2"

NGINX_CONF = """\
{utente}worker_processes 1;
events {{
    worker_connections 128;
}}
http {{
    access_log {cartella}/access.log;
    client_body_temp_path {cartella}/temp/body;
    proxy_temp_path {cartella}/temp/proxy;
    fastcgi_temp_path {cartella}/temp/fastcgi;
    uwsgi_temp_path {cartella}/temp/uwsgi;
    scgi_temp_path {cartella}/temp/scgi;
    proxy_bind {proxy};
    include {cartella}/portale.conf;
    include {cartella}/cns.conf;
}}
"""


class NginxNonPartito(RuntimeError):
    pass


@dataclass(frozen=True)
class ProxyCNS:
    """The running nginx: the portal's ordinary address and its CNS address."""

    url_portale: str
    url_cns: str
    cartella: Path

    def registro_errori(self) -> str:
        return (self.cartella / "error.log").read_text(errors="replace")


def rendi_modello(testo: str, valori: dict[str, str]) -> str:
    """``${NAME}`` replaced by its value, as envsubst does with the variables it is given; a name without a value is
    an error (envsubst would leave it, and nginx would fail on it later with a less clear message)."""

    def valore(trovato: re.Match[str]) -> str:
        nome = trovato[1]
        if nome not in valori:
            raise KeyError(f"variabile {nome} del modello senza valore")
        return valori[nome]

    return re.sub(r"\$\{(\w+)\}", valore, testo)


def configura(cartella: Path, *, pki: PKICNS, live_server_url: str, porta_portale: int, porta_cns: int) -> Path:
    """Writes nginx.conf, portale.conf and cns.conf into ``cartella``; returns nginx.conf."""
    indirizzo = urlparse(live_server_url)
    # The live server listens on IPv4 only; "localhost" could make nginx try ::1 from 127.0.0.2.
    upstream = f"127.0.0.1:{indirizzo.port}"
    portale = (DEPLOY / "portale.conf").read_text()
    for originale, sostituto in (
        ("server web:8000;", f"server {upstream};"),
        ("listen 8080;", f"listen 127.0.0.1:{porta_portale};"),
    ):
        if originale not in portale:
            raise NginxNonPartito(f"deploy/nginx/portale.conf non contiene più «{originale}»: aggiornare {__name__}")
        portale = portale.replace(originale, sostituto)
    cns = rendi_modello(
        (DEPLOY / "cns.conf.template").read_text(),
        {
            "CNS_PORTA": f"127.0.0.1:{porta_cns}",
            "CNS_CERTIFICATI": str(pki.cartella),
            "PORTALE_URL": f"http://127.0.0.1:{porta_portale}",
        },
    )
    for sottocartella in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (cartella / "temp" / sottocartella).mkdir(parents=True, exist_ok=True)
    (cartella / "portale.conf").write_text(portale)
    (cartella / "cns.conf").write_text(cns)
    conf = cartella / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(utente="user root;\n" if os.geteuid() == 0 else "", cartella=cartella, proxy=INDIRIZZO_PROXY)
    )
    return conf


@contextlib.contextmanager
def nginx_in_esecuzione(cartella: Path, *, pki: PKICNS, live_server_url: str) -> Iterator[ProxyCNS]:
    """nginx in the foreground for the duration of the block, stopped (and waited for) at the end."""
    if not NGINX.exists():
        raise NginxNonPartito(f"nginx non trovato in {NGINX}: `make system-deps` lo installa (pacchetto Debian nginx)")
    porta_portale, porta_cns = porta_libera(), porta_libera()
    conf = configura(
        cartella, pki=pki, live_server_url=live_server_url, porta_portale=porta_portale, porta_cns=porta_cns
    )
    errori = cartella / "error.log"
    comando = [str(NGINX), "-e", str(errori), "-p", str(cartella), "-c", str(conf)]
    controllo = subprocess.run([*comando, "-t"], capture_output=True, text=True, check=False)
    if controllo.returncode != 0:
        raise NginxNonPartito(f"configurazione di nginx non valida:\n{controllo.stderr}")
    processo = subprocess.Popen(
        [*comando, "-g", f"daemon off; pid {cartella}/nginx.pid;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        _attendi_porte(processo, errori, porta_portale, porta_cns)
        yield ProxyCNS(
            url_portale=f"http://127.0.0.1:{porta_portale}", url_cns=f"https://127.0.0.1:{porta_cns}", cartella=cartella
        )
    finally:
        processo.terminate()
        try:
            processo.wait(timeout=10)
        except subprocess.TimeoutExpired:
            processo.kill()
            processo.wait(timeout=5)


def _attendi_porte(processo: subprocess.Popen[bytes], errori: Path, *porte: int) -> None:
    scadenza = time.monotonic() + 15
    mancanti = list(porte)
    while mancanti and time.monotonic() < scadenza:
        if processo.poll() is not None:
            raise NginxNonPartito(
                f"nginx si è chiuso (codice {processo.returncode}):\n{errori.read_text(errors='replace')}"
            )
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", mancanti[0]), timeout=0.5).close()
            mancanti.pop(0)
            continue
        time.sleep(0.05)
    if mancanti:
        processo.terminate()
        raise NginxNonPartito(f"nginx non ha aperto le porte {mancanti} entro 15 secondi")
