"""The names of the competent offices by province and region, kept in the cache shared by the portal's processes.

Every page that names the Sede, the Direzione regionale or the PUE signatory of a Comune or of an Ente used to ask
the database with three correlated subqueries per row; the answer changes only when a Struttura does (the admin,
``load_registry``), so it is read once into three small maps (about 140 offices) and kept in the cache (Redis in
production). The rules are those of ``competenza``: the active office of the kind, the first by name.

Correct across processes: whoever changes a Struttura draws a new version (``uffici_competenti_dimentica``, wired to
the Struttura's signals, at once and again when the transaction commits); a reader keeps the maps only under the
version it saw before reading the database, so maps read from a state that was changing are never used after the
change. The entry also expires on its own (``DURATA``): a change made outside the portal (SQL by hand) shows within
that time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.cache import cache

from accounts.models import Struttura

VERSIONE = "competenza:uffici:versione"
UFFICI = "competenza:uffici:v1"
DURATA = 60 * 60  # seconds


@dataclass(frozen=True)
class UfficiCompetenti:
    """The names of the active offices: the Sede territoriale and the Direzione di coordinamento metropolitano of
    each province, the Direzione regionale of each region."""

    sede_per_provincia: dict[int, str] = field(default_factory=dict)
    metropolitana_per_provincia: dict[int, str] = field(default_factory=dict)
    direzione_per_regione: dict[int, str] = field(default_factory=dict)

    def sede(self, provincia_id: int) -> str | None:
        """The Sede territoriale competent for the province (``competenza.sede_competente``)."""
        return self.sede_per_provincia.get(provincia_id)

    def direzione(self, regione_id: int) -> str | None:
        """The Direzione regionale of the region (``competenza.direzione_regionale_competente``)."""
        return self.direzione_per_regione.get(regione_id)

    def metropolitana(self, provincia_id: int) -> str | None:
        """The Direzione di coordinamento metropolitano of the province, where there is one."""
        return self.metropolitana_per_provincia.get(provincia_id)

    def firmataria(self, provincia_id: int, regione_id: int) -> str | None:
        """Who signs a PUE convention for INPS (``competenza.direzione_firmataria``): the metropolitan Direzione
        where one covers the province, the Direzione regionale otherwise."""
        return self.metropolitana(provincia_id) or self.direzione(regione_id)


def _dal_database() -> UfficiCompetenti:
    T = Struttura.Tipo
    uffici = UfficiCompetenti()
    righe = (
        Struttura.objects.filter(
            attiva=True, tipo__in=[T.SEDE_TERRITORIALE, T.DIREZIONE_METROPOLITANA, T.DIREZIONE_REGIONALE]
        )
        .order_by("nome", "pk")
        .values_list("tipo", "provincia_id", "regione_id", "nome")
    )
    for tipo, provincia_id, regione_id, nome in righe:
        # In name order, the first office of a kind for a province or region wins, as ``.first()`` does there.
        if tipo == T.SEDE_TERRITORIALE and provincia_id is not None:
            uffici.sede_per_provincia.setdefault(provincia_id, nome)
        elif tipo == T.DIREZIONE_METROPOLITANA and provincia_id is not None:
            uffici.metropolitana_per_provincia.setdefault(provincia_id, nome)
        elif tipo == T.DIREZIONE_REGIONALE and regione_id is not None:
            uffici.direzione_per_regione.setdefault(regione_id, nome)
    return uffici


def _in_cache() -> tuple[UfficiCompetenti | None, str | None]:
    """The maps kept under the current version, if any, and that version."""
    trovati = cache.get_many([VERSIONE, UFFICI])
    versione = trovati.get(VERSIONE)
    salvati = trovati.get(UFFICI)
    if versione is not None and isinstance(salvati, tuple) and salvati[0] == versione:
        return salvati[1], versione
    return None, versione


def uffici_in_cache() -> UfficiCompetenti | None:
    """The competent offices' names if the cache holds them (one round trip, no query), None otherwise."""
    return _in_cache()[0]


def uffici_competenti() -> UfficiCompetenti:
    """The competent offices' names: from the cache (one round trip), or read from the database and kept there."""
    uffici, versione = _in_cache()
    if uffici is not None:
        return uffici
    if versione is None:
        cache.add(VERSIONE, uuid.uuid4().hex, timeout=None)
        versione = cache.get(VERSIONE)
    uffici = _dal_database()
    if versione is not None:
        cache.set(UFFICI, (versione, uffici), timeout=DURATA)
    return uffici


def uffici_competenti_dimentica() -> None:
    """A Struttura changed: the maps kept so far, and any being read now, are not used again."""
    cache.set(VERSIONE, uuid.uuid4().hex, timeout=None)
