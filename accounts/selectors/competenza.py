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


def _nome_competente(tipo: str, *, per: str, dalla_riga: str) -> Subquery:
    """The name of the active Struttura of ``tipo`` whose ``per`` (``provincia`` or ``regione``) is the outer row's
    ``dalla_riga``: the rules of ``sede_competente`` and the others, as a subquery of a list."""
    return Subquery(strutture_attive().filter(tipo=tipo, **{f"{per}_id": OuterRef(dalla_riga)}).values("nome")[:1])


def comuni_con_competenza(comuni: QuerySet[Comune]) -> QuerySet[Comune]:
    """Comuni annotated with the names of their Sede, Direzione regionale and PUE signatory, in one query (the same
    rules as ``sede_competente``, ``direzione_regionale_competente`` and ``direzione_firmataria``)."""
    return comuni.select_related("provincia__regione").annotate(
        sede_nome=_nome_competente(Tipo.SEDE_TERRITORIALE, per="provincia", dalla_riga="provincia_id"),
        direzione_nome=_nome_competente(Tipo.DIREZIONE_REGIONALE, per="regione", dalla_riga="provincia__regione_id"),
        metropolitana_nome=_nome_competente(Tipo.DIREZIONE_METROPOLITANA, per="provincia", dalla_riga="provincia_id"),
    )


def con_competenza(enti: QuerySet[Ente]) -> QuerySet[Ente]:
    """Enti annotated with the names of their competent Sede and Direzione regionale, in one query."""
    return enti.select_related("comune__provincia__regione").annotate(
        sede_competente_nome=_nome_competente(
            Tipo.SEDE_TERRITORIALE, per="provincia", dalla_riga="comune__provincia_id"
        ),
        direzione_regionale_nome=_nome_competente(
            Tipo.DIREZIONE_REGIONALE, per="regione", dalla_riga="comune__provincia__regione_id"
        ),
    )
