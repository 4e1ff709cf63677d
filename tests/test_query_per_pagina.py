"""Every list page costs the same SQL queries whatever the number of its rows: counted with a few rows, then with
several times as many (the pages of the operators and of the staff, and every changelist of the back office that
grows with the work)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abilitazioni.models import Abilitazione
from abilitazioni.services import richiesta_crea
from accounts.models import PIN, Comune, Ente, EventoCredenziale, RichiestaConversione, RichiestaPin, Struttura, User
from accounts.roles import Ruolo
from accounts.services.ruoli import ruolo_assegna
from inps_portal.pec.services import pec_spedisci
from tests.factories import (
    JPEG,
    PDF,
    EnteFactory,
    UserFactory,
    codice_fiscale_valido,
    crea_credenziale,
    crea_pin,
    personale_inps,
)

pytestmark = pytest.mark.django_db

POCHI, MOLTI = 2, 8
RENDE = "078102"


def _query(client: Client, indirizzo: str) -> int:
    client.get(indirizzo)  # the first request warms what a process caches once (content types, the menu)
    with CaptureQueriesContext(connection) as catturate:
        risposta = client.get(indirizzo)
    assert risposta.status_code == 200, indirizzo
    return len(catturate.captured_queries)


def _ente_di_rende() -> Ente:
    return EnteFactory.create(comune=Comune.objects.get(codice_istat=RENDE))


def _pin_con_abilitazioni(n: int) -> None:
    for _ in range(n):
        crea_pin(UserFactory.create(password="!"), [(_ente_di_rende(), "Domanda Valore PA")])


def _credenziali(n: int) -> None:
    for _ in range(n):
        crea_credenziale(UserFactory.create(password="!"), [(_ente_di_rende(), "Domanda Valore PA")])


def _eventi(n: int) -> None:
    for _ in range(n):
        user = UserFactory.create(password="!")
        crea_pin(user, [(_ente_di_rende(), "Domanda Valore PA")])
        EventoCredenziale.objects.create(user=user, tipo=EventoCredenziale.Tipo.CONVERSIONE_SPORTELLO)


_PERSONE_SENZA_PIN = itertools.count(90_000)


def _richieste_pin(n: int) -> None:
    sede = Struttura.objects.get(codice="ST-CS")
    for _ in range(n):
        RichiestaPin.objects.create(
            codice_fiscale=codice_fiscale_valido(next(_PERSONE_SENZA_PIN)),
            nome="Luca",
            cognome="Russo",
            email="luca.russo@example.it",
            sede=sede,
            modulo_firmato=SimpleUploadedFile("m.pdf", PDF),
            documento_identita=SimpleUploadedFile("d.jpg", JPEG),
            codice_ritiro_hash="!",
        )


def _conversioni(n: int) -> None:
    sede = Struttura.objects.get(codice="ST-CS")
    for _ in range(n):
        user = UserFactory.create(password="!")
        ente = _ente_di_rende()
        pin = crea_pin(user, [(ente, "Domanda Valore PA")])
        RichiestaConversione.objects.create(
            user=user,
            pin=pin,
            ente=ente,
            sede=sede,
            modulo_firmato=SimpleUploadedFile("m.pdf", PDF),
            documento_identita=SimpleUploadedFile("d.jpg", JPEG),
        )


def _enti(n: int) -> None:
    for _ in range(n):
        _ente_di_rende()


def _pec(n: int) -> None:
    for _ in range(n):
        pec_spedisci(modello="prova", destinatari=["destinatario@pec.example.it", "altro@pec.example.it"])


def _ruoli(n: int) -> None:
    for _ in range(n):
        ruolo_assegna(
            user=UserFactory.create(password="!"), ruolo=Ruolo.OPERATORE_ENTE, organizzazione=_ente_di_rende()
        )


# A changelist of the back office, as the staff who work it (a Sede's staff for the counter's lists, the portal's
# administrator for the rest), and how to add n rows to it.
CHANGELIST: dict[str, tuple[str, Callable[[int], None]]] = {
    "accounts_pin": ("sede", _pin_con_abilitazioni),
    "accounts_credenzialeexinpdap": ("sede", _credenziali),
    "accounts_eventocredenziale": ("sede", _eventi),
    "accounts_richiestapin": ("sede", _richieste_pin),
    "accounts_richiestaconversione": ("sede", _conversioni),
    "accounts_ente": ("amministratore", _enti),
    "accounts_eventoruolo": ("amministratore", _ruoli),
    "accounts_user": ("amministratore", _ruoli),
    "inps_portal_messaggiopec": ("amministratore", _pec),
}


@pytest.mark.parametrize("modello", sorted(CHANGELIST))
def test_a_changelist_costs_the_same_queries_whatever_its_size(
    client: Client, registro: None, pec_locale: Any, modello: str
) -> None:
    chi, aggiungi = CHANGELIST[modello]
    if chi == "sede":
        client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    else:
        client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    # "Tutte": the queues open on what waits, and every row added here must be on the page.
    indirizzo = reverse(f"admin:{modello}_changelist") + ("?stato=tutte" if "richiesta" in modello else "")
    aggiungi(POCHI)
    con_pochi = _query(client, indirizzo)
    aggiungi(MOLTI - POCHI)
    assert _query(client, indirizzo) == con_pochi


def _operatore_con_enti(n: int) -> User:
    """An Ente operator (dispositivo PIN, logged in with it) who acts for n Enti, with a pending request on each."""
    operatore = UserFactory.create(password="!")
    enti = [_ente_di_rende() for _ in range(n)]
    pin = crea_pin(operatore, [(ente, "Visualizzazione versamenti Ente") for ente in enti], tipo=PIN.Tipo.DISPOSITIVO)
    pin.codice_hash = make_password("PINDIPROVA234567")
    pin.save(update_fields=["codice_hash"])
    voce = Abilitazione.objects.filter(allegato=2).exclude(nome="Visualizzazione versamenti Ente").earliest("pk")
    for ente in enti:
        richiesta_crea(user=operatore, ente=ente, aggiungi=[voce])
    return operatore


@pytest.mark.parametrize("pagina", ["area_enti", "abilitazioni_richieste"])
def test_the_area_riservata_costs_the_same_queries_for_one_ente_or_many(
    registro: None, pec_locale: Any, pagina: str
) -> None:
    conteggi = []
    for n in (1, 4):
        client = Client()
        operatore = _operatore_con_enti(n)
        entrato = client.post(
            reverse("account_login"), {"login": operatore.codice_fiscale, "password": "PINDIPROVA234567"}
        )
        assert entrato.status_code == 302
        conteggi.append(_query(client, reverse(pagina)))
    assert conteggi[0] == conteggi[1]


def test_the_pages_of_a_queue_cover_it_in_order_and_the_last_costs_what_the_first_does(
    client: Client, registro: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue's paginator (inps_portal.admin_mixins.PaginatoreCoda) reads the page's keys first, then its rows."""
    from django.contrib import admin

    monkeypatch.setattr(admin.site._registry[RichiestaPin], "list_per_page", 4)
    _richieste_pin(11)
    client.force_login(personale_inps(Ruolo.PERSONALE_SEDE, "ST-CS"))
    elenco = reverse("admin:accounts_richiestapin_changelist") + "?stato=tutte"
    attese = list(RichiestaPin.objects.order_by("-pk").values_list("pk", flat=True))
    viste: list[int] = []
    conteggi = []
    for pagina in (1, 2, 3):
        with CaptureQueriesContext(connection) as catturate:
            risposta = client.get(f"{elenco}&p={pagina}")
        conteggi.append(len(catturate.captured_queries))
        viste += [riga.pk for riga in risposta.context["cl"].result_list]
    assert viste == attese
    assert conteggi[1] == conteggi[2]  # a later page: its keys, then its rows, wherever it is in the queue


def test_the_comune_page_costs_the_same_queries_for_one_comune_or_several(registro: None) -> None:
    """The competent offices of each Comune come from the cached names, its province and region with it."""
    conteggi = []
    for codici in ([RENDE], [RENDE, "078045", "079023", "058091"]):
        client = Client()
        user = UserFactory.create()
        for codice in codici:
            ruolo_assegna(
                user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat=codice)
            )
        client.force_login(user)
        conteggi.append(_query(client, reverse("area_comune")))
    assert conteggi[0] == conteggi[1]
