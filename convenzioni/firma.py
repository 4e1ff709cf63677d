"""The two signatures of a convention: the check of the PDF the Comune signed, and INPS's signature applied by the
portal for the competent director.

The Comune's upload is accepted only if
  (a) its signature was put on exactly the document the portal generated: the file up to the revision before the
      signature is byte for byte the generated one (same SHA-256), and the signature's revision is the next one;
  (b) the signature is intact and its certificate chains to a trusted root (``inps_portal.firme``, pyHanko);
  (c) the certificate's codice fiscale (subject ``serialNumber`` ``TINIT-<CF>``) is the legal representative's;
  (d) what changed since the generated document is at most form filling (pyHanko's difference analysis from the
      generated revision, so a change slipped into the very revision of the signature is caught too), and the
      signature does not forbid the further signature of INPS (a certification with DocMDP "no changes").
A CAdES ``.p7m`` envelope is refused with its own message: INPS's signature is added to the same PDF, which an
envelope would leave without the Comune's.

INPS's signature is a PAdES signature in the field ``FirmaINPS``, added incrementally by a pluggable signer chosen by
``CONVENZIONI_FIRMA_INPS``: ``pkcs12`` (a PKCS#12 file per person, development and tests) or ``csc`` (a remote
qualified signature service through the Cloud Signature Consortium API, production), or the dotted path of a class
with the same ``firma`` coroutine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import logging
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol, TypeVar

import aiohttp
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from pyhanko.pdf_utils import content, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.signers import csc_signer
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko.stamp.static import StaticStampStyle

from accounts.models import User
from convenzioni.documento import impronta, revisioni, timbro
from convenzioni.errori import FirmaNonRiuscita, FirmaNonValida
from convenzioni.models import CAMPO_FIRMA_COMUNE, CAMPO_FIRMA_INPS
from inps_portal import clock, firme

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

BUSTA_P7M = (
    "Il file caricato è una busta .p7m (firma CAdES): la convenzione va firmata in formato PAdES, cioè con la firma "
    "dentro il PDF, perché il Direttore INPS vi aggiunga poi la propria. Apra il PDF scaricato dal portale con il "
    f"software di firma, scelga la firma PDF (PAdES) nel campo «{CAMPO_FIRMA_COMUNE}» e carichi il PDF firmato."
)
NON_PDF = "Il file caricato non è un PDF: carichi la convenzione in PDF firmata digitalmente (PAdES)."
NON_FIRMATO = (
    "Il PDF caricato non contiene alcuna firma digitale: è la convenzione ancora da firmare. Il legale "
    f"rappresentante del Comune la firmi digitalmente (PAdES) nel campo «{CAMPO_FIRMA_COMUNE}» e la carichi di nuovo."
)
NESSUNA_FIRMA = (
    "Il PDF caricato non contiene alcuna firma digitale e non è la convenzione generata dal portale: scarichi la "
    f"convenzione, la faccia firmare al legale rappresentante nel campo «{CAMPO_FIRMA_COMUNE}» e la carichi."
)
DOCUMENTO_DIVERSO = (
    "Il PDF firmato non è la convenzione generata dal portale: la firma è stata apposta su un documento diverso, "
    "oppure il file è stato modificato o salvato di nuovo prima della firma. Scarichi di nuovo la convenzione dal "
    "portale e la firmi senza modificarla."
)
DOCUMENTO_PRECEDENTE = (
    "Il PDF firmato è una versione precedente della convenzione, generata prima dell'ultima modifica dei dati: "
    "scarichi la versione attuale dal portale e la firmi."
)
FIRMA_NON_INTEGRA = (
    "La firma del documento non è integra: il file è stato alterato dopo la firma (anche un solo byte la invalida). "
    "Carichi il file così come è uscito dal software di firma."
)
ALTRE_FIRME = (
    "Il PDF contiene più di una firma: per il Comune deve firmare solo il legale rappresentante, una volta; la firma "
    "dell'INPS è apposta dal portale."
)
CAMPO_INPS_OCCUPATO = (
    f"La firma è stata apposta nel campo «{CAMPO_FIRMA_INPS}», riservato al Direttore INPS: il legale rappresentante "
    f"firmi nel campo «{CAMPO_FIRMA_COMUNE}»."
)
SENZA_CODICE_FISCALE = (
    "Il certificato di firma non riporta il codice fiscale del titolare (serialNumber «TINIT-...»): non è possibile "
    "verificare che abbia firmato il legale rappresentante del Comune. Usi un certificato di firma qualificata."
)
MODIFICHE_NON_AMMESSE = (
    "Il documento è stato modificato oltre l'apposizione della firma (testo, pagine o altri contenuti cambiati "
    "rispetto alla convenzione generata): non può essere accettato. Firmi la convenzione scaricata dal portale senza "
    "modificarla."
)
CERTIFICAZIONE_BLOCCANTE = (
    "La firma del Comune è una firma di certificazione che non ammette alcuna modifica successiva: il Direttore INPS "
    "non potrebbe più firmare. Firmi di nuovo con una firma ordinaria (di approvazione) o di certificazione che "
    "consente la compilazione dei campi di firma."
)
PDF_ILLEGGIBILE = firme.PDF_ILLEGGIBILE + ": carichi di nuovo il file firmato."


@dataclass(frozen=True)
class FirmaVerificata:
    """Who signed, with which certificate: what the record of a signature keeps."""

    campo: str
    firmatario: str
    codice_fiscale: str
    firmata_il: dt.datetime
    soggetto: str
    emittente: str
    numero_serie: str


# --- The trusted roots --------------------------------------------------------------------------------------------


def radici_attendibili() -> list[asn1_x509.Certificate]:
    """The roots of ``FIRME_RADICI_ATTENDIBILI`` plus those of ``CONVENZIONI_RADICI_AGGIUNTIVE`` that exist now (the
    development CA of ``convenzioni_pki_demo``, which may be created after the settings were read)."""
    percorsi = [str(p) for p in getattr(settings, "FIRME_RADICI_ATTENDIBILI", [])]
    percorsi += [str(p) for p in getattr(settings, "CONVENZIONI_RADICI_AGGIUNTIVE", []) if Path(p).is_file()]
    radici: list[asn1_x509.Certificate] = []
    for percorso in dict.fromkeys(percorsi):
        try:
            versione = Path(percorso).stat().st_mtime_ns
        except OSError as errore:
            raise ImproperlyConfigured(f"Radice di firma non leggibile: {percorso}: {errore}") from errore
        radici.extend(_leggi_radici(percorso, versione))
    return radici


@functools.lru_cache(maxsize=32)
def _leggi_radici(percorso: str, _versione: int) -> tuple[asn1_x509.Certificate, ...]:
    """Read again when the file changes (its modification time is part of the key)."""
    return firme.certificati_da_file(percorso)


# --- The Comune's signature ---------------------------------------------------------------------------------------


def verifica_firma_comune(
    *,
    dati: bytes,
    generato: bytes,
    codice_fiscale_atteso: str,
    nome_atteso: str,
    impronte_precedenti: Sequence[str] = (),
) -> FirmaVerificata:
    """Check the PDF the Comune signed against the generated one; raise ``FirmaNonValida`` with the reason."""
    if not dati.startswith(b"%PDF-"):
        if firme.verifica_p7m(dati, radici=[]).problemi != [firme.FORMATO_SCONOSCIUTO]:
            raise FirmaNonValida(BUSTA_P7M)
        raise FirmaNonValida(NON_PDF)
    base = revisioni(generato) - 1
    reader, firme_pdf = _firme_del_pdf(dati)
    if not firme_pdf:
        raise FirmaNonValida(NON_FIRMATO if dati == generato else NESSUNA_FIRMA)
    if len(firme_pdf) > 1:
        raise FirmaNonValida(ALTRE_FIRME)
    firma = firme_pdf[0]
    esito = firme.firme_pdf(dati, radici=radici_attendibili())[0]
    _controlla_documento(dati, generato, reader, firma, esito, base, impronte_precedenti)
    _controlla_firmatario(esito, codice_fiscale_atteso, nome_atteso)
    # (d) nothing but form filling since the generated document, and room left for INPS's signature
    if firma.docmdp_level == fields.MDPPerm.NO_CHANGES:
        raise FirmaNonValida(CERTIFICAZIONE_BLOCCANTE)
    if not _solo_compilazione(reader, base):
        raise FirmaNonValida(MODIFICHE_NON_AMMESSE)
    return _verificata(firma.field_name, esito)


def _controlla_documento(
    dati: bytes,
    generato: bytes,
    reader: PdfFileReader,
    firma: EmbeddedPdfSignature,
    esito: firme.EsitoFirma,
    base: int,
    impronte_precedenti: Sequence[str],
) -> None:
    """(b) and (a): an intact signature, on exactly the generated document, in the Comune's field."""
    # (b) first the integrity: a file altered after signing is reported as such, wherever the change is
    if not esito.firmato or not esito.integra:
        raise FirmaNonValida(FIRMA_NON_INTEGRA if esito.firmato else _primo(esito.problemi, PDF_ILLEGGIBILE))
    # (a) the signed revision is the generated document plus the signature, nothing before it
    if impronta(dati[: len(generato)]) != impronta(generato) or firma.signed_revision != base + 1:
        prefissi = {impronta(dati[:n]) for n in _lunghezze_revisioni(reader)}
        raise FirmaNonValida(DOCUMENTO_PRECEDENTE if prefissi & set(impronte_precedenti) else DOCUMENTO_DIVERSO)
    if firma.field_name == CAMPO_FIRMA_INPS:
        raise FirmaNonValida(CAMPO_INPS_OCCUPATO)


