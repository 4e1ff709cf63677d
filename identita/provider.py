"""The portal's OpenID Connect provider for the identity gateway that speaks to the SPID and CIE federations (INPS's
own in production, ``idp_locale`` in development and tests).

One provider, two apps: ``spid`` and ``cie`` (two clients of the gateway), so that the session knows which identity
was used. Beyond allauth's OpenID Connect client it adds what SPID and CIE ask of a relying party:

- a ``nonce`` in every request, stashed with the state and checked against the ID token (``identita.verifica``);
- PKCE (S256) always;
- ``acr_values`` asking SPID level 2, fixed by the portal: parameters a caller adds to the login URL are ignored;
  the level is trusted only as the ID token's ``acr`` returns it;
- ``prompt=login`` when the portal needs a fresh authentication (a confirmation before signing);
- the fiscal number attribute as the account's key (``uid``): nobody is matched by e-mail or name.
"""

from __future__ import annotations

import secrets
from typing import Any

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider, _pick_data
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode

from identita.accesso import codice_fiscale_da_attributo
from identita.oauth2 import IdentitaOAuth2Adapter

ACR_SPID = {livello: f"https://www.spid.gov.it/SpidL{livello}" for livello in (1, 2, 3)}
LIVELLO_RICHIESTO = 2
ATTRIBUTO_CODICE_FISCALE = "https://attributes.eid.gov.it/fiscal_number"
PROCESSO_CONFERMA = "redirect"


class IdentitaProvider(OpenIDConnectProvider):
    id = "identita"
    name = "Identità digitale"
    oauth2_adapter_class = IdentitaOAuth2Adapter
    pkce_enabled_default = True

    def get_login_url(self, request: HttpRequest, **kwargs: Any) -> str:
        url = reverse("identita_login", kwargs={"provider_id": self.app.provider_id})
        return f"{url}?{urlencode(kwargs)}" if kwargs else url

    def get_callback_url(self) -> str:
        return reverse("identita_callback", kwargs={"provider_id": self.app.provider_id})

    def get_pkce_params(self) -> dict[str, str]:
        from allauth.socialaccount.providers.oauth2.utils import generate_code_challenge

        return dict(generate_code_challenge())

    def get_default_scope(self) -> list[str]:
        return ["openid", "profile", "email"]

    def get_scope_from_request(self, request: HttpRequest) -> list[str]:
        return self.get_default_scope()  # a caller does not widen what is asked

    def get_auth_params_from_request(self, request: HttpRequest, action: str) -> dict[str, str]:
        """The portal's own parameters only: a caller's ``auth_params`` (say, ``acr_values`` lowered to level 1)
        is not passed on."""
        return {"acr_values": ACR_SPID[LIVELLO_RICHIESTO]}

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params_from_request(request, ""))
        nonce = secrets.token_urlsafe(32)
        auth_params["nonce"] = nonce
        if process == PROCESSO_CONFERMA:
            auth_params["prompt"] = "login"  # a fresh authentication, even with a session at the identity provider
        return super().redirect(request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs)  # type: ignore[no-any-return]

    def extract_uid(self, data: dict[str, Any]) -> str:
        return codice_fiscale_da_attributo(_pick_data(data).get(ATTRIBUTO_CODICE_FISCALE))

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        dati = _pick_data(data)
        return {"first_name": dati.get("given_name"), "last_name": dati.get("family_name"), "email": dati.get("email")}

    def extract_email_addresses(self, data: dict[str, Any]) -> list[Any]:
        return []  # the portal does not take e-mail addresses from the identity


provider_classes = [IdentitaProvider]
