"""Roles are given only through the role services, by the portal's administrators, and leave an event.

The escalation found by the review: guardian's object-permission pages on the registry let any member of central
staff (who holds the model's change permission) give themselves "personale_struttura" on any Sede, then decide that
Sede's queue, with no group, no event, no log.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from guardian.shortcuts import get_user_perms

from abilitazioni.models import Abilitazione
from abilitazioni.selectors import instradate_per_ufficio
from abilitazioni.services import richiesta_crea
from accounts.models import PIN, Comune, Ente, EventoRuolo, Struttura, User
from accounts.roles import Ruolo
from accounts.selectors.persone import ruoli_di
from tests.factories import EnteFactory, UserFactory, crea_pin, modulo_consegnato, personale_inps

pytestmark = pytest.mark.django_db


@pytest.fixture
def sede_e_centrale(registro: None) -> dict[str, Any]:
    centrale = personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW")
    sede = Struttura.objects.get(codice="ST-CS")
    operatore = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    crea_pin(operatore, [(ente, "Visualizzazione versamenti Ente")], tipo=PIN.Tipo.DISPOSITIVO)
    richiesta = richiesta_crea(
        user=operatore, ente=ente, aggiungi=[Abilitazione.objects.get(nome="Visualizzazione note di debito Ente")]
    )
    modulo_consegnato(richiesta)
    return {"centrale": centrale, "sede": sede, "instradata": richiesta.instradate.get()}


def test_central_staff_cannot_give_themselves_a_sede_through_the_object_permission_pages(
    client: Client, sede_e_centrale: dict[str, Any]
) -> None:
    centrale, sede = sede_e_centrale["centrale"], sede_e_centrale["sede"]
    client.force_login(centrale)
    base = reverse("admin:accounts_struttura_change", args=[sede.pk]).removesuffix("change/")
    for percorso, dati in (
        (f"{base}permissions/", {"user": centrale.codice_fiscale, "submit_manage_user": "1"}),
        (f"{base}permissions/user-manage/{centrale.pk}/", {"permissions": ["personale_struttura"]}),
    ):
        risposta = client.post(percorso, dati, follow=True)
        assert risposta.status_code == 404
        assert client.get(percorso, follow=True).status_code == 404
    assert "personale_struttura" not in get_user_perms(centrale, sede)
    assert (
        not instradate_per_ufficio(User.objects.get(pk=centrale.pk))
        .filter(pk=sede_e_centrale["instradata"].pk)
        .exists()
    )
    decidi = reverse("admin:abilitazioni_richiestainstradata_decidi", args=[sede_e_centrale["instradata"].pk])
    assert client.post(decidi, {"azione": "prendi"}).status_code == 404


def test_groups_back_office_access_and_superuser_status_are_read_only_in_the_user_admin(
    client: Client, registro: None
) -> None:
    amministratore = UserFactory.create(is_staff=True, is_superuser=True)
    persona = UserFactory.create()
    client.force_login(amministratore)
    pagina = client.get(reverse("admin:accounts_user_change", args=[persona.pk]))
    assert pagina.status_code == 200
    dati = {
        "codice_fiscale": persona.codice_fiscale,
        "nome": "Nuovo",
        "cognome": persona.cognome,
        "email": persona.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [str(g.pk) for g in Group.objects.all()],
        "date_joined_0": "01/01/2026",
        "date_joined_1": "10:00:00",
    }
    client.post(reverse("admin:accounts_user_change", args=[persona.pk]), dati)
    persona.refresh_from_db()
    assert (persona.is_staff, persona.is_superuser, persona.groups.count()) == (False, False, 0)


def test_the_administrator_gives_and_takes_a_role_through_the_service_and_it_is_recorded(
    client: Client, registro: None
) -> None:
    amministratore = UserFactory.create(is_staff=True, is_superuser=True)
    persona = UserFactory.create()
    client.force_login(amministratore)
    pagina = reverse("admin:accounts_user_ruoli", args=[persona.pk])
    assert client.get(pagina).status_code == 200
    assert (
        client.post(pagina, {"ruolo": "personale_sede", "organizzazione": "st-cs", "azione": "assegna"}).status_code
        == 302
    )
    persona = User.objects.get(pk=persona.pk)
    assert Ruolo.PERSONALE_SEDE in ruoli_di(persona)
    assert persona.is_staff
    evento = EventoRuolo.objects.get(user=persona)
    assert (evento.ruolo, evento.azione, evento.chi) == ("personale_sede", "assegnato", amministratore)
    # A role for the wrong kind of organisation, or an unknown code: said in Italian, nothing written.
    for dati, messaggio in (
        ({"ruolo": "personale_sede", "organizzazione": "DR-18", "azione": "assegna"}, "non si applica"),
        ({"ruolo": "operatore_ente", "organizzazione": "ZZZ", "azione": "assegna"}, "Nessuna organizzazione"),
        ({"ruolo": "inventato", "organizzazione": "ST-CS", "azione": "assegna"}, "Scegli un&#x27;opzione valida"),
    ):
        risposta = client.post(pagina, dati)
        assert risposta.status_code == 400
        assert messaggio in risposta.content.decode()
    assert EventoRuolo.objects.filter(user=persona).count() == 1
    client.post(pagina, {"ruolo": "personale_sede", "organizzazione": "ST-CS", "azione": "revoca"})
    assert Ruolo.PERSONALE_SEDE not in ruoli_di(User.objects.get(pk=persona.pk))
    assert list(EventoRuolo.objects.filter(user=persona).values_list("azione", flat=True)) == ["revocato", "assegnato"]


@pytest.mark.parametrize(
    ("chi", "atteso"),
    [("anonimo", 302), ("operatore", 404), ("sede", 404), ("centrale", 404), ("amministratore", 200)],
)
def test_only_the_portals_administrators_open_the_roles_page(
    client: Client, registro: None, chi: str, atteso: int
) -> None:
    persona = UserFactory.create()
    persone = {
        "operatore": UserFactory.create(),
        "sede": personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"),
        "centrale": personale_inps(Ruolo.PERSONALE_DIREZIONE_CENTRALE, "DC-CW"),
        "amministratore": UserFactory.create(is_staff=True, is_superuser=True),
    }
    if chi in persone:
        client.force_login(persone[chi])
    pagina = reverse("admin:accounts_user_ruoli", args=[persona.pk])
    assert client.get(pagina).status_code == atteso
    client.post(pagina, {"ruolo": "personale_sede", "organizzazione": "ST-CS", "azione": "assegna"})
    assert (Ruolo.PERSONALE_SEDE in ruoli_di(User.objects.get(pk=persona.pk))) == (chi == "amministratore")


def test_an_ente_role_is_recorded_once_however_many_times_it_is_given(registro: None) -> None:
    from accounts.services.ruoli import ruolo_assegna

    persona = UserFactory.create()
    ente: Ente = EnteFactory.create()
    for _ in range(3):
        ruolo_assegna(user=persona, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    assert EventoRuolo.objects.filter(user=persona).count() == 1
