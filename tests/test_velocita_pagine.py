"""The names of the competent offices kept in the cache (accounts.selectors.cache_competenza): the pages that name them
show a change of a Struttura at once, say what the database's rules say, and never keep maps read before a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Comune, Ente, Struttura
from accounts.roles import Ruolo
from accounts.selectors import cache_competenza
from accounts.selectors.cache_competenza import uffici_competenti, uffici_competenti_dimentica, uffici_in_cache
from accounts.selectors.competenza import (
    comuni_con_competenza,
    con_competenza,
    direzione_firmataria,
    direzione_regionale_competente,
    sede_competente,
)
from accounts.services.ruoli import ruolo_assegna
from tests.factories import EnteFactory, UserFactory

pytestmark = pytest.mark.django_db

RENDE = "078102"


def _comune_di_rende(client: Client) -> Callable[[], str]:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_COMUNE, organizzazione=Comune.objects.get(codice_istat=RENDE))
    client.force_login(user)
    return lambda: client.get(reverse("area_comune")).content.decode()


def _enti_a_rende(client: Client) -> Callable[[], str]:
    user = UserFactory.create()
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat=RENDE))
    ruolo_assegna(user=user, ruolo=Ruolo.OPERATORE_ENTE, organizzazione=ente)
    client.force_login(user)
    return lambda: client.get(reverse("area_enti")).content.decode()


def _cerca_rende(client: Client) -> Callable[[], str]:
    return lambda: client.get(reverse("cerca_sede"), {"comune": "Rende"}).content.decode()


PAGINE = {"area_comune": _comune_di_rende, "area_enti": _enti_a_rende, "cerca_sede": _cerca_rende}


@pytest.mark.parametrize("pagina", sorted(PAGINE))
def test_a_renamed_sede_shows_at_once_on_the_pages_that_name_it(client: Client, registro: None, pagina: str) -> None:
    leggi = PAGINE[pagina](client)
    uffici_competenti()  # the names are in the cache, as on a portal already in use
    assert "Sede territoriale di Cosenza" in leggi()
    sede = Struttura.objects.get(codice="ST-CS")
    sede.nome = "Sede territoriale di Cosenza - via Aldo Moro"
    sede.save()
    assert "Sede territoriale di Cosenza - via Aldo Moro" in leggi()


@pytest.mark.parametrize("pagina", sorted(PAGINE))
def test_a_closed_sede_is_no_longer_named(client: Client, registro: None, pagina: str) -> None:
    leggi = PAGINE[pagina](client)
    uffici_competenti()
    assert "Sede territoriale di Cosenza" in leggi()
    sede = Struttura.objects.get(codice="ST-CS")
    sede.attiva = False
    sede.save()
    assert "Sede territoriale di Cosenza" not in leggi()


def test_the_names_from_the_cache_are_those_of_the_selectors(registro: None) -> None:
    """Every Comune: the names on the list from the cache, from the subqueries (a cold cache), and the selectors'."""
    cache.clear()
    assert uffici_in_cache() is None
    dalle_subquery = {
        c.pk: (c.sede_nome, c.direzione_nome, c.metropolitana_nome)  # type: ignore[attr-defined]
        for c in comuni_con_competenza(Comune.objects.all())
    }
    uffici_competenti()
    dalla_cache = {
        c.pk: (c.sede_nome, c.direzione_nome, c.metropolitana_nome)  # type: ignore[attr-defined]
        for c in comuni_con_competenza(Comune.objects.all())
    }
    assert dalla_cache == dalle_subquery
    assert len(dalla_cache) == Comune.objects.count()
    for comune in Comune.objects.filter(nome__in=["Rende", "Fiumicino", "Pozzuoli", "Latina", "Bologna"]):
        sede, direzione, metropolitana = dalla_cache[comune.pk]
        assert sede == getattr(sede_competente(comune), "nome", None)
        assert direzione == getattr(direzione_regionale_competente(comune), "nome", None)
        assert (metropolitana or direzione) == getattr(direzione_firmataria(comune), "nome", None)


def test_an_ente_is_named_its_offices_whatever_the_cache_holds(registro: None) -> None:
    ente = EnteFactory.create(comune=Comune.objects.get(nome="Fiumicino"))
    for _ in range(2):  # a cold cache, then a warm one
        letto = con_competenza(Ente.objects.filter(pk=ente.pk)).get()
        assert getattr(letto, "sede_competente_nome") == "Sede territoriale di Roma"  # noqa: B009
        assert getattr(letto, "direzione_regionale_nome") == "Direzione regionale Lazio"  # noqa: B009


