"""The pages of the PUE conventions: the Comune's people read their convention, download it and upload it signed;
the competent Director signs for INPS after a fresh authentication; INPS staff browse the registry of their
territory; the Referenti report criticità and the other party handles them. Everything through the client, as the
real roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import pki_demo, selectors, services
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import CAMPO_FIRMA_COMUNE, Convenzione, Criticita, DocumentoConvenzione, FirmaConvenzione
from tests.factories import UserFactory, accesso_forte, codice_fiscale_valido, personale_inps

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Stato = Convenzione.Stato
SINDACO = pki_demo.Persona(codice_fiscale_valido(971), "Giovanni", "Ferraro")


@dataclass
class Scena:
    convenzione: Convenzione
    referente: User  # Referente del Comune di Rende
    operatore: User  # operatore del Comune di Rende
    altro_comune: User  # operatore del Comune di Cosenza
    direttore: User  # Direttore regionale della Calabria (DR-18): signs for Rende
    altro_direttore: User  # Direttore regionale del Lazio
    sede: User  # personale della Sede di Cosenza
    referente_inps: User  # Referente INPS della Direzione regionale Calabria


def persona_del_comune(ruolo: Ruolo, codice_istat: str = "078102") -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=ruolo, organizzazione=Comune.objects.get(codice_istat=codice_istat))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def pki(tmp_path: Path, settings: Any) -> None:
    """The demo PKI in this test's own folder, its CA the only one trusted."""
    settings.CONVENZIONI_PKCS12_CARTELLA = str(tmp_path / "p12")
    settings.CONVENZIONI_RADICI_AGGIUNTIVE = [str(tmp_path / "p12" / pki_demo.CA_CERTIFICATO)]
    settings.FIRME_RADICI_ATTENDIBILI = []
    pki_demo.certificato(SINDACO)


@pytest.fixture
def scena(registro: None, pec_locale: Any, pki: None) -> Scena:
    rende = Comune.objects.select_related("provincia").get(codice_istat="078102")
    referente = persona_del_comune(Ruolo.REFERENTE_COMUNE)
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    pki_demo.certificato(pki_demo.Persona(direttore.codice_fiscale, direttore.nome, direttore.cognome))
    dati = dati_di_esempio(
        rende,
        legale_rappresentante_codice_fiscale=SINDACO.codice_fiscale,
        amministratore_codice_fiscale=codice_fiscale_valido(972),
        referente_comune_codice_fiscale=codice_fiscale_valido(973),
        data_inizio=dt.date(2026, 1, 1),
    )
    convenzione = services.convenzione_crea(chi=referente, comune=rende, dati=dati)
    return Scena(
        convenzione=convenzione,
        referente=referente,
        operatore=persona_del_comune(Ruolo.OPERATORE_COMUNE),
        altro_comune=persona_del_comune(Ruolo.REFERENTE_COMUNE, "078045"),
        direttore=direttore,
        altro_direttore=personale_inps(Ruolo.DIRETTORE, "DR-12"),
        sede=personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"),
        referente_inps=personale_inps(Ruolo.REFERENTE_INPS, "DR-18"),
    )


def firmato_dal_sindaco(convenzione: Convenzione) -> bytes:
    generato = bytes(selectors.documento_generato(convenzione).contenuto)
    return pki_demo.firma_come(generato, SINDACO.codice_fiscale, campo=CAMPO_FIRMA_COMUNE)


def carica(client: Client, convenzione: Convenzione, contenuto: bytes, nome: str = "firmata.pdf") -> Any:
    return client.post(
        reverse("convenzione_firma_comune", args=[convenzione.pk]),
        {"documento_firmato": SimpleUploadedFile(nome, contenuto, content_type="application/pdf")},
    )


def appena_autenticato(client: Client, user: User, *, secondi_fa: float = 10) -> None:
    """A strong authentication (SPID level 2) ``secondi_fa`` seconds ago, as a login or a confirmation records it."""
    accesso_forte(client, secondi_fa=secondi_fa)


def firmata_dal_comune(scena: Scena) -> Convenzione:
    return services.convenzione_firma_comune_carica(
        chi=scena.referente, convenzione_id=scena.convenzione.pk, contenuto=firmato_dal_sindaco(scena.convenzione)
    )


