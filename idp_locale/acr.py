"""The SPID authentication levels, and which one the IdP grants for a request's ``acr_values``.

Plain Python, no Django: the rule is tested on its own as well as through the HTTP flow.
"""

from __future__ import annotations

ACR_SPID: dict[int, str] = {livello: f"https://www.spid.gov.it/SpidL{livello}" for livello in (1, 2, 3)}
LIVELLO_DA_ACR: dict[str, int] = {acr: livello for livello, acr in ACR_SPID.items()}


def acr_da_rilasciare(livello_identita: int, acr_values: str | None) -> str:
    """The highest requested level the credential reaches; else the credential's own level.

    A lenient IdP on purpose: asked for a level above the credential's, it answers with what the credential has,
    and the relying party must refuse it. Unknown values are ignored, as the OpenID Connect specification allows.
    """
    richiesti = (LIVELLO_DA_ACR.get(valore) for valore in (acr_values or "").split())
    raggiungibili = [livello for livello in richiesti if livello is not None and livello <= livello_identita]
    return ACR_SPID[max(raggiungibili, default=livello_identita)]
