"""The web meeting of a booking (Messaggio 4461/2023, "Gestione sportelli"): a short-lived token with the claims of
Jitsi's token authentication; a join link open from 15 minutes before the meeting to its end, for the Comune's
operators (strong session) and the INPS operators of the sportello's Struttura, and a 404 for anyone else; the
calendar file with its time zone, a UID that survives changes, and METHOD:CANCEL once cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from accounts.models import Attivita, Comune, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal import clock
from pue.calendario import ics_prenotazione, uid_prenotazione
from pue.disponibilita import ROMA
from pue.incontri import (
    Esito,
    Partecipante,
    TokenRifiutato,
    ingresso,
    nome_stanza,
    token_crea,
    token_verifica,
    url_incontro,
)
from pue.models import Prenotazione
from pue.prenotazioni import prenotazione_annulla, prenotazione_sposta, slot_trattieni
from tests.accesso import BACKEND_PASSWORD
from tests.factories import UserFactory, accesso_forte, personale_inps
from tests.pue_scena import ADESSO, SLOT, Scena, prenotazione_confermata, richiesta, scena_prenotazioni

pytestmark = pytest.mark.django_db

PROVIDER = "https://meet.inps.example.it"
SEGRETO = "segreto-di-prova-dei-web-meeting-0123456789"
APERTURA = SLOT - dt.timedelta(minutes=15)  # 08:45 in Rome
FINE = SLOT + dt.timedelta(minutes=30)
COSENZA = "078045"
# PyJWT reads the wall clock; the tests' tokens live on the portal's clock (token_verifica checks them there).
SENZA_TEMPO = {"verify_exp": False, "verify_nbf": False, "verify_iat": False}


@pytest.fixture
def jitsi(settings: Any) -> None:
    settings.PUE_INCONTRI_URL = PROVIDER
    settings.PUE_INCONTRI_JWT_APP_ID = "portale-inps"
    settings.PUE_INCONTRI_JWT_SEGRETO = SEGRETO
    settings.PUE_INCONTRI_TOKEN_SECONDI = 120
    settings.PUE_INCONTRI_ANTICIPO_MINUTI = 15


@pytest.fixture
def scena(registro: None) -> Scena:
    return scena_prenotazioni()


@pytest.fixture
def prenotazione(scena: Scena) -> Prenotazione:
    with clock.frozen(ADESSO):
        return prenotazione_confermata(scena)


def _comune(client: Client, user: User, *, forte: bool = True) -> Client:
    client.force_login(user, backend=BACKEND_PASSWORD)
    if forte:
        accesso_forte(client)
    return client


def _operatore_inps(codice: str = "ST-CS") -> User:
    return personale_inps(Ruolo.OPERATORE_SPORTELLO, codice)


def _entra(client: Client, prenotazione: Prenotazione, quando: dt.datetime) -> Any:
    with clock.frozen(quando):
        return client.get(reverse("pue_incontro", args=[prenotazione.stanza]))


def _token(location: str, quando: dt.datetime = SLOT) -> dict[str, Any]:
    """The claims of the redirect's token, as the provider checks them at ``quando``."""
    token = parse_qs(urlsplit(location).query)["jwt"][0]
    with clock.frozen(quando):
        return token_verifica(token, stanza=urlsplit(location).path.strip("/"))


# --- The token -----------------------------------------------------------------------------------------------------


def test_the_token_carries_the_claims_of_jitsi_token_authentication(jitsi: None, prenotazione: Prenotazione) -> None:
    with clock.frozen(SLOT):
        token = token_crea(prenotazione, nome="Anna Bianchi (INPS)", ruolo=Partecipante.OPERATORE_INPS)
    claims = jwt.decode(
        token,
        SEGRETO,
        algorithms=["HS256"],
        audience="jitsi",
        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
    )
    adesso = int(SLOT.timestamp())
    assert claims == {
        "aud": "jitsi",
        "iss": "portale-inps",
        "sub": "meet.inps.example.it",
        "room": f"inps-pue-{prenotazione.stanza}".lower(),
        "iat": adesso,
        "nbf": adesso,
        "exp": adesso + 120,
        "context": {"user": {"name": "Anna Bianchi (INPS)", "moderator": True}},
    }
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_only_the_inps_operator_is_moderator(jitsi: None, prenotazione: Prenotazione) -> None:
    with clock.frozen(SLOT):
        comune = token_verifica(token_crea(prenotazione, nome="x", ruolo=Partecipante.OPERATORE_COMUNE))
        inps = token_verifica(token_crea(prenotazione, nome="x", ruolo=Partecipante.OPERATORE_INPS))
    assert comune["context"]["user"]["moderator"] is False
    assert inps["context"]["user"]["moderator"] is True


