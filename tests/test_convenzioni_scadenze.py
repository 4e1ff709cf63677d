"""Before its end a convention reminds both Referenti (60 and 15 days before), each reminder once even when the
daily task runs twice at the same moment; after its end it expires."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from accounts.models import Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni import services
from convenzioni.esempi import dati_di_esempio
from convenzioni.models import Convenzione, EventoConvenzione, PromemoriaConvenzione, VersioneQuadro
from convenzioni.services import scadenze
from convenzioni.tasks import scadenze as task_scadenze
from convenzioni.testo import TESTO_QUADRO_2023
from inps_portal import clock
from inps_portal.pec.models import MessaggioPEC
from inps_portal.pec.services import pec_spedisci
from tests.factories import UserFactory, codice_fiscale_valido

pytestmark = pytest.mark.postgres
FINE = dt.date(2029, 3, 1)


def convenzione_attiva() -> Convenzione:
    rende = Comune.objects.select_related("provincia").get(codice_istat="078102")
    referente = UserFactory.create()
    ruolo_assegna(user=referente, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=rende)
    VersioneQuadro.objects.get_or_create(
        numero=1, defaults={"titolo": "Convenzione PUE", "testo": TESTO_QUADRO_2023, "valida_dal": dt.date(2024, 1, 1)}
    )
    dati = dati_di_esempio(
        rende,
        legale_rappresentante_codice_fiscale=codice_fiscale_valido(941),
        amministratore_codice_fiscale=codice_fiscale_valido(942),
        referente_comune_codice_fiscale=codice_fiscale_valido(943),
        data_inizio=dt.date(2026, 3, 2),
    )
    with clock.frozen(dt.date(2026, 3, 2)):
        convenzione = services.convenzione_crea(chi=User.objects.get(pk=referente.pk), comune=rende, dati=dati)
    Convenzione.objects.filter(pk=convenzione.pk).update(
        stato=Convenzione.Stato.ATTIVA, protocollo="INPS.DR-18.2026.0000001", attivata_il=clock.now(), data_fine=FINE
    )
    return Convenzione.objects.get(pk=convenzione.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(("giorno", "soglia"), [(FINE - dt.timedelta(days=60), 60), (FINE - dt.timedelta(days=15), 15)])
def test_each_reminder_goes_to_both_referenti_once_even_if_the_task_runs_twice(
    registro: None, pec_locale: Any, giorno: dt.date, soglia: int
) -> None:
    convenzione = convenzione_attiva()
    with clock.frozen(giorno):
        assert task_scadenze.apply().get() == {"promemoria": 1, "scadute": 0}
        assert task_scadenze.apply().get() == {"promemoria": 0, "scadute": 0}
    promemoria = PromemoriaConvenzione.objects.get(convenzione=convenzione)
    assert promemoria.soglia == soglia
    messaggio = MessaggioPEC.objects.get(pk=promemoria.messaggio_pec_id or 0)
    assert f"scade tra {soglia} giorni" in messaggio.oggetto
    assert sorted(messaggio.destinatari.values_list("indirizzo", flat=True)) == [
        "direzione.convenzioni-pue@pec-inps.example.it",
        "servizi.demografici@pec.comune-rende.example.it",
    ]


@pytest.mark.django_db
def test_a_late_run_sends_only_the_closest_threshold_and_nothing_outside_them(registro: None, pec_locale: Any) -> None:
    convenzione_attiva()
    for giorno in (FINE - dt.timedelta(days=90), FINE - dt.timedelta(days=61)):
        with clock.frozen(giorno):
            assert scadenze.promemoria_scadenza_invia() == 0
    with clock.frozen(FINE - dt.timedelta(days=10)):  # the 60-day run never happened
        assert scadenze.promemoria_scadenza_invia() == 1
    with clock.frozen(FINE - dt.timedelta(days=9)):
        assert scadenze.promemoria_scadenza_invia() == 0
    assert list(PromemoriaConvenzione.objects.values_list("soglia", flat=True)) == [15]


@pytest.mark.django_db
def test_after_its_last_day_the_convention_expires(registro: None, pec_locale: Any) -> None:
    convenzione = convenzione_attiva()
    with clock.frozen(FINE):
        assert services.scadenze_gestisci()["scadute"] == 0
    with clock.frozen(FINE + dt.timedelta(days=1)):
        assert services.scadenze_gestisci() == {"promemoria": 0, "scadute": 1}
    convenzione.refresh_from_db()
    assert convenzione.stato == Convenzione.Stato.SCADUTA
    assert EventoConvenzione.objects.get(convenzione=convenzione, a="scaduta").chi is None


def test_the_task_is_in_the_beat_schedule() -> None:
    voce = django_settings.CELERY_BEAT_SCHEDULE["convenzioni-scadenze"]
    assert voce["task"] == task_scadenze.name == "convenzioni.scadenze"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_reminder_once(
    registro: None, pec_locale: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    convenzione_attiva()
    originale = pec_spedisci  # the one the services module imported

    def lenta(**kwargs: Any) -> MessaggioPEC:
        messaggio = originale(**kwargs)
        time.sleep(0.5)  # the first run holds its reminder row uncommitted while the second one tries
        return messaggio

    monkeypatch.setattr(scadenze, "pec_spedisci", lenta)
    partenza = threading.Barrier(2)
    risultati: list[int] = []
    errori: list[BaseException] = []

    def esegui() -> None:
        try:
            partenza.wait()
            with clock.frozen(FINE - dt.timedelta(days=60)):
                risultati.append(scadenze.promemoria_scadenza_invia())
        except Exception as errore:  # noqa: BLE001 - reported by the main thread
            errori.append(errore)
        finally:
            connection.close()

    with clock.frozen(FINE - dt.timedelta(days=60)):
        thread = [threading.Thread(target=esegui) for _ in range(2)]
        for t in thread:
            t.start()
        for t in thread:
            t.join(timeout=60)
    assert not errori
    assert sorted(risultati) == [0, 1]
    assert PromemoriaConvenzione.objects.count() == 1
    assert MessaggioPEC.objects.filter(modello="convenzione_scadenza").count() == 1
