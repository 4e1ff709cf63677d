"""With DEBUG on (``make run``) a missing page or a server error answers with the portal's own pages
(``templates/errors/``), as in production: whoever tries the demo sees what a user would see. Django's technical
pages (the traceback, the URL patterns tried) come only when asked for, with ``DEBUG_TECNICO=1``.

Without DEBUG this middleware does nothing: Django itself then answers with the handlers of ``inps_portal.urls``.
It is the innermost middleware, so it sees the exceptions of the views and finds the missing pages before Django
would turn them into its technical page; the outer middleware (``APPEND_SLASH`` among them) still see the response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, get_resolver, resolve
from django.utils.log import log_response


class PagineDiErroreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def _attiva() -> bool:
        return bool(settings.DEBUG) and not getattr(settings, "DEBUG_TECNICO", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._attiva():
            urlconf = getattr(request, "urlconf", None)
            try:
                resolve(request.path_info, urlconf)
            except Resolver404 as exc:
                return self._pagina(request, 404, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._attiva():
            return None
        if isinstance(exception, Http404):
            return self._pagina(request, 404, exception)
        if isinstance(exception, PermissionDenied):
            return self._pagina(request, 403, exception)
        if isinstance(exception, (BadRequest, SuspiciousOperation, MultiPartParserError)):
            return self._pagina(request, 400, exception)
        # What Django does with an uncaught exception, without the technical page: error reporting hooks, the log.
        signals.got_request_exception.send(sender=None, request=request)
        return self._pagina(request, 500, exception)

    @staticmethod
    def _pagina(request: HttpRequest, status: int, exception: Exception) -> HttpResponse:
        """The project's handler for ``status`` (``handler404`` and the others of the URLconf), logged as Django
        logs it."""
        # Typed as the 500 handler; the others also take the exception.
        handler = cast(
            Callable[..., HttpResponse], get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(status)
        )
        risposta: HttpResponse = handler(request) if status == 500 else handler(request, exception)
        log_response(
            "%s: %s",
            risposta.reason_phrase,
            request.path,
            response=risposta,
            request=request,
            exception=exception if status == 500 else None,
        )
        return risposta
