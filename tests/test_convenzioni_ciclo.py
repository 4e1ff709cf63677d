"""The life of a PUE convention (Messaggio 4461/2023): prepared from the Convenzione quadro, signed by the Comune's
legal representative (PAdES, uploaded and verified), signed for INPS by the competent Direttore (applied by the
portal, incrementally), active with a protocol number; then ceased, revoked or expired. Who may sign, and when."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.conf import settings as django_settings
from django.db import IntegrityError, connection, transaction

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import selectors, services
from convenzioni.errori import AutenticazioneNonRecente, ConvenzioneNonAmmessa, FirmaNonRiuscita, NonAutorizzato
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import (
    CAMPO_FIRMA_COMUNE,
    Convenzione,
    EventoConvenzione,
    FirmaConvenzione,
    VersioneQuadro,
)
from inps_portal import clock, firme
from inps_portal.pec.models import MessaggioPEC
from tests import pki
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Stato = Convenzione.Stato
OGGI = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _oggi() -> Any:
    with clock.frozen(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def ca(tmp_path: Path, settings: Any) -> pki.Identita:
    """A certification authority trusted by the portal, and a folder for the directors' PKCS#12 files."""
    autorita = pki.crea_ca()
    radice = tmp_path / "ca.pem"
    radice.write_bytes(pki.pem(autorita.certificato))
    settings.FIRME_RADICI_ATTENDIBILI = [str(radice)]
    settings.CONVENZIONI_PKCS12_CARTELLA = str(tmp_path / "p12")
    return autorita


def certificato_di(ca: pki.Identita, persona: User | tuple[str, str, str]) -> pki.Identita:
    cf, nome, cognome = (
        (persona.codice_fiscale, persona.nome, persona.cognome) if isinstance(persona, User) else persona
    )
    return pki.emetti_firmatario(ca, nome=nome, cognome=cognome, serial_number=f"TINIT-{cf}")


def dispositivo_di_firma(identita: pki.Identita, codice_fiscale: str) -> None:
    """The director's key as the development signer finds it: <cartella>/<CF>.p12."""
    cartella = Path(django_settings.CONVENZIONI_PKCS12_CARTELLA)
    cartella.mkdir(parents=True, exist_ok=True)
    password = django_settings.CONVENZIONI_PKCS12_PASSWORD.encode()
    (cartella / f"{codice_fiscale}.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"firma",
            identita.chiave,
            identita.certificato,
            [identita.emittente.certificato],
            BestAvailableEncryption(password),
        )
    )


@pytest.fixture
def rende(registro: None) -> Comune:
    return Comune.objects.select_related("provincia__regione").get(codice_istat="078102")


@pytest.fixture
def direttore(ca: pki.Identita) -> User:
    """The Direttore regionale of Calabria, who signs for Rende, with his signing device."""
    user = personale_inps(Ruolo.DIRETTORE, "DR-18")
    dispositivo_di_firma(certificato_di(ca, user), user.codice_fiscale)
    return user


@pytest.fixture
def referente_comune(rende: Comune) -> User:
    user = UserFactory.create(nome="Sara", cognome="Bruno")
    ruolo_assegna(user=user, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=rende)
    return User.objects.get(pk=user.pk)


SINDACO = (codice_fiscale_valido(901), "Giovanni", "Ferraro")


@pytest.fixture
def sindaco(ca: pki.Identita) -> pki.Identita:
    return certificato_di(ca, SINDACO)


def dati(rende: Comune, inizio: dt.date = OGGI, **campi: Any) -> Any:
    base = dati_di_esempio(
        rende,
        legale_rappresentante_codice_fiscale=SINDACO[0],
        legale_rappresentante_nome=SINDACO[1],
        legale_rappresentante_cognome=SINDACO[2],
        amministratore_codice_fiscale=codice_fiscale_valido(902),
        referente_comune_codice_fiscale=codice_fiscale_valido(903),
        data_inizio=inizio,
    )
    return replace(base, **campi)


@pytest.fixture
def bozza(versione: VersioneQuadro, rende: Comune, referente_comune: User) -> Convenzione:
    return services.convenzione_crea(chi=referente_comune, comune=rende, dati=dati(rende))


def generato(convenzione: Convenzione) -> bytes:
    return bytes(selectors.documento_generato(convenzione).contenuto)


def firmata_dal_comune(convenzione: Convenzione, chi: User, sindaco: pki.Identita) -> Convenzione:
    firmato = pki.firma_pdf(generato(convenzione), sindaco, campo=CAMPO_FIRMA_COMUNE)
    return services.convenzione_firma_comune_carica(
        chi=chi, convenzione_id=convenzione.pk, contenuto=firmato, nome_file="convenzione-firmata.pdf"
    )


