"""The PEC outbox on the real services: a Celery worker process on Redis, the SMTP gateway, PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from inps_portal.pec import services
from inps_portal.pec.models import MessaggioPEC
from inps_portal.pec.tasks import pec_invia, pec_leggi_ricevute
from tests.conftest import GatewaySMTP

pytestmark = [pytest.mark.django_db(transaction=True)]
Status = MessaggioPEC.Status


def _attendi(condizione: Callable[[], bool], secondi: float = 30) -> None:
    fine = time.monotonic() + secondi
    while time.monotonic() < fine:
        if condizione():
            return
        time.sleep(0.1)
    raise AssertionError("condizione non raggiunta in tempo")


def _status(messaggio: MessaggioPEC) -> str:
    return MessaggioPEC.objects.values_list("status", flat=True).get(pk=messaggio.pk)


@pytest.mark.celery_worker
def test_a_real_worker_sends_it_and_the_receipts_make_it_delivered(pec_smtp: GatewaySMTP, real_celery: None) -> None:
    messaggio = services.pec_spedisci(modello="prova", destinatari=["protocollo@pec.comune-esempio.it"])
    _attendi(lambda: _status(messaggio) == Status.INVIATO)
    pec_leggi_ricevute.delay().get(timeout=30)
    assert _status(messaggio) == Status.CONSEGNATO
    assert sorted(MessaggioPEC.objects.get(pk=messaggio.pk).ricevute.values_list("tipo", flat=True)) == [
        "accettazione",
        "avvenuta-consegna",
    ]
    assert pec_smtp.copie() == {messaggio.message_id: 1}


@pytest.mark.celery_worker
def test_a_dead_domain_ends_in_delivery_error_through_the_worker(pec_smtp: GatewaySMTP, real_celery: None) -> None:
    messaggio = services.pec_spedisci(modello="prova", destinatari=["ufficio@dominio-morto.invalid"])
    _attendi(lambda: _status(messaggio) == Status.INVIATO)
    pec_leggi_ricevute.delay().get(timeout=30)
    destinatario = MessaggioPEC.objects.get(pk=messaggio.pk).destinatari.get()
    assert _status(messaggio) == Status.ERRORE_CONSEGNA
    assert destinatario.errore.startswith("5.1.2 - dominio di destinazione inesistente")


@pytest.mark.celery_worker
def test_the_gateway_down_for_a_while_means_retries_then_one_copy(pec_smtp: GatewaySMTP, real_celery: None) -> None:
    pec_smtp.ferma()
    messaggio = services.pec_spedisci(modello="prova", destinatari=["protocollo@pec.comune-esempio.it"])
    _attendi(lambda: MessaggioPEC.objects.get(pk=messaggio.pk).tentativi >= 1 and _status(messaggio) == "da_inviare")
    pec_smtp.riavvia()
    _attendi(lambda: _status(messaggio) == Status.INVIATO)
    assert MessaggioPEC.objects.get(pk=messaggio.pk).tentativi >= 2
    assert pec_smtp.copie() == {messaggio.message_id: 1}


def _senza_accodare(monkeypatch: pytest.MonkeyPatch) -> MessaggioPEC:
    """A queued message whose enqueue is left to the test."""
    with monkeypatch.context() as patch:
        patch.setattr(services, "_accoda", lambda messaggio_id: None)
        return services.pec_spedisci(modello="prova", destinatari=["protocollo@pec.comune-esempio.it"])


@pytest.mark.celery_worker
def test_the_same_task_delivered_twice_sends_one_copy(
    pec_smtp: GatewaySMTP, real_celery: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    messaggio = _senza_accodare(monkeypatch)
    risultati = [pec_invia.delay(messaggio.pk), pec_invia.delay(messaggio.pk), pec_invia.delay(messaggio.pk)]
    inviati = [r.get(timeout=30) for r in risultati]
    assert inviati.count(True) == 1
    assert pec_smtp.copie() == {messaggio.message_id: 1}


@pytest.mark.celery_worker
def test_a_rolled_back_transaction_never_reaches_the_worker(pec_smtp: GatewaySMTP, real_celery: None) -> None:
    def cambio_che_fallisce() -> None:
        with transaction.atomic():
            services.pec_spedisci(modello="prova", destinatari=["protocollo@pec.comune-esempio.it"])
            raise RuntimeError("annullata")

    with pytest.raises(RuntimeError):
        cambio_che_fallisce()
    pec_leggi_ricevute.delay().get(timeout=30)  # the worker is idle and answering
    assert not MessaggioPEC.objects.exists()
    assert pec_smtp.copie() == {}


@pytest.mark.celery_worker
def test_a_worker_killed_between_claim_and_send_is_replaced_and_sends_once(
    pec_smtp: GatewaySMTP, real_celery: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    messaggio = _senza_accodare(monkeypatch)
    assert services.pec_prenota(messaggio_id=messaggio.pk)  # the worker that claimed it dies here
    assert _status(messaggio) == Status.IN_INVIO
    assert services.pec_riprendi(presa_scaduta_dopo=0) == [messaggio.pk]
    _attendi(lambda: _status(messaggio) == Status.INVIATO)
    assert pec_smtp.copie() == {messaggio.message_id: 1}
    assert services.pec_riprendi(presa_scaduta_dopo=0) == []


@pytest.mark.postgres
def test_ten_concurrent_senders_on_postgresql_send_one_copy(
    pec_smtp: GatewaySMTP, monkeypatch: pytest.MonkeyPatch
) -> None:
    messaggio = _senza_accodare(monkeypatch)
    barrier = threading.Barrier(10)
    esiti: list[bool] = []

    def invia() -> None:
        try:
            barrier.wait()
            esiti.append(services.pec_consegna(messaggio_id=messaggio.pk).inviato)
        finally:
            connection.close()

    threads = [threading.Thread(target=invia) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert esiti.count(True) == 1
    assert pec_smtp.copie() == {messaggio.message_id: 1}
    assert MessaggioPEC.objects.get(pk=messaggio.pk).eventi.filter(a=Status.IN_INVIO).count() == 1