def _controlla_firmatario(esito: firme.EsitoFirma, codice_fiscale_atteso: str, nome_atteso: str) -> None:
    """(b) trust and time, (c) the legal representative on record."""
    if not esito.valida:
        raise FirmaNonValida("La firma del Comune non è valida: " + "; ".join(esito.problemi) + ".")
    if not esito.codice_fiscale:
        raise FirmaNonValida(SENZA_CODICE_FISCALE)
    if esito.codice_fiscale != codice_fiscale_atteso:
        raise FirmaNonValida(
            f"La convenzione è firmata da {esito.firmatario or 'un firmatario sconosciuto'} (codice fiscale "
            f"{esito.codice_fiscale}), non dal legale rappresentante del Comune indicato nella convenzione, "
            f"{nome_atteso} (codice fiscale {codice_fiscale_atteso}). Se il legale rappresentante è cambiato, "
            "aggiorni prima i dati della convenzione e la firmi di nuovo."
        )


def verifica_firme_finali(
    *, dati: bytes, generato: bytes, codice_fiscale_inps: str, codice_fiscale_comune: str
) -> FirmaVerificata:
    """After INPS's signature: both signatures valid, in their fields, by the expected people, on the generated
    document with nothing but the two signatures added. Returns INPS's signature."""
    base = revisioni(generato) - 1
    reader, firme_pdf = _firme_del_pdf(dati)
    esiti = firme.firme_pdf(dati, radici=radici_attendibili())
    if len(firme_pdf) != 2 or len(esiti) != 2 or impronta(dati[: len(generato)]) != impronta(generato):
        raise FirmaNonRiuscita("Il documento firmato non contiene le due firme attese sulla convenzione generata.")
    invalide = [e for e in esiti if not e.valida]
    if invalide:
        raise FirmaNonRiuscita(
            "La firma apposta non risulta valida: " + "; ".join(p for e in invalide for p in e.problemi) + "."
        )
    esito_comune, esito_inps = esiti
    firma_inps = firme_pdf[1]
    if firma_inps.field_name != CAMPO_FIRMA_INPS or esito_comune.codice_fiscale != codice_fiscale_comune:
        raise FirmaNonRiuscita("Le firme del documento non sono nei campi attesi o non sono delle persone attese.")
    if esito_inps.codice_fiscale != codice_fiscale_inps:
        raise FirmaNonRiuscita(
            f"Il certificato usato per la firma INPS è intestato a {esito_inps.firmatario} (codice fiscale "
            f"{esito_inps.codice_fiscale}), non al Direttore che firma: controlli la configurazione della firma."
        )
    if not _solo_compilazione(reader, base):
        raise FirmaNonRiuscita("Il documento firmato contiene modifiche oltre alle firme.")
    return _verificata(firma_inps.field_name, esito_inps)


