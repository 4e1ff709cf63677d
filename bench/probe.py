"""In-process Django helpers of ``bench.pages``, always run in a process of their own.

Keeping them out of the scenario's process keeps the configurations apart: the query count uses the local settings
(DEBUG on) while the fallback login uses exactly the production settings of the gunicorn under test.

    python -m bench.probe count-queries '[{"path": "/", "user": null}, ...]'
    python -m bench.probe make-sessions '["RSSMRA78C15D086Z", ...]'

Each prints one line on stdout, ``PROBE_RESULT`` followed by a JSON value.
"""

from __future__ import annotations

import json
import sys
from importlib import import_module
from typing import Any

MARKER = "PROBE_RESULT "


def count_queries(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQL queries of one warm request per page, with the test Client and ``force_login``: the first request warms
    the process up (content types, templates), the second is counted, the steady state of a gunicorn worker."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # lets the test Client's "testserver" host through ALLOWED_HOSTS
    results = []
    for page in pages:
        client = Client()
        if page["user"]:
            client.force_login(get_user_model().objects.get(codice_fiscale=page["user"]))
        client.get(page["path"])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"])
        results.append({**page, "queries": len(captured), "status": response.status_code})
    return results


def make_sessions(codici_fiscali: list[str]) -> dict[str, str]:
    """Logged-in sessions created in the configured session engine (with the first authentication backend):
    ``{codice fiscale: "sessionid=..."}``."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    engine = import_module(settings.SESSION_ENGINE)
    sessions = {}
    for cf in codici_fiscali:
        user = get_user_model().objects.get(codice_fiscale=cf)
        store = engine.SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        sessions[cf] = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    return sessions


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"count-queries", "make-sessions"}:
        print(__doc__, file=sys.stderr)
        return 2
    import django

    django.setup()  # DJANGO_SETTINGS_MODULE comes from the caller
    payload = json.loads(argv[2])
    result: object = count_queries(payload) if argv[1] == "count-queries" else make_sessions(payload)
    print(MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
