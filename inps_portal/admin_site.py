"""The back office: Django's admin, behind the portal's own login, where what is not yours does not exist.

Two departures from the stock admin, both for the same rule (another organisation's object is a 404):
- a person who is logged in but has no back-office access gets a 404 for every admin page, instead of being sent to
  an admin login form that would confirm the back office is there;
- an object outside the queryset a ModelAdmin lets the person see is a 404, instead of the stock redirect to the
  index with "perhaps it was deleted?".

Hostile input is refused by the forms (``admin_mixins.InputVerificato`` for the keys typed by hand, the model
fields' own validators for the rest) and by the changelists (wrong parameters go back to the list, as Django does).
As a last line of defence, a request whose processing still raises on a value (``ValueError``, ``OverflowError``,
the database's ``DataError``) is a 400 page that says so; a POST runs in one transaction, rolled back whole, so
nothing of it is written. A query string with a NUL character is a 400 at once.
"""

from __future__ import annotations

import contextlib
import logging
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.views import redirect_to_login
from django.db import DataError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.urls import reverse

from inps_portal.admin_mixins import InputVerificato

logger = logging.getLogger(__name__)

# What a value the forms let through can still raise while a POST is processed: bad input, not a server fault.
ERRORI_DI_INPUT = (ValueError, OverflowError, DataError)


class Introvabile404:
    """Mixed into every ModelAdmin registered on the portal's site."""

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str) -> HttpResponse:
        raise Http404

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # The stock view checks the delete permission before it looks for the object: an object that is not yours
        # would be a 403 where it can be deleted by nobody, and a 404 elsewhere. Look for it first.
        if self.get_object(request, unquote(object_id)) is None:  # type: ignore[attr-defined]
            raise Http404
        return super().delete_view(request, object_id, extra_context)  # type: ignore[misc, no-any-return]


class PortaleAdminSite(admin.AdminSite):
    site_header = "INPS - Back office del portale"
    site_title = "Back office INPS"
    index_title = "Gestione"

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        protetta = super().admin_view(view, cacheable)

        def vista(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            if any("\x00" in chiave or any("\x00" in v for v in valori) for chiave, valori in request.GET.lists()):
                # No URL of the back office carries a NUL, and PostgreSQL can neither store nor search one.
                return self.richiesta_non_valida(request)
            try:
                with transaction.atomic() if request.method == "POST" else contextlib.nullcontext():
                    risposta = protetta(request, *args, **kwargs)
                    # A form page is rendered here, inside the transaction: its widgets may still trip on the input.
                    if isinstance(risposta, SimpleTemplateResponse) and not risposta.is_rendered:
                        risposta.render()
            except ERRORI_DI_INPUT:
                logger.warning("dati non validi rifiutati dal back office", exc_info=True, extra={"path": request.path})
                return self.richiesta_non_valida(request)
            return risposta  # type: ignore[no-any-return]

        return update_wrapper(vista, protetta)

    def richiesta_non_valida(self, request: HttpRequest) -> HttpResponse:
        contesto = {**self.each_context(request), "title": "Dati non validi"}
        risposta = TemplateResponse(request, "admin/richiesta_non_valida.html", contesto, status=400)
        return risposta.render()

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """No login form of its own: the portal's rate-limited login, then back here."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("login_password"))
        if not self.has_permission(request):
            raise Http404
        return super().login(request, extra_context)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = type(
            (admin_class or admin.ModelAdmin).__name__,
            (Introvabile404, InputVerificato, admin_class or admin.ModelAdmin),
            {},
        )
        super().register(model_or_iterable, admin_class, **options)