def _firme_del_pdf(dati: bytes) -> tuple[PdfFileReader, list[EmbeddedPdfSignature]]:
    try:
        reader = PdfFileReader(BytesIO(dati), strict=False)
        if reader.encrypted:
            raise FirmaNonValida(firme.PDF_CIFRATO + ".")
        trovate = [s for s in reader.embedded_regular_signatures if s.sig_object.get("/Type", "/Sig") == "/Sig"]
    except FirmaNonValida:
        raise
    except Exception as errore:  # untrusted bytes: whatever the parser trips on is a damaged file
        logger.info("convenzione: PDF firmato illeggibile", exc_info=True)
        raise FirmaNonValida(PDF_ILLEGGIBILE) from errore
    return reader, sorted(trovate, key=lambda s: s.signed_revision)


def _lunghezze_revisioni(reader: PdfFileReader) -> list[int]:
    """Where each revision of the file ends (after its ``%%EOF``), to recognise an older generated document."""
    try:
        dati = reader.stream.getvalue()
    except Exception:  # noqa: BLE001 - only a hint for a better message
        return []
    fine, lunghezze = 0, []
    while (posizione := dati.find(b"%%EOF", fine)) != -1:
        fine = posizione + 5
        while fine < len(dati) and dati[fine : fine + 1] in (b"\r", b"\n"):
            fine += 1
        lunghezze.append(fine)
    return lunghezze


