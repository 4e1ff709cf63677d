"""The person of a logged-in request is read once, with their roles and active PIN (accounts.selectors.persone
.persona_della_sessione): what it reads is what the ORM reads, every page pays one query for it, and a role or a PIN
taken away counts from the next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import PIN, Comune, Struttura, User
from accounts.roles import Ruolo
from accounts.selectors.persone import persona_della_sessione, pin_attivo, ruoli_di
from accounts.services.ruoli import ruolo_assegna, ruolo_revoca
from tests.factories import EnteFactory, UserFactory, crea_pin

pytestmark = pytest.mark.django_db

RENDE = "078102"


def _persone() -> list[User]:
    """People of every shape: nobody's role, one role, two roles, a PIN with a role, a PIN only, a superseded PIN."""
    rende = Comune.objects.get(codice_istat=RENDE)
    ente = EnteFactory.create(comune=rende)
    nessuno = UserFactory.create()
    sede = UserFactory.create()
    ruolo_assegna(user=sede, ruolo=Ruolo.PERSONALE_SEDE, organizzazione=Struttura.objects.get(codice="ST-CS"))
    due = UserFactory.create()
    ruolo_assegna(user=due, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=rende)
    ruolo_assegna(user=due, ruolo=Ruolo.REFERENTE_COMUNE, organizzazione=rende)
    operatore = UserFactory.create(password="!")
    ruolo_assegna(user=operatore, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    crea_pin(operatore, [(ente, "Domanda Valore PA")], tipo=PIN.Tipo.DISPOSITIVO)
    solo_pin = UserFactory.create(password="!")
    crea_pin(solo_pin, [(ente, "Domanda Valore PA")])
    superato = UserFactory.create(password="!")
    vecchio = crea_pin(superato, [])
    vecchio.status = PIN.Status.SUPERATO
    vecchio.save()
    return [nessuno, sede, due, operatore, solo_pin, superato]


def test_the_person_of_the_session_is_what_the_orm_reads(registro: None) -> None:
    for persona in _persone():
        letta = persona_della_sessione(str(persona.pk))
        assert letta is not None
        dal_orm = User.objects.get(pk=persona.pk)
        assert [getattr(letta, f.attname) for f in User._meta.concrete_fields] == [
            getattr(dal_orm, f.attname) for f in User._meta.concrete_fields
        ]
        assert ruoli_di(letta) == ruoli_di(dal_orm)
        pin_letto, pin_orm = pin_attivo(letta), pin_attivo(dal_orm)
        assert (pin_letto is None) == (pin_orm is None)
        if pin_letto is not None and pin_orm is not None:
            assert [getattr(pin_letto, f.attname) for f in PIN._meta.concrete_fields] == [
                getattr(pin_orm, f.attname) for f in PIN._meta.concrete_fields
            ]
            assert pin_letto._state.adding is False  # a row of the database, as the ORM's
    assert persona_della_sessione("999999999") is None
    assert persona_della_sessione("1; DROP TABLE accounts_user") is None


def test_a_logged_in_page_reads_the_person_roles_and_pin_in_one_query(client: Client, registro: None) -> None:
    operatore = next(p for p in _persone() if pin_attivo(p) is not None and ruoli_di(p))
    client.force_login(operatore)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as catturate:
        risposta = client.get(reverse("home"))
    assert risposta.status_code == 200
    assert "Area riservata Amministrazioni ed Enti" in risposta.content.decode()  # the menu knew the role and PIN
    tabelle = [q["sql"] for q in catturate.captured_queries if "accounts_user" in q["sql"]]
    assert len(tabelle) == 1, tabelle
    assert not [q["sql"] for q in catturate.captured_queries if q["sql"].lstrip().startswith('SELECT "auth_group"')]
    assert not [q["sql"] for q in catturate.captured_queries if 'FROM "accounts_pin"' in q["sql"]]


def test_a_role_taken_away_counts_from_the_next_request(client: Client, registro: None) -> None:
    persona = UserFactory.create()
    sede = Struttura.objects.get(codice="ST-CS")
    ruolo_assegna(user=persona, ruolo=Ruolo.PERSONALE_SEDE, organizzazione=sede)
    client.force_login(persona)
    assert client.get(reverse("area_struttura")).status_code == 200
    ruolo_revoca(user=persona, ruolo=Ruolo.PERSONALE_SEDE, organizzazione=sede)
    assert client.get(reverse("area_struttura")).status_code == 404
    assert "La mia struttura" not in client.get(reverse("home")).content.decode()


def test_a_pin_no_longer_active_closes_the_area_from_the_next_request(client: Client, registro: None) -> None:
    persona = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat=RENDE))
    pin = crea_pin(persona, [(ente, "Domanda Valore PA")], tipo=PIN.Tipo.DISPOSITIVO)
    client.force_login(persona)
    assert "Area riservata Amministrazioni ed Enti" in client.get(reverse("home")).content.decode()
    PIN.objects.filter(pk=pin.pk).update(status=PIN.Status.REVOCATO)
    assert "Area riservata Amministrazioni ed Enti" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("area_enti")).status_code == 404


def test_the_pins_hash_is_not_left_on_the_person(registro: None) -> None:
    persona = UserFactory.create(password="!")
    crea_pin(persona, [])
    letta = persona_della_sessione(str(persona.pk))
    assert letta is not None
    assert pin_attivo(letta) is not None
    assert not [nome for nome in vars(letta) if nome.startswith("pin_") or nome == "nomi_dei_gruppi"]
