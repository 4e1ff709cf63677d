"""The back office: Django's admin, behind the portal's own login, where what is not yours does not exist.

Two departures from the stock admin, both for the same rule (another organisation's object is a 404):
- a person who is logged in but has no back-office access gets a 404 for every admin page, instead of being sent to
  an admin login form that would confirm the back office is there;
- an object outside the queryset a ModelAdmin lets the person see is a 404, instead of the stock redirect to the
  index with "perhaps it was deleted?".
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse


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
            return protetta(request, *args, **kwargs)

        return update_wrapper(vista, protetta)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """No login form of its own: the portal's rate-limited login, then back here."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("login_password"))
        if not self.has_permission(request):
            raise Http404
        return super().login(request, extra_context)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = type(
            (admin_class or admin.ModelAdmin).__name__, (Introvabile404, admin_class or admin.ModelAdmin), {}
        )
        super().register(model_or_iterable, admin_class, **options)
