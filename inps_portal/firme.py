"""Verification of the digital signatures Italian public bodies put on documents.

Two formats reach INPS: a PDF with a PAdES signature inside it (the PUE conventions a Comune signs) and a CAdES
envelope, the ``.p7m`` file that wraps any document (the signed modulo an Ente attaches to its PEC). Both are
verified by pyHanko, with revocation checking off (the portal reaches no CRL or OCSP server) and trust limited to the
roots the portal is given: ``FIRME_RADICI_ATTENDIBILI`` (PEM files, e.g. the AgID list of qualified certification
authorities exported to PEM) or the ``radici`` argument. No root configured means nothing is trusted; the operating
system's TLS roots are never used, since a web-server CA says nothing about who may sign for an Ente.

Every function here takes untrusted bytes from outside the portal and never raises on them: whatever is malformed
becomes an ``EsitoFirma`` with ``firmato=False`` and a problem in Italian the back office can read.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from asn1crypto import cms, core, pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESSubIndic
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import SignedDataCerts, extract_certificate_info
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    StandardCMSSignatureStatus,
    async_validate_cms_signature,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.generic_cms import collect_timing_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from inps_portal import clock

logger = logging.getLogger(__name__)

Certificato: TypeAlias = x509.Certificate | asn1_x509.Certificate
"""A trusted root as tests build it (``cryptography``) or as pyHanko reads it (``asn1crypto``)."""

NON_FIRMATO = "Il documento non è firmato digitalmente"
PDF_SENZA_FIRME = "Il PDF non è firmato digitalmente: non contiene alcuna firma"
FORMATO_SCONOSCIUTO = "Il file non è un PDF firmato né una busta .p7m"
PDF_ILLEGGIBILE = "Il file PDF è danneggiato e non può essere letto"
PDF_CIFRATO = "Il PDF è protetto da password: le sue firme non possono essere verificate"
FIRMA_ILLEGGIBILE = "La firma contenuta nel documento è danneggiata e non può essere letta"
BUSTA_ILLEGGIBILE = "La busta .p7m è danneggiata e non può essere letta"
BUSTA_SENZA_FIRMATARI = "La busta .p7m non contiene alcuna firma"
BUSTA_SENZA_CONTENUTO = "La busta .p7m non contiene il documento firmato (firma separata dal documento)"
NON_VERIFICABILE = "Non è stato possibile verificare la firma"
NON_INTEGRA = "La firma non è integra: il documento o la firma sono stati alterati"
NESSUNA_RADICE = (
    "Nessuna autorità di certificazione è configurata come attendibile: "
    "non è possibile stabilire se il certificato del firmatario è riconosciuto"
)
NON_RICONOSCIUTO = "Il certificato del firmatario non è emesso da un'autorità di certificazione riconosciuta"
REVOCATO = "Il certificato del firmatario è stato revocato"
USO_NON_AMMESSO = "Il certificato del firmatario non è abilitato alla firma digitale"
ALGORITMO_DEBOLE = "La firma usa un algoritmo crittografico non più ammesso"
CERTIFICATO_SCADUTO = "Il certificato del firmatario era scaduto al momento della verifica"
CERTIFICATO_NON_ANCORA_VALIDO = "Il certificato del firmatario non era ancora valido al momento della verifica"
MODIFICATO = "Il documento è stato modificato dopo la firma"
COPERTURA_PARZIALE = "La firma non copre l'intero documento"

MODIFICHE_NESSUNA = "Nessuna: la firma copre l'intero file"
MODIFICHE_PER_LIVELLO = {
    ModificationLevel.NONE: "Nessuna modifica dopo la firma",
    ModificationLevel.LTA_UPDATES: "Dopo la firma sono stati aggiunti solo dati di validazione (marche temporali)",
    ModificationLevel.FORM_FILLING: "Dopo la firma sono state aggiunte altre firme o compilati campi del modulo",
    ModificationLevel.ANNOTATIONS: "Dopo la firma sono state aggiunte annotazioni o altre firme",
}

_SCADENZA = {AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.EXPIRED, AdESIndeterminate.NOT_YET_VALID}
_REVOCA = {AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}
_ALGORITMO = {AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE, AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE}

# The codice fiscale as qualified certificates carry it in the subject serialNumber: ETSI EN 319 412-1 writes it
# "TINIT-<codice>"; certificates issued before that standard wrote "IT:<codice>" or the bare code. Eleven digits is
# the numeric codice fiscale of a legal person.
_CODICE_FISCALE = re.compile(
    r"(?:TINIT-|IT:)?([A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]|[0-9]{11})"
)
_BASE64 = re.compile(rb"[A-Za-z0-9+/=\s]+")

_T = TypeVar("_T")


@dataclass(frozen=True)
class EsitoFirma:
    """What the verification of one signature found. ``valida`` is the one-line verdict; the other fields say why,
    for the people who decide on the document."""

    firmato: bool
    integra: bool = False
    """The signature covers the bytes and their digest matches: nothing was altered since signing."""
    attendibile: bool = False
    """The signer's certificate chains to one of the trusted roots (and is not revoked or unfit for signing)."""
    valida_al_momento: bool = False
    """The certificate was within its validity period at the trusted signing time, or now if there is none."""
    firmatario: str | None = None
    codice_fiscale: str | None = None
    soggetto: str | None = None
    emittente: str | None = None
    numero_serie: str | None = None
    """The certificate's serial number in hexadecimal, as certification authorities publish it."""
    firmato_il: dt.datetime | None = None
    """The time of a trusted timestamp, or else the one the signer declared (not proof of anything)."""
    copre_tutto: bool = False
    """For a PDF, the signature covers the whole file; a ``.p7m`` signs all of its content."""
    modifiche: str | None = None
    """For a PDF, what was appended after the signature, in words."""
    contenuto: bytes | None = field(default=None, repr=False)
    """What was signed, only when the signature is intact: the content of a ``.p7m``, the signed revision of a PDF."""
    problemi: list[str] = field(default_factory=list)

    @property
    def valida(self) -> bool:
        """The signature can be relied upon: signed, intact, trusted, in time, and nothing wrong was found."""
        return self.firmato and self.integra and self.attendibile and self.valida_al_momento and not self.problemi


