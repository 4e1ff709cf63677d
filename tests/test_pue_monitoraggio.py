"""The Referenti's monitoring of a PUE convention (Messaggio 4461/2023, M21): per month in Europe/Rome the meetings
booked, held, missed and cancelled, the waiting time to the first free slot and the citizens' satisfaction; seen by
the Referente del Comune (with SPID, CIE or CNS) and the Referente INPS of the convention's Direzione, by nobody else;
as a table, as charts drawn on the server and as CSV, in a constant number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Comune, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from convenzioni.models import Convenzione
from inps_portal import clock
from pue import grafici
from pue.disponibilita import ROMA, UTC
from pue.models import Prenotazione, Sportello
from pue.monitoraggio import (
    Mese,
    cifre_per_convenzione,
    convenzioni_monitorate,
    monitoraggio_mensile,
    totale,
)
from tests.factories import UserFactory, accesso_forte, codice_fiscale_valido, convenzione_attiva_di_prova
from tests.pue_scena import ADESSO, Scena, scena_prenotazioni

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Stato = Prenotazione.Stato
BACKEND_PASSWORD = "accounts.backends.PasswordBackend"
ROMA_ISTAT = "058091"

_numeri = itertools.count(1000)


def _roma(anno: int, mese: int, giorno: int, ora: int, minuto: int = 0) -> dt.datetime:
    """An instant given as Rome's wall-clock time."""
    return dt.datetime(anno, mese, giorno, ora, minuto, tzinfo=ROMA)


def prenotazione(
    scena: Scena,
    inizio: dt.datetime,
    stato: str,
    *,
    confermata: bool = True,
    attesa_giorni: float | None = None,
    valutazione: int | None = None,
    sportello: Sportello | None = None,
    **altro: Any,
) -> Prenotazione:
    """A booking in ``stato``, written directly: made a week before the meeting, with the first free slot
    ``attesa_giorni`` later (none recorded when None, as old rows have)."""
    creata_il = inizio - dt.timedelta(days=7)
    con_cittadino = stato in (Stato.CONFERMATA, Stato.SVOLTA, Stato.NON_PRESENTATO)
    return Prenotazione.objects.create(
        sportello=sportello or scena.sportello,
        inizio=inizio,
        fine=inizio + dt.timedelta(minutes=30),
        stato=stato,
        comune=scena.comune,
        convenzione=scena.convenzione,
        operatore=scena.operatore,
        creata_il=creata_il,
        scade_il=inizio if stato == Stato.TRATTENUTA else None,
        confermata_il=creata_il + dt.timedelta(minutes=5) if confermata else None,
        primo_libero=creata_il + dt.timedelta(days=attesa_giorni) if attesa_giorni is not None else None,
        cittadino_codice_fiscale=codice_fiscale_valido(next(_numeri)) if con_cittadino else "",
        titolo="residenza" if con_cittadino else "",
        dichiarazione_il=creata_il if con_cittadino else None,
        valutazione=valutazione,
        valutazione_il=inizio + dt.timedelta(hours=1) if valutazione else None,
        **altro,
    )


@dataclass
class Persone:
    referente_comune: User
    referente_inps: User
    operatore: User
    amministratore: User
    referente_altro_comune: User
    referente_altra_direzione: User
    personale_direzione: User
    superutente: User


@pytest.fixture
def scena(registro: None) -> Scena:
    return scena_prenotazioni()


