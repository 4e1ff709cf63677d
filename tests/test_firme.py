"""Verification of PAdES and CAdES signatures (``inps_portal.firme``) against a test PKI built once per module."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone
from pyhanko.sign.diff_analysis import ModificationLevel

from inps_portal import clock, firme
from inps_portal.firme import EsitoFirma
from tests import pki

CF = pki.CODICE_FISCALE_MARIO_ROSSI
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


@dataclass(frozen=True)
class Pki:
    ca: pki.Identita
    altra_ca: pki.Identita
    mario: pki.Identita
    anna: pki.Identita
    scaduto: pki.Identita
    estraneo: pki.Identita
    pdf: bytes
    pdf_firmato: bytes


@pytest.fixture(scope="module")
def infra() -> Pki:
    ca = pki.crea_ca()
    altra_ca = pki.crea_ca("Autorità Sconosciuta")
    mario = pki.emetti_firmatario(ca)
    adesso = clock.now()
    pdf = pki.pdf_semplice()
    return Pki(
        ca=ca,
        altra_ca=altra_ca,
        mario=mario,
        anna=pki.emetti_firmatario(ca, nome="Anna", cognome="Bianchi", serial_number="TINIT-BNCNNA85L42C352P"),
        scaduto=pki.emetti_firmatario(
            ca, valido_dal=adesso - dt.timedelta(days=200), valido_al=adesso - dt.timedelta(days=10)
        ),
        estraneo=pki.emetti_firmatario(altra_ca),
        pdf=pdf,
        pdf_firmato=pki.firma_pdf(pdf, mario),
    )


def intervallo_firmato(pdf: bytes) -> tuple[int, int, int, int]:
    trovato = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", pdf)
    assert trovato is not None
    a, b, c, d = (int(x) for x in trovato.groups())
    return a, b, c, d


# --- PAdES -----------------------------------------------------------------------------------------------------------


def test_a_pades_signature_from_a_trusted_ca_is_valid_and_says_who_signed(infra: Pki) -> None:
    esito = firme.verifica_pdf(infra.pdf_firmato, radici=[infra.ca.certificato])

    assert esito.firmato
    assert esito.integra
    assert esito.attendibile
    assert esito.valida_al_momento
    assert esito.valida
    assert esito.problemi == []
    assert esito.firmatario == "Mario Rossi"
    assert esito.codice_fiscale == CF
    assert esito.numero_serie == format(infra.mario.certificato.serial_number, "x")
    assert "CA Qualificata di Prova" in (esito.emittente or "")
    assert f"TINIT-{CF}" in (esito.soggetto or "")
    assert esito.copre_tutto
    assert esito.modifiche == firme.MODIFICHE_NESSUNA
    assert esito.contenuto == infra.pdf_firmato
    assert esito.firmato_il is not None
    assert abs(esito.firmato_il - clock.now()) < dt.timedelta(minutes=10)


def test_without_trusted_roots_a_sound_signature_is_not_attendibile(infra: Pki) -> None:
    esito = firme.verifica_pdf(infra.pdf_firmato, radici=[])

    assert esito.firmato
    assert esito.integra
    assert not esito.attendibile
    assert not esito.valida
    assert esito.problemi == [firme.NESSUNA_RADICE]


@override_settings(FIRME_RADICI_ATTENDIBILI=[])
def test_the_default_setting_trusts_nothing_not_even_the_systems_roots(infra: Pki) -> None:
    esito = firme.verifica_pdf(infra.pdf_firmato)

    assert esito.integra
    assert not esito.attendibile


def test_trusted_roots_are_read_from_the_pem_files_of_the_setting(infra: Pki, tmp_path: Path) -> None:
    # one bundle with two roots, as an export of the AgID list would be
    bundle = tmp_path / "radici.pem"
    bundle.write_bytes(pki.pem(infra.altra_ca.certificato) + pki.pem(infra.ca.certificato))

    with override_settings(FIRME_RADICI_ATTENDIBILI=[str(bundle)]):
        esito = firme.verifica_pdf(infra.pdf_firmato)

    assert esito.attendibile
    assert esito.valida


def test_an_unreadable_root_file_is_a_configuration_error(infra: Pki, tmp_path: Path) -> None:
    with (
        override_settings(FIRME_RADICI_ATTENDIBILI=[str(tmp_path / "manca.pem")]),
        pytest.raises(ImproperlyConfigured, match=r"manca\.pem"),
    ):
        firme.verifica_pdf(infra.pdf_firmato)


def test_a_signature_into_an_existing_empty_field_is_verified(infra: Pki) -> None:
    preparato = pki.aggiungi_campo_firma(infra.pdf, "FirmaComune")
    firmato = pki.firma_pdf(preparato, infra.mario, campo="FirmaComune")

    esito = firme.verifica_pdf(firmato, radici=[infra.ca.certificato])

    assert esito.valida
    assert esito.codice_fiscale == CF


def test_a_page_changed_by_an_update_after_signing_is_flagged(infra: Pki) -> None:
    alterato = pki.modifica_pagina(infra.pdf_firmato, "Convenzione PUE: clausole cambiate")

    esito = firme.verifica_pdf(alterato, radici=[infra.ca.certificato])

    assert esito.firmato
    assert not esito.copre_tutto
    assert firme.MODIFICATO in esito.problemi
    assert esito.modifiche == firme.MODIFICATO
    assert not esito.valida
    # what was really signed is still there to be read
    assert esito.contenuto == infra.pdf_firmato


def test_bytes_changed_inside_the_signed_range_break_integrity(infra: Pki) -> None:
    assert infra.pdf_firmato.count(b"Comune di Rende") == 1
    alterato = infra.pdf_firmato.replace(b"Comune di Rende", b"Comune di Ronde")

    esito = firme.verifica_pdf(alterato, radici=[infra.ca.certificato])

    assert esito.firmato
    assert not esito.integra
    assert not esito.attendibile
    assert firme.NON_INTEGRA in esito.problemi
    assert esito.contenuto is None
    assert not esito.valida


def test_a_signature_from_another_ca_is_not_recognised(infra: Pki) -> None:
    firmato = pki.firma_pdf(infra.pdf, infra.estraneo)

    esito = firme.verifica_pdf(firmato, radici=[infra.ca.certificato])

    assert esito.integra
    assert not esito.attendibile
    assert esito.problemi == [firme.NON_RICONOSCIUTO]
    assert "Autorità Sconosciuta" in (esito.emittente or "")


def test_an_expired_certificate_is_reported_with_its_validity(infra: Pki) -> None:
    firmato = pki.firma_pdf(infra.pdf, infra.scaduto)

    esito = firme.verifica_pdf(firmato, radici=[infra.ca.certificato])

    assert esito.integra
    assert esito.attendibile  # issued by the trusted CA: only time is wrong
    assert not esito.valida_al_momento
    assert not esito.valida
    assert len(esito.problemi) == 1
    assert esito.problemi[0].startswith(firme.CERTIFICATO_SCADUTO)
    scadenza = timezone.localtime(infra.scaduto.certificato.not_valid_after_utc).strftime("%d/%m/%Y")
    assert f"al {scadenza}" in esito.problemi[0]


def test_the_same_certificate_checked_before_it_expired_is_valid(infra: Pki) -> None:
    firmato = pki.firma_pdf(infra.pdf, infra.scaduto)

    with clock.frozen(clock.now() - dt.timedelta(days=30)):
        esito = firme.verifica_pdf(firmato, radici=[infra.ca.certificato])

    assert esito.valida_al_momento
    assert esito.attendibile


def test_an_expired_certificate_forged_under_the_trusted_ca_name_is_not_attendibile(infra: Pki) -> None:
    impostore = pki.crea_ca()  # same name as the trusted CA, another key
    adesso = clock.now()
    falso = pki.emetti_firmatario(
        impostore, valido_dal=adesso - dt.timedelta(days=200), valido_al=adesso - dt.timedelta(days=10)
    )

    esito = firme.verifica_pdf(pki.firma_pdf(infra.pdf, falso), radici=[infra.ca.certificato])

    assert esito.integra
    assert not esito.attendibile
    assert firme.NON_RICONOSCIUTO in esito.problemi


def test_an_authentication_certificate_without_non_repudiation_is_not_fit_to_sign(infra: Pki) -> None:
    cns = pki.emetti_firmatario(infra.ca, non_ripudio=False)

    esito = firme.verifica_pdf(pki.firma_pdf(infra.pdf, cns), radici=[infra.ca.certificato])

    assert esito.integra
    assert not esito.attendibile
    assert esito.problemi == [firme.USO_NON_AMMESSO]


def test_a_second_signature_is_an_accepted_change_and_the_last_one_is_reported(infra: Pki) -> None:
    due_firme = pki.firma_pdf(infra.pdf_firmato, infra.anna, campo="FirmaINPS")

    prima, seconda = firme.firme_pdf(due_firme, radici=[infra.ca.certificato])
    esito = firme.verifica_pdf(due_firme, radici=[infra.ca.certificato])

    assert prima.firmatario == "Mario Rossi"
    assert prima.valida
    assert not prima.copre_tutto
    assert prima.modifiche == firme.MODIFICHE_PER_LIVELLO[ModificationLevel.FORM_FILLING]
    assert prima.contenuto == infra.pdf_firmato
    assert seconda.firmatario == "Anna Bianchi"
    assert seconda.copre_tutto
    assert esito == seconda
    assert esito.codice_fiscale == "BNCNNA85L42C352P"


def test_a_bad_earlier_signature_is_reported_on_the_last_one(infra: Pki) -> None:
    due_firme = pki.firma_pdf(pki.firma_pdf(infra.pdf, infra.estraneo), infra.anna, campo="FirmaINPS")

    esito = firme.verifica_pdf(due_firme, radici=[infra.ca.certificato])

    assert esito.firmatario == "Anna Bianchi"
    assert esito.problemi == [f"Firma di Mario Rossi: {firme.NON_RICONOSCIUTO}"]
    assert not esito.valida


@pytest.mark.parametrize(
    ("serial_number", "atteso"),
    [
        (f"TINIT-{CF}", CF),
        (f"IT:{CF}", CF),
        (CF.lower(), CF),
        ("TINIT-01234567890", "01234567890"),
        ("VATIT-01234567890", None),
        ("12345", None),
        (None, None),
    ],
)
def test_the_codice_fiscale_is_read_from_the_subject_serial_number(
    infra: Pki, serial_number: str | None, atteso: str | None
) -> None:
    firmatario = pki.emetti_firmatario(infra.ca, serial_number=serial_number)

    esito = firme.verifica_p7m(pki.busta_p7m(b"modulo", firmatario), radici=[infra.ca.certificato])

    assert esito.valida
    assert esito.codice_fiscale == atteso


def test_it_also_works_when_called_inside_an_event_loop(infra: Pki) -> None:
    async def dentro_un_ciclo() -> EsitoFirma:
        return firme.verifica_pdf(infra.pdf_firmato, radici=[infra.ca.certificato])

    assert asyncio.run(dentro_un_ciclo()).valida


# --- CAdES (.p7m) ----------------------------------------------------------------------------------------------------


def test_a_p7m_is_verified_and_its_content_returned(infra: Pki) -> None:
    busta = pki.busta_p7m(infra.pdf, infra.mario)

    esito = firme.verifica_p7m(busta, radici=[infra.ca.certificato])

    assert esito.valida
    assert esito.contenuto == infra.pdf
    assert esito.firmatario == "Mario Rossi"
    assert esito.codice_fiscale == CF
    assert esito.numero_serie == format(infra.mario.certificato.serial_number, "x")
    assert esito.copre_tutto
    assert esito.firmato_il is not None


@pytest.mark.parametrize(
    "codifica",
    [
        pytest.param(lambda der: der, id="der"),
        pytest.param(lambda der: base64.encodebytes(der), id="base64"),
        pytest.param(
            lambda der: b"-----BEGIN PKCS7-----\r\n" + base64.encodebytes(der) + b"-----END PKCS7-----\r\n", id="pem"
        ),
    ],
)
def test_a_p7m_is_recognised_in_every_encoding_by_content(infra: Pki, codifica: Callable[[bytes], bytes]) -> None:
    busta = codifica(pki.busta_p7m(b"Modulo allegato 4", infra.mario))

    esito = firme.verifica_documento("modulo.pdf", busta, radici=[infra.ca.certificato])

    assert esito.valida
    assert esito.contenuto == b"Modulo allegato 4"


def test_a_tampered_p7m_is_not_intact_and_gives_no_content(infra: Pki) -> None:
    busta = pki.busta_p7m(b"Richiesta di abilitazione PassWeb", infra.mario)
    assert busta.count(b"PassWeb") == 1

    esito = firme.verifica_p7m(busta.replace(b"PassWeb", b"PassWob"), radici=[infra.ca.certificato])

    assert esito.firmato
    assert not esito.integra
    assert not esito.attendibile
    assert firme.NON_INTEGRA in esito.problemi
    assert esito.contenuto is None


def test_a_p7m_from_another_ca_is_not_recognised(infra: Pki) -> None:
    esito = firme.verifica_p7m(pki.busta_p7m(b"modulo", infra.estraneo), radici=[infra.ca.certificato])

    assert esito.integra
    assert not esito.attendibile
    assert esito.problemi == [firme.NON_RICONOSCIUTO]


def test_a_p7m_with_an_expired_certificate_is_reported(infra: Pki) -> None:
    esito = firme.verifica_p7m(pki.busta_p7m(b"modulo", infra.scaduto), radici=[infra.ca.certificato])

    assert esito.integra
    assert not esito.valida_al_momento
    assert esito.problemi[0].startswith(firme.CERTIFICATO_SCADUTO)


def test_every_signer_of_a_jointly_signed_p7m_is_checked(infra: Pki) -> None:
    congiunta = pki.busta_p7m_congiunta(b"Convenzione", [infra.mario, infra.anna])
    con_estraneo = pki.busta_p7m_congiunta(b"Convenzione", [infra.anna, infra.estraneo])

    esito = firme.verifica_p7m(congiunta, radici=[infra.ca.certificato])
    sospetto = firme.verifica_p7m(con_estraneo, radici=[infra.ca.certificato])

    assert esito.valida
    assert esito.firmatario in {"Mario Rossi", "Anna Bianchi"}  # a SET OF: the envelope's order, not signing order
    assert esito.contenuto == b"Convenzione"
    # whichever signer comes first, the stranger's certificate is reported and the envelope is not valid
    assert len(sospetto.problemi) == 1
    assert sospetto.problemi[0].endswith(firme.NON_RICONOSCIUTO)
    assert not sospetto.valida


def test_a_pdf_inside_a_p7m_is_dispatched_as_an_envelope(infra: Pki) -> None:
    esito = firme.verifica_documento("convenzione.pdf.p7m", pki.busta_p7m(infra.pdf_firmato, infra.mario), radici=[])

    assert esito.firmato
    assert esito.integra
    assert esito.modifiche is None  # an envelope: nothing PDF-specific was checked
    assert esito.contenuto == infra.pdf_firmato


# --- what is not signed ----------------------------------------------------------------------------------------------


def test_a_plain_pdf_is_not_signed(infra: Pki) -> None:
    esito = firme.verifica_documento("scansione.pdf", infra.pdf)

    assert not esito.firmato
    assert not esito.valida
    assert esito.problemi == [firme.PDF_SENZA_FIRME]


def test_a_pdf_with_an_empty_signature_field_is_not_signed(infra: Pki) -> None:
    esito = firme.verifica_documento("convenzione.pdf", pki.aggiungi_campo_firma(infra.pdf, "FirmaComune"))

    assert not esito.firmato
    assert esito.problemi == [firme.PDF_SENZA_FIRME]


@pytest.mark.parametrize("immagine", [JPEG, PNG], ids=["jpeg", "png"])
def test_a_scanned_image_is_not_signed(immagine: bytes) -> None:
    esito = firme.verifica_documento("documento.jpg", immagine)

    assert not esito.firmato
    assert esito.problemi == [firme.NON_FIRMATO]


@pytest.mark.parametrize("dati", [b"", b"Gentile INPS, in allegato il modulo.", b"MII nonsense", b"0\x00"])
def test_anything_else_is_neither_a_signed_pdf_nor_an_envelope(dati: bytes) -> None:
    esito = firme.verifica_documento("allegato.bin", dati)

    assert not esito.firmato
    assert esito.problemi == [firme.FORMATO_SCONOSCIUTO]


# --- malformed input never raises ------------------------------------------------------------------------------------


def test_a_broken_signature_dictionary_is_reported_not_raised(infra: Pki) -> None:
    senza_byte_range = infra.pdf_firmato.replace(b"/ByteRange", b"/ByteRangX")
    inizio = infra.pdf_firmato.index(b"/Contents <") + len(b"/Contents <")
    contenuto_guasto = infra.pdf_firmato[:inizio] + b"0000" + infra.pdf_firmato[inizio + 4 :]

    for guasto in (senza_byte_range, contenuto_guasto):
        esito = firme.verifica_pdf(guasto, radici=[infra.ca.certificato])
        assert not esito.firmato
        assert esito.problemi == [firme.FIRMA_ILLEGGIBILE]


def test_truncated_files_never_raise(infra: Pki) -> None:
    busta = pki.busta_p7m(infra.pdf, infra.mario)
    for documento in (infra.pdf_firmato, busta):
        for lunghezza in range(0, len(documento), max(1, len(documento) // 40)):
            esito = firme.verifica_documento("troncato", documento[:lunghezza], radici=[infra.ca.certificato])
            assert isinstance(esito, EsitoFirma)
            assert not esito.valida


def test_random_bytes_never_raise() -> None:
    caso = random.Random(71)  # fixed seed: a failure can be replayed
    prefissi = [
        b"",
        b"%PDF-1.7\n",
        b"\x30\x82\x10\x00",
        b"\x30\x80",
        b"-----BEGIN PKCS7-----\n",
        b"MIAGCSqGSIb3DQEHAqCA",
    ]
    for _ in range(120):
        dati = caso.choice(prefissi) + caso.randbytes(caso.randint(0, 2048))
        esito = firme.verifica_documento("casuale", dati, radici=[])
        assert not esito.firmato


def test_a_single_flipped_byte_in_the_signed_range_is_never_valid(infra: Pki) -> None:
    caso = random.Random(4461)
    documento = infra.pdf_firmato
    _, fine_prima, inizio_seconda, lunghezza_seconda = intervallo_firmato(documento)
    firmati = [*range(fine_prima), *range(inizio_seconda, inizio_seconda + lunghezza_seconda)]
    for posizione in caso.sample(firmati, 40):
        alterato = bytearray(documento)
        alterato[posizione] ^= 1 << caso.randrange(8)
        esito = firme.verifica_documento("alterato.pdf", bytes(alterato), radici=[infra.ca.certificato])
        assert not esito.valida, posizione