def verifica_documento(nome_file: str, dati: bytes, radici: Sequence[Certificato] | None = None) -> EsitoFirma:
    """Verify whatever was uploaded or attached, recognised by its content, never by its name (``nome_file`` only
    goes to the log): a PDF, a ``.p7m`` envelope, or a plain scan that is simply not signed."""
    if dati.startswith(b"%PDF-"):
        return verifica_pdf(dati, radici=radici)
    if dati.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return _non_firmato(NON_FIRMATO)
    # The envelope before the looser PDF test: a .pdf.p7m carries "%PDF-" within its first bytes too.
    if _carica_busta(dati) is not None:
        return verifica_p7m(dati, radici=radici)
    if _sembra_pdf(dati):
        return verifica_pdf(dati, radici=radici)
    logger.info("firma: formato non riconosciuto per %s", nome_file)
    return _non_firmato(FORMATO_SCONOSCIUTO)


def verifica_pdf(dati: bytes, *, radici: Sequence[Certificato] | None = None) -> EsitoFirma:
    """Verify a PAdES-signed PDF. With more than one signature (a convention signed by the Comune and then by INPS)
    the result is the last one's, which covers the final document; the problems of the earlier ones are added to its
    ``problemi`` (``firme_pdf`` gives each one)."""
    esiti = firme_pdf(dati, radici=radici)
    ultimo = esiti[-1]
    precedenti = [
        f"Firma di {esito.firmatario or 'firmatario sconosciuto'}: {problema}"
        for esito in esiti[:-1]
        for problema in esito.problemi
    ]
    if not precedenti:
        return ultimo
    return _con_problemi(ultimo, precedenti)