def test_a_token_is_refused_once_expired(jitsi: None, prenotazione: Prenotazione) -> None:
    with clock.frozen(SLOT):
        token = token_crea(prenotazione, nome="x", ruolo=Partecipante.OPERATORE_COMUNE)
    with clock.frozen(SLOT + dt.timedelta(seconds=119)):
        assert token_verifica(token, stanza=nome_stanza(prenotazione))["room"] == nome_stanza(prenotazione)
    with clock.frozen(SLOT + dt.timedelta(seconds=120)), pytest.raises(TokenRifiutato, match="scaduto") as rifiuto:
        token_verifica(token)
    assert isinstance(rifiuto.value.__cause__, jwt.ExpiredSignatureError)
    with clock.frozen(SLOT - dt.timedelta(seconds=1)), pytest.raises(TokenRifiutato):
        token_verifica(token)  # not yet valid


def test_a_token_for_another_room_or_signed_otherwise_is_refused(
    jitsi: None, settings: Any, scena: Scena, prenotazione: Prenotazione
) -> None:
    with clock.frozen(ADESSO):
        altra = prenotazione_confermata(scena, SLOT + dt.timedelta(minutes=30))
    with clock.frozen(SLOT):
        token = token_crea(prenotazione, nome="x", ruolo=Partecipante.OPERATORE_COMUNE)
        with pytest.raises(TokenRifiutato, match="altra stanza"):
            token_verifica(token, stanza=nome_stanza(altra))
        falso = jwt.encode({**jwt.decode(token, options={"verify_signature": False})}, "x" * 40, algorithm="HS256")
        with pytest.raises(TokenRifiutato, match="non è valido"):
            token_verifica(falso)
        settings.PUE_INCONTRI_JWT_APP_ID = "un-altro-portale"
        with pytest.raises(TokenRifiutato):
            token_verifica(token)


def test_the_provider_url_names_the_room_and_carries_a_token_only_with_a_secret(
    jitsi: None, settings: Any, prenotazione: Prenotazione
) -> None:
    with clock.frozen(SLOT):
        url = url_incontro(prenotazione, nome="x", ruolo=Partecipante.OPERATORE_COMUNE)
        assert url.startswith(f"{PROVIDER}/inps-pue-{prenotazione.stanza.lower()}?jwt=")
        settings.PUE_INCONTRI_JWT_SEGRETO = ""
        assert url_incontro(prenotazione, nome="x", ruolo=Partecipante.OPERATORE_COMUNE) == (
            f"{PROVIDER}/inps-pue-{prenotazione.stanza.lower()}"
        )


# --- When the meeting opens ----------------------------------------------------------------------------------------


def test_the_meeting_opens_fifteen_minutes_before_and_closes_at_its_end(prenotazione: Prenotazione) -> None:
    with clock.frozen(APERTURA - dt.timedelta(seconds=1)):
        presto = ingresso(prenotazione)
    assert presto.esito is Esito.NON_ANCORA
    assert presto.motivo == "L'incontro si apre alle 08:45 del 03/03/2027."
    for quando in (APERTURA, SLOT, FINE - dt.timedelta(seconds=1)):
        with clock.frozen(quando):
            assert ingresso(prenotazione).aperto, quando
    with clock.frozen(FINE):
        finito = ingresso(prenotazione)
    assert finito.esito is Esito.CHIUSO
    assert "concluso" in finito.motivo


