"""Reads of the conventions, already filtered by what the person may see: one definition of who sees what, used by
the views, the back office and the services alike. An object outside these querysets is a 404.

- INPS central staff and the portal's administrators see every convention;
- INPS staff of a Direzione regionale see those of the Comuni of their region, of a Direzione di coordinamento
  metropolitano or a Sede territoriale those of their province (by the Comune's territory, whoever signed);
- the Comune's people (Referente, Amministratore utenze, operators) see only their Comune's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import Comune, Regione, Struttura, User
from accounts.roles import Ruolo
from accounts.selectors.competenza import direzione_firmataria
from accounts.selectors.persone import organizzazioni_di, ruoli_di
from convenzioni.models import (
    Convenzione,
    Criticita,
    DocumentoConvenzione,
    FiguraConvenzione,
    Parte,
    VersioneQuadro,
)
from inps_portal import clock

Tipo = Struttura.Tipo

# INPS roles that see the conventions of their structure's territory.
RUOLI_INPS_TERRITORIALI = (
    Ruolo.DIRETTORE,
    Ruolo.PERSONALE_DIREZIONE_REGIONALE,
    Ruolo.REFERENTE_INPS,
    Ruolo.PERSONALE_SEDE,
    Ruolo.OPERATORE_SPORTELLO,
)
RUOLI_COMUNE = (Ruolo.REFERENTE_COMUNE, Ruolo.AMMINISTRATORE_UTENZE, Ruolo.OPERATORE_COMUNE)
# Who acts for each party on a convention (prepares it, uploads the signed document, hands a criticità).
RUOLI_PARTE_INPS = (Ruolo.DIRETTORE, Ruolo.REFERENTE_INPS, Ruolo.PERSONALE_DIREZIONE_REGIONALE)
RUOLI_PARTE_COMUNE = (Ruolo.REFERENTE_COMUNE, Ruolo.AMMINISTRATORE_UTENZE)
# Who reports a criticità: the Referenti (Messaggio 4461/2023).
REFERENTI = {Parte.INPS: Ruolo.REFERENTE_INPS, Parte.COMUNE: Ruolo.REFERENTE_COMUNE}


def vede_tutto(user: User) -> bool:
    return bool(user.is_superuser) or Ruolo.PERSONALE_DIREZIONE_CENTRALE in ruoli_di(user)


def convenzioni_visibili(user: User) -> QuerySet[Convenzione]:
    """The conventions ``user`` may see, in a constant number of queries whatever their number."""
    tutte = Convenzione.objects.all()
    if not user.is_authenticated or not user.is_active:
        return tutte.none()
    if vede_tutto(user):
        return tutte
    ruoli = ruoli_di(user)
    condizione = Q(pk__in=[])
    for ruolo in RUOLI_INPS_TERRITORIALI:
        if ruolo not in ruoli:
            continue
        strutture = organizzazioni_di(user, ruolo)
        condizione |= Q(
            comune__provincia__regione_id__in=strutture.filter(tipo=Tipo.DIREZIONE_REGIONALE).values("regione_id")
        )
        condizione |= Q(
            comune__provincia_id__in=strutture.filter(
                tipo__in=[Tipo.DIREZIONE_METROPOLITANA, Tipo.SEDE_TERRITORIALE]
            ).values("provincia_id")
        )
    for ruolo in RUOLI_COMUNE:
        if ruolo in ruoli:
            condizione |= Q(comune_id__in=organizzazioni_di(user, ruolo).values("pk"))
    return tutte.filter(condizione)


def registro_convenzioni(
    user: User,
    *,
    regione: Regione | int | None = None,
    comune: Comune | int | None = None,
    comune_nome: str | None = None,
    stato: str | None = None,
    scadenza_dal: dt.date | None = None,
    scadenza_al: dt.date | None = None,
) -> QuerySet[Convenzione]:
    """The registry of conventions for INPS staff: by region, Comune, state and expiry, with the Comune, its
    territory, the Direzione, the version and the current Referenti loaded in a fixed number of queries."""
    convenzioni = convenzioni_visibili(user)
    if regione is not None:
        convenzioni = convenzioni.filter(comune__provincia__regione=regione)
    if comune is not None:
        convenzioni = convenzioni.filter(comune=comune)
    if comune_nome:
        convenzioni = convenzioni.filter(comune__nome__icontains=comune_nome.strip())
    if stato:
        convenzioni = convenzioni.filter(stato=stato)
    if scadenza_dal is not None:
        convenzioni = convenzioni.filter(data_fine__gte=scadenza_dal)
    if scadenza_al is not None:
        convenzioni = convenzioni.filter(data_fine__lte=scadenza_al)
    return (
        convenzioni.select_related("comune__provincia__regione", "direzione", "versione")
        .prefetch_related(Prefetch("figure", queryset=figure_attuali_qs().order_by("ruolo"), to_attr="figure_attuali"))
        .order_by("data_fine", "comune__nome", "pk")
    )


def vede_il_registro(user: User) -> bool:
    """The registry is INPS's: its staff with a territory, central staff and the portal's administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    return vede_tutto(user) or bool(ruoli_di(user) & set(RUOLI_INPS_TERRITORIALI))