def firme_pdf(dati: bytes, *, radici: Sequence[Certificato] | None = None) -> list[EsitoFirma]:
    """Every signature of a PDF, in signing order; a single ``firmato=False`` result when there is none."""
    trust_roots = _radici(radici)
    if not _sembra_pdf(dati):
        return [_non_firmato(FORMATO_SCONOSCIUTO)]
    try:
        reader = PdfFileReader(BytesIO(dati))
        if reader.encrypted and reader.decrypt("").status == AuthStatus.FAILED:
            return [_non_firmato(PDF_CIFRATO)]
        firme = _firme_incorporate(reader)
    except Exception:  # the contract: untrusted bytes never raise, whatever the parser trips on
        logger.info("firma: PDF illeggibile", exc_info=True)
        return [_non_firmato(PDF_ILLEGGIBILE)]
    if not firme:
        return [_non_firmato(PDF_SENZA_FIRME)]
    return [
        _non_firmato(firma) if isinstance(firma, str) else _al_riparo(_verifica_firma_pdf(firma, dati, trust_roots))
        for firma in firme
    ]


def verifica_p7m(dati: bytes, *, radici: Sequence[Certificato] | None = None) -> EsitoFirma:
    """Verify a CAdES attached envelope (DER, or DER in base64 with or without PEM armour) and return its content.

    With several signers in one envelope (firme congiunte) the result is the first one's in the envelope (a DER SET,
    so not necessarily the first to sign), with the others' problems added. A nested envelope (a ``.p7m`` signed
    again) comes back as ``contenuto``, to be verified in its turn."""
    trust_roots = _radici(radici)
    signed_data = _carica_busta(dati)
    if signed_data is None:
        return _non_firmato(FORMATO_SCONOSCIUTO)
    try:
        signer_infos = list(signed_data["signer_infos"])
        contenuto = signed_data["encap_content_info"]["content"]
        if contenuto is None or isinstance(contenuto, core.Void):
            return _non_firmato(BUSTA_SENZA_CONTENUTO)
        contenuto_bytes = bytes(contenuto)
    except Exception:  # asn1crypto parses lazily: a malformed envelope fails here, on first access
        logger.info("firma: busta p7m illeggibile", exc_info=True)
        return _non_firmato(BUSTA_ILLEGGIBILE)
    if not signer_infos:
        return _non_firmato(BUSTA_SENZA_FIRMATARI)
    esiti = [
        _al_riparo(_verifica_firmatario_p7m(signed_data, signer_info, contenuto_bytes, trust_roots))
        for signer_info in signer_infos
    ]
    altri = [
        f"Firma di {esito.firmatario or 'firmatario sconosciuto'}: {problema}"
        for esito in esiti[1:]
        for problema in esito.problemi
    ]
    return _con_problemi(esiti[0], altri) if altri else esiti[0]


# --- PDF ------------------------------------------------------------------------------------------------------------


def _sembra_pdf(dati: bytes) -> bool:
    # Readers accept the header anywhere in the first kilobyte, after junk some producers put before it.
    return b"%PDF-" in dati[:1024]


def _firme_incorporate(reader: PdfFileReader) -> list[EmbeddedPdfSignature | str]:
    """The filled signature fields (document timestamps left out), each as pyHanko's signature object or, when its
    dictionary cannot be read, as the problem to report, so one broken field does not hide the others."""
    firme: list[EmbeddedPdfSignature | str] = []
    for nome, sig_obj, sig_field in enumerate_sig_fields(reader, filled_status=True):
        try:
            if sig_obj.get_object().get("/Type", "/Sig") != "/Sig":
                continue
            firme.append(EmbeddedPdfSignature(reader, sig_field, nome))
        except Exception:  # a broken signature dictionary is reported, not raised
            logger.info("firma: dizionario di firma illeggibile nel campo %s", nome, exc_info=True)
            firme.append(FIRMA_ILLEGGIBILE)
    # signing order is revision order; broken fields, which have no revision, go first
    firme.sort(key=lambda f: -1 if isinstance(f, str) else f.signed_revision)
    return firme


