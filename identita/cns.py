"""Login with the Carta Nazionale dei Servizi, through the reverse proxy's CNS server block.

The card's certificate is asked for and verified by nginx (``deploy/nginx/cns.conf.template``) against the CNS
certification authorities and their revocation lists; nginx forwards the outcome (``X-SSL-Client-Verify``) and the
certificate (``X-SSL-Client-Cert``, URL-escaped PEM). Those headers mean something only on a request from a proxy the
portal trusts (``PROXY_FIDATI``), which overwrites them: from anywhere else anyone could write them, so they are
ignored and the person is told to use the portal's CNS address. The certificate's dates are checked again here,
against the portal's clock.

A GET logs in. The person's act is the TLS handshake with the card, and a login can only be forced on a browser with
that browser's own card, never someone else's (the login CSRF that a form protects against). A confirmation of the
identity of someone already logged in (``?conferma=1``) is refused when another site starts it.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import unquote

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import MetodoAccesso
from accounts.validators import normalizza_codice_fiscale, validate_codice_fiscale
from identita.accesso import Rifiuto, accesso_completa, rifiuto_pagina
from inps_portal import clock

logger = logging.getLogger(__name__)

ESITO_VERIFICA = "HTTP_X_SSL_CLIENT_VERIFY"
CERTIFICATO = "HTTP_X_SSL_CLIENT_CERT"

_CHIEDA_ASSISTENZA = (
    "Se il problema persiste, si rivolga all'ente che le ha rilasciato la carta oppure acceda con SPID o CIE."
)

# What nginx writes after "FAILED:" (OpenSSL's messages), grouped by what the person can do about it.
_NON_RICONOSCIUTO = (
    "unable to get local issuer certificate",
    "unable to get issuer certificate",
    "unable to verify the first certificate",
    "self signed certificate",
    "self-signed certificate",
    "self signed certificate in certificate chain",
    "self-signed certificate in certificate chain",
    "certificate signature failure",
    "certificate chain too long",
    "unsuitable certificate purpose",
)
_REVOCA_NON_VERIFICABILE = ("unable to get certificate CRL", "CRL has expired", "CRL is not yet valid")


@require_GET
@never_cache
def accesso_cns(request: HttpRequest) -> HttpResponse:
    """The page the CNS server block of the proxy forwards to, after the handshake with the card."""
    conferma = request.GET.get("conferma") == "1"
    indirizzo_cns = settings.CNS_INDIRIZZO.rstrip("/")
    if indirizzo_cns and dal_proxy_fidato(request) and ESITO_VERIFICA not in request.META:
        # Through the portal's ordinary server block (the "Entra con CNS" button is a link on the portal's own
        # pages): the card is asked for only at the CNS address, so the person goes there with the same request.
        return HttpResponseRedirect(f"{indirizzo_cns}{request.get_full_path()}")
    try:
        if conferma and request.headers.get("Sec-Fetch-Site") == "cross-site":
            raise Rifiuto(
                "Conferma non valida",
                "La conferma dell'identità con la CNS è stata avviata da un altro sito. Torni alla pagina del portale "
                "che gliel'ha chiesta e riprovi da lì.",
            )
        codice_fiscale = codice_fiscale_del_certificato(certificato_verificato(request))
    except Rifiuto as rifiuto:
        return rifiuto_pagina(request, rifiuto)
    return accesso_completa(
        request,
        codice_fiscale,
        metodo=MetodoAccesso.CNS,
        livello=None,
        conferma=conferma,
        prossima=request.GET.get("next"),
    )


def dal_proxy_fidato(request: HttpRequest) -> bool:
    """Whether the request comes straight from one of the reverse proxies the portal trusts (``PROXY_FIDATI``)."""
    try:
        remoto = ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return False
    return any(remoto in ipaddress.ip_network(rete, strict=False) for rete in settings.PROXY_FIDATI)


def certificato_dal_proxy(request: HttpRequest) -> x509.Certificate | None:
    """The certificate the trusted proxy forwarded; None when there is none, it does not parse, or the request does
    not come from a trusted proxy (then the header is anyone's, and ignored)."""
    if not dal_proxy_fidato(request):
        return None
    pem = unquote(str(request.META.get(CERTIFICATO, ""))).strip()
    if not pem:
        return None
    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None


def certificato_verificato(request: HttpRequest) -> x509.Certificate:
    """The card's certificate, if the trusted proxy verified it and it is valid now; otherwise ``Rifiuto`` with the
    reason in words the person can act on."""
    if not dal_proxy_fidato(request) or ESITO_VERIFICA not in request.META:
        # The CNS server block always writes the outcome (NONE without a card): a request without it came another
        # way (the portal's ordinary address, or straight to the application server).
        if not dal_proxy_fidato(request) and (ESITO_VERIFICA in request.META or CERTIFICATO in request.META):
            logger.warning(
                "Intestazioni CNS da un indirizzo non fidato, ignorate",
                extra={"indirizzo": request.META.get("REMOTE_ADDR", "")},
            )
        raise Rifiuto(
            "Accesso con CNS non disponibile da questo indirizzo",
            "L'accesso con la Carta Nazionale dei Servizi funziona solo dall'indirizzo del portale dedicato alla CNS, "
            "che chiede al browser il certificato della carta. Torni alla pagina di accesso del portale e scelga "
            "«Entra con CNS».",
        )
    esito = str(request.META.get(ESITO_VERIFICA, "")).strip()
    if esito != "SUCCESS":
        raise _rifiuto_della_verifica(esito)
    certificato = certificato_dal_proxy(request)
    if certificato is None:
        raise Rifiuto(
            "Certificato non leggibile",
            "Il certificato della carta non è arrivato al portale in una forma leggibile. Riprovi; "
            + _CHIEDA_ASSISTENZA,
            status=400,
        )
    adesso = clock.now()
    if certificato.not_valid_after_utc < adesso:
        raise _scaduto()
    if certificato.not_valid_before_utc > adesso:
        raise _non_ancora_valido()
    return certificato


def codice_fiscale_del_certificato(certificato: x509.Certificate) -> str:
    """The holder's codice fiscale, as the CNS certificates write it: the subject's ``serialNumber``
    (``TINIT-<codice fiscale>``, or ``IT:<codice fiscale>`` on older cards) or the common name
    (``<codice fiscale>/<card number>.<hash>``). Every place that holds one must hold the same, valid code;
    otherwise ``Rifiuto``."""
    candidati = [
        _senza_prefisso(str(attributo.value))
        for attributo in certificato.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    ]
    candidati += [
        str(attributo.value).split("/", 1)[0]
        for attributo in certificato.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    ]
    validi: set[str] = set()
    for candidato in candidati:
        codice = normalizza_codice_fiscale(candidato)
        try:
            validate_codice_fiscale(codice)
        except ValidationError:
            continue
        validi.add(codice)
    if len(validi) != 1:
        raise Rifiuto(
            "Codice fiscale non leggibile",
            "Il certificato presentato non riporta un codice fiscale valido, o ne riporta più d'uno: non è un "
            "certificato di autenticazione della Carta Nazionale dei Servizi. " + _CHIEDA_ASSISTENZA,
        )
    return validi.pop()


def _senza_prefisso(valore: str) -> str:
    testo = valore.strip().upper()
    for prefisso in ("TINIT-", "IT:"):
        if testo.startswith(prefisso):
            return testo[len(prefisso) :]
    return testo


def _rifiuto_della_verifica(esito: str) -> Rifiuto:
    """What went wrong in the proxy's verification (``NONE`` or ``FAILED:<OpenSSL's reason>``), in Italian."""
    if esito in ("", "NONE"):
        return Rifiuto(
            "Nessun certificato presentato",
            "Il browser non ha presentato il certificato della carta. Inserisca la CNS nel lettore, verifichi che il "
            "software della carta sia installato e riprovi: quando il browser chiede quale certificato usare, scelga "
            "quello della CNS. " + _CHIEDA_ASSISTENZA,
        )
    motivo = esito.removeprefix("FAILED:").strip()
    if motivo == "certificate has expired":
        return _scaduto()
    if motivo == "certificate is not yet valid":
        return _non_ancora_valido()
    if motivo == "certificate revoked":
        return Rifiuto(
            "Certificato revocato",
            "Il certificato della carta è stato revocato dall'ente che l'ha emessa e non può più essere usato per "
            "accedere. Chieda una nuova carta all'ente che gliel'ha rilasciata oppure acceda con SPID o CIE.",
        )
    if motivo in _NON_RICONOSCIUTO:
        return Rifiuto(
            "Certificato non riconosciuto",
            "Il certificato presentato è emesso da un ente non riconosciuto come emittente della Carta Nazionale dei "
            "Servizi. Verifichi di aver scelto il certificato della CNS quando il browser lo ha chiesto. "
            + _CHIEDA_ASSISTENZA,
        )
    if motivo in _REVOCA_NON_VERIFICABILE:
        logger.error("Liste di revoca CNS non utilizzabili dal proxy", extra={"esito": esito})
        return Rifiuto(
            "Verifica della carta non disponibile",
            "In questo momento il portale non può verificare che il certificato della carta non sia stato revocato. "
            "Riprovi più tardi oppure acceda con SPID o CIE.",
            status=503,
        )
    return Rifiuto(
        "Certificato non valido",
        f"La verifica del certificato della carta non è riuscita ({motivo}). " + _CHIEDA_ASSISTENZA,
    )


def _scaduto() -> Rifiuto:
    return Rifiuto(
        "Certificato scaduto",
        "Il certificato della carta è scaduto. Chieda il rinnovo all'ente che le ha rilasciato la carta oppure "
        "acceda con SPID o CIE.",
    )


def _non_ancora_valido() -> Rifiuto:
    return Rifiuto(
        "Certificato non ancora valido",
        "Il certificato della carta non è ancora valido: verifichi la data e l'ora del computer, oppure riprovi "
        "dalla data di inizio validità indicata sulla carta. " + _CHIEDA_ASSISTENZA,
    )