def test_the_whole_life_of_a_convention(
    bozza: Convenzione, referente_comune: User, direttore: User, sindaco: pki.Identita, ca: pki.Identita
) -> None:
    # a draft, generated from the version in force, with the Direzione that signs for Rende
    assert bozza.stato == Stato.BOZZA
    assert bozza.direzione.codice == "DR-18"
    assert "il Comune di Rende (CS)" in bozza.testo
    assert "{{" not in bozza.testo
    doc = selectors.documento_generato(bozza)
    assert bytes(doc.contenuto).startswith(b"%PDF-")
    assert (len(doc.sha256), doc.revisioni) == (64, 2)

    # the Comune signs and uploads: verified, recorded, the Direzione told by PEC
    convenzione = firmata_dal_comune(bozza, referente_comune, sindaco)
    assert convenzione.stato == Stato.FIRMATA_COMUNE
    firma_comune = FirmaConvenzione.objects.get(convenzione=convenzione, parte="comune")
    assert (firma_comune.firmatario, firma_comune.firmatario_codice_fiscale) == ("Giovanni Ferraro", SINDACO[0])
    assert firma_comune.campo == CAMPO_FIRMA_COMUNE
    assert "CA Qualificata di Prova" in firma_comune.emittente
    assert MessaggioPEC.objects.filter(modello="convenzione_firmata_comune").count() == 1

    # the competent Direttore signs through the portal, just after authenticating
    convenzione = services.convenzione_firma_inps(
        chi=direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now() - dt.timedelta(minutes=1)
    )
    assert convenzione.stato == Stato.ATTIVA
    assert convenzione.protocollo == "INPS.DR-18.2026.0000001"
    finale = selectors.documento_corrente(convenzione)
    firma_inps = FirmaConvenzione.objects.get(convenzione=convenzione, parte="inps")
    assert firma_inps.firmatario_codice_fiscale == direttore.codice_fiscale
    assert firma_inps.sha256 == finale.sha256 == hashlib.sha256(bytes(finale.contenuto)).hexdigest()
    assert all([firma_inps.soggetto, firma_inps.emittente, firma_inps.numero_serie])

    # two incremental signatures, both valid, on the bytes the portal generated
    contenuto = bytes(finale.contenuto)
    assert contenuto.startswith(generato(convenzione))
    esiti = firme.firme_pdf(contenuto, radici=[ca.certificato])
    assert [e.codice_fiscale for e in esiti] == [SINDACO[0], direttore.codice_fiscale]
    assert all(e.valida for e in esiti), [e.problemi for e in esiti]
    stipulata = MessaggioPEC.objects.get(modello="convenzione_stipulata")
    assert bytes(stipulata.allegati.get().contenuto) == contenuto

    # every step an event, who and why
    assert list(EventoConvenzione.objects.filter(convenzione=convenzione).values_list("da", "a", "chi")) == [
        ("", Stato.BOZZA, referente_comune.pk),
        (Stato.BOZZA, Stato.FIRMATA_COMUNE, referente_comune.pk),
        (Stato.FIRMATA_COMUNE, Stato.ATTIVA, direttore.pk),
    ]
    assert selectors.convenzione_attiva(convenzione.comune) == convenzione

    # the end: past its last day it expires, by the system
    with clock.frozen(convenzione.data_fine + dt.timedelta(days=1)):
        assert services.convenzioni_scadute_chiudi() == 1
        assert services.convenzioni_scadute_chiudi() == 0
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.SCADUTA
    assert EventoConvenzione.objects.filter(convenzione=convenzione, a=Stato.SCADUTA, chi=None).count() == 1


def test_only_the_director_competent_for_the_comune_signs(
    bozza: Convenzione, referente_comune: User, direttore: User, sindaco: pki.Identita, ca: pki.Identita
) -> None:
    convenzione = firmata_dal_comune(bozza, referente_comune, sindaco)
    altri = [
        personale_inps(Ruolo.DIRETTORE, "DR-08"),  # the Direttore regionale of Emilia-Romagna
        personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18"),  # staff of the right Direzione, not director
        personale_inps(Ruolo.REFERENTE_INPS, "DR-18"),
        UserFactory.create(is_staff=True, is_superuser=True),
        referente_comune,
    ]
    for altro in altri:
        dispositivo_di_firma(certificato_di(ca, altro), altro.codice_fiscale)
        with pytest.raises(NonAutorizzato):
            services.convenzione_firma_inps(chi=altro, convenzione_id=convenzione.pk, autenticato_il=clock.now())
    assert not selectors.puo_firmare_per_inps(altri[0], convenzione)
    # nor does the other region's director see it: for the views, a 404
    assert not selectors.convenzioni_visibili(altri[0]).filter(pk=convenzione.pk).exists()
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.FIRMATA_COMUNE
    assert not FirmaConvenzione.objects.filter(parte="inps").exists()
    assert selectors.puo_firmare_per_inps(direttore, convenzione)