async def _verifica_firma_pdf(
    firma: EmbeddedPdfSignature, dati: bytes, trust_roots: list[asn1_x509.Certificate]
) -> EsitoFirma:
    try:
        certificato = firma.signer_cert
    except Exception:  # no usable signer certificate in the CMS
        logger.info("firma: certificato del firmatario assente", exc_info=True)
        return _non_firmato(FIRMA_ILLEGGIBILE)
    try:
        status = await async_validate_pdf_signature(firma, _contesto(trust_roots))
    except Exception:  # signature read, but its structure defeats validation
        logger.info("firma: verifica PDF non riuscita", exc_info=True)
        return EsitoFirma(firmato=True, problemi=[NON_VERIFICABILE], **_dati_certificato(certificato))
    esito = _esito(status, trust_roots)
    problemi = list(esito.problemi)
    copre_tutto = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    modifiche = _descrivi_modifiche(status)
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        problemi.append(COPERTURA_PARZIALE)
    elif status.docmdp_ok is False:
        problemi.append(MODIFICATO)
    contenuto = None
    if esito.integra and len(firma.byte_range) == 4:  # /ByteRange: two (offset, length) pairs
        fine = int(firma.byte_range[2]) + int(firma.byte_range[3])
        contenuto = dati[:fine]
    return _sostituisci(esito, copre_tutto=copre_tutto, modifiche=modifiche, contenuto=contenuto, problemi=problemi)


def _descrivi_modifiche(status: PdfSignatureStatus) -> str:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return MODIFICHE_NESSUNA
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return COPERTURA_PARZIALE
    if isinstance(status.diff_result, DiffResult):
        livello = status.diff_result.modification_level
        descrizione = MODIFICHE_PER_LIVELLO.get(livello)
        if descrizione is not None and status.docmdp_ok is not False:
            return descrizione
    if status.diff_result is None:
        return "Dopo la firma il file è stato aggiornato; le modifiche non sono state analizzate"
    return MODIFICATO


# --- CAdES ----------------------------------------------------------------------------------------------------------


def _carica_busta(dati: bytes) -> cms.SignedData | None:
    """The SignedData of a ``.p7m`` in any of the encodings signing tools write, or None if it is not one."""
    der = _der_della_busta(dati)
    if der is None:
        return None
    try:
        content_info = cms.ContentInfo.load(der)
        if content_info["content_type"].native != "signed_data":
            return None
        signed_data = content_info["content"]
        if not isinstance(signed_data, cms.SignedData):
            return None
        signed_data["signer_infos"]  # parses the SignerInfos now, so a truncated envelope fails here
    except Exception:  # noqa: BLE001 - any bytes may arrive here
        return None
    return signed_data


def _der_della_busta(dati: bytes) -> bytes | None:
    if dati[:1] == b"\x30":  # an ASN.1 SEQUENCE: DER (or BER) as it is
        return dati
    testo = dati.strip()
    if testo.startswith(b"-----BEGIN"):
        try:
            _, _, der = pem.unarmor(testo)
        except ValueError:
            return None
        return bytes(der)
    if testo[:1] == b"M" and _BASE64.fullmatch(testo[:4096]):  # base64 of a long SEQUENCE starts "MI"
        try:
            der = base64.b64decode(b"".join(testo.split()), validate=True)
        except (binascii.Error, ValueError):
            return None
        return der if der[:1] == b"\x30" else None
    return None


async def _verifica_firmatario_p7m(
    signed_data: cms.SignedData,
    signer_info: cms.SignerInfo,
    contenuto: bytes,
    trust_roots: list[asn1_x509.Certificate],
) -> EsitoFirma:
    """One signer of the envelope, checked as if alone in it: pyHanko validates SignedData with exactly one
    SignerInfo, and each signer's signature covers only the content and its own signed attributes."""
    try:
        singolo = signed_data.copy()
        singolo["signer_infos"] = cms.SignerInfos([signer_info])
        certificati: SignedDataCerts = extract_certificate_info(singolo)
        certificato = certificati.signer_cert
    except Exception:  # the signer's certificate is missing or unreadable
        logger.info("firma: certificato del firmatario assente nella busta", exc_info=True)
        return _non_firmato(FIRMA_ILLEGGIBILE)
    try:
        contesto = _contesto(trust_roots)
        temporali = await collect_timing_info(signer_info, contesto, raw_digest=_digest_di(contenuto))
        status = await async_validate_cms_signature(
            singolo, status_cls=StandardCMSSignatureStatus, validation_context=contesto, status_kwargs=temporali
        )
    except Exception:  # signature read, but its structure defeats validation
        logger.info("firma: verifica p7m non riuscita", exc_info=True)
        return EsitoFirma(firmato=True, problemi=[NON_VERIFICABILE], **_dati_certificato(certificato))
    esito = _esito(status, trust_roots)
    return _sostituisci(esito, copre_tutto=esito.integra, contenuto=contenuto if esito.integra else None)


