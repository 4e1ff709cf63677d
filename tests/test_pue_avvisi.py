"""The e-mails of a booked web meeting to the Comune's operator (confirmation with the calendar invitation,
cancellation that removes it, the reminder the day before, sent once and never for a cancelled meeting) and the
removal of the citizen's data past the retention period (blanked, files deleted, the numbers kept, once)."""

from __future__ import annotations

import datetime as dt
from email.message import Message
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from icalendar import Calendar

from accounts.models import Prestazione
from inps_portal import clock
from pue.avvisi import Avviso, avviso_accoda, avviso_invia, promemoria_invia
from pue.calendario import uid_prenotazione
from pue.disponibilita import UTC
from pue.models import DocumentoIncontro, Prenotazione
from pue.prenotazioni import prenotazione_annulla, prenotazione_sposta
from pue.privacy import dati_scaduti_rimuovi
from pue.tasks import dati_scaduti, promemoria
from tests.pue_scena import ADESSO, SLOT, Scena, prenotazione_confermata, scena_prenotazioni

pytestmark = pytest.mark.django_db

PORTALE = "https://portale.example.it"
# The day before the meeting of Wednesday 3 March 2027 at 09:00, in Rome (UTC+1).
MARTEDI_0659 = dt.datetime(2027, 3, 2, 5, 59, tzinfo=UTC)
MARTEDI_0700 = dt.datetime(2027, 3, 2, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def portale(settings: Any) -> None:
    settings.PORTALE_URL = PORTALE


@pytest.fixture
def scena(registro: None) -> Scena:
    return scena_prenotazioni()


@pytest.fixture
def prenotazione(scena: Scena) -> Prenotazione:
    with clock.frozen(ADESSO):
        return prenotazione_confermata(scena)


def _parti(messaggio: EmailMessage) -> list[Message]:
    return list(messaggio.message().walk())


def _testo_completo(messaggio: EmailMessage) -> str:
    """Everything the e-mail says, decoded (bodies and attachments travel base64-encoded)."""
    testi = [str(messaggio.subject)]
    for parte in _parti(messaggio):
        contenuto = parte.get_payload(decode=True)
        if isinstance(contenuto, bytes):
            testi.append(contenuto.decode(parte.get_content_charset() or "utf-8"))
    return "\n".join(testi).replace("\r\n ", "")


def _invito(messaggio: EmailMessage) -> tuple[str, Calendar]:
    [parte] = [p for p in _parti(messaggio) if p.get_content_type() == "text/calendar"]
    assert parte.get_filename() == "invito.ics"
    contenuto = parte.get_payload(decode=True)
    assert isinstance(contenuto, bytes)
    return str(parte.get_param("method")), Calendar.from_ical(contenuto)


def _accoda(django_capture_on_commit_callbacks: Any, *avvisi: tuple[int, Avviso]) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for prenotazione_id, tipo in avvisi:
            avviso_accoda(prenotazione_id, tipo)


# --- Confirmation and cancellation ---------------------------------------------------------------------------------


def test_the_confirmation_carries_the_invitation(
    scena: Scena, prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO):
        _accoda(django_capture_on_commit_callbacks, (prenotazione.pk, Avviso.CONFERMA))
    [messaggio] = mailoutbox
    assert messaggio.to == [scena.operatore.email]
    assert messaggio.from_email == "noreply@portale-enti.example.it"
    assert messaggio.subject == (f"Web meeting INPS confermato: 03/03/2027 alle 09:00, {prenotazione.sportello.nome}")
    link = f"{PORTALE}/pue/incontri/{prenotazione.stanza}/"
    assert link in str(messaggio.body)
    assert "mercoledì 3 marzo 2027, dalle 09:00 alle 09:30" in str(messaggio.body)
    assert "si apre alle 08:45" in str(messaggio.body)
    assert "&#x27;" not in str(messaggio.body)  # plain text, not HTML-escaped
    [(html, tipo)] = messaggio.alternatives  # type: ignore[attr-defined]
    assert tipo == "text/html"
    assert f'href="{link}"' in html
    metodo, calendario = _invito(messaggio)
    assert metodo == "REQUEST"
    assert calendario["METHOD"] == "REQUEST"
    assert str(calendario.events[0]["UID"]) == uid_prenotazione(prenotazione)


def test_no_email_says_the_citizens_codice_fiscale(
    prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(MARTEDI_0700):
        _accoda(django_capture_on_commit_callbacks, (prenotazione.pk, Avviso.CONFERMA))
        promemoria_invia()
        _accoda(django_capture_on_commit_callbacks)  # the reminder's own callback ran inside promemoria_invia's
    assert len(mailoutbox) >= 1
    for messaggio in mailoutbox:
        testo = _testo_completo(messaggio)
        assert prenotazione.cittadino_codice_fiscale not in testo
        assert "Verdi" not in testo
        assert "Estratto conto" not in testo  # the subject of the meeting may be sensitive
        assert "G. V." in testo


def test_the_cancellation_removes_the_entry_from_the_calendar(
    scena: Scena, prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO):
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="Il cittadino rinuncia")
        _accoda(django_capture_on_commit_callbacks, (prenotazione.pk, Avviso.ANNULLAMENTO))
    [messaggio] = mailoutbox
    assert messaggio.subject.startswith("Web meeting INPS annullato: 03/03/2027 alle 09:00")
    assert "Motivo: Il cittadino rinuncia" in str(messaggio.body)
    metodo, calendario = _invito(messaggio)
    assert metodo == "CANCEL"
    assert calendario["METHOD"] == "CANCEL"
    [evento] = calendario.events
    assert evento["STATUS"] == "CANCELLED"
    assert str(evento["UID"]) == uid_prenotazione(prenotazione)


def test_a_moved_meeting_cancels_the_old_entry_and_invites_to_the_new_one(
    scena: Scena, prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO):
        nuova = prenotazione_sposta(
            chi=scena.operatore, prenotazione_id=prenotazione.pk, nuovo_inizio=SLOT + dt.timedelta(days=1)
        )
        _accoda(
            django_capture_on_commit_callbacks,
            (prenotazione.pk, Avviso.ANNULLAMENTO),
            (nuova.pk, Avviso.CONFERMA),
        )
    vecchio, nuovo = mailoutbox
    assert vecchio.subject.startswith("Web meeting INPS spostato: 03/03/2027 alle 09:00")
    assert "spostato a giovedì 4 marzo 2027 alle 09:00" in str(vecchio.body)
    assert f"{PORTALE}/pue/incontri/{nuova.stanza}/" in str(vecchio.body)
    assert _invito(vecchio)[0] == "CANCEL"
    assert str(_invito(vecchio)[1].events[0]["UID"]) == uid_prenotazione(prenotazione)
    assert nuovo.subject.startswith("Web meeting INPS confermato: 04/03/2027 alle 09:00")
    assert _invito(nuovo)[0] == "REQUEST"
    assert str(_invito(nuovo)[1].events[0]["UID"]) == uid_prenotazione(nuova)


def test_a_notice_overtaken_by_a_later_change_is_not_sent(
    scena: Scena, prenotazione: Prenotazione, mailoutbox: list[EmailMessage]
) -> None:
    assert avviso_invia(prenotazione.pk, Avviso.ANNULLAMENTO) is False  # still confirmed
    with clock.frozen(ADESSO):
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="Rinuncia")
    assert avviso_invia(prenotazione.pk, Avviso.CONFERMA) is False  # cancelled before the task ran
    assert avviso_invia(prenotazione.pk, "promemoria") is False
    assert mailoutbox == []


