"""The INPS operator's day at a sportello (Messaggio 4461/2023, "Gestione sportelli"; M15), through the pages as the
operator of the Sede of Cosenza uses them: the meetings of a Rome day, the outcome from the start of the meeting,
the documents of the meeting checked by content and size, served never cached; another office's operator finds
nothing (404); the day page costs the same number of queries whatever the number of meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Attivita, Comune, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal import clock
from pue.disponibilita import ROMA, UTC
from pue.esiti import documento_allega, esito_registra, nome_sicuro
from pue.models import DocumentoIncontro, EccezioneSportello, Sportello
from pue.prenotazioni import prenotazione_annulla, prenotazione_conferma, slot_trattieni
from tests import accesso
from tests.factories import JPEG, PDF, UserFactory
from tests.pue_scena import (
    ADESSO,
    COSENZA,
    SLOT,
    Scena,
    dati_cittadino,
    orari_feriali,
    prenotazione_confermata,
    richiesta,
)
from tests.pue_scena import scena_prenotazioni as _scena_prenotazioni

pytestmark = pytest.mark.django_db

DURANTE = SLOT + dt.timedelta(minutes=5)  # the meeting of SLOT is under way


@pytest.fixture
def scena(registro: None) -> Scena:
    return _scena_prenotazioni()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _operatore_inps(codice: str = "ST-CS") -> User:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_SPORTELLO, organizzazione=Struttura.objects.get(codice=codice))
    return User.objects.get(pk=user.pk)


def _entra(user: User) -> Client:
    client = Client()
    accesso.entra(client, user, con_pin=False)  # INPS staff: the password
    return client


def _giornata(sportello: Sportello, giorno: dt.date) -> str:
    return f"{reverse('pue_sportello_giornata')}?sportello={sportello.pk}&giorno={giorno.isoformat()}"


def _incontri(client: Client, url: str) -> list[int]:
    risposta = client.get(url)
    assert risposta.status_code == 200
    return [r.p.pk for r in risposta.context["righe"]]


def _apertura(sportello: Sportello, giorno: dt.date, dalle: dt.time, alle: dt.time, operatori: int = 1) -> None:
    EccezioneSportello.objects.create(
        sportello=sportello, giorno=giorno, tipo=EccezioneSportello.Tipo.APERTURA, dalle=dalle, alle=alle,
        durata_minuti=30, operatori=operatori,
    )  # fmt: skip


def _rome(giorno: dt.date, ora: dt.time) -> dt.datetime:
    return dt.datetime.combine(giorno, ora, tzinfo=ROMA).astimezone(UTC)


def _pdf(nome: str = "verbale.pdf", contenuto: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(nome, contenuto, content_type="application/pdf")


def _file_salvati(cartella: Path) -> list[Path]:
    return [p for p in cartella.rglob("*") if p.is_file()] if cartella.exists() else []


# --- The day --------------------------------------------------------------------------------------------------------


def test_the_day_lists_only_that_sportello_s_meetings_of_that_rome_day(scena: Scena) -> None:
    sportello = scena.sportello
    tre, due = dt.date(2027, 3, 3), dt.date(2027, 3, 2)
    # Extra openings around midnight: 00:30 in Rome on the 3rd is 23:30 UTC on the 2nd.
    _apertura(sportello, tre, dt.time(0), dt.time(1))
    _apertura(sportello, tre, dt.time(9), dt.time(12))
    _apertura(sportello, due, dt.time(23), dt.time(23, 30))
    altro = Sportello.objects.create(
        struttura=sportello.struttura, nome="Zeta, secondo sportello", comune=Comune.objects.get(codice_istat=COSENZA)
    )
    orari_feriali(altro)
    with clock.frozen(ADESSO):
        notte = prenotazione_confermata(scena, _rome(tre, dt.time(0, 30)))
        mattina = prenotazione_confermata(scena, SLOT)
        sera_prima = prenotazione_confermata(scena, _rome(due, dt.time(23)))
        giorno_dopo = prenotazione_confermata(scena, SLOT + dt.timedelta(days=1))
        tenuta = slot_trattieni(chi=scena.operatore, richiesta=richiesta(scena, SLOT + dt.timedelta(minutes=30)))
        annullata = prenotazione_confermata(scena, SLOT + dt.timedelta(hours=1))
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=annullata.pk, motivo="il cittadino ha rinunciato")
        nell_altro = slot_trattieni(chi=scena.operatore, richiesta=replace(richiesta(scena), sportello_id=altro.pk))
        nell_altro = prenotazione_conferma(
            chi=scena.operatore, prenotazione_id=nell_altro.pk, dati=dati_cittadino(scena)
        )
    assert notte.inizio == dt.datetime(2027, 3, 2, 23, 30, tzinfo=UTC)

    client = _entra(_operatore_inps())
    with clock.frozen(ADESSO):
        assert _incontri(client, _giornata(sportello, tre)) == [notte.pk, mattina.pk]
        assert _incontri(client, _giornata(sportello, due)) == [sera_prima.pk]
        assert _incontri(client, _giornata(sportello, tre + dt.timedelta(days=1))) == [giorno_dopo.pk]
        assert _incontri(client, _giornata(altro, tre)) == [nell_altro.pk]
        pagina = client.get(_giornata(sportello, tre))
    assert [p.pk for p in pagina.context["annullate"]] == [annullata.pk]
    assert tenuta.pk not in [r.p.pk for r in pagina.context["righe"]]
    assert nell_altro.pk not in [r.p.pk for r in pagina.context["righe"]]
    html = pagina.content.decode()
    assert "00:30" in html
    assert "Giulio Verdi" in html
    assert "con assistenza dell'operatore del Comune" in html
    assert reverse("pue_incontro", args=[mattina.stanza]) in html
    assert "il cittadino ha rinunciato" in html


def test_without_parameters_the_page_shows_the_first_sportello_today_in_rome(scena: Scena) -> None:
    with clock.frozen(ADESSO):
        oggi = prenotazione_confermata(scena, SLOT)
    client = _entra(_operatore_inps())
    # 23:30 UTC on the 2nd is already the 3rd in Rome.
    with clock.frozen(dt.datetime(2027, 3, 2, 23, 30, tzinfo=UTC)):
        pagina = client.get(reverse("pue_sportello_giornata"))
    assert pagina.status_code == 200
    assert pagina.context["sportello"] == scena.sportello
    assert pagina.context["giorno"] == dt.date(2027, 3, 3)
    assert [r.p.pk for r in pagina.context["righe"]] == [oggi.pk]


@pytest.mark.parametrize("giorno", ["2027-02-30", "ieri", "03/03/2027", "2027-3-3"])
def test_a_day_that_is_not_a_date_is_a_400_with_the_reason(scena: Scena, giorno: str) -> None:
    client = _entra(_operatore_inps())
    risposta = client.get(reverse("pue_sportello_giornata"), {"sportello": str(scena.sportello.pk), "giorno": giorno})
    assert risposta.status_code == 400
    assert "La data indicata non è valida" in risposta.content.decode()


def test_the_day_page_records_the_reading_of_citizens_data(scena: Scena, caplog: pytest.LogCaptureFixture) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    inps = _operatore_inps()
    client = _entra(inps)
    with caplog.at_level("INFO", logger="inps_portal.audit"):
        client.get(_giornata(scena.sportello, dt.date(2027, 3, 3)))
        client.get(reverse("pue_sportello_prenotazione", args=[prenotazione.pk]))
    oggetti = [getattr(r, "oggetto", None) for r in caplog.records if r.name == "inps_portal.audit"]
    assert oggetti == [f"pue.sportello:{scena.sportello.pk}", f"pue.prenotazione:{prenotazione.pk}"]
    # In the audit table as well (Messaggio 4461/2023: every reading of a citizen's data).
    letture = Attivita.objects.filter(user=inps, tipo=Attivita.Tipo.LETTURA_DATI).order_by("pk")
    assert [(a.comune_id, a.descrizione) for a in letture] == [
        (None, f"Lettura degli incontri del 03/03/2027 di {scena.sportello.nome}"),
        (scena.comune.pk, f"Lettura della prenotazione {prenotazione.pk} (sportello)"),
    ]


# --- Who ------------------------------------------------------------------------------------------------------------


def test_another_office_s_operator_finds_nothing_and_changes_nothing(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    with clock.frozen(DURANTE):
        documento = documento_allega(
            chi=_operatore_inps(), prenotazione_id=prenotazione.pk, verso="dal_cittadino", file=_pdf()
        )
    roma = _operatore_inps("ST-RM")
    Sportello.objects.create(
        struttura=Struttura.objects.get(codice="ST-RM"), nome="Sportello PUE di Roma",
        comune=Comune.objects.get(codice_istat="058091"),
    )  # fmt: skip
    estranei = {
        "operatore INPS di Roma": _entra(roma),
        "operatore del Comune che ha prenotato": _entra(scena.operatore),
        "senza ruoli": _entra(UserFactory.create()),
        "amministratore del portale": _entra(UserFactory.create(is_staff=True, is_superuser=True)),
    }
    dettaglio = reverse("pue_sportello_prenotazione", args=[prenotazione.pk])
    with clock.frozen(DURANTE):
        for chi, client in estranei.items():
            stati = {
                "giornata": client.get(_giornata(scena.sportello, dt.date(2027, 3, 3))).status_code,
                "dettaglio": client.get(dettaglio).status_code,
                "esito": client.post(
                    reverse("pue_sportello_esito", args=[prenotazione.pk]), {"esito": "svolta"}
                ).status_code,
                "documento": client.post(
                    reverse("pue_sportello_documento", args=[prenotazione.pk]),
                    {"verso": "al_cittadino", "file": _pdf()},
                ).status_code,
                "scarica": client.get(
                    reverse("pue_sportello_documento_scarica", args=[prenotazione.pk, documento.pk])
                ).status_code,
            }
            assert stati == dict.fromkeys(stati, 404), chi
    prenotazione.refresh_from_db()
    assert (prenotazione.stato, prenotazione.esito_il) == ("confermata", None)
    assert DocumentoIncontro.objects.count() == 1
    # Roma's operator has a sportello of their own: the page opens on it, empty.
    assert _entra(roma).get(reverse("pue_sportello_giornata")).status_code == 200


def test_an_operator_whose_office_has_no_sportello_yet_is_told_where_to_open_it(registro: None) -> None:
    """The menu leads every operatore di sportello to the day page: without a sportello it says where to open one;
    without the role the page does not exist."""
    pagina = _entra(_operatore_inps("PN-AU")).get(reverse("pue_sportello_giornata"))
    assert pagina.status_code == 200
    assert reverse("pue_orari") in pagina.content.decode()
    assert _entra(UserFactory.create()).get(reverse("pue_sportello_giornata")).status_code == 404


def test_anonymous_people_are_sent_to_the_login(scena: Scena) -> None:
    risposta = Client().get(reverse("pue_sportello_giornata"))
    assert risposta.status_code == 302
    assert reverse("account_login") in risposta["Location"]


def test_a_booking_of_another_sportello_of_the_same_office_is_in_reach(scena: Scena) -> None:
    """The role is on the Struttura: its operators answer for each of its sportelli."""
    altro = Sportello.objects.create(
        struttura=scena.sportello.struttura, nome="Zeta", comune=Comune.objects.get(codice_istat=COSENZA)
    )
    client = _entra(_operatore_inps())
    assert client.get(_giornata(altro, dt.date(2027, 3, 3))).status_code == 200
    assert client.get(f"{reverse('pue_sportello_giornata')}?sportello=999999").status_code == 404
    assert client.get(f"{reverse('pue_sportello_giornata')}?sportello=abc").status_code == 404


# --- The outcome ----------------------------------------------------------------------------------------------------


def test_a_held_meeting_is_recorded_with_its_follow_up_from_the_day_page(scena: Scena) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    inps = _operatore_inps()
    client = _entra(inps)
    with clock.frozen(DURANTE):
        risposta = client.post(
            reverse("pue_sportello_esito", args=[prenotazione.pk]),
            {"esito": "svolta", "seguito": "on", "documenti_scambiati": "on", "da": "giornata"},
        )
        assert risposta.status_code == 302
        assert risposta["Location"] == _giornata(scena.sportello, dt.date(2027, 3, 3))
        pagina = client.get(risposta["Location"])
    assert "Esito registrato" in pagina.content.decode()
    prenotazione.refresh_from_db()
    assert (prenotazione.stato, prenotazione.seguito, prenotazione.documenti_scambiati) == ("svolta", True, True)
    assert (prenotazione.esito_da, prenotazione.esito_il) == (inps, DURANTE)
    ultimo = prenotazione.eventi.last()
    assert ultimo is not None
    assert (ultimo.da, ultimo.a, ultimo.chi, ultimo.quando) == ("confermata", "svolta", inps, DURANTE)


def test_a_no_show_is_recorded_from_the_start_of_the_meeting(scena: Scena) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    client = _entra(_operatore_inps())
    with clock.frozen(SLOT):
        risposta = client.post(
            reverse("pue_sportello_esito", args=[prenotazione.pk]),
            {"esito": "non_presentato", "note": "Non si è collegato."},
            follow=True,
        )
    assert risposta.status_code == 200
    assert risposta.redirect_chain == [(reverse("pue_sportello_prenotazione", args=[prenotazione.pk]), 302)]
    prenotazione.refresh_from_db()
    assert (prenotazione.stato, prenotazione.esito_note, prenotazione.seguito) == (
        "non_presentato",
        "Non si è collegato.",
        False,
    )


def test_the_outcome_is_refused_before_the_meeting_starts(scena: Scena) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    client = _entra(_operatore_inps())
    with clock.frozen(SLOT - dt.timedelta(minutes=1)):
        risposta = client.post(reverse("pue_sportello_esito", args=[prenotazione.pk]), {"esito": "non_presentato"})
    assert risposta.status_code == 400
    assert "L&#x27;incontro non è ancora iniziato (inizia alle 09:00 del 03/03/2027)" in risposta.content.decode()
    prenotazione.refresh_from_db()
    assert (prenotazione.stato, prenotazione.esito_il) == ("confermata", None)


def test_a_cancelled_meeting_has_no_outcome(scena: Scena) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
        prenotazione_annulla(chi=scena.operatore, prenotazione_id=prenotazione.pk, motivo="rinuncia")
    client = _entra(_operatore_inps())
    with clock.frozen(DURANTE):
        assert client.get(reverse("pue_sportello_prenotazione", args=[prenotazione.pk])).status_code == 200
        risposta = client.post(reverse("pue_sportello_esito", args=[prenotazione.pk]), {"esito": "svolta"})
    assert risposta.status_code == 400
    assert "La prenotazione è annullata" in risposta.content.decode()
    prenotazione.refresh_from_db()
    assert (prenotazione.stato, prenotazione.esito_il) == ("annullata", None)


@pytest.mark.parametrize(
    ("dati", "messaggio"),
    [
        ({"esito": "forse"}, "Esito non valido"),
        ({}, "Indichi se l&#x27;incontro si è svolto"),
        ({"esito": "svolta", "note": "x" * 2001}, "Le note superano i 2000 caratteri"),
        ({"esito": "non_presentato", "documenti_scambiati": "on"}, "non ci sono documenti scambiati"),
    ],
)
def test_bad_input_is_a_400_with_the_reason_and_changes_nothing(
    scena: Scena, dati: dict[str, str], messaggio: str
) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    client = _entra(_operatore_inps())
    with clock.frozen(DURANTE):
        risposta = client.post(reverse("pue_sportello_esito", args=[prenotazione.pk]), dati)
    assert risposta.status_code == 400
    assert messaggio in risposta.content.decode()
    prenotazione.refresh_from_db()
    assert (prenotazione.stato, prenotazione.esito_il, prenotazione.esito_note) == ("confermata", None, "")


def test_a_colleague_corrects_the_outcome_on_the_day_it_was_recorded_and_not_after(scena: Scena) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    primo, collega = _operatore_inps(), _operatore_inps()
    with clock.frozen(DURANTE):
        esito_registra(
            chi=primo, prenotazione_id=prenotazione.pk, esito="non_presentato", seguito=False,
            documenti_scambiati=False, note="",
        )  # fmt: skip
    client = _entra(collega)
    sera = dt.datetime(2027, 3, 3, 22, 59, tzinfo=UTC)  # 23:59 in Rome, same day
    with clock.frozen(sera):
        corretta = client.post(
            reverse("pue_sportello_esito", args=[prenotazione.pk]), {"esito": "svolta", "note": "Collegato in ritardo."}
        )
    assert corretta.status_code == 302
    prenotazione.refresh_from_db()
    assert (prenotazione.stato, prenotazione.esito_da, prenotazione.esito_il) == ("svolta", collega, sera)
    with clock.frozen(sera + dt.timedelta(minutes=2)):  # 00:01 of the 4th in Rome
        tardi = client.post(reverse("pue_sportello_esito", args=[prenotazione.pk]), {"esito": "non_presentato"})
    assert tardi.status_code == 400
    assert "definitivo" in tardi.content.decode()
    prenotazione.refresh_from_db()
    assert prenotazione.stato == "svolta"


def test_a_forgotten_outcome_is_still_recorded_days_later(scena: Scena) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    client = _entra(_operatore_inps())
    with clock.frozen(SLOT + dt.timedelta(days=3)):
        risposta = client.post(reverse("pue_sportello_esito", args=[prenotazione.pk]), {"esito": "svolta"})
    assert risposta.status_code == 302
    prenotazione.refresh_from_db()
    assert prenotazione.stato == "svolta"


# --- The documents of the meeting -----------------------------------------------------------------------------------


def test_a_real_pdf_is_attached_and_served_never_cached(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    inps = _operatore_inps()
    client = _entra(inps)
    with clock.frozen(DURANTE):
        risposta = client.post(
            reverse("pue_sportello_documento", args=[prenotazione.pk]),
            {"verso": "al_cittadino", "file": _pdf("../../Estratto conto: 2027.pdf")},
        )
        assert risposta.status_code == 302
        assert risposta["Location"] == reverse("pue_sportello_prenotazione", args=[prenotazione.pk])
        pagina = client.get(risposta["Location"])
    documento = DocumentoIncontro.objects.get()
    assert (documento.verso, documento.tipo, documento.dimensione, documento.caricato_da) == (
        "al_cittadino",
        "application/pdf",
        len(PDF),
        inps,
    )
    assert documento.nome == "Estratto conto_ 2027.pdf"
    assert "Estratto conto" not in documento.file.name  # nothing of the name on disk
    assert documento.nome in pagina.content.decode()
    prenotazione.refresh_from_db()
    assert prenotazione.documenti_scambiati
    scaricato = client.get(reverse("pue_sportello_documento_scarica", args=[prenotazione.pk, documento.pk]))
    assert scaricato.status_code == 200
    assert scaricato.content == PDF
    assert scaricato["Cache-Control"] == "no-store"
    assert scaricato["X-Content-Type-Options"] == "nosniff"
    assert scaricato["Content-Type"] == "application/pdf"
    assert scaricato["Content-Disposition"].startswith("attachment;")
    # The document belongs to its booking: another booking's address does not serve it.
    with clock.frozen(ADESSO):
        altra = prenotazione_confermata(scena, SLOT + dt.timedelta(days=1))
    assert client.get(reverse("pue_sportello_documento_scarica", args=[altra.pk, documento.pk])).status_code == 404


@pytest.mark.parametrize(
    ("file", "messaggio"),
    [
        (SimpleUploadedFile("verbale.pdf", b"MZ\x90\x00 not a pdf at all"), "Il file non è un PDF"),
        (SimpleUploadedFile("foto.png", PDF), "Il file non è un PDF"),
        (SimpleUploadedFile("foto.pdf", JPEG[: len(PDF)]), "Il file non è un PDF"),
        (SimpleUploadedFile("grande.pdf", PDF + b"0" * 200), "il massimo è"),
    ],
    ids=["finto-pdf", "estensione-sbagliata", "jpeg-chiamato-pdf", "troppo-grande"],
)
def test_a_file_that_is_not_what_it_says_or_too_big_is_refused_and_nothing_is_kept(
    scena: Scena, media: Path, settings: Any, file: SimpleUploadedFile, messaggio: str
) -> None:
    settings.DOCUMENTI_DIMENSIONE_MASSIMA = len(PDF) + 10
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    client = _entra(_operatore_inps())
    with clock.frozen(DURANTE):
        risposta = client.post(
            reverse("pue_sportello_documento", args=[prenotazione.pk]), {"verso": "dal_cittadino", "file": file}
        )
    assert risposta.status_code == 400
    assert messaggio in risposta.content.decode()
    assert not DocumentoIncontro.objects.exists()
    assert _file_salvati(media) == []
    prenotazione.refresh_from_db()
    assert not prenotazione.documenti_scambiati


def test_documents_are_attached_only_during_or_after_a_meeting_held(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    client = _entra(_operatore_inps())
    url = reverse("pue_sportello_documento", args=[prenotazione.pk])
    with clock.frozen(SLOT - dt.timedelta(minutes=1)):
        prima = client.post(url, {"verso": "dal_cittadino", "file": _pdf()})
    assert prima.status_code == 400
    assert "non è ancora iniziato" in prima.content.decode()
    with clock.frozen(DURANTE):
        senza_verso = client.post(url, {"file": _pdf()})
        assert senza_verso.status_code == 400
        assert "Indichi se il documento" in senza_verso.content.decode()
        client.post(reverse("pue_sportello_esito", args=[prenotazione.pk]), {"esito": "non_presentato"})
        dopo_assenza = client.post(url, {"verso": "dal_cittadino", "file": _pdf()})
    assert dopo_assenza.status_code == 400
    assert "non si è presentato" in dopo_assenza.content.decode()
    assert not DocumentoIncontro.objects.exists()
    assert _file_salvati(media) == []


def test_a_no_show_is_refused_once_documents_of_the_meeting_are_attached(scena: Scena, media: Path) -> None:
    with clock.frozen(ADESSO):
        prenotazione = prenotazione_confermata(scena, SLOT)
    inps = _operatore_inps()
    with clock.frozen(DURANTE):
        documento_allega(chi=inps, prenotazione_id=prenotazione.pk, verso="dal_cittadino", file=_pdf())
        risposta = _entra(inps).post(
            reverse("pue_sportello_esito", args=[prenotazione.pk]), {"esito": "non_presentato"}
        )
    assert risposta.status_code == 400
    assert "sono allegati documenti" in risposta.content.decode()


@pytest.mark.parametrize(
    ("inviato", "atteso"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Documenti\\Verbale firmato.pdf", "Verbale firmato.pdf"),
        ("<script>.pdf", "_script_.pdf"),
        ("", "documento"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_the_listed_name_of_a_document_is_safe_and_short(inviato: str, atteso: str) -> None:
    assert nome_sicuro(inviato) == atteso


# --- Cost -----------------------------------------------------------------------------------------------------------


def test_the_day_page_runs_the_same_queries_for_2_and_for_12_meetings(registro: None, media: Path) -> None:
    scena = _scena_prenotazioni(operatori=2)
    pochi, molti = dt.date(2027, 3, 3), dt.date(2027, 3, 4)
    inps = _operatore_inps()
    with clock.frozen(ADESSO):
        # A cancelled meeting on each day (its seat booked again), shown apart.
        for giorno in (SLOT, SLOT + dt.timedelta(days=1)):
            annullata = prenotazione_confermata(scena, giorno)
            prenotazione_annulla(chi=scena.operatore, prenotazione_id=annullata.pk, motivo="rinuncia")
        due = [prenotazione_confermata(scena, SLOT + dt.timedelta(minutes=30 * i)) for i in range(2)]
        dodici = [prenotazione_confermata(scena, SLOT + dt.timedelta(days=1, minutes=30 * (i // 2))) for i in range(12)]
    # Outcomes and documents on both days, so that every relation the page shows is there.
    for gruppo in (due, dodici):
        with clock.frozen(gruppo[-1].inizio + dt.timedelta(minutes=1)):
            for p in gruppo[:-1]:
                documento_allega(chi=inps, prenotazione_id=p.pk, verso="dal_cittadino", file=_pdf())
                esito_registra(
                    chi=inps, prenotazione_id=p.pk, esito="svolta", seguito=True, documenti_scambiati=True, note=""
                )
    client = _entra(inps)
    client.get(_giornata(scena.sportello, pochi))  # the session and the caches warm
    with clock.frozen(ADESSO + dt.timedelta(days=5)):
        with CaptureQueriesContext(connection) as con_due:
            assert len(_incontri(client, _giornata(scena.sportello, pochi))) == 2
        with CaptureQueriesContext(connection) as con_dodici:
            assert len(_incontri(client, _giornata(scena.sportello, molti))) == 12
    assert len(con_dodici.captured_queries) == len(con_due.captured_queries), [
        q["sql"] for q in con_dodici.captured_queries
    ]