def _digest_di(contenuto: bytes) -> Callable[[str], bytes]:
    """The content digest by algorithm name, as pyHanko asks for it to check a content timestamp."""

    def digest(algoritmo: str) -> bytes:
        h = hashes.Hash(get_pyca_cryptography_hash(algoritmo))
        h.update(contenuto)
        return h.finalize()

    return digest


# --- common ---------------------------------------------------------------------------------------------------------


def _esito(status: StandardCMSSignatureStatus, trust_roots: list[asn1_x509.Certificate]) -> EsitoFirma:
    """Translate pyHanko's status into the portal's words."""
    certificato = status.signing_cert
    integra = bool(status.intact and status.valid)
    indicazione: AdESSubIndic | None = status.trust_problem_indic
    problemi: list[str] = []

    timestamp = status.timestamp_validity
    marca_attendibile = timestamp is not None and timestamp.valid and timestamp.intact and timestamp.trusted
    firmato_il = timestamp.timestamp if marca_attendibile and timestamp is not None else status.signer_reported_dt
    # A trusted timestamp proves when the signature existed; without one, only "now" is a fact.
    riferimento = status.validation_time or clock.now()
    if marca_attendibile and firmato_il is not None:
        riferimento = firmato_il
    valida_al_momento = certificato.not_valid_before <= riferimento <= certificato.not_valid_after
    if not marca_attendibile and indicazione in _SCADENZA:
        valida_al_momento = False

    # Trust is judged apart from time, so an expired certificate from a recognised authority reads as such.
    attendibile = (
        integra
        and status.validation_path is not None
        and status.revocation_details is None
        and (indicazione is None or indicazione in _SCADENZA)
    )

    if not integra:
        problemi.append(NON_INTEGRA)
    elif not attendibile:
        if not trust_roots:
            problemi.append(NESSUNA_RADICE)
        elif indicazione in _REVOCA or status.revocation_details is not None:
            problemi.append(REVOCATO)
        elif indicazione == AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE:
            problemi.append(USO_NON_AMMESSO)
        elif indicazione in _ALGORITMO:
            problemi.append(ALGORITMO_DEBOLE)
        else:
            problemi.append(NON_RICONOSCIUTO)
    if not valida_al_momento:
        scaduto = riferimento > certificato.not_valid_after
        problemi.append(CERTIFICATO_SCADUTO if scaduto else CERTIFICATO_NON_ANCORA_VALIDO)
        problemi[-1] += f" (valido dal {_data(certificato.not_valid_before)} al {_data(certificato.not_valid_after)})"

    return EsitoFirma(
        firmato=True,
        integra=integra,
        attendibile=attendibile,
        valida_al_momento=valida_al_momento,
        firmato_il=firmato_il,
        problemi=problemi,
        **_dati_certificato(certificato),
    )


def _dati_certificato(certificato: asn1_x509.Certificate) -> dict[str, Any]:
    """Who signed and who vouched for them, read from the certificate; whatever cannot be read stays None."""
    dati: dict[str, Any] = {}
    try:
        soggetto = certificato.subject.native
        dati["soggetto"] = certificato.subject.human_friendly
        dati["emittente"] = certificato.issuer.human_friendly
        dati["numero_serie"] = format(certificato.serial_number, "x")
        nome = _primo(soggetto.get("common_name"))
        if nome is None:
            parti = [_primo(soggetto.get("given_name")), _primo(soggetto.get("surname"))]
            nome = " ".join(p for p in parti if p) or None
        dati["firmatario"] = nome
        dati["codice_fiscale"] = _codice_fiscale(_primo(soggetto.get("serial_number")))
    except Exception:  # an odd subject must not cost the verdict on the signature
        logger.info("firma: soggetto del certificato illeggibile", exc_info=True)
    return dati