@pytest.fixture
def persone(scena: Scena) -> Persone:
    referente_comune = UserFactory.create()
    ruolo_assegna(user=referente_comune, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=scena.comune)
    referente_inps = UserFactory.create()
    ruolo_assegna(user=referente_inps, ruolo=Ruolo.REFERENTE_INPS, organizzazione=scena.convenzione.direzione)
    amministratore = UserFactory.create()
    ruolo_assegna(user=amministratore, ruolo=Ruolo.AMMINISTRATORE_UTENZE, organizzazione=scena.comune)
    altro_comune = UserFactory.create()
    ruolo_assegna(
        user=altro_comune, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=Comune.objects.get(codice_istat=ROMA_ISTAT)
    )
    altra_direzione = UserFactory.create()
    lazio = Struttura.objects.get(codice="DR-12")
    assert lazio.pk != scena.convenzione.direzione_id
    ruolo_assegna(user=altra_direzione, ruolo=Ruolo.REFERENTE_INPS, organizzazione=lazio)
    personale = UserFactory.create()
    ruolo_assegna(user=personale, ruolo=Ruolo.PERSONALE_DIREZIONE_REGIONALE, organizzazione=scena.convenzione.direzione)
    return Persone(
        referente_comune=referente_comune,
        referente_inps=referente_inps,
        operatore=scena.operatore,
        amministratore=amministratore,
        referente_altro_comune=altro_comune,
        referente_altra_direzione=altra_direzione,
        personale_direzione=personale,
        superutente=UserFactory.create(is_staff=True, is_superuser=True),
    )


@pytest.fixture
def prenotazioni(scena: Scena) -> dict[str, Prenotazione]:
    """March, April and June 2027 in Rome (no meeting in May), with every state and both month edges."""
    spostata_a = prenotazione(scena, _roma(2027, 4, 20, 10, 0), Stato.CONFERMATA, attesa_giorni=3)
    return {
        # March: 5 booked (2 held, 2 missed, 1 cancelled after confirmation).
        "svolta_5": prenotazione(scena, _roma(2027, 3, 3, 9, 0), Stato.SVOLTA, attesa_giorni=2, valutazione=5),
        "svolta_3": prenotazione(scena, _roma(2027, 3, 4, 9, 0), Stato.SVOLTA, attesa_giorni=4, valutazione=3),
        "assente_vecchia": prenotazione(scena, _roma(2027, 3, 5, 9, 0), Stato.NON_PRESENTATO),  # no first free slot
        "annullata": prenotazione(
            scena, _roma(2027, 3, 10, 9, 0), Stato.ANNULLATA, attesa_giorni=6, annullata_il=_roma(2027, 3, 8, 9)
        ),
        # 23:30 on 31 March in Rome (21:30 UTC, summer time since 28 March): still March.
        "fine_marzo": prenotazione(scena, _roma(2027, 3, 31, 23, 30), Stato.NON_PRESENTATO),
        # Never booked: a hold released before confirming, a hold that expired, a hold in progress.
        "rilasciata": prenotazione(scena, _roma(2027, 3, 11, 9, 0), Stato.ANNULLATA, confermata=False),
        "scaduta": prenotazione(scena, _roma(2027, 3, 12, 9, 0), Stato.SCADUTA, confermata=False),
        "trattenuta": prenotazione(scena, _roma(2027, 3, 15, 9, 0), Stato.TRATTENUTA, confermata=False),
        # Moved to 20 April: counted once, in April.
        "spostata": prenotazione(
            scena, _roma(2027, 3, 16, 9, 0), Stato.ANNULLATA, attesa_giorni=30, sostituita_da=spostata_a
        ),
        # April: 00:30 on 1 April in Rome is 22:30 on 31 March in UTC: April's.
        "primo_aprile": prenotazione(scena, _roma(2027, 4, 1, 0, 30), Stato.SVOLTA, attesa_giorni=1, valutazione=4),
        "spostata_a": spostata_a,
        # June (May stays empty).
        "giugno": prenotazione(scena, _roma(2027, 6, 7, 9, 0), Stato.SVOLTA, attesa_giorni=10),
    }


def _entra(client: Client, user: User, *, forte: bool) -> Client:
    client.force_login(user, backend=BACKEND_PASSWORD)
    if forte:
        accesso_forte(client)
    return client


# --- The figures ----------------------------------------------------------------------------------------------------


