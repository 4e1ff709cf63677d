"""Conversion of an online PIN into a dispositivo PIN: the request with its documents, the Sede's decision."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import PIN, Comune, RichiestaConversione, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal.pec.models import MessaggioPEC
from tests.factories import JPEG, PDF, EnteFactory, UserFactory, personale_inps

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def operatore(registro: None) -> tuple[User, Any]:
    user = UserFactory.create(password="!", email="operatore@example.it", nome="Giulia", cognome="Verdi")
    ente = EnteFactory.create(nome="Ente di Rende", comune=Comune.objects.get(codice_istat="078102"))
    PIN.objects.create(
        user=user, codice_hash=make_password("PINONLINE2345678"), tipo=PIN.Tipo.ONLINE, origine=PIN.Origine.PREESISTENTE
    )
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    return user, ente


def _invia(client: Client, ente: Any, modulo: SimpleUploadedFile, documento: SimpleUploadedFile) -> Any:
    return client.post(
        reverse("pin_online"), {"ente": ente.pk, "modulo_firmato": modulo, "documento_identita": documento}
    )


def test_the_request_goes_to_the_sede_competent_for_the_ente(client: Client, operatore: Any) -> None:
    user, ente = operatore
    client.force_login(user)
    risposta = _invia(client, ente, SimpleUploadedFile("modulo.pdf", PDF), SimpleUploadedFile("carta.JPG", JPEG))
    assert risposta.status_code == 302
    richiesta = RichiestaConversione.objects.get()
    assert richiesta.sede.codice == "ST-CS"
    assert richiesta.status == RichiestaConversione.Status.INVIATA
    assert richiesta.modulo_firmato.name.startswith("conversioni/")
    assert "modulo" not in richiesta.modulo_firmato.name  # a random name, not the person's
    pagina = client.get(reverse("pin_online")).content.decode()
    assert "in attesa della Sede territoriale di Cosenza" in pagina
    doppia = _invia(client, ente, SimpleUploadedFile("m.pdf", PDF), SimpleUploadedFile("d.png", PNG))
    assert doppia.status_code == 302
    assert RichiestaConversione.objects.count() == 1


@pytest.mark.parametrize(
    ("modulo", "messaggio"),
    [
        (SimpleUploadedFile("modulo.pdf", b"GIF89a" + b"\x00" * 20), "non è un PDF, un JPEG o un PNG"),
        (SimpleUploadedFile("modulo.pdf", PNG), "non corrisponde al contenuto, che è un PNG"),
        (SimpleUploadedFile("modulo.exe", PDF), "non corrisponde al contenuto, che è un PDF"),
        (SimpleUploadedFile("modulo.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024)), "il massimo è 5,0"),
        (SimpleUploadedFile("modulo.pdf", b""), "vuoto"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(
    client: Client, operatore: Any, modulo: SimpleUploadedFile, messaggio: str
) -> None:
    user, ente = operatore
    client.force_login(user)
    risposta = _invia(client, ente, modulo, SimpleUploadedFile("doc.png", PNG))
    assert risposta.status_code == 400
    assert messaggio in risposta.content.decode()
    assert not RichiestaConversione.objects.exists()


def test_an_ente_of_someone_else_is_refused(client: Client, operatore: Any) -> None:
    user, _ = operatore
    client.force_login(user)
    altrui = EnteFactory.create()
    risposta = _invia(client, altrui, SimpleUploadedFile("m.pdf", PDF), SimpleUploadedFile("d.png", PNG))
    assert risposta.status_code == 400
    assert "Scelga uno degli Enti per cui opera." in risposta.content.decode()


def test_the_sede_approves_and_the_pin_keeps_its_code(client: Client, operatore: Any, pec_locale: Any) -> None:
    user, ente = operatore
    client.force_login(user)
    _invia(client, ente, SimpleUploadedFile("m.pdf", PDF), SimpleUploadedFile("d.png", PNG))
    richiesta = RichiestaConversione.objects.get()
    codice_hash = PIN.objects.get(user=user).codice_hash
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    client.force_login(staff)
    assert client.get(reverse("admin:accounts_richiestaconversione_changelist")).context["cl"].result_count == 1
    documento = client.get(reverse("admin:accounts_richiestaconversione_documento", args=[richiesta.pk, "identita"]))
    assert documento.content == PNG
    assert documento["Content-Type"] == "image/png"
    client.post(reverse("admin:accounts_richiestaconversione_decidi", args=[richiesta.pk]), {"esito": "approva"})
    pin = PIN.objects.get(user=user)
    assert pin.tipo == PIN.Tipo.DISPOSITIVO
    assert pin.codice_hash == codice_hash
    richiesta.refresh_from_db()
    assert richiesta.status == RichiestaConversione.Status.APPROVATA
    assert richiesta.decisa_da == staff
    assert MessaggioPEC.objects.get(modello="conversione_pin").oggetto == "Il suo PIN è ora un PIN dispositivo"


def test_the_sede_rejects_with_a_reason_and_the_person_may_ask_again(
    client: Client, operatore: Any, pec_locale: Any
) -> None:
    user, ente = operatore
    client.force_login(user)
    _invia(client, ente, SimpleUploadedFile("m.pdf", PDF), SimpleUploadedFile("d.png", PNG))
    richiesta = RichiestaConversione.objects.get()
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    url = reverse("admin:accounts_richiestaconversione_decidi", args=[richiesta.pk])
    senza_motivo = client.post(url, {"esito": "respingi", "motivo": ""})
    assert "Indichi il motivo del rifiuto." in senza_motivo.content.decode()
    client.post(url, {"esito": "respingi", "motivo": "Il documento di identità è scaduto."})
    richiesta.refresh_from_db()
    assert richiesta.status == RichiestaConversione.Status.RESPINTA
    assert PIN.objects.get(user=user).tipo == PIN.Tipo.ONLINE
    assert "Il documento di identità è scaduto." in MessaggioPEC.objects.get(modello="conversione_pin").corpo_testo
    client.force_login(user)
    assert "Il documento di identità è scaduto." in client.get(reverse("pin_online")).content.decode()
    assert _invia(client, ente, SimpleUploadedFile("m.pdf", PDF), SimpleUploadedFile("d.png", PNG)).status_code == 302


def test_another_sede_sees_neither_the_request_nor_its_documents(client: Client, operatore: Any) -> None:
    user, ente = operatore
    client.force_login(user)
    _invia(client, ente, SimpleUploadedFile("m.pdf", PDF), SimpleUploadedFile("d.png", PNG))
    richiesta = RichiestaConversione.objects.get()
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CZ"))
    assert client.get(reverse("admin:accounts_richiestaconversione_changelist")).context["cl"].result_count == 0
    for url in (
        reverse("admin:accounts_richiestaconversione_documento", args=[richiesta.pk, "identita"]),
        reverse("admin:accounts_richiestaconversione_decidi", args=[richiesta.pk]),
    ):
        assert client.get(url).status_code == 404
    client.force_login(user)
    assert (
        client.get(reverse("admin:accounts_richiestaconversione_documento", args=[richiesta.pk, "modulo"])).status_code
        == 404
    )


def test_the_printable_form_is_a_pdf_with_the_persons_data(client: Client, operatore: Any, tmp_path: Any) -> None:
    user, _ = operatore
    client.force_login(user)
    risposta = client.get(reverse("modulo_conversione"))
    assert risposta["Content-Type"] == "application/pdf"
    pdf = tmp_path / "modulo.pdf"
    pdf.write_bytes(risposta.content)
    testo = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert user.codice_fiscale in testo
    assert "Verdi Giulia" in testo
    assert "Ente di Rende" in testo
    assert "PIN online" in testo


def test_a_person_with_an_online_pin_and_no_ente_yet_converts_through_the_sede_they_choose(
    client: Client, registro: None, pec_locale: Any
) -> None:
    user = UserFactory.create(password="!", email="senza.ente@example.it")
    PIN.objects.create(
        user=user, codice_hash=make_password("PINONLINE2345678"), tipo=PIN.Tipo.ONLINE, origine=PIN.Origine.PREESISTENTE
    )
    client.force_login(user)
    pagina = client.get(reverse("pin_online")).content.decode()
    assert 'name="sede"' in pagina
    assert 'name="ente"' not in pagina
    senza_sede = client.post(
        reverse("pin_online"),
        {"modulo_firmato": SimpleUploadedFile("m.pdf", PDF), "documento_identita": SimpleUploadedFile("d.png", PNG)},
    )
    assert senza_sede.status_code == 400
    assert "Scelga la sede territoriale." in senza_sede.content.decode()
    from accounts.models import Struttura

    reggio = Struttura.objects.get(codice="ST-RC")
    risposta = client.post(
        reverse("pin_online"),
        {
            "sede": reggio.pk,
            "modulo_firmato": SimpleUploadedFile("m.pdf", PDF),
            "documento_identita": SimpleUploadedFile("d.png", PNG),
        },
    )
    assert risposta.status_code == 302
    richiesta = RichiestaConversione.objects.get(user=user)
    assert (richiesta.ente, richiesta.sede) == (None, reggio)
    staff = personale_inps(Ruolo.PERSONALE_SEDE, "ST-RC")
    client.force_login(staff)
    assert client.get(reverse("admin:accounts_richiestaconversione_change", args=[richiesta.pk])).status_code == 200
    client.post(reverse("admin:accounts_richiestaconversione_decidi", args=[richiesta.pk]), {"esito": "approva"})
    assert PIN.objects.get(user=user).tipo == PIN.Tipo.DISPOSITIVO