def test_the_opening_time_is_in_rome_across_the_clock_change(scena: Scena) -> None:
    estate = dt.datetime(2027, 4, 7, 7, tzinfo=dt.UTC)  # Wednesday 7 April 2027, 09:00 CEST
    with clock.frozen(dt.datetime(2027, 4, 5, 9, tzinfo=dt.UTC)):
        prenotazione = prenotazione_confermata(scena, estate)
        assert ingresso(prenotazione).motivo == "L'incontro si apre alle 08:45 del 07/04/2027."


def test_a_meeting_marked_held_can_be_entered_again_while_it_lasts(prenotazione: Prenotazione) -> None:
    Prenotazione.objects.filter(pk=prenotazione.pk).update(stato=Prenotazione.Stato.SVOLTA)
    prenotazione.refresh_from_db()
    with clock.frozen(SLOT + dt.timedelta(minutes=20)):
        assert ingresso(prenotazione).aperto
    with clock.frozen(FINE):
        assert not ingresso(prenotazione).aperto


def test_an_expired_hold_and_an_absent_citizen_never_open(scena: Scena, prenotazione: Prenotazione) -> None:
    with clock.frozen(ADESSO):
        tenuta = slot_trattieni(chi=scena.operatore, richiesta=richiesta(scena, SLOT + dt.timedelta(minutes=30)))
        assert ingresso(tenuta).esito is Esito.NON_ANCORA
    with clock.frozen(SLOT + dt.timedelta(minutes=30)):
        assert ingresso(tenuta).esito is Esito.CHIUSO
    Prenotazione.objects.filter(pk=prenotazione.pk).update(stato=Prenotazione.Stato.NON_PRESENTATO)
    prenotazione.refresh_from_db()
    with clock.frozen(SLOT):
        assert ingresso(prenotazione).esito is Esito.CHIUSO


# --- The join page -------------------------------------------------------------------------------------------------


def test_the_comune_operator_is_sent_to_the_room_and_the_access_is_logged(
    jitsi: None, client: Client, scena: Scena, prenotazione: Prenotazione
) -> None:
    _comune(client, scena.operatore)
    risposta = _entra(client, prenotazione, SLOT - dt.timedelta(minutes=5))
    assert risposta.status_code == 302
    assert risposta["Location"].startswith(f"{PROVIDER}/inps-pue-{prenotazione.stanza.lower()}?jwt=")
    assert "no-store" in risposta["Cache-Control"]
    claims = _token(risposta["Location"], SLOT - dt.timedelta(minutes=5))
    assert claims["context"]["user"] == {"name": "Mario Rossi (Comune di Rende)", "moderator": False}
    riga = Attivita.objects.get(user=scena.operatore, tipo=Attivita.Tipo.LETTURA_DATI)
    assert riga.comune == scena.comune
    assert f"prenotazione {prenotazione.pk}" in riga.descrizione


def test_the_inps_operator_of_the_struttura_enters_as_moderator(
    jitsi: None, client: Client, prenotazione: Prenotazione
) -> None:
    inps = _operatore_inps()
    client.force_login(inps, backend=BACKEND_PASSWORD)  # INPS staff: no SPID needed
    risposta = _entra(client, prenotazione, SLOT)
    assert risposta.status_code == 302
    assert _token(risposta["Location"])["context"]["user"]["moderator"] is True
    assert Attivita.objects.filter(user=inps, tipo=Attivita.Tipo.LETTURA_DATI, comune=None).count() == 1


def test_a_comune_operator_without_a_strong_session_gets_the_page_that_says_why(
    client: Client, scena: Scena, prenotazione: Prenotazione
) -> None:
    _comune(client, scena.operatore, forte=False)
    risposta = _entra(client, prenotazione, SLOT)
    assert risposta.status_code == 403
    assert "SPID di livello 2" in risposta.content.decode()
    assert not Attivita.objects.filter(tipo=Attivita.Tipo.LETTURA_DATI).exists()


def test_too_early_is_a_page_that_says_when_it_opens(client: Client, scena: Scena, prenotazione: Prenotazione) -> None:
    _comune(client, scena.operatore)
    risposta = _entra(client, prenotazione, ADESSO)
    assert risposta.status_code == 200
    assert "L&#x27;incontro si apre alle 08:45 del 03/03/2027" in risposta.content.decode()
    assert not Attivita.objects.filter(tipo=Attivita.Tipo.LETTURA_DATI).exists()