def test_the_months_count_the_confirmed_bookings_by_rome_month(
    scena: Scena, prenotazioni: dict[str, Prenotazione]
) -> None:
    assert prenotazioni["primo_aprile"].inizio.astimezone(UTC).date() == dt.date(2027, 3, 31)
    mesi = monitoraggio_mensile(scena.convenzione)
    assert [m.mese for m in mesi] == [
        dt.date(2027, 3, 1),
        dt.date(2027, 4, 1),
        dt.date(2027, 5, 1),
        dt.date(2027, 6, 1),
    ]
    marzo, aprile, maggio, giugno = mesi
    assert (marzo.prenotate, marzo.svolte, marzo.non_presentati, marzo.annullate, marzo.in_attesa_di_esito) == (
        5,
        2,
        2,
        1,
        0,
    )
    assert marzo.attesa_media_giorni == pytest.approx(4.0)  # (2 + 4 + 6) / 3: the rows without it left out
    assert marzo.con_attesa == 3
    assert marzo.gradimento_medio == pytest.approx(4.0)
    assert marzo.valutazioni == 2
    assert (aprile.prenotate, aprile.svolte, aprile.in_attesa_di_esito, aprile.annullate) == (2, 1, 1, 0)
    assert aprile.attesa_media_giorni == pytest.approx(2.0)  # (1 + 3) / 2, the moved booking's 30 days not counted
    assert aprile.gradimento_medio == pytest.approx(4.0)
    assert aprile.valutazioni == 1
    assert maggio == Mese(mese=dt.date(2027, 5, 1))
    assert (maggio.attesa_media_giorni, maggio.gradimento_medio) == (None, None)
    assert (giugno.prenotate, giugno.svolte, giugno.valutazioni, giugno.gradimento_medio) == (1, 1, 0, None)
    assert giugno.attesa_media_giorni == pytest.approx(10.0)
    tutto = totale(mesi)
    assert (tutto.prenotate, tutto.svolte, tutto.non_presentati, tutto.annullate, tutto.in_attesa_di_esito) == (
        8,
        4,
        2,
        1,
        1,
    )
    assert tutto.attesa_media_giorni == pytest.approx((2 + 4 + 6 + 1 + 3 + 10) / 6)
    assert tutto.gradimento_medio == pytest.approx(4.0)
    assert cifre_per_convenzione([scena.convenzione])[scena.convenzione.pk] == tutto


def test_a_meeting_at_half_past_midnight_on_the_first_of_november_is_november_s(scena: Scena) -> None:
    """Winter time again (31 October 2027): 00:30 on 1 November in Rome is 23:30 on 31 October in UTC."""
    prenotazione(scena, _roma(2027, 11, 1, 0, 30), Stato.SVOLTA)
    prenotazione(scena, _roma(2027, 10, 31, 23, 0), Stato.SVOLTA)
    mesi = monitoraggio_mensile(scena.convenzione)
    assert [(m.mese, m.prenotate) for m in mesi] == [(dt.date(2027, 10, 1), 1), (dt.date(2027, 11, 1), 1)]


def test_a_convention_without_bookings_has_no_months(scena: Scena) -> None:
    assert monitoraggio_mensile(scena.convenzione) == []
    assert totale([]).prenotate == 0
    assert cifre_per_convenzione([scena.convenzione]) == {}


def test_the_figures_are_one_query_whatever_the_number_of_bookings(scena: Scena) -> None:
    prenotazione(scena, _roma(2027, 3, 3, 9, 0), Stato.SVOLTA, attesa_giorni=1, valutazione=4)
    with CaptureQueriesContext(connection) as una:
        monitoraggio_mensile(scena.convenzione)
    for n in range(29):
        prenotazione(scena, _roma(2027, 3, 4, 9, 0) + dt.timedelta(days=n * 3), Stato.SVOLTA, valutazione=1 + n % 5)
    with CaptureQueriesContext(connection) as trenta:
        mesi = monitoraggio_mensile(scena.convenzione)
    assert sum(m.prenotate for m in mesi) == 30
    assert len(una) == len(trenta) == 1


# --- Who sees it ----------------------------------------------------------------------------------------------------


