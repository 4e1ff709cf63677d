"""Gestione sportelli through the pages, as the Comune's operator with a strong session: the five steps of the
booking, a slot taken meanwhile (409 with other times), stale links (410 with what happened), another Comune's
booking (404), the rating at the workstation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Attivita, Prestazione, Struttura
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni.models import Convenzione
from inps_portal import clock
from pue.models import Prenotazione, Sportello
from pue.prenotazioni import prenotazione_annulla, prenotazione_sposta, slot_trattieni
from tests.factories import UserFactory, accesso_forte, codice_fiscale_valido
from tests.pue_scena import ADESSO, SLOT, Scena, orari_feriali, prenotazione_confermata, richiesta, scena_prenotazioni


@pytest.fixture
def adesso() -> Iterator[None]:
    with clock.frozen(ADESSO):
        yield


@pytest.fixture
def scena(registro: None, adesso: None) -> Scena:
    return scena_prenotazioni()


def _operatore(client: Client, scena: Scena) -> Client:
    client.force_login(scena.operatore)
    accesso_forte(client)
    return client


@pytest.mark.django_db
def test_an_operator_books_in_five_steps_for_a_delegate_with_assistance(client: Client, scena: Scena) -> None:
    c = _operatore(client, scena)
    istat = scena.comune.codice_istat
    pagina = c.get(reverse("pue_gestione_sportelli"))
    assert reverse("pue_prenota", args=[istat]) in pagina.content.decode()

    uffici = c.get(reverse("pue_prenota", args=[istat]))
    assert uffici.status_code == 200
    assert f'data-testid="sportello-{scena.sportello.pk}"' in uffici.content.decode()

    orari = c.get(reverse("pue_prenota_orari", args=[istat, scena.sportello.pk]), {"dal": "2027-03-03"})
    assert orari.status_code == 200
    testo = orari.content.decode()
    assert "mercoledì 03 marzo 2027" in testo.lower()
    assert 'value="2027-03-03T09:00:00+01:00"' in testo  # the instant, in Rome's time with its offset

    tenuta = c.post(reverse("pue_prenota_orari", args=[istat, scena.sportello.pk]), {"inizio": SLOT.isoformat()})
    p = Prenotazione.objects.get(inizio=SLOT)
    assert p.stato == Prenotazione.Stato.TRATTENUTA
    assert tenuta["Location"] == reverse("pue_prenota_dettagli", args=[p.pk])
    assert p.primo_libero is not None
    assert p.primo_libero <= SLOT

    # The summary is not reachable before the details and the applicant.
    assert c.get(reverse("pue_prenota_riepilogo", args=[p.pk]))["Location"] == reverse(
        "pue_prenota_dettagli", args=[p.pk]
    )
    senza = c.post(reverse("pue_prenota_dettagli", args=[p.pk]), {"argomento": "  "})
    assert senza.status_code == 400
    assert "Indichi la prestazione o l&#x27;argomento" in senza.content.decode()
    c.post(reverse("pue_prenota_dettagli", args=[p.pk]), {"argomento": "Estratto conto", "assistenza": "on"})

    cittadino = {
        "codice_fiscale": codice_fiscale_valido(961).lower(),
        "nome": "Giulio",
        "cognome": "Verdi",
        "titolo": "residenza",
        "dichiarazione": "on",
        "per_delega": "on",
        "delegato_codice_fiscale": codice_fiscale_valido(962),
        "delegato_nome": "Anna",
        "delegato_cognome": "Verdi",
    }
    senza_dichiarazione = c.post(reverse("pue_prenota_richiedente", args=[p.pk]), {**cittadino, "dichiarazione": ""})
    assert senza_dichiarazione.status_code == 400
    assert "dichiarazione del cittadino" in senza_dichiarazione.content.decode()
    assert c.post(reverse("pue_prenota_richiedente", args=[p.pk]), cittadino).status_code == 302

    riepilogo = c.get(reverse("pue_prenota_riepilogo", args=[p.pk])).content.decode()
    assert "Giulio Verdi" in riepilogo
    assert "Anna Verdi" in riepilogo
    assert "Sì, durante l'incontro" in riepilogo
    fatta = c.post(reverse("pue_prenota_riepilogo", args=[p.pk]))
    assert fatta["Location"] == reverse("pue_prenotazione", args=[p.pk])
    p.refresh_from_db()
    assert p.stato == Prenotazione.Stato.CONFERMATA
    assert p.cittadino_codice_fiscale == codice_fiscale_valido(961)
    assert (p.delegato_nome, p.delegato_codice_fiscale) == ("Anna", codice_fiscale_valido(962))
    assert p.assistenza
    assert p.titolo == "residenza"
    assert p.dichiarazione_il == ADESSO

    dettaglio = c.get(fatta["Location"])
    assert dettaglio.status_code == 200
    assert list(p.eventi.values_list("da", "a", "chi")) == [
        ("", "trattenuta", scena.operatore.pk),
        ("trattenuta", "confermata", scena.operatore.pk),
    ]
    assert "trattenuta → confermata" in dettaglio.content.decode()
    assert reverse("pue_incontro", args=[p.stanza]) in dettaglio.content.decode()
    assert Attivita.objects.filter(
        user=scena.operatore, tipo=Attivita.Tipo.LETTURA_DATI, descrizione__contains=str(p.pk)
    ).exists()


@pytest.mark.django_db
def test_a_weak_session_is_refused_and_another_comunes_operator_gets_404(client: Client, scena: Scena) -> None:
    p = prenotazione_confermata(scena)
    client.force_login(scena.operatore)
    assert client.get(reverse("pue_prenotazione", args=[p.pk])).status_code == 403  # a password session

    altro = scena_prenotazioni(istat="078110")  # San Giovanni in Fiore, same Sede
    c = _operatore(Client(), altro)
    for nome in ("pue_prenotazione", "pue_annulla", "pue_sposta", "pue_valutazione", "pue_richiesta"):
        assert c.get(reverse(nome, args=[p.pk])).status_code == 404, nome
    assert c.post(reverse("pue_annulla", args=[p.pk]), {"motivo": "prova"}).status_code == 404
    assert c.get(reverse("pue_prenota", args=[scena.comune.codice_istat])).status_code == 404
    p.refresh_from_db()
    assert p.stato == Prenotazione.Stato.CONFERMATA


@pytest.mark.django_db
def test_a_slot_taken_meanwhile_answers_409_with_other_times(client: Client, scena: Scena) -> None:
    collega = UserFactory.create()
    ruolo_assegna(user=collega, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=scena.comune)
    slot_trattieni(chi=collega, richiesta=richiesta(scena))
    c = _operatore(client, scena)
    url = reverse("pue_prenota_orari", args=[scena.comune.codice_istat, scena.sportello.pk])
    risposta = c.post(url, {"inizio": SLOT.isoformat()})
    assert risposta.status_code == 409
    testo = risposta.content.decode()
    assert "appena prenotato da un altro operatore" in testo
    assert 'value="2027-03-03T09:30:00+01:00"' in testo  # the next time is offered
    assert Prenotazione.objects.filter(inizio=SLOT).count() == 1


@pytest.mark.django_db
def test_bad_input_is_400_and_a_sportello_not_competent_is_404(client: Client, scena: Scena) -> None:
    c = _operatore(client, scena)
    istat = scena.comune.codice_istat
    url = reverse("pue_prenota_orari", args=[istat, scena.sportello.pk])
    assert c.get(url, {"dal": "domani"}).status_code == 400
    assert c.post(url, {"inizio": "le nove"}).status_code == 400
    assert c.post(url, {"inizio": "2027-03-03T08:10:00+00:00"}).status_code == 400  # not a slot of the rules
    assert c.get(reverse("pue_prenota", args=[istat]), {"prestazione": "x"}).status_code == 400
    altra_sede = Sportello.objects.create(
        struttura=Struttura.objects.get(codice="ST-CZ"), nome="Sportello di Catanzaro", comune=scena.sportello.comune
    )
    orari_feriali(altra_sede)
    assert c.get(reverse("pue_prenota_orari", args=[istat, altra_sede.pk])).status_code == 404
    assert (
        c.post(reverse("pue_prenota_orari", args=[istat, altra_sede.pk]), {"inizio": SLOT.isoformat()}).status_code
        == 404
    )
    assert not Prenotazione.objects.exists()


@pytest.mark.django_db
def test_a_polo_is_offered_for_its_prestazione_beside_the_sede(client: Client, scena: Scena) -> None:
    polo = Struttura.objects.filter(tipo=Struttura.Tipo.POLO_NAZIONALE, prestazioni__isnull=False).first()
    assert polo is not None
    prestazione = polo.prestazioni.first()
    assert prestazione is not None
    sportello_polo = Sportello.objects.create(
        struttura=polo, nome=f"Sportello {polo.nome}", comune=scena.sportello.comune
    )
    orari_feriali(sportello_polo)
    c = _operatore(client, scena)
    istat = scena.comune.codice_istat
    senza = c.get(reverse("pue_prenota", args=[istat])).content.decode()
    assert f"sportello-{sportello_polo.pk}" not in senza
    con = c.get(reverse("pue_prenota", args=[istat]), {"prestazione": prestazione.pk}).content.decode()
    assert f"sportello-{sportello_polo.pk}" in con
    assert f"sportello-{scena.sportello.pk}" in con
    assert c.get(reverse("pue_prenota_orari", args=[istat, sportello_polo.pk])).status_code == 404  # no prestazione
    assert (
        c.get(
            reverse("pue_prenota_orari", args=[istat, sportello_polo.pk]), {"prestazione": prestazione.pk}
        ).status_code
        == 200
    )
    altra = Prestazione.objects.exclude(pk__in=polo.prestazioni.values("pk")).first()
    assert altra is not None
    assert (
        c.get(reverse("pue_prenota_orari", args=[istat, sportello_polo.pk]), {"prestazione": altra.pk}).status_code
        == 404
    )


@pytest.mark.django_db
def test_without_an_active_convention_nothing_is_booked(client: Client, scena: Scena) -> None:
    c = _operatore(client, scena)
    Convenzione.objects.filter(pk=scena.convenzione.pk).update(stato=Convenzione.Stato.SCADUTA)
    istat = scena.comune.codice_istat
    assert c.get(reverse("pue_prenota", args=[istat])).status_code == 403
    risposta = c.post(reverse("pue_prenota_orari", args=[istat, scena.sportello.pk]), {"inizio": SLOT.isoformat()})
    assert risposta.status_code == 400
    assert "convenzione PUE attiva" in risposta.content.decode()
    assert not Prenotazione.objects.exists()


@pytest.mark.django_db
def test_stale_links_answer_410_with_what_happened(client: Client, scena: Scena) -> None:
    c = _operatore(client, scena)
    spostata = prenotazione_confermata(scena)
    nuova = prenotazione_sposta(
        chi=scena.operatore, prenotazione_id=spostata.pk, nuovo_inizio=SLOT + dt.timedelta(hours=1)
    )
    for nome in ("pue_annulla", "pue_sposta"):
        risposta = c.get(reverse(nome, args=[spostata.pk]))
        assert risposta.status_code == 410
        assert "spostata al 03/03/2027 alle 10:00" in risposta.content.decode()
        assert reverse("pue_prenotazione", args=[nuova.pk]) in risposta.content.decode()
    assert c.post(reverse("pue_annulla", args=[spostata.pk]), {"motivo": "x"}).status_code == 410
    assert c.get(reverse("pue_annulla", args=[nuova.pk])).status_code == 200

    prenotazione_annulla(chi=scena.operatore, prenotazione_id=nuova.pk, motivo="il cittadino ha rinunciato")
    risposta = c.get(reverse("pue_sposta", args=[nuova.pk]))
    assert risposta.status_code == 410
    assert "il cittadino ha rinunciato" in risposta.content.decode()

    tenuta = slot_trattieni(chi=scena.operatore, richiesta=richiesta(scena, SLOT + dt.timedelta(days=1)))
    with clock.frozen(ADESSO + dt.timedelta(minutes=11)):
        scaduta = c.get(reverse("pue_prenota_dettagli", args=[tenuta.pk]))
    assert scaduta.status_code == 410
    assert "tempo per completare la prenotazione è scaduto" in scaduta.content.decode()

    passata = prenotazione_confermata(scena, SLOT + dt.timedelta(days=2))
    with clock.frozen(passata.inizio + dt.timedelta(minutes=1)):
        assert c.get(reverse("pue_annulla", args=[passata.pk])).status_code == 410


@pytest.mark.django_db
def test_cancel_and_reschedule_through_the_pages(client: Client, scena: Scena) -> None:
    c = _operatore(client, scena)
    p = prenotazione_confermata(scena)
    assert c.post(reverse("pue_annulla", args=[p.pk]), {"motivo": ""}).status_code == 400
    dopo = SLOT + dt.timedelta(minutes=30)
    spostata = c.post(reverse("pue_sposta", args=[p.pk]), {"inizio": dopo.isoformat()})
    nuova = Prenotazione.objects.get(inizio=dopo)
    assert spostata["Location"] == reverse("pue_prenotazione", args=[nuova.pk])
    p.refresh_from_db()
    ultimo = p.eventi.last()
    assert ultimo is not None
    assert (ultimo.a, ultimo.motivo) == ("annullata", "spostata ad altro orario")
    assert p.sostituita_da == nuova
    assert p.stato == Prenotazione.Stato.ANNULLATA
    assert nuova.cittadino_codice_fiscale == p.cittadino_codice_fiscale
    assert c.post(reverse("pue_annulla", args=[nuova.pk]), {"motivo": "rinuncia"}).status_code == 302
    nuova.refresh_from_db()
    assert nuova.stato == Prenotazione.Stato.ANNULLATA
    assert nuova.motivo_annullamento == "rinuncia"


@pytest.mark.django_db
def test_the_citizen_rates_the_meeting_once_after_it_started(client: Client, scena: Scena) -> None:
    c = _operatore(client, scena)
    p = prenotazione_confermata(scena)
    url = reverse("pue_valutazione", args=[p.pk])
    assert "potrà valutare l'incontro dal suo inizio" in c.get(url).content.decode()
    prima = c.post(url, {"voto": "5"})
    assert prima.status_code == 200
    assert "potrà valutare" in prima.content.decode()
    with clock.frozen(p.inizio + dt.timedelta(minutes=25)):
        assert c.post(url, {"voto": "9"}).status_code == 400
        assert c.post(url, {"voto": "4", "commento": "Chiaro e gentile"}).status_code == 200
        assert c.get(url).status_code == 410
        assert c.post(url, {"voto": "1"}).status_code == 410
    p.refresh_from_db()
    assert (p.valutazione, p.valutazione_commento) == (4, "Chiaro e gentile")