def test_inps_signs_only_after_a_fresh_authentication(
    bozza: Convenzione, referente_comune: User, direttore: User, sindaco: pki.Identita
) -> None:
    convenzione = firmata_dal_comune(bozza, referente_comune, sindaco)
    for autenticato_il in (None, clock.now() - dt.timedelta(minutes=6), clock.now() + dt.timedelta(minutes=1)):
        with pytest.raises(AutenticazioneNonRecente, match="confermi la sua identità"):
            services.convenzione_firma_inps(chi=direttore, convenzione_id=convenzione.pk, autenticato_il=autenticato_il)
    services.convenzione_firma_inps(
        chi=direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now() - dt.timedelta(minutes=4)
    )


def test_inps_signs_only_after_the_comune(bozza: Convenzione, direttore: User) -> None:
    with pytest.raises(ConvenzioneNonAmmessa, match="dopo quella del Comune"):
        services.convenzione_firma_inps(chi=direttore, convenzione_id=bozza.pk, autenticato_il=clock.now())


def test_a_director_without_a_signing_device_gets_a_clear_message(
    bozza: Convenzione, referente_comune: User, sindaco: pki.Identita
) -> None:
    convenzione = firmata_dal_comune(bozza, referente_comune, sindaco)
    senza = personale_inps(Ruolo.DIRETTORE, "DR-18")
    with pytest.raises(FirmaNonRiuscita, match="non è configurato alcun certificato di firma"):
        services.convenzione_firma_inps(chi=senza, convenzione_id=convenzione.pk, autenticato_il=clock.now())


def test_a_signing_certificate_of_someone_else_is_not_used_for_the_director(
    bozza: Convenzione, referente_comune: User, sindaco: pki.Identita, ca: pki.Identita
) -> None:
    convenzione = firmata_dal_comune(bozza, referente_comune, sindaco)
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    dispositivo_di_firma(certificato_di(ca, ("RSSMRA80A01H501U", "Mario", "Rossi")), direttore.codice_fiscale)
    with pytest.raises(FirmaNonRiuscita, match="non al Direttore che firma"):
        services.convenzione_firma_inps(chi=direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now())
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.FIRMATA_COMUNE