def test_the_referenti_of_both_parties_and_nobody_else_monitor_the_convention(scena: Scena, persone: Persone) -> None:
    assert list(convenzioni_monitorate(persone.referente_comune)) == [scena.convenzione]
    assert list(convenzioni_monitorate(persone.referente_inps)) == [scena.convenzione]
    for chi in (
        persone.operatore,
        persone.amministratore,
        persone.referente_altro_comune,
        persone.referente_altra_direzione,
        persone.personale_direzione,
        persone.superutente,
    ):
        assert scena.convenzione not in convenzioni_monitorate(chi)


def test_a_convention_never_active_is_not_monitored(scena: Scena, persone: Persone) -> None:
    roma = Comune.objects.get(codice_istat=ROMA_ISTAT)
    with clock.frozen(ADESSO):
        attiva = convenzione_attiva_di_prova(roma, amministratore_codice_fiscale=codice_fiscale_valido(990))
    assert attiva in convenzioni_monitorate(persone.referente_altro_comune)
    Convenzione.objects.filter(pk=attiva.pk).update(
        stato=Convenzione.Stato.ANNULLATA, attivata_il=None, protocollo=None, motivo_chiusura="prova"
    )
    assert attiva not in convenzioni_monitorate(persone.referente_altro_comune)


# --- The pages ------------------------------------------------------------------------------------------------------


def test_the_referente_del_comune_sees_the_table_and_the_charts(
    client: Client, scena: Scena, persone: Persone, prenotazioni: dict[str, Prenotazione]
) -> None:
    _entra(client, persone.referente_comune, forte=True)
    elenco = client.get(reverse("pue_monitoraggio"))
    assert elenco.status_code == 200
    assert elenco.context["righe"][0][0] == scena.convenzione
    assert elenco.context["righe"][0][1].prenotate == 8
    risposta = client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk]))
    assert risposta.status_code == 200
    html = risposta.content.decode()
    assert html.count('data-testid="mese"') == 4
    assert html.count('role="img"') == 3
    assert "<caption>Incontri per mese</caption>" in html
    assert "Aprile 2027" in html  # the month of the meeting at 00:30 on 1 April
    assert "4,00" in html  # the satisfaction of March, the Italian way


def test_the_referente_inps_with_a_password_sees_it(
    client: Client, scena: Scena, persone: Persone, prenotazioni: dict[str, Prenotazione]
) -> None:
    _entra(client, persone.referente_inps, forte=False)
    assert client.get(reverse("pue_monitoraggio")).status_code == 200
    risposta = client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk]))
    assert risposta.status_code == 200
    assert [m.prenotate for m in risposta.context["mesi"]] == [5, 2, 0, 1]


def test_the_referente_del_comune_needs_spid_cie_or_cns(client: Client, scena: Scena, persone: Persone) -> None:
    _entra(client, persone.referente_comune, forte=False)
    for url in (reverse("pue_monitoraggio"), reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk])):
        risposta = client.get(url)
        assert risposta.status_code == 403
        assert "Serve SPID di livello 2 o superiore, CIE o CNS" in risposta.content.decode()
    accesso_forte(client, metodo="spid", livello=1)
    assert client.get(reverse("pue_monitoraggio")).status_code == 403
    accesso_forte(client, metodo="cie", livello=None)
    assert client.get(reverse("pue_monitoraggio")).status_code == 200


