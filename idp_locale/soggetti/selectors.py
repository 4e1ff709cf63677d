"""Reads of the local IdP."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.idp.oidc.models import Client, Token

from idp_locale.soggetti.services import CHIAVE_AUTENTICAZIONE


@dataclass(frozen=True)
class Autenticazione:
    acr: str
    auth_time: int | None


def autenticazione_per_codice(*, client: Client, codice: str) -> Autenticazione | None:
    """What ``autenticazione_registra`` recorded on the code (claimed by now, but still stored)."""
    token = Token.objects.by_value(codice).filter(type=Token.Type.AUTHORIZATION_CODE, client=client).first()
    if token is None or not isinstance(token.data, dict):
        return None
    registrata = token.data.get(CHIAVE_AUTENTICAZIONE)
    if not isinstance(registrata, dict):
        return None
    return Autenticazione(acr=str(registrata["acr"]), auth_time=registrata.get("auth_time"))