def convenzione_visibile(user: User, pk: int) -> Convenzione:
    """One convention if ``user`` may see it (``Convenzione.DoesNotExist`` otherwise: a 404)."""
    return convenzioni_visibili(user).select_related("comune__provincia__regione", "direzione", "versione").get(pk=pk)


def convenzione_attiva(comune: Comune | int, giorno: dt.date | None = None) -> Convenzione | None:
    """The active convention of a Comune on ``giorno`` (today by default), if any: what the PUE asks before a
    booking."""
    giorno = giorno or clock.today()
    return (
        Convenzione.objects.filter(
            comune=comune, stato=Convenzione.Stato.ATTIVA, data_inizio__lte=giorno, data_fine__gte=giorno
        )
        .select_related("direzione")
        .first()
    )


def convenzioni_del_comune(user: User, comune: Comune | int) -> QuerySet[Convenzione]:
    """A Comune's conventions, newest first, as ``user`` may see them (the Comune's page)."""
    return (
        convenzioni_visibili(user)
        .filter(comune=comune)
        .select_related("versione", "direzione", "documento")
        .order_by("-creata_il", "-pk")
    )


def convenzioni_dei_miei_comuni(user: User) -> QuerySet[Convenzione] | None:
    """The conventions of the Comuni ``user`` works for (Referente, Amministratore utenze, operator), newest first;
    None for whoever works for no Comune."""
    if not user.is_authenticated or not user.is_active:
        return None
    ruoli = [r for r in RUOLI_COMUNE if r in ruoli_di(user)]
    if not ruoli:
        return None
    condizione = Q(pk__in=[])
    for ruolo in ruoli:
        condizione |= Q(comune_id__in=organizzazioni_di(user, ruolo).values("pk"))
    return (
        Convenzione.objects.filter(condizione)
        .select_related("comune__provincia", "direzione", "versione")
        .order_by("comune__nome", "-creata_il", "-pk")
    )


def figure_attuali_qs() -> QuerySet[FiguraConvenzione]:
    return FiguraConvenzione.objects.filter(sostituita_il__isnull=True)


def figure_attuali(convenzione: Convenzione) -> dict[str, FiguraConvenzione]:
    """The current Referenti and Amministratore utenze, by role."""
    return {f.ruolo: f for f in figure_attuali_qs().filter(convenzione=convenzione)}


def storico_figure(convenzione: Convenzione) -> QuerySet[FiguraConvenzione]:
    """Every name and contact the figures had, newest first per role, with the PEC that communicated each change
    and its receipts."""
    return (
        FiguraConvenzione.objects.filter(convenzione=convenzione)
        .select_related("messaggio_pec", "registrata_da")
        .prefetch_related("messaggio_pec__ricevute")
        .order_by("ruolo", "-dal", "-pk")
    )


def documenti(convenzione: Convenzione) -> QuerySet[DocumentoConvenzione]:
    """The documents of a convention without their content (a list: the bytes are read one at a time)."""
    return convenzione.documenti.defer("contenuto").order_by("creato_il", "pk")