def attiva(scena: Scena) -> Convenzione:
    from inps_portal import clock

    firmata_dal_comune(scena)
    return services.convenzione_firma_inps(
        chi=scena.direttore, convenzione_id=scena.convenzione.pk, autenticato_il=clock.now()
    )


# --- The Comune's people ------------------------------------------------------------------------------------------


def test_the_comunes_people_read_their_convention_with_inps_support(client: Client, scena: Scena) -> None:
    client.force_login(scena.operatore)
    elenco = client.get(reverse("convenzioni_del_mio_comune"))
    assert elenco.status_code == 200
    assert reverse("convenzione", args=[scena.convenzione.pk]) in elenco.content.decode()
    pagina = client.get(reverse("convenzione", args=[scena.convenzione.pk]))
    testo = pagina.content.decode()
    assert pagina.status_code == 200
    assert "Bozza, da firmare per il Comune" in testo
    assert "06 0000 0000" in testo  # INPS's phone support
    assert "Gestione sportelli" in testo  # the information material
    for nome in ("Luca Greco", "Sara Bruno", "Marco Ricci"):  # the Referenti and the Amministratore utenze
        assert nome in testo
    # an operator neither uploads nor signs
    assert reverse("convenzione_firma_comune", args=[scena.convenzione.pk]) not in testo
    assert reverse("convenzione_firma_inps", args=[scena.convenzione.pk]) not in testo


def test_the_current_document_downloads_as_a_private_pdf(client: Client, scena: Scena) -> None:
    client.force_login(scena.operatore)
    risposta = client.get(reverse("convenzione_documento", args=[scena.convenzione.pk]))
    assert risposta.status_code == 200
    assert risposta["Content-Type"] == "application/pdf"
    assert risposta["Cache-Control"] == "no-store"
    assert risposta.content == bytes(selectors.documento_generato(scena.convenzione).contenuto)


def test_the_referente_uploads_the_pdf_signed_by_the_legal_representative(client: Client, scena: Scena) -> None:
    client.force_login(scena.referente)
    pagina = client.get(reverse("convenzione", args=[scena.convenzione.pk])).content.decode()
    assert reverse("convenzione_firma_comune", args=[scena.convenzione.pk]) in pagina
    risposta = carica(client, scena.convenzione, firmato_dal_sindaco(scena.convenzione))
    assert risposta.status_code == 302
    scena.convenzione.refresh_from_db()
    assert scena.convenzione.stato == Stato.FIRMATA_COMUNE
    firma = FirmaConvenzione.objects.get(convenzione=scena.convenzione)
    assert (firma.parte, firma.firmatario_codice_fiscale) == ("comune", SINDACO.codice_fiscale)
    testo = client.get(risposta["Location"]).content.decode()
    for atteso in ("Giovanni Ferraro", firma.sha256, "CA dimostrativa"):
        assert atteso in testo


@pytest.mark.parametrize(
    ("contenuto", "messaggio"),
    [
        (None, "non contiene alcuna firma digitale"),  # the generated PDF, not signed
        (b"testo qualunque, non un PDF", "non è un PDF"),
    ],
)
def test_a_refused_upload_is_a_400_with_the_reason_and_stores_nothing(
    client: Client, scena: Scena, contenuto: bytes | None, messaggio: str
) -> None:
    client.force_login(scena.referente)
    dati = contenuto if contenuto is not None else bytes(selectors.documento_generato(scena.convenzione).contenuto)
    documenti = DocumentoConvenzione.objects.count()
    risposta = carica(client, scena.convenzione, dati)
    assert risposta.status_code == 400
    assert messaggio in risposta.content.decode()
    assert DocumentoConvenzione.objects.count() == documenti
    scena.convenzione.refresh_from_db()
    assert scena.convenzione.stato == Stato.BOZZA


def test_a_file_over_the_limit_is_refused(client: Client, scena: Scena, settings: Any) -> None:
    settings.DOCUMENTI_DIMENSIONE_MASSIMA = 1024 * 1024
    client.force_login(scena.referente)
    risposta = carica(client, scena.convenzione, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10))
    assert risposta.status_code == 400
    assert "dimensione massima" in risposta.content.decode()
    assert not FirmaConvenzione.objects.exists()


def test_an_upload_without_a_file_is_a_400(client: Client, scena: Scena) -> None:
    client.force_login(scena.referente)
    risposta = client.post(reverse("convenzione_firma_comune", args=[scena.convenzione.pk]), {})
    assert risposta.status_code == 400
    assert "Scelga il PDF della convenzione firmato digitalmente." in risposta.content.decode()


