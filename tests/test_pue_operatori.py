"""The Comune's PUE operators (Messaggio 4461/2023): designated by the Amministratore utenze named in the active
convention, enabled or refused by the Sede competent for the Comune, revoked by either; their enablement and their
open sessions end with the revocation and with the convention."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import Attivita, Comune, User
from accounts.roles import Ruolo
from accounts.selectors.persone import organizzazioni_di
from accounts.services.ruoli import ruolo_assegna
from convenzioni import services as convenzioni_services
from convenzioni.models import Convenzione
from inps_portal import clock
from inps_portal.pec.models import MessaggioPEC
from pue import services
from pue.errori import DatiDesignazioneNonValidi, NonAutorizzato
from pue.models import DesignazioneOperatore
from tests.factories import (
    PASSWORD,
    UserFactory,
    accesso_forte,
    codice_fiscale_valido,
    convenzione_attiva_di_prova,
    personale_inps,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Stato = DesignazioneOperatore.Stato


@pytest.fixture
def rende(registro: None) -> Comune:
    return Comune.objects.select_related("provincia").get(codice_istat="078102")


@pytest.fixture
def amministratore(registro: None) -> User:
    return UserFactory.create(codice_fiscale=codice_fiscale_valido(941))


@pytest.fixture
def attiva(rende: Comune, amministratore: User) -> Convenzione:
    return convenzione_attiva_di_prova(rende, amministratore_codice_fiscale=amministratore.codice_fiscale)


@pytest.fixture
def sede(registro: None) -> User:
    return personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS")  # Cosenza: competent for Rende


def dati(n: int = 950, **altro: Any) -> services.DatiOperatore:
    valori: dict[str, Any] = {
        "codice_fiscale": codice_fiscale_valido(n),
        "nome": "Chiara",
        "cognome": "Conti",
        "email": "chiara.conti@comune.rende.example.it",
        "telefono": "0984 000000",
        "atto_autorizzazione": "determina dirigenziale n. 12",
        "data_atto": dt.date(2026, 11, 2),
    }
    valori.update(altro)
    return services.DatiOperatore(**valori)


def designata(attiva: Convenzione, amministratore: User, n: int = 950) -> DesignazioneOperatore:
    return services.operatore_designa(chi=amministratore, comune=attiva.comune, dati=dati(n))


def test_the_amministratore_designates_and_the_competent_sede_enables(
    attiva: Convenzione, amministratore: User, sede: User
) -> None:
    designazione = designata(attiva, amministratore)
    assert designazione.stato == Stato.IN_ATTESA
    assert not User.objects.filter(codice_fiscale=designazione.codice_fiscale).exists()
    services.operatore_abilita(chi=sede, designazione_id=designazione.pk)
    designazione.refresh_from_db()
    assert designazione.stato == Stato.ABILITATA
    assert designazione.user is not None
    assert list(organizzazioni_di(designazione.user, Ruolo.OPERATORE_COMUNE)) == [attiva.comune]
    assert not designazione.user.has_usable_password()
    assert [e.a for e in designazione.eventi.all()] == [Stato.IN_ATTESA, Stato.ABILITATA]
    modelli = list(MessaggioPEC.objects.filter(modello="designazione_operatore").values_list("oggetto", flat=True))
    assert len(modelli) == 2  # to the Sede on designation, to the Comune and the operator on enabling


def test_only_the_amministratore_named_in_the_active_convention_designates(
    attiva: Convenzione, rende: Comune, sede: User
) -> None:
    per_ruolo = UserFactory.create()
    ruolo_assegna(user=per_ruolo, ruolo=Ruolo.AMMINISTRATORE_UTENZE, organizzazione=rende)
    for chi in (per_ruolo, sede):
        with pytest.raises(NonAutorizzato):
            services.operatore_designa(chi=chi, comune=rende, dati=dati())
    assert not DesignazioneOperatore.objects.exists()


def test_without_an_active_convention_nobody_designates(attiva: Convenzione, amministratore: User) -> None:
    Convenzione.objects.filter(pk=attiva.pk).update(
        stato=Convenzione.Stato.CESSATA, chiusa_il=clock.now(), motivo_chiusura="recesso"
    )
    with pytest.raises(NonAutorizzato):
        designata(attiva, amministratore)


def test_a_designation_needs_valid_data_and_is_not_repeated(attiva: Convenzione, amministratore: User) -> None:
    with pytest.raises(DatiDesignazioneNonValidi) as errore:
        services.operatore_designa(
            chi=amministratore, comune=attiva.comune, dati=dati(codice_fiscale="RSSMRA80A01H501X")
        )
    assert "codice_fiscale" in errore.value.errori
    with pytest.raises(DatiDesignazioneNonValidi) as errore:
        services.operatore_designa(
            chi=amministratore, comune=attiva.comune, dati=dati(data_atto=clock.today() + dt.timedelta(days=3))
        )
    assert "data_atto" in errore.value.errori
    designata(attiva, amministratore)
    with pytest.raises(DatiDesignazioneNonValidi):
        designata(attiva, amministratore)
    assert DesignazioneOperatore.objects.count() == 1


def test_a_sede_of_another_province_cannot_decide(attiva: Convenzione, amministratore: User) -> None:
    designazione = designata(attiva, amministratore)
    altra = personale_inps(Ruolo.PERSONALE_SEDE, "ST-RM")
    with pytest.raises(NonAutorizzato):
        services.operatore_abilita(chi=altra, designazione_id=designazione.pk)
    designazione.refresh_from_db()
    assert designazione.stato == Stato.IN_ATTESA


def test_a_refusal_needs_a_reason(attiva: Convenzione, amministratore: User, sede: User) -> None:
    designazione = designata(attiva, amministratore)
    with pytest.raises(Exception, match="motivo"):
        services.operatore_rifiuta(chi=sede, designazione_id=designazione.pk, motivo="  ")
    services.operatore_rifiuta(chi=sede, designazione_id=designazione.pk, motivo="atto non allegato")
    designazione.refresh_from_db()
    assert designazione.stato == Stato.RIFIUTATA
    assert designazione.motivo == "atto non allegato"


def _sessione_aperta(user: User) -> Client:
    client = Client()
    client.force_login(user)
    accesso_forte(client)
    return client


@pytest.mark.parametrize("chi_revoca", ["amministratore", "sede"])
def test_a_revocation_ends_the_role_and_every_open_session_at_once(
    attiva: Convenzione,
    amministratore: User,
    sede: User,
    chi_revoca: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    designazione = designata(attiva, amministratore)
    services.operatore_abilita(chi=sede, designazione_id=designazione.pk)
    operatore = User.objects.get(codice_fiscale=designazione.codice_fiscale)
    uno, due = _sessione_aperta(operatore), _sessione_aperta(operatore)
    assert uno.get(reverse("pue_gestione_sportelli")).status_code == 200
    chi = amministratore if chi_revoca == "amministratore" else sede
    with pytest.raises(Exception, match="motivo"):
        services.operatore_revoca(chi=chi, designazione_id=designazione.pk, motivo="")
    with django_capture_on_commit_callbacks(execute=True):
        services.operatore_revoca(chi=chi, designazione_id=designazione.pk, motivo="trasferito ad altro ufficio")
    designazione.refresh_from_db()
    assert designazione.stato == Stato.REVOCATA
    assert not organizzazioni_di(operatore, Ruolo.OPERATORE_COMUNE).exists()
    for client in (uno, due):
        risposta = client.get(reverse("pue_gestione_sportelli"))
        assert risposta.status_code == 302  # logged out: back to the login
    assert not Session.objects.filter(session_key__in=[uno.session.session_key, due.session.session_key]).exists()


def test_the_end_of_the_convention_ends_its_operators(
    attiva: Convenzione, amministratore: User, sede: User, django_capture_on_commit_callbacks: Any
) -> None:
    abilitata = designata(attiva, amministratore, 950)
    services.operatore_abilita(chi=sede, designazione_id=abilitata.pk)
    in_attesa = designata(attiva, amministratore, 951)
    direttore = personale_inps(Ruolo.DIRETTORE, "DR-18")
    with django_capture_on_commit_callbacks(execute=True):
        convenzioni_services.convenzione_revoca(chi=direttore, convenzione_id=attiva.pk, motivo="uso improprio")
    for designazione in (abilitata, in_attesa):
        designazione.refresh_from_db()
        assert designazione.stato == Stato.CESSATA
    assert not organizzazioni_di(User.objects.get(codice_fiscale=abilitata.codice_fiscale), Ruolo.OPERATORE_COMUNE)


def test_expiry_ends_the_operators_too(attiva: Convenzione, amministratore: User, sede: User) -> None:
    designazione = designata(attiva, amministratore)
    services.operatore_abilita(chi=sede, designazione_id=designazione.pk)
    with clock.frozen(clock.now() + (attiva.data_fine - clock.today()) + dt.timedelta(days=1)):
        assert convenzioni_services.convenzioni_scadute_chiudi() == 1
    designazione.refresh_from_db()
    assert designazione.stato == Stato.CESSATA


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_the_amministratore_designates_from_the_page_with_a_strong_session(
    client: Client, attiva: Convenzione, amministratore: User
) -> None:
    client.force_login(amministratore)
    pagina = reverse("pue_operatori", args=[attiva.comune.codice_istat])
    debole = client.get(pagina)
    assert debole.status_code == 403
    assert "SPID di livello 2" in debole.content.decode()
    accesso_forte(client, metodo="spid", livello=1)
    assert client.get(pagina).status_code == 403
    accesso_forte(client, metodo="cie", livello=None)
    assert client.get(pagina).status_code == 200
    campi = {**dati().__dict__, "data_atto": "2026-11-02"}
    sbagliato = client.post(pagina, {**campi, "codice_fiscale": "NON-UN-CODICE"})
    assert sbagliato.status_code == 400
    assert not DesignazioneOperatore.objects.exists()
    assert client.post(pagina, campi).status_code == 302
    assert DesignazioneOperatore.objects.get().stato == Stato.IN_ATTESA


def test_another_comunes_page_is_a_404(client: Client, attiva: Convenzione, amministratore: User) -> None:
    client.force_login(amministratore)
    accesso_forte(client)
    assert client.get(reverse("pue_operatori", args=["078045"])).status_code == 404
    assert client.get(reverse("pue_attivita", args=["078045"])).status_code == 404


def test_the_sede_enables_and_refuses_from_its_pages(
    client: Client, attiva: Convenzione, amministratore: User, sede: User
) -> None:
    uno, due = designata(attiva, amministratore, 950), designata(attiva, amministratore, 951)
    client.force_login(sede)
    elenco = client.get(reverse("pue_designazioni")).content.decode()
    assert reverse("pue_designazione", args=[uno.pk]) in elenco
    assert client.post(reverse("pue_decidi", args=[uno.pk, "abilita"])).status_code == 302
    senza_motivo = client.post(reverse("pue_decidi", args=[due.pk, "rifiuta"]), {"motivo": ""})
    assert senza_motivo.status_code == 400
    assert "Indichi il motivo del rifiuto" in senza_motivo.content.decode()
    due.refresh_from_db()
    assert due.stato == Stato.IN_ATTESA
    client.post(reverse("pue_decidi", args=[due.pk, "rifiuta"]), {"motivo": "atto scaduto"})
    uno.refresh_from_db()
    due.refresh_from_db()
    assert (uno.stato, due.stato) == (Stato.ABILITATA, Stato.RIFIUTATA)
    altra = personale_inps(Ruolo.PERSONALE_SEDE, "ST-RM")
    client.force_login(altra)
    assert client.get(reverse("pue_designazione", args=[uno.pk])).status_code == 404
    assert client.post(reverse("pue_revoca", args=[uno.pk]), {"motivo": "x"}).status_code == 404


def test_the_amministratore_sees_the_use_of_the_credentials_and_exports_it(
    client: Client, attiva: Convenzione, amministratore: User, sede: User
) -> None:
    designazione = designata(attiva, amministratore)
    services.operatore_abilita(chi=sede, designazione_id=designazione.pk)
    operatore = User.objects.get(codice_fiscale=designazione.codice_fiscale)
    operatore.set_password(PASSWORD)
    operatore.save()
    estraneo = UserFactory.create()
    Attivita.objects.create(user=estraneo, tipo=Attivita.Tipo.ACCESSO, metodo="spid", livello=2)
    Attivita.objects.create(user=operatore, tipo=Attivita.Tipo.ACCESSO, metodo="spid", livello=2, descrizione="=1+1")
    Attivita.objects.create(
        user=operatore, tipo=Attivita.Tipo.LETTURA_DATI, comune=attiva.comune, descrizione="dati di un cittadino"
    )
    client.force_login(amministratore)
    accesso_forte(client)
    pagina = reverse("pue_attivita", args=[attiva.comune.codice_istat])
    testo = client.get(pagina).content.decode()
    assert testo.count('data-testid="attivita"') == 2
    assert client.get(pagina, {"dal": "2026-12-31", "al": "2026-01-01"}).status_code == 400
    assert client.get(pagina, {"operatore": "abc"}).status_code == 400
    csv = client.get(pagina, {"formato": "csv", "operatore": str(operatore.pk)})
    assert csv["Content-Type"].startswith("text/csv")
    righe = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(righe) == 3
    assert operatore.codice_fiscale in righe[1]
    assert "'=1+1" in csv.content.decode("utf-8-sig")
    assert estraneo.codice_fiscale not in csv.content.decode("utf-8-sig")


def test_the_record_of_sessions_forgets_those_past_their_life(attiva: Convenzione, amministratore: User) -> None:
    from django.conf import settings as django_settings

    from accounts.models import SessioneAperta
    from accounts.tasks import sessioni_scadute

    vecchia = _sessione_aperta(amministratore)
    with clock.frozen(clock.now() + dt.timedelta(seconds=django_settings.SESSION_COOKIE_AGE + 60)):
        nuova = _sessione_aperta(amministratore)
        assert sessioni_scadute() == 1
    chiavi = set(SessioneAperta.objects.values_list("session_key", flat=True))
    assert chiavi == {nuova.session.session_key}
    assert vecchia.session.session_key not in chiavi
    assert django_settings.CELERY_BEAT_SCHEDULE["accessi-sessioni-scadute"]["task"] == "accessi.sessioni_scadute"


def test_a_revocation_without_a_reason_is_a_400_and_changes_nothing(
    client: Client, attiva: Convenzione, amministratore: User, sede: User
) -> None:
    designazione = designata(attiva, amministratore)
    services.operatore_abilita(chi=sede, designazione_id=designazione.pk)
    client.force_login(amministratore)
    accesso_forte(client)
    risposta = client.post(reverse("pue_revoca", args=[designazione.pk]), {"motivo": "   "})
    assert risposta.status_code == 400
    assert "Indichi il motivo della revoca" in risposta.content.decode()
    client.force_login(sede)
    assert client.post(reverse("pue_revoca", args=[designazione.pk]), {}).status_code == 400
    designazione.refresh_from_db()
    assert designazione.stato == Stato.ABILITATA
