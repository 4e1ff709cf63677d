"""Writes of the local IdP: the demo identities, the portal's two clients, the authentication behind a code."""

from __future__ import annotations

from allauth.idp.oidc.models import Client, Token
from django.contrib.auth.models import User
from django.db import transaction

from idp_locale.identita import CLIENT, IDENTITA, PASSWORD_DEMO

# The key, in the data of an authorization code, of what the IdP adds to allauth's record.
CHIAVE_AUTENTICAZIONE = "idp_locale_autenticazione"


@transaction.atomic
def identita_prepara() -> None:
    """Creates the demo identities, or puts them back as the list says (names, e-mail, password)."""
    usernames = [identita.username for identita in IDENTITA]
    User.objects.exclude(username__in=usernames).delete()
    for identita in IDENTITA:
        utente, _ = User.objects.update_or_create(
            username=identita.username,
            defaults={
                "first_name": identita.nome,
                "last_name": identita.cognome,
                "email": identita.email,
                "is_active": True,
            },
        )
        utente.set_password(PASSWORD_DEMO)
        utente.save(update_fields=["password"])


@transaction.atomic
def client_prepara(*, portale: str, secret: str) -> None:
    """Creates the portal's clients, or puts them back: confidential, code flow, no consent page."""
    for demo in CLIENT:
        client = Client.objects.filter(id=demo.client_id).first() or Client(id=demo.client_id)
        client.name = demo.nome
        client.type = Client.Type.CONFIDENTIAL
        client.skip_consent = True
        client.set_secret(secret)
        client.set_scopes(["openid", "profile", "email"])
        client.set_default_scopes(["openid", "profile", "email"])
        client.set_grant_types([Client.GrantType.AUTHORIZATION_CODE])
        client.set_response_types([Client.ResponseType.CODE])
        client.set_redirect_uris([demo.redirect_uri(portale)])
        client.save()


def autenticazione_registra(*, codice: str, acr: str, auth_time: int | None) -> None:
    """Records on an authorization code just issued the level granted and when the person logged in.

    allauth keeps the code's nonce, scopes and PKCE challenge but not the request's ``acr_values``: the ID token,
    issued later at the token endpoint, reads them from here.
    """
    token = Token.objects.by_value(codice).get(type=Token.Type.AUTHORIZATION_CODE)
    dati = token.data if isinstance(token.data, dict) else {}
    token.data = {**dati, CHIAVE_AUTENTICAZIONE: {"acr": acr, "auth_time": auth_time}}
    token.save(update_fields=["data"])
