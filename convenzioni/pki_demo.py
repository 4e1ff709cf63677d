"""A demonstration certification authority and signing certificates for the demo people (development only).

``manage.py convenzioni_pki_demo`` writes into ``CONVENZIONI_PKCS12_CARTELLA``: ``ca.pem`` (the root, which the
development settings trust), ``ca-chiave.pem`` (its key, unencrypted: a demo), and one ``<CODICE FISCALE>.p12`` per
person (key and certificate shaped like Italian qualified ones: CN, givenName, surname, ``serialNumber``
``TINIT-<CF>``, keyUsage nonRepudiation), protected by ``CONVENZIONI_PKCS12_PASSWORD``. The P12 of a director is what
``FirmatarioPKCS12`` signs with; the P12 of a Comune's legal representative lets the demo sign as the Comune
(``firma_come``), as the Comune's own signing software would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from inps_portal import clock

CA_CERTIFICATO = "ca.pem"
CA_CHIAVE = "ca-chiave.pem"


@dataclass(frozen=True)
class Persona:
    codice_fiscale: str
    nome: str
    cognome: str


def cartella() -> Path:
    percorso = Path(settings.CONVENZIONI_PKCS12_CARTELLA)
    percorso.mkdir(parents=True, exist_ok=True)
    return percorso


def _password() -> bytes:
    return str(settings.CONVENZIONI_PKCS12_PASSWORD).encode()


def ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The demo CA, created on first use and then read from disk."""
    base = cartella()
    if (base / CA_CERTIFICATO).is_file() and (base / CA_CHIAVE).is_file():
        chiave = serialization.load_pem_private_key((base / CA_CHIAVE).read_bytes(), password=None)
        assert isinstance(chiave, ec.EllipticCurvePrivateKey)
        return chiave, x509.load_pem_x509_certificate((base / CA_CERTIFICATO).read_bytes())
    chiave = ec.generate_private_key(ec.SECP256R1())
    nome = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Portale INPS - ambiente dimostrativo"),
            x509.NameAttribute(NameOID.COMMON_NAME, "CA dimostrativa delle convenzioni PUE (non qualificata)"),
        ]
    )
    adesso = clock.now()
    certificato = (
        x509.CertificateBuilder()
        .subject_name(nome)
        .issuer_name(nome)
        .public_key(chiave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(adesso - dt.timedelta(days=3650))
        .not_valid_after(adesso + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_uso(firma=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(chiave.public_key()), critical=False)
        .sign(chiave, hashes.SHA256())
    )
    (base / CA_CHIAVE).write_bytes(
        chiave.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (base / CA_CHIAVE).chmod(0o600)
    (base / CA_CERTIFICATO).write_bytes(certificato.public_bytes(serialization.Encoding.PEM))
    return chiave, certificato


def certificato(persona: Persona, *, rinnova: bool = False) -> Path:
    """The P12 of ``persona`` (created if missing or if ``rinnova``), signed by the demo CA."""
    percorso = cartella() / f"{persona.codice_fiscale}.p12"
    if percorso.is_file() and not rinnova:
        return percorso
    ca_chiave, ca_certificato = ca()
    chiave = ec.generate_private_key(ec.SECP256R1())
    adesso = clock.now()
    soggetto = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.SURNAME, persona.cognome),
            x509.NameAttribute(NameOID.GIVEN_NAME, persona.nome),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"TINIT-{persona.codice_fiscale}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{persona.nome} {persona.cognome}"),
        ]
    )
    emesso = (
        x509.CertificateBuilder()
        .subject_name(soggetto)
        .issuer_name(ca_certificato.subject)
        .public_key(chiave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(adesso - dt.timedelta(days=30))
        .not_valid_after(adesso + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_uso(firma=True), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_chiave.public_key()), critical=False)
        .sign(ca_chiave, hashes.SHA256())
    )
    cifratura = serialization.BestAvailableEncryption(_password()) if _password() else serialization.NoEncryption()
    percorso.write_bytes(
        pkcs12.serialize_key_and_certificates(
            f"{persona.nome} {persona.cognome}".encode(), chiave, emesso, [ca_certificato], cifratura
        )
    )
    percorso.chmod(0o600)
    return percorso


def firma_come(pdf: bytes, codice_fiscale: str, *, campo: str) -> bytes:
    """``pdf`` signed (PAdES, incremental, in ``campo``) with the demo certificate of ``codice_fiscale``: what the
    signing software of a Comune's legal representative produces."""
    dati = (cartella() / f"{codice_fiscale}.p12").read_bytes()
    signer = signers.SimpleSigner.load_pkcs12_data(dati, other_certs=[], passphrase=_password() or None)
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    metadati = signers.PdfSignatureMetadata(field_name=campo, subfilter=fields.SigSeedSubFilter.PADES)
    return bytes(signers.sign_pdf(writer, metadati, signer=signer, existing_fields_only=True).getvalue())


def _uso(*, firma: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=firma,
        content_commitment=firma,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not firma,
        crl_sign=not firma,
        encipher_only=False,
        decipher_only=False,
    )