def test_a_referente_of_both_parties_with_a_password_sees_what_they_follow_for_inps(
    client: Client, scena: Scena, persone: Persone
) -> None:
    """The Referente INPS of Calabria is also Referente del Comune of Roma: with a password they see Rende's
    monitoring (as INPS), Roma's only with SPID, CIE or CNS, and the list says so."""
    chi = persone.referente_inps
    roma = Comune.objects.get(codice_istat=ROMA_ISTAT)
    with clock.frozen(ADESSO):
        di_roma = convenzione_attiva_di_prova(roma, amministratore_codice_fiscale=codice_fiscale_valido(991))
    ruolo_assegna(user=chi, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=roma)
    _entra(client, chi, forte=False)
    elenco = client.get(reverse("pue_monitoraggio"))
    assert elenco.status_code == 200
    assert [c for c, _ in elenco.context["righe"]] == [scena.convenzione]
    assert elenco.context["nascoste"] == 1
    assert 'data-testid="nascoste"' in elenco.content.decode()
    assert client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk])).status_code == 200
    assert client.get(reverse("pue_monitoraggio_convenzione", args=[di_roma.pk])).status_code == 403
    accesso_forte(client)
    elenco = client.get(reverse("pue_monitoraggio"))
    assert {c for c, _ in elenco.context["righe"]} == {scena.convenzione, di_roma}
    assert elenco.context["nascoste"] == 0
    assert client.get(reverse("pue_monitoraggio_convenzione", args=[di_roma.pk])).status_code == 200


def test_the_referente_of_both_parties_of_one_convention_needs_no_strong_session(
    client: Client, scena: Scena, persone: Persone
) -> None:
    ruolo_assegna(user=persone.referente_inps, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=scena.comune)
    _entra(client, persone.referente_inps, forte=False)
    assert client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk])).status_code == 200


@pytest.mark.parametrize(
    "chi",
    [
        "operatore",
        "amministratore",
        "referente_altro_comune",
        "referente_altra_direzione",
        "personale_direzione",
        "superutente",
    ],
)
def test_whoever_is_not_its_referente_gets_a_404(client: Client, scena: Scena, persone: Persone, chi: str) -> None:
    _entra(client, getattr(persone, chi), forte=True)
    assert client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk])).status_code == 404
    assert (
        client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk]) + "?formato=csv").status_code
        == 404
    )


def test_the_list_is_a_404_for_whoever_monitors_nothing_and_a_login_for_anonymous_people(
    client: Client, scena: Scena, persone: Persone
) -> None:
    assert client.get(reverse("pue_monitoraggio")).status_code == 302
    assert client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk])).status_code == 302
    _entra(client, persone.operatore, forte=True)
    assert client.get(reverse("pue_monitoraggio")).status_code == 404


def test_the_pages_only_show(client: Client, scena: Scena, persone: Persone) -> None:
    _entra(client, persone.referente_inps, forte=False)
    assert client.post(reverse("pue_monitoraggio")).status_code == 405
    assert client.post(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk])).status_code == 405


def test_the_convention_page_takes_the_same_queries_with_1_or_30_bookings(
    client: Client, scena: Scena, persone: Persone
) -> None:
    _entra(client, persone.referente_inps, forte=False)
    url = reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk])
    prenotazione(scena, _roma(2027, 3, 3, 9, 0), Stato.SVOLTA, attesa_giorni=1, valutazione=4)
    client.get(url)  # the session and the caches warm
    with CaptureQueriesContext(connection) as una:
        assert client.get(url).status_code == 200
        assert client.get(reverse("pue_monitoraggio")).status_code == 200
    for n in range(29):
        prenotazione(scena, _roma(2027, 3, 4, 9, 0) + dt.timedelta(days=n * 5), Stato.SVOLTA, attesa_giorni=n % 4)
    with CaptureQueriesContext(connection) as trenta:
        assert client.get(url).status_code == 200
        assert client.get(reverse("pue_monitoraggio")).status_code == 200
    assert len(una) == len(trenta)
    assert len(trenta) <= 14  # 7 a page today: the session, the person, their roles, the conventions, the figures


# --- CSV and SVG ----------------------------------------------------------------------------------------------------


