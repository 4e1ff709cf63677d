"""The PDF signed by the Comune is accepted only if it is the generated document with the legal representative's
valid signature and nothing else; every other file is refused with an Italian message that says why, and the
convention stays a draft with nothing recorded."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import firma, selectors, services
from convenzioni.errori import FirmaNonValida, NonAutorizzato
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import CAMPO_FIRMA_COMUNE, CAMPO_FIRMA_INPS, Convenzione, VersioneQuadro
from convenzioni.testo import TESTO_QUADRO_2023
from inps_portal import clock, firme
from tests import pki
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
SINDACO = (codice_fiscale_valido(911), "Giovanni", "Ferraro")


@pytest.fixture(scope="module")
def ca() -> pki.Identita:
    return pki.crea_ca()


@pytest.fixture(scope="module")
def sindaco(ca: pki.Identita) -> pki.Identita:
    return pki.emetti_firmatario(ca, nome=SINDACO[1], cognome=SINDACO[2], serial_number=f"TINIT-{SINDACO[0]}")


@pytest.fixture(autouse=True)
def _radici(ca: pki.Identita, tmp_path: Path, settings: Any) -> None:
    radice = tmp_path / "ca.pem"
    radice.write_bytes(pki.pem(ca.certificato))
    settings.FIRME_RADICI_ATTENDIBILI = [str(radice)]


@pytest.fixture
def referente(registro: None) -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=Comune.objects.get(codice_istat="078102"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def bozza(referente: User) -> Convenzione:
    VersioneQuadro.objects.get_or_create(
        numero=1, defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)}
    )
    rende = Comune.objects.select_related("provincia").get(codice_istat="078102")
    dati = dati_di_esempio(
        rende,
        legale_rappresentante_codice_fiscale=SINDACO[0],
        amministratore_codice_fiscale=codice_fiscale_valido(912),
        referente_comune_codice_fiscale=codice_fiscale_valido(913),
        data_inizio=clock.today(),
    )
    return services.convenzione_crea(chi=referente, comune=rende, dati=dati)


@pytest.fixture
def generato(bozza: Convenzione) -> bytes:
    return bytes(selectors.documento_generato(bozza).contenuto)


def carica(bozza: Convenzione, chi: User, contenuto: bytes) -> Convenzione:
    return services.convenzione_firma_comune_carica(chi=chi, convenzione_id=bozza.pk, contenuto=contenuto)


def rifiutato(bozza: Convenzione, chi: User, contenuto: bytes, messaggio: str) -> str:
    with pytest.raises(FirmaNonValida) as errore:
        carica(bozza, chi, contenuto)
    assert messaggio in str(errore.value)
    bozza.refresh_from_db()
    assert bozza.stato == Convenzione.Stato.BOZZA
    assert not bozza.firme.exists()
    assert list(bozza.documenti.values_list("tipo", flat=True)) == ["generato"]
    return str(errore.value)


def test_the_legal_representatives_signature_on_the_generated_document_is_accepted(
    bozza: Convenzione, referente: User, generato: bytes, sindaco: pki.Identita
) -> None:
    convenzione = carica(bozza, referente, pki.firma_pdf(generato, sindaco, campo=CAMPO_FIRMA_COMUNE))
    assert convenzione.stato == Convenzione.Stato.FIRMATA_COMUNE


def test_a_signature_by_a_certificate_of_an_unknown_authority_is_refused(
    bozza: Convenzione, referente: User, generato: bytes
) -> None:
    sconosciuta = pki.crea_ca("CA Sconosciuta")
    falso = pki.emetti_firmatario(sconosciuta, nome=SINDACO[1], cognome=SINDACO[2], serial_number=f"TINIT-{SINDACO[0]}")
    messaggio = rifiutato(
        bozza, referente, pki.firma_pdf(generato, falso, campo=CAMPO_FIRMA_COMUNE), "La firma del Comune non è valida"
    )
    assert firme.NON_RICONOSCIUTO in messaggio


def test_a_signature_by_someone_else_than_the_legal_representative_is_refused(
    bozza: Convenzione, referente: User, generato: bytes, ca: pki.Identita
) -> None:
    segretario = pki.emetti_firmatario(ca, nome="Paolo", cognome="Verdi", serial_number="TINIT-RSSMRA80A01H501U")
    messaggio = rifiutato(
        bozza,
        referente,
        pki.firma_pdf(generato, segretario, campo=CAMPO_FIRMA_COMUNE),
        "non dal legale rappresentante del Comune indicato nella convenzione",
    )
    assert "Paolo Verdi (codice fiscale RSSMRA80A01H501U)" in messaggio
    assert f"Giovanni Ferraro (codice fiscale {SINDACO[0]})" in messaggio


def test_a_certificate_without_a_codice_fiscale_is_refused(
    bozza: Convenzione, referente: User, generato: bytes, ca: pki.Identita
) -> None:
    anonimo = pki.emetti_firmatario(ca, serial_number=None)
    rifiutato(bozza, referente, pki.firma_pdf(generato, anonimo, campo=CAMPO_FIRMA_COMUNE), firma.SENZA_CODICE_FISCALE)


def test_an_expired_certificate_is_refused(
    bozza: Convenzione, referente: User, generato: bytes, ca: pki.Identita
) -> None:
    scaduto = pki.emetti_firmatario(
        ca,
        nome=SINDACO[1],
        cognome=SINDACO[2],
        serial_number=f"TINIT-{SINDACO[0]}",
        valido_dal=clock.now() - dt.timedelta(days=800),
        valido_al=clock.now() - dt.timedelta(days=1),
    )
    messaggio = rifiutato(bozza, referente, pki.firma_pdf(generato, scaduto, campo=CAMPO_FIRMA_COMUNE), "non è valida")
    assert "scaduto" in messaggio


def test_a_signature_on_a_different_document_is_refused(
    bozza: Convenzione, referente: User, sindaco: pki.Identita
) -> None:
    altro = pki.aggiungi_campo_firma(pki.pdf_semplice("Convenzione PUE con il Comune di Rende"), CAMPO_FIRMA_COMUNE)
    rifiutato(bozza, referente, pki.firma_pdf(altro, sindaco, campo=CAMPO_FIRMA_COMUNE), firma.DOCUMENTO_DIVERSO)


def test_a_one_byte_change_invalidates_the_signature_and_the_upload(
    bozza: Convenzione, referente: User, generato: bytes, sindaco: pki.Identita, ca: pki.Identita
) -> None:
    firmato = pki.firma_pdf(generato, sindaco, campo=CAMPO_FIRMA_COMUNE)
    assert firme.firme_pdf(firmato, radici=[ca.certificato])[0].valida
    # one byte of what the portal generated, and one of the signature's own revision (its signing time)
    for posizione in (firmato.index(b"/Producer") + 2, firmato.index(b"/M (D", len(generato)) + 12):
        alterato = bytearray(firmato)
        alterato[posizione] ^= 0x01
        esito = firme.firme_pdf(bytes(alterato), radici=[ca.certificato])[0]
        assert not esito.valida
        assert not esito.integra
        rifiutato(bozza, referente, bytes(alterato), firma.FIRMA_NON_INTEGRA)


def test_a_change_slipped_into_the_revision_of_the_signature_is_refused(
    bozza: Convenzione, referente: User, generato: bytes, sindaco: pki.Identita, ca: pki.Identita
) -> None:
    """The signature itself is valid (it covers the forged page); the difference from the generated document is
    what gives it away."""
    forgiato = pki.firma_pdf(
        pki.modifica_pagina(generato, "Costi a carico dell'INPS"), sindaco, campo=CAMPO_FIRMA_COMUNE
    )
    assert forgiato.startswith(generato)
    assert firme.firme_pdf(forgiato, radici=[ca.certificato])[0].valida
    rifiutato(bozza, referente, forgiato, firma.DOCUMENTO_DIVERSO)


def test_a_change_appended_after_the_signature_is_refused(
    bozza: Convenzione, referente: User, generato: bytes, sindaco: pki.Identita
) -> None:
    firmato = pki.firma_pdf(generato, sindaco, campo=CAMPO_FIRMA_COMUNE)
    messaggio = rifiutato(bozza, referente, pki.modifica_pagina(firmato, "Altro testo"), "modificat")
    assert messaggio in (f"La firma del Comune non è valida: {firme.MODIFICATO}.", firma.MODIFICHE_NON_AMMESSE)


def test_a_certification_that_forbids_any_change_is_refused(
    bozza: Convenzione, referente: User, generato: bytes, sindaco: pki.Identita
) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(generato))
    certificata = signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(
            field_name=CAMPO_FIRMA_COMUNE, certify=True, docmdp_permissions=MDPPerm.NO_CHANGES
        ),
        signer=pki._signer(sindaco),
    ).getvalue()
    rifiutato(bozza, referente, certificata, firma.CERTIFICAZIONE_BLOCCANTE)


def test_the_inps_field_is_not_the_comunes(
    bozza: Convenzione, referente: User, generato: bytes, sindaco: pki.Identita
) -> None:
    rifiutato(bozza, referente, pki.firma_pdf(generato, sindaco, campo=CAMPO_FIRMA_INPS), firma.CAMPO_INPS_OCCUPATO)


def test_two_signatures_from_the_comune_are_refused(
    bozza: Convenzione, referente: User, generato: bytes, sindaco: pki.Identita, ca: pki.Identita
) -> None:
    firmato = pki.firma_pdf(generato, sindaco, campo=CAMPO_FIRMA_COMUNE)
    altro = pki.emetti_firmatario(ca, nome="Paolo", cognome="Verdi", serial_number="TINIT-RSSMRA80A01H501U")
    rifiutato(bozza, referente, pki.firma_pdf(firmato, altro, campo="FirmaSegretario"), firma.ALTRE_FIRME)


def test_the_unsigned_document_a_p7m_envelope_and_other_files_are_refused(
    bozza: Convenzione, referente: User, generato: bytes, sindaco: pki.Identita, settings: Any
) -> None:
    rifiutato(bozza, referente, generato, firma.NON_FIRMATO)
    rifiutato(bozza, referente, pki.busta_p7m(generato, sindaco), firma.BUSTA_P7M)
    rifiutato(bozza, referente, b"\x89PNG\r\n\x1a\n una scansione", firma.NON_PDF)
    rifiutato(bozza, referente, b"%PDF-1.7\n questo non e' un PDF \n%%EOF", "danneggiato")
    settings.DOCUMENTI_DIMENSIONE_MASSIMA = 1024
    rifiutato(bozza, referente, generato, "dimensione massima")


def test_only_the_parties_upload(bozza: Convenzione, generato: bytes, sindaco: pki.Identita) -> None:
    estraneo = personale_inps(Ruolo.DIRETTORE, "DR-08")
    with pytest.raises(NonAutorizzato):
        carica(bozza, estraneo, pki.firma_pdf(generato, sindaco, campo=CAMPO_FIRMA_COMUNE))
    direzione = personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18")  # received by PEC, uploaded by INPS
    assert (
        carica(bozza, direzione, pki.firma_pdf(generato, sindaco, campo=CAMPO_FIRMA_COMUNE)).stato == "firmata_comune"
    )