def test_an_operator_or_another_comune_cannot_upload(client: Client, scena: Scena) -> None:
    firmato = firmato_dal_sindaco(scena.convenzione)
    for chi in (scena.operatore, scena.altro_comune, scena.altro_direttore):
        client.force_login(chi)
        assert carica(client, scena.convenzione, firmato).status_code == 404
    scena.convenzione.refresh_from_db()
    assert scena.convenzione.stato == Stato.BOZZA
    assert not FirmaConvenzione.objects.exists()


# --- INPS's signature -----------------------------------------------------------------------------------------------


def test_the_director_signs_after_a_fresh_authentication(client: Client, scena: Scena) -> None:
    firmata_dal_comune(scena)
    client.force_login(scena.direttore)
    pagina = client.get(reverse("convenzione", args=[scena.convenzione.pk])).content.decode()
    assert reverse("convenzione_firma_inps", args=[scena.convenzione.pk]) in pagina
    appena_autenticato(client, scena.direttore, secondi_fa=30)
    risposta = client.post(reverse("convenzione_firma_inps", args=[scena.convenzione.pk]))
    assert risposta.status_code == 302
    assert risposta["Location"] == reverse("convenzione", args=[scena.convenzione.pk])
    scena.convenzione.refresh_from_db()
    assert scena.convenzione.stato == Stato.ATTIVA
    assert scena.convenzione.protocollo
    firma = FirmaConvenzione.objects.get(convenzione=scena.convenzione, parte="inps")
    assert firma.firmatario_codice_fiscale == scena.direttore.codice_fiscale


@pytest.mark.parametrize("come", ["nessuna", "scaduta", "password", "spid_livello_1"])
def test_without_a_fresh_strong_authentication_the_director_is_sent_to_confirm_it(
    client: Client, scena: Scena, come: str
) -> None:
    """Only SPID (level 2 or higher), CIE or CNS, less than five minutes old: a password or SPID level 1 is not one."""
    firmata_dal_comune(scena)
    client.force_login(scena.direttore)
    if come == "scaduta":
        appena_autenticato(client, scena.direttore, secondi_fa=6 * 60)
    elif come == "password":
        accesso_forte(client, metodo="password", livello=None)
    elif come == "spid_livello_1":
        accesso_forte(client, metodo="spid", livello=1)
    risposta = client.post(reverse("convenzione_firma_inps", args=[scena.convenzione.pk]))
    assert risposta.status_code == 302
    indietro = urlencode({"next": reverse("convenzione", args=[scena.convenzione.pk])})
    assert risposta["Location"] == f"{reverse('identita_conferma')}?{indietro}"
    conferma = client.get(risposta["Location"])
    assert conferma.status_code == 200
    assert reverse("identita_login", args=["spid"]) in conferma.content.decode()
    scena.convenzione.refresh_from_db()
    assert scena.convenzione.stato == Stato.FIRMATA_COMUNE
    assert not FirmaConvenzione.objects.filter(parte="inps").exists()


@pytest.mark.parametrize(("metodo", "livello"), [("cie", None), ("cns", None), ("spid", 3)])
def test_cie_cns_and_spid_level_3_are_fresh_strong_authentications(
    client: Client, scena: Scena, metodo: str, livello: int | None
) -> None:
    firmata_dal_comune(scena)
    client.force_login(scena.direttore)
    accesso_forte(client, metodo=metodo, livello=livello)
    assert client.post(reverse("convenzione_firma_inps", args=[scena.convenzione.pk])).status_code == 302
    scena.convenzione.refresh_from_db()
    assert scena.convenzione.stato == Stato.ATTIVA


def test_the_session_record_is_read_on_the_portals_clock(client: Client, scena: Scena) -> None:
    """A pinned clock (PORTAL_CLOCK_NOW in a demo): the authentication recorded on the portal's clock counts."""
    from inps_portal import clock

    firmata_dal_comune(scena)
    client.force_login(scena.direttore)
    with clock.frozen(clock.now() + dt.timedelta(days=2)):  # within the certificates' validity
        appena_autenticato(client, scena.direttore, secondi_fa=60)
        assert client.post(reverse("convenzione_firma_inps", args=[scena.convenzione.pk])).status_code == 302
        scena.convenzione.refresh_from_db()
        assert scena.convenzione.stato == Stato.ATTIVA
        assert scena.convenzione.attivata_il == clock.now()


