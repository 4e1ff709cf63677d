"""The registry of the territory and of INPS's structures: loaded from ISTAT's list and the reference data."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

from accounts.models import Comune, Prestazione, Provincia, Regione, Struttura, Team, chiave_di_ricerca
from accounts.riferimenti import (
    DATA_FILE,
    DIREZIONI_CENTRALI,
    DIREZIONI_METROPOLITANE,
    POLI_NAZIONALI,
    PRESTAZIONI_TERRITORIALI,
    TEAM_DELLE_DIREZIONI_REGIONALI,
)

logger = logging.getLogger(__name__)


@dataclass
class EsitoCaricamento:
    regioni: int = 0
    province: int = 0
    comuni: int = 0
    strutture: int = 0
    creati: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def registro_carica(*, path: Path = DATA_FILE, aggiorna: bool = False) -> EsitoCaricamento:
    """Load Regioni, Province, Comuni from the ISTAT file and create the INPS structures.

    Idempotent: rows already there are left as they are (the admin may have corrected them), unless ``aggiorna``
    asks to overwrite the territory with the file's values. Structures are never overwritten.
    """
    rows = json.loads(path.read_text(encoding="utf-8"))
    esito = EsitoCaricamento()
    before = {m.__name__: m.objects.count() for m in (Regione, Provincia, Comune, Struttura)}

    regioni = {r["codice_regione"]: r["regione"] for r in rows}
    _inserisci(Regione, [Regione(codice_istat=c, nome=n) for c, n in regioni.items()], aggiorna, ["nome"])
    regione_id = dict(Regione.objects.values_list("codice_istat", "id"))

    province = {r["codice_provincia"]: r for r in rows}
    _inserisci(
        Provincia,
        [
            Provincia(codice_istat=c, nome=r["provincia"], sigla=r["sigla"], regione_id=regione_id[r["codice_regione"]])
            for c, r in province.items()
        ],
        aggiorna,
        ["nome", "sigla", "regione"],
    )
    provincia_id = dict(Provincia.objects.values_list("codice_istat", "id"))

    _inserisci(
        Comune,
        [
            Comune(
                codice_istat=r["codice_istat"],
                codice_catastale=r["codice_catastale"],
                nome=r["nome"],
                nome_ricerca=chiave_di_ricerca(r["nome"]),
                provincia_id=provincia_id[r["codice_provincia"]],
                popolazione=r.get("popolazione") or 0,
            )
            for r in rows
        ],
        aggiorna,
        ["codice_catastale", "nome", "nome_ricerca", "provincia", "popolazione"],
    )
    _strutture_crea()

    esito.regioni, esito.province = Regione.objects.count(), Provincia.objects.count()
    esito.comuni, esito.strutture = Comune.objects.count(), Struttura.objects.count()
    esito.creati = {
        "regioni": esito.regioni - before["Regione"],
        "province": esito.province - before["Provincia"],
        "comuni": esito.comuni - before["Comune"],
        "strutture": esito.strutture - before["Struttura"],
    }
    logger.info("registro territoriale caricato", extra=esito.creati)
    return esito


def _inserisci(model: type[Model], objs: list[Any], aggiorna: bool, campi: list[str]) -> None:
    """Insert what is missing (by ISTAT code); with ``aggiorna`` also overwrite ``campi`` of what is there."""
    if aggiorna:
        model._default_manager.bulk_create(
            objs, batch_size=1000, update_conflicts=True, unique_fields=["codice_istat"], update_fields=campi
        )
    else:
        model._default_manager.bulk_create(objs, batch_size=1000, ignore_conflicts=True)


def _strutture_crea() -> None:
    T = Struttura.Tipo
    for codice, nome, pec in DIREZIONI_CENTRALI:
        Struttura.objects.get_or_create(
            codice=codice, defaults={"nome": nome, "tipo": T.DIREZIONE_CENTRALE, "pec": pec}
        )
    for regione in Regione.objects.all():
        Struttura.objects.get_or_create(
            codice=f"DR-{regione.codice_istat}",
            defaults={"nome": f"Direzione regionale {regione.nome}", "tipo": T.DIREZIONE_REGIONALE, "regione": regione},
        )
    _team_crea()
    for provincia in Provincia.objects.all():
        Struttura.objects.get_or_create(
            codice=f"ST-{provincia.sigla}",
            defaults={
                "nome": f"Sede territoriale di {provincia.nome}",
                "tipo": T.SEDE_TERRITORIALE,
                "provincia": provincia,
            },
        )
    for sigla, citta in DIREZIONI_METROPOLITANE.items():
        metropoli = Provincia.objects.filter(sigla=sigla).first()
        if metropoli is not None:
            Struttura.objects.get_or_create(
                codice=f"DCM-{sigla}",
                defaults={
                    "nome": f"Direzione di coordinamento metropolitano di {citta}",
                    "tipo": T.DIREZIONE_METROPOLITANA,
                    "provincia": metropoli,
                },
            )
    for codice, nome, prestazioni in POLI_NAZIONALI:
        polo, created = Struttura.objects.get_or_create(
            codice=codice, defaults={"nome": nome, "tipo": T.POLO_NAZIONALE}
        )
        for p_codice, p_nome in prestazioni:
            prestazione, _ = Prestazione.objects.get_or_create(codice=p_codice, defaults={"nome": p_nome})
            if created:
                polo.prestazioni.add(prestazione)
    for p_codice, p_nome in PRESTAZIONI_TERRITORIALI:
        Prestazione.objects.get_or_create(codice=p_codice, defaults={"nome": p_nome})


def _team_crea() -> None:
    """The teams every Direzione regionale has, where missing (idempotent: one insert, conflicts skipped)."""
    direzioni = Struttura.objects.filter(tipo=Struttura.Tipo.DIREZIONE_REGIONALE).values_list("pk", flat=True)
    Team.objects.bulk_create(
        [
            Team(struttura_id=struttura_id, codice=codice, nome=nome)
            for struttura_id in direzioni
            for codice, nome in TEAM_DELLE_DIREZIONI_REGIONALI
        ],
        ignore_conflicts=True,
    )
