from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from idp_locale.soggetti import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    # The same path as allauth's authorization endpoint (the one discovery announces), listed first so it answers.
    path("identity/o/authorize", views.autorizzazione, name="idp_locale_autorizzazione"),
    path("account/", include("allauth.account.urls")),
    path("", include("allauth.idp.urls")),
]