def test_the_csv_has_the_months_and_the_total(
    client: Client, scena: Scena, persone: Persone, prenotazioni: dict[str, Prenotazione]
) -> None:
    _entra(client, persone.referente_comune, forte=True)
    risposta = client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk]), {"formato": "csv"})
    assert risposta.status_code == 200
    assert risposta["Content-Type"] == "text/csv; charset=utf-8"
    assert f"monitoraggio-pue-{scena.comune.codice_istat}-{scena.convenzione.pk}.csv" in risposta["Content-Disposition"]
    testo = risposta.content.decode("utf-8")
    assert testo.startswith("\ufeff")
    righe = list(csv.reader(io.StringIO(testo.lstrip("\ufeff")), delimiter=";"))
    assert righe[0][:4] == ["Mese", "Prenotati", "Svolti", "Non presentati"]
    assert righe[1] == ["2027-03", "5", "2", "2", "1", "0", "4,0", "3", "4,00", "2"]
    assert righe[3] == ["2027-05", "0", "0", "0", "0", "0", "", "0", "", "0"]
    assert righe[-1][:6] == ["Totale", "8", "4", "2", "1", "1"]
    assert len(righe) == 6


def test_the_charts_escape_every_label(
    client: Client, scena: Scena, persone: Persone, prenotazioni: dict[str, Prenotazione]
) -> None:
    Comune.objects.filter(pk=scena.comune.pk).update(nome='<script>alert("x")</script>Rende')
    Sportello.objects.filter(pk=scena.sportello.pk).update(nome="<script>alert(1)</script>")
    _entra(client, persone.referente_inps, forte=False)
    html = client.get(reverse("pue_monitoraggio_convenzione", args=[scena.convenzione.pk])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;Rende" in html
    svg = grafici.barre_raggruppate(
        ident="prova",
        titolo="<b>titolo</b>",
        descrizione="a & b",
        categorie=['<img src=x onerror="1">'],
        serie=[grafici.Serie("</text><script>", [3], grafici.BLU)],
    )
    assert "<script>" not in svg
    assert "<img" not in svg
    assert "<b>" not in svg
    assert "&lt;/text&gt;&lt;script&gt;" in svg
    assert "a &amp; b" in svg
    with pytest.raises(ValueError, match="identificatore"):
        grafici.linee(ident='x" onload="1', titolo="t", descrizione="d", categorie=[], serie=[])


def test_a_chart_is_an_accessible_image_and_the_same_bytes_every_time() -> None:
    def disegna() -> str:
        return grafici.barre_raggruppate(
            ident="incontri",
            titolo="Incontri per mese",
            descrizione="Barre per mese",
            categorie=["mar 2027", "apr 2027"],
            serie=[grafici.Serie("Prenotati", [5, 2], grafici.BLU), grafici.Serie("Svolti", [2, None], grafici.VERDE)],
        )

    svg = disegna()
    assert svg == disegna()
    assert svg.startswith("<svg ")
    assert svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert 'aria-labelledby="incontri-titolo incontri-descrizione"' in svg
    assert '<title id="incontri-titolo">Incontri per mese</title>' in svg
    assert "style=" not in svg  # the CSP forbids inline styles
    assert svg.count("<rect ") == 1 + 2 + 3  # background, legend, bars (no bar for a missing value)
    assert "<title>mar 2027: Prenotati 5</title>" in svg
    linea = grafici.linee(
        ident="gradimento",
        titolo="Gradimento",
        descrizione="Linea",
        categorie=["a", "b", "c", "d"],
        serie=[grafici.Serie("Gradimento medio", [4.0, None, 3.5, 5.0], grafici.BLU)],
        massimo=5.0,
    )
    assert linea.count("<polyline ") == 1  # the gap breaks the line: a lone point, then a run of two
    assert linea.count("<circle ") == 3
    assert "<title>c: Gradimento medio 3,5</title>" in linea


def _luminanza(colore: str) -> float:
    def canale(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colore[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * canale(r) + 0.7152 * canale(g) + 0.0722 * canale(b)


@pytest.mark.parametrize("colore", [grafici.BLU, grafici.VERDE, grafici.ROSSO, grafici.ARDESIA, grafici.TESTO])
def test_the_chart_colours_contrast_with_the_background(colore: str) -> None:
    contrasto = (_luminanza(grafici.SFONDO) + 0.05) / (_luminanza(colore) + 0.05)
    assert contrasto >= 4.5