def test_a_director_of_another_region_gets_a_404_and_cannot_sign(client: Client, scena: Scena) -> None:
    firmata_dal_comune(scena)
    client.force_login(scena.altro_direttore)
    appena_autenticato(client, scena.altro_direttore)
    assert client.get(reverse("convenzione", args=[scena.convenzione.pk])).status_code == 404
    assert client.post(reverse("convenzione_firma_inps", args=[scena.convenzione.pk])).status_code == 404
    scena.convenzione.refresh_from_db()
    assert scena.convenzione.stato == Stato.FIRMATA_COMUNE


def test_staff_who_may_see_but_not_sign_get_a_404_on_the_signature(client: Client, scena: Scena) -> None:
    firmata_dal_comune(scena)
    for chi in (scena.sede, scena.referente_inps, scena.referente):
        client.force_login(chi)
        appena_autenticato(client, chi)
        assert client.get(reverse("convenzione", args=[scena.convenzione.pk])).status_code == 200
        assert client.post(reverse("convenzione_firma_inps", args=[scena.convenzione.pk])).status_code == 404
    scena.convenzione.refresh_from_db()
    assert scena.convenzione.stato == Stato.FIRMATA_COMUNE


def test_signing_a_draft_is_refused_with_the_services_message(client: Client, scena: Scena) -> None:
    client.force_login(scena.direttore)
    appena_autenticato(client, scena.direttore)
    risposta = client.post(reverse("convenzione_firma_inps", args=[scena.convenzione.pk]))
    assert risposta.status_code == 400
    assert "la firma INPS si appone dopo quella del Comune" in risposta.content.decode()


def test_both_parties_see_it_active(client: Client, scena: Scena) -> None:
    attiva(scena)
    for chi in (scena.referente, scena.direttore, scena.sede):
        client.force_login(chi)
        testo = client.get(reverse("convenzione", args=[scena.convenzione.pk])).content.decode()
        assert "Attiva (firmata dalle due Parti)" in testo
        assert testo.count("CA dimostrativa") >= 2  # both signatures, with their certificates


# --- The registry ---------------------------------------------------------------------------------------------------


def test_the_registry_shows_the_territory_and_filters_it(client: Client, scena: Scena) -> None:
    client.force_login(scena.sede)
    url = reverse("convenzioni_registro")
    assert [c.pk for c in client.get(url).context["pagina"]] == [scena.convenzione.pk]
    assert [c.pk for c in client.get(url, {"stato": "bozza", "comune": "rend"}).context["pagina"]] == [
        scena.convenzione.pk
    ]
    assert list(client.get(url, {"stato": "attiva"}).context["pagina"]) == []
    assert list(client.get(url, {"scadenza_al": "2027-01-01"}).context["pagina"]) == []
    calabria = str(scena.convenzione.comune.provincia.regione_id)
    assert len(client.get(url, {"regione": calabria, "scadenza_dal": "2028-01-01"}).context["pagina"]) == 1
    assert client.get(url, {"scadenza_dal": "2029-01-01", "scadenza_al": "2028-01-01"}).status_code == 400
    assert client.get(url, {"regione": "abc"}).status_code == 400
    client.force_login(scena.altro_direttore)
    assert list(client.get(url).context["pagina"]) == []


def test_the_registry_is_inpss_only(client: Client, scena: Scena) -> None:
    for chi in (scena.referente, scena.operatore):
        client.force_login(chi)
        assert client.get(reverse("convenzioni_registro")).status_code == 404


def test_the_registry_costs_the_same_queries_whatever_its_size(client: Client, scena: Scena) -> None:
    client.force_login(scena.sede)
    url = reverse("convenzioni_registro")
    with CaptureQueriesContext(connection) as pochi:
        client.get(url)
    base = Convenzione.objects.get(pk=scena.convenzione.pk)
    comuni = Comune.objects.filter(provincia__sigla="CS").exclude(pk=base.comune_id).order_by("pk")[:40]
    for comune in comuni:
        copia = Convenzione.objects.get(pk=base.pk)
        copia.pk, copia.comune, copia.documento, copia.documento_generato = None, comune, None, None
        copia.save()
    with CaptureQueriesContext(connection) as molti:
        risposta = client.get(url)
    assert risposta.context["pagina"].paginator.count == 41
    assert len(risposta.context["pagina"]) == 25
    assert len(molti.captured_queries) == len(pochi.captured_queries)


