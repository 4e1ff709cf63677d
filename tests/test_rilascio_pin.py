"""A new PIN dispositivo "online o presso la sede" (Circolare 71/2016, par. 4) for a person who has no PIN.

Online: the public request with the signed form and an identity document, decided by the Sede the person chose, the
PIN collected with the code shown once at submission. At the counter: the Sede's staff issue it, document checked.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import PIN, AbilitazioneDetenuta, EventoCredenziale, RichiestaPin, Struttura, User
from accounts.roles import Ruolo
from inps_portal.pec.models import MessaggioPEC
from tests.factories import JPEG, PDF, EnteFactory, UserFactory, codice_fiscale_valido, crea_credenziale, personale_inps

pytestmark = pytest.mark.django_db
CODICE_FISCALE = codice_fiscale_valido(901)


def _dati(**altro: Any) -> dict[str, Any]:
    sede = Struttura.objects.get(codice="ST-CS")
    return {
        "codice_fiscale": CODICE_FISCALE.lower(),
        "nome": "Giulia",
        "cognome": "Verdi",
        "email": "giulia.verdi@example.it",
        "sede": sede.pk,
        **altro,
    }


def _invia(client: Client, **altro: Any) -> Any:
    return client.post(
        reverse("richiesta_pin"),
        {
            **_dati(**altro),
            "azione": "invia",
            "modulo_firmato": SimpleUploadedFile("modulo.pdf", PDF),
            "documento_identita": SimpleUploadedFile("carta.jpg", JPEG),
        },
    )


def _decidi(client: Client, richiesta: RichiestaPin, **dati: str) -> Any:
    return client.post(reverse("admin:accounts_richiestapin_decidi", args=[richiesta.pk]), dati)


def _ritira(client: Client, codice_fiscale: str, codice: str) -> Any:
    return client.post(reverse("ritiro_pin"), {"codice_fiscale": codice_fiscale, "codice_ritiro": codice})


def test_a_person_without_pin_asks_online_the_sede_approves_and_the_person_collects_it(
    client: Client, registro: None, pec_locale: Any
) -> None:
    assert client.get(reverse("richiesta_pin")).status_code == 200
    modulo = client.post(reverse("richiesta_pin"), {**_dati(), "azione": "modulo"})
    assert modulo.status_code == 200
    assert modulo["Content-Type"] == "application/pdf"
    assert "no-store" in modulo["Cache-Control"]
    assert not RichiestaPin.objects.exists()

    inviata = _invia(client)
    assert inviata.status_code == 200
    assert "no-store" in inviata["Cache-Control"]
    codice = inviata.context["inviata"].codice_ritiro
    assert codice in inviata.content.decode()
    richiesta = RichiestaPin.objects.get()
    assert (richiesta.codice_fiscale, richiesta.sede.codice, richiesta.status) == (CODICE_FISCALE, "ST-CS", "inviata")
    assert codice not in richiesta.codice_ritiro_hash
    ricevuta = MessaggioPEC.objects.get(modello="richiesta_pin")
    assert codice not in ricevuta.corpo_testo
    assert codice not in ricevuta.corpo_html
    assert _invia(Client()).status_code == 400  # one request in progress per codice fiscale

    # Before the decision nothing can be collected.
    assert _ritira(Client(), CODICE_FISCALE, codice).status_code == 400

    sede = personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")
    client.force_login(sede)
    assert client.get(reverse("admin:accounts_richiestapin_changelist")).status_code == 200
    documento = client.get(reverse("admin:accounts_richiestapin_documento", args=[richiesta.pk, "identita"]))
    assert documento.status_code == 200
    assert "no-store" in documento["Cache-Control"]
    assert _decidi(client, richiesta, esito="approva").status_code == 302
    richiesta.refresh_from_db()
    assert richiesta.status == RichiestaPin.Status.APPROVATA
    esito = MessaggioPEC.objects.get(modello="esito_richiesta_pin")
    assert codice not in esito.corpo_testo

    persona = Client()
    sbagliato = _ritira(persona, CODICE_FISCALE, "AAAAAAAAAAAA")
    assert sbagliato.status_code == 400
    assert "Non è possibile ritirare il PIN" in sbagliato.content.decode()
    digitato = " ".join(codice.lower()[i : i + 4] for i in range(0, len(codice), 4))
    ritiro = _ritira(persona, CODICE_FISCALE.lower(), digitato)
    assert ritiro.status_code == 200
    assert "no-store" in ritiro["Cache-Control"]
    nuovo_pin = ritiro.context["rilasciato"].codice
    pin = PIN.objects.get(user__codice_fiscale=CODICE_FISCALE, status=PIN.Status.ATTIVO)
    assert (pin.tipo, pin.origine) == (PIN.Tipo.DISPOSITIVO, PIN.Origine.RICHIESTA_ONLINE)
    richiesta.refresh_from_db()
    assert (richiesta.status, richiesta.pin_id) == (RichiestaPin.Status.RITIRATA, pin.pk)
    assert EventoCredenziale.objects.filter(user=pin.user, tipo=EventoCredenziale.Tipo.RILASCIO_ONLINE).count() == 1
    # Collected once only; then the PIN opens the portal, and no password exists for this person.
    assert _ritira(Client(), CODICE_FISCALE, codice).status_code == 400
    accesso = Client()
    assert accesso.post(reverse("account_login"), {"login": CODICE_FISCALE, "password": nuovo_pin}).status_code == 302
    assert not pin.user.has_usable_password()


def test_the_collection_locks_after_too_many_wrong_codes(client: Client, registro: None, pec_locale: Any) -> None:
    codice = _invia(client).context["inviata"].codice_ritiro
    richiesta = RichiestaPin.objects.get()
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    _decidi(client, richiesta, esito="approva")
    for _ in range(RichiestaPin.TENTATIVI_RITIRO_MASSIMI):
        assert _ritira(Client(), CODICE_FISCALE, "ZZZZZZZZZZZZ").status_code == 400
    assert _ritira(Client(), CODICE_FISCALE, codice).status_code == 400
    assert not PIN.objects.filter(user__codice_fiscale=CODICE_FISCALE).exists()


def test_only_the_chosen_sede_sees_and_decides_the_request(client: Client, registro: None, pec_locale: Any) -> None:
    _invia(client)
    richiesta = RichiestaPin.objects.get()
    altra = personale_inps(Ruolo.PERSONALE_SEDE, "ST-RM")
    client.force_login(altra)
    assert client.get(reverse("admin:accounts_richiestapin_change", args=[richiesta.pk])).status_code == 404
    documento = reverse("admin:accounts_richiestapin_documento", args=[richiesta.pk, "modulo"])
    assert client.get(documento).status_code == 404
    assert _decidi(client, richiesta, esito="approva").status_code == 404
    richiesta.refresh_from_db()
    assert richiesta.status == RichiestaPin.Status.INVIATA


def test_a_rejection_needs_a_reason_and_unified_credentials_come_first(
    client: Client, registro: None, pec_locale: Any
) -> None:
    persona = UserFactory.create(codice_fiscale=CODICE_FISCALE, password="!")
    crea_credenziale(persona, [(EnteFactory.create(), "Domanda Valore PA")])
    _invia(client)
    richiesta = RichiestaPin.objects.get()
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    pagina = client.get(reverse("admin:accounts_richiestapin_decidi", args=[richiesta.pk])).content.decode()
    assert "credenziali ex Inpdap da unificare" in pagina
    _decidi(client, richiesta, esito="approva")
    richiesta.refresh_from_db()
    assert richiesta.status == RichiestaPin.Status.INVIATA
    senza_motivo = _decidi(client, richiesta, esito="respingi", motivo="")
    assert senza_motivo.status_code == 200
    assert "Indichi il motivo del rifiuto." in senza_motivo.content.decode()
    _decidi(client, richiesta, esito="respingi", motivo="Credenziali ex Inpdap da unificare al primo accesso.")
    richiesta.refresh_from_db()
    assert richiesta.status == RichiestaPin.Status.RESPINTA
    assert MessaggioPEC.objects.get(modello="esito_richiesta_pin").oggetto.endswith("respinta")


@pytest.mark.parametrize(
    ("campi", "messaggio"),
    [
        ({"codice_fiscale": "RSSMRA80A01H501"}, "16 caratteri"),
        ({"email": "non-una-email"}, "L&#x27;indirizzo e-mail non è valido."),
        ({"sede": "999999"}, "Scelga una delle sedi territoriali"),
        ({"sede": "abc"}, "Scelga una delle sedi territoriali"),
    ],
)
def test_bad_input_on_the_public_request_gets_an_italian_message(
    client: Client, registro: None, campi: dict[str, str], messaggio: str
) -> None:
    risposta = _invia(client, **campi)
    assert risposta.status_code == 400
    assert messaggio in risposta.content.decode()
    assert not RichiestaPin.objects.exists()


def test_a_file_that_is_not_what_it_says_is_refused(client: Client, registro: None) -> None:
    risposta = client.post(
        reverse("richiesta_pin"),
        {
            **_dati(),
            "modulo_firmato": SimpleUploadedFile("modulo.pdf", b"MZ\x90\x00 un eseguibile"),
            "documento_identita": SimpleUploadedFile("carta.jpg", JPEG),
        },
    )
    assert risposta.status_code == 400
    assert "non è un PDF" in risposta.content.decode()


def test_sede_staff_issue_a_pin_dispositivo_at_the_counter_and_the_old_one_is_superseded(
    client: Client, registro: None, pec_locale: Any
) -> None:
    persona = UserFactory.create(codice_fiscale=CODICE_FISCALE, password="!", email="giulia.verdi@example.it")
    ente = EnteFactory.create()
    vecchio = PIN.objects.create(
        user=persona, codice_hash=make_password("VECCHIOPIN234567"), tipo="online", origine="preesistente"
    )
    AbilitazioneDetenuta.objects.create(pin=vecchio, ente=ente, nome="Domanda Valore PA")
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-RM"))  # any Sede
    assert client.get(reverse("admin:accounts_pin_changelist")).status_code == 200
    modulo = {
        "codice_fiscale": CODICE_FISCALE,
        "nome": "Giulia",
        "cognome": "Verdi",
        "email": "giulia.verdi@example.it",
        "documento_tipo": "carta_identita",
        "documento_numero": "CA12345AB",
        "identita_verificata": "on",
    }
    senza_verifica = client.post(reverse("admin:accounts_pin_rilascia"), {**modulo, "identita_verificata": ""})
    assert senza_verifica.status_code == 400
    risposta = client.post(reverse("admin:accounts_pin_rilascia"), modulo)
    assert risposta.status_code == 200
    codice = risposta.context["rilasciato"].codice
    assert codice in risposta.content.decode()
    vecchio.refresh_from_db()
    assert vecchio.status == PIN.Status.SUPERATO
    nuovo = PIN.objects.get(user=persona, status=PIN.Status.ATTIVO)
    assert (nuovo.tipo, nuovo.origine) == (PIN.Tipo.DISPOSITIVO, PIN.Origine.SPORTELLO)
    assert list(nuovo.abilitazioni.values_list("nome", flat=True)) == ["Domanda Valore PA"]
    evento = EventoCredenziale.objects.get(user=persona, tipo=EventoCredenziale.Tipo.RILASCIO_SPORTELLO)
    assert evento.dettagli["documento"] == {"tipo": "carta_identita", "numero": "CA12345AB"}
    avviso = MessaggioPEC.objects.get(modello="rilascio_pin")
    assert codice not in avviso.corpo_testo
    assert Client().post(reverse("account_login"), {"login": CODICE_FISCALE, "password": codice}).status_code == 302


def test_the_counter_issues_a_pin_to_a_person_unknown_to_the_portal_and_sends_the_unification_first(
    client: Client, registro: None, pec_locale: Any
) -> None:
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    modulo = {
        "codice_fiscale": CODICE_FISCALE,
        "nome": "Giulia",
        "cognome": "Verdi",
        "email": "",
        "documento_tipo": "passaporto",
        "documento_numero": "YA1234567",
        "identita_verificata": "on",
    }
    assert client.post(reverse("admin:accounts_pin_rilascia"), modulo).status_code == 200
    assert User.objects.get(codice_fiscale=CODICE_FISCALE).pin.get().tipo == PIN.Tipo.DISPOSITIVO
    altra = UserFactory.create(password="!")
    crea_credenziale(altra, [])
    rifiuto = client.post(reverse("admin:accounts_pin_rilascia"), {**modulo, "codice_fiscale": altra.codice_fiscale})
    assert rifiuto.status_code == 400
    assert "esegua l&#x27;unificazione" in rifiuto.content.decode()
    assert not PIN.objects.filter(user=altra).exists()


def test_only_sede_staff_issue_pins_at_the_counter(client: Client, registro: None) -> None:
    client.force_login(personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18"))
    assert client.get(reverse("admin:accounts_pin_rilascia")).status_code == 404


def test_the_portals_administrators_read_the_sede_queues_and_decide_nothing(
    client: Client, registro: None, pec_locale: Any
) -> None:
    _invia(client)
    richiesta = RichiestaPin.objects.get()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:accounts_richiestapin_change", args=[richiesta.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_richiestapin_decidi", args=[richiesta.pk])).status_code == 404
    assert _decidi(client, richiesta, esito="approva").status_code == 404
    richiesta.refresh_from_db()
    assert richiesta.status == RichiestaPin.Status.INVIATA
