"""In-process Django helpers for ``bench/run.py``, always run in a subprocess of their own.

Keeping them out of the runner's process keeps its configurations apart: the query count uses the local settings
(DEBUG on) while the fallback login uses exactly the production settings of the gunicorn under test.

    python bench/django_probe.py count-queries '[{"path": "/", "user": null}, ...]'
    python bench/django_probe.py make-sessions '["RSSMRA78C15D086Z", ...]'

Each prints one line, ``PROBE_RESULT`` followed by a JSON value, on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
RESULT_MARKER = "PROBE_RESULT "


def _setup() -> None:
    """Make the project importable and configure Django from DJANGO_SETTINGS_MODULE (set by the caller)."""
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def count_queries(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQL queries of one warm request per page, with the test Client and ``force_login``.

    One request first warms the process (content types, templates, ...), then the second is counted: that is the
    steady state a gunicorn worker is in during the load test.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # lets the test Client's "testserver" host through ALLOWED_HOSTS
    user_model = get_user_model()
    results = []
    for page in pages:
        client = Client()
        if page["user"]:
            client.force_login(user_model.objects.get(codice_fiscale=page["user"]))
        client.get(page["path"])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"])
        results.append(
            {"path": page["path"], "user": page["user"], "queries": len(captured), "status": response.status_code}
        )
    return results


def make_sessions(codici_fiscali: list[str]) -> dict[str, dict[str, str]]:
    """Logged-in sessions created directly in the configured session engine: {cf: {"cookie": name=value}}."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    engine = import_module(settings.SESSION_ENGINE)
    user_model = get_user_model()
    sessions = {}
    for cf in codici_fiscali:
        user = user_model.objects.get(codice_fiscale=cf)
        store = engine.SessionStore()
        store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        sessions[cf] = {"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"}
    return sessions


def main(argv: list[str]) -> int:
    """Dispatch on the sub-command; the argument is a JSON document."""
    if len(argv) != 3 or argv[1] not in {"count-queries", "make-sessions"}:
        print(__doc__, file=sys.stderr)
        return 2
    _setup()
    payload = json.loads(argv[2])
    result: object = count_queries(payload) if argv[1] == "count-queries" else make_sessions(payload)
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
