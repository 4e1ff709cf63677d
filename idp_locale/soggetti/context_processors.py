from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from idp_locale.identita import IDENTITA, PASSWORD_DEMO


def identita_demo(request: HttpRequest) -> dict[str, Any]:
    """The list of demo identities, shown beside the login form: this IdP has no secrets to keep."""
    return {"identita_demo": IDENTITA, "password_demo": PASSWORD_DEMO}
