"""``python -m idp_locale --porta 8001 --portale http://127.0.0.1:8000``: prepares the IdP's database and serves it.

Every start migrates the IdP's SQLite database, puts back the demo identities and the portal's two clients (with
the redirect URIs of ``--portale``), then serves on 127.0.0.1 with a threaded server, without autoreload, until
SIGTERM or Ctrl-C. ``--prepara-soltanto`` stops after the preparation.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from types import FrameType


def _argomenti(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m idp_locale", description="Identity provider OpenID Connect locale (solo sviluppo)."
    )
    parser.add_argument("--porta", type=int, default=8001, help="porta di ascolto (predefinita: 8001)")
    parser.add_argument("--indirizzo", default="127.0.0.1", help="indirizzo di ascolto (predefinito: 127.0.0.1)")
    parser.add_argument(
        "--portale",
        default="http://127.0.0.1:8000",
        help="URL del portale, per gli URI di redirect dei client (predefinito: http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--prepara-soltanto", action="store_true", help="prepara database, identità e client, poi termina"
    )
    return parser.parse_args(argv)


def _termina(numero: int, frame: FrameType | None) -> None:
    # The same way out as Ctrl-C: serve_forever returns and the process ends with status 0.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argomenti = _argomenti(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "idp_locale.settings"

    import django

    django.setup()

    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    from idp_locale.identita import CLIENT_SECRET_SVILUPPO
    from idp_locale.soggetti.services import client_prepara, identita_prepara

    call_command("migrate", interactive=False, verbosity=0)
    identita_prepara()
    client_prepara(
        portale=argomenti.portale.rstrip("/"), secret=os.environ.get("IDP_CLIENT_SECRET", CLIENT_SECRET_SVILUPPO)
    )
    if argomenti.prepara_soltanto:
        return 0

    signal.signal(signal.SIGTERM, _termina)
    print(
        f"Identity provider locale (solo sviluppo) su http://{argomenti.indirizzo}:{argomenti.porta}/",
        file=sys.stderr,
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        run(argomenti.indirizzo, argomenti.porta, get_wsgi_application(), threading=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
