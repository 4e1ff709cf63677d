"""A small public-key infrastructure for the signature tests: certification authorities, signers' certificates shaped
like the Italian qualified ones, PAdES-signed PDFs and CAdES ``.p7m`` envelopes.

Keys are EC P-256 (generated in milliseconds, where RSA 2048 takes a good fraction of a second), so a test module can
build everything it needs once. Nothing here reads the wall clock: validity periods start from ``clock.now()``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from inps_portal import clock

CODICE_FISCALE_MARIO_ROSSI = "RSSMRA80A01H501U"


@dataclass(frozen=True)
class Identita:
    """A private key with its certificate: a certification authority or a signer."""

    chiave: ec.EllipticCurvePrivateKey
    certificato: x509.Certificate
    emittente: Identita | None = None

    @property
    def catena(self) -> list[x509.Certificate]:
        """The certificate and those of the authorities above it, as a signing tool embeds them."""
        catena = [self.certificato]
        if self.emittente is not None:
            catena.extend(self.emittente.catena)
        return catena


def crea_ca(nome: str = "CA Qualificata di Prova", *, emittente: Identita | None = None) -> Identita:
    """A self-signed root authority, or an intermediate one under ``emittente``; valid from a year ago for ten years."""
    chiave = ec.generate_private_key(ec.SECP256R1())
    soggetto = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Certificatore di Prova S.p.A."),
            x509.NameAttribute(NameOID.COMMON_NAME, nome),
        ]
    )
    adesso = clock.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(soggetto)
        .issuer_name(emittente.certificato.subject if emittente else soggetto)
        .public_key(chiave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(adesso - dt.timedelta(days=365))
        .not_valid_after(adesso + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None if emittente is None else 0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(chiave.public_key()), critical=False)
    )
    if emittente is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(emittente.chiave.public_key()), critical=False
        )
    certificato = builder.sign(emittente.chiave if emittente else chiave, hashes.SHA256())
    return Identita(chiave=chiave, certificato=certificato, emittente=emittente)


def emetti_firmatario(
    ca: Identita,
    *,
    nome: str = "Mario",
    cognome: str = "Rossi",
    serial_number: str | None = f"TINIT-{CODICE_FISCALE_MARIO_ROSSI}",
    valido_dal: dt.datetime | None = None,
    valido_al: dt.datetime | None = None,
    non_ripudio: bool = True,
) -> Identita:
    """A signer's certificate as Italian qualified authorities issue them: CN "Nome Cognome", givenName, surname,
    the codice fiscale in the subject ``serialNumber`` (``TINIT-<codice fiscale>``, ETSI EN 319 412-1), keyUsage
    nonRepudiation and digitalSignature (without ``non_ripudio``: an authentication certificate, like a CNS one).

    By default valid from a month ago for two years; pass ``valido_al`` in the past for an expired one.
    """
    chiave = ec.generate_private_key(ec.SECP256R1())
    attributi = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
        x509.NameAttribute(NameOID.SURNAME, cognome),
        x509.NameAttribute(NameOID.GIVEN_NAME, nome),
    ]
    if serial_number is not None:
        attributi.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    attributi.append(x509.NameAttribute(NameOID.COMMON_NAME, f"{nome} {cognome}"))
    adesso = clock.now()
    ca_chiave_pubblica = ca.chiave.public_key()
    certificato = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributi))
        .issuer_name(ca.certificato.subject)
        .public_key(chiave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valido_dal or adesso - dt.timedelta(days=30))
        .not_valid_after(valido_al or adesso + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=non_ripudio,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_chiave_pubblica), critical=False)
        .sign(ca.chiave, hashes.SHA256())
    )
    return Identita(chiave=chiave, certificato=certificato, emittente=ca)


def pdf_semplice(testo: str = "Convenzione PUE tra INPS e il Comune di Rende") -> bytes:
    """A one-page PDF with ``testo`` in an uncompressed content stream, so a test can find and alter its bytes."""
    writer = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    risorse = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): writer.add_object(font)})}
    )
    contenuto = writer.add_object(generic.StreamObject(stream_data=_testo_in_pagina(testo)))
    writer.insert_page(PageObject(contents=contenuto, media_box=(0, 0, 595, 842), resources=risorse))
    uscita = BytesIO()
    writer.write(uscita)
    return uscita.getvalue()


def aggiungi_campo_firma(pdf: bytes, campo: str) -> bytes:
    """The PDF with an empty signature field, as a convention is prepared before anyone signs it."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=campo))
    uscita = BytesIO()
    writer.write(uscita)
    return uscita.getvalue()


def firma_pdf(pdf: bytes, firmatario: Identita, *, campo: str = "Firma") -> bytes:
    """A PAdES signature appended as an incremental update (into the field ``campo``, created if missing), with the
    signer's chain embedded as signing tools do."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    uscita = signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(field_name=campo, subfilter=fields.SigSeedSubFilter.PADES),
        signer=_signer(firmatario),
    )
    firmato: bytes = uscita.getvalue()
    return firmato


def modifica_pagina(pdf: bytes, testo: str) -> bytes:
    """An incremental update that replaces the first page's content: what a forger appends after the signature."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    pagina_ref = writer.root["/Pages"]["/Kids"][0]
    pagina = pagina_ref.get_object()
    pagina[generic.pdf_name("/Contents")] = writer.add_object(generic.StreamObject(stream_data=_testo_in_pagina(testo)))
    writer.update_container(pagina)
    uscita = BytesIO()
    writer.write(uscita)
    return uscita.getvalue()


def busta_p7m(contenuto: bytes, firmatario: Identita) -> bytes:
    """A CAdES-BES attached envelope (DER), the ``.p7m`` Italian signing tools produce."""
    signer = _signer(firmatario)
    content_info = asyncio.run(signer.async_sign_general_data(contenuto, "sha256", detached=False, use_cades=True))
    return bytes(content_info.dump())


def busta_p7m_congiunta(contenuto: bytes, firmatari: list[Identita]) -> bytes:
    """One envelope signed in parallel by several people (firme congiunte): one SignerInfo each."""
    buste = [cms.ContentInfo.load(busta_p7m(contenuto, firmatario)) for firmatario in firmatari]
    signed_data = buste[0]["content"]
    signer_infos = [si for busta in buste for si in busta["content"]["signer_infos"]]
    certificati = {c.chosen.dump(): c for busta in buste for c in busta["content"]["certificates"]}
    signed_data["signer_infos"] = cms.SignerInfos(signer_infos)
    signed_data["certificates"] = cms.CertificateSet(list(certificati.values()))
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump(force=True))


def pem(certificato: x509.Certificate) -> bytes:
    return certificato.public_bytes(serialization.Encoding.PEM)


def _signer(firmatario: Identita) -> signers.SimpleSigner:
    chiave = asn1_keys.PrivateKeyInfo.load(
        firmatario.chiave.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    catena = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in firmatario.catena]
    return signers.SimpleSigner(
        signing_cert=catena[0],
        signing_key=chiave,
        cert_registry=SimpleCertificateStore.from_certs(catena[1:]),
    )


def _testo_in_pagina(testo: str) -> bytes:
    sicuro = testo.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT /F1 14 Tf 72 770 Td ({sicuro}) Tj ET".encode("latin-1")