# --- Criticità --------------------------------------------------------------------------------------------------------


def test_a_referente_reports_a_criticita_and_the_other_party_handles_it(client: Client, scena: Scena) -> None:
    attiva(scena)
    client.force_login(scena.referente)
    segnala = reverse("convenzione_criticita_segnala", args=[scena.convenzione.pk])
    assert client.post(segnala, {"oggetto": "", "descrizione": ""}).status_code == 400
    assert client.post(segnala, {"oggetto": "Webcam", "descrizione": "Non funziona."}).status_code == 302
    criticita = Criticita.objects.get()
    assert (criticita.parte, criticita.stato) == ("comune", Criticita.Stato.APERTA)
    gestisci = reverse("convenzione_criticita_gestisci", args=[criticita.pk])
    # the party that reported it does not handle it; nor does another Comune
    assert client.post(gestisci, {"azione": "prendi"}).status_code == 404
    client.force_login(scena.altro_comune)
    assert client.post(gestisci, {"azione": "prendi"}).status_code == 404
    client.force_login(scena.referente_inps)
    pagina = client.get(reverse("convenzione", args=[scena.convenzione.pk])).content.decode()
    assert gestisci in pagina
    assert client.post(gestisci, {"azione": "prendi", "testo": "Verifichiamo"}).status_code == 302
    assert client.post(gestisci, {"azione": "risolvi", "testo": ""}).status_code == 400
    assert client.post(gestisci, {"azione": "risolvi", "testo": "Sostituita la webcam"}).status_code == 302
    criticita.refresh_from_db()
    assert (criticita.stato, criticita.risoluzione) == (Criticita.Stato.RISOLTA, "Sostituita la webcam")
    client.force_login(scena.referente)
    assert "Sostituita la webcam" in client.get(reverse("convenzione", args=[scena.convenzione.pk])).content.decode()


def test_only_referenti_report_and_only_on_an_active_convention(client: Client, scena: Scena) -> None:
    segnala = reverse("convenzione_criticita_segnala", args=[scena.convenzione.pk])
    client.force_login(scena.referente)
    risposta = client.post(segnala, {"oggetto": "Webcam", "descrizione": "Non funziona."})
    assert risposta.status_code == 400
    assert "convenzioni attive" in risposta.content.decode()
    attiva(scena)
    client.force_login(scena.operatore)
    assert client.post(segnala, {"oggetto": "Webcam", "descrizione": "Non funziona."}).status_code == 404
    assert not Criticita.objects.exists()


# --- Where the pages are reached from ---------------------------------------------------------------------------------


def test_the_areas_lead_to_the_conventions_and_say_what_the_pue_offers(client: Client, scena: Scena) -> None:
    client.force_login(scena.operatore)
    comune = client.get(reverse("area_comune")).content.decode()
    assert reverse("convenzioni_del_mio_comune") in comune
    assert "prenotano per il cittadino un incontro in web meeting" in comune
    assert reverse("convenzioni_del_mio_comune") in client.get(reverse("home")).content.decode()
    client.force_login(scena.sede)
    assert reverse("convenzioni_registro") in client.get(reverse("area_struttura")).content.decode()
    assert reverse("convenzioni_registro") in client.get(reverse("home")).content.decode()


def test_each_reading_of_a_convention_is_logged_without_personal_data(
    client: Client, scena: Scena, caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(scena.altro_comune)
    with caplog.at_level("INFO", logger="convenzioni.views"):
        assert client.get(reverse("convenzione", args=[scena.convenzione.pk])).status_code == 404
    assert not [r for r in caplog.records if r.name == "convenzioni.views"]
    client.force_login(scena.operatore)
    with caplog.at_level("INFO", logger="convenzioni.views"):
        client.get(reverse("convenzione", args=[scena.convenzione.pk]))
        client.get(reverse("convenzione_documento", args=[scena.convenzione.pk]))
    letture = [r for r in caplog.records if r.name == "convenzioni.views"]
    assert [(r.convenzione_id, r.utente_id) for r in letture] == [(scena.convenzione.pk, scena.operatore.pk)] * 2  # type: ignore[attr-defined]
    assert all(SINDACO.codice_fiscale not in r.getMessage() for r in letture)
