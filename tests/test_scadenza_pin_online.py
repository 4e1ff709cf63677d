"""The online-PIN deadline: the days left in the Area riservata, the area closed after it, the reminders once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import PIN, AbilitazioneDetenuta, PromemoriaScadenza, ScadenzaPinOnline
from accounts.selectors.scadenza import scadenza_corrente
from accounts.services.scadenza import promemoria_invia, scadenza_imposta
from accounts.tasks import promemoria_scadenza
from inps_portal import clock
from inps_portal.pec.models import MessaggioPEC
from tests.factories import EnteFactory, UserFactory, crea_pin

pytestmark = pytest.mark.django_db
SCADENZA = dt.date(2016, 7, 1)


@pytest.fixture
def operatore_online(registro: None) -> Any:
    user = UserFactory.create(password="!", email="operatore@example.it")
    ente = EnteFactory.create(nome="Comune di prova")
    crea_pin(user, [(ente, "Domanda Valore PA")], tipo=PIN.Tipo.ONLINE)
    return user


def test_the_circolare_deadline_is_there_from_the_start() -> None:
    assert scadenza_corrente() == SCADENZA
    assert ScadenzaPinOnline.objects.get().motivo.startswith("Circolare INPS n. 71")


def test_a_new_deadline_keeps_the_history(registro: None) -> None:
    scadenza_imposta(data=dt.date(2016, 9, 30), chi=None, motivo="proroga")
    assert scadenza_corrente() == dt.date(2016, 9, 30)
    assert ScadenzaPinOnline.objects.count() == 2


@pytest.mark.parametrize(
    ("oggi", "status", "testo"),
    [
        (dt.date(2016, 6, 1), 200, "restano 30 giorni"),
        (dt.date(2016, 6, 30), 200, "resta 1 giorno"),
        (dt.date(2016, 7, 1), 200, "oggi è l'ultimo giorno per convertirlo"),
        (dt.date(2016, 7, 2), 403, "Il PIN online non vale più"),
    ],
)
def test_the_area_before_on_and_after_the_deadline(
    client: Client, operatore_online: Any, oggi: dt.date, status: int, testo: str
) -> None:
    client.force_login(operatore_online)
    with clock.frozen(oggi):
        risposta = client.get(reverse("area_enti"))
    assert risposta.status_code == status
    assert testo in risposta.content.decode()
    if status == 200:
        assert "Domanda Valore PA" in risposta.content.decode()
        assert "Comune di prova" in risposta.content.decode()


def banner_di(pagina: str) -> str:
    trovato = re.search(r'data-testid="banner-scadenza">(.*?)</div>', pagina, re.DOTALL)
    assert trovato, "nessun banner della scadenza"
    return " ".join(re.sub(r"<[^>]+>", " ", trovato[1]).split())


@pytest.mark.parametrize(
    ("oggi", "testo"),
    [
        (dt.date(2016, 6, 1), "fino al 01/07/2016 compreso: restano 30 giorni per convertirlo"),
        (dt.date(2016, 6, 29), "fino al 01/07/2016 compreso: restano 2 giorni per convertirlo"),
        (dt.date(2016, 6, 30), "fino al 01/07/2016 compreso: resta 1 giorno per convertirlo"),
        (dt.date(2016, 7, 1), "fino a oggi, 01/07/2016: oggi è l'ultimo giorno per convertirlo"),
        (dt.date(2016, 7, 2), "La scadenza del 01/07/2016 è passata: il PIN online non vale più per l'Area riservata"),
        (
            dt.date(2026, 11, 15),
            "La scadenza del 01/07/2016 è passata: il PIN online non vale più per l'Area riservata",
        ),
    ],
)
def test_the_pin_online_page_counts_the_days_only_before_the_deadline(
    client: Client, operatore_online: Any, oggi: dt.date, testo: str
) -> None:
    client.force_login(operatore_online)
    with clock.frozen(oggi):
        risposta = client.get(reverse("pin_online"))
    # After the deadline this page stays open: it is where the online PIN is converted.
    assert risposta.status_code == 200
    assert "Invia la richiesta" in risposta.content.decode()
    banner = banner_di(risposta.content.decode())
    assert testo in banner
    assert not re.search(r"-\s*\d", banner), banner  # never a negative count of days
    assert not re.search(r"\b(restano 1|resta (?!1 )\d+|0 giorni|1 giorni)\b", banner), banner
    if oggi > dt.date(2016, 7, 1):
        assert "giorni" not in banner
        assert "resta" not in banner


def test_a_dispositivo_pin_sees_no_banner_and_no_closure(client: Client, registro: None) -> None:
    user = UserFactory.create(password="!")
    crea_pin(user, [(EnteFactory.create(), "PassWeb")], tipo=PIN.Tipo.DISPOSITIVO)
    client.force_login(user)
    with clock.frozen(dt.date(2017, 1, 1)):
        risposta = client.get(reverse("area_enti"))
    assert risposta.status_code == 200
    assert "banner-scadenza" not in risposta.content.decode()
    assert "PIN dispositivo" in risposta.content.decode()


@pytest.mark.parametrize(
    ("oggi", "soglia"),
    [(dt.date(2016, 6, 1), 30), (dt.date(2016, 6, 24), 7), (dt.date(2016, 6, 30), 1)],
)
def test_each_reminder_is_sent_once_even_if_the_task_runs_twice(
    operatore_online: Any, pec_locale: Any, oggi: dt.date, soglia: int
) -> None:
    with clock.frozen(oggi):
        assert promemoria_scadenza.apply().get() == 1
        assert promemoria_scadenza.apply().get() == 0
    assert list(PromemoriaScadenza.objects.values_list("giorni_prima", flat=True)) == [soglia]
    messaggio = MessaggioPEC.objects.get(modello="scadenza_pin_online")
    assert f"scade tra {soglia} giorn" in messaggio.oggetto
    assert "01/07/2016" in messaggio.corpo_testo


def test_no_reminder_outside_the_thresholds_or_after_the_deadline(operatore_online: Any, pec_locale: Any) -> None:
    for oggi in (dt.date(2016, 5, 1), dt.date(2016, 7, 2)):
        with clock.frozen(oggi):
            assert promemoria_invia() == 0
    assert not MessaggioPEC.objects.exists()


def test_a_late_run_sends_only_the_closest_threshold(operatore_online: Any, pec_locale: Any) -> None:
    with clock.frozen(dt.date(2016, 6, 27)):
        assert promemoria_invia() == 1
    assert list(PromemoriaScadenza.objects.values_list("giorni_prima", flat=True)) == [7]
    with clock.frozen(dt.date(2016, 6, 30)):
        assert promemoria_invia() == 1
    assert sorted(PromemoriaScadenza.objects.values_list("giorni_prima", flat=True)) == [1, 7]


def test_holders_of_a_dispositivo_pin_get_no_reminder(registro: None, pec_locale: Any) -> None:
    user = UserFactory.create(email="x@example.it")
    crea_pin(user, [], tipo=PIN.Tipo.DISPOSITIVO)
    with clock.frozen(dt.date(2016, 6, 30)):
        assert promemoria_invia() == 0
    assert AbilitazioneDetenuta.objects.count() == 0


def test_the_guide_is_public(client: Client) -> None:
    risposta = client.get(reverse("guida_credenziali"))
    assert risposta.status_code == 200
    assert "aprile 2014" in risposta.content.decode()
