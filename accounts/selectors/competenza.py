"""Reads about the territory and INPS's structures; competence is always a query on the territory."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.query import ModelIterable

from accounts.models import Comune, Ente, Prestazione, Struttura
from accounts.selectors.cache_competenza import UfficiCompetenti, uffici_competenti, uffici_in_cache

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


class _ComuniConUffici(ModelIterable[Comune]):
    """Each Comune with ``sede_nome``, ``direzione_nome`` and ``metropolitana_nome``, from the cached names that
    ``comuni_con_competenza`` has read (a subclass of this per list: Django makes the iterable from the class)."""

    uffici: UfficiCompetenti

    def __iter__(self) -> Iterator[Comune]:
        uffici = self.uffici
        for comune in super().__iter__():
            setattr(comune, "sede_nome", uffici.sede(comune.provincia_id))  # noqa: B010 - as annotate() would
            setattr(comune, "direzione_nome", uffici.direzione(comune.provincia.regione_id))  # noqa: B010
            setattr(comune, "metropolitana_nome", uffici.metropolitana(comune.provincia_id))  # noqa: B010
            yield comune


class _EntiConUffici(ModelIterable[Ente]):
    """Each Ente with ``sede_competente_nome`` and ``direzione_regionale_nome``, from the cached names."""

    def __iter__(self) -> Iterator[Ente]:
        uffici = uffici_competenti()
        for ente in super().__iter__():
            provincia = ente.comune.provincia
            setattr(ente, "sede_competente_nome", uffici.sede(provincia.pk))  # noqa: B010 - as annotate() would
            setattr(ente, "direzione_regionale_nome", uffici.direzione(provincia.regione_id))  # noqa: B010
            yield ente


def comuni_con_competenza(comuni: QuerySet[Comune]) -> QuerySet[Comune]:
    """Comuni with the names of their Sede, Direzione regionale and PUE signatory on each row (``sede_nome``,
    ``direzione_nome``, ``metropolitana_nome``: the rules of ``sede_competente``, ``direzione_regionale_competente``
    and ``direzione_firmataria``), in the one query of the Comuni.

    The names come from ``cache_competenza`` when it holds them, or else from subqueries of that same query: the
    public search costs its two queries whatever the cache holds, and never fills it (the Area's pages do)."""
    comuni = comuni.select_related("provincia")  # the province's region: its key is enough
    uffici = uffici_in_cache()
    if uffici is None:
        return comuni.annotate(
            sede_nome=_nome_competente(Tipo.SEDE_TERRITORIALE, per="provincia", dalla_riga="provincia_id"),
            direzione_nome=_nome_competente(
                Tipo.DIREZIONE_REGIONALE, per="regione", dalla_riga="provincia__regione_id"
            ),
            metropolitana_nome=_nome_competente(
                Tipo.DIREZIONE_METROPOLITANA, per="provincia", dalla_riga="provincia_id"
            ),
        )
    # The rows' iterable is the queryset's own hook (values() and values_list() set it the same way); a clone keeps
    # it, so the list can still be filtered, ordered, counted and sliced into pages.
    comuni._iterable_class = type("ComuniConUffici", (_ComuniConUffici,), {"uffici": uffici})
    return comuni


def con_competenza(enti: QuerySet[Ente]) -> QuerySet[Ente]:
    """Enti with the names of their competent Sede and Direzione regionale on each row (``sede_competente_nome``,
    ``direzione_regionale_nome``), in the one query of the Enti: the names from ``cache_competenza``."""
    con_uffici = enti.select_related("comune__provincia")  # the province's region: its key is enough
    con_uffici._iterable_class = _EntiConUffici
    return con_uffici
