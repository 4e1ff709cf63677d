"""Allegato 3 goes to the Direzione regionale's "Area/team Prestazioni a sostegno del reddito, Credito e Welfare"
(Circolare INPS 71/2016, par. 4), not to anyone of the Direzione regionale: only the team's members see and decide
those requests; a colleague outside the team, or the team of another region, gets a 404 and the service refuses."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from abilitazioni.models import Abilitazione, RichiestaInstradata
from abilitazioni.selectors import instradate_per_ufficio
from abilitazioni.services import instradata_decidi, instradata_prendi_in_carico, richiesta_crea
from accounts.models import PIN, AbilitazioneDetenuta, Comune, MembroTeam, Struttura, Team, User
from accounts.roles import Ruolo
from accounts.services.registro import registro_carica
from accounts.services.ruoli import RuoloNonApplicabile, ruolo_assegna, ruolo_revoca, team_assegna, team_revoca
from tests.factories import EnteFactory, UserFactory, modulo_consegnato, nel_team, personale_del_team, personale_inps

pytestmark = pytest.mark.django_db

NOME_DEL_TEAM = "Prestazioni a sostegno del reddito, Credito e Welfare"
PAGINE = ("change", "history", "decidi", "modulo")


def _team(codice_struttura: str) -> Team:
    return Team.objects.get(struttura__codice=codice_struttura, codice=Team.CREDITO_WELFARE)


@pytest.fixture
def allegato_3(registro: None) -> RichiestaInstradata:
    """A request for "Domanda Valore PA" (allegato 3) from an operator of an Ente of Rende (CS), Calabria: DR-18."""
    operatore = UserFactory.create(password="!", email="operatore@example.it")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    pin = PIN.objects.create(
        user=operatore,
        codice_hash=make_password("VECCHIOPIN234567"),
        tipo=PIN.Tipo.DISPOSITIVO,
        origine=PIN.Origine.PREESISTENTE,
    )
    AbilitazioneDetenuta.objects.create(pin=pin, ente=ente, nome="Visualizzazione versamenti Ente")
    richiesta = richiesta_crea(user=operatore, ente=ente, aggiungi=[Abilitazione.objects.get(nome="Domanda Valore PA")])
    modulo_consegnato(richiesta)
    instradata = richiesta.instradate.get()
    assert (instradata.allegato, instradata.struttura.codice) == (3, "DR-18")
    return instradata


def _coda(client: Client) -> set[int]:
    risposta = client.get(reverse("admin:abilitazioni_richiestainstradata_changelist"))
    assert risposta.status_code == 200
    return {i.pk for i in risposta.context["cl"].result_list}


def _pagine(client: Client, instradata: RichiestaInstradata) -> dict[str, int]:
    return {
        nome: client.get(reverse(f"admin:abilitazioni_richiestainstradata_{nome}", args=[instradata.pk])).status_code
        for nome in PAGINE
    }


def _escluso(client: Client, user: User, instradata: RichiestaInstradata) -> None:
    """No row in the queue, a 404 on every page of the request, and the services refuse."""
    client.force_login(user)
    assert instradata.pk not in _coda(client)
    assert _pagine(client, instradata) == dict.fromkeys(PAGINE, 404)
    decidi = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[instradata.pk])
    assert client.post(decidi, {"azione": "prendi"}).status_code == 404
    assert client.post(decidi, {"azione": "approva"}).status_code == 404
    with pytest.raises(RichiestaInstradata.DoesNotExist):
        instradata_prendi_in_carico(instradata_id=instradata.pk, chi=user)
    with pytest.raises(RichiestaInstradata.DoesNotExist):
        instradata_decidi(instradata_id=instradata.pk, chi=user, approvata=True)
    assert not instradate_per_ufficio(user).filter(pk=instradata.pk).exists()


def test_a_member_of_the_team_sees_and_decides_an_allegato_3_request(
    client: Client, allegato_3: RichiestaInstradata, pec_locale: Any
) -> None:
    membro = personale_del_team("DR-18")
    client.force_login(membro)
    assert _coda(client) == {allegato_3.pk}
    assert _pagine(client, allegato_3) == dict.fromkeys(PAGINE, 200)
    assert (
        NOME_DEL_TEAM
        in client.get(reverse("admin:abilitazioni_richiestainstradata_change", args=[allegato_3.pk])).content.decode()
    )
    decidi = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[allegato_3.pk])
    assert client.post(decidi, {"azione": "prendi"}).status_code == 302
    assert client.post(decidi, {"azione": "approva"}).status_code == 302
    allegato_3.refresh_from_db()
    assert allegato_3.status == RichiestaInstradata.Status.APPROVATA
    assert allegato_3.eventi.filter(a=RichiestaInstradata.Status.APPROVATA, chi=membro).exists()
    operatore, ente = allegato_3.richiesta.user, allegato_3.richiesta.ente
    assert AbilitazioneDetenuta.objects.filter(pin__user=operatore, ente=ente, nome="Domanda Valore PA").exists()


def test_a_colleague_of_the_same_direzione_outside_the_team_gets_404_and_the_service_refuses(
    client: Client, allegato_3: RichiestaInstradata
) -> None:
    collega = personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18")
    _escluso(client, collega, allegato_3)
    # Not even once a member has taken it in charge: deciding stays with the team.
    instradata_prendi_in_carico(instradata_id=allegato_3.pk, chi=personale_del_team("DR-18"))
    _escluso(client, collega, allegato_3)
    assert RichiestaInstradata.objects.get(pk=allegato_3.pk).status == RichiestaInstradata.Status.IN_CARICO


def test_a_member_of_the_team_of_another_region_gets_404(client: Client, allegato_3: RichiestaInstradata) -> None:
    _escluso(client, personale_del_team("DR-08"), allegato_3)
    assert RichiestaInstradata.objects.get(pk=allegato_3.pk).status == RichiestaInstradata.Status.INVIATA


def test_membership_goes_through_the_service_and_follows_the_staff_role(
    client: Client, allegato_3: RichiestaInstradata
) -> None:
    user = personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-18")
    team = _team("DR-18")
    assert team_assegna(user=user, team=team) == team_assegna(user=user, team=team)  # idempotent
    assert list(team.membri.values_list("user_id", flat=True)) == [user.pk]
    assert instradate_per_ufficio(user).filter(pk=allegato_3.pk).exists()
    team_revoca(user=user, team=team)
    team_revoca(user=user, team=team)
    assert not team.membri.exists()
    _escluso(client, user, allegato_3)
    # Only the staff of the team's Direzione can be in it: a Sede's staff, or another region's, are refused.
    for estraneo in (
        personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"),
        personale_inps(Ruolo.PERSONALE_DIREZIONE_REGIONALE, "DR-08"),
    ):
        with pytest.raises(RuoloNonApplicabile, match="non è personale"):
            team_assegna(user=estraneo, team=team)
    assert not team.membri.exists()
    # Whoever leaves the Direzione leaves its teams.
    nel_team(user, "DR-18")
    ruolo_revoca(user=user, ruolo=Ruolo.PERSONALE_DIREZIONE_REGIONALE, organizzazione=team.struttura)
    assert not MembroTeam.objects.filter(user=user).exists()
    assert not instradate_per_ufficio(user).exists()


def test_every_direzione_regionale_has_the_team_once_and_nobody_else_has_it(registro: None) -> None:
    direzioni = Struttura.objects.filter(tipo=Struttura.Tipo.DIREZIONE_REGIONALE)
    assert direzioni.count() == 20
    registro_carica()
    team = Team.objects.filter(codice=Team.CREDITO_WELFARE)
    assert sorted(team.values_list("struttura_id", flat=True)) == sorted(direzioni.values_list("pk", flat=True))
    assert set(team.values_list("nome", flat=True)) == {NOME_DEL_TEAM}
    # The data migration gives it to the Direzioni that were there before it, and running it again changes nothing.
    MembroTeam.objects.all().delete()
    Team.objects.all().delete()
    migrazione = importlib.import_module("accounts.migrations.0011_team")
    migrazione.crea(apps, None)
    migrazione.crea(apps, None)
    assert sorted(team.values_list("struttura_id", flat=True)) == sorted(direzioni.values_list("pk", flat=True))


def test_allegato_3_of_a_metropolitan_province_goes_to_the_direzione_regionale_team(
    client: Client, registro: None
) -> None:
    """Rome has a Direzione di coordinamento metropolitano, but allegato 3 still goes to the Direzione regionale."""
    operatore = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="058091"))
    PIN.objects.create(
        user=operatore,
        codice_hash=make_password("VECCHIOPIN234567"),
        tipo=PIN.Tipo.ONLINE,
        origine=PIN.Origine.PREESISTENTE,
    )
    ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    richiesta = richiesta_crea(user=operatore, ente=ente, aggiungi=[Abilitazione.objects.get(nome="Domanda Valore PA")])
    modulo_consegnato(richiesta)
    instradata = richiesta.instradate.get()
    assert instradata.struttura == _team("DR-12").struttura
    assert instradate_per_ufficio(personale_del_team("DR-12")).filter(pk=instradata.pk).exists()
