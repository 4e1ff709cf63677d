"""The INPS operators of a sportello publish its availability: weekly rules that never open the same slot twice,
closures that cancel the day's bookings with a notice to the Comune, extra openings; another Struttura's operator
gets 404 and changes nothing; bad input is a 400 with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Attivita, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal import clock
from pue.models import EccezioneSportello, OrarioSportello, Prenotazione, Sportello
from pue.prenotazioni import slot_liberi, slot_trattieni
from tests.factories import UserFactory
from tests.pue_scena import ADESSO, SLOT, Scena, prenotazione_confermata, richiesta, scena_prenotazioni

pytestmark = pytest.mark.django_db


@pytest.fixture
def adesso() -> Iterator[None]:
    with clock.frozen(ADESSO):
        yield


@pytest.fixture
def scena(registro: None, adesso: None) -> Scena:
    return scena_prenotazioni()


def _operatore_inps(codice: str = "ST-CS") -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_SPORTELLO, organizzazione=Struttura.objects.get(codice=codice))
    return user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _orario(**altro: Any) -> dict[str, Any]:
    return {
        "giorno": "5", "dalle": "09:00", "alle": "11:00", "durata_minuti": "20", "operatori": "2",
        "valido_dal": "2027-03-01", **altro,
    }  # fmt: skip


def test_a_new_rule_opens_slots_and_an_overlapping_one_is_refused(scena: Scena) -> None:
    c = _client(_operatore_inps())
    url = reverse("pue_orario_aggiungi", args=[scena.sportello.pk])
    assert c.post(url, _orario()).status_code == 302
    sabato = dt.date(2027, 3, 6)
    liberi = slot_liberi(scena.sportello, sabato, sabato)
    assert len(liberi) == 6 * 2  # 09:00-11:00 in 20 minutes, two operators
    assert liberi[0].inizio == dt.datetime(2027, 3, 6, 8, tzinfo=dt.UTC)  # 09:00 in Rome
    sovrapposto = c.post(url, _orario(dalle="10:30", alle="12:00"))
    assert sovrapposto.status_code == 400
    assert "Si sovrappone" in sovrapposto.content.decode()
    assert c.post(url, _orario(dalle="11:00", alle="12:00")).status_code == 302  # adjacent is fine
    assert c.post(url, _orario(dalle="12:00", alle="11:00")).status_code == 400
    assert c.post(url, _orario(valido_dal="2027-02-01")).status_code == 400  # the past is not changed
    assert c.post(url, _orario(dalle="nove")).status_code == 400
    assert OrarioSportello.objects.filter(sportello=scena.sportello, giorno=5).count() == 2


def test_a_closure_cancels_the_days_bookings_and_tells_the_comune(
    scena: Scena, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    confermata = prenotazione_confermata(scena)
    tenuta = slot_trattieni(chi=scena.operatore, richiesta=richiesta(scena, SLOT + dt.timedelta(minutes=30)))
    altro_giorno = prenotazione_confermata(scena, SLOT + dt.timedelta(days=1))
    mailoutbox.clear()
    c = _client(_operatore_inps())
    with django_capture_on_commit_callbacks(execute=True):
        risposta = c.post(
            reverse("pue_eccezione_aggiungi", args=[scena.sportello.pk]),
            {"giorno": "2027-03-03", "tipo": "chiusura", "motivo": "guasto alla rete"},
        )
    assert risposta.status_code == 302
    for p in (confermata, tenuta, altro_giorno):
        p.refresh_from_db()
    assert confermata.stato == tenuta.stato == Prenotazione.Stato.ANNULLATA
    assert "guasto alla rete" in confermata.motivo_annullamento
    assert altro_giorno.stato == Prenotazione.Stato.CONFERMATA
    assert not slot_liberi(scena.sportello, dt.date(2027, 3, 3), dt.date(2027, 3, 3))
    assert [m.to for m in mailoutbox] == [[scena.operatore.email]]  # the confirmed one only
    assert Attivita.objects.filter(comune=scena.comune, descrizione__contains="chiusura dello sportello").count() == 1
    # One exception per day; the past is not changed.
    url = reverse("pue_eccezione_aggiungi", args=[scena.sportello.pk])
    assert c.post(url, {"giorno": "2027-03-03", "tipo": "chiusura", "motivo": "x"}).status_code == 400
    assert c.post(url, {"giorno": "2027-03-01", "tipo": "chiusura", "motivo": "x"}).status_code == 400


def test_an_extra_opening_opens_a_holiday_and_is_withdrawn(scena: Scena) -> None:
    c = _client(_operatore_inps())
    url = reverse("pue_eccezione_aggiungi", args=[scena.sportello.pk])
    domenica = dt.date(2027, 3, 7)
    assert not slot_liberi(scena.sportello, domenica, domenica)
    senza_orari = c.post(url, {"giorno": "2027-03-07", "tipo": "apertura", "motivo": "scadenze"})
    assert senza_orari.status_code == 400
    assert c.post(
        url,
        {"giorno": "2027-03-07", "tipo": "apertura", "motivo": "scadenze", "dalle": "09:00", "alle": "10:00",
         "durata_minuti": "30", "operatori": "1"},
    ).status_code == 302  # fmt: skip
    assert len(slot_liberi(scena.sportello, domenica, domenica)) == 2
    eccezione = EccezioneSportello.objects.get(giorno=domenica)
    assert c.post(reverse("pue_eccezione_rimuovi", args=[scena.sportello.pk, eccezione.pk])).status_code == 302
    assert not slot_liberi(scena.sportello, domenica, domenica)


def test_a_rule_that_ends_keeps_the_meetings_already_booked(scena: Scena) -> None:
    prenotata = prenotazione_confermata(scena, SLOT + dt.timedelta(days=7))
    c = _client(_operatore_inps())
    mercoledi = OrarioSportello.objects.get(sportello=scena.sportello, giorno=2)
    url = reverse("pue_orario_termina", args=[scena.sportello.pk, mercoledi.pk])
    assert c.post(url, {"ultimo_giorno": "2027-03-05"}).status_code == 302
    assert not slot_liberi(scena.sportello, dt.date(2027, 3, 10), dt.date(2027, 3, 10))
    prenotata.refresh_from_db()
    assert prenotata.stato == Prenotazione.Stato.CONFERMATA
    assert c.post(url, {"ultimo_giorno": "2027-03-20"}).status_code == 400  # already ends earlier


def test_another_strutturas_operator_gets_404_and_changes_nothing(scena: Scena) -> None:
    estraneo = _client(_operatore_inps("ST-RM"))
    pk = scena.sportello.pk
    orario = OrarioSportello.objects.filter(sportello=scena.sportello).first()
    assert orario is not None
    assert estraneo.get(reverse("pue_orari"), {"sportello": pk}).status_code == 404
    assert estraneo.post(reverse("pue_orario_aggiungi", args=[pk]), _orario()).status_code == 404
    assert (
        estraneo.post(reverse("pue_orario_termina", args=[pk, orario.pk]), {"ultimo_giorno": "2027-03-05"}).status_code
        == 404
    )
    assert (
        estraneo.post(
            reverse("pue_eccezione_aggiungi", args=[pk]), {"giorno": "2027-03-03", "tipo": "chiusura", "motivo": "x"}
        ).status_code
        == 404
    )
    assert not EccezioneSportello.objects.exists()
    assert OrarioSportello.objects.filter(sportello=scena.sportello).count() == 5
    # The Comune's operator and a person without the role: 404 too.
    assert _client(scena.operatore).get(reverse("pue_orari")).status_code == 404


def test_a_struttura_without_a_sportello_opens_one(registro: None, adesso: None) -> None:
    operatore = _operatore_inps("ST-RM")
    c = _client(operatore)
    pagina = c.get(reverse("pue_orari"))
    assert pagina.status_code == 200
    roma = Struttura.objects.get(codice="ST-RM")
    url = reverse("pue_sportello_apri", args=[roma.pk])
    assert c.post(url, {"nome": "Sportello PUE di Roma", "comune": "999999"}).status_code == 400
    assert c.post(url, {"nome": "Sportello PUE di Roma", "comune": "058091"}).status_code == 302
    assert Sportello.objects.get(struttura=roma).comune.nome == "Roma"
    assert c.post(url, {"nome": "Un altro", "comune": "058091"}).status_code == 400  # one per Struttura
    altra = Struttura.objects.get(codice="ST-CS")
    assert c.post(reverse("pue_sportello_apri", args=[altra.pk]), {"nome": "x", "comune": "078045"}).status_code == 404