def _primo(valore: object) -> str | None:
    """asn1crypto gives a list when an attribute is repeated in the name."""
    if isinstance(valore, list):
        valore = valore[0] if valore else None
    return str(valore) if valore is not None else None


def _codice_fiscale(serial_number: str | None) -> str | None:
    if serial_number is None:
        return None
    trovato = _CODICE_FISCALE.fullmatch(serial_number.strip().upper())
    return trovato.group(1) if trovato else None


def _contesto(trust_roots: list[asn1_x509.Certificate]) -> ValidationContext:
    # An explicit (possibly empty) list: None would make pyHanko fall back to the operating system's TLS roots.
    return ValidationContext(
        trust_roots=list(trust_roots),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=clock.now(),
    )


def _radici(radici: Sequence[Certificato] | None) -> list[asn1_x509.Certificate]:
    if radici is not None:
        return [_come_asn1(c) for c in radici]
    percorsi = getattr(settings, "FIRME_RADICI_ATTENDIBILI", [])
    return list(_radici_da_file(tuple(str(p) for p in percorsi)))


@functools.cache
def _radici_da_file(percorsi: tuple[str, ...]) -> tuple[asn1_x509.Certificate, ...]:
    """Read once per configuration."""
    return tuple(radice for percorso in percorsi for radice in certificati_da_file(percorso))


def certificati_da_file(percorso: str) -> tuple[asn1_x509.Certificate, ...]:
    """The certificates of a PEM (one or more) or DER file of trusted roots. A root that cannot be read is a
    configuration error, not an untrusted signer: reporting every signature as "not recognised" would hide it."""
    try:
        contenuto = Path(percorso).read_bytes()
        if pem.detect(contenuto):
            radici = [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(contenuto, multiple=True)]
        else:
            radici = [asn1_x509.Certificate.load(contenuto)]
        for radice in radici:
            radice.native  # noqa: B018 - parse now, so a corrupt file fails at load and not at first use
    except (OSError, ValueError) as errore:
        raise ImproperlyConfigured(f"Radice di firma non leggibile: {percorso}: {errore}") from errore
    return tuple(radici)


def _come_asn1(certificato: Certificato) -> asn1_x509.Certificate:
    if isinstance(certificato, asn1_x509.Certificate):
        return certificato
    return asn1_x509.Certificate.load(certificato.public_bytes(Encoding.DER))


def _al_riparo(coroutine: Coroutine[Any, Any, EsitoFirma]) -> EsitoFirma:
    """The last guard of the never-raise contract: the checks above catch what they expect from malformed input;
    anything else found in a signature is logged as a defect and reported as a signature that could not be checked."""
    try:
        return _esegui(coroutine)
    except Exception:
        logger.exception("firma: errore imprevisto nella verifica")
        return EsitoFirma(firmato=True, problemi=[NON_VERIFICABILE])


def _esegui(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run pyHanko's coroutines from synchronous code (views, Celery tasks), also if an event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        ciclo_attivo = False
    else:
        ciclo_attivo = True
    if not ciclo_attivo:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def _non_firmato(problema: str) -> EsitoFirma:
    return EsitoFirma(firmato=False, problemi=[problema])


def _con_problemi(esito: EsitoFirma, altri: list[str]) -> EsitoFirma:
    return _sostituisci(esito, problemi=[*esito.problemi, *altri])


def _sostituisci(esito: EsitoFirma, **campi: Any) -> EsitoFirma:
    return replace(esito, **campi)


def _data(istante: dt.datetime) -> str:
    return timezone.localtime(istante).strftime("%d/%m/%Y")
