"""allauth's adapters for the local IdP: no sign-up, and the claims of a SPID or CIE identity gateway."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from allauth.account.adapter import DefaultAccountAdapter
from allauth.idp.oidc.adapter import DefaultOIDCAdapter
from allauth.idp.oidc.models import Client
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.http import HttpRequest

from idp_locale.acr import ACR_SPID
from idp_locale.identita import CLAIM_CODICE_FISCALE, IdentitaDemo, identita_per_sub, identita_per_username
from idp_locale.soggetti.selectors import autenticazione_per_codice


class AccountAdapterIdpLocale(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # The identities are the demo list, put back at every start.
        return False


class AdapterOidcIdpLocale(DefaultOIDCAdapter):
    def get_user_sub(self, client: Client, user: AbstractBaseUser) -> str:
        return _identita(user).sub

    def get_user_by_sub(self, client: Client, sub: str) -> AbstractBaseUser | None:
        identita = identita_per_sub(sub)
        if identita is None:
            return None
        return User.objects.filter(username=identita.username, is_active=True).first()

    def get_claims(
        self,
        purpose: Literal["id_token", "userinfo"],
        user: AbstractBaseUser,
        client: Client,
        scopes: Iterable[str],
        email: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        identita = _identita(user)
        scopes = set(scopes)
        # The codice fiscale is what the portal knows people by: it comes with every answer, as the gateway's does.
        claims: dict[str, Any] = {"sub": identita.sub, CLAIM_CODICE_FISCALE: identita.fiscal_number}
        if "profile" in scopes:
            claims.update(
                given_name=identita.nome, family_name=identita.cognome, name=f"{identita.nome} {identita.cognome}"
            )
        if "email" in scopes:
            claims.update(email=identita.email, email_verified=True)
        return claims

    def populate_server_metadata(self, data: dict[str, str | list[str]]) -> None:
        data["acr_values_supported"] = list(ACR_SPID.values())
        data["claims_supported"] = [
            "sub",
            "acr",
            "auth_time",
            "given_name",
            "family_name",
            "name",
            "email",
            "email_verified",
            CLAIM_CODICE_FISCALE,
        ]

    def populate_id_token(self, id_token: dict[str, Any], client: Client, scopes: Iterable[str], **kwargs: Any) -> None:
        """Adds ``acr`` and ``auth_time``, recorded with the code at the authorization endpoint.

        An ID token that does not come from a code (none does, as the clients only have the code grant) gets the
        credential's own level.
        """
        autenticazione = None
        if self.request.POST.get("grant_type") == "authorization_code":
            autenticazione = autenticazione_per_codice(client=client, codice=self.request.POST.get("code", ""))
        if autenticazione is None:
            identita = identita_per_sub(id_token["sub"])
            if identita is not None:
                id_token["acr"] = ACR_SPID[identita.livello_spid]
            return
        id_token["acr"] = autenticazione.acr
        if autenticazione.auth_time is not None:
            id_token["auth_time"] = autenticazione.auth_time


def _identita(user: AbstractBaseUser) -> IdentitaDemo:
    identita = identita_per_username(user.get_username())
    if identita is None:
        # Only the demo identities exist (identita_prepara deletes any other user).
        raise LookupError(f"{user.get_username()} non è un'identità demo")
    return identita