def test_the_database_holds_one_active_convention_per_comune(
    bozza: Convenzione, referente_comune: User, direttore: User, sindaco: pki.Identita
) -> None:
    convenzione = firmata_dal_comune(bozza, referente_comune, sindaco)
    services.convenzione_firma_inps(chi=direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now())
    seconda = Convenzione.objects.get(pk=convenzione.pk)
    seconda.pk, seconda.protocollo = None, "INPS.DR-18.2026.9999999"
    with pytest.raises(IntegrityError, match="una_convenzione_attiva_per_comune"), transaction.atomic():
        seconda.save(force_insert=True)
    # and one in preparation: a second draft is refused by the service, and by the database under it
    nuova = services.convenzione_crea(chi=referente_comune, comune=convenzione.comune, dati=dati(convenzione.comune))
    with pytest.raises(ConvenzioneNonAmmessa, match="già una convenzione in preparazione"):
        services.convenzione_crea(chi=referente_comune, comune=convenzione.comune, dati=dati(convenzione.comune))
    with (
        pytest.raises(IntegrityError, match="una_convenzione_in_preparazione_per_comune"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE convenzioni_convenzione SET stato = 'bozza' WHERE id = %s", [convenzione.pk])
    assert nuova.stato == Stato.BOZZA


def test_a_renewal_signed_by_both_replaces_the_active_convention(
    bozza: Convenzione, referente_comune: User, direttore: User, sindaco: pki.Identita
) -> None:
    prima = firmata_dal_comune(bozza, referente_comune, sindaco)
    prima = services.convenzione_firma_inps(chi=direttore, convenzione_id=prima.pk, autenticato_il=clock.now())
    rinnovo = services.convenzione_crea(
        chi=referente_comune, comune=prima.comune, dati=dati(prima.comune, inizio=prima.data_fine)
    )
    rinnovo = firmata_dal_comune(rinnovo, referente_comune, sindaco)
    rinnovo = services.convenzione_firma_inps(chi=direttore, convenzione_id=rinnovo.pk, autenticato_il=clock.now())
    prima.refresh_from_db()
    assert (prima.stato, rinnovo.stato) == (Stato.CESSATA, Stato.ATTIVA)
    assert rinnovo.protocollo == "INPS.DR-18.2026.0000002"
    assert "sostituita" in prima.motivo_chiusura


def test_a_draft_is_corrected_and_an_old_download_no_longer_matches(
    bozza: Convenzione, referente_comune: User, sindaco: pki.Identita
) -> None:
    vecchio = generato(bozza)
    corretta = services.convenzione_aggiorna(
        chi=referente_comune, convenzione_id=bozza.pk, dati=dati(bozza.comune, postazione_locale="Sala consiliare")
    )
    assert "Sala consiliare" in corretta.testo
    assert generato(corretta) != vecchio
    firmato_vecchio = pki.firma_pdf(vecchio, sindaco, campo=CAMPO_FIRMA_COMUNE)
    with pytest.raises(ConvenzioneNonAmmessa, match="versione precedente della convenzione"):
        services.convenzione_firma_comune_carica(
            chi=referente_comune, convenzione_id=bozza.pk, contenuto=firmato_vecchio
        )
    firmata_dal_comune(corretta, referente_comune, sindaco)
    with pytest.raises(ConvenzioneNonAmmessa, match="si modifica solo finché è una bozza"):
        services.convenzione_aggiorna(chi=referente_comune, convenzione_id=bozza.pk, dati=dati(bozza.comune))


def test_bad_data_get_an_italian_message(versione: VersioneQuadro, rende: Comune, referente_comune: User) -> None:
    with pytest.raises(ConvenzioneNonAmmessa, match="codice fiscale") as errore:
        services.convenzione_crea(
            chi=referente_comune,
            comune=rende,
            dati=dati(rende, legale_rappresentante_codice_fiscale="RSSMRA80A01H501X"),
        )
    assert "legale_rappresentante_codice_fiscale" in errore.value.errori  # type: ignore[attr-defined]
    with pytest.raises(ConvenzioneNonAmmessa, match="successiva alla decorrenza"):
        services.convenzione_crea(chi=referente_comune, comune=rende, dati=dati(rende, data_fine=OGGI))
    assert not Convenzione.objects.exists()


def test_only_the_parties_prepare_a_convention(versione: VersioneQuadro, rende: Comune) -> None:
    estraneo = personale_inps(Ruolo.DIRETTORE, "DR-08")
    with pytest.raises(NonAutorizzato, match="Non può predisporre"):
        services.convenzione_crea(chi=estraneo, comune=rende, dati=dati(rende))
    direzione = personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18")
    assert services.convenzione_crea(chi=direzione, comune=rende, dati=dati(rende)).stato == Stato.BOZZA


def test_closing_needs_a_reason_and_the_right_person(
    bozza: Convenzione, referente_comune: User, direttore: User, sindaco: pki.Identita
) -> None:
    convenzione = firmata_dal_comune(bozza, referente_comune, sindaco)
    convenzione = services.convenzione_firma_inps(
        chi=direttore, convenzione_id=convenzione.pk, autenticato_il=clock.now()
    )
    with pytest.raises(NonAutorizzato):
        services.convenzione_revoca(chi=referente_comune, convenzione_id=convenzione.pk, motivo="uso improprio")
    with pytest.raises(ConvenzioneNonAmmessa, match="Indichi il motivo"):
        services.convenzione_revoca(chi=direttore, convenzione_id=convenzione.pk, motivo=" ")
    with pytest.raises(ConvenzioneNonAmmessa, match="prima della firma INPS"):
        services.convenzione_annulla(chi=direttore, convenzione_id=convenzione.pk, motivo="errore")
    services.convenzione_revoca(chi=direttore, convenzione_id=convenzione.pk, motivo="Uso improprio dei servizi")
    convenzione.refresh_from_db()
    assert convenzione.stato == Stato.REVOCATA
    assert selectors.convenzione_attiva(convenzione.comune) is None
    chiusura = MessaggioPEC.objects.get(modello="convenzione_chiusa")
    assert "Uso improprio dei servizi" in chiusura.corpo_testo


def test_the_document_names_the_parties_and_has_two_empty_signature_fields(bozza: Convenzione) -> None:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    contenuto = generato(bozza)
    reader = PdfFileReader(BytesIO(contenuto))
    campi = {nome: valore for nome, valore, _ in enumerate_sig_fields(reader)}
    assert campi == {"FirmaComune": None, "FirmaINPS": None}
    assert b"pdfaid:part" in reader.root["/Metadata"].get_object().data  # PDF/A identification (XMP)
    assert firme.firme_pdf(contenuto)[0].problemi == [firme.PDF_SENZA_FIRME]
