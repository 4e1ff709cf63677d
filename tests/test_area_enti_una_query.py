"""The Area riservata reads the person's Enti in one query written out (abilitazioni.selectors.enti_nell_area): what
it shows is what the ORM's rules say (``enti_di``, the active PIN's abilitazioni under the catalogue's current name,
the requests still waiting), for Enti by role, by PIN, both, inactive, and for other people's rows."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from abilitazioni.models import IN_CORSO, Abilitazione, RichiestaInstradata
from abilitazioni.selectors import enti_nell_area
from abilitazioni.services import richiesta_crea
from accounts.models import PIN, AbilitazioneDetenuta, Comune, Ente, User
from accounts.roles import Ruolo
from accounts.selectors.competenza import direzione_regionale_competente, sede_competente
from accounts.selectors.persone import enti_di, pin_attivo
from accounts.services.ruoli import ruolo_assegna
from tests.factories import EnteFactory, UserFactory, crea_pin

pytestmark = pytest.mark.django_db


def _atteso(user: User) -> list[tuple[Any, ...]]:
    """The Area's rows as the ORM reads them, one rule at a time."""
    pin = pin_attivo(User.objects.get(pk=user.pk))
    catalogo = dict(Abilitazione.objects.values_list("codice", "nome"))
    detenute: dict[int, list[str]] = {}
    if pin is not None:
        for ente_id, codice, nome in AbilitazioneDetenuta.objects.filter(pin=pin).values_list(
            "ente_id", "codice", "nome"
        ):
            detenute.setdefault(ente_id, []).append(catalogo.get(codice, nome))
    in_corso = Counter(
        RichiestaInstradata.objects.filter(richiesta__user=user, status__in=IN_CORSO).values_list(
            "richiesta__ente_id", flat=True
        )
    )
    righe: list[tuple[Any, ...]] = []
    for ente in enti_di(user).select_related("comune__provincia"):
        sede, direzione = sede_competente(ente.comune), direzione_regionale_competente(ente.comune)
        righe.append(
            (
                ente.pk,
                ente.nome,
                ente.codice_fiscale,
                ente.comune.nome,
                ente.comune.provincia.sigla,
                sede.nome if sede else None,
                direzione.nome if direzione else None,
                sorted(detenute.get(ente.pk, [])),
                in_corso.get(ente.pk, 0),
            )
        )
    return righe


def _lette(user: User) -> list[tuple[Any, ...]]:
    return [
        (
            e.pk,
            e.nome,
            e.codice_fiscale,
            e.comune,
            e.provincia,
            e.sede_competente_nome,
            e.direzione_regionale_nome,
            e.abilitazioni,
            e.in_corso,
        )
        for e in enti_nell_area(User.objects.get(pk=user.pk))
    ]


def test_the_area_says_what_the_orm_rules_say(registro: None) -> None:
    comuni = list(Comune.objects.filter(nome__in=["Rende", "Fiumicino", "Bologna", "Pozzuoli"]).order_by("nome"))
    per_ruolo, per_pin, entrambi, spento, altrui = (EnteFactory.create(comune=c) for c in [*comuni, comuni[0]])
    spento.attivo = False
    spento.save()
    persona = UserFactory.create(password="!")
    altra = UserFactory.create(password="!")
    for ente in (per_ruolo, entrambi, spento):
        ruolo_assegna(user=persona, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    ruolo_assegna(user=altra, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=altrui)
    vecchio = crea_pin(persona, [(altrui, "Domanda Valore PA")])  # superseded: none of its rows count
    PIN.objects.filter(pk=vecchio.pk).update(status=PIN.Status.SUPERATO)
    crea_pin(persona, [(per_pin, "Domanda Valore PA"), (per_pin, "PassWeb"), (entrambi, "Domanda Valore PA")])
    crea_pin(altra, [(per_ruolo, "Domanda Valore PA")])
    # A held row whose key the catalogue no longer has keeps its stored name; a renamed entry shows its new name.
    AbilitazioneDetenuta.objects.filter(ente=per_pin, nome="PassWeb").update(
        codice="voce-ritirata", nome="PassWeb (ex)"
    )
    Abilitazione.objects.filter(nome="Domanda Valore PA").update(nome="Domanda Valore P.A.")
    catalogo = list(Abilitazione.objects.order_by("pk")[:3])
    attesa = richiesta_crea(user=persona, ente=per_ruolo, aggiungi=catalogo[:1])
    decisa = richiesta_crea(user=persona, ente=entrambi, aggiungi=catalogo[1:2])
    RichiestaInstradata.objects.filter(richiesta=decisa).update(status=RichiestaInstradata.Status.RESPINTA)
    richiesta_crea(user=persona, ente=entrambi, aggiungi=catalogo[2:3])
    richiesta_crea(user=altra, ente=per_ruolo, aggiungi=catalogo[1:2])  # another person's request: not counted
    assert attesa.instradate.filter(status__in=IN_CORSO).exists()

    lette = _lette(persona)
    assert lette == _atteso(persona)
    assert [r[0] for r in lette] == sorted(
        [per_ruolo.pk, per_pin.pk, entrambi.pk], key=lambda pk: (Ente.objects.get(pk=pk).nome, pk)
    )
    per_ente = {r[0]: r for r in lette}
    assert per_ente[per_pin.pk][7] == ["Domanda Valore P.A.", "PassWeb (ex)"]
    assert per_ente[per_ruolo.pk][8] == 1
    assert per_ente[entrambi.pk][8] == 1
    assert _lette(altra) == _atteso(altra)
    assert _lette(UserFactory.create()) == []


def test_the_area_page_shows_the_rows_of_the_one_query(client: Client, registro: None) -> None:
    persona = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(nome="Fiumicino"))
    crea_pin(persona, [(ente, "Domanda Valore PA")], tipo=PIN.Tipo.DISPOSITIVO)
    richiesta_crea(user=persona, ente=ente, aggiungi=Abilitazione.objects.filter(nome="PassWeb"))
    client.force_login(persona)  # the first backend: a session opened with the PIN
    pagina = client.get(reverse("area_enti"))
    assert pagina.status_code == 200, pagina.content.decode()[:500]
    testo = pagina.content.decode()
    for atteso in (
        ente.nome,
        ente.codice_fiscale,
        "Fiumicino (RM)",
        "Sede territoriale di Roma",
        "Direzione regionale Lazio",
        "Domanda Valore PA",
        "1 richiesta di abilitazioni in attesa di decisione",
    ):
        assert atteso in testo, atteso