def _solo_compilazione(reader: PdfFileReader, base: int) -> bool:
    try:
        risultato = DEFAULT_DIFF_POLICY.review_file(reader, base)
    except Exception:  # the analysis itself failed on a malformed update: not acceptable either
        logger.info("convenzione: analisi delle modifiche non riuscita", exc_info=True)
        return False
    return isinstance(risultato, DiffResult) and risultato.modification_level <= ModificationLevel.FORM_FILLING


def _verificata(campo: str, esito: firme.EsitoFirma) -> FirmaVerificata:
    return FirmaVerificata(
        campo=campo,
        firmatario=esito.firmatario or "",
        codice_fiscale=esito.codice_fiscale or "",
        firmata_il=esito.firmato_il or clock.now(),
        soggetto=esito.soggetto or "",
        emittente=esito.emittente or "",
        numero_serie=esito.numero_serie or "",
    )


def _primo(problemi: Sequence[str], predefinito: str) -> str:
    return f"{problemi[0]}." if problemi else predefinito


# --- INPS's signature ---------------------------------------------------------------------------------------------


class FirmatarioINPS(Protocol):
    """Applies a PAdES signature for one person; ``autorizzazione`` carries what a remote service needs (an OAuth
    token, the OTP of that moment), which the view collects and nothing stores."""

    async def firma(
        self,
        *,
        pdf: bytes,
        persona: User,
        metadati: signers.PdfSignatureMetadata,
        aspetto: StaticStampStyle,
        autorizzazione: Mapping[str, str],
    ) -> bytes: ...