def test_an_ended_meeting_is_gone(client: Client, scena: Scena, prenotazione: Prenotazione) -> None:
    _comune(client, scena.operatore)
    risposta = _entra(client, prenotazione, FINE)
    assert risposta.status_code == 410
    assert "concluso" in risposta.content.decode()


def test_a_cancelled_meeting_is_gone(client: Client, scena: Scena, prenotazione: Prenotazione) -> None:
    with clock.frozen(ADESSO):
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="Il cittadino rinuncia")
    _comune(client, scena.operatore)
    risposta = _entra(client, prenotazione, SLOT)
    assert risposta.status_code == 410
    assert "annullato" in risposta.content.decode()


def test_a_moved_meeting_is_gone_and_points_to_the_new_one(
    client: Client, scena: Scena, prenotazione: Prenotazione
) -> None:
    nuovo_inizio = SLOT + dt.timedelta(days=1)  # Thursday 4 March, 09:00 in Rome
    with clock.frozen(ADESSO):
        nuova = prenotazione_sposta(chi=scena.operatore, prenotazione_id=prenotazione.pk, nuovo_inizio=nuovo_inizio)
    _comune(client, scena.operatore)
    risposta = _entra(client, prenotazione, SLOT)
    assert risposta.status_code == 410
    pagina = risposta.content.decode()
    assert "spostato" in pagina
    assert "09:00 del 04/03/2027" in pagina
    assert reverse("pue_incontro", args=[nuova.stanza]) in pagina
    assert _entra(client, nuova, nuovo_inizio).status_code == 302


def test_the_meeting_of_another_comune_or_struttura_is_not_found(
    jitsi: None, client: Client, prenotazione: Prenotazione
) -> None:
    di_cosenza = UserFactory.create()
    ruolo_assegna(
        user=di_cosenza, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat="078045")
    )
    _comune(client, di_cosenza)
    assert _entra(client, prenotazione, SLOT).status_code == 404
    client.force_login(_operatore_inps("ST-RM"), backend=BACKEND_PASSWORD)
    assert _entra(client, prenotazione, SLOT).status_code == 404
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"), backend=BACKEND_PASSWORD)
    assert _entra(client, prenotazione, SLOT).status_code == 404  # the Sede's back office is not the sportello
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True), backend=BACKEND_PASSWORD)
    assert _entra(client, prenotazione, SLOT).status_code == 404
    assert not Attivita.objects.filter(tipo=Attivita.Tipo.LETTURA_DATI).exists()


def test_an_anonymous_visitor_is_sent_to_the_login(client: Client, prenotazione: Prenotazione) -> None:
    risposta = _entra(client, prenotazione, SLOT)
    assert risposta.status_code == 302
    assert risposta["Location"].startswith(reverse("account_login"))


def test_an_unknown_room_is_not_found(client: Client, scena: Scena) -> None:
    _comune(client, scena.operatore)
    assert client.get(reverse("pue_incontro", args=["stanza-inventata"])).status_code == 404


# --- The calendar file ---------------------------------------------------------------------------------------------


def _calendario(ics: bytes) -> Calendar:
    return Calendar.from_ical(ics)


def test_the_calendar_file_is_an_invitation_at_nine_in_rome(prenotazione: Prenotazione) -> None:
    with clock.frozen(ADESSO):
        ics = ics_prenotazione(prenotazione, base_url="https://portale.example.it/")
    calendario = _calendario(ics)
    assert calendario["METHOD"] == "REQUEST"
    assert calendario["VERSION"] == "2.0"
    assert calendario["PRODID"]
    assert [tz.tz_name for tz in calendario.timezones] == ["Europe/Rome"]
    assert calendario.get_missing_tzids() == set()
    [evento] = calendario.events
    assert evento.start == dt.datetime(2027, 3, 3, 9, tzinfo=ROMA)
    inizio = evento.start
    assert isinstance(inizio, dt.datetime)
    assert (inizio.hour, inizio.minute, str(inizio.tzinfo)) == (
        9,
        0,
        "Europe/Rome",
    )  # wall-clock time, not just the instant
    assert "DTSTART;TZID=Europe/Rome:20270303T090000" in ics.decode()
    assert evento["DTSTART"].params["TZID"] == "Europe/Rome"
    assert evento.end == dt.datetime(2027, 3, 3, 9, 30, tzinfo=ROMA)
    assert evento["STATUS"] == "CONFIRMED"
    assert evento["SEQUENCE"] == 0
    assert str(evento["SUMMARY"]) == f"Web meeting INPS \N{EN DASH} {prenotazione.sportello.nome}"
    link = f"https://portale.example.it/pue/incontri/{prenotazione.stanza}/"
    assert str(evento["URL"]) == link
    assert str(evento["LOCATION"]) == link
    assert evento.stamp == ADESSO