def documento_da_scaricare(convenzione: Convenzione, documento_id: int | None = None) -> DocumentoConvenzione:
    """The current document (or one of the convention's own, by id) with its bytes."""
    if documento_id is not None:
        return convenzione.documenti.get(pk=documento_id)
    return documento_corrente(convenzione)


def documento_corrente(convenzione: Convenzione) -> DocumentoConvenzione:
    """The latest document: generated, signed by the Comune, signed by both."""
    return DocumentoConvenzione.objects.get(convenzione=convenzione, pk=convenzione.documento_id or 0)


def documento_generato(convenzione: Convenzione) -> DocumentoConvenzione:
    """The PDF the portal generated for the parties to sign (its SHA-256 is what the signatures must cover)."""
    return DocumentoConvenzione.objects.get(convenzione=convenzione, pk=convenzione.documento_generato_id or 0)


def versioni() -> QuerySet[VersioneQuadro]:
    return VersioneQuadro.objects.all().order_by("-valida_dal", "-numero")


def versione_vigente(giorno: dt.date | None = None) -> VersioneQuadro | None:
    """The version of the Convenzione quadro in force on ``giorno`` (today by default)."""
    return VersioneQuadro.objects.filter(valida_dal__lte=giorno or clock.today()).order_by("-valida_dal").first()


def versione_in_uso(versione: VersioneQuadro) -> bool:
    return Convenzione.objects.filter(versione=versione).exists()


# --- Who acts for which party -------------------------------------------------------------------------------------


def parti_di(user: User, convenzione: Convenzione) -> set[Parte]:
    """The parties ``user`` acts for on this convention: INPS (the Direzione firmataria's director, Referente or
    staff), the Comune (its Referente or Amministratore utenze)."""
    return {
        parte
        for parte, ruoli, organizzazione in (
            (Parte.INPS, RUOLI_PARTE_INPS, convenzione.direzione_id),
            (Parte.COMUNE, RUOLI_PARTE_COMUNE, convenzione.comune_id),
        )
        if _ha_ruolo(user, ruoli, organizzazione)
    }


def parte_che_prepara(user: User, comune: Comune) -> Parte | None:
    """Who may prepare a convention for ``comune``: the staff of its Direzione firmataria, or its own Referente or
    Amministratore utenze."""
    direzione = direzione_firmataria(comune)
    if direzione is not None and _ha_ruolo(user, RUOLI_PARTE_INPS, direzione.pk):
        return Parte.INPS
    if _ha_ruolo(user, RUOLI_PARTE_COMUNE, comune.pk):
        return Parte.COMUNE
    return None


def referente_per(user: User, convenzione: Convenzione) -> Parte | None:
    """The party whose Referente ``user`` is on this convention (who may report a criticità)."""
    if _ha_ruolo(user, (Ruolo.REFERENTE_INPS,), convenzione.direzione_id):
        return Parte.INPS
    if _ha_ruolo(user, (Ruolo.REFERENTE_COMUNE,), convenzione.comune_id):
        return Parte.COMUNE
    return None


def puo_firmare_per_inps(user: User, convenzione: Convenzione) -> bool:
    """Only the Direttore of the Direzione firmataria competent for the Comune now (and named in the document)."""
    direzione = direzione_firmataria(convenzione.comune)
    return (
        direzione is not None
        and direzione.pk == convenzione.direzione_id
        and _ha_ruolo(user, (Ruolo.DIRETTORE,), direzione.pk)
    )


def gestisce_versioni(user: User) -> bool:
    """Central staff manage the versions of the Convenzione quadro (and the portal's administrators)."""
    return vede_tutto(user)


def _ha_ruolo(user: User, ruoli: tuple[Ruolo, ...], organizzazione_id: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    presenti = ruoli_di(user)
    return any(
        ruolo in presenti and organizzazioni_di(user, ruolo).filter(pk=organizzazione_id).exists() for ruolo in ruoli
    )


# --- Criticità ----------------------------------------------------------------------------------------------------


def criticita_visibili(user: User) -> QuerySet[Criticita]:
    """The criticità of the conventions ``user`` may see."""
    return Criticita.objects.filter(convenzione__in=convenzioni_visibili(user)).select_related(
        "convenzione__comune", "segnalata_da"
    )
