"""The gateway's login and callback, included by allauth under ``account/`` (``account/identita/spid/login/``)."""

from django.urls import path

from identita import oauth2

urlpatterns = [
    path("identita/<str:provider_id>/login/", oauth2.login, name="identita_login"),
    path("identita/<str:provider_id>/login/callback/", oauth2.callback, name="identita_callback"),
]
