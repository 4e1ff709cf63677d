"""Reads about the territory and INPS's structures; competence is always a query on the territory."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import Comune, Ente, Prestazione, Struttura

Tipo = Struttura.Tipo


def strutture_attive() -> QuerySet[Struttura]:
    return Struttura.objects.filter(attiva=True)


def sede_competente(comune: Comune) -> Struttura | None:
    """The Sede territoriale competent for a Comune: the one of its province."""
    return strutture_attive().filter(tipo=Tipo.SEDE_TERRITORIALE, provincia_id=comune.provincia_id).first()


def direzione_regionale_competente(comune: Comune) -> Struttura | None:
    """The Direzione regionale of the Comune's region."""
    return strutture_attive().filter(tipo=Tipo.DIREZIONE_REGIONALE, regione__province__comuni=comune).first()


def direzione_firmataria(comune: Comune) -> Struttura | None:
    """Who signs a PUE convention for INPS (Messaggio 4461/2023, par. 2): the Direzione di coordinamento
    metropolitano where one covers the Comune's province, the Direzione regionale otherwise."""
    metropolitana = (
        strutture_attive().filter(tipo=Tipo.DIREZIONE_METROPOLITANA, provincia_id=comune.provincia_id).first()
    )
    return metropolitana or direzione_regionale_competente(comune)


def poli_competenti(prestazione: Prestazione) -> QuerySet[Struttura]:
    return strutture_attive().filter(tipo=Tipo.POLO_NAZIONALE, prestazioni=prestazione)


def comuni_di_competenza(struttura: Struttura) -> QuerySet[Comune]:
    """The Comuni a structure is territorially competent for (none for central offices and national poles)."""
    comuni = Comune.objects.select_related("provincia__regione")
    if struttura.tipo == Tipo.DIREZIONE_REGIONALE and struttura.regione_id is not None:
        return comuni.filter(provincia__regione_id=struttura.regione_id)
    if struttura.tipo in (Tipo.SEDE_TERRITORIALE, Tipo.DIREZIONE_METROPOLITANA) and struttura.provincia_id is not None:
        return comuni.filter(provincia_id=struttura.provincia_id)
    return comuni.none()


def _competente_per_provincia(tipo: str) -> Subquery:
    return Subquery(
        strutture_attive().filter(tipo=tipo, provincia_id=OuterRef("comune__provincia_id")).values("nome")[:1]
    )


def comuni_con_competenza(comuni: QuerySet[Comune]) -> QuerySet[Comune]:
    """Comuni annotated with the names of their Sede, Direzione regionale and PUE signatory, in one query (the same
    rules as ``sede_competente``, ``direzione_regionale_competente`` and ``direzione_firmataria``)."""

    def per_provincia(tipo: str) -> Subquery:
        return Subquery(strutture_attive().filter(tipo=tipo, provincia_id=OuterRef("provincia_id")).values("nome")[:1])

    direzione = Subquery(
        strutture_attive()
        .filter(tipo=Tipo.DIREZIONE_REGIONALE, regione_id=OuterRef("provincia__regione_id"))
        .values("nome")[:1]
    )
    return comuni.select_related("provincia__regione").annotate(
        sede_nome=per_provincia(Tipo.SEDE_TERRITORIALE),
        direzione_nome=direzione,
        metropolitana_nome=per_provincia(Tipo.DIREZIONE_METROPOLITANA),
    )


def con_competenza(enti: QuerySet[Ente]) -> QuerySet[Ente]:
    """Enti annotated with the names of their competent Sede and Direzione regionale, in one query."""
    direzione = Subquery(
        strutture_attive()
        .filter(tipo=Tipo.DIREZIONE_REGIONALE, regione_id=OuterRef("comune__provincia__regione_id"))
        .values("nome")[:1]
    )
    return enti.select_related("comune__provincia__regione").annotate(
        sede_competente_nome=_competente_per_provincia(Tipo.SEDE_TERRITORIALE),
        direzione_regionale_nome=direzione,
    )
