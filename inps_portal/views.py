"""The portal's own pages: home, legal notes, errors, health."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from inps_portal import health


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_safe
def accessibilita(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibilita.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html", {"conservazione_giorni": settings.PUE_CONSERVAZIONE_GIORNI})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = health.overall()
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degradato", **checks}, status=200 if healthy else 503)


@never_cache
@require_safe
def healthz_live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Nothing is checked, so a restart is never caused by a service elsewhere."""
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from them.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


def non_previsto(request: HttpRequest, resto: str = "") -> HttpResponse:
    """A page a library offers and the portal does not: the portal's 404, whatever the method."""
    raise Http404
