"""allauth's OpenID Connect adapter and views, on the portal's URLs, with the ID token's signature always checked
(allauth skips it when the token came over TLS from the token endpoint: allowed by the standard, but the portal
checks it anyway, it costs one cached key fetch)."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse


class IdentitaOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        return jwtkit.verify_and_decode(  # type: ignore[no-any-return]
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )

    def get_callback_url(self, request: HttpRequest, app: SocialApp) -> str:
        url = reverse("identita_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, url, self.redirect_uri_protocol)  # type: ignore[no-any-return]


def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2LoginView.adapter_view(IdentitaOAuth2Adapter(request, provider_id))(request)  # type: ignore[no-any-return]
    except SocialApp.DoesNotExist as errore:
        raise Http404 from errore


def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return OAuth2CallbackView.adapter_view(IdentitaOAuth2Adapter(request, provider_id))(request)  # type: ignore[no-any-return]
    except SocialApp.DoesNotExist as errore:
        raise Http404 from errore