def test_maps_read_before_a_change_are_not_used_after_it(registro: None) -> None:
    """A reader who read the database before a Struttura changed stores its maps under the version it saw: the
    change drew a new one, so the next reader reads the database again."""
    uffici_competenti()
    versione_vista = cache.get(cache_competenza.VERSIONE)
    vecchie = cache_competenza._dal_database()
    Struttura.objects.filter(codice="ST-CS").update(nome="Sede territoriale di Cosenza (nuova)")
    uffici_competenti_dimentica()  # what the Struttura's signals do, at once and at the commit
    cache.set(cache_competenza.UFFICI, (versione_vista, vecchie))  # the slow reader stores what it read
    sede_id = Struttura.objects.get(codice="ST-CS").provincia_id
    assert sede_id is not None
    assert uffici_competenti().sede(sede_id) == "Sede territoriale di Cosenza (nuova)"


def test_a_change_draws_a_new_version_again_when_it_commits(
    registro: None, django_capture_on_commit_callbacks: Any
) -> None:
    uffici_competenti()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sede = Struttura.objects.get(codice="ST-CS")
        sede.nome = "Sede territoriale di Cosenza (bis)"
        sede.save()
        durante = cache.get(cache_competenza.VERSIONE)
    assert callbacks
    assert cache.get(cache_competenza.VERSIONE) != durante
    assert sede.provincia_id is not None
    assert uffici_competenti().sede(sede.provincia_id) == "Sede territoriale di Cosenza (bis)"


def test_the_sede_finder_asks_no_structure_when_the_cache_holds_the_names(client: Client, registro: None) -> None:
    uffici_competenti()
    with CaptureQueriesContext(connection) as catturate:
        risposta = client.get(reverse("cerca_sede"), {"comune": "San"})
    assert len(risposta.context["pagina"]) == 20
    assert len(catturate.captured_queries) == 2
    assert not any("accounts_struttura" in q["sql"] for q in catturate.captured_queries)


# --- La mia struttura: the page of the Comuni and their total in one query ------------------------------------------


def _personale_di_cosenza(client: Client) -> None:
    user = UserFactory.create()
    ruolo_assegna(user=user, ruolo=Ruolo.PERSONALE_SEDE, organizzazione=Struttura.objects.get(codice="ST-CS"))
    client.force_login(user)


@pytest.mark.parametrize("numero", [None, "1", "2", "3", " 2", "0", "-1", "9999", "ultima", "2.0", "", "9" * 30])
def test_the_structure_page_is_the_one_the_paginator_gives(client: Client, registro: None, numero: str | None) -> None:
    """Whatever is asked (a page, the last, past the last, no number), the rows and the total are those of
    ``Paginator.get_page``."""
    from django.core.paginator import Paginator

    from accounts.selectors.competenza import comuni_di_competenza

    _personale_di_cosenza(client)
    risposta = client.get(reverse("area_struttura"), {} if numero is None else {"pagina": numero})
    pagina = risposta.context["pagina"]
    comuni = (
        comuni_di_competenza(Struttura.objects.get(codice="ST-CS"))
        .order_by("nome")
        .values("nome", "provincia__sigla", "codice_istat", "popolazione")
    )
    attesa = Paginator(comuni, 50).get_page(numero)
    assert pagina.number == attesa.number
    assert pagina.paginator.count == attesa.paginator.count == Comune.objects.filter(provincia__sigla="CS").count()
    assert [r["codice_istat"] for r in pagina] == [r["codice_istat"] for r in attesa]
    assert [r["nome"] for r in pagina] == [r["nome"] for r in attesa]


def test_a_page_of_the_structure_costs_one_query_for_its_rows_and_their_total(client: Client, registro: None) -> None:
    _personale_di_cosenza(client)
    client.get(reverse("area_struttura"))  # warm-up: per-process caches
    conteggi = []
    for numero in ("1", "2", "3"):
        with CaptureQueriesContext(connection) as catturate:
            risposta = client.get(reverse("area_struttura"), {"pagina": numero})
        assert risposta.status_code == 200
        assert len(risposta.context["pagina"]) > 0
        conteggi.append(catturate.captured_queries)
    assert len(conteggi[0]) == len(conteggi[1]) == len(conteggi[2])
    assert not any("COUNT(*) AS" in q["sql"] for q in conteggi[0])  # the total comes with the rows


# --- Trova la sede: the trigram index of the names ------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_the_names_of_the_comuni_have_a_trigram_index_that_the_search_uses(registro: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'accounts_comune' AND indexname = %s",
            ["accounts_comune_nome_ricerca_trgm"],
        )
        (definizione,) = cursor.fetchone()
        assert "gin_trgm_ops" in definizione
        cursor.execute("ANALYZE accounts_comune")
        cursor.execute("SET LOCAL enable_seqscan = off")  # can it serve LIKE '%x%'? (a tiny table may not need it)
        cursor.execute("EXPLAIN SELECT 1 FROM accounts_comune WHERE nome_ricerca::text LIKE %s", ["%rende%"])
        piano = "\n".join(riga[0] for riga in cursor.fetchall())
    assert "accounts_comune_nome_ricerca_trgm" in piano
