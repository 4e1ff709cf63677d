"""The Convenzione quadro as a versioned schema: a version used by a convention never changes (the service refuses,
and so does the database under it), a new version never touches a convention already made, and what a convention
signed keeps (text, documents, signature records) cannot be rewritten either."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import selectors, services
from convenzioni.errori import ConvenzioneNonAmmessa, NonAutorizzato, VersioneInUso
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import CAMPO_FIRMA_COMUNE, Convenzione, DocumentoConvenzione, VersioneQuadro
from convenzioni.testo import SEGNAPOSTI, TESTO_QUADRO_2023, compila, controlla_testo
from inps_portal import clock
from tests import pki
from tests.factories import UserFactory, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
SINDACO = codice_fiscale_valido(921)


@pytest.fixture
def centrale(registro: None) -> User:
    return personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-ORG")


@pytest.fixture
def referente(registro: None) -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=Comune.objects.get(codice_istat="078102"))
    return User.objects.get(pk=user.pk)


def nuova_convenzione(referente: User) -> Convenzione:
    rende = Comune.objects.select_related("provincia").get(codice_istat="078102")
    dati = dati_di_esempio(
        rende,
        legale_rappresentante_codice_fiscale=SINDACO,
        amministratore_codice_fiscale=codice_fiscale_valido(922),
        referente_comune_codice_fiscale=codice_fiscale_valido(923),
        data_inizio=clock.today(),
    )
    return services.convenzione_crea(chi=referente, comune=rende, dati=dati)


def test_a_version_used_by_a_convention_cannot_change(
    versione: VersioneQuadro, referente: User, centrale: User
) -> None:
    # unused, it can still be corrected
    services.versione_modifica(chi=centrale, versione_id=versione.pk, note="Refuso corretto")
    nuova_convenzione(referente)
    with pytest.raises(VersioneInUso, match="non può più essere modificata"):
        services.versione_modifica(chi=centrale, versione_id=versione.pk, testo=TESTO_QUADRO_2023 + "\nArt. 13 - Altro")
    # nor around the service: a raw UPDATE is refused by the database
    with (
        pytest.raises(IntegrityError, match="usata da una convenzione"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE convenzioni_versionequadro SET testo = 'altro' WHERE id = %s", [versione.pk])
    versione.refresh_from_db()
    assert versione.testo == TESTO_QUADRO_2023


def test_a_new_version_leaves_the_conventions_already_made_byte_identical(
    versione: VersioneQuadro, referente: User, centrale: User, tmp_path: Path, settings: Any
) -> None:
    ca = pki.crea_ca()
    (tmp_path / "ca.pem").write_bytes(pki.pem(ca.certificato))
    settings.FIRME_RADICI_ATTENDIBILI = [str(tmp_path / "ca.pem")]
    sindaco = pki.emetti_firmatario(ca, serial_number=f"TINIT-{SINDACO}")
    convenzione = nuova_convenzione(referente)
    generato = bytes(selectors.documento_generato(convenzione).contenuto)
    services.convenzione_firma_comune_carica(
        chi=referente,
        convenzione_id=convenzione.pk,
        contenuto=pki.firma_pdf(generato, sindaco, campo=CAMPO_FIRMA_COMUNE),
    )
    prima = {d.pk: (d.sha256, bytes(d.contenuto)) for d in DocumentoConvenzione.objects.all()}
    testo_prima = Convenzione.objects.get(pk=convenzione.pk).testo

    nuovo_testo = TESTO_QUADRO_2023.replace("Art. 12 - Sottoscrizione", "Art. 12 - Firma digitale")
    seconda = services.versione_crea(chi=centrale, testo=nuovo_testo, valida_dal=clock.today())
    assert seconda.numero == 2
    assert selectors.versione_vigente() == seconda

    convenzione.refresh_from_db()
    assert convenzione.versione_id == versione.pk
    assert convenzione.testo == testo_prima
    assert "Art. 12 - Sottoscrizione" in convenzione.testo
    assert {d.pk: (d.sha256, bytes(d.contenuto)) for d in DocumentoConvenzione.objects.all()} == prima


def test_a_new_convention_takes_the_version_in_force(versione: VersioneQuadro, referente: User, centrale: User) -> None:
    futura = services.versione_crea(
        chi=centrale, testo=TESTO_QUADRO_2023 + "\nNota finale.", valida_dal=clock.today() + dt.timedelta(days=30)
    )
    assert nuova_convenzione(referente).versione == versione
    with clock.frozen(clock.today() + dt.timedelta(days=31)):
        assert selectors.versione_vigente() == futura


def test_the_text_of_a_version_uses_only_known_placeholders(versione: VersioneQuadro, centrale: User) -> None:
    controlla_testo(TESTO_QUADRO_2023)
    compilato = compila(TESTO_QUADRO_2023, dict.fromkeys(SEGNAPOSTI, "x"))
    assert "{" not in compilato
    assert "}" not in compilato
    domani = clock.today() + dt.timedelta(days=1)
    with pytest.raises(ConvenzioneNonAmmessa, match=r"segnaposto che il portale non conosce: \{\{ sindaco \}\}"):
        services.versione_crea(chi=centrale, testo=TESTO_QUADRO_2023 + "{{ sindaco }}", valida_dal=domani)
    with pytest.raises(ConvenzioneNonAmmessa, match="fuori da un segnaposto"):
        services.versione_crea(chi=centrale, testo=TESTO_QUADRO_2023 + "{% load static %}", valida_dal=domani)
    with pytest.raises(ConvenzioneNonAmmessa, match=r"mancano i segnaposto \{\{ data_fine \}\}"):
        services.versione_crea(chi=centrale, testo=TESTO_QUADRO_2023.replace("{{ data_fine }}", ""), valida_dal=domani)
    with pytest.raises(ConvenzioneNonAmmessa, match="Esiste già una versione in vigore dal 01/01/2024"):
        services.versione_crea(chi=centrale, testo=TESTO_QUADRO_2023, valida_dal=dt.date(2024, 1, 1))


def test_only_central_staff_manage_versions(versione: VersioneQuadro) -> None:
    for ruolo, struttura in ((Ruolo.DIRETTORE, "DR-18"), (Ruolo.PERSONALE_SEDE, "ST-CS")):
        with pytest.raises(NonAutorizzato, match="Direzioni centrali"):
            services.versione_crea(
                chi=personale_inps(ruolo, struttura), testo=TESTO_QUADRO_2023, valida_dal=dt.date(2030, 1, 1)
            )


def test_what_a_signed_convention_keeps_is_never_rewritten(versione: VersioneQuadro, referente: User) -> None:
    convenzione = nuova_convenzione(referente)
    documento = convenzione.documento_generato_id
    # documents are only added
    with (
        pytest.raises(IntegrityError, match="non si modificano"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE convenzioni_documentoconvenzione SET sha256 = 'x' WHERE id = %s", [documento])
    # a draft's text can change (it is generated again); once the Comune signed, it cannot
    Convenzione.objects.filter(pk=convenzione.pk).update(testo="bozza riscritta")
    Convenzione.objects.filter(pk=convenzione.pk).update(stato=Convenzione.Stato.FIRMATA_COMUNE)
    with pytest.raises(IntegrityError, match="è firmata"), transaction.atomic():
        Convenzione.objects.filter(pk=convenzione.pk).update(testo="testo cambiato dopo la firma")
    with pytest.raises(IntegrityError, match="è firmata"), transaction.atomic():
        Convenzione.objects.filter(pk=convenzione.pk).update(data_fine=convenzione.data_fine + dt.timedelta(days=365))
    # its state and contacts still move on
    Convenzione.objects.filter(pk=convenzione.pk).update(comune_pec="nuova@pec.comune-rende.example.it")
