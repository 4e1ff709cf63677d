"""A request larger than the portal ever needs is refused before its body is read.

Django reads an upload whole (to memory or to a temporary file) before any form can check its size: a 100 MB upload
would be received in full only to be refused afterwards. The reverse proxy caps the body too (``client_max_body_size``
in deploy/nginx); this is the portal's own cap, for every way it is served.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class LimiteRichiestaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            lunghezza = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            lunghezza = 0
        if lunghezza > settings.RICHIESTA_DIMENSIONE_MASSIMA:
            massimo = settings.RICHIESTA_DIMENSIONE_MASSIMA // (1024 * 1024)
            pagina = render_to_string("errors/413.html", {"massimo": massimo}, request=request)
            risposta = HttpResponse(pagina, status=413)
            # The body was not read: the connection cannot be reused for another request.
            risposta["Connection"] = "close"
            return risposta
        return self.get_response(request)
