"""A small public-key infrastructure for the CNS login tests: the card issuer's certification authority, cardholder
certificates shaped like the Italian CNS ones (valid, expired, from another authority, revoked with a CRL that lists
it) and the TLS certificate of the proxy's CNS server block, written as PEM files that nginx and ``requests`` read.

Keys are EC P-256, generated in milliseconds. Validity periods start from ``clock.now()``, which in these tests is
the wall clock: nginx checks the dates with the real time, not with the portal's clock.

``python -m tests.cns_pki <folder>`` writes the same files for trying the CNS server block by hand (docker compose):
the server certificate, the authorities and the CRL the template reads, and a cardholder's certificate and key to
give the browser (or ``curl --cert``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from inps_portal import clock
from tests.pki import Identita, crea_ca

CODICE_FISCALE_MARCO_RICCI = "RCCMRC75E05H235F"


@dataclass(frozen=True)
class Chiavi:
    """A private key with its certificate, as PEM files."""

    chiave: ec.EllipticCurvePrivateKey
    certificato: x509.Certificate
    file_certificato: Path
    file_chiave: Path

    @property
    def per_requests(self) -> tuple[str, str]:
        """The pair ``requests`` takes as ``cert=``."""
        return str(self.file_certificato), str(self.file_chiave)


@dataclass(frozen=True)
class PKICNS:
    """Everything the CNS server block and its tests need, in one folder."""

    cartella: Path
    radice: Chiavi
    ca: Chiavi
    altra_ca: Chiavi
    server: Chiavi
    revocato: Chiavi
    crl: Path

    @property
    def ca_cns(self) -> Path:
        """The authorities whose cards the portal accepts, root and intermediate (``ssl_client_certificate``)."""
        return self.cartella / "ca-cns.pem"

    @property
    def ca_server(self) -> Path:
        """What a client trusts to reach the proxy (``requests``' ``verify=``)."""
        return self.radice.file_certificato

    def carta(
        self,
        codice_fiscale: str,
        *,
        nome: str = "Marco",
        cognome: str = "Ricci",
        scaduta: bool = False,
        altra_ca: bool = False,
        soggetto: x509.Name | None = None,
    ) -> Chiavi:
        """A cardholder certificate for ``codice_fiscale`` (expired, or issued by the unknown authority, on demand)."""
        emittente = self.altra_ca if altra_ca else self.ca
        adesso = clock.now()
        inizio, fine = (
            (adesso - dt.timedelta(days=800), adesso - dt.timedelta(days=70))
            if scaduta
            else (
                adesso - dt.timedelta(days=1),
                adesso + dt.timedelta(days=365),
            )
        )
        nome_file = f"carta-{codice_fiscale}-{'scaduta' if scaduta else 'valida'}-{'altra' if altra_ca else 'ca'}"
        return _carta(
            self.cartella,
            nome_file,
            emittente,
            soggetto or soggetto_cns(codice_fiscale, nome=nome, cognome=cognome),
            inizio=inizio,
            fine=fine,
        )


def soggetto_cns(codice_fiscale: str, *, nome: str, cognome: str) -> x509.Name:
    """The subject of a CNS certificate: the codice fiscale as ``serialNumber`` (``TINIT-``, ETSI EN 319 412-1) and
    in the common name, followed by the card's number and a hash, as the issuers write it."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Regione Calabria"),
            x509.NameAttribute(NameOID.SURNAME, cognome.upper()),
            x509.NameAttribute(NameOID.GIVEN_NAME, nome.upper()),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"TINIT-{codice_fiscale}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{codice_fiscale}/1234567890123456.abcd="),
        ]
    )


def crea_pki(cartella: Path) -> PKICNS:
    """The authorities, the server certificate and a revoked card with its CRL, written into ``cartella``.

    As with the real issuers, the cards come from an intermediate authority under a root: nginx gets both in
    ``ca-cns.pem`` (a card carries only its own certificate) and a CRL from each in ``crl-cns.pem``, since with
    ``ssl_crl`` OpenSSL checks the revocation of every certificate of the chain."""
    cartella.mkdir(parents=True, exist_ok=True)
    radice = _ca(cartella, "radice", "Radice CNS di Prova")
    ca = _ca(cartella, "ca", "CA CNS di Prova", emittente=radice)
    altra_ca = _ca(cartella, "altra-ca", "CA Sconosciuta")
    (cartella / "ca-cns.pem").write_bytes(_pem(ca.certificato) + _pem(radice.certificato))
    adesso = clock.now()
    server = _firma(
        cartella,
        "server",
        radice,
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]),
        inizio=adesso - dt.timedelta(days=1),
        fine=adesso + dt.timedelta(days=365),
        estensioni=[
            (
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                False,
            ),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        ],
    )
    revocato = _carta(
        cartella,
        "carta-revocata",
        ca,
        soggetto_cns("RSSMRA80A01H501U", nome="Mario", cognome="Rossi"),
        inizio=adesso - dt.timedelta(days=1),
        fine=adesso + dt.timedelta(days=365),
    )
    file_crl = cartella / "crl-cns.pem"
    file_crl.write_bytes(_crl(ca, [revocato.certificato]) + _crl(radice, []))
    return PKICNS(
        cartella=cartella, radice=radice, ca=ca, altra_ca=altra_ca, server=server, revocato=revocato, crl=file_crl
    )


def _crl(emittente: Chiavi, revocati: list[x509.Certificate]) -> bytes:
    adesso = clock.now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(emittente.certificato.subject)
        .last_update(adesso - dt.timedelta(hours=1))
        .next_update(adesso + dt.timedelta(days=7))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(emittente.chiave.public_key()), critical=False
        )
    )
    for certificato in revocati:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificato.serial_number)
            .revocation_date(adesso - dt.timedelta(minutes=30))
            .build()
        )
    return builder.sign(emittente.chiave, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def _ca(cartella: Path, nome_file: str, nome: str, *, emittente: Chiavi | None = None) -> Chiavi:
    """A root authority (self-signed), or an intermediate one under ``emittente`` (``tests.pki.crea_ca``), as files."""
    sopra = Identita(chiave=emittente.chiave, certificato=emittente.certificato) if emittente else None
    ca = crea_ca(nome, emittente=sopra)
    return _scrivi(cartella, nome_file, ca.chiave, ca.certificato)


def _carta(
    cartella: Path, nome_file: str, emittente: Chiavi, soggetto: x509.Name, *, inizio: dt.datetime, fine: dt.datetime
) -> Chiavi:
    return _firma(
        cartella,
        nome_file,
        emittente,
        soggetto,
        inizio=inizio,
        fine=fine,
        estensioni=[(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False)],
    )


def _firma(
    cartella: Path,
    nome_file: str,
    emittente: Chiavi,
    soggetto: x509.Name,
    *,
    inizio: dt.datetime,
    fine: dt.datetime,
    estensioni: list[tuple[x509.ExtensionType, bool]],
) -> Chiavi:
    chiave = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(soggetto)
        .issuer_name(emittente.certificato.subject)
        .public_key(chiave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(inizio)
        .not_valid_after(fine)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(emittente.chiave.public_key()), critical=False
        )
    )
    for estensione, critica in estensioni:
        builder = builder.add_extension(estensione, critical=critica)
    return _scrivi(cartella, nome_file, chiave, builder.sign(emittente.chiave, hashes.SHA256()))


def _scrivi(
    cartella: Path, nome_file: str, chiave: ec.EllipticCurvePrivateKey, certificato: x509.Certificate
) -> Chiavi:
    file_certificato = cartella / f"{nome_file}.pem"
    file_chiave = cartella / f"{nome_file}.key"
    file_certificato.write_bytes(_pem(certificato))
    file_chiave.write_bytes(
        chiave.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    file_chiave.chmod(0o600)
    return Chiavi(chiave=chiave, certificato=certificato, file_certificato=file_certificato, file_chiave=file_chiave)


def _pem(certificato: x509.Certificate) -> bytes:
    return certificato.public_bytes(serialization.Encoding.PEM)


def main(argomenti: list[str]) -> None:
    """Writes a development PKI for the CNS server block into the folder given (default ``var/cns``)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inps_portal.settings.local")
    django.setup()
    cartella = Path(argomenti[0] if argomenti else "var/cns")
    pki = crea_pki(cartella)
    carta = pki.carta(CODICE_FISCALE_MARCO_RICCI)
    print(f"PKI CNS di prova in {cartella}: carta di Marco Ricci in {carta.file_certificato} e {carta.file_chiave}")


if __name__ == "__main__":
    main(sys.argv[1:])
