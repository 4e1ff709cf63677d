"""CNS login through the trusted proxy: not yet wired (answers 404)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def accesso_cns(request: HttpRequest) -> HttpResponse:
    raise Http404
