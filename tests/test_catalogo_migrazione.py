"""The data migrations of the catalogue's key and of its Direzione centrale, run on a database that has the old
columns: the catalogue's entries get the slug of their current name, the held abilitazioni the key of the entry they
name (two spellings of one abilitazione on one credential become one), the Direzione centrale's code becomes the
Struttura, and a code that named no Direzione centrale still routes to none."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator

import pytest
from django.apps import apps as apps_attuali
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from abilitazioni.models import Abilitazione
from accounts.models import PIN, AbilitazioneDetenuta, Comune, Struttura
from tests.factories import EnteFactory, UserFactory, crea_pin

PRIMA_DI_ACCOUNTS = "0015_codice_delle_abilitazioni_detenute"


def _stato_precedente() -> list[tuple[str, str]]:
    """The migrations just before the key: what accounts' first migration of the key depends on."""
    loader = MigrationExecutor(connection).loader
    (dipendenza,) = [d for d in loader.get_migration("accounts", PRIMA_DI_ACCOUNTS).dependencies if d[0] == "accounts"]
    return [dipendenza, ("abilitazioni", "0007_nomi_dei_campi_in_italiano")]


@pytest.fixture
def indietro(transactional_db: None) -> Iterator[list[tuple[str, str]]]:
    """The schema before the key; the current one back at the end, whatever happens."""
    stato = _stato_precedente()
    try:
        yield stato
    finally:
        call_command("migrate", verbosity=0)


def test_the_migrations_give_the_keys_and_link_the_direzione_centrale(
    indietro: list[tuple[str, str]], registro: None
) -> None:
    # Before: the catalogue of the circolare, one entry renamed by central staff, and a person who holds two
    # abilitazioni (one of them twice, spelled in two ways by the legacy systems) for an Ente.
    if not Abilitazione.objects.exists():
        importlib.import_module("abilitazioni.migrations.0002_catalogo_della_circolare").crea(apps_attuali, None)
    Abilitazione.objects.filter(nome="Domanda Valore PA").update(nome="Domanda Valore P.A.")
    user = UserFactory.create(password="!")
    ente = EnteFactory.create(comune=Comune.objects.get(codice_istat="078102"))
    pin = crea_pin(user, [(ente, "Domanda Valore P.A.")], tipo=PIN.Tipo.DISPOSITIVO)
    pin.abilitazioni.create(ente=ente, codice="a", nome="Visualizzazione versamenti Ente", dal=dt.date(2015, 3, 1))
    pin.abilitazioni.create(ente=ente, codice="b", nome="Visualizzazione Versamenti Ente", dal=dt.date(2014, 5, 2))

    call_command("migrate", "accounts", indietro[0][1], verbosity=0)
    vecchie = MigrationExecutor(connection).loader.project_state(indietro).apps
    Vecchia = vecchie.get_model("abilitazioni", "Abilitazione")
    assert "codice" not in {f.name for f in Vecchia._meta.get_fields()}
    Vecchia.objects.all().update(ufficio_centrale="")
    Vecchia.objects.filter(nome="PassWeb").update(ufficio_centrale="DC-PA")
    Vecchia.objects.filter(nome="Soggiorni senior").update(ufficio_centrale="DC-CW")
    Vecchia.objects.filter(nome="Soggiorni climatici ENAM").update(ufficio_centrale="ST-CS")  # not a Direzione

    call_command("migrate", verbosity=0)

    catalogo = {a.nome: a for a in Abilitazione.objects.select_related("ufficio_centrale")}
    assert catalogo["Domanda Valore P.A."].codice == "domanda-valore-pa"
    assert catalogo["Gestione riscatti ai fini TFS/TFR Stato"].codice == "gestione-riscatti-ai-fini-tfstfr-stato"
    assert len({a.codice for a in catalogo.values()}) == len(catalogo)
    assert catalogo["PassWeb"].ufficio_centrale == Struttura.objects.get(codice="DC-PA")
    assert catalogo["Soggiorni senior"].ufficio_centrale == Struttura.objects.get(codice="DC-CW")
    assert catalogo["Soggiorni climatici ENAM"].ufficio_centrale is None  # it routed to no office, and still does
    detenute = AbilitazioneDetenuta.objects.filter(pin=pin).order_by("codice")
    assert list(detenute.values_list("codice", "dal")) == [
        ("domanda-valore-pa", None),
        ("visualizzazione-versamenti-ente", dt.date(2014, 5, 2)),  # one row, from the earliest date
    ]
    assert {d.codice for d in detenute} <= {a.codice for a in catalogo.values()}