def test_nothing_is_sent_before_the_transaction_commits(
    prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        avviso_accoda(prenotazione.pk, Avviso.CONFERMA)
    assert mailoutbox == []
    assert len(callbacks) == 1


# --- The reminder --------------------------------------------------------------------------------------------------


def _promemoria(quando: dt.datetime, django_capture_on_commit_callbacks: Any) -> int:
    with clock.frozen(quando), django_capture_on_commit_callbacks(execute=True):
        inviati: int = promemoria.delay().get()
    return inviati


def test_the_reminder_goes_the_day_before_once(
    prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    assert _promemoria(ADESSO, django_capture_on_commit_callbacks) == 0  # Monday: two days before
    assert _promemoria(MARTEDI_0659, django_capture_on_commit_callbacks) == 0  # Tuesday, before office hours
    assert mailoutbox == []
    assert _promemoria(MARTEDI_0700, django_capture_on_commit_callbacks) == 1
    [messaggio] = mailoutbox
    assert messaggio.subject == f"Promemoria: web meeting INPS domani alle 09:00, {prenotazione.sportello.nome}"
    assert f"{PORTALE}/pue/incontri/{prenotazione.stanza}/" in str(messaggio.body)
    prenotazione.refresh_from_db()
    assert prenotazione.promemoria_il == MARTEDI_0700
    for dopo in (15, 30, 60 * 10):
        assert _promemoria(MARTEDI_0700 + dt.timedelta(minutes=dopo), django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 1
    assert avviso_invia(prenotazione.pk, Avviso.PROMEMORIA) is True  # a redelivered task: the booking is claimed


def test_a_reminder_not_claimed_is_not_sent(prenotazione: Prenotazione, mailoutbox: list[EmailMessage]) -> None:
    assert avviso_invia(prenotazione.pk, Avviso.PROMEMORIA) is False
    assert mailoutbox == []


def test_no_reminder_on_the_day_of_the_meeting(
    prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    assert _promemoria(SLOT - dt.timedelta(hours=1), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_no_reminder_for_a_cancelled_meeting(
    scena: Scena, prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO):
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="Rinuncia")
    assert _promemoria(MARTEDI_0700, django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []
    prenotazione.refresh_from_db()
    assert prenotazione.promemoria_il is None


def test_a_meeting_booked_the_day_before_has_its_confirmation_and_no_reminder(
    scena: Scena, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(MARTEDI_0700 + dt.timedelta(hours=2)):
        prenotazione_confermata(scena, SLOT + dt.timedelta(hours=1))
    assert _promemoria(MARTEDI_0700 + dt.timedelta(hours=3), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_the_moved_meeting_gets_its_reminder_and_the_old_one_does_not(
    scena: Scena, prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO):
        nuova = prenotazione_sposta(
            chi=scena.operatore, prenotazione_id=prenotazione.pk, nuovo_inizio=SLOT + dt.timedelta(minutes=30)
        )
    assert _promemoria(MARTEDI_0700, django_capture_on_commit_callbacks) == 1
    assert list(Prenotazione.objects.filter(promemoria_il__isnull=False).values_list("pk", flat=True)) == [nuova.pk]
    assert "09:30" in mailoutbox[0].subject


# --- Personal data past the retention period -----------------------------------------------------------------------


def _con_dati_e_file(prenotazione: Prenotazione, scena: Scena) -> list[str]:
    prenotazione.delegato_codice_fiscale = "RSSMRA80A01H501U"
    prenotazione.delegato_nome, prenotazione.delegato_cognome = "Maria", "Rossi"
    prenotazione.delega_documento.save("delega.pdf", ContentFile(b"%PDF-1.4 delega"), save=False)
    prenotazione.richiesta_firmata.save("richiesta.pdf", ContentFile(b"%PDF-1.4 richiesta"), save=False)
    prenotazione.richiesta_firmata_il = ADESSO
    prenotazione.stato = Prenotazione.Stato.SVOLTA
    prenotazione.esito_note = "Il cittadino ha presentato la domanda di NASpI."
    prenotazione.valutazione, prenotazione.valutazione_commento = 4, "Molto gentili"
    prenotazione.prestazione = Prestazione.objects.first()
    prenotazione.save()
    documento = DocumentoIncontro(
        prenotazione=prenotazione,
        verso=DocumentoIncontro.Verso.DAL_CITTADINO,
        nome="documento.pdf",
        tipo="application/pdf",
        dimensione=10,
        caricato_da=scena.operatore,
    )
    documento.file.save("documento.pdf", ContentFile(b"%PDF-1.4 doc"), save=True)
    return [prenotazione.delega_documento.name, prenotazione.richiesta_firmata.name, documento.file.name]


def _rimuovi(quando: dt.datetime, django_capture_on_commit_callbacks: Any) -> int:
    with clock.frozen(quando), django_capture_on_commit_callbacks(execute=True):
        rimossi: int = dati_scaduti.delay().get()
    return rimossi


def test_past_the_retention_period_the_citizens_data_go_and_the_numbers_stay(
    scena: Scena, prenotazione: Prenotazione, django_capture_on_commit_callbacks: Any
) -> None:
    file = _con_dati_e_file(prenotazione, scena)
    storage = prenotazione.delega_documento.storage
    assert all(storage.exists(nome) for nome in file)
    fine = prenotazione.fine
    assert _rimuovi(fine + dt.timedelta(days=364), django_capture_on_commit_callbacks) == 0
    assert Prenotazione.objects.get(pk=prenotazione.pk).cittadino_codice_fiscale
    momento = fine + dt.timedelta(days=365, minutes=1)
    assert _rimuovi(momento, django_capture_on_commit_callbacks) == 1
    dopo = Prenotazione.objects.get(pk=prenotazione.pk)
    for campo in (
        "cittadino_codice_fiscale",
        "cittadino_nome",
        "cittadino_cognome",
        "delegato_codice_fiscale",
        "delegato_nome",
        "delegato_cognome",
        "argomento",
        "esito_note",
        "valutazione_commento",
        "delega_documento",
        "richiesta_firmata",
    ):
        assert not getattr(dopo, campo), campo
    assert not any(storage.exists(nome) for nome in file)
    assert not DocumentoIncontro.objects.filter(prenotazione=prenotazione).exists()
    assert dopo.dati_rimossi_il == momento
    numeri = ("stato", "inizio", "fine", "sportello_id", "comune_id", "convenzione_id", "prestazione_id", "valutazione")
    assert {c: getattr(dopo, c) for c in numeri} == {c: getattr(prenotazione, c) for c in numeri}
    assert dopo.valutazione == 4
    assert dopo.prestazione_id is not None
    # Idempotent: a second run finds nothing and changes nothing.
    assert _rimuovi(momento + dt.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert Prenotazione.objects.get(pk=prenotazione.pk).dati_rimossi_il == momento


def test_cancelled_bookings_go_by_the_date_they_were_made_and_future_ones_stay(
    scena: Scena, prenotazione: Prenotazione, django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO):
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="Rinuncia")
    futura_inizio = dt.datetime(2028, 3, 8, 8, tzinfo=UTC)  # Wednesday 8 March 2028
    with clock.frozen(ADESSO + dt.timedelta(days=366)):
        futura = prenotazione_confermata(scena, futura_inizio)
        assert _rimuovi(clock.now(), django_capture_on_commit_callbacks) == 1
    annullata = Prenotazione.objects.get(pk=prenotazione.pk)
    assert annullata.dati_rimossi_il is not None
    assert (annullata.cittadino_codice_fiscale, annullata.stato) == ("", "annullata")
    assert Prenotazione.objects.get(pk=futura.pk).cittadino_codice_fiscale == futura.cittadino_codice_fiscale


def test_the_removal_works_in_batches(scena: Scena, django_capture_on_commit_callbacks: Any) -> None:
    with clock.frozen(ADESSO):
        prenotazioni = [prenotazione_confermata(scena, SLOT + dt.timedelta(minutes=30 * n)) for n in range(3)]
    with clock.frozen(SLOT + dt.timedelta(days=400)), django_capture_on_commit_callbacks(execute=True):
        assert dati_scaduti_rimuovi(lotto=2) == 3
    assert not Prenotazione.objects.filter(pk__in=[p.pk for p in prenotazioni], dati_rimossi_il__isnull=True).exists()


def test_no_notice_is_sent_about_a_booking_without_its_data(
    prenotazione: Prenotazione, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    Prenotazione.objects.filter(pk=prenotazione.pk).update(dati_rimossi_il=ADESSO)
    assert avviso_invia(prenotazione.pk, Avviso.CONFERMA) is False
    assert mailoutbox == []


def test_the_booking_services_send_the_invitation_and_its_cancellation(
    scena: Scena, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with clock.frozen(ADESSO), django_capture_on_commit_callbacks(execute=True):
        prenotazione = prenotazione_confermata(scena)
    [conferma] = mailoutbox
    assert _invito(conferma)[0] == "REQUEST"
    with clock.frozen(ADESSO), django_capture_on_commit_callbacks(execute=True):
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="Rinuncia")
    _, annullamento = mailoutbox
    metodo, calendario = _invito(annullamento)
    invito = _invito(conferma)[1].events[0]
    assert metodo == "CANCEL"
    assert str(calendario.events[0]["UID"]) == str(invito["UID"])
    assert calendario.events[0].sequence > invito.sequence  # a calendar applies only a newer revision
