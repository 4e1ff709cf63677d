"""Never twice (Messaggio 4461/2023, "Gestione sportelli"): a slot held or booked is not given again, by the
service (the sportello's row locked) and by the database (a partial unique index; on PostgreSQL an exclusion
constraint on overlapping times of one seat); a hold expires and frees its slot; only an enabled operator of a
Comune with an active convention books."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction

from accounts.models import Attivita, Comune, Prestazione, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna, ruolo_revoca
from convenzioni.models import Convenzione
from inps_portal import clock
from pue.disponibilita import UTC
from pue.errori import PrenotazioneNonAmmessa, SlotOccupato
from pue.models import OrarioSportello, Prenotazione, Sportello
from pue.prenotazioni import (
    DatiCittadino,
    Richiesta,
    prenotazione_annulla,
    prenotazione_conferma,
    prenotazione_sposta,
    slot_trattieni,
    trattenute_scadute_libera,
)
from pue.selectors import sportelli_competenti
from pue.tasks import trattenute_scadute
from tests.factories import UserFactory, codice_fiscale_valido
from tests.pue_scena import ADESSO, SLOT, Scena, dati_cittadino, scena_prenotazioni


def _scena(operatori: int = 1) -> dict[str, Any]:
    scena = scena_prenotazioni(operatori)
    return {"comune": scena.comune, "convenzione": scena.convenzione, "operatore": scena.operatore,
            "sportello": scena.sportello}  # fmt: skip


def _richiesta(scena: dict[str, Any], inizio: dt.datetime = SLOT) -> Richiesta:
    return Richiesta(sportello_id=scena["sportello"].pk, comune_id=scena["comune"].pk, inizio=inizio)


@pytest.mark.django_db
def test_a_slot_is_held_once_and_the_loser_gets_other_slots(registro: None) -> None:
    scena = _scena()
    with clock.frozen(ADESSO):
        tenuta = slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
        assert (tenuta.stato, tenuta.posto, tenuta.inizio) == ("trattenuta", 1, SLOT)
        assert tenuta.scade_il == ADESSO + dt.timedelta(minutes=10)
        with pytest.raises(SlotOccupato) as perso:
            slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
    assert "appena prenotato" in str(perso.value)
    assert perso.value.alternative
    assert all(s.inizio != SLOT for s in perso.value.alternative)
    assert Prenotazione.objects.count() == 1


@pytest.mark.django_db
def test_parallel_operators_give_one_seat_each(registro: None) -> None:
    scena = _scena(operatori=2)
    with clock.frozen(ADESSO):
        posti = [slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena)).posto for _ in range(2)]
        with pytest.raises(SlotOccupato):
            slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
    assert sorted(posti) == [1, 2]


@pytest.mark.django_db
def test_an_expired_hold_frees_its_slot_in_the_booking_and_by_the_periodic_task(registro: None) -> None:
    scena = _scena()
    with clock.frozen(ADESSO):
        prima = slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
    with clock.frozen(ADESSO + dt.timedelta(minutes=11)):
        seconda = slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
    prima.refresh_from_db()
    assert prima.stato == "scaduta"
    assert seconda.stato == "trattenuta"
    with clock.frozen(ADESSO + dt.timedelta(minutes=22)):
        assert trattenute_scadute() == 1
        assert trattenute_scadute_libera() == 0
    seconda.refresh_from_db()
    assert seconda.stato == "scaduta"
    # Each expiry is in the history once, by the portal (nobody), whichever of the two freed it.
    for tenuta in (prima, seconda):
        assert list(tenuta.eventi.values_list("da", "a", "chi")) == [
            ("", "trattenuta", scena["operatore"].pk),
            ("trattenuta", "scaduta", None),
        ]


@pytest.mark.django_db
def test_only_an_enabled_operator_of_a_comune_with_an_active_convention_books(registro: None) -> None:
    scena = _scena()
    estraneo = UserFactory.create()
    with clock.frozen(ADESSO):
        with pytest.raises(PrenotazioneNonAmmessa, match="operatore abilitato"):
            slot_trattieni(chi=estraneo, richiesta=_richiesta(scena))
        ruolo_revoca(user=scena["operatore"], ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=scena["comune"])
        with pytest.raises(PrenotazioneNonAmmessa, match="operatore abilitato"):
            slot_trattieni(chi=User.objects.get(pk=scena["operatore"].pk), richiesta=_richiesta(scena))
        ruolo_assegna(user=scena["operatore"], ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=scena["comune"])
        Convenzione.objects.filter(pk=scena["convenzione"].pk).update(
            stato=Convenzione.Stato.CESSATA, chiusa_il=ADESSO, motivo_chiusura="recesso"
        )
        with pytest.raises(PrenotazioneNonAmmessa, match="convenzione"):
            slot_trattieni(chi=User.objects.get(pk=scena["operatore"].pk), richiesta=_richiesta(scena))
    assert not Prenotazione.objects.exists()


@pytest.mark.django_db
def test_a_time_the_rules_do_not_open_is_refused(registro: None) -> None:
    scena = _scena()
    with clock.frozen(ADESSO):
        for inizio in (SLOT + dt.timedelta(minutes=10), dt.datetime(2027, 3, 6, 8, tzinfo=UTC), ADESSO):
            with pytest.raises(PrenotazioneNonAmmessa):
                slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena, inizio))
    assert not Prenotazione.objects.exists()


def _crea(scena: dict[str, Any], inizio: dt.datetime, fine: dt.datetime) -> Prenotazione:
    return Prenotazione.objects.create(
        sportello=scena["sportello"],
        inizio=inizio,
        fine=fine,
        posto=1,
        stato="confermata",
        cittadino_codice_fiscale=codice_fiscale_valido(962),
        titolo="residenza",
        dichiarazione_il=ADESSO,
        comune=scena["comune"],
        convenzione=scena["convenzione"],
        operatore=scena["operatore"],
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_booking_of_a_seat(registro: None) -> None:
    scena = _scena()
    _crea(scena, SLOT, SLOT + dt.timedelta(minutes=30))
    with pytest.raises(IntegrityError), transaction.atomic():
        _crea(scena, SLOT, SLOT + dt.timedelta(minutes=30))


@pytest.mark.django_db
@pytest.mark.postgres
def test_on_postgresql_overlapping_times_of_one_seat_are_refused_too(registro: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("vincolo di esclusione solo su PostgreSQL")
    scena = _scena()
    _crea(scena, SLOT, SLOT + dt.timedelta(minutes=30))
    with pytest.raises(IntegrityError), transaction.atomic():
        _crea(scena, SLOT + dt.timedelta(minutes=15), SLOT + dt.timedelta(minutes=45))
    _crea(scena, SLOT + dt.timedelta(minutes=30), SLOT + dt.timedelta(minutes=60))  # adjacent: allowed


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_200_attempts_on_one_slot_make_exactly_one_booking(registro: None) -> None:
    """Through a bounded pool of 32 threads (PostgreSQL's 100 connections would not take 200 at once): exactly one
    hold, every other attempt told the slot is taken, nothing else."""
    if connection.vendor != "postgresql":
        pytest.skip("concorrenza reale solo su PostgreSQL")
    scena = _scena()

    def tenta(_: int) -> str:
        try:
            slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
            return "presa"
        except SlotOccupato:
            return "occupato"
        finally:
            connections.close_all()

    # The portal's clock is one for the process: pinned here, once, for every thread (not in each, where the threads'
    # own restorations would interleave and leave it pinned for the tests that follow).
    with clock.frozen(ADESSO), ThreadPoolExecutor(max_workers=32) as pool:
        esiti = list(pool.map(tenta, range(200)))
    assert esiti.count("presa") == 1
    assert esiti.count("occupato") == 199
    assert Prenotazione.objects.filter(inizio=SLOT).count() == 1


# --- Competence and the citizen --------------------------------------------------------------------------------------


def _polo(codice: str, scena: dict[str, Any]) -> Sportello:
    polo = Struttura.objects.get(codice=codice)
    nuovo = Sportello.objects.create(
        struttura=polo, nome=f"Sportello {polo.nome}", comune=Comune.objects.get(codice_istat="058091")
    )
    for giorno in range(5):
        OrarioSportello.objects.create(
            sportello=nuovo, giorno=giorno, dalle=dt.time(9), alle=dt.time(12), durata_minuti=30, operatori=1,
            valido_dal=dt.date(2027, 1, 1),
        )  # fmt: skip
    return nuovo


def _cittadino(scena: dict[str, Any], **altro: Any) -> DatiCittadino:
    return replace(dati_cittadino(_come_scena(scena)), **altro)


def _come_scena(scena: dict[str, Any]) -> Scena:
    return Scena(scena["comune"], scena["convenzione"], scena["operatore"], scena["sportello"])


@pytest.mark.django_db
def test_competence_the_sede_of_the_territory_or_the_poli_of_the_prestazione(registro: None) -> None:
    scena = _scena()
    rende = scena["comune"]
    assert sportelli_competenti(rende) == [scena["sportello"]]
    assegno = Prestazione.objects.get(codice="assegno-unico")
    polo = _polo("PN-AU", scena)
    assert sportelli_competenti(rende, assegno) == [polo]
    # Two Poli answer for one prestazione: both are competent, by name.
    Struttura.objects.get(codice="PN-CR").prestazioni.add(assegno)
    altro = _polo("PN-CR", scena)
    assert sportelli_competenti(rende, assegno) == sorted([polo, altro], key=lambda s: s.struttura.nome)
    # A prestazione of the territory: the Sede's.
    assert sportelli_competenti(rende, Prestazione.objects.get(codice="naspi")) == [scena["sportello"]]


@pytest.mark.django_db
def test_a_sede_not_competent_for_the_comune_cannot_be_held(registro: None) -> None:
    scena = _scena()
    roma = Sportello.objects.create(
        struttura=Struttura.objects.get(codice="ST-RM"),
        nome="Sportello di Roma",
        comune=Comune.objects.get(codice_istat="058091"),
    )
    OrarioSportello.objects.create(
        sportello=roma, giorno=2, dalle=dt.time(9), alle=dt.time(12), durata_minuti=30, operatori=1,
        valido_dal=dt.date(2027, 1, 1),
    )  # fmt: skip
    with clock.frozen(ADESSO), pytest.raises(PrenotazioneNonAmmessa, match="competente"):
        slot_trattieni(
            chi=scena["operatore"],
            richiesta=Richiesta(sportello_id=roma.pk, comune_id=scena["comune"].pk, inizio=SLOT),
        )


@pytest.mark.django_db
def test_the_operator_confirms_with_a_citizen_of_the_comune_and_it_is_in_the_activity(registro: None) -> None:
    scena = _scena()
    with clock.frozen(ADESSO):
        tenuta = slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
        confermata = prenotazione_conferma(chi=scena["operatore"], prenotazione_id=tenuta.pk, dati=_cittadino(scena))
    assert confermata.stato == "confermata"
    assert confermata.dichiarazione_il == ADESSO
    assert confermata.assistenza
    assert confermata.scade_il is None
    attivita = Attivita.objects.get(tipo="prenotazione")
    assert (attivita.user_id, attivita.comune_id) == (scena["operatore"].pk, scena["comune"].pk)
    with clock.frozen(ADESSO + dt.timedelta(hours=1)), pytest.raises(SlotOccupato):  # a confirmed slot stays taken
        slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("campi", "messaggio"),
    [
        ({"codice_fiscale": "RSSMRA80A01H501X"}, "codice fiscale"),
        ({"comune_id": None}, "risiede o è domiciliato"),
        ({"titolo": "ospite"}, "residente o domiciliato"),
        ({"argomento": " "}, "prestazione o l'argomento"),
    ],
)
def test_a_confirmation_with_bad_data_is_refused_and_the_hold_stays(
    registro: None, campi: dict[str, Any], messaggio: str
) -> None:
    scena = _scena()
    if campi.get("comune_id", 0) is None:
        campi = {"comune_id": Comune.objects.get(codice_istat="078045").pk}  # a citizen of Cosenza
    with clock.frozen(ADESSO):
        tenuta = slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
        with pytest.raises(PrenotazioneNonAmmessa, match=messaggio):
            prenotazione_conferma(chi=scena["operatore"], prenotazione_id=tenuta.pk, dati=_cittadino(scena, **campi))
    tenuta.refresh_from_db()
    assert tenuta.stato == "trattenuta"
    assert tenuta.cittadino_codice_fiscale == ""


@pytest.mark.django_db
def test_an_expired_hold_or_someone_elses_cannot_be_confirmed(registro: None) -> None:
    scena = _scena()
    with clock.frozen(ADESSO):
        tenuta = slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena))
        altro = UserFactory.create()
        ruolo_assegna(user=altro, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=scena["comune"])
        with pytest.raises(PrenotazioneNonAmmessa, match="non trovata"):
            prenotazione_conferma(chi=altro, prenotazione_id=tenuta.pk, dati=_cittadino(scena))
    with clock.frozen(ADESSO + dt.timedelta(minutes=11)), pytest.raises(PrenotazioneNonAmmessa, match="scaduto"):
        prenotazione_conferma(chi=scena["operatore"], prenotazione_id=tenuta.pk, dati=_cittadino(scena))


@pytest.mark.django_db
def test_a_polo_answers_only_for_its_prestazioni(registro: None) -> None:
    scena = _scena()
    polo = _polo("PN-AU", scena)
    richiesta = Richiesta(sportello_id=polo.pk, comune_id=scena["comune"].pk, inizio=SLOT)
    naspi, assegno = (Prestazione.objects.get(codice=c).pk for c in ("naspi", "assegno-unico"))
    with clock.frozen(ADESSO):
        tenuta = slot_trattieni(chi=scena["operatore"], richiesta=richiesta)
        for prestazione, argomento in ((naspi, "NASpI"), (None, "Assegno unico")):
            with pytest.raises(PrenotazioneNonAmmessa, match="non è competente"):
                prenotazione_conferma(
                    chi=scena["operatore"],
                    prenotazione_id=tenuta.pk,
                    dati=_cittadino(scena, prestazione_id=prestazione, argomento=argomento),
                )
        confermata = prenotazione_conferma(
            chi=scena["operatore"], prenotazione_id=tenuta.pk, dati=_cittadino(scena, prestazione_id=assegno)
        )
    assert confermata.prestazione_id == assegno


@pytest.mark.django_db
def test_the_end_of_the_convention_cancels_its_future_bookings_with_a_notice(registro: None, pec_locale: Any) -> None:
    from convenzioni import services as convenzioni_services
    from inps_portal.pec.models import MessaggioPEC
    from tests.factories import personale_inps

    scena = _scena()
    with clock.frozen(ADESSO):
        confermata = prenotazione_conferma(
            chi=scena["operatore"],
            prenotazione_id=slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena)).pk,
            dati=_cittadino(scena),
        )
        tenuta = slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena, SLOT + dt.timedelta(minutes=30)))
    passata = _crea(scena, ADESSO - dt.timedelta(days=7), ADESSO - dt.timedelta(days=7) + dt.timedelta(minutes=30))
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    with clock.frozen(ADESSO + dt.timedelta(minutes=1)):
        convenzioni_services.convenzione_revoca(
            chi=direttore, convenzione_id=scena["convenzione"].pk, motivo="uso improprio"
        )
    for prenotazione, stato in ((confermata, "annullata"), (tenuta, "annullata"), (passata, "confermata")):
        prenotazione.refresh_from_db()
        assert prenotazione.stato == stato
    avviso = MessaggioPEC.objects.get(modello="prenotazioni_annullate")
    assert "Verdi" in avviso.corpo_testo
    assert "03/03/2027 09:00" in avviso.corpo_testo  # in Rome's time


# --- Cancel and reschedule -------------------------------------------------------------------------------------------


def _confermata(scena: dict[str, Any], inizio: dt.datetime = SLOT) -> Prenotazione:
    tenuta = slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena, inizio))
    return prenotazione_conferma(chi=scena["operatore"], prenotazione_id=tenuta.pk, dati=_cittadino(scena))


@pytest.mark.django_db
def test_a_colleague_cancels_with_a_reason_and_the_slot_is_free_again(registro: None) -> None:
    scena = _scena()
    collega = UserFactory.create()
    ruolo_assegna(user=collega, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=scena["comune"])
    with clock.frozen(ADESSO):
        prenotazione = _confermata(scena)
        with pytest.raises(PrenotazioneNonAmmessa, match="motivo"):
            prenotazione_annulla(chi=collega, prenotazione_id=prenotazione.pk, motivo=" ")
        altrove = UserFactory.create()
        ruolo_assegna(
            user=altrove, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat="078045")
        )
        with pytest.raises(PrenotazioneNonAmmessa, match="non trovata"):
            prenotazione_annulla(chi=altrove, prenotazione_id=prenotazione.pk, motivo="il cittadino rinuncia")
        annullata = prenotazione_annulla(chi=collega, prenotazione_id=prenotazione.pk, motivo="il cittadino rinuncia")
        assert (annullata.stato, annullata.annullata_da_id) == ("annullata", collega.pk)
        assert slot_trattieni(chi=scena["operatore"], richiesta=_richiesta(scena)).inizio == SLOT
    with clock.frozen(SLOT + dt.timedelta(minutes=1)), pytest.raises(PrenotazioneNonAmmessa, match="iniziato"):
        prenotazione_annulla(chi=collega, prenotazione_id=prenotazione.pk, motivo="tardi")


@pytest.mark.django_db
def test_a_reschedule_makes_a_new_booking_and_cancels_the_old(registro: None) -> None:
    scena = _scena()
    dopo = SLOT + dt.timedelta(days=1)  # Thursday, same time
    with clock.frozen(ADESSO):
        vecchia = _confermata(scena)
        nuova = prenotazione_sposta(chi=scena["operatore"], prenotazione_id=vecchia.pk, nuovo_inizio=dopo)
    vecchia.refresh_from_db()
    assert (vecchia.stato, vecchia.sostituita_da_id) == ("annullata", nuova.pk)
    assert (nuova.stato, nuova.inizio, nuova.cittadino_codice_fiscale) == (
        "confermata",
        dopo,
        vecchia.cittadino_codice_fiscale,
    )
    assert nuova.assistenza
    assert nuova.dichiarazione_il == vecchia.dichiarazione_il


@pytest.mark.django_db
def test_a_reschedule_to_a_taken_slot_changes_nothing(registro: None) -> None:
    scena = _scena()
    dopo = SLOT + dt.timedelta(days=1)
    with clock.frozen(ADESSO):
        vecchia = _confermata(scena)
        _confermata(scena, dopo)
        with pytest.raises(SlotOccupato):
            prenotazione_sposta(chi=scena["operatore"], prenotazione_id=vecchia.pk, nuovo_inizio=dopo)
    vecchia.refresh_from_db()
    assert vecchia.stato == "confermata"
    assert Prenotazione.objects.filter(stato="confermata").count() == 2


def test_the_clock_is_not_left_pinned() -> None:
    """Guard for the contention test above: after it, the portal's clock reads the real time again."""
    assert abs(clock.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)  # noqa: TID251 - the real clock