def test_the_calendar_file_names_no_citizen_beyond_initials(prenotazione: Prenotazione) -> None:
    ics = ics_prenotazione(prenotazione, base_url="https://portale.example.it")
    testo = ics.decode().replace("\r\n ", "")
    assert prenotazione.cittadino_codice_fiscale not in testo
    assert "Verdi" not in testo
    assert "Giulio" not in testo
    assert "Estratto conto" not in testo
    assert "G. V." in str(_calendario(ics).events[0]["DESCRIPTION"])


def test_the_uid_survives_a_change_and_the_sequence_follows_it(prenotazione: Prenotazione) -> None:
    prima = _calendario(ics_prenotazione(prenotazione, base_url="https://p.example.it")).events[0]
    prenotazione.sequenza += 1
    prenotazione.save(update_fields=["sequenza"])
    dopo = _calendario(ics_prenotazione(prenotazione, base_url="https://p.example.it")).events[0]
    assert str(prima["UID"]) == str(dopo["UID"]) == uid_prenotazione(prenotazione)
    assert (prima["SEQUENCE"], dopo["SEQUENCE"]) == (0, 1)


def test_a_cancelled_booking_gives_a_cancellation(scena: Scena, prenotazione: Prenotazione) -> None:
    uid = uid_prenotazione(prenotazione)
    with clock.frozen(ADESSO):
        annullata = prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="Rinuncia")
    calendario = _calendario(ics_prenotazione(annullata, base_url="https://p.example.it"))
    assert calendario["METHOD"] == "CANCEL"
    [evento] = calendario.events
    assert evento["STATUS"] == "CANCELLED"
    assert str(evento["UID"]) == uid


def test_the_comune_operator_downloads_the_calendar_file(
    client: Client, scena: Scena, prenotazione: Prenotazione
) -> None:
    _comune(client, scena.operatore)
    with clock.frozen(ADESSO):
        risposta = client.get(reverse("pue_calendario", args=[prenotazione.pk]))
    assert risposta.status_code == 200
    assert risposta["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in risposta["Cache-Control"]
    evento = _calendario(risposta.content).events[0]
    assert str(evento["URL"]) == f"http://testserver/pue/incontri/{prenotazione.stanza}/"
    assert Attivita.objects.filter(user=scena.operatore, comune=scena.comune, tipo="lettura_dati").count() == 1


def test_the_calendar_file_is_only_for_the_comune(client: Client, scena: Scena, prenotazione: Prenotazione) -> None:
    url = reverse("pue_calendario", args=[prenotazione.pk])
    _comune(client, scena.operatore, forte=False)
    assert client.get(url).status_code == 403
    client.force_login(_operatore_inps(), backend=BACKEND_PASSWORD)
    accesso_forte(client)
    assert client.get(url).status_code == 404
    di_cosenza = UserFactory.create()
    ruolo_assegna(
        user=di_cosenza, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat="078045")
    )
    _comune(client, di_cosenza)
    assert client.get(url).status_code == 404
    with clock.frozen(ADESSO):
        tenuta = slot_trattieni(chi=scena.operatore, richiesta=richiesta(scena, SLOT + dt.timedelta(minutes=30)))
    _comune(client, scena.operatore)
    assert client.get(reverse("pue_calendario", args=[tenuta.pk])).status_code == 404  # a hold has no meeting yet