def firma_inps(
    *, pdf: bytes, persona: User, qualifica: str = "", autorizzazione: Mapping[str, str] | None = None
) -> bytes:
    """``pdf`` with INPS's signature for ``persona`` in the field ``FirmaINPS``, as an incremental update; the box
    shows the signer, ``qualifica`` and the time."""
    metadati = signers.PdfSignatureMetadata(
        field_name=CAMPO_FIRMA_INPS,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Sottoscrizione della convenzione PUE per l'INPS",
        location="Italia",
        name=persona.get_full_name(),
    )
    aspetto = aspetto_della_firma(persona, qualifica)
    try:
        return _esegui(
            firmatario().firma(
                pdf=pdf, persona=persona, metadati=metadati, aspetto=aspetto, autorizzazione=autorizzazione or {}
            )
        )
    except (FirmaNonRiuscita, ImproperlyConfigured):
        raise
    except Exception as errore:  # a signer's failure (network, service, key) must reach the person as a refusal
        logger.exception("convenzione: firma INPS non riuscita")
        if _stato_http(errore) in (401, 403):
            raise FirmaNonRiuscita(
                "Il servizio di firma remota non ha accettato l'autorizzazione (accesso scaduto, PIN o codice OTP "
                "errati): ripeta l'accesso al servizio di firma e riprovi."
            ) from errore
        raise FirmaNonRiuscita(
            "La firma digitale non è riuscita per un errore del servizio di firma: riprovi tra qualche minuto; "
            "se il problema continua, lo segnali all'assistenza."
        ) from errore


def _stato_http(errore: BaseException | None) -> int | None:
    """The HTTP status of the remote service's answer, wherever pyHanko wrapped it in the chain of causes."""
    while errore is not None:
        if isinstance(errore, aiohttp.ClientResponseError):
            return errore.status
        errore = errore.__cause__ or errore.__context__
    return None


def firmatario() -> FirmatarioINPS:
    scelta = getattr(settings, "CONVENZIONI_FIRMA_INPS", "csc")
    classe: Any = {"pkcs12": FirmatarioPKCS12, "csc": FirmatarioCSC}.get(scelta) or import_string(scelta)
    return classe()  # type: ignore[no-any-return]


class _PaginaPdf(content.PdfContent):
    """The first page of a PDF in memory, drawn as a form XObject (pyHanko's ``ImportedPdfPage`` reads a file)."""

    def __init__(self, dati: bytes) -> None:
        super().__init__()
        self.dati = dati

    def render(self) -> bytes:
        xobj = self._ensure_writer.import_page_as_xobject(PdfFileReader(BytesIO(self.dati)), page_ix=0)
        self.resources.xobject["/Timbro"] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return b"/Timbro Do"


def aspetto_della_firma(persona: User, qualifica: str) -> StaticStampStyle:
    """What the signature box shows once signed: signer, role and time, drawn from a small PDF with embedded fonts
    (pyHanko's text stamps use a standard font that is not embedded, which PDF/A does not allow)."""
    pdf = timbro(nome=persona.get_full_name(), qualifica=qualifica, quando=clock.now())
    return StaticStampStyle(border_width=0, background=_PaginaPdf(pdf), background_opacity=1.0)


async def _firma_con(
    pdf: bytes, metadati: signers.PdfSignatureMetadata, signer: signers.Signer, aspetto: StaticStampStyle
) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    pdf_signer = signers.PdfSigner(metadati, signer=signer, stamp_style=aspetto)
    uscita = await pdf_signer.async_sign_pdf(writer, existing_fields_only=True)
    return bytes(uscita.getvalue())


class FirmatarioPKCS12:
    """Development and tests: each person's key and certificate in ``<CONVENZIONI_PKCS12_CARTELLA>/<CF>.p12``,
    protected by ``CONVENZIONI_PKCS12_PASSWORD`` (the files ``manage.py convenzioni_pki_demo`` creates)."""

    async def firma(
        self,
        *,
        pdf: bytes,
        persona: User,
        metadati: signers.PdfSignatureMetadata,
        aspetto: StaticStampStyle,
        autorizzazione: Mapping[str, str],
    ) -> bytes:
        percorso = Path(settings.CONVENZIONI_PKCS12_CARTELLA) / f"{persona.codice_fiscale}.p12"
        if not percorso.is_file():
            raise FirmaNonRiuscita(
                f"Per {persona.get_full_name()} non è configurato alcun certificato di firma: il dispositivo di firma "
                "non è disponibile."
            )
        password = str(settings.CONVENZIONI_PKCS12_PASSWORD).encode() or None
        signer = signers.SimpleSigner.load_pkcs12_data(percorso.read_bytes(), other_certs=[], passphrase=password)
        return await _firma_con(pdf, metadati, signer, aspetto)


