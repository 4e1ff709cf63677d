"""What the portal checks of a login through the identity gateway, before allauth opens any session.

The ID token (signature, issuer and audience checked by ``identita.oauth2``) must carry the nonce stashed with this
login's state, an ``acr`` of SPID level 2 or higher (whatever level the request asked: the request passed through
the browser), and a fiscal number. The person must be known and admitted (``identita.accesso.persona_ammessa``):
nobody is signed up, nobody is matched on e-mail. A login started as a confirmation must prove the person already
logged in. Every refusal is a page in Italian with a 4xx, never allauth's generic error.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest

from accounts.models import MetodoAccesso
from accounts.selectors.accessi import LIVELLO_SPID_MINIMO
from identita.accesso import Rifiuto, conferma_registra, persona_ammessa, rifiuto_pagina
from identita.backends import PERCORSO
from identita.provider import ACR_SPID, ATTRIBUTO_CODICE_FISCALE, PROCESSO_CONFERMA, IdentitaProvider

logger = logging.getLogger(__name__)
LIVELLI = {acr: livello for livello, acr in ACR_SPID.items()}
METODI = {"spid": MetodoAccesso.SPID, "cie": MetodoAccesso.CIE}


def _claims(sociallogin: SocialLogin) -> tuple[dict[str, Any], dict[str, Any]]:
    dati = sociallogin.account.extra_data or {}
    return dict(dati.get("id_token") or {}), dict(dati.get("userinfo") or {})


def verifica(sociallogin: SocialLogin) -> tuple[MetodoAccesso, int]:
    """The method and level the gateway proved, or ``Rifiuto``."""
    token, userinfo = _claims(sociallogin)
    atteso = str((sociallogin.state or {}).get("nonce") or "")
    if not atteso or not hmac.compare_digest(atteso, str(token.get("nonce") or "")):
        raise Rifiuto(
            "Accesso non riuscito",
            "La risposta del gestore dell'identità non corrisponde alla richiesta di accesso. Ripeta l'accesso.",
            status=400,
        )
    livello = LIVELLI.get(str(token.get("acr") or ""))
    if livello is None or livello < LIVELLO_SPID_MINIMO:
        raise Rifiuto(
            "Livello di sicurezza insufficiente",
            "Il Punto Utente Evoluto richiede SPID di livello 2 o superiore, CIE o CNS (Messaggio INPS 4461/2023). "
            "L'autenticazione è avvenuta a un livello inferiore: ripeta l'accesso con SPID di livello 2 o 3.",
        )
    if not (token.get(ATTRIBUTO_CODICE_FISCALE) or userinfo.get(ATTRIBUTO_CODICE_FISCALE)):
        raise Rifiuto(
            "Codice fiscale mancante",
            "Il gestore dell'identità non ha trasmesso il codice fiscale: senza non è possibile riconoscerla.",
            status=400,
        )
    provider_id = sociallogin.account.provider
    metodo = METODI.get(provider_id)
    if metodo is None:
        raise Rifiuto("Accesso non riuscito", "Gestore dell'identità non riconosciuto.", status=400)
    return metodo, livello


class AdattatoreIdentita(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        try:
            if not isinstance(sociallogin.provider, IdentitaProvider):
                raise Rifiuto("Accesso non riuscito", "Gestore dell'identità non riconosciuto.", status=400)
            metodo, livello = verifica(sociallogin)
            user = persona_ammessa(sociallogin.account.uid)
            if sociallogin.state.get("process") == PROCESSO_CONFERMA:
                conferma_registra(request, user, metodo=metodo, livello=livello)
                return
            if sociallogin.state.get("process") != "login":
                raise Rifiuto("Accesso non riuscito", "Operazione non prevista.", status=400)
        except Rifiuto as rifiuto:
            logger.info("accesso con identità digitale rifiutato", extra={"motivo": rifiuto.titolo})
            raise ImmediateHttpResponse(rifiuto_pagina(request, rifiuto)) from None
        if sociallogin.is_existing and sociallogin.user.pk != user.pk:
            raise ImmediateHttpResponse(
                rifiuto_pagina(request, Rifiuto("Accesso non riuscito", "Identità collegata a un altro utente."))
            )
        if not sociallogin.is_existing:
            sociallogin.user = user
            sociallogin.save(request, connect=True)
        sociallogin.user.backend = PERCORSO
        request.accesso_metodo, request.accesso_livello = metodo.value, livello  # type: ignore[attr-defined]

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: Exception | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        """A state that does not match (tampered, replayed, expired), an error from the gateway, a token that does
        not verify: the login stops here, with a page that says so."""
        logger.info("accesso con identità digitale non riuscito", extra={"errore": error, "eccezione": repr(exception)})
        annullato = error == "cancelled"
        raise ImmediateHttpResponse(
            rifiuto_pagina(
                request,
                Rifiuto(
                    "Accesso annullato" if annullato else "Accesso non riuscito",
                    "L'accesso è stato annullato presso il gestore dell'identità."
                    if annullato
                    else "La risposta del gestore dell'identità non è valida o è scaduta. Ripeta l'accesso dalla "
                    "pagina del portale.",
                    status=400,
                ),
            )
        )
