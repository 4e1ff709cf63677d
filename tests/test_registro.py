"""The territorial registry: ISTAT load, INPS structures, competence as a query."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from accounts.models import Comune, Ente, Prestazione, Provincia, Regione, Struttura
from accounts.riferimenti import DATA_FILE
from accounts.selectors.competenza import (
    comuni_di_competenza,
    con_competenza,
    direzione_firmataria,
    direzione_regionale_competente,
    poli_competenti,
    sede_competente,
)
from accounts.services.registro import registro_carica
from tests.factories import EnteFactory

pytestmark = pytest.mark.django_db
T = Struttura.Tipo

ISTAT = json.loads(DATA_FILE.read_text(encoding="utf-8"))


def test_it_loads_every_comune_region_and_province_of_the_istat_file(registro: None) -> None:
    assert Comune.objects.count() == 7904
    assert Regione.objects.count() == 20
    assert Provincia.objects.count() == 107


@pytest.mark.parametrize(
    ("regione", "comuni"),
    [("Calabria", 404), ("Lombardia", 1506), ("Valle d'Aosta/Vallée d'Aoste", 74), ("Molise", 136)],
)
def test_it_counts_the_comuni_of_each_region_as_istat_does(registro: None, regione: str, comuni: int) -> None:
    expected = sum(1 for row in ISTAT if row["regione"] == regione)
    assert expected == comuni
    assert Comune.objects.filter(provincia__regione__nome=regione).count() == comuni


def test_every_region_counts_exactly_its_comuni(registro: None) -> None:
    from collections import Counter

    expected = Counter(row["regione"] for row in ISTAT)
    loaded = Counter(Comune.objects.values_list("provincia__regione__nome", flat=True))
    assert loaded == expected


def test_reloading_creates_nothing_new(registro: None) -> None:
    esito = registro_carica()
    assert esito.creati == {"regioni": 0, "province": 0, "comuni": 0, "strutture": 0}
    assert Comune.objects.count() == 7904


def test_reloading_keeps_corrections_made_in_the_admin_unless_asked(registro: None) -> None:
    Comune.objects.filter(codice_istat="078102").update(nome="Rende (corretto)")
    registro_carica()
    assert Comune.objects.get(codice_istat="078102").nome == "Rende (corretto)"
    registro_carica(aggiorna=True)
    assert Comune.objects.get(codice_istat="078102").nome == "Rende"


def test_the_management_command_is_idempotent(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_registry")
    call_command("load_registry")
    assert Comune.objects.count() == 7904
    assert "'comuni': 0" in capsys.readouterr().out


def test_it_creates_the_inps_structures(registro: None) -> None:
    assert Struttura.objects.filter(tipo=T.DIREZIONE_REGIONALE).count() == 20
    assert Struttura.objects.filter(tipo=T.SEDE_TERRITORIALE).count() == 107
    assert set(Struttura.objects.filter(tipo=T.DIREZIONE_METROPOLITANA).values_list("provincia__sigla", flat=True)) == {
        "RM",
        "MI",
        "NA",
    }
    centrali = set(Struttura.objects.filter(tipo=T.DIREZIONE_CENTRALE).values_list("nome", flat=True))
    for nome in [
        "Credito e Welfare",
        "Entrate",
        "Posizione Assicurativa",
        "Sistemi Informativi e Tecnologici",
        "Organizzazione",
    ]:
        assert f"Direzione centrale {nome}" in centrali
    assert Struttura.objects.get(codice="DC-CW").pec == "dc.creditowelfare@postacert.inps.gov.it"
    assert Struttura.objects.filter(tipo=T.POLO_NAZIONALE, prestazioni__isnull=False).exists()


def test_the_sede_of_a_province_is_competent_for_all_and_only_its_comuni(registro: None) -> None:
    sede = Struttura.objects.get(codice="ST-CS")
    comuni = comuni_di_competenza(sede)
    assert comuni.count() == sum(1 for row in ISTAT if row["sigla"] == "CS")
    assert not comuni.exclude(provincia__sigla="CS").exists()
    for comune in Comune.objects.filter(provincia__sigla="CS")[:25]:
        assert sede_competente(comune) == sede


def test_the_regional_direction_is_competent_for_its_whole_region(registro: None) -> None:
    rende = Comune.objects.get(codice_istat="078102")
    direzione = direzione_regionale_competente(rende)
    assert direzione is not None
    assert direzione.nome == "Direzione regionale Calabria"
    assert comuni_di_competenza(direzione).count() == 404


def test_conventions_in_rome_milan_naples_are_signed_by_the_metropolitan_direction(registro: None) -> None:
    assert direzione_firmataria(Comune.objects.get(nome="Fiumicino")).codice == "DCM-RM"
    assert direzione_firmataria(Comune.objects.get(nome="Pozzuoli")).codice == "DCM-NA"
    assert direzione_firmataria(Comune.objects.get(nome="Latina")).codice == "DR-12"
    assert direzione_firmataria(Comune.objects.get(codice_istat="078102")).codice == "DR-18"


def test_competence_follows_the_territory_not_a_copy(registro: None) -> None:
    """Moving a Comune to another province changes its competent Sede at once."""
    rende = Comune.objects.get(codice_istat="078102")
    rende.provincia = Provincia.objects.get(sigla="CZ")
    rende.save()
    assert sede_competente(rende).codice == "ST-CZ"


def test_an_ente_gets_its_competence_from_its_seat(registro: None) -> None:
    ente = EnteFactory.create(comune=Comune.objects.get(nome="Bologna"))
    annotated = con_competenza(Ente.objects.filter(pk=ente.pk)).get()
    assert getattr(annotated, "sede_competente_nome") == "Sede territoriale di Bologna"  # noqa: B009
    assert getattr(annotated, "direzione_regionale_nome") == "Direzione regionale Emilia-Romagna"  # noqa: B009


def test_the_national_pole_is_found_by_prestazione(registro: None) -> None:
    prestazione = Prestazione.objects.get(codice="assegno-unico")
    assert [p.codice for p in poli_competenti(prestazione)] == ["PN-AU"]
    assert not poli_competenti(Prestazione.objects.get(codice="naspi")).exists()


def test_the_database_refuses_two_sedi_for_one_province(registro: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Struttura.objects.create(
            codice="ST-CS-2", nome="Seconda sede", tipo=T.SEDE_TERRITORIALE, provincia=Provincia.objects.get(sigla="CS")
        )


def test_the_database_refuses_a_regional_direction_without_a_region(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Struttura.objects.create(codice="DR-X", nome="Senza regione", tipo=T.DIREZIONE_REGIONALE)
