"""The PEC outbox: queued in the caller's transaction, sent once, moved along by the provider's receipts."""

from __future__ import annotations

import datetime as dt
import mailbox
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.test import Client
from django.urls import reverse

from inps_portal import clock
from inps_portal.pec import casella, services
from inps_portal.pec.gateway import GatewayPEC
from inps_portal.pec.models import DestinatarioPEC, EventoPEC, MessaggioPEC, RicevutaPEC
from inps_portal.pec.transport import consegna
from tests.conftest import GatewaySMTP
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = MessaggioPEC.Status
FIXTURES = Path(__file__).parent / "fixtures" / "pec"


def _copie(gateway: GatewayPEC) -> Counter[str]:
    return GatewaySMTP.conta_copie(gateway.consegnati)


def _invia(capture: Callable[..., Any], *destinatari: str, **kwargs: Any) -> MessaggioPEC:
    with capture(execute=True):
        messaggio = services.pec_spedisci(modello="prova", destinatari=list(destinatari), **kwargs)
    messaggio.refresh_from_db()
    return messaggio


# --- The embedded default: the gateway runs in-process -------------------------------------------------------------


def test_a_message_is_delivered_and_both_receipts_are_kept(
    pec_locale: GatewayPEC, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    messaggio = _invia(django_capture_on_commit_callbacks, "protocollo@pec.comune-esempio.it")
    assert messaggio.status == Status.CONSEGNATO
    assert messaggio.inviato_il is not None
    assert sorted(messaggio.ricevute.values_list("tipo", flat=True)) == ["accettazione", "avvenuta-consegna"]
    assert all(bytes(r.grezzo).startswith(b"") and r.sha256 for r in messaggio.ricevute.all())
    assert list(messaggio.eventi.values_list("a", flat=True)) == [
        Status.DA_INVIARE,
        Status.IN_INVIO,
        Status.INVIATO,
        Status.ACCETTATO,
        Status.CONSEGNATO,
    ]
    assert _copie(pec_locale) == {messaggio.message_id: 1}
    assert "Messaggio di prova del canale PEC" in messaggio.oggetto


def test_a_recipient_on_a_dead_domain_ends_in_delivery_error_with_the_reason(
    pec_locale: GatewayPEC, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    messaggio = _invia(
        django_capture_on_commit_callbacks, "protocollo@pec.comune-esempio.it", "ufficio@dominio-morto.invalid"
    )
    assert messaggio.status == Status.ERRORE_CONSEGNA
    morto = messaggio.destinatari.get(indirizzo="ufficio@dominio-morto.invalid")
    assert morto.status == DestinatarioPEC.Status.ERRORE_CONSEGNA
    assert morto.errore == "5.1.2 - dominio di destinazione inesistente: dominio-morto.invalid"
    assert messaggio.destinatari.get(indirizzo="protocollo@pec.comune-esempio.it").status == "consegnato"


def test_a_rolled_back_transaction_sends_nothing(
    pec_locale: GatewayPEC, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    def cambio_che_fallisce() -> None:
        with transaction.atomic():
            services.pec_spedisci(modello="prova", destinatari=["protocollo@pec.comune-esempio.it"])
            raise RuntimeError("la modifica che causava la PEC non è andata a buon fine")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        cambio_che_fallisce()
    assert callbacks == []
    assert not MessaggioPEC.objects.exists()
    assert _copie(pec_locale) == Counter()


def test_the_same_message_delivered_twice_is_sent_once(
    pec_locale: GatewayPEC, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    messaggio = _invia(django_capture_on_commit_callbacks, "protocollo@pec.comune-esempio.it")
    assert services.pec_consegna(messaggio_id=messaggio.pk).inviato is False
    from inps_portal.pec.tasks import pec_invia

    pec_invia.apply(args=(messaggio.pk,))
    assert _copie(pec_locale) == {messaggio.message_id: 1}


def test_a_message_needs_a_recipient(pec_locale: GatewayPEC) -> None:
    with pytest.raises(ValueError, match="destinatario"):
        services.pec_spedisci(modello="prova", destinatari=["  "])
    assert not MessaggioPEC.objects.exists()


def test_duplicate_recipients_are_written_once(pec_locale: GatewayPEC) -> None:
    messaggio = services.pec_spedisci(modello="prova", destinatari=["A@pec.example.it", "a@pec.example.it "])
    assert list(messaggio.destinatari.values_list("indirizzo", flat=True)) == ["a@pec.example.it"]


def test_the_message_points_at_the_object_it_concerns(pec_locale: GatewayPEC) -> None:
    user = UserFactory.create()
    messaggio = services.pec_spedisci(modello="prova", destinatari=["a@pec.example.it"], riferimento=user)
    assert MessaggioPEC.objects.get(pk=messaggio.pk).riferimento == user


# --- Receipts that cannot be applied ---------------------------------------------------------------------------------


def test_a_receipt_read_twice_changes_nothing(
    pec_locale: GatewayPEC, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    messaggio = _invia(django_capture_on_commit_callbacks, "protocollo@pec.comune-esempio.it")
    grezzo = bytes(messaggio.ricevute.get(tipo="avvenuta-consegna").grezzo)
    eventi = EventoPEC.objects.count()
    assert services.ricevuta_registra(grezzo=grezzo) is None
    assert RicevutaPEC.objects.count() == 2
    assert EventoPEC.objects.count() == eventi


def test_a_malformed_receipt_is_kept_aside_without_changing_anything(pec_locale: GatewayPEC) -> None:
    messaggio = services.pec_spedisci(modello="prova", destinatari=["a@pec.example.it"])
    ricevuta = services.ricevuta_registra(grezzo=b"Subject: non sono una ricevuta\r\n\r\ntesto")
    assert ricevuta is not None
    assert ricevuta.esito == RicevutaPEC.Esito.SCARTATA
    assert ricevuta.messaggio is None
    assert "X-Ricevuta" in ricevuta.motivo_scarto
    assert MessaggioPEC.objects.get(pk=messaggio.pk).status == Status.DA_INVIARE


def test_a_receipt_for_an_unknown_message_is_kept_aside(pec_locale: GatewayPEC) -> None:
    ricevuta = services.ricevuta_registra(grezzo=(FIXTURES / "avvenuta-consegna.eml").read_bytes())
    assert ricevuta is not None
    assert ricevuta.esito == RicevutaPEC.Esito.SCARTATA
    assert "Message-ID" in ricevuta.motivo_scarto
    assert services.ricevuta_registra(grezzo=(FIXTURES / "avvenuta-consegna.eml").read_bytes()) is None


def test_the_mailbox_reader_empties_the_maildir(
    pec_locale: GatewayPEC, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    casella_ricevute = mailbox.Maildir(pec_locale.ricevute, create=True)
    casella_ricevute.add((FIXTURES / "accettazione.eml").read_bytes())
    casella_ricevute.add(b"Subject: rumore\r\n\r\n")
    assert casella.leggi_ricevute() == 2
    assert casella.leggi_ricevute() == 0
    assert RicevutaPEC.objects.filter(esito="scartata").count() == 2


# --- SMTP: the real gateway over the network -------------------------------------------------------------------------


def test_through_smtp_the_message_ends_delivered(
    pec_smtp: GatewaySMTP, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    messaggio = _invia(django_capture_on_commit_callbacks, "protocollo@pec.comune-esempio.it")
    assert messaggio.status == Status.INVIATO
    casella.leggi_ricevute()
    messaggio.refresh_from_db()
    assert messaggio.status == Status.CONSEGNATO
    assert pec_smtp.copie() == {messaggio.message_id: 1}


def test_a_gateway_that_is_down_means_retries_then_failure_then_resend(
    pec_smtp: GatewaySMTP, django_capture_on_commit_callbacks: Callable[..., Any], settings: Any
) -> None:
    pec_smtp.ferma()
    messaggio = _invia(django_capture_on_commit_callbacks, "protocollo@pec.comune-esempio.it")
    assert messaggio.status == Status.DA_INVIARE
    assert messaggio.tentativi == 1
    assert "ConnectionRefusedError" in messaggio.ultimo_errore
    assert messaggio.prossimo_tentativo > clock.now()
    for tentativo in range(1, settings.PEC_TENTATIVI_MASSIMI):
        with clock.frozen(clock.now() + dt.timedelta(hours=2 * tentativo)):
            services.pec_consegna(messaggio_id=messaggio.pk)
    messaggio.refresh_from_db()
    assert messaggio.status == Status.FALLITO
    assert messaggio.tentativi == settings.PEC_TENTATIVI_MASSIMI
    pec_smtp.riavvia()
    with django_capture_on_commit_callbacks(execute=True):
        services.pec_rispedisci(messaggio_id=messaggio.pk)
    messaggio.refresh_from_db()
    assert messaggio.status == Status.INVIATO
    assert pec_smtp.copie() == {messaggio.message_id: 1}
    with pytest.raises(services.TransizioneNonAmmessa):
        services.pec_rispedisci(messaggio_id=messaggio.pk)


def test_a_claim_left_by_a_dead_worker_is_taken_again_and_sent_once(
    pec_smtp: GatewaySMTP, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        messaggio = services.pec_spedisci(modello="prova", destinatari=["protocollo@pec.comune-esempio.it"])
    assert services.pec_prenota(messaggio_id=messaggio.pk)  # ...and the worker dies here
    assert services.pec_riprendi() == []  # still within its lease
    with clock.frozen(clock.now() + dt.timedelta(minutes=10)):
        assert services.pec_riprendi() == [messaggio.pk]
    messaggio.refresh_from_db()
    assert messaggio.status == Status.INVIATO
    assert pec_smtp.copie() == {messaggio.message_id: 1}


def test_outside_production_only_a_local_gateway_is_reached(settings: Any, pec_locale: GatewayPEC) -> None:
    settings.PEC_SMTP_URL = "smtp://smtp.postacert.inps.gov.it:25"
    destinatari = ["AbilitazioneEnti.GestionePubblica@postacert.inps.gov.it"]
    with pytest.raises(ImproperlyConfigured, match="gateway locale"):
        consegna(mittente="a@b.it", destinatari=destinatari, dati=b"x")


# --- Admin -----------------------------------------------------------------------------------------------------------


def test_the_admin_shows_messages_receipts_and_resends_failed_ones(
    pec_locale: GatewayPEC, django_capture_on_commit_callbacks: Callable[..., Any], admin_client: Client
) -> None:
    messaggio = _invia(django_capture_on_commit_callbacks, "protocollo@pec.comune-esempio.it")
    lista = admin_client.get(reverse("admin:inps_portal_messaggiopec_changelist"), {"status__exact": "consegnato"})
    assert lista.status_code == 200
    assert messaggio.oggetto in lista.content.decode()
    dettaglio = admin_client.get(reverse("admin:inps_portal_messaggiopec_change", args=[messaggio.pk]))
    assert "Scarica (.eml)" in dettaglio.content.decode()
    ricevuta = messaggio.ricevute.first()
    scarica = admin_client.get(reverse("admin:inps_portal_ricevutapec_grezzo", args=[ricevuta.pk]))
    assert scarica["Content-Type"] == "message/rfc822"
    assert scarica.content == bytes(ricevuta.grezzo)
    # Evidence cannot be changed.
    cambia = reverse("admin:inps_portal_messaggiopec_change", args=[messaggio.pk])
    modifica = admin_client.post(cambia, {"oggetto": "x"})
    assert modifica.status_code == 403
    MessaggioPEC.objects.filter(pk=messaggio.pk).update(status=Status.FALLITO)
    with django_capture_on_commit_callbacks(execute=True):
        azione = admin_client.post(
            reverse("admin:inps_portal_messaggiopec_changelist"),
            {"action": "invia_di_nuovo", "_selected_action": [messaggio.pk]},
            follow=True,
        )
    assert "1 messaggi rimessi in coda" in azione.content.decode()


def test_the_message_list_costs_the_same_queries_for_few_or_many(
    pec_locale: GatewayPEC, admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        services.pec_spedisci(modello="prova", destinatari=[f"a{n}@pec.example.it", "b@pec.example.it"])
    admin_client.get(reverse("admin:inps_portal_messaggiopec_changelist"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("admin:inps_portal_messaggiopec_changelist"))
    for n in range(30):
        services.pec_spedisci(modello="prova", destinatari=[f"c{n}@pec.example.it"])
    with CaptureQueriesContext(connection) as many:
        admin_client.get(reverse("admin:inps_portal_messaggiopec_changelist"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_operator_cannot_see_the_pec_admin(pec_locale: GatewayPEC, client: Client) -> None:
    client.force_login(UserFactory.create())
    assert client.get(reverse("admin:inps_portal_messaggiopec_changelist")).status_code == 404
    ricevuta = services.ricevuta_registra(grezzo=b"Subject: x\r\n\r\n")
    assert client.get(reverse("admin:inps_portal_ricevutapec_grezzo", args=[ricevuta.pk])).status_code == 404


def test_staff_can_send_a_test_pec_from_the_admin(
    pec_locale: GatewayPEC, django_capture_on_commit_callbacks: Callable[..., Any], admin_client: Client
) -> None:
    url = reverse("admin:inps_portal_messaggiopec_prova")
    assert admin_client.get(url).status_code == 200
    errore = admin_client.post(url, {"indirizzo": "non-un-indirizzo"})
    assert errore.status_code == 200
    assert "Indichi un indirizzo e-mail valido." in errore.content.decode()
    assert not MessaggioPEC.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        risposta = admin_client.post(url, {"indirizzo": "protocollo@pec.comune-esempio.it"})
    messaggio = MessaggioPEC.objects.get()
    assert risposta["Location"] == reverse("admin:inps_portal_messaggiopec_change", args=[messaggio.pk])
    assert messaggio.status == Status.CONSEGNATO
    assert "Invio richiesto da" in messaggio.corpo_testo