class FirmatarioCSC:
    """Production: a remote qualified signature through the Cloud Signature Consortium API v1
    (``pyhanko.sign.signers.csc_signer``).

    Settings: ``CONVENZIONI_CSC_URL`` (the service's base URL, before ``/csc/v1``), ``CONVENZIONI_CSC_TIMEOUT``.
    ``autorizzazione`` from the view: ``token`` (the director's OAuth2 access token for the service, obtained when
    they authenticated to it), ``otp`` and/or ``pin`` (the Signature Activation Data the service asks for), and
    optionally ``credenziale`` (the credential ID; by default the first of ``credentials/list``).
    """

    async def firma(
        self,
        *,
        pdf: bytes,
        persona: User,
        metadati: signers.PdfSignatureMetadata,
        aspetto: StaticStampStyle,
        autorizzazione: Mapping[str, str],
    ) -> bytes:
        url = str(getattr(settings, "CONVENZIONI_CSC_URL", "")).rstrip("/")
        if not url:
            raise ImproperlyConfigured("CONVENZIONI_CSC_URL: manca l'indirizzo del servizio di firma remota.")
        if not autorizzazione.get("token"):
            raise FirmaNonRiuscita("Per la firma remota serve prima l'accesso al servizio di firma.")
        timeout = int(getattr(settings, "CONVENZIONI_CSC_TIMEOUT", 30))
        async with aiohttp.ClientSession() as session:
            credenziale = autorizzazione.get("credenziale") or await _prima_credenziale(
                session, url, autorizzazione["token"], timeout
            )
            sessione = csc_signer.CSCServiceSessionInfo(
                service_url=url, credential_id=credenziale, oauth_token=autorizzazione["token"]
            )
            info = await csc_signer.fetch_certs_in_csc_credential(session, sessione, timeout=timeout)
            autorizzatore = _AutorizzazioneCSC(
                sessione,
                info,
                session=session,
                timeout=timeout,
                pin=autorizzazione.get("pin"),
                otp=autorizzazione.get("otp"),
            )
            signer = csc_signer.CSCSigner(session, auth_manager=autorizzatore, sign_timeout=timeout)
            return await _firma_con(pdf, metadati, signer, aspetto)


async def _prima_credenziale(session: aiohttp.ClientSession, url: str, token: str, timeout: int) -> str:
    async with session.post(
        f"{url}/csc/v1/credentials/list",
        headers={"Authorization": f"Bearer {token}"},
        json={"maxResults": 10},
        raise_for_status=True,
        timeout=aiohttp.ClientTimeout(total=timeout),
    ) as risposta:
        dati = await risposta.json()
    credenziali = dati.get("credentialIDs") or []
    if not credenziali:
        raise FirmaNonRiuscita("Il servizio di firma remota non ha alcuna credenziale di firma per questa persona.")
    return str(credenziali[0])


class _AutorizzazioneCSC(csc_signer.CSCAuthorizationManager):
    """``credentials/authorize`` with the PIN and OTP the director typed, the hashes pinned (SCAL2 services need it,
    SCAL1 ones accept it)."""

    def __init__(
        self,
        sessione: csc_signer.CSCServiceSessionInfo,
        info: csc_signer.CSCCredentialInfo,
        *,
        session: aiohttp.ClientSession,
        timeout: int,
        pin: str | None,
        otp: str | None,
    ) -> None:
        super().__init__(sessione, info)
        self.session, self.timeout, self.pin, self.otp = session, timeout, pin, otp

    async def authorize_signature(self, hash_b64s: list[str]) -> csc_signer.CSCAuthorizationInfo:
        richiesta = self.format_csc_auth_request(pin=self.pin, otp=self.otp, hash_b64s=hash_b64s)
        async with self.session.post(
            self.csc_session_info.endpoint_url("credentials/authorize"),
            headers=self.auth_headers,
            json=richiesta,
            raise_for_status=True,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        ) as risposta:
            return self.parse_csc_auth_response(await risposta.json())


def _esegui(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine from synchronous code (a view, a Celery task), also where an event loop is already running
    (then in a thread of its own: pyHanko's signing cannot nest in a running loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()
